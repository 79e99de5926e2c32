"""The staff's installable app: its web app manifest, its service worker (scope /staff/) and a fresh CSRF token
for the sites the worker kept while there was no connection.

The worker (templates/offline/staff_sw.js) keeps the site form and the files it loads, per signed-in person:
its cache is named by a key of the account, so one person's pages are never served to another, and sign-out
(webmap/auth.py) clears every cache and the waiting sites (Clear-Site-Data, and static/offline.js before it).
A site form posted without a connection is kept in IndexedDB by the worker and sent again, in order, by
static/offline.js once the connection returns.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from geo.catalogue import PROVINCE_TIME_ZONE
from geo.errors import N_, Conflict, Forbidden, InvalidRecord
from webmap.assets import STATIC_URL, static_url
from webmap.errors import Unauthorized, error_body, status_for
from webmap.i18n import select_locale
from webmap.mapplugins import PageMap

bp = Blueprint("offline", __name__, url_prefix="/staff")

# The files of the site form's page besides the map's (base.html's, the form's own, the offline queue's).
FORM_FILES = ("favicon.svg", "app.css", "layout.js", "site_form.js", "offline_queue.js", "offline.js")
# Images Leaflet's stylesheet and its default marker ask for by relative URL (no version in it).
LEAFLET_IMAGES = ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")
ICON_SIZES = (192, 512)
THEME_COLOUR = "#1b5e20"
APP_NAME = N_("Bản đồ SXTD bền vững – cán bộ")
APP_SHORT_NAME = N_("SXTD cán bộ")
SIGNED_OUT = N_("Cần đăng nhập để mở trang này")
NO_PAGE_OFFLINE = N_("Không có mạng, và trang này chưa được lưu trên máy. Các trang đã mở khi có mạng "
                     "(danh sách điểm, biểu mẫu thêm điểm) vẫn mở được.")


# What static/offline.js says, in the page's language ({n} and {status} are filled in there).
TEXT = {
    "waiting": N_("Đang chờ gửi: %(n)s"),
    "waiting_note": N_("Đã lưu trên máy này khi không có mạng; sẽ tự gửi, theo thứ tự, khi có mạng trở lại."),
    "sent": N_("Đã gửi %(n)s điểm lưu khi không có mạng."),
    "refused": N_("Máy chủ không nhận: %(n)s"),
    "signed_out": N_("Phiên đăng nhập đã hết: hãy đăng nhập lại để gửi các điểm đang chờ."),
    "sign_in": N_("Đăng nhập lại"),
    "other_account": N_("Lưu bởi một tài khoản khác: đăng nhập bằng tài khoản đó để gửi."),
    "saved_at": N_("lưu lúc"),
    "conflict": N_("Người khác đã lưu điểm này trong lúc bạn không có mạng. Mở biểu mẫu để xem hai bản, "
                   "rồi lưu lại bản đúng."),
    "invalid": N_("Có ô chưa đúng. Mở biểu mẫu với dữ liệu của bạn để sửa rồi lưu lại."),
    "forbidden": N_("Tài khoản này không được lưu điểm này (ngoài địa bàn, hoặc quyền đã đổi). Mở biểu mẫu để "
                    "xem lý do."),
    "too_large": N_("Quá lớn để gửi: hãy mở biểu mẫu và bớt ảnh."),
    "other": N_("Máy chủ trả lời mã %(status)s. Mở biểu mẫu để xem lý do."),
    "open": N_("Mở biểu mẫu với dữ liệu của bạn"),
    "discard": N_("Bỏ điểm này"),
    "discard_ask": N_("Xoá điểm này khỏi máy? Những gì chưa gửi sẽ mất."),
    "opened": N_("Đã mở lại trong biểu mẫu: khi đã lưu xong, hãy bỏ nó khỏi danh sách này."),
    "sign_out_drops": N_("Còn %(n)s điểm chưa gửi trên máy này; đăng xuất sẽ xoá chúng. Vẫn đăng xuất?"),
}
# The advice shown beside a kept site the server refused, by the status of the refusal (webmap/errors.py's table;
# 413 is werkzeug's, for a body over MAX_CONTENT_LENGTH).
ADVICE = {status_for(Conflict): "conflict", status_for(InvalidRecord): "invalid", status_for(Forbidden): "forbidden",
          413: "too_large"}


def user_key(user_id: int) -> str:
    """An opaque key of an account, naming its caches and its waiting sites (not its id, which pages show)."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"offline:{user_id}".encode(), hashlib.sha256).hexdigest()[:16]


def precached_urls() -> list[str]:
    """What the worker keeps at once: the site form and the staff list, and every file the form's page loads."""
    files = [static_url(name) for name in FORM_FILES]
    files += [url for _name, url in (*PageMap.default_js, *PageMap.default_css)]
    files += [f"{STATIC_URL}/vendor/leaflet/dist/images/{name}" for name in LEAFLET_IMAGES]
    return [url_for("staff.new_site"), url_for("staff.my_sites"), *files]


def page_settings() -> dict[str, Any] | None:
    """What static/offline.js works with on a staff page of a signed-in person (None elsewhere): its URLs, the
    person's key and its words."""
    home = url_for("staff.my_sites")
    actor = current_user.actor if current_user.is_authenticated else None
    if actor is None or actor.role == "agency" or not request.path.startswith(home):
        return None
    return {"user": user_key(actor.id), "worker": url_for("offline.worker"), "scope": home, "home": home,
            "token": url_for("offline.token"), "login": url_for("auth.login"), "logout": url_for("auth.logout"),
            "manifest": url_for("offline.manifest"), "time_zone": PROVINCE_TIME_ZONE.key, "advice": {str(status): key for status, key in ADVICE.items()},
            "text": {key: _(message, n="{n}", status="{status}") for key, message in TEXT.items()}}


@bp.app_context_processor
def offline_page() -> dict[str, Any]:
    """base.html's `offline`: the settings of static/offline.js on a staff page, or None."""
    return {"offline": page_settings()}


@bp.get("/sw.js")
def worker():
    """The service worker of a signed-in person (its cache is theirs); nothing for anyone else."""
    if not current_user.is_authenticated:
        return Response(status=status_for(Unauthorized))
    urls = precached_urls()
    key = user_key(current_user.actor.id)
    version = hashlib.sha256("\n".join(urls).encode()).hexdigest()[:12]
    body = render_template("offline/staff_sw.js", settings={
        "cache": f"scp-staff-{key}-{version}", "user": key, "precache": urls, "home": url_for("staff.my_sites"),
        "login": url_for("auth.login"), "static": f"{STATIC_URL}/", "queue_script": static_url("offline_queue.js"),
        "title": _(APP_NAME), "offline_page": _(NO_PAGE_OFFLINE), "language": select_locale()})
    return Response(body, mimetype="text/javascript")


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: installed on a phone, the app opens the staff's list of sites."""
    home = url_for("staff.my_sites")
    icons = [{"src": static_url("favicon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}]
    icons += [{"src": static_url(f"icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png",
               "purpose": "any"} for size in ICON_SIZES]
    body = {"name": _(APP_NAME), "short_name": _(APP_SHORT_NAME), "lang": select_locale(), "start_url": home,
            "scope": home, "display": "standalone", "background_color": "#ffffff", "theme_color": THEME_COLOUR,
            "icons": icons}
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")


@bp.get("/csrf-token")
def token():
    """A fresh CSRF token and the account's key, for sending the sites kept offline; 401 when signed out."""
    if not current_user.is_authenticated:
        status = status_for(Unauthorized)
        return jsonify(error_body(None, _(SIGNED_OUT), status)), status
    return jsonify({"csrf_token": generate_csrf(), "user": user_key(current_user.actor.id)})
