"""An import's preview kept in site_import (migration 0013) and its confirm, taken once.

The confirm moves the import from 'previewed' to 'confirmed' with one UPDATE … WHERE state = 'previewed' in the
same transaction as the inserts: a second confirm, at the same moment (it waits on the row's lock, then finds it
confirmed) or later, is a Conflict and stores nothing.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import editing, import_places
from geo.accounts import Actor
from geo.bulk_import import Preview, plain, preview_table, read_upload
from geo.errors import N_, BadParameter, Conflict, DomainError, NotFound
from geo.file_table import RawTable

NO_IMPORT = N_("Không có lần nhập số %(id)s của bạn")
CONFIRMED = N_("Lần nhập này đã được xác nhận; không nhập lại lần nữa")
KEPT_DAYS = 7


def store(session: Session, actor: Actor, filename: str, table: RawTable, preview: Preview) -> str:
    """Keep a preview and the file's cells for its owner; returns the import's id."""
    cells = {"rows": table.rows, "separator": table.separator, "kind": table.kind, "warnings": table.warnings}
    # A person's previews left unconfirmed for a week are dropped: nobody confirms a list that old unseen.
    session.execute(text("DELETE FROM site_import WHERE owner_id = :owner AND state = 'previewed' "
                         "AND created_at < now() - make_interval(days => :days)"),
                    {"owner": actor.id, "days": KEPT_DAYS})
    return str(session.execute(text("""
        INSERT INTO site_import (owner_id, filename, rows, cells)
        VALUES (:owner, :filename, CAST(:rows AS jsonb), CAST(:cells AS jsonb)) RETURNING id"""),
        {"owner": actor.id, "filename": filename, "cells": json.dumps(plain(cells), ensure_ascii=False),
         "rows": json.dumps(plain(preview.rows), ensure_ascii=False)}).scalar_one())


def _id(import_id: str) -> str:
    try:
        return str(uuid.UUID(str(import_id)))
    except ValueError:
        raise NotFound("id", NO_IMPORT, id=import_id) from None


def stored(session: Session, actor: Actor, import_id: str) -> dict[str, Any]:
    """An import of this person's: its filename, rows, the file's cells as a RawTable (None once confirmed), and
    state; NotFound otherwise."""
    row = session.execute(text("SELECT filename, rows, cells, state FROM site_import WHERE id = :id AND owner_id = "
                               ":owner"), {"id": _id(import_id), "owner": actor.id}).mappings().first()
    if row is None:
        raise NotFound("id", NO_IMPORT, id=import_id)
    cells = row["cells"]
    # A confirmed import keeps its rows, not the file's cells.
    table = RawTable(rows=cells["rows"], separator=cells["separator"], kind=cells["kind"],
                     warnings=[tuple(w) for w in cells["warnings"]]) if cells else None
    return {"filename": row["filename"], "rows": row["rows"], "table": table, "state": row["state"]}


def preview_again(session: Session, actor: Actor, import_id: str, *, chosen: dict[int, str],
                  swap: set[int]) -> tuple[str, Preview]:
    """A new preview of a stored import's file with columns mapped by hand or coordinates swapped, kept anew."""
    earlier = stored(session, actor, import_id)
    if earlier["table"] is None:
        raise Conflict("id", CONFIRMED)
    preview = preview_table(session, actor, earlier["table"], chosen=chosen, swap=swap)
    return store(session, actor, earlier["filename"], earlier["table"], preview), preview


def confirm(session: Session, actor: Actor, import_id: str, chosen: set[int] | None = None) -> list[int]:
    """Write the chosen rows of a previewed import (all rows without a problem or warning when chosen is None), each
    with its history row, in the caller's transaction; refuse all if any chosen row has a problem. Taken once: a
    second confirm is a Conflict. Returns the new sites' ids."""
    key = _id(import_id)
    rows = session.execute(text("""
        UPDATE site_import SET state = 'confirmed', confirmed_at = now(), cells = '{}'::jsonb
        WHERE id = :id AND owner_id = :owner AND state = 'previewed' RETURNING rows"""),
        {"id": key, "owner": actor.id}).scalar()
    if rows is None:
        stored(session, actor, import_id)  # NotFound when it is not this person's
        raise Conflict("id", CONFIRMED)
    if chosen is None:
        chosen = {row["row"] for row in rows if not row["problems"] and not row["warnings"]}
    unknown = sorted(chosen - {row["row"] for row in rows})
    if unknown:
        raise BadParameter("row", N_("Tệp không có dòng %(rows)s"), rows=", ".join(map(str, unknown)))
    picked = [row for row in rows if row["row"] in chosen]
    if not picked:
        raise BadParameter("row", N_("Chưa chọn dòng nào để nhập"))
    refused = [str(row["row"]) for row in picked if row["problems"]]
    if refused:
        raise BadParameter("row", N_("Không nhập gì cả: các dòng %(rows)s có lỗi"), rows=", ".join(refused))
    records = [row["record"] for row in picked]
    # Sites added since the preview (another import of the same list) are duplicates now.
    later = [str(row["row"]) for row, problems in
             zip(picked, import_places.place_problems(session, actor, records, [{}] * len(records))) if problems]
    if later:
        raise BadParameter("row", N_("Không nhập gì cả: các dòng %(rows)s nay trùng hoặc ngoài địa bàn; hãy xem "
                                     "trước lại"), rows=", ".join(later))
    try:
        return editing.create_sites(session, actor, records)
    except DomainError as error:
        raise BadParameter("row", N_("Không nhập gì cả: %(reason)s"), reason=str(error)) from error


def start(session: Session, actor: Actor, content: bytes, filename: str, max_rows: int,
          crs: str | None = None) -> tuple[str, Preview]:
    """Read an uploaded file within its limits, preview it and keep the preview: (the import's id, the preview)."""
    table = read_upload(content, filename, max_rows, crs)
    preview = preview_table(session, actor, table)
    return store(session, actor, filename, table, preview), preview
