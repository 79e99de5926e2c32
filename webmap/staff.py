"""Pages of the people who keep the map true: their sites, the site form, review, history, bulk import."""
from __future__ import annotations

import csv
import datetime as dt
import functools
import math
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import folium
from branca.element import MacroElement
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from jinja2 import Template

from geo import accounts, boundaries, editing, photo_store, photos
from geo.catalogue import CATEGORIES, DAY_FORMAT, DEFAULT_STATUS, MEASURES, PLAN_TASKS, default_task
from geo.errors import N_, BadParameter, Conflict, DomainError, Forbidden, InvalidRecord
from geo.site_record import NUMBER_MEASURES, YEAR_MEASURES, read_typed_measures
from webmap import labels, mapbuild, params, review_map, site_text
from webmap.auth import planner_required
from webmap.db import get_session
from webmap.errors import field_messages, message_of, status_for, status_of
from webmap.photos import MAX_PER_REQUEST, photo_base, processed

bp = Blueprint("staff", __name__, url_prefix="/staff")
WARDS_FILE = Path(__file__).resolve().parent.parent / "data" / "boundaries" / "kien-giang-wards-2020.csv"
DELETED = N_("Đã xoá điểm “%(name)s”; cán bộ kế hoạch có thể khôi phục")
DELETION_ASKED = N_("Đã gửi yêu cầu xoá điểm “%(name)s” chờ cán bộ kế hoạch duyệt")
ACTIONS = {"create": N_("Tạo mới"), "update": N_("Sửa"), "submit_change": N_("Gửi thay đổi chờ duyệt"),
           "submit_delete": N_("Gửi yêu cầu xoá chờ duyệt"),
           "delete": N_("Xoá"), "restore": N_("Khôi phục"), "approve": N_("Duyệt"), "reject": N_("Từ chối"),
           "add_photo": N_("Thêm ảnh"), "delete_photo": N_("Xoá ảnh")}


@functools.cache
def wards() -> tuple[dict[str, str], ...]:
    """The 143 wards and communes of 2009–2025, to place a site known only to its ward (read once per process)."""
    with open(WARDS_FILE, encoding="utf-8") as f:
        return tuple(csv.DictReader(f))


class ClickToPlace(MacroElement):
    """Clicking the form's map sets the coordinate boxes and moves the marker (static/site_form.js)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        ScpSiteForm.attach({{ this._parent.get_name() }});
        {% endmacro %}
    """)


def form_map(lat: float | None, lon: float | None) -> dict[str, str]:
    """A small map to click the location on, centred on the site if it has one."""
    options = mapbuild.MapOptions(centre=(lat, lon) if lat and lon else mapbuild.DEFAULT_CENTRE,
                                  zoom=13 if lat and lon else 8, fullscreen=False,
                                  base_map_names={"osm": "OpenStreetMap", "topo": "OpenTopoMap",
                                                  "satellite": "Esri", "blank": _("Nền trống")})
    m = mapbuild.base_map(options)
    # The districts show where the staff's area ends, even with no base-map tiles.
    districts = boundaries.units_features(get_session(), "district", simplify_m=100)
    mapbuild.districts_layer(districts, _("Ranh giới huyện (gần đúng)"), _("Huyện, thành phố")).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    m.add_child(ClickToPlace())
    return mapbuild.page_parts(m)


# The fields the conflict table puts side by side: the saved version and the one the user sent.
CONFLICT_FIELDS = ("name", "status", "lat", "lon", "address", "start_date", "end_date", "description", "source")


def _form_date(value: Any) -> Any:
    """An ISO date (a stored one) as dd/mm/yyyy; anything else as it is."""
    try:
        return dt.date.fromisoformat(value).strftime(DAY_FORMAT) if isinstance(value, str) and len(value) == 10 \
            else value
    except ValueError:
        return value


def _compared(saved: dict[str, Any], yours: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """The conflict table: (label, the saved value as people read it, the user's as typed, whether they differ)."""
    formatter = _formatter()
    rows = []
    for key in CONFLICT_FIELDS:
        theirs, mine = saved.get(key), yours.get(key)
        shown_mine = formatter.value(key, mine) if key == "status" else str(mine if mine is not None else "")
        differs = str(_form_date(theirs) if theirs is not None else "") != str(mine if mine is not None else "")
        rows.append((formatter.label(key), formatter.value(key, theirs), shown_mine, differs))
    return rows


def _form_data() -> dict[str, Any]:
    """The site form's fields as editing.validate_site reads them."""
    data = {key: request.form.get(key, "") for key in editing.EDITABLE if key != "measures"}
    # Only the measures the chosen category asks: boxes of another category are hidden, so what is left in
    # them after a change of category is not the user's answer.
    asked = next((c.measures for c in CATEGORIES if c.code == data["category"]), tuple(MEASURES))
    typed = {key: request.form.get(f"measure_{key}", "") for key in MEASURES if key in asked}
    # Numbers as the page writes them: "1.350" households on a Vietnamese page is 1 350.
    data["measures"] = read_typed_measures(typed, labels.lang())
    return data


def _form_measures(measures: dict[str, Any]) -> dict[str, Any]:
    """Stored measures as the form shows them: numbers in the page's way of writing (12,5), years as they are."""
    return {key: site_text.number(Decimal(str(value)))
            if key in NUMBER_MEASURES and key not in YEAR_MEASURES and isinstance(value, (int, float, Decimal))
            and not isinstance(value, bool) else value for key, value in measures.items()}


def _render_form(site: dict[str, Any] | None, values: dict[str, Any], errors: dict[str, str], status: int = 200,
                 conflict: dict[str, Any] | None = None):
    lat, lon = values.get("lat"), values.get("lon")
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        lat = lon = None
    if lat is not None and not (math.isfinite(lat) and math.isfinite(lon)):
        lat = lon = None  # "nan" or "inf" typed: refused by name in the form, and no map can centre on it
    measures = _form_measures(values.get("measures") or {})
    # A stored date (ISO) is shown the way the form asks for it, dd/mm/yyyy; what was typed stays as typed.
    values = {**values, **{key: _form_date(values.get(key)) for key in ("start_date", "end_date")}}
    return render_template(
        "staff/site_form.html", site=site, values=values, measures=measures, errors=errors, conflict=conflict,
        compared=_compared(conflict, values) if conflict else [],
        map=form_map(lat, lon), categories=labels.category_list(), category_measures={c.code: list(c.measures)
                                                                              for c in CATEGORIES},
        measure_labels=labels.measure_labels(), measure_choices=labels.measure_choices(),
        statuses=labels.status_choices(), plan_tasks=PLAN_TASKS,
        precisions=list(labels.precision_names().items()), wards=wards(),
        photos=photo_store.site_photos(get_session(), site["id"], photo_base(), pending=True) if site else [],
        photo_limits={"n": MAX_PER_REQUEST, "mb": photos.MAX_BYTES // (1024 * 1024)}), status


def _formatter() -> site_text.Formatter:
    """The names of this page's values (districts, communes, wards), read once per request."""
    return site_text.Formatter(accounts.area_names(get_session()),
                               {ward["code"]: ward["name"] for ward in wards()})


def _site_list(sites: list[dict[str, Any]], **extra: Any) -> str:
    return render_template("staff/staff_list.html", sites=sites, status_names=labels.status_names(),
                           moderation_names=labels.moderation_names(), unit_names=accounts.area_names(get_session()),
                           **extra)


@bp.get("/")
@login_required
def my_sites():
    """The signed-in person's sites: their area's for district staff, all for planners."""
    session = get_session()
    actor = current_user.actor
    return _site_list(editing.sites_for(session, actor), area=accounts.area_names(session).get(actor.area_code or ""),
                      queue=editing.queue_length(session) if actor.is_planner else None)


@bp.route("/sites/new", methods=["GET", "POST"])
@login_required
def new_site():
    """The form for a new site."""
    if request.method == "GET":
        return _render_form(None, {"status": DEFAULT_STATUS, "location_precision": "exact",
                                   "plan_task": default_task(CATEGORIES[0].code)}, {})
    data = _form_data()
    session = get_session()
    try:
        submission = _submission_key(request.form.get("submission"))
        sent = processed(request.files.getlist("photo"), "photo")
        if submission is None:  # a form from before the key (kept by a phone): saved as it always was
            site, made = editing.create_site(session, current_user.actor, data), True
        else:
            site, made = editing.create_site_once(session, current_user.actor, data, submission)
        if made:
            # In the site's own transaction: the site and its photos are saved together or not at all.
            editing.add_photos(session, current_user.actor, site["id"], sent, photo_base())
    except DomainError as error:
        session.rollback()
        status = status_of(error) if isinstance(error, Forbidden) else status_for(InvalidRecord)
        return _render_form(None, {**data, "submission": request.form.get("submission", "")},
                            field_messages(error), status)
    session.commit()
    if not made:
        flash(_("Điểm “%(name)s” đã được lưu từ lần gửi trước; biểu mẫu này không tạo thêm điểm nào",
                name=site["name"]))
    else:
        flash(_("Đã lưu điểm “%(name)s”", name=site["name"]) if site["moderation"] == "approved"
              else _("Đã gửi điểm “%(name)s” chờ cán bộ kế hoạch duyệt", name=site["name"]))
    return redirect(url_for("staff.my_sites"))


def _submission_key(value: str | None) -> uuid.UUID | None:
    """The new-site form's own key (static/site_form.js makes it when the form opens), or None if it has none."""
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise BadParameter("submission",
                           N_("Mã biểu mẫu không hợp lệ: hãy mở lại biểu mẫu và gửi lần nữa")) from None


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@login_required
def edit_site(site_id: int):
    """The form to change a site; a stale version is refused with both versions shown."""
    session = get_session()
    site = editing.site_in_area(session, current_user.actor, site_id)
    if request.method == "GET":
        values = {**site, **(site["pending"] or {})}
        return _render_form(site, values, {})
    version = _form_version()
    data = _form_data()
    try:
        sent = processed(request.files.getlist("photo"), "photo")
        updated = editing.update_site(session, current_user.actor, site_id, data, version)
        added = editing.add_photos(session, current_user.actor, site_id, sent, photo_base())
    except DomainError as error:
        session.rollback()
        if error.field == "pending":
            raise Refused(error) from error  # a deletion waits for review: nothing to merge by hand
        conflict = editing.get_site(session, site_id) if isinstance(error, Conflict) else None
        return _render_form(site, {**data, "version": request.form.get("version")}, field_messages(error),
                            status_of(error), conflict)
    session.commit()
    if updated["version"] == site["version"] and added:
        flash(_("Đã lưu %(n)s ảnh", n=len(added)) if current_user.actor.is_planner
              else _("Đã gửi %(n)s ảnh chờ duyệt", n=len(added)))
    elif updated["version"] == site["version"]:
        flash(_("Không có gì thay đổi: chưa lưu gì"))
    else:
        flash(_("Đã gửi thay đổi chờ duyệt") if updated["pending"] or updated["moderation"] == "submitted"
              else _("Đã lưu thay đổi"))
    return redirect(url_for("staff.my_sites"))


class Refused(Exception):
    """A domain error met by a staff action, carried to the one handler that renders the refusal page."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(str(error))
        self.error = error


def _form_version() -> int | None:
    """The version the form was based on; a value that is not a whole number is refused, naming version."""
    try:
        return params.integer("version", request.form.get("version"), 1, editing.MAX_VERSION)
    except BadParameter as error:
        raise Refused(error) from error


def _post_action(site_id: int, action, *args) -> dict[str, Any]:
    """Run one editing action in its own transaction; a domain error rolls it back and raises Refused."""
    session = get_session()
    try:
        result = action(session, current_user.actor, site_id, *args)
    except DomainError as error:
        session.rollback()
        raise Refused(error) from error
    session.commit()
    return result


def _act(site_id: int, action, done: str | Callable[[dict[str, Any]], str], back: str, *args):
    """Run an editing action, say what was done (done, or done(site), names the site as %(name)s), and go back."""
    result = _post_action(site_id, action, *args)
    flash(_(done(result) if callable(done) else done, name=result["name"]))
    return redirect(url_for(back))


@bp.errorhandler(Refused)
def refused(refusal: Refused):
    """A page with the reason and the refusal's own status, not a redirect: nothing was changed."""
    error = refusal.error
    return render_template("staff/staff_refused.html", field=error.field, reason=message_of(error),
                           back=_same_site(request.referrer) or url_for("staff.my_sites")), status_of(error)


def _same_site(url: str | None) -> str | None:
    """The path of a URL of this site, or None: a link back never leads to another host."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.post("/sites/<int:site_id>/delete")
@login_required
def delete_site(site_id: int):
    """Soft-delete a site."""
    return _act(site_id, editing.delete_site,
                lambda site: DELETED if site["deleted"] else DELETION_ASKED, "staff.my_sites", _form_version())


@bp.post("/sites/<int:site_id>/restore")
@planner_required
def restore_site(site_id: int):
    """Undo a deletion."""
    return _act(site_id, editing.restore_site, N_("Đã khôi phục điểm “%(name)s”"), "staff.deleted_sites")


@bp.get("/deleted")
@planner_required
def deleted_sites():
    """Deleted sites, to restore."""
    return _site_list(editing.sites_for(get_session(), current_user.actor, deleted=True), deleted=True, queue=None)


@bp.get("/review")
@planner_required
def review():
    """The planners' review queue."""
    session = get_session()
    queue = editing.review_queue(session)
    formatter = _formatter()
    for item in queue:
        item["rows"] = formatter.rows(item["before"], item["after"])
        item["submitted_on"] = labels.moment(item["submitted_at"])
    outlines = editing.district_outlines(session, {item["district_code"] for item in queue if item["district_code"]})
    return render_template("staff/review.html", queue=queue, unit_names=formatter.units,
                           maps={item["id"]: review_map.position_map(item, outlines) for item in queue},
                           outlines=outlines, photos=_pending_photos(session, [item["id"] for item in queue]))


def _pending_photos(session, site_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The photos waiting with each queued site, with the page's way of writing their date and distance."""
    found = photo_store.pending_for_review(session, site_ids, photo_base())
    for photo in (photo for listed in found.values() for photo in listed):
        photo["taken_on"] = _form_date((photo["photo"]["taken_at"] or "")[:10]) or None
        photo["distance"] = None if photo["distance_m"] is None else site_text.number(Decimal(photo["distance_m"]))
    return found


@bp.post("/sites/<int:site_id>/approve")
@planner_required
def approve(site_id: int):
    """Approve a submission."""
    return _act(site_id, editing.approve_site, N_("Đã duyệt “%(name)s”"), "staff.review", _form_version())


@bp.post("/sites/<int:site_id>/reject")
@planner_required
def reject(site_id: int):
    """Reject a submission with a reason."""
    return _act(site_id, editing.reject_site, N_("Đã từ chối “%(name)s”"), "staff.review",
                _form_version(), request.form.get("reason", ""))


@bp.get("/sites/<int:site_id>/history")
@login_required
def history(site_id: int):
    """Who changed what and when, before and after."""
    session = get_session()
    site = editing.get_site(session, site_id)
    rows = editing.site_history(session, current_user.actor, site_id)
    formatter = _formatter()
    for row in rows:
        row["rows"] = formatter.rows(row["before"], row["after"])
        row["action_name"] = _(ACTIONS.get(row["action"], row["action"]))
    return render_template("staff/history.html", site=site, rows=rows)


@bp.post("/review/batch")
@planner_required
def review_batch():
    """Approve, or reject with one reason, the submissions ticked in the review queue (item = id:version), each
    against the version shown: all or none."""
    action = request.form.get("action", "")
    items = []
    for item in request.form.getlist("shown" if action == "approve_all" else "item"):
        site_id, _sep, version = item.partition(":")
        items.append((params.integer("item", site_id, 1, 2**31 - 1), params.integer("item", version, 1,
                                                                                      editing.MAX_VERSION)))
    approving = action in ("approve", "approve_all")
    session = get_session()
    try:
        done = editing.review_many(session, current_user.actor, items, approving, request.form.get("reason", ""))
    except DomainError as error:
        session.rollback()
        site_id = getattr(error, "site_id", None)
        flash(_("Chưa duyệt hay từ chối điểm nào: điểm số %(id)s: %(reason)s", id=site_id, reason=message_of(error))
              if site_id and error.field != "reason" else message_of(error), "error")
        return redirect(url_for("staff.review"))
    session.commit()
    flash(_("Đã duyệt %(n)s điểm", n=len(done)) if approving else _("Đã từ chối %(n)s điểm", n=len(done)))
    return redirect(url_for("staff.review"))


# The import pages (webmap/staff_import.py) are this blueprint's too.
from webmap import staff_import  # noqa: E402,F401
