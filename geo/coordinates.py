"""Reading coordinates as people write them: decimal degrees (dot or comma) or degrees-minutes-seconds."""
from __future__ import annotations

import re

from geo.errors import N_, BadParameter

# Hemisphere letters in English and Vietnamese: Bắc/Nam, Đông/Tây (B, N, Đ, T in Vietnamese documents).
_SIGN = {"N": 1, "B": 1, "S": -1, "E": 1, "Đ": 1, "D": 1, "W": -1, "T": -1}
_AXIS_OF = {"N": "lat", "S": "lat", "B": "lat", "E": "lon", "W": "lon", "Đ": "lon", "D": "lon", "T": "lon"}
_DMS = re.compile(r"""^\s*(?P<sign>[-+])?\s*(?P<deg>\d+(?:[.,]\d+)?)\s*(?:°|º|độ|d|\s)\s*
                      (?:(?P<min>\d+(?:[.,]\d+)?)\s*(?:'|′|’|phút|m|\s)?\s*)?
                      (?:(?P<sec>\d+(?:[.,]\d+)?)\s*(?:"|″|”|''|giây|s)?\s*)?
                      (?P<hemi>[NSEWBĐDT])?\.?\s*$""", re.IGNORECASE | re.VERBOSE)


def parse_coordinate(raw: str, axis: str) -> float:
    """One coordinate (axis 'lat' or 'lon') from '10.0125', '10,0125', '10°00′45″ B' or '105 4 50 E'."""
    text = (raw or "").strip().upper().replace("ĐỘ", "°")
    if not text:
        raise BadParameter(axis, N_("Thiếu tọa độ"))
    decimal = text.replace(",", ".")
    try:
        value = float(decimal)
    except ValueError:
        match = _DMS.match(text)
        if not match:
            raise BadParameter(axis, N_("Không đọc được tọa độ “%(value)s”; viết dạng 10.0125 hoặc 10°00'45\" B"),
                               value=raw) from None
        degrees = float(match["deg"].replace(",", "."))
        minutes = float((match["min"] or "0").replace(",", "."))
        seconds = float((match["sec"] or "0").replace(",", "."))
        if minutes >= 60 or seconds >= 60:
            raise BadParameter(axis, N_("Phút và giây phải nhỏ hơn 60: “%(value)s”"), value=raw)
        value = degrees + minutes / 60 + seconds / 3600
        hemisphere = match["hemi"]
        if hemisphere:
            if _AXIS_OF[hemisphere] != axis:
                raise BadParameter(axis, N_("“%(value)s” là tọa độ của trục khác"), value=raw)
            value *= _SIGN[hemisphere]
        if match["sign"] == "-":
            value = -value
    limit = 90 if axis == "lat" else 180
    if not -limit <= value <= limit:
        raise BadParameter(axis, N_("Tọa độ ngoài phạm vi kinh độ ±180, vĩ độ ±90"))
    return round(value, 7)
