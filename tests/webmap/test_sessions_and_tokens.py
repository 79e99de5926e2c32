"""Sign-out and a new password end every session of the account; API tokens expire; the admin sees their use."""
from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import accounts, admin
from geo.catalogue import PROVINCE_TIME_ZONE
from tests.staffkit import PASSWORD, api, csrf_token, feature, sign_in, tokens, users  # noqa: F401 - fixtures

NEW_PASSWORD = "mật-khẩu-mới-dài-hơn"


def _copy_of(client, app):
    """A second browser holding a copy of client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_in(client) -> bool:
    return client.get("/staff/").status_code == 200


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, client, users):
    sign_in(client, "staff_899")
    copy = _copy_of(client, app)
    assert _signed_in(copy)
    assert client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")}).status_code == 302
    response = copy.get("/staff/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_signing_out_in_one_browser_ends_the_session_in_another(app, client, users):
    other = app.test_client()
    sign_in(client, "planner")
    sign_in(other, "planner")
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    assert not _signed_in(other)
    assert sign_in(other, "planner").status_code == 302 and _signed_in(other)


def test_a_new_password_ends_other_sessions_and_keeps_this_one(app, client, users):
    other = app.test_client()
    sign_in(client, "staff_899")
    sign_in(other, "staff_899")
    copy = _copy_of(client, app)
    response = client.post("/staff/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                     "csrf_token": csrf_token(client, "/staff/password")})
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other) and not _signed_in(copy)


def test_a_password_set_by_the_admin_ends_the_users_sessions(app, client, users):
    staff = app.test_client()
    sign_in(staff, "staff_911")
    sign_in(client, "admin")
    response = client.post("/staff/users", data={"action": "password", "username": "staff_911",
                                                 "password": NEW_PASSWORD,
                                                 "csrf_token": csrf_token(client, "/staff/users")})
    assert response.status_code == 302
    assert not _signed_in(staff)
    assert _signed_in(client)


def test_a_session_without_a_generation_is_refused(app, client, users):
    """A cookie signed before this change (no generation in it) does not keep anyone signed in."""
    sign_in(client, "planner")
    with client.session_transaction() as session:
        session.pop("generation")
    assert not _signed_in(client)


def test_a_token_lasts_90_days_by_default_and_is_refused_once_expired(client, db, users):
    with Session(db) as session, session.begin():
        token = accounts.create_token(session, "planner")
        expires = session.execute(text("SELECT expires_at - now() FROM api_token")).scalar_one()
    assert dt.timedelta(days=89, hours=23) < expires <= dt.timedelta(days=90)
    assert api(client, "POST", "/api/sites", token, feature("Trước hạn")).status_code == 201
    with db.begin() as connection:
        connection.execute(text("UPDATE api_token SET expires_at = now() - interval '1 second'"))
    response = api(client, "POST", "/api/sites", token, feature("Sau hạn"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert [f["properties"]["name"] for f in client.get("/api/sites").get_json()["features"]] == ["Trước hạn"]


def test_the_admin_page_makes_a_token_for_some_days_and_shows_use_and_expiry(client, db, users):
    sign_in(client, "admin")
    response = client.post("/staff/users", data={"action": "token", "username": "staff_899", "days": "7",
                                                 "csrf_token": csrf_token(client, "/staff/users")})
    assert response.status_code == 201
    page = response.data.decode()
    token = page.split('id="new-token">')[1].split("<code>")[1].split("</code>")[0]
    assert "chưa dùng" in page
    assert api(client, "POST", "/api/sites", token, feature("Bằng mã 7 ngày")).status_code == 201
    with db.connect() as connection:
        days = connection.execute(text("SELECT expires_at - created_at FROM api_token")).scalar_one()
    assert days == dt.timedelta(days=7)
    listed = client.get("/staff/users").data.decode()
    # The page shows the province's time (UTC+7): from 17:00 UTC its date is a day ahead of UTC's.
    expiry = (dt.datetime.now(PROVINCE_TIME_ZONE) + dt.timedelta(days=7)).strftime("%d/%m/%Y")
    table = listed.split('id="tokens"')[1].split("</table>")[0]
    assert "staff_899" in table and expiry in table and "chưa dùng" not in table and "còn hiệu lực" in table
    assert token not in listed


def test_the_admin_page_refuses_bad_days_by_name(client, db, users):
    sign_in(client, "admin")
    for days in ("0", "abc", "99999"):
        response = client.post("/staff/users", data={"action": "token", "username": "staff_899", "days": days,
                                                     "csrf_token": csrf_token(client, "/staff/users")})
        assert response.status_code == 400
        assert 'class="field-error"' in response.data.decode()
    with db.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM api_token")).scalar_one() == 0


def test_migration_0006_downgrades_and_upgrades(db, database_url):
    config = admin.alembic_config(database_url)
    command.downgrade(config, "0004")
    try:
        with db.connect() as connection:
            columns = connection.execute(text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'api_token'")).scalars().all()
            assert "expires_at" not in columns
            assert connection.execute(text("SELECT to_regclass('sign_in_failure')")).scalar() is None
    finally:
        command.upgrade(config, "head")
    with db.connect() as connection:
        assert connection.execute(text("SELECT to_regclass('sign_in_failure')")).scalar() == "sign_in_failure"


def test_the_tokens_table_reads_in_english(client, users, tokens):
    sign_in(client, "admin")
    page = client.get("/staff/users?lang=en").data.decode()
    table = page.split('id="tokens"')[1].split("</table>")[0]
    assert "Last used" in table and "Expires" in table and "never used" in table and "valid" in table
