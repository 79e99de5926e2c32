"""Photos made with Pillow for the tests: a phone-sized JPEG with GPS EXIF, a decompression bomb's header."""
from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4)


def phone_jpeg(lon: float, lat: float, size: tuple[int, int] = (4000, 3000), orientation: int = 1,
               taken: str = "2025:03:14 09:30:00") -> bytes:
    """A JPEG as a phone writes it: the camera's make and model, when and where it was taken, its orientation.
    Photos of other places or times differ in their pixels too (the same pixels are kept once)."""
    red = Image.linear_gradient("L").resize(size)
    green = Image.radial_gradient("L").resize(size)
    shift = (round(abs(lon) * 1e4) + round(abs(lat) * 1e4) + sum(taken.encode())) % 200 + 1
    blue = red.transpose(Image.Transpose.FLIP_LEFT_RIGHT).point(lambda v: (v + shift) % 256)
    image = Image.merge("RGB", (red, green, blue))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.Base.Model] = "Field 12"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N" if lat >= 0 else "S",
                                  ExifTags.GPS.GPSLatitude: _dms(abs(lat)),
                                  ExifTags.GPS.GPSLongitudeRef: "E" if lon >= 0 else "W",
                                  ExifTags.GPS.GPSLongitude: _dms(abs(lon))}
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A PNG whose header claims width × height pixels and holds none of them."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
