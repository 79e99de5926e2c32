"""Bulk import of sites from the CSV or Excel lists district offices keep: preview each row's problems, then
write every chosen row in one transaction, or none.

The file is read as a stream and reading stops one row past the limit, so a huge sheet is refused without being
read whole. Numbers written as text are read by the file's locale: a Vietnamese file writes
1.200 for twelve hundred and 1,5 for one and a half.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from decimal import Decimal
import unicodedata
import zipfile
from typing import IO, Any, Iterator

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from babel.numbers import NumberFormatError, parse_decimal
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import editing
from geo.accounts import Actor
from geo.catalogue import CATEGORIES, MEASURES, STATUSES
from geo.errors import N_, BadParameter, DomainError, InvalidRecord
from geo.site_record import BOOL_MEASURES, CHOICE_MEASURES, validate_site

DUPLICATE_METRES = 50
MAX_ROWS = 2000  # the default of the setting IMPORT_MAX_ROWS
NUMBER_MEASURES = tuple(key for key in MEASURES if key not in BOOL_MEASURES and key not in CHOICE_MEASURES)
# Why a number could not be read, by the file's way of writing numbers.
UNREADABLE_NUMBER = {
    "vi": N_("Không đọc được số “%(value)s”: tệp viết số kiểu Việt Nam (1.200 là một nghìn hai trăm, 1,5 là một "
             "phẩy năm)"),
    "en": N_("Không đọc được số “%(value)s”: tệp viết số kiểu tiếng Anh (1,200 là một nghìn hai trăm, 1.5 là một "
             "phẩy năm)"),
    "": N_("Không đọc được số “%(value)s”"),
}
# A number whose separator can only be a decimal one, in each way of writing: 1,5 or 1.234,5 (vi); 1.5 (en).
_DECIMAL = {"vi": re.compile(r"-?(\d+,(\d{1,2}|\d{4,})|\d{1,3}(\.\d{3})+,\d+|\d{1,3}(\.\d{3}){2,})"),
            "en": re.compile(r"-?(\d+\.(\d{1,2}|\d{4,})|\d{1,3}(,\d{3})+\.\d+|\d{1,3}(,\d{3}){2,})")}
# 1.200 or 1,200: twelve hundred in one locale, one point two in the other.
_TWO_WAYS = re.compile(r"-?\d{1,3}[.,]\d{3}")


def file_locale(separator: str | None, number_texts: Iterator[str]) -> str | None:
    """How a file writes numbers: 'vi' for a semicolon CSV (Excel on a Vietnamese Windows) or a file where a
    decimal comma is seen, 'en' where only a decimal point is seen or for a comma CSV with no sign; None when
    the file does not tell (a workbook with no such number, or both ways seen)."""
    if separator == ";":
        return "vi"
    seen = {locale for text_ in number_texts for locale, pattern in _DECIMAL.items() if pattern.fullmatch(text_)}
    if len(seen) == 1:
        return seen.pop()
    return "en" if separator == "," and not seen else None


def read_number(value: str, locale: str | None) -> tuple[Decimal, tuple[Decimal, Decimal] | None]:
    """A number written as text, by the file's locale, and, where the locale is unknown and the text reads two
    ways (1.200), the two readings; ValueError if it is not a number written that way."""
    locales = [locale] if locale else ["vi", "en"]
    readings = []
    for each in locales:
        try:
            readings.append(parse_decimal(value, locale=each, strict=True))
        except NumberFormatError:
            continue
    if not readings:
        raise ValueError(value)
    doubt = None
    if locale is None and _TWO_WAYS.fullmatch(value) and len(set(readings)) == 2:
        doubt = (readings[0], readings[1])
    return readings[0], doubt


def _key(text_: str) -> str:
    """A heading or value without case, accents or spaces, to match what people type."""
    plain = unicodedata.normalize("NFD", str(text_).replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if unicodedata.category(ch) != "Mn")
    return "".join(ch for ch in plain.lower() if ch.isalnum())


HEADINGS: dict[str, str] = {}
for field, names in {
    "name": ("name", "tên", "tên điểm", "ten"), "name_en": ("name_en", "tên tiếng anh"),
    "category": ("category", "loại", "loại điểm"), "status": ("status", "trạng thái"),
    "lon": ("lon", "longitude", "kinh độ", "x"), "lat": ("lat", "latitude", "vĩ độ", "y"),
    "plan_task": ("plan_task", "nhiệm vụ", "mã nhiệm vụ"), "lead_agency": ("lead_agency", "cơ quan chủ trì"),
    "address": ("address", "địa chỉ"), "start_date": ("start_date", "ngày bắt đầu"),
    "end_date": ("end_date", "ngày kết thúc"), "description": ("description", "mô tả", "ghi chú"),
    "source": ("source", "nguồn"), "ward_code": ("ward_code", "mã xã"),
}.items():
    for name in names:
        HEADINGS[_key(name)] = field
for measure, (vi, en, _unit) in MEASURES.items():
    for name in (measure, vi, en):
        HEADINGS[_key(name)] = f"measure:{measure}"

CATEGORY_NAMES = {_key(n): c.code for c in CATEGORIES for n in (c.code, c.name_vi, c.name_en)}
STATUS_NAMES = {_key(s): s for s in STATUSES}
STATUS_NAMES.update({_key("Kế hoạch"): "planned", _key("Đang hoạt động"): "active", _key("Hoàn thành"): "completed",
                     _key("Tạm dừng"): "suspended", _key("Đã loại bỏ"): "phased_out"})


def _too_many(max_rows: int) -> BadParameter:
    return BadParameter("file", N_("Tệp có quá %(n)s dòng; hãy chia thành nhiều tệp"), n=max_rows)


def _limited(rows: Iterator[list[Any]], max_rows: int) -> tuple[list[str], list[list[Any]]]:
    """The headings and up to max_rows non-empty rows; reading stops at the first row past the limit."""
    headings = next(rows, None)
    if headings is None:
        raise BadParameter("file", N_("Tệp trống"))
    kept: list[list[Any]] = []
    for row in rows:
        if all(cell in (None, "") for cell in row):
            continue
        if len(kept) == max_rows:
            raise _too_many(max_rows)
        kept.append([unicodedata.normalize("NFC", cell) if isinstance(cell, str) else cell for cell in row])
    # Code page 1258 (and some Mac files) write tone marks as separate characters: store the composed form.
    return [unicodedata.normalize("NFC", str(h or "")) for h in headings], kept


def _workbook_rows(stream: IO[bytes]) -> Iterator[list[Any]]:
    # read_only streams the sheet's XML: rows past the limit are never parsed.
    book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    try:
        for row in book.active.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def _csv_rows(stream: IO[bytes], encoding: str, separator: str) -> Iterator[list[Any]]:
    stream.seek(0)
    yield from csv.reader(codecs.getreader(encoding)(stream), delimiter=separator)


def _separator(stream: IO[bytes]) -> str:
    """Semicolon for the CSV of a Vietnamese Excel (its list separator), comma otherwise: read off the heading line."""
    first = stream.readline(65536).decode("utf-8", errors="replace")
    stream.seek(0)
    return ";" if first.count(";") > first.count(",") else ","


class Table:
    """The headings and rows of a file, and what its own writing says of its locale."""

    def __init__(self, headings: list[str], rows: list[list[Any]], separator: str | None) -> None:
        self.headings, self.rows, self.separator = headings, rows, separator


def read_table(content: bytes | IO[bytes], filename: str, max_rows: int = MAX_ROWS) -> Table:
    """The rows of a CSV (UTF-8 or code page 1258, comma or semicolon) or Excel file, read as a stream; more than
    max_rows rows is refused as soon as the row past the limit is met."""
    stream = io.BytesIO(content) if isinstance(content, bytes) else content
    name = filename.lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            return Table(*_limited(_workbook_rows(stream), max_rows), separator=None)
        if not name.endswith(".csv"):
            raise BadParameter("file", N_("Chỉ nhận tệp .csv hoặc .xlsx"))
        separator = _separator(stream)
        # Excel's "CSV UTF-8" first; a plain "CSV" saved by Vietnamese Windows is in code page 1258.
        try:
            return Table(*_limited(_csv_rows(stream, "utf-8-sig", separator), max_rows), separator=separator)
        except UnicodeDecodeError:
            return Table(*_limited(_csv_rows(stream, "cp1258", separator), max_rows), separator=separator)
    except (ValueError, UnicodeDecodeError, KeyError, OSError, csv.Error, zipfile.BadZipFile,
            InvalidFileException) as error:
        if isinstance(error, BadParameter):
            raise
        raise BadParameter("file", N_("Không đọc được tệp: %(reason)s"), reason=str(error)) from error


def _row_data(row: list[Any], columns: dict[int, str]) -> dict[str, Any]:
    data: dict[str, Any] = {"measures": {}}
    for index, field in columns.items():
        value = row[index] if index < len(row) else None
        value = "" if value is None else value.strip() if isinstance(value, str) else value
        if field.startswith("measure:"):
            data["measures"][field.split(":", 1)[1]] = value
        else:
            data[field] = value
    if data.get("category"):
        data["category"] = CATEGORY_NAMES.get(_key(data["category"]), data["category"])
    if data.get("status"):
        data["status"] = STATUS_NAMES.get(_key(data["status"]), data["status"])
    return data


def _number_texts(table: Table, columns: dict[int, str]) -> Iterator[str]:
    """Every number of the file written as text in a measure column (the file's own writing of numbers)."""
    indexes = [i for i, field in columns.items() if field.removeprefix("measure:") in NUMBER_MEASURES]
    for row in table.rows:
        for index in indexes:
            if index < len(row) and isinstance(row[index], str) and row[index].strip():
                yield row[index].strip()


def _read_numbers(data: dict[str, Any], locale: str | None) -> tuple[list[tuple[str, str, dict[str, Any]]],
                                                                      list[tuple[str, str, dict[str, Any]]]]:
    """Measures written as text turned into numbers by the file's locale: (problems, warnings)."""
    problems, warnings = [], []
    for key, value in data["measures"].items():
        if key not in NUMBER_MEASURES or not isinstance(value, str) or not value:
            continue
        try:
            data["measures"][key], doubt = read_number(value, locale)
        except ValueError:
            problems.append((f"measures.{key}", UNREADABLE_NUMBER[locale or ""], {"value": value}))
            continue
        if doubt:
            warnings.append((f"measures.{key}", N_("Số “%(value)s” đọc được hai cách (%(vi)s hoặc %(en)s); đã đọc "
                                                   "là %(vi)s: kiểm tra trước khi nhập"),
                             {"value": value, "vi": doubt[0], "en": doubt[1]}))
    return problems, warnings


def preview(session: Session, actor: Actor, content: bytes | IO[bytes], filename: str,
            max_rows: int = MAX_ROWS) -> list[dict[str, Any]]:
    """Each row of the file with its clean record, its problems and its warnings (field, reason, params); writes
    nothing. A row with a problem cannot be imported; a warning (a number that reads two ways) asks to look."""
    table = read_table(content, filename, max_rows)
    columns = {i: HEADINGS[_key(h)] for i, h in enumerate(table.headings) if _key(h) in HEADINGS}
    if not {"name", "lon", "lat"} <= set(columns.values()):
        raise BadParameter("file", N_("Tệp cần có các cột Tên, Kinh độ, Vĩ độ (và Loại, Nhiệm vụ, Nguồn)"))
    locale = file_locale(table.separator, _number_texts(table, columns))
    rows = []
    for number, raw in enumerate(table.rows, start=2):  # row 1 holds the headings
        data = _row_data(raw, columns)
        problems, warnings = _read_numbers(data, locale)
        record = None
        try:
            record = validate_site(data)
        except InvalidRecord as invalid:
            problems += [(field, reason, params) for field, (reason, params) in invalid.errors.items()]
        if problems:
            record = None  # a number that could not be read would show as something else
        rows.append({"row": number, "data": data, "record": record, "problems": problems, "warnings": warnings})
    checked = [row for row in rows if row["record"] is not None]
    seen: set[tuple[str, float, float]] = set()
    for row, problems in zip(checked, _place_problems(session, actor, [row["record"] for row in checked])):
        record = row["record"]
        key = (_key(record["name"]), round(record["lon"], 4), round(record["lat"], 4))
        if key in seen:
            problems.append(("name", N_("Trùng với một dòng khác trong tệp"), {}))
        seen.add(key)
        row["problems"] += problems
    return rows


def _place_problems(session: Session, actor: Actor,
                    records: list[dict[str, Any]]) -> list[list[tuple[str, str, dict[str, Any]]]]:
    """For each record: outside the province, outside the person's area, or a site of the same name within 50 m;
    one query for all of them."""
    if not records:
        return []
    found = session.execute(text("""
        SELECT scp_unit_at('district', q.p) AS district, scp_unit_at('commune', q.p) AS commune,
               (SELECT s.id FROM site s WHERE s.deleted_at IS NULL AND lower(s.name) = lower(q.name)
                  AND ST_DWithin(s.geom::geography, q.p::geography, :metres) LIMIT 1) AS duplicate
        FROM (SELECT t.n, t.name, ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326) AS p
              FROM unnest(CAST(:names AS text[]), CAST(:lons AS float8[]), CAST(:lats AS float8[]))
                   WITH ORDINALITY AS t(name, lon, lat, n)) q
        ORDER BY q.n"""),
        {"names": [r["name"] for r in records], "lons": [float(r["lon"]) for r in records],
         "lats": [float(r["lat"]) for r in records], "metres": DUPLICATE_METRES}).all()
    result = []
    for place in found:
        problems = []
        if place.district is None:
            problems.append(("lon", N_("Vị trí nằm ngoài tỉnh Kiên Giang"), {}))
        elif actor.role == "district_staff" and actor.area_code not in (place.district, place.commune):
            problems.append(("lon", N_("Vị trí nằm ngoài địa bàn được giao cho bạn (%(unit)s)"),
                             {"unit": actor.area_code}))
        if place.duplicate is not None:
            problems.append(("name", N_("Trùng với điểm số %(id)s cùng tên trong vòng %(m)s m"),
                             {"id": place.duplicate, "m": DUPLICATE_METRES}))
        result.append(problems)
    return result


def confirm(session: Session, actor: Actor, rows: list[dict[str, Any]], chosen: set[int]) -> list[int]:
    """Write the chosen rows, each with its history row, in the caller's transaction and in batches; refuse all
    if any chosen row has a problem. Returns the new sites' ids."""
    picked = [row for row in rows if row["row"] in chosen]
    if not picked:
        raise BadParameter("row", N_("Chưa chọn dòng nào để nhập"))
    refused = [str(row["row"]) for row in picked if row["problems"]]
    if refused:
        raise BadParameter("row", N_("Không nhập gì cả: các dòng %(rows)s có lỗi"), rows=", ".join(refused))
    try:
        return editing.create_sites(session, actor, [row["record"] for row in picked])
    except DomainError as error:
        raise BadParameter("row", N_("Không nhập gì cả: %(reason)s"), reason=str(error)) from error
