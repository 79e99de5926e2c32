"""Hand-entered values of the indicators the sites cannot tell (the cut in material and fuel use by sector):
entering them with a version check, their history, and reading a year's values."""
from __future__ import annotations

import json
from typing import Any, Mapping

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.catalogue import FIRST_YEAR, LAST_YEAR
from geo.errors import N_, BadParameter, Conflict, DomainError, InvalidRecord
from geo.plan import IndicatorSpec, check_choice, number, spec_of
from geo.reading import Unreadable, read_number
from geo.site_query import level_of

def by_unit(session: Session, spec: IndicatorSpec, year: int) -> dict[str, dict[str, dict[str, Any]]]:
    """Hand-entered values of a year by unit code and sector, with who reported them and when."""
    return by_years(session, spec, year, year)[year]


def by_years(session: Session, spec: IndicatorSpec, first_year: int, last_year: int
             ) -> dict[int, dict[str, dict[str, dict[str, Any]]]]:
    """Hand-entered values of every year first..last by year, unit code and sector, in one statement."""
    rows = session.execute(text("""
        SELECT v.id, v.year, v.unit_code, v.sector, v.value, v.note, v.version, v.reported_at,
               u.username AS reported_by
        FROM indicator_value v LEFT JOIN app_user u ON u.id = v.reported_by
        WHERE v.indicator_code = :code AND v.year BETWEEN :first AND :last
        ORDER BY v.year, v.unit_code, v.sector"""),
        {"code": spec.code, "first": first_year, "last": last_year}).mappings()
    out: dict[int, dict[str, dict[str, dict[str, Any]]]] = {year: {} for year in range(first_year, last_year + 1)}
    for row in rows:
        out[row["year"]].setdefault(row["unit_code"], {})[row["sector"]] = {
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


def read_value(raw: Any, locale: str | None = None) -> float | None:
    """A typed figure read by geo.reading ("5,5" or "5.5"; by the page's locale when given, and "1.500" refused
    as doubtful when not), None when empty; BadParameter naming value."""
    try:
        number = read_number(raw, locale)
    except Unreadable as error:
        raise BadParameter("value", error.reason, **error.params) from None
    return None if number is None else float(number)


def read_version(raw: Any) -> int | None:
    """The version a row was read at: a whole number ≥ 0, None for a value not entered yet."""
    text_ = "" if raw is None else str(raw).strip()
    if not text_:
        return None
    if not text_.isdigit() or int(text_) > 2**31 - 1:
        raise BadParameter("version", N_("Phải là số nguyên, nhận được “%(value)s”"), value=raw)
    return int(text_)


def record_manual_values(session: Session, code: str, year: int, rows: list[Mapping[str, Any]], *,
                         reported_by: int | None) -> list[dict[str, Any]]:
    """Enter a table of hand-entered values at once (rows of unit_code, sector, value as typed, note, version).

    Every row is checked (figure, unit, sector, version) and written with its history row in the caller's
    transaction; when any row is refused, InvalidRecord names each refused row by its index and field
    ("3.version") and the caller rolls back, so all rows are saved or none.
    """
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    saved = []
    for index, row in enumerate(rows):
        try:
            value, version = read_value(row.get("value")), read_version(row.get("version"))
            note = (row.get("note") or "").strip() or None
            saved.append(record_manual_value(session, code, str(row.get("unit_code") or ""), year, value,
                                             sector=str(row.get("sector") or ""), reported_by=reported_by,
                                             note=note, expected_version=version))
        except DomainError as error:
            errors[f"{index}.{error.field}"] = (error.reason, error.params)
    if errors:
        raise InvalidRecord(errors)
    return saved


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

