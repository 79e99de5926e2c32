"""The data version: a counter the database moves on with every change to sites, units, categories and
indicator values (migration 0005), so a response can say which data it was built from."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def current(session: Session) -> int:
    """The current data version."""
    return session.execute(text("SELECT version FROM data_version")).scalar_one()
