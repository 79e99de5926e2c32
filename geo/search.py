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
# The most matching sites ranked for one query: a word as common as a category's name ("điểm") matches most of a
# million sites, and ranking them all would hold the request for seconds; the first 500 found are ranked.
SITE_CANDIDATES = 500


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


MAX_WORDS = 8


def _words(q: str) -> list[str]:
    """The typed words (at most MAX_WORDS), each to be found somewhere in what describes a result."""
    return q.split()[:MAX_WORDS]


def _site_word_clause(index: int) -> str:
    """SQL: word number index lies in the site's name or address, or names its category, district or commune.
    Each arm has an index of its own (trigram, or the code's b-tree), so PostgreSQL combines them as bitmaps
    instead of reading every site."""
    return (f"(scp_fold(s.name) LIKE :like_{index} OR scp_fold(coalesce(s.address, '')) LIKE :like_{index} "
            f"OR s.category_code = ANY(:categories_{index}) OR s.district_code = ANY(:units_{index}) "
            f"OR s.commune_code = ANY(:units_{index}))")


def _word_codes(session: Session, words: list[str]) -> list[Any]:
    """For each word: its folded form, and the categories and units (districts, communes) whose name holds it."""
    return session.execute(text("""
        SELECT scp_fold(w.word) AS folded,
               ARRAY(SELECT c.code FROM category c
                     WHERE scp_fold(c.name_vi || ' ' || c.name_en) LIKE '%' || scp_fold(w.word) || '%') AS categories,
               ARRAY(SELECT u.code FROM admin_unit u WHERE u.level IN ('district', 'commune')
                       AND scp_fold(u.name) LIKE '%' || scp_fold(w.word) || '%') AS units
        FROM unnest(CAST(:words AS text[])) WITH ORDINALITY AS w(word, n) ORDER BY w.n"""), {"words": words}).all()


def search(session: Session, q: str, *, lang: str = "vi") -> list[dict[str, Any]]:
    """Published sites and units holding every typed word, accents and case ignored, best first. A site's words
    are its name, address, category, district and commune ("làng nghề Phú Quốc" finds the craft villages of
    Phú Quốc); a unit's are its name and its district's.

    Each result: kind (site / district / commune / ward), id or code, name, where (the unit it lies in), lat, lon,
    and bounds [[south, west], [north, east]] for a unit.
    """
    q = check_query(q)
    words = _words(q)
    params: dict[str, Any] = {"q": q, "lang": lang, "n": MAX_RESULTS, "words": words, "candidates": SITE_CANDIDATES}
    for index, word in enumerate(_word_codes(session, words)):
        # The folded word goes in as text: PostgreSQL sees a constant pattern and can use the trigram indexes.
        params.update({f"like_{index}": f"%{word.folded}%", f"categories_{index}": list(word.categories),
                       f"units_{index}": list(word.units)})
    site_words = " AND ".join(_site_word_clause(index) for index in range(len(words)))
    wards = json.dumps([{"code": w["code"], "name": w["name"], "district": w["district_name"],
                         "lat": float(w["lat"]), "lon": float(w["lon"])} for w in legacy_wards()], ensure_ascii=False)
    rows = session.execute(text(f"""
        WITH typed AS (SELECT scp_fold(:q) AS q,
                              ARRAY(SELECT '%' || scp_fold(w) || '%' FROM unnest(CAST(:words AS text[])) w) AS likes),
        sites AS (
            SELECT 'site' AS kind, s.id::text AS code,
                   CASE WHEN :lang = 'en' THEN coalesce(s.name_en, s.name) ELSE s.name END AS name,
                   concat_ws(', ', nullif(s.address, ''), d.short_name) AS place,
                   ST_Y(s.geom) AS lat, ST_X(s.geom) AS lon, NULL::float8[] AS box,
                   greatest(word_similarity(typed.q, scp_fold(s.name)),
                            word_similarity(typed.q, scp_fold(coalesce(s.address, ''))) - 0.1) AS score
            FROM site s CROSS JOIN typed
            LEFT JOIN admin_unit d ON d.code = s.district_code AND d.level = 'district'
            WHERE {published("s")} AND {site_words}
            LIMIT :candidates
        ),
        units AS (
            SELECT u.level AS kind, u.code, u.name, p.short_name AS place,
                   ST_Y(ST_PointOnSurface(u.geom)) AS lat, ST_X(ST_PointOnSurface(u.geom)) AS lon,
                   ARRAY[ST_YMin(u.geom), ST_XMin(u.geom), ST_YMax(u.geom), ST_XMax(u.geom)] AS box,
                   word_similarity(typed.q, scp_fold(u.name)) + 0.05 AS score
            FROM admin_unit u CROSS JOIN typed
            LEFT JOIN admin_unit p ON p.code = u.parent_code AND p.level = 'district'
            WHERE u.level IN ('district', 'commune')
              AND scp_fold(u.name || ' ' || coalesce(p.name, '')) LIKE ALL (typed.likes)
        ),
        wards AS (
            SELECT 'ward' AS kind, w.code, w.name, w.district AS place, w.lat, w.lon, NULL::float8[] AS box,
                   word_similarity(typed.q, scp_fold(w.name)) AS score
            FROM jsonb_to_recordset(CAST(:wards AS jsonb)) AS w(code text, name text, district text,
                                                                 lat float8, lon float8)
            CROSS JOIN typed
            WHERE scp_fold(w.name || ' ' || w.district) LIKE ALL (typed.likes)
        )
        SELECT * FROM (SELECT * FROM units UNION ALL SELECT * FROM wards UNION ALL SELECT * FROM sites) found
        ORDER BY score DESC, name LIMIT :n"""), {**params, "wards": wards}).mappings()
    results = []
    for row in rows:
        item = {"kind": row["kind"], "code": row["code"], "name": row["name"], "where": row["place"],
                "lat": round(row["lat"], 6), "lon": round(row["lon"], 6)}
        if row["box"]:
            item["bounds"] = _corners(*row["box"])
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
    return _corners(*box)


def units_bounds(session: Session, level: str) -> dict[str, list[list[float]]]:
    """[[south, west], [north, east]] of every unit of a level, by code, in one query."""
    rows = session.execute(text("""
        SELECT code, ST_YMin(e), ST_XMin(e), ST_YMax(e), ST_XMax(e)
        FROM (SELECT code, ST_Extent(geom)::geometry AS e FROM admin_unit WHERE level = :level GROUP BY code) x"""),
        {"level": level})
    return {code: _corners(*box) for code, *box in rows}


def _corners(south: float, west: float, north: float, east: float) -> list[list[float]]:
    return [[round(south, 5), round(west, 5)], [round(north, 5), round(east, 5)]]
