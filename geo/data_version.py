"""The data version: a counter the database moves on with every change to sites, units, categories and
indicator values (migration 0005), so a response can say which data it was built from."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

_KEY = "data_version"


def current(session: Session) -> int:
    """The data version this transaction first read (a request's ETag and its caches agree on one version)."""
    kept = session.info.get(_KEY)
    if kept is not None and kept[0] is session.get_transaction():
        return kept[1]
    version = session.execute(text("SELECT version FROM data_version")).scalar_one()
    # Kept with the transaction it was read in: the next transaction reads it again.
    session.info[_KEY] = (session.get_transaction(), version)
    return version
