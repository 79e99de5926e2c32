"""The coordinate reference systems the API answers in (OGC API – Features Part 2): WGS 84 in both axis orders,
Web Mercator and the province's VN-2000 zone. PostGIS transforms each geometry (ST_Transform with the
authority's code, read from PROJ's database), so no row of spatial_ref_sys is needed."""
from __future__ import annotations

from dataclasses import dataclass

from geo.errors import N_, BadParameter


@dataclass(frozen=True)
class OutputCrs:
    """A CRS an answer can be in: its URI, the code PostGIS transforms to, its axis order and precision."""

    uri: str
    code: str
    lat_first: bool  # EPSG:4326 lists latitude first, as the standard says; CRS84 longitude first
    decimals: int  # 6 decimals of a degree and 2 of a metre are both about 10 cm


CRS84 = OutputCrs("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "EPSG:4326", False, 6)
WGS84_LAT_LON = OutputCrs("http://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326", True, 6)
WEB_MERCATOR = OutputCrs("http://www.opengis.net/def/crs/EPSG/0/3857", "EPSG:3857", False, 2)
# VN-2000 / TM-3 zone of 104°30' E, the one the province's official maps use (geo.boundaries.CRS_PRESETS).
VN2000_KIEN_GIANG = OutputCrs("http://www.opengis.net/def/crs/EPSG/0/9207", "EPSG:9207", False, 2)
OUTPUT_CRS = {crs.uri: crs for crs in (CRS84, WGS84_LAT_LON, WEB_MERCATOR, VN2000_KIEN_GIANG)}
# Short forms clients also send.
_ALIASES = {"CRS84": CRS84, "OGC:CRS84": CRS84, "EPSG:4326": WGS84_LAT_LON, "EPSG:3857": WEB_MERCATOR,
            "EPSG:9207": VN2000_KIEN_GIANG, "[OGC:CRS84]": CRS84, "[EPSG:4326]": WGS84_LAT_LON,
            "[EPSG:3857]": WEB_MERCATOR, "[EPSG:9207]": VN2000_KIEN_GIANG}


def output_crs(value: str | None, field: str = "crs") -> OutputCrs:
    """The CRS named by a URI (or its short form); CRS84 when none is named; BadParameter naming field."""
    if not value:
        return CRS84
    found = OUTPUT_CRS.get(value.strip()) or _ALIASES.get(value.strip().upper())
    if found is None:
        raise BadParameter(field, N_("Không hỗ trợ hệ toạ độ %(crs)s; dùng một trong: %(known)s"),
                           crs=value, known=", ".join(OUTPUT_CRS))
    return found


def geometry_sql(crs: OutputCrs, column: str = "s.geom", *, moved: bool = False) -> str:
    """SQL: the GeoJSON geometry of a WGS 84 column in crs, or of a column already moved into crs (fixed text:
    column is the caller's own)."""
    if crs.code == "EPSG:4326":
        geometry = f"ST_FlipCoordinates({column})" if crs.lat_first else column
    else:
        geometry = column if moved else f"ST_Transform({column}, '{crs.code}')"
    return f"ST_AsGeoJSON({geometry}, {crs.decimals})::json"


def bbox_sql(crs: OutputCrs) -> str:
    """SQL: the WGS 84 (lon/lat) extent of a box :b0, :b1, :b2, :b3 given in crs, in its axis order."""
    x0, y0, x1, y1 = (":b1", ":b0", ":b3", ":b2") if crs.lat_first else (":b0", ":b1", ":b2", ":b3")
    box = f"ST_MakeEnvelope({x0}, {y0}, {x1}, {y1})"
    if crs.code != "EPSG:4326":
        # Edges densified first: a straight edge in metres is a curve in degrees (a box of no width or height is
        # still densified by a positive length).
        step = f"GREATEST(abs(({x1}) - ({x0})), abs(({y1}) - ({y0})), 1e-6) / 16.0"
        box = f"ST_Transform(ST_Segmentize({box}, {step}), '{crs.code}', 4326)"
    return f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT {box} AS e) b"
