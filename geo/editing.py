"""Writes to sites by signed-in people: create, edit, delete, restore, approve, reject — each with its history row.

Every write runs in the caller's transaction through geo.site_store, which adds the site_history row, so both
commit or neither does. Who may do what is checked here for a clear message, and again by the database: the
transaction carries the actor's area (the setting scp.actor_unit), and a trigger refuses any site outside it
(migrations 0002 and 0004).
"""
from __future__ import annotations

import json
import uuid
from typing import Any, Mapping

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import photo_store
from geo.accounts import Actor
from geo.errors import N_, BadParameter, Conflict, DomainError, Forbidden, InvalidRecord, NotFound
from geo.photos import ProcessedPhoto
from geo.site_record import EDITABLE, validate_site
from geo.site_store import (CLEAR_PENDING, MISSING_SITE, RECORD_COLUMNS, SNAPSHOT_COLUMNS, change_site, get_site,
                            insert_site, insert_sites, record_params)

__all__ = ["EDITABLE", "Actor", "get_site", "validate_site"]
# site.version is an integer column: a version beyond it cannot name a saved version.
MAX_VERSION = 2**31 - 1
MAX_REASON = 2000
# A change of district staff to an approved site waits in site.pending; a deletion waits there as DELETION.
SUBMIT_PENDING = "pending = CAST(:pending AS jsonb), pending_by = :by, pending_at = now(), review_note = NULL"
DELETION = {"deleted": True}
# What a planner reviews of a queued site, and what the queue lists of it.
REVIEWED = (*EDITABLE, "district_code", "commune_code")
QUEUE_COLUMNS = ("id", "name", "category", "district_code", "commune_code", "moderation", "version", "has_pending",
                 "submitted_by", "submitted_by_area", "submitted_at", "lon", "lat")
# A site waits for a planner while it is a new submission, has a change waiting, or has photos waiting (FROM site s).
AWAITING_REVIEW = """s.deleted_at IS NULL AND (s.moderation = 'submitted' OR s.pending IS NOT NULL
    OR EXISTS (SELECT FROM site_photo p WHERE p.site_id = s.id AND p.moderation = 'pending'))"""
# How much a district's outline is simplified for the review queue's small maps (degrees, about 200 m).
OUTLINE_TOLERANCE = 0.002


def _act_as(session: Session, actor: Actor) -> None:
    """Tell the database who writes, for its area check (transaction-local settings)."""
    # The setting keeps its SQL name scp.actor_unit: the trigger functions of migrations 0002 and 0004 read it.
    session.execute(text("SELECT set_config('scp.actor_unit', :area, true), set_config('scp.actor_role', :role, true)"),
                    {"area": (actor.area_code or "") if actor.role == "district_staff" else "", "role": actor.role})


def in_area(actor: Actor, site: Mapping[str, Any]) -> bool:
    """Whether a site lies in the area of a district staff member (planners: everywhere)."""
    if actor.is_planner:
        return True
    # An account with no area has none: never let a missing code match a site's missing commune.
    return bool(actor.area_code) and actor.area_code in (site.get("district_code"), site.get("commune_code"))


def _require_staff(actor: Actor | None) -> Actor:
    if actor is None:
        raise Forbidden("user", N_("Cần đăng nhập"))
    if actor.role == "agency":
        # An agency reports on its tasks (geo.task_reports); the sites are the districts' and the planners' work.
        raise Forbidden("role", N_("Tài khoản của cơ quan chỉ báo cáo nhiệm vụ, không thêm hay sửa điểm"))
    return actor


def _require_planner(actor: Actor | None) -> Actor:
    actor = _require_staff(actor)
    if not actor.is_planner:
        raise Forbidden("role", N_("Chỉ cán bộ kế hoạch được làm việc này"))
    return actor


def _check_area(actor: Actor, site: Mapping[str, Any]) -> None:
    # The same refusal as a site that does not exist: another district's ids are not theirs to probe.
    if not in_area(actor, site):
        raise NotFound("id", MISSING_SITE, id=site["id"])


def site_in_area(session: Session, actor: Actor, site_id: int) -> dict[str, Any]:
    """A site the actor may see, or NotFound whether it does not exist or lies outside their area."""
    site = get_site(session, site_id)
    _check_area(actor, site)
    return site


def may_edit(session: Session, actor: Actor | None, site_id: int) -> bool:
    """Whether the actor is staff who may edit that site: it exists and lies in their area."""
    if actor is None or actor.role == "agency":
        return False
    try:
        site_in_area(session, actor, site_id)
    except NotFound:
        return False
    return True


def _check_version(site: Mapping[str, Any], expected: int | None) -> None:
    if expected is None:
        raise BadParameter("version", N_("Cần số phiên bản của bản ghi đang sửa"))
    if expected != site["version"]:
        raise Conflict("version", N_("Người khác đã lưu điểm này (phiên bản %(current)s) sau khi bạn mở nó "
                                     "(phiên bản %(yours)s); hãy xem hai phiên bản rồi sửa lại"),
                       current=site["version"], yours=expected)


def _editable(session: Session, actor: Actor, site_id: int, expected_version: int | None) -> dict[str, Any]:
    """The site, locked, once it is known to exist, lie in the actor's area and be at the expected version."""
    current = get_site(session, site_id, lock=True)
    _check_area(actor, current)
    if current["deleted"]:
        raise NotFound("id", N_("Điểm số %(id)s đã bị xoá"), id=site_id)
    _check_version(current, expected_version)
    return current


def _awaiting_review(session: Session, site_id: int, expected_version: int | None) -> dict[str, Any]:
    """The site, locked, once it is known to wait for review at the expected version."""
    current = get_site(session, site_id, lock=True)
    _check_version(current, expected_version)
    if current["deleted"] or (current["moderation"] != "submitted" and not current["pending"]
                              and not photo_store.has_pending(session, site_id)):
        raise BadParameter("moderation", N_("Điểm này không chờ duyệt"))
    return current


def create_site(session: Session, actor: Actor | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """Add a site: approved at once for planners, submitted for review for district staff."""
    actor = _require_staff(actor)
    record = validate_site(data)
    _act_as(session, actor)
    site_id = insert_site(session, {**record, "moderation": "approved" if actor.is_planner else "submitted"},
                          by=actor.id)
    return get_site(session, site_id)


def create_site_once(session: Session, actor: Actor | None, data: Mapping[str, Any],
                     submission: uuid.UUID) -> tuple[dict[str, Any], bool]:
    """create_site for one filling of the new-site form, keyed by the form's own submission key: the same form
    sent again by the same person (its answer lost on the way back to a phone, a second tap) gives the site the
    first sending made, and False; the first sending gives the new site and True.

    The key's row is written first: a second sending at the same moment waits on it, then finds the site."""
    actor = _require_staff(actor)
    key = {"user": actor.id, "submission": submission}
    first = session.execute(text("""
        INSERT INTO site_submission (user_id, submission) VALUES (:user, :submission)
        ON CONFLICT DO NOTHING RETURNING submission"""), key).first()
    if first is None:
        site_id = session.execute(text("""
            SELECT site_id FROM site_submission WHERE user_id = :user AND submission = :submission"""),
            key).scalar_one()
        return get_site(session, site_id), False
    site = create_site(session, actor, data)
    session.execute(text("""
        UPDATE site_submission SET site_id = :site WHERE user_id = :user AND submission = :submission"""),
        {**key, "site": site["id"]})
    return site, True


def create_sites(session: Session, actor: Actor | None, records: list[Mapping[str, Any]]) -> list[int]:
    """Add many clean records (validate_site's) at once, each with its history row, in batched statements;
    moderation as for create_site. Returns their ids."""
    actor = _require_staff(actor)
    _act_as(session, actor)
    moderation = "approved" if actor.is_planner else "submitted"
    return insert_sites(session, [{**record, "moderation": moderation} for record in records], by=actor.id)


def _write_record(session: Session, current: Mapping[str, Any], record: Mapping[str, Any], actor: Actor,
                  moderation: str, action: str) -> dict[str, Any]:
    """Write a whole clean record over the site, with its moderation state; any pending change is dropped."""
    return change_site(session, current, action, actor.id,
                       f"{RECORD_COLUMNS}, moderation = :moderation, {CLEAR_PENDING}",
                       {**record_params(record), "moderation": moderation})


def _clean(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """A stored record as validate_site cleans it, to compare a save with; None if it no longer passes the checks."""
    try:
        return validate_site({}, current=record)
    except InvalidRecord:
        return None


def update_site(session: Session, actor: Actor | None, site_id: int, data: Mapping[str, Any],
                expected_version: int | None) -> dict[str, Any]:
    """Change a site; a district staff member's change to an approved site waits for review as 'pending'.

    A change to a site that already has a pending change is laid on top of that change, not on the approved
    version: submitting a change raises the version, so a writer whose version matches has seen the site with
    it (the form shows the pending values), and a partial update (a PATCH of the description) must not wipe the
    other fields of the change still waiting. Refusing with 409 would make the second person redo an edit that
    conflicts with nothing. A pending deletion cannot take an edit: that is a 409 until a planner reviews it.
    A planner's save publishes, so on a submitted site or one with a pending change it is recorded as an
    approval. A save that changes nothing writes nothing: no pending change, no history row.
    """
    actor = _require_staff(actor)
    current = _editable(session, actor, site_id, expected_version)
    if current["pending"] == DELETION:
        raise Conflict("pending", N_("Điểm này đang chờ duyệt yêu cầu xoá; chỉ sửa được sau khi cán bộ kế hoạch "
                                     "duyệt hoặc từ chối yêu cầu đó"))
    base = {**current, **(current["pending"] or {})}
    record = validate_site(data, current=base)
    publishes = actor.is_planner and (current["moderation"] != "approved" or bool(current["pending"]))
    if record == _clean(base) and not publishes:
        return current
    _act_as(session, actor)
    if actor.is_planner:
        return _write_record(session, current, record, actor, "approved", "approve" if publishes else "update")
    if current["moderation"] == "approved":
        # The approved version stays public; the change waits beside it until a planner approves it.
        return change_site(session, current, "submit_change", actor.id, SUBMIT_PENDING,
                           {"pending": json.dumps(record, ensure_ascii=False)})
    return _write_record(session, current, record, actor, "submitted", "update")


def delete_site(session: Session, actor: Actor | None, site_id: int, expected_version: int | None) -> dict[str, Any]:
    """Soft-delete a site (a planner can restore it); district staff's deletion of an approved site waits for review."""
    actor = _require_staff(actor)
    current = _editable(session, actor, site_id, expected_version)
    _act_as(session, actor)
    if not actor.is_planner and current["moderation"] == "approved":
        if current["pending"] == DELETION:
            return current  # already asked: asking again changes nothing
        if current["pending"]:
            # The deletion request would take the place of that change: someone's edit lost without a word.
            raise Conflict("pending", N_("Điểm này có một thay đổi đang chờ duyệt; chỉ yêu cầu xoá được sau khi cán "
                                         "bộ kế hoạch duyệt hoặc từ chối thay đổi đó"))
        # Like a change: the approved site stays public until a planner approves its deletion.
        return change_site(session, current, "submit_delete", actor.id, SUBMIT_PENDING,
                           {"pending": json.dumps(DELETION)})
    return change_site(session, current, "delete", actor.id, "deleted_at = now()")


def restore_site(session: Session, actor: Actor | None, site_id: int) -> dict[str, Any]:
    """Undo a soft deletion (planners only)."""
    actor = _require_planner(actor)
    current = get_site(session, site_id, lock=True)
    if not current["deleted"]:
        raise BadParameter("id", N_("Điểm số %(id)s chưa bị xoá"), id=site_id)
    _act_as(session, actor)
    return change_site(session, current, "restore", actor.id, "deleted_at = NULL")


def approve_site(session: Session, actor: Actor | None, site_id: int, expected_version: int | None) -> dict[str, Any]:
    """Publish a submitted site, or a pending change of an approved one, or delete it as asked (planners only)."""
    actor = _require_planner(actor)
    current = _awaiting_review(session, site_id, expected_version)
    _act_as(session, actor)
    if current["pending"] == DELETION:
        return change_site(session, current, "delete", actor.id,
                           f"deleted_at = now(), {CLEAR_PENDING}, review_note = NULL")
    # The photos sent with the submission are published with it.
    photo_store.settle(session, site_id, approve=True, by=actor.id)
    if current["pending"]:
        return _write_record(session, current, current["pending"], actor, "approved", "approve")
    return change_site(session, current, "approve", actor.id, "moderation = 'approved', review_note = NULL")


def reject_site(session: Session, actor: Actor | None, site_id: int, expected_version: int | None,
                reason: str) -> dict[str, Any]:
    """Send a submission back with a reason: a new site becomes rejected; a pending change is dropped."""
    actor = _require_planner(actor)
    reason = (reason or "").strip()
    if not reason:
        raise BadParameter("reason", N_("Cần ghi lý do từ chối"))
    if len(reason) > MAX_REASON:
        raise BadParameter("reason", N_("Dài quá %(n)s ký tự (đang có %(length)s ký tự)"), n=MAX_REASON,
                           length=len(reason))
    current = _awaiting_review(session, site_id, expected_version)
    _act_as(session, actor)
    photo_store.settle(session, site_id, approve=False, by=actor.id)
    # An approved site (with a change or photos waiting) stays approved: only what waited is rejected.
    keeps = current["pending"] or current["moderation"] == "approved"
    return change_site(session, current, "reject", actor.id,
                       f"moderation = :moderation, {CLEAR_PENDING}, review_note = :reason",
                       {"moderation": "approved" if keeps else "rejected", "reason": reason},
                       note=reason)


def sites_for(session: Session, actor: Actor, *, deleted: bool = False) -> list[dict[str, Any]]:
    """The sites a person works on: a district staff member's area, or all for planners; newest change first."""
    rows = session.execute(text("""
        SELECT s.id, s.name, s.category_code AS category, s.status, s.moderation, s.district_code,
               s.commune_code, s.version, s.review_note, s.pending IS NOT NULL AS has_pending, s.is_sample,
               s.updated_at AS updated
        FROM site s
        WHERE (:area = '' OR s.district_code = :area OR s.commune_code = :area)
          AND (s.deleted_at IS NOT NULL) = :deleted
        ORDER BY s.updated_at DESC, s.id DESC LIMIT 500"""),
        {"area": "" if actor.is_planner else actor.area_code, "deleted": deleted})
    return [dict(r._mapping) for r in rows]


def review_queue(session: Session) -> list[dict[str, Any]]:
    """Sites waiting for a planner, oldest first, in one query: new submissions with every field they fill (so
    nothing is approved unseen), and pending changes with what they change."""
    rows = session.execute(text(f"""
        SELECT {SNAPSHOT_COLUMNS}, s.pending IS NOT NULL AS has_pending, u.username AS submitted_by,
               u.unit_code AS submitted_by_area, coalesce(s.pending_at, s.updated_at) AS submitted_at
        FROM site s LEFT JOIN app_user u ON u.id = coalesce(s.pending_by, s.updated_by)
        WHERE {AWAITING_REVIEW}
        ORDER BY coalesce(s.pending_at, s.updated_at), s.id"""))  # noqa: S608 - fixed SQL fragments only
    queue = []
    for row in rows.mappings():
        shown = {key: row[key] for key in REVIEWED}
        pending = row["pending"]
        after = {**shown, **pending} if pending and pending != DELETION else shown
        queue.append({**{key: row[key] for key in QUEUE_COLUMNS}, "before": shown if pending else {},
                      "after": after, "deleting": pending == DELETION,
                      "changes": changes(shown, after) if pending else changes({}, shown)})
    return queue


def district_outlines(session: Session, codes: set[str]) -> dict[str, dict[str, Any]]:
    """The simplified outline of each district as an SVG path (y pointing down) with its bounding box
    (x0, y0, x1, y1 in degrees), to draw small maps of a site's position."""
    rows = session.execute(text("""
        SELECT DISTINCT ON (code) code, ST_AsSVG(ST_SimplifyPreserveTopology(geom, :tolerance), 0, 4) AS path,
               ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) AS x1, ST_YMax(geom) AS y1
        FROM admin_unit WHERE level = 'district' AND code = ANY(:codes)
        ORDER BY code, valid_from DESC"""), {"codes": sorted(codes), "tolerance": OUTLINE_TOLERANCE}).mappings()
    return {row["code"]: {"path": row["path"], "bbox": (row["x0"], row["y0"], row["x1"], row["y1"])}
            for row in rows}


def queue_length(session: Session) -> int:
    """How many sites wait for a planner."""
    return session.execute(text(f"SELECT count(*) FROM site s WHERE {AWAITING_REVIEW}")).scalar_one()  # noqa: S608


def site_history(session: Session, actor: Actor | None, site_id: int) -> list[dict[str, Any]]:
    """Every change of a site, newest first: who, when, what before and after (signed-in people only)."""
    site_in_area(session, _require_staff(actor), site_id)
    rows = session.execute(text("""
        SELECT h.version, h.action, u.username, h.changed_at,
               h.before, h.after, h.note
        FROM site_history h LEFT JOIN app_user u ON u.id = h.changed_by
        WHERE h.site_id = :id ORDER BY h.id DESC"""), {"id": site_id})
    return [dict(r._mapping) for r in rows]


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[tuple[str, Any, Any]]:
    """The fields that differ between two history snapshots, as (field, before, after)."""
    before, after = before or {}, after or {}
    return [(key, before.get(key), after.get(key)) for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)]


def review_many(session: Session, actor: Actor | None, items: list[tuple[int, int]], approve: bool,
                reason: str = "") -> list[dict[str, Any]]:
    """Approve, or reject with one reason, several submissions in the caller's transaction, each checked against
    the version the planner saw: all or none. A refusal names its site as the error's site_id."""
    if not items:
        raise BadParameter("item", N_("Chưa chọn điểm nào"))
    done = []
    for site_id, version in items:
        try:
            done.append(approve_site(session, actor, site_id, version) if approve
                        else reject_site(session, actor, site_id, version, reason))
        except DomainError as error:
            error.site_id = site_id  # type: ignore[attr-defined]
            raise
    return done


def add_photos(session: Session, actor: Actor | None, site_id: int, photos: list[ProcessedPhoto],
               photo_base: str) -> list[dict[str, Any]]:
    """Add processed photos to a site the actor may edit, in the caller's transaction: approved at once for a
    planner, waiting with the site's review for district staff. Returns them as listed (photo_store.PHOTO_JSON)."""
    actor = _require_staff(actor)
    if not photos:
        return []
    site = get_site(session, site_id, lock=True)
    _check_area(actor, site)
    if site["deleted"]:
        raise NotFound("id", N_("Điểm số %(id)s đã bị xoá"), id=site_id)
    # The distance is to where the site will be once its waiting change is approved.
    position = {**site, **(site["pending"] if site["pending"] and site["pending"] != DELETION else {})}
    had = photo_store.photo_ids(session, site_id)
    stored = [photo_store.store(session, site_id, photo, by=actor.id, approved=actor.is_planner,
                                site_lon=float(position["lon"]), site_lat=float(position["lat"]),
                                photo_base=photo_base)
              for photo in photos]
    # Each photo the site did not have yet is a line of its history, in the same transaction.
    added = sorted({row["id"] for row in stored} - had)
    photo_history(session, site, "add_photo", actor, added)
    return stored


def photo_history(session: Session, site: Mapping[str, Any], action: str, actor: Actor, photo_ids: list[int]) -> None:
    """A history line of the site for each photo added or deleted (action 'add_photo' or 'delete_photo'), at the
    site's version (a photo does not change the record), its note the photo's number."""
    session.execute(text("""
        INSERT INTO site_history (site_id, version, action, changed_by, note)
        SELECT :site_id, :version, :action, :by, '#' || photo_id FROM unnest(CAST(:ids AS integer[])) AS photo_id"""),
        {"site_id": site["id"], "version": site["version"], "action": action, "by": actor.id, "ids": photo_ids})


def delete_photo(session: Session, actor: Actor | None, site_id: int, photo_id: int) -> None:
    """Remove a photo of a site the actor may edit."""
    actor = _require_staff(actor)
    site = site_in_area(session, actor, site_id)
    if not photo_store.exists(session, site_id, photo_id):
        raise NotFound("photo_id", N_("Điểm số %(id)s không có ảnh số %(photo)s"), id=site_id, photo=photo_id)
    photo_store.remove(session, photo_id)
    photo_history(session, site, "delete_photo", actor, [photo_id])


def photo_content(session: Session, actor: Actor | None, sha256: str, *, thumbnail: bool) -> dict[str, Any]:
    """A photo's bytes for anyone when it is approved on a published site; otherwise only for the staff whose area
    holds a site that shows it (and planners); NotFound for everyone else, as for a photo that does not exist."""
    found = photo_store.content(session, sha256, thumbnail=thumbnail)
    if found is None or not (found["public"] or (actor is not None and actor.role != "agency"
                                                 and any(in_area(actor, site) for site in found["sites"]))):
        raise NotFound("photo", N_("Không có ảnh này"))
    return found
