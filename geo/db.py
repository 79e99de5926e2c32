"""The database engine and the life of a session; the caller owns the transaction."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import URL, Engine, create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker


def driver_url(url: str) -> URL:
    """The URL with the psycopg2 driver named (SQLAlchemy 2.1 would otherwise pick psycopg 3)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError("DATABASE_URL must be a postgresql:// URL")
    return parsed.set(drivername="postgresql+psycopg2")


# Every statement of the app is short, and many run at once on few cores. PostgreSQL's JIT compiles a plan for
# 20-25 ms where such a statement runs in tens (a box's count at 1 000 000 sites: 104 ms with it, 79 without), and a
# parallel worker takes the core another request waits for. Options given in the URL (?options=...) come after
# these, so they win.
SESSION_OPTIONS = "-c jit=off -c max_parallel_workers_per_gather=0"


def make_engine(url: str) -> Engine:
    """Create the one engine of an application or command (checked before each use), its sessions set with
    SESSION_OPTIONS."""
    parsed = driver_url(url)
    given = parsed.query.get("options")
    options = " ".join([SESSION_OPTIONS, *([given] if isinstance(given, str) else given or [])])
    return create_engine(parsed.update_query_dict({"options": options}), pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to the engine; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work commits together on success and rolls back whole on any error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
