"""Bulk import of sites from the CSV or Excel lists district offices keep: preview each row's problems, then
write every chosen row in one transaction, or none."""
from __future__ import annotations

import io
import unicodedata
import zipfile
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import editing
from geo.site_record import validate_site
from geo.accounts import Actor
from geo.catalogue import CATEGORIES, MEASURES, STATUSES
from geo.errors import N_, BadParameter, DomainError, InvalidRecord

DUPLICATE_METRES = 50
MAX_ROWS = 2000


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


def read_table(content: bytes, filename: str) -> pd.DataFrame:
    """The rows of a CSV (UTF-8, comma or semicolon) or Excel file, every cell as text."""
    name = filename.lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            frame = pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl")
        elif name.endswith(".csv"):
            # Excel's "CSV UTF-8" first; a plain "CSV" saved by Vietnamese Windows is in code page 1258.
            try:
                content.decode("utf-8-sig")
                encoding = "utf-8-sig"
            except UnicodeDecodeError:
                encoding = "cp1258"
            sample = content[:4096].decode(encoding, errors="replace")
            separator = ";" if sample.count(";") > sample.count(",") else ","
            frame = pd.read_csv(io.BytesIO(content), dtype=str, sep=separator, encoding=encoding)
        else:
            raise BadParameter("file", N_("Chỉ nhận tệp .csv hoặc .xlsx"))
    except (ValueError, UnicodeDecodeError, KeyError, OSError, zipfile.BadZipFile) as error:
        raise BadParameter("file", N_("Không đọc được tệp: %(reason)s"), reason=str(error)) from error
    if len(frame) > MAX_ROWS:
        raise BadParameter("file", N_("Tệp có quá %(n)s dòng"), n=MAX_ROWS)
    # Code page 1258 (and some Mac files) write tone marks as separate characters: store the composed form.
    frame.columns = [unicodedata.normalize("NFC", str(c)) for c in frame.columns]
    return frame.fillna("").map(lambda cell: unicodedata.normalize("NFC", cell) if isinstance(cell, str) else cell)


def _row_data(row: dict[str, str], columns: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {"measures": {}}
    for heading, field in columns.items():
        value = str(row.get(heading, "")).strip()
        if field.startswith("measure:"):
            data["measures"][field.split(":", 1)[1]] = value
        else:
            data[field] = value
    if data.get("category"):
        data["category"] = CATEGORY_NAMES.get(_key(data["category"]), data["category"])
    if data.get("status"):
        data["status"] = STATUS_NAMES.get(_key(data["status"]), data["status"])
    return data


def preview(session: Session, actor: Actor, content: bytes, filename: str) -> list[dict[str, Any]]:
    """Each row of the file with its clean record and its problems (field, reason, params); writes nothing."""
    frame = read_table(content, filename)
    columns = {heading: HEADINGS[_key(heading)] for heading in frame.columns if _key(heading) in HEADINGS}
    if "name" not in columns.values() or "lon" not in columns.values() or "lat" not in columns.values():
        raise BadParameter("file", N_("Tệp cần có các cột Tên, Kinh độ, Vĩ độ (và Loại, Nhiệm vụ, Nguồn)"))
    rows = []
    seen: set[tuple[str, float, float]] = set()
    for number, raw in enumerate(frame.to_dict(orient="records"), start=2):  # row 1 holds the headings
        data = _row_data(raw, columns)
        problems: list[tuple[str, str, dict[str, Any]]] = []
        record = None
        try:
            record = validate_site(data)
        except InvalidRecord as invalid:
            problems = [(field, reason, params) for field, (reason, params) in invalid.errors.items()]
        if record is not None:
            problems += _place_problems(session, actor, record)
            key = (_key(record["name"]), round(record["lon"], 4), round(record["lat"], 4))
            if key in seen:
                problems.append(("name", N_("Trùng với một dòng khác trong tệp"), {}))
            seen.add(key)
        rows.append({"row": number, "data": data, "record": record, "problems": problems})
    return rows


def _place_problems(session: Session, actor: Actor, record: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Outside the province, outside the person's area, or a site of the same name within 50 m."""
    found = session.execute(text("""
        SELECT scp_unit_at('district', p) AS district, scp_unit_at('commune', p) AS commune,
               (SELECT s.id FROM site s WHERE s.deleted_at IS NULL AND lower(s.name) = lower(:name)
                  AND ST_DWithin(s.geom::geography, p::geography, :metres) LIMIT 1) AS duplicate
        FROM (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS p) q"""),
        {"lon": record["lon"], "lat": record["lat"], "name": record["name"], "metres": DUPLICATE_METRES}).one()
    problems = []
    if found.district is None:
        problems.append(("lon", N_("Vị trí nằm ngoài tỉnh Kiên Giang"), {}))
    elif actor.role == "district_staff" and actor.area_code not in (found.district, found.commune):
        problems.append(("lon", N_("Vị trí nằm ngoài địa bàn được giao cho bạn (%(unit)s)"),
                         {"unit": actor.area_code}))
    if found.duplicate is not None:
        problems.append(("name", N_("Trùng với điểm số %(id)s cùng tên trong vòng %(m)s m"),
                         {"id": found.duplicate, "m": DUPLICATE_METRES}))
    return problems


def confirm(session: Session, actor: Actor, rows: list[dict[str, Any]], chosen: set[int]) -> list[dict[str, Any]]:
    """Write the chosen rows in the caller's transaction; refuse all if any chosen row has a problem."""
    picked = [row for row in rows if row["row"] in chosen]
    if not picked:
        raise BadParameter("row", N_("Chưa chọn dòng nào để nhập"))
    refused = [str(row["row"]) for row in picked if row["problems"]]
    if refused:
        raise BadParameter("row", N_("Không nhập gì cả: các dòng %(rows)s có lỗi"), rows=", ".join(refused))
    created = []
    for row in picked:
        try:
            created.append(editing.create_site(session, actor, row["data"]))
        except DomainError as error:
            raise BadParameter("row", N_("Không nhập gì cả: dòng %(row)s bị từ chối (%(reason)s)"),
                               row=row["row"], reason=str(error)) from error
    return created
