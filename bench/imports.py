"""The import at a province's volume: the preview and the confirm of an office's workbook (a title row, the form's
headings with their units, numbers written the Vietnamese way, dd/mm/yyyy dates) with many sites already in the
database, each step timed as the staff page runs it (geo.import_store, one transaction each)."""
from __future__ import annotations

import io
import random
import time

import openpyxl
from sqlalchemy.orm import Session

from bench import Say, figure
from bench.scale import fill_and_analyse, scratch_database
from geo import accounts, admin, import_store
from geo.catalogue import MEASURES

# Random places in and around Rạch Giá (inside the province).
WEST, SOUTH, EAST, NORTH = 105.07, 9.99, 105.14, 10.05


def office_workbook(rows: int, seed: int = 2025) -> bytes:
    """A workbook of rows rows as a district office types it: a title row, the form's headings with their units,
    then rows - 2 sites."""
    chance = random.Random(seed)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Danh sách điểm phân loại rác tại nguồn năm 2025 (UBND thành phố Rạch Giá)"])
    households = MEASURES["households"]
    sheet.append(["Tên điểm", "Loại điểm", "Trạng thái", "Kinh độ", "Vĩ độ", "Nhiệm vụ", "Nguồn", "Ngày bắt đầu",
                  f"{households[0]} ({households[2]})"])
    for n in range(rows - 2):
        sheet.append([f"Tổ phân loại rác số {n + 1}", "Phân loại rác", "Đang hoạt động",
                      f"{chance.uniform(WEST, EAST):.6f}".replace(".", ","),
                      f"{chance.uniform(SOUTH, NORTH):.6f}".replace(".", ","), "VI.2", "UBND thành phố Rạch Giá",
                      f"{chance.randint(1, 28):02d}/{chance.randint(1, 12):02d}/2025",
                      f"{chance.randint(1, 9)}.{chance.randint(100, 999)}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(url: str, counts: list[int], rows: int, *, say: Say = print, keep: bool = False) -> None:
    """For each count of generated sites: the preview's and the confirm's time of a workbook of rows."""
    scratch, engine = scratch_database(url, "_bench_import")
    try:
        content = office_workbook(rows)
        with Session(engine) as session, session.begin():
            accounts.create_user(session, "bench-planner", "bench-password-135", "planner")
            actor = accounts.authenticate(session, "bench-planner", "bench-password-135")
        for count in counts:
            fill_and_analyse(engine, count, say)
            with Session(engine) as session:
                started = time.perf_counter()
                with session.begin():
                    import_id, preview = import_store.start(session, actor, content, "danh-sach.xlsx", rows)
                previewed = time.perf_counter() - started
                ready = sum(1 for row in preview.rows if not row["problems"] and not row["warnings"])
                started = time.perf_counter()
                with session.begin():
                    created = import_store.confirm(session, actor, import_id)
                confirmed = time.perf_counter() - started
            figure(say, f"{count:>9,} sites | import of {rows:,} rows ({len(content) / 1024:.0f} KB): preview "
                        f"{previewed:.2f} s ({ready:,} rows ready), confirm {confirmed:.2f} s "
                        f"({len(created):,} sites written)")
    finally:
        engine.dispose()
        if not keep:
            admin.drop_database(scratch)
