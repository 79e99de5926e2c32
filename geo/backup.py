"""Backup and restore of the whole database with PostgreSQL's own tools (pg_dump, pg_restore, psql)."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from geo import admin, data_version, photo_store
from geo.db import make_engine
from geo.errors import N_, DomainError

CLIENT_DIRS = Path("/usr/lib/postgresql")
# Tables whose rows make a database "in use": restoring over them needs replace=True.
DATA_TABLES = ("site", "app_user", "admin_unit")
# The PostGIS extension and its spatial_ref_sys belong to the target database (made from the template by
# a superuser): their entries in the dump are skipped, as the app's role may neither create, comment on
# nor write them. The app adds no SRID of its own, so nothing of the dump is lost.
_EXTENSION_ENTRY = re.compile(r"^\d+; \d+ \d+ (EXTENSION |COMMENT - EXTENSION |TABLE DATA public spatial_ref_sys )")
# Every object of the schema public that no extension owns, dropped in the restore's own transaction.
# Names, not regclass/regprocedure casts: an object an earlier DROP … CASCADE removed would print as a bare OID.
_DROP_PUBLIC = """
DO $$
DECLARE item record;
BEGIN
    FOR item IN
        SELECT format('DROP %s IF EXISTS %s CASCADE',
                      CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                     WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                                     WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
                      format('public.%I', c.relname)) AS statement
        FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype = 'e')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_type t ON t.oid = d.objid
                          WHERE d.classid = 'pg_type'::regclass AND t.typrelid = c.oid AND d.deptype = 'e')
          -- A column's own sequence (identity: 'i', serial: 'a') goes with its table, and an identity's cannot
          -- be dropped on its own: dropping it first, as pg_class's order sometimes had it, failed the restore.
          AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                                AND d.objid = c.oid AND d.deptype IN ('i', 'a')))
        UNION ALL
        SELECT format('DROP ROUTINE IF EXISTS public.%I(%s) CASCADE', p.proname,
                      pg_get_function_identity_arguments(p.oid))
        FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                          AND d.objid = p.oid AND d.deptype = 'e')
        UNION ALL
        SELECT format('DROP TYPE IF EXISTS public.%I CASCADE', t.typname)
        FROM pg_type t
        WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                          AND d.objid = t.oid AND d.deptype = 'e')
    LOOP
        EXECUTE item.statement;
    END LOOP;
END $$;
"""


# The signature of a backup file sits beside it: <file>.sig, one line "hmac-sha256 <hex>".
SIGNATURE_SUFFIX = ".sig"
SIGNATURE_KIND = "hmac-sha256"


class BackupError(DomainError):
    """A backup that cannot be made or a file that cannot be restored here."""


@dataclass(frozen=True)
class PhotoCounts:
    """The photos of sites in a backup or a database, and the distinct images that hold them."""

    site_photos: int
    images: int

    def __str__(self) -> str:
        return f"{self.site_photos} photos of sites ({self.images} images)"


@dataclass(frozen=True)
class BackupInfo:
    """What a backup wrote."""

    path: Path
    database: str
    schema_version: str
    size_bytes: int
    seconds: float
    photos: PhotoCounts


@dataclass(frozen=True)
class RestoreInfo:
    """What a restore did: the file's schema version and the one the database was migrated to."""

    path: Path
    database: str
    schema_version: str
    migrated_to: str
    replaced: bool
    seconds: float
    photos: PhotoCounts


def default_path(url: str, now: dt.datetime | None = None) -> Path:
    """backup-<db>-<YYYYmmdd-HHMMSS>.dump in the current directory."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    return Path(f"backup-{make_url(url).database}-{stamp}.dump")


def client_env(url: str) -> dict[str, str]:
    """The process environment with PGHOST… taken from url, so no password shows on a command line."""
    parsed = make_url(url)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    settings = {"PGHOST": parsed.host, "PGPORT": parsed.port, "PGUSER": parsed.username,
                "PGPASSWORD": parsed.password, "PGDATABASE": parsed.database,
                "PGSSLMODE": parsed.query.get("sslmode")}
    env.update({key: str(value) for key, value in settings.items() if value is not None})
    return env


def server_major(url: str) -> int:
    """The major version of the server at url (15 for 150018)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            number = int(connection.execute(text("SHOW server_version_num")).scalar_one())
    except DBAPIError as error:
        raise BackupError("database", N_("Không kết nối được cơ sở dữ liệu: %(reason)s"),
                          reason=str(error.orig).strip().splitlines()[0]) from error
    finally:
        engine.dispose()
    return number // 10000


def client_binary(name: str, major: int | None = None) -> Path:
    """The PostgreSQL client program of that major version (the newest installed one when None).

    Debian's /usr/bin/pg_dump is a wrapper that may pick another version; the versioned directories
    are searched first, then the program on PATH if its own version is the one wanted.
    """
    installed = sorted((int(d.name) for d in CLIENT_DIRS.glob("*") if d.name.isdigit()
                        and (d / "bin" / name).is_file()), reverse=True) if CLIENT_DIRS.is_dir() else []
    wanted = [v for v in installed if major is None or v == major]
    if wanted:
        return CLIENT_DIRS / str(wanted[0]) / "bin" / name
    on_path = shutil.which(name)
    if on_path and (major is None or _version_of(on_path) == major):
        return Path(on_path)
    raise BackupError("client", N_("Không có %(name)s của PostgreSQL %(version)s: hãy cài gói "
                                   "postgresql-client-%(version)s"), name=name, version=major or max(installed, default=15))


def _version_of(program: str) -> int | None:
    """The major version a client program reports ("pg_dump (PostgreSQL) 15.18" gives 15)."""
    done = subprocess.run([program, "--version"], capture_output=True, text=True)
    found = re.search(r"\) (\d+)", done.stdout)
    return int(found.group(1)) if found else None


def _run(command: list[str], env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run a client program; its first error line becomes a BackupError."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if "error" in line.lower()] or done.stderr.splitlines()
        raise BackupError(Path(command[0]).name, N_("Lỗi: %(reason)s"),
                          reason=(lines[0] if lines else f"exit {done.returncode}").strip())
    return done


def signature_path(path: Path | str) -> Path:
    """Where the signature of a backup file is kept: beside it, with .sig appended."""
    path = Path(path)
    return path.with_name(path.name + SIGNATURE_SUFFIX)


def _digest(path: Path, key: str) -> str:
    """HMAC-SHA256 of the file's bytes keyed by key, in hex, read a megabyte at a time."""
    mac = hmac.new(key.encode(), digestmod=hashlib.sha256)
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            mac.update(chunk)
    return mac.hexdigest()


def check_signature(path: Path | str, key: str) -> None:
    """Refuse a backup whose signature is missing, unreadable, or not that of its bytes under key.

    A well-formed dump can be altered (an account made admin inside it) and still restore; only a
    signature made with the app's secret key tells that the file is the one scripts/backup wrote.
    """
    path, signature = Path(path), signature_path(path)
    if not signature.is_file():
        raise BackupError("signature", N_("Tệp sao lưu %(path)s không có chữ ký (%(signature)s): không biết tệp có "
                                          "bị sửa hay không; dùng --unsigned nếu chắc chắn tệp đúng"),
                          path=str(path), signature=signature.name)
    kind, _, written = signature.read_text(errors="replace").strip().partition(" ")
    if kind != SIGNATURE_KIND or not hmac.compare_digest(written.strip().encode(), _digest(path, key).encode()):
        raise BackupError("signature", N_("Chữ ký của tệp sao lưu %(path)s không khớp: tệp đã bị sửa sau khi sao "
                                          "lưu, hoặc được ký bằng một SECRET_KEY khác; không phục hồi (dùng "
                                          "--unsigned nếu chắc chắn tệp đúng)"), path=str(path))


def backup(url: str, path: Path | str | None = None, *, key: str) -> BackupInfo:
    """Write a pg_dump custom-format file of the database at url, check it can be read back, and sign it
    with key (beside it, in <file>.sig)."""
    started = time.monotonic()
    path = Path(path) if path else default_path(url)
    major = server_major(url)
    # The file is written beside its final name and renamed, so a failed dump leaves no half file.
    partial = path.with_name(path.name + ".partial")
    try:
        _run([str(client_binary("pg_dump", major)), "--format=custom", f"--file={partial}"], client_env(url))
        partial.chmod(0o600)  # it holds password and token hashes
        version = read_schema_version(partial)
        signature = f"{SIGNATURE_KIND} {_digest(partial, key)}\n"
        partial.replace(path)
        signed = signature_path(path)
        signed.write_text(signature)
        signed.chmod(0o600)
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(path, make_url(url).database, version, path.stat().st_size,
                      round(time.monotonic() - started, 3), read_photo_counts(path))


def read_schema_version(path: Path | str) -> str:
    """The Alembic revision in a backup file, read from the dump's own alembic_version table data.

    The dump already holds that table, so pg_restore can print its one row without a database: the
    file needs no side channel (pg_dump's custom format has no free comment field) and cannot disagree
    with the schema it carries.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError("file", N_("Không có tệp sao lưu %(path)s"), path=str(path))
    versions = [row["version_num"] for row in _table_rows(path, "alembic_version")]
    if len(versions) != 1 or not versions[0]:
        raise BackupError("schema_version", N_("Tệp %(path)s không chứa phiên bản lược đồ (alembic_version)"),
                          path=str(path))
    return versions[0]


def _table_rows(path: Path, table: str) -> list[dict[str, str]]:
    """The rows of one table's data in a backup file, as pg_restore prints them (COPY text, values unescaped only
    as far as the callers need: names, codes, hashes); none when the file has no such table."""
    script = _run([str(client_binary("pg_restore")), "--data-only", f"--table={table}", "-f", "-", str(path)]).stdout
    match = re.search(rf"^COPY \S*\b{table} \(([^)]*)\) FROM stdin;\n(.*?)^\\\.$", script, re.M | re.S)
    if match is None:
        return []
    columns = [name.strip() for name in match.group(1).split(",")]
    return [dict(zip(columns, line.split("\t"))) for line in match.group(2).splitlines()]


def read_photo_counts(path: Path | str) -> PhotoCounts:
    """How many photos of sites a backup file holds, and how many distinct images they are (the images are kept
    once per content, and only while a site shows them)."""
    rows = _table_rows(Path(path), "site_photo")
    return PhotoCounts(len(rows), len({row["sha256"] for row in rows}))


def known_revisions(url: str) -> list[str]:
    """The Alembic revisions of geo/migrations, oldest first."""
    scripts = ScriptDirectory.from_config(admin.alembic_config(url))
    return [revision.revision for revision in reversed(list(scripts.walk_revisions()))]


def database_in_use(url: str) -> list[str]:
    """What makes the database at url non-empty: tables of public besides spatial_ref_sys, rows of DATA_TABLES."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = list(connection.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys' "
                "ORDER BY tablename")).scalars())
            rows = [f"{table} rows" for table in DATA_TABLES if table in tables
                    and connection.execute(text(f"SELECT EXISTS (SELECT FROM {table})")).scalar()]
    finally:
        engine.dispose()
    return rows + [f"table {table}" for table in tables]


def _restore_list(pg_restore: Path, path: Path, list_file: Path) -> None:
    """Write the dump's table of contents without the extension entries."""
    contents = _run([str(pg_restore), "--list", str(path)]).stdout.splitlines(keepends=True)
    list_file.write_text("".join(line for line in contents if not _EXTENSION_ENTRY.match(line)))


def restore(url: str, path: Path | str, *, key: str | None, replace: bool = False) -> RestoreInfo:
    """Restore a backup file signed with key into the database at url, then migrate it to the head revision.

    key None restores a file without checking its signature (scripts/restore --unsigned). The restore is one
    transaction (pg_restore's script through psql --single-transaction): a refused or failed restore leaves
    the database as it was, with replace=True too. The data version comes out above any served before it.
    """
    started = time.monotonic()
    path = Path(path)
    version = read_schema_version(path)
    if key is not None:
        check_signature(path, key)
    known = known_revisions(url)
    if version not in known:
        raise BackupError("schema_version", N_("Tệp sao lưu có phiên bản lược đồ %(version)s mà mã này không "
                                               "biết (biết: %(known)s); hãy dùng phiên bản mã mới hơn"),
                          version=version, known=", ".join(known))
    in_use = database_in_use(url)
    if in_use and not replace:
        raise BackupError("database", N_("Cơ sở dữ liệu %(database)s không trống (%(what)s); dùng --replace "
                                         "để thay thế"), database=make_url(url).database, what=", ".join(in_use[:4]))
    _require_postgis(url)
    _restore_script(url, path, replace)
    admin.migrate(url)
    return RestoreInfo(path, make_url(url).database, version, known[-1], bool(in_use),
                       round(time.monotonic() - started, 3), _photos_in(url))


def _photos_in(url: str) -> PhotoCounts:
    """The photos a database holds, counted after a restore (so the count is of what arrived)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            found = photo_store.counts(connection)
    finally:
        engine.dispose()
    return PhotoCounts(found["site_photos"], found["images"])


def _restore_script(url: str, path: Path, replace: bool) -> None:
    """Run pg_restore's script (no owners, no grants, no extension entries) through psql as one transaction.

    The script is written whole before psql starts: a file that breaks off half-way then stops the
    restore before anything is sent, where a pipe would have let psql commit the part it had read.
    """
    major = server_major(url)
    pg_restore = client_binary("pg_restore", major)
    with tempfile.TemporaryDirectory(prefix="scp-restore-") as scratch:
        contents, script = Path(scratch) / "contents.list", Path(scratch) / "restore.sql"
        _restore_list(pg_restore, path, contents)
        _run([str(pg_restore), "--no-owner", "--no-privileges", "-L", str(contents), "-f", str(script), str(path)])
        _run([str(client_binary("psql", major)), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
              "-c", "SET client_min_messages = warning", "-c", data_version.REMEMBER_SERVED,
              *(["-c", _DROP_PUBLIC] if replace else []), "-f", str(script),
              "-c", data_version.MOVE_PAST_SERVED], client_env(url))


def _require_postgis(url: str) -> None:
    """PostGIS in the target database, created if this role may; else a message naming it."""
    try:
        admin.ensure_postgis(make_engine(url))
    except DBAPIError as error:
        raise BackupError("postgis", N_("Cơ sở dữ liệu đích thiếu phần mở rộng postgis và vai trò này không tạo "
                                        "được: %(reason)s"), reason=str(error.orig).strip().splitlines()[0]) from error
