"""Administrative boundaries: load the shipped layers, import official files, serve them as GeoJSON."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
from pyproj import CRS
from shapely import make_valid
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from geo.errors import N_, BadParameter, BoundaryImportError, DomainError, is_outside_province

ROOT = Path(__file__).resolve().parent.parent
BOUNDARY_DIR = ROOT / "data" / "boundaries"

# (file, level) of the layers the project ships, loaded into an empty database in this order.
SHIPPED_LAYERS: tuple[tuple[str, str], ...] = (
    ("kien-giang-province.geojson", "province"),
    ("kien-giang-districts-2009-2025.geojson", "district"),
    ("kien-giang-communes-2025.geojson", "commune"),
)

# The GSO codes of Kiên Giang's 15 district-level units of 2009–June 2025 (there is no 901).
DISTRICT_CODES: tuple[str, ...] = tuple(str(code) for code in range(899, 915) if code != 901)

# Official files in Kiên Giang are often VN-2000 in the province's 3° transverse Mercator zone
# (central meridian 104°30′, k = 0.9999, false easting 500 000 m), with the .prj missing or wrong.
CRS_PRESETS: dict[str, str] = {
    "vn2000-kien-giang": "EPSG:9207",  # VN-2000 / TM-3 104-30
    "vn2000-utm48": "EPSG:3405",  # VN-2000 / UTM zone 48N
}


def read_crs(name: str, error: type[DomainError] = BadParameter) -> CRS:
    """The CRS a person names: a preset above, EPSG:…, or anything pyproj reads; raises error('crs') if none."""
    try:
        return CRS.from_user_input(CRS_PRESETS.get(name.strip().lower(), name))
    except Exception as refusal:  # pyproj raises CRSError, a plain Exception subclass
        raise error("crs", N_("Hệ tọa độ không hợp lệ: %(crs)s"), crs=name) from refusal


# Area of the province's local metric CRS, used to measure overlaps and gaps in square metres.
METRIC_CRS = "EPSG:9207"

DEFAULT_VALIDITY: dict[str, tuple[dt.date, dt.date | None]] = {
    "province": (dt.date(2009, 6, 13), dt.date(2025, 6, 30)),
    "district": (dt.date(2009, 6, 13), dt.date(2025, 6, 30)),
    "commune": (dt.date(2025, 7, 1), None),
}


@dataclass
class ImportReport:
    """What an import did and found: unit counts, repairs, overlaps and gaps, in plain words."""

    level: str
    units: int = 0
    source_crs: str = ""
    repaired: list[str] = field(default_factory=list)
    overlap_m2: float = 0.0
    overlaps: list[tuple[str, str, float]] = field(default_factory=list)
    gap_m2: float = 0.0
    sites_rederived: int = 0

    def lines(self) -> list[str]:
        """The report as lines for a terminal."""
        out = [f"{self.units} {self.level} units imported from {self.source_crs}"]
        out += [f"repaired invalid geometry of unit {code}" for code in self.repaired]
        out.append(f"overlap between units: {self.overlap_m2:,.0f} m² in {len(self.overlaps)} pairs")
        out += [f"  {a} × {b}: {area:,.0f} m²" for a, b, area in self.overlaps]
        out.append(f"gaps inside the outline: {self.gap_m2:,.0f} m²")
        out.append(f"sites whose district and commune were derived again: {self.sites_rederived}")
        return out


def count_units(session: Session, level: str) -> int:
    """Number of administrative units of a level in the database."""
    return session.execute(text("SELECT count(*) FROM admin_unit WHERE level = :level"), {"level": level}).scalar_one()


def read_metadata(path: Path) -> dict[str, Any]:
    """The metadata file beside a shipped layer (source, method, licence, accuracy)."""
    meta_path = path.with_name(path.name.removesuffix(".geojson") + ".meta.json")
    return json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}


def load_shipped_layer(session: Session, layer: tuple[str, str]) -> int:
    """Load one shipped layer (if its file exists) in place of the units of its level."""
    filename, level = layer
    path = BOUNDARY_DIR / filename
    if not path.exists():
        return 0
    frame = gpd.read_file(path, engine="pyogrio")
    meta = read_metadata(path)
    accuracy = meta.get("accuracy", "")
    if not isinstance(accuracy, str):
        accuracy = json.dumps(accuracy, ensure_ascii=False)
    source = meta.get("source", filename)
    if not isinstance(source, str):
        source = json.dumps(source, ensure_ascii=False)
    report = ImportReport(level=level)
    _replace_units(session, frame, level, source=source, accuracy=accuracy,
                   approximate=bool(meta.get("approximate", True)), report=report)
    return report.units


def _as_multipolygon(geometry: BaseGeometry) -> MultiPolygon | None:
    """The polygonal part of a geometry as a MultiPolygon, or None when it has none."""
    if isinstance(geometry, MultiPolygon):
        return geometry
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    polygons = [g for g in getattr(geometry, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    parts = [p for g in polygons for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return MultiPolygon(parts) if parts else None


def _replace_units(session: Session, frame: gpd.GeoDataFrame, level: str, *, source: str, accuracy: str,
                   approximate: bool, report: ImportReport) -> None:
    """Swap the units of one level for those of frame, then derive every site's units again."""
    if frame.crs is None or CRS(frame.crs).to_epsg() != 4326:
        raise BoundaryImportError("crs", N_("Ranh giới phải ở EPSG:4326 trước khi ghi vào cơ sở dữ liệu"))
    session.execute(text("DELETE FROM admin_unit WHERE level = :level"), {"level": level})
    default_from, default_to = DEFAULT_VALIDITY[level]
    for row in frame.itertuples(index=False):
        valid_from = getattr(row, "valid_from", None) or default_from
        valid_to = getattr(row, "valid_to", None) if hasattr(row, "valid_to") else default_to
        session.execute(
            text("""INSERT INTO admin_unit (code, name, short_name, level, parent_code, valid_from, valid_to,
                                            geom, source, accuracy, is_approximate)
                    VALUES (:code, :name, :short_name, :level, :parent_code, :valid_from, :valid_to,
                            ST_Multi(ST_GeomFromWKB(:wkb, 4326)), :source, :accuracy, :approximate)"""),
            dict(code=str(row.code), name=row.name, short_name=getattr(row, "short_name", None) or row.name,
                 level=level, parent_code=getattr(row, "parent_code", None), valid_from=valid_from,
                 valid_to=valid_to or None, wkb=row.geometry.wkb, source=source, accuracy=accuracy,
                 approximate=approximate),
        )
        report.units += 1
    if level in ("district", "commune"):
        try:
            # Re-running the trigger on every site puts each in its unit of the new boundaries.
            result = session.execute(text("UPDATE site SET geom = geom"))
        except DBAPIError as error:
            if is_outside_province(error):
                raise BoundaryImportError("geometry", N_("Ranh giới mới để lại một điểm ngoài mọi đơn vị: %(point)s"),
                                      point=error.orig.diag.message_detail) from error
            raise
        report.sites_rederived = result.rowcount


def import_boundaries(session: Session, path: Path, *, level: str = "district", code_field: str = "code",
                      name_field: str = "name", crs: str | None = None, layer: str | None = None,
                      repair: bool = True, source: str | None = None) -> ImportReport:
    """Replace the units of a level with those of an official file; raises BoundaryImportError, changes nothing then."""
    if level not in ("district", "commune", "province"):
        raise BoundaryImportError("level", N_("Cấp hành chính không hợp lệ: %(level)s"), level=level)
    try:
        frame = gpd.read_file(path, engine="pyogrio", layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as error:
        raise BoundaryImportError("file", N_("Không đọc được tệp ranh giới: %(reason)s"), reason=str(error)) from error
    report = ImportReport(level=level)
    if crs:
        frame = frame.set_crs(read_crs(crs, BoundaryImportError), allow_override=True)
    elif frame.crs is None:
        raise BoundaryImportError("crs", N_("Tệp không khai báo hệ tọa độ (.prj); hãy chỉ rõ bằng --crs, "
                                            "ví dụ --crs vn2000-kien-giang"))
    report.source_crs = CRS(frame.crs).name
    for column in (code_field, name_field):
        if column not in frame.columns:
            raise BoundaryImportError(column, N_("Tệp không có trường %(column)s; các trường có: %(columns)s"),
                                      column=column, columns=", ".join(c for c in frame.columns if c != "geometry"))
    frame = frame.rename(columns={code_field: "code", name_field: "name"})
    frame["code"] = frame["code"].map(_clean_code)
    _check_codes(session, frame, level)
    frame = _repair_geometries(frame, repair, report)
    frame = frame.to_crs(4326)
    _measure_overlaps_and_gaps(frame, report)
    if level == "district":
        frame["parent_code"] = "91"
    _replace_units(session, frame[[c for c in ("code", "name", "short_name", "parent_code", "geometry")
                                   if c in frame.columns]],
                   level, source=source or f"{Path(path).name} (imported {dt.date.today():%d/%m/%Y})",
                   accuracy="official file as imported", approximate=False, report=report)
    return report


def _clean_code(value: Any) -> str:
    """A GSO code as text (files store them as numbers, sometimes with a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _check_codes(session: Session, frame: gpd.GeoDataFrame, level: str) -> None:
    """Refuse unknown, duplicate or missing codes: the new set must match the known list."""
    if level == "district":
        known = set(DISTRICT_CODES)
    else:
        known = set(session.execute(text("SELECT code FROM admin_unit WHERE level = :level"),
                                    {"level": level}).scalars())
    codes = list(frame["code"])
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise BoundaryImportError("code", N_("Mã đơn vị bị trùng: %(codes)s"), codes=", ".join(duplicates))
    if known:
        unknown = sorted(set(codes) - known)
        if unknown:
            raise BoundaryImportError("code", N_("Mã đơn vị không có trong danh mục: %(codes)s"),
                                      codes=", ".join(unknown))
        missing = sorted(known - set(codes))
        if missing:
            raise BoundaryImportError("code", N_("Tệp thiếu các đơn vị: %(codes)s"), codes=", ".join(missing))


def _repair_geometries(frame: gpd.GeoDataFrame, repair: bool, report: ImportReport) -> gpd.GeoDataFrame:
    """Repair invalid polygons with make_valid, or refuse them with the reason."""
    geometries = []
    for code, geometry in zip(frame["code"], frame.geometry):
        if geometry is None or geometry.is_empty:
            raise BoundaryImportError("geometry", N_("Đơn vị %(code)s không có hình học"), code=code)
        if not geometry.is_valid:
            if not repair:
                from shapely.validation import explain_validity

                raise BoundaryImportError("geometry", N_("Hình học của đơn vị %(code)s không hợp lệ: %(reason)s"),
                                          code=code, reason=explain_validity(geometry))
            geometry = make_valid(geometry)
            report.repaired.append(code)
        polygonal = _as_multipolygon(geometry)
        if polygonal is None or polygonal.area == 0:
            raise BoundaryImportError("geometry", N_("Đơn vị %(code)s không phải là vùng (polygon)"), code=code)
        geometries.append(polygonal)
    return frame.set_geometry(gpd.GeoSeries(geometries, crs=frame.crs, index=frame.index))


def _measure_overlaps_and_gaps(frame: gpd.GeoDataFrame, report: ImportReport) -> None:
    """Square metres where units overlap, and of holes inside their union."""
    metric = frame.to_crs(METRIC_CRS)
    tree = metric.sindex
    for i, j in zip(*tree.query(metric.geometry, predicate="intersects")):
        if i < j:
            area = metric.geometry.iloc[i].intersection(metric.geometry.iloc[j]).area
            if area > 1.0:
                report.overlaps.append((metric["code"].iloc[i], metric["code"].iloc[j], area))
    report.overlap_m2 = sum(area for _, _, area in report.overlaps)
    union = metric.geometry.union_all()
    polygons = union.geoms if isinstance(union, MultiPolygon) else [union]
    report.gap_m2 = sum(Polygon(ring).area for polygon in polygons for ring in polygon.interiors)


def units_geojson(session: Session, level: str = "district", *, simplify_m: float = 0.0) -> str:
    """The units of a level as GeoJSON text, built in SQL; simplified by simplify_m metres if asked."""
    # About 111 km per degree: enough to turn a tolerance in metres into one in degrees here.
    tolerance = simplify_m / 111_000.0
    return session.execute(
        text("""
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'features', coalesce(json_agg(json_build_object(
                'type', 'Feature',
                'id', code,
                'geometry', ST_AsGeoJSON(
                    CASE WHEN :tolerance > 0 THEN ST_SimplifyPreserveTopology(geom, :tolerance) ELSE geom END,
                    6)::json,
                'properties', json_build_object(
                    'code', code, 'name', name, 'short_name', short_name, 'level', level,
                    'parent_code', parent_code,
                    'valid_from', to_char(valid_from, 'YYYY-MM-DD'),
                    'valid_to', to_char(valid_to, 'YYYY-MM-DD'),
                    'is_approximate', is_approximate, 'source', source, 'accuracy', accuracy)
            ) ORDER BY code), '[]'::json)
        )::text
        FROM admin_unit WHERE level = :level
        """),
        {"level": level, "tolerance": tolerance},
    ).scalar_one()


def unit_name(session: Session, code: str | None) -> str | None:
    """The short name of a district or commune by its code (the newest unit with that code)."""
    if not code:
        return None
    return session.execute(text("""SELECT short_name FROM admin_unit WHERE code = :code
                                   ORDER BY valid_from DESC LIMIT 1"""), {"code": code}).scalar()


def units_features(session: Session, level: str = "district", *, simplify_m: float = 0.0) -> dict[str, Any]:
    """The units of a level as a GeoJSON FeatureCollection (a dict), for a caller that adds properties."""
    return json.loads(units_geojson(session, level, simplify_m=simplify_m))


def units_page(session: Session, level: str, *, bbox: tuple[float, float, float, float] | None = None,
               limit: int = 1000, offset: int = 0) -> dict[str, Any]:
    """A page of the units of a level (those meeting bbox, in code order) with numberMatched and numberReturned."""
    features = units_features(session, level)["features"]
    if bbox:
        codes = set(session.execute(text("""
            SELECT code FROM admin_unit WHERE level = :level
              AND ST_Intersects(geom, ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326))"""),
            {"level": level, "x0": bbox[0], "y0": bbox[1], "x1": bbox[2], "y1": bbox[3]}).scalars())
        features = [f for f in features if f["id"] in codes]
    page = features[offset:offset + limit]
    return {"type": "FeatureCollection", "numberMatched": len(features), "numberReturned": len(page),
            "features": page}


def unit_feature(session: Session, level: str, code: str) -> dict[str, Any] | None:
    """One unit of a level as a GeoJSON Feature, or None."""
    return next((f for f in units_features(session, level)["features"] if f["id"] == code), None)
