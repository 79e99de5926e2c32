"""Sign-in, sign-out and password change (Flask-Login), API tokens, CSRF (Flask-WTF) and the sign-in rate limit.

The sign-in limit counts failures in PostgreSQL (table sign_in_failure), so every gunicorn worker sees the same
count: the database is already there, where Redis would be one more service to install, run and watch.
A session remembers its account's session generation; sign-out and a new password raise it, ending them all.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, session as cookie, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from geo import accounts
from geo.accounts import Actor
from geo.errors import BadParameter, DomainError, Forbidden, InvalidRecord
from webmap.db import get_session
from webmap.errors import TooManyAttempts, Unauthorized, message_of, status_for

bp = Blueprint("auth", __name__, url_prefix="/staff")
login_manager = LoginManager()
csrf = CSRFProtect()
# Failed tries allowed in WINDOW seconds: per address and name, and (one password tried on many names) per address.
SIGN_IN_LIMIT = 5
ADDRESS_LIMIT = 30
WINDOW = 60


class User(UserMixin):
    """The signed-in person, as Flask-Login wants it."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.id = str(actor.id)


def current_actor() -> Actor | None:
    """The signed-in person (session or API token), or None for the public."""
    if g.get("bearer"):
        # A request that names a token is that token's, or nobody's: a bad token never falls back to the cookie.
        return g.get("token_actor")
    return current_user.actor if current_user.is_authenticated else None


def planner_required(view: Callable) -> Callable:
    """Only planners and admins may open this page."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.actor.is_planner:
            status = status_for(Forbidden)
            return render_template("error.html", status=status, field="role",
                                   reason=_("Chỉ cán bộ kế hoạch được làm việc này")), status
        return view(*args, **kwargs)

    return wrapped


REQUIRED = _l("Cần nhập ô này")


class SignInForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[
        DataRequired(REQUIRED), Length(max=80, message=_l("Tên đăng nhập dài quá %(n)s ký tự", n=80))])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(REQUIRED)])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(_l("Mật khẩu mới"), validators=[
        DataRequired(REQUIRED),
        Length(min=accounts.MIN_PASSWORD,
               message=_l("Mật khẩu phải có ít nhất %(n)s ký tự", n=accounts.MIN_PASSWORD))])


def _sign_in_keys() -> list[str]:
    """The address, then the address and name, of a sign-in: what its failures are counted under."""
    # Per address and name: one office behind one address can still sign in while a name is attacked.
    # The address comes first because failures_within locks the first key: every try from one address is
    # counted in turn, so tries at many names at once cannot all read 29 and pass the address's limit of 30.
    # remote_addr is the visitor's behind TRUSTED_PROXIES proxies (ProxyFix), not nginx's.
    name = (request.form.get("username") or "").strip().lower()
    return [f"{request.remote_addr}", f"{request.remote_addr}:{name}"]


def _refuse_when_over(session, limits: dict[str, int]) -> None:
    """429 when a key has had its limit of failures in the window (every worker counts the same rows)."""
    counts = accounts.failures_within(session, list(limits), WINDOW)
    if any(counts[key] >= limit for key, limit in limits.items()):
        session.rollback()
        abort(status_for(TooManyAttempts))


def _sign_in(actor: Actor) -> None:
    login_user(User(actor))
    cookie["generation"] = accounts.session_generation(get_session(), actor.id)


def _local_path(target: str | None) -> str | None:
    """The target if it is a path on this site, else None: never send a signed-in person to another host."""
    # Browsers read a backslash like a slash and drop tabs, so '/' + backslash + 'host' would mean '//host'.
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ch == "\\" or ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with a username and password."""
    form = SignInForm()
    if form.validate_on_submit():
        session = get_session()
        keys = _sign_in_keys()
        _refuse_when_over(session, dict(zip(keys, (ADDRESS_LIMIT, SIGN_IN_LIMIT))))
        actor = accounts.authenticate(session, form.username.data, form.password.data)
        if actor is not None:
            _sign_in(actor)
            session.commit()
            home = url_for("task_reports.index") if actor.role == "agency" else url_for("staff.my_sites")
            return redirect(_local_path(request.args.get("next")) or home)
        accounts.record_failure(session, keys, WINDOW)
        session.commit()
        flash(_("Sai tên đăng nhập hoặc mật khẩu"), "error")
        return render_template("auth/login.html", form=form), status_for(Unauthorized)
    return render_template("auth/login.html", form=form), status_for(BadParameter) if request.method == "POST" else 200


@bp.post("/logout")
@login_required
def logout():
    """Sign out, here and in every other session of this account."""
    session = get_session()
    accounts.end_sessions(session, current_user.actor.id)
    session.commit()
    logout_user()
    cookie.pop("generation", None)
    flash(_("Đã đăng xuất"))
    response = redirect(url_for("maps.index"))
    # What the staff's app kept on this device (webmap/offline.py: pages, files, sites waiting) goes with the session.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password: every other session of the account ends, this one goes on."""
    form = PasswordForm()
    if form.validate_on_submit():
        session = get_session()
        key = f"password:{current_user.actor.id}"
        _refuse_when_over(session, {key: SIGN_IN_LIMIT})
        try:
            accounts.change_password(session, current_user.actor, form.current_password.data,
                                     form.new_password.data)
        except DomainError as error:
            session.rollback()
            if error.field == "current_password":
                accounts.record_failure(session, [key], WINDOW)
                session.commit()
            getattr(form, error.field, form.new_password).errors.append(message_of(error))
            return render_template("auth/password.html", form=form), status_for(InvalidRecord)
        cookie["generation"] = accounts.session_generation(session, current_user.actor.id)
        session.commit()
        flash(_("Đã đổi mật khẩu"))
        return redirect(url_for("staff.my_sites"))
    return render_template("auth/password.html", form=form), (status_for(InvalidRecord) if request.method == "POST"
                                                              else 200)


def _token_from_header() -> None:
    # Tokens are for the JSON API only; the staff pages go by the signed-in session and its CSRF token.
    header = request.headers.get("Authorization", "")
    if request.path.startswith("/api/") and header.lower().startswith("bearer "):
        g.token_actor = accounts.actor_for_token(get_session(), header[7:].strip())
        get_session().commit()
        g.bearer = True


def init_app(app: Flask) -> None:
    """Set up Flask-Login, CSRF and token authentication."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Cần đăng nhập để mở trang này")
    # CSRF is checked below, after the token: a request signed with a personal API token carries no cookie
    # a forger could ride on, so only cookie-authenticated writes need the CSRF token.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)

    @login_manager.user_loader
    def load_user(user_id: str):
        # A session signed in before the account's sessions were ended (sign-out, new password) is refused.
        generation = cookie.get("generation")
        if not isinstance(generation, int):
            return None
        actor = accounts.get_actor(get_session(), int(user_id), generation)
        return User(actor) if actor else None

    @app.before_request
    def authenticate_and_check_csrf() -> None:
        _token_from_header()
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not g.get("bearer"):
            # A signed-out write to the API has no cookie to forge: it gets a plain 401 from the view.
            if request.path.startswith("/api/") and not current_user.is_authenticated:
                return
            csrf.protect()

    @app.context_processor
    def who() -> dict:
        return {"actor": current_actor()}
