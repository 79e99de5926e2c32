"""The one writer of site rows: the INSERT and the UPDATE of a site, each with its site_history row.

The seeds, the form, the JSON API and the bulk import all write through insert_site and change_site, in the
caller's transaction, so a site and its history row commit together or not at all.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from geo.errors import N_, NotFound, from_database
from geo.models import Site, SiteHistory
from geo.site_record import EDITABLE

# A site as every staff page and history row sees it (FROM site s).
SNAPSHOT_COLUMNS = """
    s.id, s.name, s.name_en, s.category_code AS category, s.status, ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat,
    s.location_precision, s.ward_code, s.address, s.plan_task, s.lead_agency,
    to_char(s.start_date, 'YYYY-MM-DD') AS start_date, to_char(s.end_date, 'YYYY-MM-DD') AS end_date,
    s.measures, s.description, s.source, s.is_sample, s.district_code, s.commune_code, s.moderation,
    s.review_note, s.version, s.pending, s.deleted_at IS NOT NULL AS deleted, s.created_by,
    to_char(s.updated_at, 'YYYY-MM-DD"T"HH24:MI:SS') AS updated_at"""
SNAPSHOT_SQL = f"SELECT {SNAPSHOT_COLUMNS} FROM site s WHERE s.id = :id"  # noqa: S608 - fixed SQL
SNAPSHOT_SQL_MANY = f"SELECT {SNAPSHOT_COLUMNS} FROM site s WHERE s.id = ANY(:ids)"  # noqa: S608 - fixed SQL

# The assignments of change_site that write a whole clean record (validate_site's keys) over the site's fields.
RECORD_COLUMNS = """
    name = :name, name_en = :name_en, category_code = :category, status = :status,
    geom = ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), location_precision = :location_precision,
    ward_code = :ward_code, address = :address, plan_task = :plan_task, lead_agency = :lead_agency,
    start_date = :start_date, end_date = :end_date, measures = CAST(:measures AS jsonb),
    description = :description, source = :source"""
# The refusal of a site that does not exist, and of one the actor may not see (the same words, see editing).
MISSING_SITE = N_("Không có điểm số %(id)s")
CLEAR_PENDING = "pending = NULL, pending_by = NULL, pending_at = NULL"


def get_site(session: Session, site_id: int, *, lock: bool = False) -> dict[str, Any]:
    """One site as a plain record (any moderation state), or NotFound."""
    row = session.execute(text(SNAPSHOT_SQL + (" FOR UPDATE" if lock else "")), {"id": site_id}).one_or_none()
    if row is None:
        raise NotFound("id", MISSING_SITE, id=site_id)
    return dict(row._mapping)


def _history_view(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    keep = (*EDITABLE, "district_code", "commune_code", "moderation", "version", "deleted", "pending", "review_note")
    return {k: record.get(k) for k in keep if k in record}


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _stored_view(record: Mapping[str, Any] | None) -> Any:
    # Through JSON text and back, so that the jsonb column gets what json.dumps(default=str) makes of any value.
    return json.loads(_json(_history_view(record)) or "null")


def _history_row(after: Mapping[str, Any], action: str, by: int | None, before: Mapping[str, Any] | None,
                 note: str | None) -> dict[str, Any]:
    return dict(site_id=after["id"], version=after["version"], action=action, changed_by=by, note=note,
                before=_stored_view(before), after=_stored_view(after))


def _record_history(session: Session, rows: list[dict[str, Any]]) -> None:
    # One INSERT of many VALUES rows (SQLAlchemy's insertmanyvalues), however many sites were written.
    if rows:
        session.execute(insert(SiteHistory.__table__), rows)


def record_params(record: Mapping[str, Any]) -> dict[str, Any]:
    """A clean record as the bound parameters of RECORD_COLUMNS and of the INSERT."""
    return {
        "name": record["name"], "name_en": record.get("name_en"), "category": record["category"],
        "status": record["status"], "lon": float(record["lon"]), "lat": float(record["lat"]),
        "location_precision": record.get("location_precision") or "exact", "ward_code": record.get("ward_code"),
        "address": record.get("address"), "plan_task": record["plan_task"], "lead_agency": record.get("lead_agency"),
        "start_date": record.get("start_date"), "end_date": record.get("end_date"),
        "measures": json.dumps(record.get("measures") or {}, ensure_ascii=False),
        "description": record.get("description"), "source": record["source"],
    }


def _site_row(record: Mapping[str, Any], by: int | None) -> dict[str, Any]:
    params = record_params(record)
    return {"ref": record.get("ref"), "name": params["name"], "name_en": params["name_en"],
            "category_code": params["category"], "status": params["status"],
            "geom": f"SRID=4326;POINT({params['lon']!r} {params['lat']!r})",
            **{key: params[key] for key in ("location_precision", "ward_code", "address", "plan_task", "lead_agency",
                                            "start_date", "end_date", "description", "source")},
            "measures": record.get("measures") or {}, "is_sample": bool(record.get("is_sample", False)),
            "moderation": record.get("moderation") or "draft", "created_by": by, "updated_by": by}


def insert_sites(session: Session, records: list[Mapping[str, Any]], *, by: int | None = None) -> list[int]:
    """Insert sites and their 'create' history rows in batched statements (not a round trip per row); returns
    their ids in the order given. The database sets each one's district.

    A record holds validate_site's keys (lon/lat in EPSG:4326) and optionally moderation (default draft), ref and
    is_sample; by is the account that writes (None for the shipped seeds).
    """
    if not records:
        return []
    table = Site.__table__
    try:
        with session.begin_nested():
            ids = list(session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                       [_site_row(record, by) for record in records]).scalars())
    except DBAPIError as error:
        raise from_database(error) from error
    after = session.execute(text(f"{SNAPSHOT_SQL_MANY} ORDER BY s.id"), {"ids": ids}).mappings()
    _record_history(session, [_history_row(row, "create", by, None, None) for row in after])
    return ids


def insert_site(session: Session, record: Mapping[str, Any], *, by: int | None = None) -> int:
    """Insert one site and its 'create' history row; returns its id (see insert_sites)."""
    return insert_sites(session, [record], by=by)[0]


def change_site(session: Session, before: Mapping[str, Any], action: str, by: int, assignments: str,
                params: Mapping[str, Any] | None = None, *, note: str | None = None) -> dict[str, Any]:
    """Update a site (a new version, signed by by) and add its history row; returns the site after.

    assignments is a fixed SQL fragment of this package (RECORD_COLUMNS, CLEAR_PENDING, …), never user input;
    its values come bound from params.
    """
    try:
        with session.begin_nested():
            session.execute(text(f"""
                UPDATE site SET {assignments}, version = version + 1, updated_by = :by, updated_at = now()
                WHERE id = :id"""), {**(params or {}), "by": by, "id": before["id"]})  # noqa: S608 - fixed SQL
    except DBAPIError as error:
        raise from_database(error) from error
    after = get_site(session, before["id"])
    _record_history(session, [_history_row(after, action, by, before, note)])
    return after


def load_seed_sites(session: Session, path: Path) -> int:
    """Load the shipped seed sites as approved sample records; returns how many."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return len(insert_sites(session, [dict(f["properties"], lon=f["geometry"]["coordinates"][0],
                                           lat=f["geometry"]["coordinates"][1], moderation="approved")
                                      for f in features]))
