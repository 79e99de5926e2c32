"""geo.photos without a database: what an upload becomes (size, orientation, no EXIF), where and when it was taken,
and the refusals, each naming its field."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import ExifTags, Image

from geo import photos
from geo.errors import BadParameter
from tests.photokit import phone_jpeg, png_bomb

SITE = (105.083232, 10.009516)


def encoded(image: Image.Image, kind: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def test_a_phone_photo_keeps_its_position_for_review_and_loses_its_exif():
    photo = photos.process(phone_jpeg(*SITE))
    assert (round(photo.lon, 5), round(photo.lat, 5)) == (round(SITE[0], 5), round(SITE[1], 5))
    assert photo.taken_at == dt.datetime(2025, 3, 14, 9, 30)
    assert (photo.width, photo.height) == (2048, 1536)
    large, small = Image.open(io.BytesIO(photo.image)), Image.open(io.BytesIO(photo.thumbnail))
    assert large.format == small.format == "JPEG" and small.size == (320, 240)
    for image in (large, small):
        assert dict(image.getexif()) == {} and dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo)) == {}
    assert len(photo.sha256) == 64 and photo.original_bytes > len(photo.image)


@pytest.mark.parametrize("kind, options", [("PNG", {}), ("WEBP", {}), ("HEIF", {})])
def test_png_webp_and_the_iphones_heic_are_read(kind, options):
    image = Image.radial_gradient("L").convert("RGBA").resize((900, 600))
    photo = photos.process(encoded(image, kind, **options))
    assert (photo.width, photo.height) == (900, 600)  # smaller than 2 048 px: kept at its size
    assert (photo.lon, photo.lat, photo.taken_at) == (None, None, None)
    assert Image.open(io.BytesIO(photo.image)).mode == "RGB"


def test_an_upright_turn_of_the_exif_is_applied():
    photo = photos.process(phone_jpeg(*SITE, orientation=6))
    assert (photo.width, photo.height) == (1536, 2048)


@pytest.mark.parametrize("data, reason", [
    (png_bomb(), "Ảnh có quá nhiều điểm ảnh (tối đa %(mp)s triệu)"),
    (png_bomb(8000, 8000), "Ảnh có quá nhiều điểm ảnh (tối đa %(mp)s triệu)"),  # 64 MP: below Pillow's own limit
    (b"GIF89a not really", "Tệp không phải là ảnh JPEG, PNG, WebP hay HEIC đọc được"),
    (encoded(Image.new("RGB", (64, 64)), "GIF"), "Tệp không phải là ảnh JPEG, PNG, WebP hay HEIC đọc được"),
    (encoded(Image.new("RGB", (64, 64)), "PNG")[:-20], "Tệp không phải là ảnh JPEG, PNG, WebP hay HEIC đọc được"),
])
def test_bombs_and_files_that_are_not_photos_are_refused_by_field(data, reason):
    with pytest.raises(BadParameter) as refused:
        photos.process(data, "photo")
    assert (refused.value.field, refused.value.reason) == ("photo", reason)


def test_an_upload_is_read_no_further_than_its_limit():
    with pytest.raises(BadParameter) as refused:
        photos.read_upload(io.BytesIO(b"\xff" * (photos.MAX_BYTES + 10)), "file")
    assert refused.value.field == "file" and refused.value.params == {"mb": 15}
    with pytest.raises(BadParameter):
        photos.read_upload(io.BytesIO(b""), "file")
