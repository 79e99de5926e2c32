"""Hand-entered values of the indicators the sites cannot tell (the cut in material and fuel use by sector):
entering them with a version check, their history, and reading a year's values."""
from __future__ import annotations

import json
from typing import Any, Mapping

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.catalogue import FIRST_YEAR, LAST_YEAR
from geo.errors import N_, BadParameter, Conflict
from geo.plan import IndicatorSpec, check_choice, number, spec_of
from geo.site_query import level_of

def by_unit(session: Session, spec: IndicatorSpec, year: int) -> dict[str, dict[str, dict[str, Any]]]:
    """Hand-entered values of a year by unit code and sector, with who reported them and when."""
    rows = session.execute(text("""
        SELECT v.id, v.unit_code, v.sector, v.value, v.note, v.version, v.reported_at,
               u.username AS reported_by
        FROM indicator_value v LEFT JOIN app_user u ON u.id = v.reported_by
        WHERE v.indicator_code = :code AND v.year = :year
        ORDER BY v.unit_code, v.sector"""), {"code": spec.code, "year": year}).mappings()
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["unit_code"], {})[row["sector"]] = {
            "id": row["id"], "value": number(row["value"]), "numerator": None, "denominator": None,
            "note": row["note"], "version": row["version"], "reported_by": row["reported_by"],
            "reported_at": row["reported_at"].isoformat() if row["reported_at"] else None,
        }
    return out


def unit_figure(values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A unit's figure from its sectors: the smallest cut reported, since the target holds in each sector."""
    reported = [v["value"] for v in values.values() if v["value"] is not None]
    return {"value": min(reported) if reported else None, "numerator": None, "denominator": None,
            "sites": None, "sectors_reported": len(reported)}


def _snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    """What the history keeps of a value."""
    return {"value": None if row["value"] is None else float(row["value"]), "note": row["note"],
            "reported_by": row["reported_by"], "reported_at": row["reported_at"].isoformat(),
            "version": row["version"]}


def record_manual_value(session: Session, code: str, unit_code: str, year: int, value: float | None, *,
                        sector: str = "", reported_by: int | None, note: str | None = None,
                        expected_version: int | None = None) -> dict[str, Any]:
    """Enter or change a hand-entered value; a change must name the version it read (else Conflict) and is
    kept in the history in the same transaction (the caller's)."""
    spec = spec_of(code)
    if spec.kind != "manual":
        raise BadParameter("indicator", N_("Chỉ tiêu %(code)s được tính từ các điểm, không nhập tay"), code=code)
    if spec.breakdown_keys:
        check_choice("sector", sector, spec.breakdown_keys)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadParameter("year", N_("Phải nằm trong khoảng %(low)s–%(high)s"), low=FIRST_YEAR, high=LAST_YEAR)
    if value is not None and not -100 <= value <= 100:
        raise BadParameter("value", N_("Phải nằm trong khoảng %(low)s–%(high)s"), low=-100, high=100)
    level_of(session, unit_code)
    key = {"code": code, "unit_code": unit_code, "year": year, "sector": sector}
    current = session.execute(text("""
        SELECT id, value, note, reported_by, reported_at, version FROM indicator_value
        WHERE indicator_code = :code AND unit_code = :unit_code AND year = :year AND sector = :sector
        FOR UPDATE"""), key).mappings().first()
    if current is None:
        if expected_version not in (None, 0):
            raise Conflict("version", N_("Giá trị này chưa có hoặc đã bị xoá; hãy tải lại"))
        row = session.execute(text("""
            INSERT INTO indicator_value (indicator_code, unit_code, year, sector, value, reported_by, note)
            VALUES (:code, :unit_code, :year, :sector, :value, :reported_by, :note)
            ON CONFLICT (indicator_code, unit_code, year, sector) DO NOTHING
            RETURNING id, value, note, reported_by, reported_at, version"""),
            {**key, "value": value, "reported_by": reported_by, "note": note}).mappings().first()
        if row is None:  # someone else entered it between our read and our write
            raise Conflict("version", N_("Người khác vừa nhập giá trị này; hãy tải lại"))
        before = None
    else:
        if expected_version != current["version"]:
            raise Conflict("version", N_("Giá trị đã được sửa (phiên bản %(current)s, bạn gửi %(sent)s); hãy "
                                         "tải lại"), current=current["version"], sent=expected_version)
        row = session.execute(text("""
            UPDATE indicator_value SET value = :value, note = :note, reported_by = :reported_by,
                   reported_at = now(), version = version + 1
            WHERE id = :id AND version = :version
            RETURNING id, value, note, reported_by, reported_at, version"""),
            {"id": current["id"], "version": current["version"], "value": value, "note": note,
             "reported_by": reported_by}).mappings().first()
        before = _snapshot(current)
    after = _snapshot(row)
    session.execute(text("""
        INSERT INTO indicator_value_history (indicator_value_id, changed_by, before, after)
        VALUES (:id, :changed_by, CAST(:before AS jsonb), CAST(:after AS jsonb))"""),
        {"id": row["id"], "changed_by": reported_by, "before": _json(before), "after": _json(after)})
    return {"id": row["id"], "indicator": code, "unit_code": unit_code, "year": year, "sector": sector, **after}


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def manual_value_history(session: Session, code: str, unit_code: str, year: int, sector: str = ""
                         ) -> list[dict[str, Any]]:
    """Every change to a hand-entered value, oldest first: who, when, before, after."""
    rows = session.execute(text("""
        SELECT h.changed_at, u.username AS changed_by, h.before, h.after
        FROM indicator_value_history h
        JOIN indicator_value v ON v.id = h.indicator_value_id
        LEFT JOIN app_user u ON u.id = h.changed_by
        WHERE v.indicator_code = :code AND v.unit_code = :unit_code AND v.year = :year AND v.sector = :sector
        ORDER BY h.changed_at, h.id"""), {"code": code, "unit_code": unit_code, "year": year, "sector": sector})
    return [dict(row._mapping) for row in rows]

