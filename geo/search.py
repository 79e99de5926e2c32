"""Finding a place by what people type: published sites (name, address) and units (districts, communes of
2025, wards of 2009–2025) by name, whatever the accents; and the extent of a unit to zoom a map to."""
from __future__ import annotations

import csv
import functools
import json
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.errors import N_, BadParameter, NotFound
from geo.site_query import published

WARDS_FILE = Path(__file__).resolve().parent.parent / "data" / "boundaries" / "kien-giang-wards-2020.csv"
MIN_QUERY, MAX_QUERY, MAX_RESULTS = 2, 100, 12


@functools.cache
def legacy_wards() -> tuple[dict[str, str], ...]:
    """The 143 wards and communes of 2009–2025 with their centres (read once per process)."""
    with open(WARDS_FILE, encoding="utf-8") as f:
        return tuple(csv.DictReader(f))


def check_query(q: str | None) -> str:
    """The typed text, trimmed; BadParameter naming q when it is too short or too long."""
    q = " ".join((q or "").split())
    if not MIN_QUERY <= len(q) <= MAX_QUERY:
        raise BadParameter("q", N_("Hãy gõ từ %(low)s đến %(high)s ký tự"), low=MIN_QUERY, high=MAX_QUERY)
    return q


def search(session: Session, q: str, *, lang: str = "vi") -> list[dict[str, Any]]:
    """Published sites and units whose name (or a site's address) holds q, accents and case ignored, best first.

    Each result: kind (site / district / commune / ward), id or code, name, where (the unit it lies in), lat, lon,
    and bounds [[south, west], [north, east]] for a unit.
    """
    q = check_query(q)
    wards = json.dumps([{"code": w["code"], "name": w["name"], "district": w["district_name"],
                         "lat": float(w["lat"]), "lon": float(w["lon"])} for w in legacy_wards()], ensure_ascii=False)
    rows = session.execute(text(f"""
        WITH typed AS (SELECT scp_fold(:q) AS q),
        sites AS (
            SELECT 'site' AS kind, s.id::text AS code,
                   CASE WHEN :lang = 'en' THEN coalesce(s.name_en, s.name) ELSE s.name END AS name,
                   concat_ws(', ', nullif(s.address, ''), d.short_name) AS place,
                   ST_Y(s.geom) AS lat, ST_X(s.geom) AS lon, NULL::float8[] AS box,
                   greatest(word_similarity(typed.q, scp_fold(s.name)),
                            word_similarity(typed.q, scp_fold(coalesce(s.address, ''))) - 0.1) AS score
            FROM site s CROSS JOIN typed
            LEFT JOIN admin_unit d ON d.code = s.district_code AND d.level = 'district'
            WHERE {published("s")}
              AND (scp_fold(s.name) LIKE '%' || typed.q || '%'
                   OR scp_fold(coalesce(s.address, '')) LIKE '%' || typed.q || '%')
        ),
        units AS (
            SELECT u.level AS kind, u.code, u.name, p.short_name AS place,
                   ST_Y(ST_PointOnSurface(u.geom)) AS lat, ST_X(ST_PointOnSurface(u.geom)) AS lon,
                   ARRAY[ST_YMin(u.geom), ST_XMin(u.geom), ST_YMax(u.geom), ST_XMax(u.geom)] AS box,
                   word_similarity(typed.q, scp_fold(u.name)) + 0.05 AS score
            FROM admin_unit u CROSS JOIN typed
            LEFT JOIN admin_unit p ON p.code = u.parent_code AND p.level = 'district'
            WHERE u.level IN ('district', 'commune') AND scp_fold(u.name) LIKE '%' || typed.q || '%'
        ),
        wards AS (
            SELECT 'ward' AS kind, w.code, w.name, w.district AS place, w.lat, w.lon, NULL::float8[] AS box,
                   word_similarity(typed.q, scp_fold(w.name)) AS score
            FROM jsonb_to_recordset(CAST(:wards AS jsonb)) AS w(code text, name text, district text,
                                                                 lat float8, lon float8)
            CROSS JOIN typed
            WHERE scp_fold(w.name) LIKE '%' || typed.q || '%'
        )
        SELECT * FROM (SELECT * FROM units UNION ALL SELECT * FROM wards UNION ALL SELECT * FROM sites) found
        ORDER BY score DESC, name LIMIT :n"""), {"q": q, "lang": lang, "wards": wards, "n": MAX_RESULTS}).mappings()
    results = []
    for row in rows:
        item = {"kind": row["kind"], "code": row["code"], "name": row["name"], "where": row["place"],
                "lat": round(row["lat"], 6), "lon": round(row["lon"], 6)}
        if row["box"]:
            s, w, n, e = row["box"]
            item["bounds"] = [[round(s, 5), round(w, 5)], [round(n, 5), round(e, 5)]]
        results.append(item)
    return results


def unit_bounds(session: Session, code: str | None = None) -> list[list[float]]:
    """[[south, west], [north, east]] of a district or commune, or of the whole province when code is None."""
    box = session.execute(text("""
        SELECT ST_YMin(e), ST_XMin(e), ST_YMax(e), ST_XMax(e)
        FROM (SELECT ST_Extent(geom)::geometry AS e FROM admin_unit
              WHERE CASE WHEN CAST(:code AS text) IS NULL THEN level = 'district' ELSE code = :code END) x"""),
        {"code": code}).one()
    if box[0] is None:
        raise NotFound("district", N_("Không có đơn vị hành chính mã %(code)s"), code=code)
    return [[round(box[0], 5), round(box[1], 5)], [round(box[2], 5), round(box[3], 5)]]
