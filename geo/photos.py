"""A photo as evidence of a site: checked to be an image within limits of bytes and pixels, turned upright by
its EXIF orientation, resized, and re-encoded as JPEG without EXIF; where and when it was taken is read from the
EXIF before it goes, for the review only.

Memory stays bounded: the header's size is checked before any pixel is decoded, and a JPEG is decoded at the
smallest of its built-in scales (1/2, 1/4, 1/8) that still covers the size kept.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
from dataclasses import dataclass
from typing import BinaryIO

import pillow_heif
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from geo.errors import N_, BadParameter

# The iPhone's HEIC through pillow-heif, beside Pillow's own readers.
pillow_heif.register_heif_opener()

MAX_BYTES = 15 * 1024 * 1024
# 60 megapixels: a 48 or 50 MP phone photo passes; a header claiming more is refused before decoding.
MAX_PIXELS = 60_000_000
# Pillow's JPEG reader also reads the MPO some phones write (a JPEG with a second, depth or preview, picture).
FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
LARGE_SIDE = 2048
THUMBNAIL_SIDE = 320
LARGE_QUALITY = 82
THUMBNAIL_QUALITY = 72
MEDIA_TYPE = "image/jpeg"
NOT_AN_IMAGE = N_("Tệp không phải là ảnh JPEG, PNG, WebP hay HEIC đọc được")


@dataclass(frozen=True)
class ProcessedPhoto:
    """A photo ready to store: its re-encoded image and thumbnail, and what its EXIF said of where and when."""

    sha256: str
    image: bytes
    thumbnail: bytes
    width: int
    height: int
    original_bytes: int
    taken_at: dt.datetime | None
    lon: float | None
    lat: float | None
    media_type: str = MEDIA_TYPE


def read_upload(stream: BinaryIO, field: str) -> bytes:
    """An uploaded file's bytes, read no further than one byte past MAX_BYTES; a larger or empty file is refused."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise BadParameter(field, N_("Ảnh lớn quá %(mb)s MB"), mb=MAX_BYTES // (1024 * 1024))
    if not data:
        raise BadParameter(field, N_("Tệp trống"))
    return data


def _open(data: bytes, field: str) -> Image.Image:
    """The image of data, its header read and its size checked, nothing decoded yet."""
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as error:
        raise _too_many_pixels(field, error) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise BadParameter(field, NOT_AN_IMAGE) from error
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(field, None)
    return image


def _too_many_pixels(field: str, _error: Exception | None) -> BadParameter:
    return BadParameter(field, N_("Ảnh có quá nhiều điểm ảnh (tối đa %(mp)s triệu)"), mp=MAX_PIXELS // 1_000_000)


def process(data: bytes, field: str = "file") -> ProcessedPhoto:
    """Check, turn upright, resize and re-encode an uploaded photo; a refusal names field and the reason."""
    if len(data) > MAX_BYTES:
        raise BadParameter(field, N_("Ảnh lớn quá %(mb)s MB"), mb=MAX_BYTES // (1024 * 1024))
    with _open(data, field) as probe:
        try:
            probe.verify()  # the file's structure (PNG's checksums), before anything is decoded
        except Exception as error:  # noqa: BLE001 - each reader raises its own kind for a damaged file
            raise BadParameter(field, NOT_AN_IMAGE) from error
    with _open(data, field) as image:
        exif = image.getexif()
        lon, lat = _gps(exif)
        taken_at = _taken_at(exif)
        if image.format in ("JPEG", "MPO"):
            image.draft("RGB", _draft_size(image.size))
        try:
            upright = ImageOps.exif_transpose(image)
            large = _rgb(upright)
        except (OSError, SyntaxError, ValueError) as error:
            raise BadParameter(field, NOT_AN_IMAGE) from error
    large.thumbnail((LARGE_SIDE, LARGE_SIDE), Image.Resampling.LANCZOS)
    small = large.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    # The colour profile stays (a phone's Display P3 would look dull without it); no EXIF is written.
    profile = image.info.get("icc_profile")
    encoded = _jpeg(large, LARGE_QUALITY, profile)
    return ProcessedPhoto(sha256=hashlib.sha256(encoded).hexdigest(), image=encoded,
                          thumbnail=_jpeg(small, THUMBNAIL_QUALITY, profile), width=large.width, height=large.height,
                          original_bytes=len(data), taken_at=taken_at, lon=lon, lat=lat)


def _draft_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size a JPEG may be decoded at (draft picks the smallest scale at least this big) to still give
    LARGE_SIDE on its longer side."""
    scale = min(1.0, LARGE_SIDE / max(size))
    return max(1, math.ceil(size[0] * scale)), max(1, math.ceil(size[1] * scale))


def _rgb(image: Image.Image) -> Image.Image:
    """The image in RGB; transparent parts on white (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int, profile: bytes | None) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True, icc_profile=profile)
    return out.getvalue()


def _degrees(value: object, ref: object, negative: str) -> float | None:
    """A GPS coordinate of EXIF (degrees, minutes, seconds as rationals, and N/S or E/W) in decimal degrees."""
    try:
        d, m, s = (float(part) for part in value)  # type: ignore[union-attr]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    if not math.isfinite(degrees):
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    return -degrees if str(ref).strip().upper() == negative else degrees


def _gps(exif: Image.Exif) -> tuple[float | None, float | None]:
    """Where the photo was taken, from its EXIF, or (None, None) when it says nothing readable."""
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "S")
    lon = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "W")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lon, lat


def _taken_at(exif: Image.Exif) -> dt.datetime | None:
    """When the photo was taken (the camera's local time, as EXIF writes it), or None."""
    value = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    try:
        return dt.datetime.strptime(str(value).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
