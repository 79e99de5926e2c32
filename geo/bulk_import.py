"""Bulk import of sites from the lists district offices keep (CSV, Excel, GIS files): a preview of each row as it
will be stored, with its problems, kept server-side; then one confirm that writes the chosen rows, or none.

The file is read within its limits by geo.file_table. The heading row is found below any title rows; each column
is matched to a field by geo.import_headings, and a column that matches none is listed, never dropped without a
word. Numbers written as text are read by the file's locale (geo.reading): a Vietnamese file writes 1.200 for
twelve hundred and 1,5 for one and a half.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator

from sqlalchemy.orm import Session

from geo import import_places
from geo.accounts import Actor
from geo.catalogue import name_key
from geo.errors import N_, BadParameter, InvalidRecord
from geo.file_table import RawTable, ReadLimits, read_file
from geo.import_headings import CHECKED, DERIVED, derived_of, field_of, heading_row, value_code
from geo.reading import TWO_WAYS, Unreadable, file_locale, read_coordinate, read_number
from geo.site_record import NUMBER_MEASURES, read_typed_measures, validate_site

Problem = tuple[str, str, dict[str, Any]]
NOT_IMPORTED = N_("không khớp với trường nào nên không được nhập; chọn trường cho cột này nếu cần")
SAME_FIELD = N_("trùng trường %(field)s với cột %(column)s trước nó nên không được nhập")
SWAPPED = N_("Có thể đã đảo kinh độ và vĩ độ: kinh độ %(lon)s, vĩ độ %(lat)s nằm trong tỉnh")
READ_AS = N_("Số “%(value)s” đọc được hai cách (%(vi)s hoặc %(en)s); đã đọc là %(vi)s: kiểm tra trước khi nhập")
REQUIRED_COLUMNS = ("name", "lon", "lat")
# Kiên Giang's extent, with a margin, to tell coordinates typed the wrong way round.
_LON, _LAT = (101.5, 106.5), (8.5, 11.5)


@dataclass
class Column:
    """A column of the file: its heading, the field it fills (None: not imported) and, if not, why."""

    index: int
    heading: str
    field: str | None
    reason: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Preview:
    """What an import would store: each row with its record or problems, the columns, what the reading noticed."""

    rows: list[dict[str, Any]]
    columns: list[Column]
    locale: str | None
    warnings: list[Problem]
    heading_row: int


def read_upload(content: bytes, filename: str, max_rows: int, crs: str | None = None) -> RawTable:
    """The rows of an uploaded file, refused with BadParameter('file') past max_rows or any other limit."""
    return read_file(content, filename, ReadLimits(max_rows=max_rows), crs)


def _columns(headings: list[Any], chosen: dict[int, str]) -> list[Column]:
    """Each column's field: chosen by hand, else by its heading; a second column of one field is not imported."""
    columns, taken = [], {}
    for index, heading in enumerate(headings):
        text_ = "" if heading is None else str(heading).strip()
        target = chosen.get(index) or field_of(text_)
        derived = None if target else derived_of(text_)
        if target and target in taken:
            columns.append(Column(index, text_, None, SAME_FIELD, {"field": target, "column": taken[target]}))
        elif target:
            taken[target] = text_ or str(index + 1)
            columns.append(Column(index, text_, target))
        elif derived:
            columns.append(Column(index, text_, None, N_("cột do ứng dụng tạo ra (%(what)s) nên không được nhập"),
                                  {"what": DERIVED[derived]}))
        elif text_ or chosen:
            columns.append(Column(index, text_, None, NOT_IMPORTED))
    return columns


def _typed(row: list[Any], columns: list[Column]) -> dict[str, Any]:
    """A row's values by field, coded fields by their code when a name of theirs is written."""
    data: dict[str, Any] = {"measures": {}}
    for column in columns:
        if column.field is None:
            continue
        value = row[column.index] if column.index < len(row) else None
        value = "" if value is None else value.strip() if isinstance(value, str) else value
        value = value_code(column.field, value)
        if column.field.startswith("measure:"):
            data["measures"][column.field.split(":", 1)[1]] = value
        elif column.field == "measures":
            # The measures of a GeoJSON or GeoPackage export, as one JSON object: merged with any measure column.
            found = _json_object(value)
            data["measures"] = value if found is None and value != "" else {**(found or {}), **data["measures"]}
        else:
            data[column.field] = value
    return data


def _json_object(value: Any) -> dict[str, Any] | None:
    """A JSON object written in a cell, or None."""
    if isinstance(value, dict):
        return value
    try:
        found = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _number_texts(body: list[tuple[int, list[Any]]], columns: list[Column]) -> Iterator[str]:
    """Every number of the file written as text in a measure or coordinate column (the file's own writing of
    numbers: a longitude typed 105,08 says the file writes decimal commas, so its 1.200 is twelve hundred)."""
    indexes = [c.index for c in columns
               if c.field and (c.field in ("lon", "lat") or c.field.removeprefix("measure:") in NUMBER_MEASURES)]
    for _number, row in body:
        for index in indexes:
            if index < len(row) and isinstance(row[index], str) and row[index].strip():
                yield row[index].strip()


def _two_way_numbers(data: dict[str, Any]) -> list[Problem]:
    """Measures of a file that does not say its locale which read two ways: read the Vietnamese way and warned."""
    warnings = []
    for key, value in data["measures"].items():
        if key not in NUMBER_MEASURES or not isinstance(value, str):
            continue
        try:
            read_number(value)
        except Unreadable as error:
            if error.reason == TWO_WAYS:
                data["measures"][key] = error.params["vi"]
                warnings.append((f"measures.{key}", READ_AS, error.params))
    return warnings


def _swapped(data: dict[str, Any]) -> dict[str, float] | None:
    """The coordinates the other way round, when they are so typed: latitude in the longitudes of the province and
    longitude in its latitudes."""
    try:
        # Both read on the wider range of longitudes: a latitude typed as 105 is what this looks for.
        lon, lat = read_coordinate(data.get("lon"), "lon"), read_coordinate(data.get("lat"), "lon")
    except (BadParameter, ValueError):
        return None
    if _LAT[0] <= lon <= _LAT[1] and _LON[0] <= lat <= _LON[1]:
        return {"lon": lat, "lat": lon}
    return None


def _row(number: int, raw: list[Any], columns: list[Column], locale: str | None, swap: bool) -> dict[str, Any]:
    data = _typed(raw, columns)
    if swap:
        data["lon"], data["lat"] = data.get("lat"), data.get("lon")
    warnings: list[Problem] = []
    if isinstance(data["measures"], dict):  # else a measures cell that is no JSON object, refused by name below
        warnings = [] if locale else _two_way_numbers(data)
        data["measures"] = read_typed_measures(data["measures"], locale)
    problems: list[Problem] = []
    suggestion = _swapped(data)
    if suggestion:
        problems.append(("lat", SWAPPED, suggestion))
    record = None
    try:
        record = validate_site(data)
    except InvalidRecord as invalid:
        problems += [(key, reason, params) for key, (reason, params) in invalid.errors.items()
                     if not (suggestion and key in ("lat", "lon"))]
    if problems:
        record = None
    return {"row": number, "data": data, "record": record, "problems": problems, "warnings": warnings,
            "suggestion": suggestion}


def preview_table(session: Session, actor: Actor, table: RawTable, *, chosen: dict[int, str] | None = None,
                  swap: set[int] | frozenset[int] = frozenset()) -> Preview:
    """Each row of a read file with its clean record, problems and warnings (field, reason, params); writes
    nothing. chosen maps a column (0-based) to a field by hand; swap names rows whose coordinates to swap."""
    rows = table.rows
    start = heading_row(rows)
    headings = rows[start] if rows else []
    columns = _columns(headings, chosen or {})
    found = {c.field for c in columns}
    missing = [f for f in REQUIRED_COLUMNS if f not in found]
    if missing:
        raise BadParameter("file", N_("Không thấy cột %(columns)s ở dòng tiêu đề (dòng %(row)s: %(headings)s)"),
                           columns=", ".join(missing), row=start + 1,
                           headings=", ".join(str(h) for h in headings if h not in (None, "")) or "—")
    body = [(start + 2 + i, row) for i, row in enumerate(rows[start + 1:])
            if any(cell not in (None, "") for cell in row)]
    locale = file_locale(table.separator, _number_texts(body, columns))
    previewed = [_row(number, raw, columns, locale, number in swap) for number, raw in body]
    _check_places(session, actor, previewed)
    return Preview(previewed, columns, locale, list(table.warnings), start + 1)


def _check_places(session: Session, actor: Actor, rows: list[dict[str, Any]]) -> None:
    """Add each valid row's problems of place: outside the province or the person's area, a site or another row of
    the same name within 50 m, a district or commune column that contradicts the coordinates."""
    checked = [row for row in rows if row["record"] is not None]
    places = import_places.place_problems(session, actor, [row["record"] for row in checked],
                                          [{k: row["data"].get(k) for k in CHECKED} for row in checked])
    seen: set[tuple[str, float, float]] = set()
    for row, problems in zip(checked, places):
        record = row["record"]
        key = (name_key(record["name"]), round(record["lon"], 4), round(record["lat"], 4))
        if key in seen:
            problems.append(("name", N_("Trùng với một dòng khác trong tệp"), {}))
        seen.add(key)
        row["problems"] += problems
        if problems:
            row["record"] = None


def plain(value: Any) -> Any:
    """A value as JSON keeps it: numbers of Decimal as numbers, dates as ISO text, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
