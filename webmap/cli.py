"""The one command line behind every scripts/* command: each sub-command parses its arguments, reads settings
through webmap.settings (the app's own checker), calls one function of geo/ or webmap/, and prints a line.

    python -m webmap.cli COMMAND [ARGS]   (the scripts call it so)
"""
from __future__ import annotations

import getpass
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from geo.catalogue import LEVELS, ROLES
from geo.errors import DomainError
from webmap.settings import ConfigError, database_url, from_environment


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Operational commands of the Kiên Giang SCP map."""


@contextmanager
def _refusals() -> Iterator[None]:
    """A refusal or an unreachable database as one line on stderr and a non-zero exit, not a traceback."""
    try:
        yield
    except ConfigError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    except DomainError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    except OperationalError as error:
        click.echo(f"the database cannot be reached: {str(error.orig).strip().splitlines()[0]}", err=True)
        sys.exit(1)


@contextmanager
def _transaction(url_env: str = "DATABASE_URL") -> Iterator[Session]:
    """A session on the configured database whose work commits together, with refusals reported."""
    from geo.db import make_engine, transaction

    with _refusals():
        engine = make_engine(database_url(name=url_env))
        try:
            with transaction(engine) as session:
                yield session
        finally:
            engine.dispose()


# --- set-up ---------------------------------------------------------------------------------------

@cli.group()
def db() -> None:
    """Set-up steps of a database (called by scripts/setup and scripts/test)."""


@db.command("setup")
@click.option("--url-env", default="DATABASE_URL", show_default=True, help="variable holding the URL")
def db_setup(url_env: str) -> None:
    """Migrate the database and load the reference lists, boundaries and seed sites it lacks."""
    from geo import admin
    from geo.db import make_engine

    with _refusals():
        url = database_url(name=url_env)
        engine = make_engine(url)
        admin.ensure_postgis(engine)
        click.echo("    applying migrations")
        admin.migrate(url)
        admin.load_initial_data(engine)


@db.command("create")
@click.option("--url-env", default="TEST_DATABASE_URL", show_default=True, help="variable holding the URL")
def db_create(url_env: str) -> None:
    """Create the database (from the PostGIS template) if missing, and migrate it."""
    from geo import admin

    with _refusals():
        url = database_url(name=url_env)
        admin.create_database(url)
        click.echo("    migrating the test database")
        admin.migrate(url)


@db.command("check-summaries")
@click.option("--url-env", default="DATABASE_URL", show_default=True, help="variable holding the URL")
def db_check_summaries(url_env: str) -> None:
    """Check that each table the database keeps from the sites equals its rebuild; exit 1 naming any that differs."""
    from geo import aggregates

    with _transaction(url_env) as session:
        found = aggregates.drift(session)
    for table, groups in found.items():
        click.echo(f"    {table}: {'in step' if not groups else f'{groups} groups differ from the rebuild'}")
    if any(found.values()):
        sys.exit(1)


@db.command("test-url")
def db_test_url() -> None:
    """Print the test database's URL: DATABASE_URL with _test appended to the database name."""
    from sqlalchemy import make_url

    with _refusals():
        base = make_url(database_url())
        click.echo(base.set(database=f"{base.database}_test").render_as_string(hide_password=False))


# --- data -----------------------------------------------------------------------------------------

@cli.command("import-boundaries")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--level", type=click.Choice(["district", "commune", "province"]), default="district",
              show_default=True)
@click.option("--code-field", default="code", show_default=True, help="field holding the GSO code")
@click.option("--name-field", default="name", show_default=True, help="field holding the name")
@click.option("--layer", help="layer name, for GeoPackages with several layers")
@click.option("--crs", help="CRS of the file when its .prj is missing or wrong: an EPSG code or a preset "
              "(vn2000-kien-giang, vn2000-utm48)")
@click.option("--no-repair", is_flag=True, help="refuse invalid geometries instead of repairing them")
@click.option("--source", help="source text stored with the units (default: the file name and date)")
def import_boundaries(file: Path, level: str, code_field: str, name_field: str, layer: str | None,
                      crs: str | None, no_repair: bool, source: str | None) -> None:
    """Replace the boundaries of a level with an official file, in one transaction."""
    from geo import boundaries

    with _transaction() as session:
        report = boundaries.import_boundaries(session, file, level=level, code_field=code_field,
                                              name_field=name_field, crs=crs, layer=layer,
                                              repair=not no_repair, source=source)
    click.echo("\n".join(report.lines()))


@cli.command("build-boundaries")
def build_boundaries() -> None:
    """Rebuild the approximate boundaries in data/boundaries/ from the packages' ward centroids."""
    from geo import boundary_build

    boundary_build.OUT_DIR.mkdir(parents=True, exist_ok=True)
    boundary_build.build(say=click.echo)


@cli.command("build-seed-sites")
def build_seed_sites() -> None:
    """Rebuild the sample sites in data/sites/."""
    from geo import seed_sites_build

    written = seed_sites_build.write()
    click.echo(f"{written['count']} sample sites written to {written['path']}")


@cli.command("build-icons")
def build_icons() -> None:
    """Draw the staff app's PNG icons (webmap/static/icon-*.png) from the shapes of the favicon."""
    from webmap import app_icons

    for path in app_icons.build():
        click.echo(f"{path.name}: {path.stat().st_size} bytes")


@cli.command("report")
@click.option("--year", required=True, type=int, help="the year reported on, e.g. 2025")
@click.option("--level", "--geography", "level", type=click.Choice(LEVELS),
              help="district (default up to 2025) or commune (default after); --geography is its old name")
@click.option("--out", type=click.Path(path_type=Path), default=Path("."), help="folder to write into")
@click.option("--no-store", is_flag=True, help="do not record the computed figures in indicator_value")
@click.option("--format", "formats", multiple=True, type=click.Choice(("xlsx", "html", "docx")),
              help="the files to write (repeatable; default xlsx and html); docx is the province's Word report")
def report(year: int, level: str | None, out: Path, no_store: bool, formats: tuple[str, ...]) -> None:
    """Write the annual report (.xlsx, .html, .docx) and keep its computed figures on file."""
    from geo import report as annual_report
    from geo import task_reports

    with _transaction() as session:
        task_reports.check_year(year)
        written = annual_report.write_files(session, year, level, out, store=not no_store,
                                            formats=formats or ("xlsx", "html"))
    for line in written:
        click.echo(line)


# --- accounts -------------------------------------------------------------------------------------

@cli.group()
def user() -> None:
    """Accounts and personal API tokens."""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mật khẩu / password: ")
    if first != getpass.getpass("Nhập lại / again: "):
        raise click.ClickException("the two passwords differ")
    return first


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--area", "--district", "area", help="district (2009–2025) or commune (2025) code, for district "
              "staff; --district is its old name")
@click.option("--agency", help="the agency of an agency account: its code (SCT, STNMT, UBND-899…) or full name")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def user_add(name: str, role: str, area: str | None, agency: str | None, password_stdin: bool) -> None:
    """Add an account (the admin's first one too)."""
    from geo import accounts

    with _transaction() as session:
        actor = accounts.create_user(session, name, _password(password_stdin), role, area, agency=agency)
    code = actor.agency_code or getattr(actor, "area_code", None) or getattr(actor, "unit_code", None)
    click.echo(f"added {actor.username} ({actor.role}{', ' + code if code else ''})")


@user.command("list")
def user_list() -> None:
    """List the accounts."""
    from geo import accounts

    with _transaction() as session:
        users = accounts.list_users(session)
    for item in users:
        area = item.get("area_code", item.get("unit_code")) or ""
        click.echo(f"{item['username']:<24} {item['role']:<15} {area:<6} "
                   f"{'active' if item['is_active'] else 'disabled'}")


@user.command("disable")
@click.argument("name")
def user_disable(name: str) -> None:
    """Stop an account signing in and revoke its tokens."""
    from geo import accounts

    with _transaction() as session:
        accounts.disable(session, name)
    click.echo(f"disabled {name}")


@user.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def user_set_password(name: str, password_stdin: bool) -> None:
    """Give an account a new password."""
    from geo import accounts

    with _transaction() as session:
        accounts.set_password(session, name, _password(password_stdin))
    click.echo(f"password of {name} changed")


@user.command("token")
@click.argument("name")
@click.option("--days", default=None, help="how many days the token works (default 90)")
def user_token(name: str, days: str | None) -> None:
    """Print a new personal API token for an account, and when it expires."""
    from geo import accounts

    with _transaction() as session:
        token = accounts.create_token(session, name, days)
    click.echo(token)
    click.echo(f"expires in {accounts.check_token_days(days)} days", err=True)


@user.command("revoke-tokens")
@click.argument("name")
def user_revoke_tokens(name: str) -> None:
    """Revoke every API token of an account."""
    from geo import accounts

    with _transaction() as session:
        count = accounts.revoke_tokens(session, name)
    click.echo(f"revoked {count} tokens of {name}")


# --- operations -----------------------------------------------------------------------------------

@cli.command("serve-debug")
def serve_debug() -> None:
    """Flask's debug server, reloading on changes, on HOST:PORT (scripts/serve --debug)."""
    from webmap import create_app
    from webmap.settings import server

    with _refusals():
        where = server()
        app = create_app()
    app.run(host=where["HOST"], port=where["PORT"], debug=True)


@cli.command("backup")
@click.argument("file", required=False, type=click.Path(path_type=Path))
def backup(file: Path | None) -> None:
    """Dump the database to FILE (pg_dump custom format, with its schema version), signed in FILE.sig."""
    from geo import backup as backups

    with _refusals():
        info = backups.backup(database_url(), file, key=from_environment()["SECRET_KEY"])
    click.echo(f"backed up {info.database} (schema {info.schema_version}) to {info.path} "
               f"(signed in {backups.signature_path(info.path)}): {info.size_bytes} bytes in {info.seconds:.1f} s; "
               f"{info.photos}")


@cli.command("restore")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="replace a database that is not empty")
@click.option("--unsigned", is_flag=True, help="restore a file whose signature (FILE.sig) is missing or wrong")
def restore(file: Path, replace: bool, unsigned: bool) -> None:
    """Restore FILE (signed by scripts/backup with SECRET_KEY) into the database, then migrate it to this code's
    schema."""
    from geo import backup as backups

    with _refusals():
        key = None if unsigned else from_environment()["SECRET_KEY"]
        done = backups.restore(database_url(), file, key=key, replace=replace)
    click.echo(f"restored {done.path} (schema {done.schema_version}) into {done.database}, migrated to "
               f"{done.migrated_to}{', replacing its data' if done.replaced else ''}, in {done.seconds:.1f} s; "
               f"{done.photos}")


@cli.group()
def tiles() -> None:
    """The vector tiles in an HTTP cache in front of the app."""


@tiles.command("warm")
@click.option("--base-url", default="http://127.0.0.1", show_default=True, help="nginx's address (deploy/nginx.conf)")
@click.option("--zooms", default="8-12", show_default=True, help="first and last zoom, e.g. 8-12")
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 64),
              help="requests at a time (each may hold an app thread)")
@click.option("--language", "languages", multiple=True, type=click.Choice(("vi", "en")),
              help="a language of the visitors (repeatable; default both)")
@click.option("--no-refresh", is_flag=True, help="let nginx answer the tiles it still holds (default: the app "
                                                  "answers each, replacing nginx's copy)")
def tiles_warm(base_url: str, zooms: str, concurrency: int, languages: tuple[str, ...], no_refresh: bool) -> None:
    """Request the province's low-zoom tiles through nginx after a change, so that visitors find them cached."""
    from webmap import warming

    first, _, last = zooms.partition("-")
    if not (first.isdigit() and (last or first).isdigit()) or int(first) > int(last or first):
        raise click.BadParameter("two zooms, the first not above the last, e.g. 8-12", param_hint="--zooms")
    done = warming.warm(base_url, range(int(first), int(last or first) + 1), languages=languages or warming.LANGUAGES,
                        workers=concurrency, refresh=not no_refresh)
    answers = ", ".join(f"{status}: {count}" for status, count in sorted(done.statuses.items(), key=str))
    click.echo(f"warmed {done.requests} tile requests through {base_url} in {done.seconds:.1f} s ({answers})")
    for failure in done.failed[:20]:
        click.echo(f"    failed: {failure}", err=True)
    if done.failed:
        sys.exit(1)


if __name__ == "__main__":
    cli(prog_name="scripts")
