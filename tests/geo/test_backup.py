"""Backup and restore: a filled database comes back whole in another one, the app serves it, and what
must be refused (a database in use, a schema this code does not know) is refused without a change."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import Session

from geo import accounts, admin, backup, editing, manual_values, photos
from geo.db import make_engine
from tests.conftest import SECRET
from tests.photokit import phone_jpeg
from tests.staffkit import IN_PHU_QUOC, IN_RACH_GIA, IN_RACH_GIA_2, make_users, site_input

ROOT = Path(__file__).resolve().parents[2]

# What a person would miss after a restore, row by row, in a stable order.
SNAPSHOT = {
    "sites": "SELECT id, name, name_en, ST_AsText(geom), district_code, commune_code, moderation, version, "
             "deleted_at IS NOT NULL, measures, pending FROM site ORDER BY id",
    "site_history": "SELECT id, site_id, version, action, changed_by, changed_at, before, after FROM site_history "
                    "ORDER BY id",
    "users": "SELECT u.id, u.username, u.role, u.unit_code, u.is_active, u.password_hash FROM app_user u ORDER BY id",
    "tokens": "SELECT id, user_id, token_hash, revoked_at FROM api_token ORDER BY id",
    "indicator_values": "SELECT id, indicator_code, unit_code, year, sector, value, note, version "
                        "FROM indicator_value ORDER BY id",
    "indicator_value_history": "SELECT id, indicator_value_id, before, after FROM indicator_value_history ORDER BY id",
    "admin_units": "SELECT level, count(*), md5(string_agg(code || ST_AsText(geom), ',' ORDER BY code)) "
                   "FROM admin_unit GROUP BY level ORDER BY level",
    "schema": "SELECT version_num FROM alembic_version",
    "site_photos": "SELECT id, site_id, sha256, moderation, ST_AsText(taken_geom), round(distance_m), taken_at "
                   "FROM site_photo ORDER BY id",
    "photos": "SELECT sha256, md5(image), md5(thumbnail), width, height FROM photo ORDER BY sha256",
}


PHOTO = photos.process(phone_jpeg(*IN_RACH_GIA, size=(800, 600)))
OTHER_PHOTO = photos.process(phone_jpeg(*IN_RACH_GIA_2, size=(800, 600)))


def snapshot(url: str) -> dict[str, list[tuple]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {name: [tuple(row) for row in connection.execute(text(sql))] for name, sql in SNAPSHOT.items()}
    finally:
        engine.dispose()


@pytest.fixture
def scratch_url(database_url: str) -> Iterator[str]:
    """An empty database made from the PostGIS template, dropped afterwards."""
    test = make_url(database_url)
    url = test.set(database=f"{test.database}_restore").render_as_string(hide_password=False)
    admin.drop_database(url)
    admin.create_database(url)
    yield url
    admin.drop_database(url)


@pytest.fixture
def filled(db: Engine) -> dict[str, list[tuple]]:
    """Users, a token, sites written through geo.editing (so with history), a deleted one, a pending one,
    and a hand-entered indicator value changed once."""
    users = make_users(db)
    with Session(db) as session, session.begin():
        first = editing.create_site(session, users["planner"], site_input("Điểm phân loại rác A"))
        editing.create_site(session, users["planner"], site_input("Điểm Phú Quốc", *IN_PHU_QUOC))
        gone = editing.create_site(session, users["planner"], site_input("Điểm sẽ xoá"))
        editing.update_site(session, users["planner"], first["id"],
                            {"name": "Điểm phân loại rác A (sửa)", "lon": IN_RACH_GIA_2[0], "lat": IN_RACH_GIA_2[1]},
                            first["version"])
        editing.delete_site(session, users["planner"], gone["id"], gone["version"])
        waiting = editing.create_site(session, users["staff_899"], site_input("Điểm chờ duyệt"))
        # The same picture twice (kept once) and another, one of them waiting with its site.
        editing.add_photos(session, users["planner"], first["id"], [PHOTO, OTHER_PHOTO], "/photos/")
        editing.add_photos(session, users["staff_899"], waiting["id"], [PHOTO], "/photos/")
        accounts.create_token(session, "planner")
        value = manual_values.record_manual_value(session, "material_fuel_cut", "91", 2025, 5.5, sector="cement",
                                               reported_by=users["planner"].id, note="báo cáo của Sở")
        manual_values.record_manual_value(session, "material_fuel_cut", "91", 2025, 6.25, sector="cement",
                                       reported_by=users["planner"].id, expected_version=value["version"])
    return snapshot(str(db.url.render_as_string(hide_password=False)))


def api_sites(url: str) -> tuple[int, list[str]]:
    from webmap import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": SECRET, "SESSION_COOKIE_SECURE": False})
    try:
        body = app.test_client().get("/api/sites").get_json()
    finally:
        app.extensions["engine"].dispose()
    return body["numberMatched"], sorted(f["properties"]["name"] for f in body["features"])


def test_the_fixture_has_what_the_round_trip_checks(filled):
    counts = {name: len(rows) for name, rows in filled.items()}
    # site_history: 6 lines of the sites' writes and 3 of their photos added.
    assert counts == {"sites": 4, "site_history": 9, "users": 5, "tokens": 1, "indicator_values": 1,
                      "indicator_value_history": 2, "admin_units": 3, "schema": 1, "site_photos": 3, "photos": 2}


def test_a_backup_restores_whole_into_an_empty_database(filled, database_url, scratch_url, tmp_path):
    made = backup.backup(database_url, tmp_path / "scp.dump", key=SECRET)
    assert made.path.is_file() and made.size_bytes == made.path.stat().st_size > 0
    assert made.path.stat().st_mode & 0o777 == 0o600
    head = backup.known_revisions(database_url)[-1]
    assert made.schema_version == backup.read_schema_version(made.path) == head
    assert backup.database_in_use(scratch_url) == []

    done = backup.restore(scratch_url, made.path, key=SECRET)

    assert (done.schema_version, done.migrated_to, done.replaced) == (head, head, False)
    assert made.photos == done.photos == backup.PhotoCounts(site_photos=3, images=2)
    assert snapshot(scratch_url) == filled
    assert api_sites(scratch_url) == api_sites(database_url) == (
        2, ["Điểm Phú Quốc", "Điểm phân loại rác A (sửa)"])
    # The sequences came back too: the next site gets the next id, not one already taken.
    planner = accounts.Actor(filled["users"][1][0], "planner", "planner", None)
    engine = make_engine(scratch_url)
    try:
        with Session(engine) as session, session.begin():
            assert editing.create_site(session, planner, site_input("Điểm sau khi phục hồi"))["id"] == 5
    finally:
        engine.dispose()
    print(f"\nbackup: {made.size_bytes} bytes in {made.seconds} s; restore in {done.seconds} s")


def test_a_database_in_use_is_refused_unless_replace(filled, database_url, scratch_url, tmp_path):
    made = backup.backup(database_url, tmp_path / "scp.dump", key=SECRET)
    backup.restore(scratch_url, made.path, key=SECRET)
    engine = make_engine(scratch_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE app_user SET is_active = false WHERE username = 'admin'"))
            connection.execute(text("CREATE TABLE left_over (id int)"))
    finally:
        engine.dispose()
    changed = snapshot(scratch_url)
    assert changed != filled

    with pytest.raises(backup.BackupError) as refused:
        backup.restore(scratch_url, made.path, key=SECRET)
    assert refused.value.field == "database" and "--replace" in str(refused.value)
    assert snapshot(scratch_url) == changed

    done = backup.restore(scratch_url, made.path, key=SECRET, replace=True)
    assert done.replaced
    assert snapshot(scratch_url) == filled
    assert "table left_over" not in backup.database_in_use(scratch_url)


def test_a_file_of_an_unknown_schema_version_is_refused(filled, database_url, scratch_url, tmp_path):
    backup.restore(scratch_url, backup.backup(database_url, tmp_path / "scp.dump", key=SECRET).path, key=SECRET)
    engine = make_engine(scratch_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffff'"))
    finally:
        engine.dispose()
    newer = backup.backup(scratch_url, tmp_path / "newer.dump", key=SECRET)
    assert backup.read_schema_version(newer.path) == "ffffffff"

    with pytest.raises(backup.BackupError) as refused:
        backup.restore(database_url, newer.path, key=SECRET, replace=True)
    assert refused.value.field == "schema_version" and "ffffffff" in str(refused.value)
    assert snapshot(database_url) == filled


def test_a_file_that_is_not_a_backup_is_refused(db, database_url, tmp_path):
    junk = tmp_path / "junk.dump"
    junk.write_text("not a dump")
    with pytest.raises(backup.BackupError):
        backup.read_schema_version(junk)
    with pytest.raises(backup.BackupError) as missing:
        backup.read_schema_version(tmp_path / "absent.dump")
    assert missing.value.field == "file"


def test_a_missing_client_names_the_package_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(backup, "CLIENT_DIRS", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(backup.BackupError) as refused:
        backup.client_binary("pg_dump", 17)
    assert "postgresql-client-17" in str(refused.value)


def test_the_client_matches_the_server_major_version(database_url):
    major = backup.server_major(database_url)
    program = backup.client_binary("pg_dump", major)
    assert backup._version_of(str(program)) == major


def test_the_password_is_passed_in_the_environment_not_the_command_line():
    env = backup.client_env("postgresql://scp:s3cret@db.example:6543/scp_map?sslmode=require")
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGPASSWORD"], env["PGDATABASE"], env["PGSSLMODE"]) == (
        "db.example", "6543", "scp", "s3cret", "scp_map", "require")


def run_script(name: str, *args: str, env: dict[str, str], root: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(root / "scripts" / name), *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_the_scripts_back_up_and_restore(filled, database_url, scratch_url, tmp_path):
    env = {**os.environ, "SECRET_KEY": SECRET}
    dump = tmp_path / "nightly.dump"
    made = run_script("backup", str(dump), env={**env, "DATABASE_URL": database_url})
    assert made.returncode == 0, made.stderr
    assert dump.is_file() and len(made.stdout.strip().splitlines()) == 1 and str(dump) in made.stdout
    assert backup.signature_path(dump).read_text().startswith("hmac-sha256 ")

    restored = run_script("restore", str(dump), env={**env, "DATABASE_URL": scratch_url})
    assert restored.returncode == 0, restored.stderr
    assert "restored" in restored.stdout and snapshot(scratch_url) == filled
    assert "3 photos of sites (2 images)" in made.stdout and "3 photos of sites (2 images)" in restored.stdout

    again = run_script("restore", str(dump), env={**env, "DATABASE_URL": scratch_url})
    assert again.returncode == 1 and "--replace" in again.stderr and "Traceback" not in again.stderr
    replaced = run_script("restore", str(dump), "--replace", env={**env, "DATABASE_URL": scratch_url})
    assert replaced.returncode == 0, replaced.stderr
    assert snapshot(scratch_url) == filled


def test_restore_without_a_database_url_says_so_in_one_line(tmp_path):
    # A copy of the checkout without .local/database.env, so nothing supplies the URL.
    (tmp_path / "scripts" / "lib").mkdir(parents=True)
    (tmp_path / ".local").mkdir()
    for script in ("scripts/restore", "scripts/backup", "scripts/lib/env.sh"):
        shutil.copy2(ROOT / script, tmp_path / script)
    for link in (".venv", "geo", "webmap"):
        (tmp_path / link).symlink_to(ROOT / link)
    env = {"PATH": os.environ["PATH"]}
    for args in (("restore", "some.dump"), ("backup",)):
        done = run_script(*args, env=env, root=tmp_path)
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("DATABASE_URL is not set: a postgresql:// URL")


def test_a_broken_file_changes_nothing_even_with_replace(filled, database_url, tmp_path):
    made = backup.backup(database_url, tmp_path / "scp.dump", key=SECRET)
    broken = tmp_path / "broken.dump"
    # Cut late enough that the schema version still reads: the break comes half-way through the restore.
    broken.write_bytes(made.path.read_bytes()[: made.size_bytes * 95 // 100])
    assert backup.read_schema_version(broken) == made.schema_version
    with pytest.raises(backup.BackupError) as unsigned:
        backup.restore(database_url, broken, key=SECRET, replace=True)
    assert unsigned.value.field == "signature"
    # Past the signature (--unsigned), the damage itself stops the restore half-way.
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(database_url, broken, key=None, replace=True)
    assert refused.value.field == "pg_restore"
    assert snapshot(database_url) == filled


def _altered_copy(made: backup.BackupInfo, other: backup.BackupInfo, tmp_path: Path) -> Path:
    """other's bytes under made's signature: what a file edited after the backup looks like."""
    altered = tmp_path / "altered.dump"
    altered.write_bytes(other.path.read_bytes())
    backup.signature_path(altered).write_text(backup.signature_path(made.path).read_text())
    return altered


def test_an_altered_backup_is_refused_and_the_unchanged_one_restores(filled, db, database_url, scratch_url,
                                                                       tmp_path):
    made = backup.backup(database_url, tmp_path / "scp.dump", key=SECRET)
    with db.begin() as connection:
        connection.execute(text("UPDATE app_user SET role = 'admin', unit_code = NULL WHERE username = 'staff_899'"))
    # A well-formed dump with one account made admin inside it, beside the signature of the real one.
    altered = _altered_copy(made, backup.backup(database_url, tmp_path / "admin.dump", key=SECRET), tmp_path)

    for path, key in ((altered, SECRET), (made.path, "another-secret-key-of-another-site")):
        with pytest.raises(backup.BackupError) as refused:
            backup.restore(scratch_url, path, key=key)
        assert refused.value.field == "signature" and "--unsigned" in str(refused.value)
        assert backup.database_in_use(scratch_url) == []
    unsigned = tmp_path / "unsigned.dump"
    unsigned.write_bytes(made.path.read_bytes())
    with pytest.raises(backup.BackupError) as missing:
        backup.restore(scratch_url, unsigned, key=SECRET)
    assert missing.value.field == "signature" and "unsigned.dump.sig" in str(missing.value)

    backup.restore(scratch_url, made.path, key=SECRET)
    assert snapshot(scratch_url) == filled


def test_the_restore_script_names_an_altered_file_and_takes_it_with_unsigned(filled, db, database_url,
                                                                             scratch_url, tmp_path):
    made = backup.backup(database_url, tmp_path / "scp.dump", key=SECRET)
    with db.begin() as connection:
        connection.execute(text("UPDATE app_user SET role = 'admin', unit_code = NULL WHERE username = 'staff_899'"))
    altered = _altered_copy(made, backup.backup(database_url, tmp_path / "admin.dump", key=SECRET), tmp_path)
    env = {**os.environ, "SECRET_KEY": SECRET, "DATABASE_URL": scratch_url}

    refused = run_script("restore", str(altered), env=env)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "altered.dump" in refused.stderr and "--unsigned" in refused.stderr
    assert backup.database_in_use(scratch_url) == []

    taken = run_script("restore", str(altered), "--unsigned", env=env)
    assert taken.returncode == 0, taken.stderr
    assert ("staff_899", "admin") in [row[1:3] for row in snapshot(scratch_url)["users"]]


def test_after_a_restore_an_etag_served_before_gets_the_restored_data(filled, app, database_url, tmp_path):
    older = backup.backup(database_url, tmp_path / "older.dump", key=SECRET)
    client = app.test_client()
    planner = accounts.Actor(filled["users"][1][0], "planner", "planner", None)

    def rename(new_name: str) -> None:
        with Session(app.extensions["engine"]) as session, session.begin():
            site = editing.get_site(session, filled["sites"][0][0])
            editing.update_site(session, planner, site["id"], {"name": new_name}, site["version"])

    rename("Tên sau khi sao lưu")
    served = client.get("/api/sites")
    assert served.status_code == 200 and "Tên sau khi sao lưu" in served.get_data(as_text=True)
    assert client.get("/api/sites", headers={"If-None-Match": served.headers["ETag"]}).status_code == 304

    backup.restore(database_url, older.path, key=SECRET, replace=True)
    # As many changes since the backup as before it: a counter that went back with the file would now be
    # at the version the ETag above was made from, and the cache would keep that other data.
    rename("Tên sau khi phục hồi")

    again = client.get("/api/sites", headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 200
    names = sorted(f["properties"]["name"] for f in again.get_json()["features"])
    assert names == ["Tên sau khi phục hồi", "Điểm Phú Quốc"]
    assert again.headers["ETag"] != served.headers["ETag"]
    assert client.get("/api/sites", headers={"If-None-Match": again.headers["ETag"]}).status_code == 304
