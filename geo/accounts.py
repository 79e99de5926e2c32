"""Accounts: users with argon2 password hashes and roles, and personal API tokens stored as hashes."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.agencies import find_agency
from geo.catalogue import ROLES
from geo.errors import N_, BadParameter, NotFound

HASHER = PasswordHasher()
MIN_PASSWORD = 10
TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650


@dataclass(frozen=True)
class Actor:
    """Who is making a request: what geo/ needs to check a write and to sign its history."""

    id: int
    username: str
    role: str
    area_code: str | None  # the district or 2025 commune of district staff; None for everyone else
    agency_code: str | None = None  # the agency (geo.agencies) of an agency account; None for everyone else

    @property
    def is_planner(self) -> bool:
        return self.role in ("planner", "admin")


# app_user.unit_code keeps its SQL name (see geo/editing.py on scp.actor_unit); in Python it is the area.
_USER_COLUMNS = "id, username, role, unit_code AS area_code, agency_code, is_active, display_name"


def _actor(row) -> Actor:
    return Actor(id=row.id, username=row.username, role=row.role, area_code=row.area_code,
                 agency_code=row.agency_code)


def check_password_rules(password: str) -> None:
    """Refuse a password too short to resist guessing."""
    if len(password) < MIN_PASSWORD:
        raise BadParameter("password", N_("Mật khẩu phải có ít nhất %(n)s ký tự"), n=MIN_PASSWORD)


def create_user(session: Session, username: str, password: str, role: str, area_code: str | None = None,
                display_name: str | None = None, agency: str | None = None) -> Actor:
    """Add an account; district staff need the code of a district or 2025 commune as their area, an agency
    account the code or name of its agency."""
    username = username.strip()
    if not username or len(username) > 80 or not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise BadParameter("username", N_("Tên đăng nhập chỉ gồm chữ, số, dấu chấm, gạch ngang, gạch dưới"))
    if role not in ROLES:
        raise BadParameter("role", N_("Giá trị không hợp lệ: %(values)s; chọn trong: %(allowed)s"),
                           values=role, allowed=", ".join(ROLES))
    if role == "district_staff":
        level = session.execute(text("SELECT level FROM admin_unit WHERE code = :code AND level IN "
                                     "('district', 'commune')"), {"code": area_code or ""}).scalar()
        if level is None:
            raise BadParameter("area_code", N_("Cán bộ huyện cần mã một huyện hoặc một xã (2025) có trong danh mục"))
    else:
        area_code = None
    agency_code = find_agency(agency or "").code if role == "agency" else None
    check_password_rules(password)
    if session.execute(text("SELECT 1 FROM app_user WHERE username = :u"), {"u": username}).scalar():
        raise BadParameter("username", N_("Tên đăng nhập %(name)s đã có"), name=username)
    row = session.execute(text(f"""
        INSERT INTO app_user (username, password_hash, role, unit_code, agency_code, display_name)
        VALUES (:username, :hash, :role, :area_code, :agency_code, :display_name) RETURNING {_USER_COLUMNS}"""),
        dict(username=username, hash=HASHER.hash(password), role=role, area_code=area_code,
             agency_code=agency_code, display_name=display_name)).one()
    return _actor(row)


def authenticate(session: Session, username: str, password: str) -> Actor | None:
    """The active account with this name and password, or None (the same answer whichever was wrong)."""
    row = session.execute(text(f"SELECT {_USER_COLUMNS}, password_hash FROM app_user WHERE username = :u"),
                          {"u": username.strip()}).one_or_none()
    if row is None:
        HASHER.hash(password)  # spend the same time as a real check, so names cannot be probed by timing
        return None
    try:
        HASHER.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not row.is_active:
        return None
    if HASHER.check_needs_rehash(row.password_hash):
        session.execute(text("UPDATE app_user SET password_hash = :h WHERE id = :id"),
                        {"h": HASHER.hash(password), "id": row.id})
    return _actor(row)


def get_actor(session: Session, user_id: int, generation: int | None = None) -> Actor | None:
    """The active account with this id; with generation, only if its sessions have not been ended since."""
    row = session.execute(text(f"SELECT {_USER_COLUMNS}, session_generation FROM app_user "
                               "WHERE id = :id AND is_active"), {"id": user_id}).one_or_none()
    if row is None or (generation is not None and row.session_generation != generation):
        return None
    return _actor(row)


def session_generation(session: Session, user_id: int) -> int:
    """The account's session generation, kept in a session at sign-in and checked on every request."""
    return session.execute(text("SELECT session_generation FROM app_user WHERE id = :id"),
                           {"id": user_id}).scalar_one()


def end_sessions(session: Session, user_id: int) -> None:
    """End every session of an account (sign-out everywhere): older generations are refused from now on."""
    session.execute(text("UPDATE app_user SET session_generation = session_generation + 1 WHERE id = :id"),
                    {"id": user_id})


def failures_within(session: Session, keys: list[str], seconds: int) -> dict[str, int]:
    """How many failed sign-ins each key had in the last seconds (every worker process writes the same table).

    The first key is locked until the transaction ends, so two workers trying one name at once count in turn.
    """
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": keys[0]})
    rows = session.execute(text("""
        SELECT key, count(*) FROM sign_in_failure
        WHERE key = ANY(:keys) AND failed_at > now() - make_interval(secs => :secs) GROUP BY key"""),
        {"keys": keys, "secs": seconds})
    counts = {key: count for key, count in rows}
    return {key: counts.get(key, 0) for key in keys}


def record_failure(session: Session, keys: list[str], keep_seconds: int) -> None:
    """Count one failed sign-in under each key, and forget those older than keep_seconds."""
    session.execute(text("DELETE FROM sign_in_failure WHERE failed_at < now() - make_interval(secs => :secs)"),
                    {"secs": keep_seconds})
    session.execute(text("INSERT INTO sign_in_failure (key) SELECT unnest(CAST(:keys AS text[]))"), {"keys": keys})


def _by_name(session: Session, username: str):
    row = session.execute(text(f"SELECT {_USER_COLUMNS} FROM app_user WHERE username = :u"),
                          {"u": username}).one_or_none()
    if row is None:
        raise NotFound("username", N_("Không có tài khoản %(name)s"), name=username)
    return row


def set_password(session: Session, username: str, password: str) -> None:
    """Give an account a new password."""
    check_password_rules(password)
    row = _by_name(session, username)
    # A new password ends every session signed in with the old one, wherever it was.
    session.execute(text("UPDATE app_user SET password_hash = :h, session_generation = session_generation + 1 "
                         "WHERE id = :id"), {"h": HASHER.hash(password), "id": row.id})


def change_password(session: Session, actor: Actor, current: str, new: str) -> None:
    """A signed-in user's own change of password: the current one must be right."""
    if authenticate(session, actor.username, current) is None:
        raise BadParameter("current_password", N_("Mật khẩu hiện tại không đúng"))
    set_password(session, actor.username, new)


def disable(session: Session, username: str) -> None:
    """Stop an account from signing in and revoke its tokens."""
    row = _by_name(session, username)
    session.execute(text("UPDATE app_user SET is_active = false, session_generation = session_generation + 1 "
                         "WHERE id = :id"), {"id": row.id})
    session.execute(text("UPDATE api_token SET revoked_at = now() WHERE user_id = :id AND revoked_at IS NULL"),
                    {"id": row.id})


def list_users(session: Session) -> list[dict]:
    """Every account, without hashes."""
    return [dict(r._mapping) for r in session.execute(text(f"SELECT {_USER_COLUMNS} FROM app_user ORDER BY username"))]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_token_days(days: int | str | None) -> int:
    """The days a new token lasts: a whole number 1–MAX_TOKEN_DAYS, TOKEN_DAYS when not given."""
    if days is None or days == "":
        return TOKEN_DAYS
    try:
        number = int(days)
    except (TypeError, ValueError):
        raise BadParameter("days", N_("Phải là số nguyên, nhận được “%(value)s”"), value=days) from None
    if not 1 <= number <= MAX_TOKEN_DAYS:
        raise BadParameter("days", N_("Phải nằm trong khoảng %(low)s–%(high)s"), low=1, high=MAX_TOKEN_DAYS)
    return number


def create_token(session: Session, username: str, days: int | str | None = None) -> str:
    """A new personal API token lasting days (90 by default); only its hash is kept, so it is shown once."""
    days = check_token_days(days)
    row = _by_name(session, username)
    token = secrets.token_urlsafe(32)
    session.execute(text("INSERT INTO api_token (user_id, token_hash, expires_at) "
                         "VALUES (:id, :h, now() + make_interval(days => :days))"),
                    {"id": row.id, "h": _token_hash(token), "days": days})
    return token


def list_tokens(session: Session) -> list[dict]:
    """Every token that still works or worked, newest first: whose, made, last used, expiry, revoked."""
    return [dict(r._mapping) for r in session.execute(text("""
        SELECT t.id, u.username, t.created_at, t.last_used_at, t.expires_at, t.revoked_at,
               t.revoked_at IS NULL AND t.expires_at > now() AS is_valid
        FROM api_token t JOIN app_user u ON u.id = t.user_id ORDER BY t.id DESC"""))]


def revoke_tokens(session: Session, username: str) -> int:
    """Revoke every token of an account; returns how many."""
    row = _by_name(session, username)
    return session.execute(text("UPDATE api_token SET revoked_at = now() WHERE user_id = :id AND revoked_at IS NULL"),
                           {"id": row.id}).rowcount


def actor_for_token(session: Session, token: str) -> Actor | None:
    """The active account a token belongs to, if the token is known, not revoked and not expired."""
    row = session.execute(text("""
        UPDATE api_token t SET last_used_at = now() FROM app_user u
        WHERE t.token_hash = :h AND t.revoked_at IS NULL AND t.expires_at > now() AND u.id = t.user_id
          AND u.is_active
        RETURNING u.id, u.username, u.role, u.unit_code AS area_code, u.agency_code"""), {"h": _token_hash(token)}).one_or_none()
    return _actor(row) if row else None


def areas(session: Session) -> list[dict]:
    """The areas a district staff member may have: each district (until 30/06/2025) by name, with the 2025
    communes lying in it (scp_lies_in, migration 0012, as geo.site_query.units_within), in name order."""
    rows = session.execute(text("""
        SELECT d.code AS district_code, d.name AS district_name, c.code, c.name
        FROM admin_unit d
        LEFT JOIN admin_unit c ON c.level = 'commune' AND scp_lies_in(c.geom, d.geom)
        WHERE d.level = 'district'
        ORDER BY d.name, d.code, c.name, c.code""")).mappings()
    districts: dict[str, dict] = {}
    for row in rows:
        district = districts.setdefault(row["district_code"], {"code": row["district_code"],
                                                               "name": row["district_name"], "communes": []})
        if row["code"]:
            district["communes"].append({"code": row["code"], "name": row["name"]})
    return list(districts.values())


def area_names(session: Session) -> dict[str, str]:
    """Every district and commune code → its full name ("Thành phố Rạch Giá", "Phường Rạch Giá")."""
    return dict(session.execute(text("""
        SELECT DISTINCT ON (code) code, name FROM admin_unit WHERE level IN ('district', 'commune')
        ORDER BY code, valid_from DESC""")).all())
