"""Database set-up commands used by scripts/setup: migrate, load reference data, boundaries and seed sites."""
from __future__ import annotations

import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import OperationalError

from geo import boundaries, reference, site_store, sites
from geo.db import make_engine, transaction

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "geo" / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the database at url, with no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Apply every Alembic migration not yet applied."""
    command.upgrade(alembic_config(url), "head")


def load_initial_data(engine: Engine, *, say=print) -> None:
    """Load reference lists always, and boundaries and seed sites only where the database has none."""
    with transaction(engine) as session:
        reference.load_reference(session)
    with transaction(engine) as session:
        if boundaries.count_units(session, "district") == 0:
            say("    loading the shipped boundaries")
            for layer in boundaries.SHIPPED_LAYERS:
                boundaries.load_shipped_layer(session, layer)
        counts = {level: boundaries.count_units(session, level) for level in ("province", "district", "commune")}
        say(f"    administrative units: {counts}")
    with transaction(engine) as session:
        if sites.count_sites(session) == 0:
            loaded = site_store.load_seed_sites(session, sites.SEED_FILE)
            say(f"    loaded {loaded} seed sites (sample data)")
        else:
            say(f"    sites in the database: {sites.count_sites(session)}")


# Extensions the schema needs before its own objects: PostGIS (a role allowed to, or the template), and the
# trusted unaccent and pg_trgm of the search (migration 0007), which a restore skips like every extension entry.
EXTENSIONS = ("postgis", "unaccent", "pg_trgm")


def ensure_postgis(engine: Engine) -> None:
    """Create the postgis extension, and the search's unaccent and pg_trgm, where missing (needs a role allowed to)."""
    with engine.begin() as connection:
        for name in EXTENSIONS:
            present = connection.execute(text("SELECT 1 FROM pg_extension WHERE extname = :name"), {"name": name})
            if not present.scalar():
                connection.execute(text(f'CREATE EXTENSION "{name}" WITH SCHEMA public'))


def create_database(url: str) -> None:
    """Create the database at url (from the server's maintenance database) if it does not exist."""
    target = make_url(url)
    maintenance = make_engine(target.set(database="postgres").render_as_string(hide_password=False))
    with maintenance.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": target.database}).scalar()
        if not exists:
            # A template with PostGIS (made by scripts/setup) spares the app's role a superuser step.
            template = "scp_map_template" if connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = 'scp_map_template' AND datistemplate")).scalar() \
                else "template0"
            print(f"    creating database {target.database} from {template}")
            connection.execute(text(f'CREATE DATABASE "{target.database}" ENCODING \'UTF8\' TEMPLATE {template}'))
    maintenance.dispose()
    ensure_postgis(make_engine(url))


def drop_database(url: str) -> None:
    """Drop the (scratch) database at url if it exists, ending this role's connections to it first.

    Not WITH (FORCE): that refuses outright when an autovacuum worker is busy in the database (a freshly filled or
    restored one often has one), while a plain DROP DATABASE asks such workers to stop and waits for them."""
    target = make_url(url)
    maintenance = make_engine(target.set(database="postgres").render_as_string(hide_password=False))
    with maintenance.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = :name AND usename = current_user AND pid <> pg_backend_pid()"),
                           {"name": target.database})
        for attempt in range(20):
            try:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
                break
            except OperationalError:  # a terminated connection not yet gone: "is being accessed by other users"
                if attempt == 19:
                    raise
                time.sleep(0.5)
    maintenance.dispose()
