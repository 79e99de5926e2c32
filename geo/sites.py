"""Sites: load the seed records, and query approved sites as GeoJSON built in SQL."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from geo.catalogue import CATEGORY_CODES, PLAN_TASK_CODES, STATUSES
from geo.errors import N_, BadParameter, OutsideProvince

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "data" / "sites" / "kien-giang-sites-sample.geojson"

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 1_000


def count_sites(session: Session) -> int:
    """Number of sites in the database, deleted ones included."""
    return session.execute(text("SELECT count(*) FROM site")).scalar_one()


def translate_db_error(error: DBAPIError) -> Exception:
    """The domain error behind a trigger's refusal, or the error itself."""
    code = getattr(error.orig, "pgcode", None)
    if code == "SC001":
        return OutsideProvince("location", N_("Vị trí %(point)s nằm ngoài tỉnh Kiên Giang (xa hơn 2 km so với "
                                              "ranh giới huyện gần nhất)"),
                               point=error.orig.diag.message_detail)
    if code == "SC002":
        return BadParameter("location", N_("Thiếu vị trí"))
    if code == "SC003":
        return BadParameter("location", N_("Vị trí phải ở hệ tọa độ EPSG:4326"))
    return error


def insert_site(session: Session, record: dict[str, Any]) -> int:
    """Insert one site from a plain record (lon/lat in EPSG:4326); the database sets its district."""
    params = {
        "ref": record.get("ref"), "name": record["name"], "name_en": record.get("name_en"),
        "category_code": record["category"], "status": record["status"],
        "lon": float(record["lon"]), "lat": float(record["lat"]),
        "location_precision": record.get("location_precision") or "exact",
        "ward_code": record.get("ward_code"), "address": record.get("address"),
        "plan_task": record["plan_task"], "lead_agency": record["lead_agency"],
        "start_date": record.get("start_date"), "end_date": record.get("end_date"),
        "measures": json.dumps(record.get("measures") or {}, ensure_ascii=False),
        "description": record.get("description"), "source": record["source"],
        "is_sample": bool(record.get("is_sample", False)),
        "moderation": record.get("moderation", "draft"),
        "created_by": record.get("created_by"),
    }
    try:
        with session.begin_nested():
            return session.execute(text("""
                INSERT INTO site (ref, name, name_en, category_code, status, geom, location_precision, ward_code,
                                  address, plan_task, lead_agency, start_date, end_date, measures, description,
                                  source, is_sample, moderation, created_by, updated_by)
                VALUES (:ref, :name, :name_en, :category_code, :status,
                        ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :location_precision, :ward_code,
                        :address, :plan_task, :lead_agency, :start_date, :end_date, CAST(:measures AS jsonb),
                        :description, :source, :is_sample, :moderation, :created_by, :created_by)
                RETURNING id"""), params).scalar_one()
    except DBAPIError as error:
        raise translate_db_error(error) from error


def load_seed_sites(session: Session, path: Path) -> int:
    """Load the shipped seed sites as approved sample records; returns how many."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"][:2]
        record = dict(feature["properties"], lon=lon, lat=lat, moderation="approved")
        insert_site(session, record)
    return len(collection["features"])


@dataclass
class SiteFilters:
    """The filters of the site queries, already checked."""

    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    plan_tasks: tuple[str, ...] = ()
    lead_agency: str | None = None
    year: int | None = None
    start_year: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    after_id: int | None = None  # cursor: sites with a larger id


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _choices(name: str, value: str | None, allowed: tuple[str, ...]) -> tuple[str, ...]:
    chosen = _split(value)
    wrong = [v for v in chosen if v not in allowed]
    if wrong:
        raise BadParameter(name, N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                           values=", ".join(wrong), allowed=", ".join(allowed))
    return chosen


def _integer(name: str, value: str | None, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise BadParameter(name, N_("Phải là số nguyên, nhận được “%(value)s”"), value=value) from None
    if not low <= number <= high:
        raise BadParameter(name, N_("Phải nằm trong khoảng %(low)s–%(high)s"), low=low, high=high)
    return number


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """A bbox 'minLon,minLat,maxLon,maxLat' in degrees, checked."""
    if not value:
        return None
    parts = value.split(",")
    try:
        numbers = tuple(float(p) for p in parts)
    except ValueError:
        raise BadParameter("bbox", N_("Phải là bốn số: kinh độ tối thiểu, vĩ độ tối thiểu, kinh độ tối đa, "
                                      "vĩ độ tối đa")) from None
    if len(numbers) != 4 or any(n != n for n in numbers):
        raise BadParameter("bbox", N_("Phải là bốn số: kinh độ tối thiểu, vĩ độ tối thiểu, kinh độ tối đa, "
                                      "vĩ độ tối đa"))
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180 and -90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise BadParameter("bbox", N_("Tọa độ ngoài phạm vi kinh độ ±180, vĩ độ ±90"))
    if min_lon > max_lon or min_lat > max_lat:
        raise BadParameter("bbox", N_("Giá trị tối thiểu phải nhỏ hơn giá trị tối đa"))
    return min_lon, min_lat, max_lon, max_lat


def parse_filters(args: dict[str, str], known_districts: tuple[str, ...] = (),
                  known_communes: tuple[str, ...] = ()) -> SiteFilters:
    """Check the query parameters of a site query; raises BadParameter naming the one at fault."""
    known_parameters = {"category", "status", "district", "commune", "plan_task", "lead_agency", "year",
                        "start_year", "bbox", "limit", "offset", "cursor", "lang", "f"}
    for name in args:
        if name not in known_parameters:
            raise BadParameter(name, N_("Tham số không được hỗ trợ; các tham số có: %(names)s"),
                               names=", ".join(sorted(known_parameters)))
    cursor = args.get("cursor")
    return SiteFilters(
        categories=_choices("category", args.get("category"), CATEGORY_CODES),
        statuses=_choices("status", args.get("status"), STATUSES),
        districts=_choices("district", args.get("district"), known_districts) if known_districts
        else _split(args.get("district")),
        communes=_choices("commune", args.get("commune"), known_communes) if known_communes
        else _split(args.get("commune")),
        plan_tasks=_choices("plan_task", args.get("plan_task"), PLAN_TASK_CODES),
        lead_agency=(args.get("lead_agency") or "").strip() or None,
        year=_integer("year", args.get("year"), 2000, 2100),
        start_year=_integer("start_year", args.get("start_year"), 2000, 2100),
        bbox=parse_bbox(args.get("bbox")),
        limit=_integer("limit", args.get("limit"), 1, MAX_LIMIT) or DEFAULT_LIMIT,
        offset=_integer("offset", args.get("offset"), 0, 10**9) or 0,
        after_id=_integer("cursor", cursor, 0, 2**31 - 1) if cursor else None,
    )


# Columns a public feature carries: no staff names, no personal data.
_FEATURE_SQL = """
json_build_object(
    'type', 'Feature',
    'id', s.id,
    'geometry', ST_AsGeoJSON(s.geom, 6)::json,
    'properties', json_build_object(
        'id', s.id, 'ref', s.ref, 'name', s.name, 'name_en', s.name_en,
        'category', s.category_code, 'category_name_vi', c.name_vi, 'category_name_en', c.name_en,
        'colour', c.colour, 'icon', c.icon,
        'status', s.status, 'district_code', s.district_code, 'district_name', d.short_name,
        'commune_code', s.commune_code, 'commune_name', m.short_name,
        'plan_task', s.plan_task, 'lead_agency', s.lead_agency, 'address', s.address,
        'location_precision', s.location_precision,
        'start_date', to_char(s.start_date, 'YYYY-MM-DD'), 'end_date', to_char(s.end_date, 'YYYY-MM-DD'),
        'measures', s.measures, 'description', s.description, 'source', s.source, 'is_sample', s.is_sample,
        'version', s.version, 'updated_at', to_char(s.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    )
)"""


def _where(filters: SiteFilters) -> tuple[str, dict[str, Any]]:
    """The WHERE clause and parameters of the public site query (approved, not deleted)."""
    clauses = ["s.moderation = 'approved'", "s.deleted_at IS NULL"]
    params: dict[str, Any] = {}
    for column, name, values in (("s.category_code", "categories", filters.categories),
                                 ("s.status", "statuses", filters.statuses),
                                 ("s.district_code", "districts", filters.districts),
                                 ("s.commune_code", "communes", filters.communes),
                                 ("s.plan_task", "plan_tasks", filters.plan_tasks)):
        if values:
            clauses.append(f"{column} = ANY(:{name})")
            params[name] = list(values)
    if filters.lead_agency:
        clauses.append("s.lead_agency = :lead_agency")
        params["lead_agency"] = filters.lead_agency
    if filters.year is not None:
        # A site counts for a year when it had started by the year's end and had not ended before it began.
        clauses.append("(s.start_date IS NULL OR s.start_date <= make_date(:year, 12, 31))")
        clauses.append("(s.end_date IS NULL OR s.end_date >= make_date(:year, 1, 1))")
        params["year"] = filters.year
    if filters.start_year is not None:
        clauses.append("extract(year FROM s.start_date) = :start_year")
        params["start_year"] = filters.start_year
    if filters.bbox:
        clauses.append("s.geom && ST_MakeEnvelope(:min_lon, :min_lat, :max_lon, :max_lat, 4326)")
        params.update(zip(("min_lon", "min_lat", "max_lon", "max_lat"), filters.bbox))
    return " AND ".join(clauses), params


def sites_geojson(session: Session, filters: SiteFilters) -> str:
    """Approved sites matching filters as a GeoJSON FeatureCollection (text), built in SQL, ordered by id."""
    where, params = _where(filters)
    page_where = where + (" AND s.id > :after_id" if filters.after_id is not None else "")
    params.update(limit=filters.limit, offset=filters.offset, after_id=filters.after_id)
    return session.execute(text(f"""
        WITH matched AS (
            SELECT count(*) AS total FROM site s WHERE {where}
        ), page AS (
            SELECT s.* FROM site s WHERE {page_where}
            ORDER BY s.id LIMIT :limit OFFSET :offset
        )
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'numberMatched', (SELECT total FROM matched),
            'numberReturned', (SELECT count(*) FROM page),
            'timeStamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'features', coalesce((
                SELECT json_agg({_FEATURE_SQL} ORDER BY s.id)
                FROM page s
                JOIN category c ON c.code = s.category_code
                LEFT JOIN admin_unit d ON d.level = 'district' AND d.code = s.district_code
                LEFT JOIN admin_unit m ON m.level = 'commune' AND m.code = s.commune_code
            ), '[]'::json),
            'lastId', (SELECT max(id) FROM page)
        )::text"""), params).scalar_one()  # noqa: S608 - the f-string joins fixed SQL fragments only


def known_unit_codes(session: Session, level: str) -> tuple[str, ...]:
    """Codes of the administrative units of a level, for checking filter values."""
    return tuple(session.execute(text("SELECT code FROM admin_unit WHERE level = :level ORDER BY code"),
                                 {"level": level}).scalars())
