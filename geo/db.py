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


def make_engine(url: str) -> Engine:
    """Create the one engine of an application or command (checked before each use)."""
    return create_engine(driver_url(url), pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to the engine; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work commits together on success and rolls back whole on any error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
