"""scripts/user against the test database: add, list, token, set-password, disable, and what each refuses."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import accounts

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "mật-khẩu-dòng-lệnh"


def user(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    # DATABASE_URL set here wins over the served database's URL that scripts/lib/env.sh would read.
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([str(ROOT / "scripts" / "user"), *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def test_accounts_and_tokens_from_the_command_line(db, database_url):
    added = user(database_url, "add", "hatien", "--role", "district_staff", "--district", "900", "--password-stdin",
                 stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "hatien (district_staff, 900)" in added.stdout
    assert user(database_url, "add", "chief", "--role", "admin", "--password-stdin",
                stdin=PASSWORD + "\n").returncode == 0
    listed = user(database_url, "list").stdout.split("\n")
    assert [line.split()[:3] for line in listed if line] == [["chief", "admin", "active"],
                                                            ["hatien", "district_staff", "900"]]

    token = user(database_url, "token", "hatien").stdout.strip()
    with Session(db) as session, session.begin():
        assert accounts.actor_for_token(session, token).username == "hatien"
        stored = session.execute(text("SELECT token_hash FROM api_token")).scalar_one()
    assert token not in stored and len(stored) == 64  # only the sha256 is kept

    assert user(database_url, "set-password", "hatien", "--password-stdin", stdin="mật-khẩu-mới-dài\n").returncode == 0
    with Session(db) as session, session.begin():
        assert accounts.authenticate(session, "hatien", PASSWORD) is None
        assert accounts.authenticate(session, "hatien", "mật-khẩu-mới-dài") is not None

    assert user(database_url, "disable", "hatien").returncode == 0
    with Session(db) as session, session.begin():
        assert accounts.actor_for_token(session, token) is None  # disabling revokes the tokens
        assert accounts.authenticate(session, "hatien", "mật-khẩu-mới-dài") is None


def test_the_command_refuses_with_the_field_and_changes_nothing(db, database_url):
    no_area = user(database_url, "add", "x", "--role", "district_staff", "--password-stdin", stdin=PASSWORD + "\n")
    assert no_area.returncode == 1 and no_area.stderr.startswith("area_code:")
    unknown_area = user(database_url, "add", "x", "--role", "district_staff", "--district", "901",
                        "--password-stdin", stdin=PASSWORD + "\n")
    assert unknown_area.returncode == 1 and unknown_area.stderr.startswith("area_code:")
    short = user(database_url, "add", "x", "--role", "planner", "--password-stdin", stdin="ngắn\n")
    assert short.returncode == 1 and short.stderr.startswith("password:")
    assert user(database_url, "token", "nobody").returncode == 1
    with db.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM app_user")).scalar_one() == 0


def test_a_commune_of_2025_is_an_area_too(db, database_url):
    added = user(database_url, "add", "xa_vinh_thanh_van", "--role", "district_staff", "--district", "30742",
                 "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
