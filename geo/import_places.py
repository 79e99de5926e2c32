"""Where the rows of an import lie, checked in one query: the province, the person's area, a site of the same
name nearby, and the district or commune a row names against the one its coordinates fall in."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.accounts import Actor
from geo.catalogue import unit_key
from geo.errors import N_

DUPLICATE_METRES = 50
# Degrees that hold DUPLICATE_METRES anywhere in the province (a degree of longitude is 109 km at 11° N): the
# index on geom finds candidates within them, then the distance on the sphere decides.
_DUPLICATE_DEGREES = 0.001
Problem = tuple[str, str, dict[str, Any]]
LEVEL_NAMES = {"district": N_("huyện"), "commune": N_("xã, phường")}

# The nearby site of the same name: ST_DWithin on geom in degrees uses its GiST index; the ::geography cast of
# the exact check alone would not (EXPLAIN in README's import section).
PLACES_SQL = text("""
    SELECT scp_unit_at('district', q.p) AS district, scp_unit_at('commune', q.p) AS commune,
           (SELECT s.id FROM site s
             WHERE ST_DWithin(s.geom, q.p, :degrees) AND s.deleted_at IS NULL AND lower(s.name) = lower(q.name)
               AND ST_DWithin(s.geom::geography, q.p::geography, :metres)
             ORDER BY s.id LIMIT 1) AS duplicate
    FROM (SELECT t.n, t.name, ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326) AS p
          FROM unnest(CAST(:names AS text[]), CAST(:lons AS float8[]), CAST(:lats AS float8[]))
               WITH ORDINALITY AS t(name, lon, lat, n)) q
    ORDER BY q.n""")


def unit_names(session: Session) -> dict[str, dict[str, set[str]]]:
    """For each level, the codes each written form of a unit's name may mean (by unit_key), its code included."""
    names: dict[str, dict[str, set[str]]] = {"district": defaultdict(set), "commune": defaultdict(set)}
    for row in session.execute(text("SELECT code, name, short_name, level FROM admin_unit "
                                    "WHERE level IN ('district', 'commune')")):
        for spelling in (row.code, row.name, row.short_name):
            if spelling:
                names[row.level][unit_key(spelling)].add(row.code)
    return names


def _unit_problems(level: str, typed: Any, found: str | None, names: dict[str, set[str]],
                   shown: dict[str, str]) -> list[Problem]:
    """A district or commune column's value against the unit the coordinates fall in."""
    if typed in (None, "") or found is None:
        return []
    codes = names.get(unit_key(typed))
    if not codes:
        return [(level, N_("Không có %(level)s “%(value)s” trong danh mục đơn vị hành chính"),
                 {"level": LEVEL_NAMES[level], "value": typed})]
    if found not in codes:
        return [(level, N_("%(value)s không khớp với vị trí: tọa độ nằm ở %(found)s; kiểm tra tọa độ hoặc tên"),
                 {"value": typed, "found": shown.get(found, found)})]
    return []


def place_problems(session: Session, actor: Actor, records: list[dict[str, Any]],
                   units: list[dict[str, Any]]) -> list[list[Problem]]:
    """For each record: outside the province, outside the person's area, a site of the same name within 50 m, and
    the district and commune its row names (units, by level) if they contradict its coordinates."""
    if not records:
        return []
    found = session.execute(PLACES_SQL, {
        "names": [r["name"] for r in records], "lons": [float(r["lon"]) for r in records],
        "lats": [float(r["lat"]) for r in records], "metres": DUPLICATE_METRES,
        "degrees": _DUPLICATE_DEGREES}).all()
    names = unit_names(session) if any(v not in (None, "") for u in units for v in u.values()) else {}
    shown = dict(session.execute(text("SELECT code, name FROM admin_unit")).all()) if names else {}
    result = []
    for place, typed in zip(found, units):
        problems: list[Problem] = []
        if place.district is None:
            problems.append(("lon", N_("Vị trí nằm ngoài tỉnh Kiên Giang"), {}))
        elif actor.role == "district_staff" and actor.area_code not in (place.district, place.commune):
            problems.append(("lon", N_("Vị trí nằm ngoài địa bàn được giao cho bạn (%(unit)s)"),
                             {"unit": actor.area_code}))
        if place.duplicate is not None:
            problems.append(("name", N_("Trùng với điểm số %(id)s cùng tên trong vòng %(m)s m"),
                             {"id": place.duplicate, "m": DUPLICATE_METRES}))
        for level in ("district", "commune"):
            problems += _unit_problems(level, typed.get(level), getattr(place, level), names.get(level, {}), shown)
        result.append(problems)
    return result
