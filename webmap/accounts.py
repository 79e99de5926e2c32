"""The admin's page of accounts: add one, disable one, set a new password, make an API token; every token listed."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from geo import accounts
from geo.errors import BadParameter, DomainError, Forbidden
from webmap import labels
from webmap.db import get_session
from webmap.errors import field_messages, status_for, status_of

bp = Blueprint("accounts", __name__, url_prefix="/staff")


def _add(session, name: str) -> str:
    accounts.create_user(session, name, request.form.get("password", ""), request.form.get("role", ""),
                         request.form.get("area_code") or None, request.form.get("display_name") or None)
    return _("Đã thêm tài khoản %(name)s", name=name)


def _disable(session, name: str) -> str:
    accounts.disable(session, name)
    return _("Đã khoá tài khoản %(name)s", name=name)


def _set_password(session, name: str) -> str:
    accounts.set_password(session, name, request.form.get("password", ""))
    return _("Đã đặt mật khẩu mới cho %(name)s", name=name)


ACTIONS = {"add": _add, "disable": _disable, "password": _set_password}


def _page(session, status: int = 200, *, errors: dict | None = None, form=None, new_token: str | None = None):
    return render_template("accounts/users.html", users=accounts.list_users(session),
                           tokens=accounts.list_tokens(session), errors=errors or {}, form=form or {},
                           new_token=new_token, token_days=accounts.TOKEN_DAYS, role_names=labels.role_names(),
                           areas=accounts.areas(session), area_names=accounts.area_names(session)), status


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users():
    """The admin's page of accounts (admins only)."""
    if current_user.actor.role != "admin":
        abort(status_for(Forbidden))
    session = get_session()
    if request.method == "GET":
        return _page(session)
    name = request.form.get("username", "")
    if request.form.get("action") == "token":
        try:
            token = accounts.create_token(session, name, request.form.get("days"))
        except DomainError as error:
            session.rollback()
            return _page(session, status_of(error), errors=field_messages(error), form=request.form)
        session.commit()
        # Shown once, in this answer only: a redirect would have to carry it in the (readable) session cookie.
        return _page(session, 201, new_token=token)
    action = ACTIONS.get(request.form.get("action", ""))
    if action is None:
        abort(status_for(BadParameter))
    try:
        message = action(session, name)
    except DomainError as error:
        session.rollback()
        return _page(session, status_of(error), errors=field_messages(error), form=request.form)
    session.commit()
    flash(message)
    return redirect(url_for("accounts.users"))
