"""The data version: a counter the database moves on with every change to sites, units, categories and
indicator values (migration 0005), so a response can say which data it was built from."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

_KEY = "data_version"
# A restore brings an older counter back: the versions served since would come round again for other data,
# and a cache holding one of their ETags would be told 304. So the restore's own transaction remembers the
# version the database had (locking it against writers) and, once the file is in, moves the counter past it
# and past the clock in microseconds since 1970, a figure no counter reaches (that would take a million
# changes a second), so even a restore into a fresh database starts above every version served before.
REMEMBER_SERVED = """
DO $$ BEGIN
    IF to_regclass('public.data_version') IS NOT NULL THEN
        PERFORM set_config('scp.served_data_version',
                           (SELECT version FROM public.data_version FOR UPDATE)::text, true);
    END IF;
END $$"""
MOVE_PAST_SERVED = """
DO $$ BEGIN
    IF to_regclass('public.data_version') IS NOT NULL THEN
        UPDATE public.data_version SET changed_at = now(), version = 1 + GREATEST(
            version,
            COALESCE(NULLIF(current_setting('scp.served_data_version', true), '')::bigint, 0),
            (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);
    END IF;
END $$"""


# The read of the version, as a caller folds it into a statement of its own (a tile reads it with its body).
READ = "SELECT version FROM data_version"


def current(session: Session) -> int:
    """The data version this transaction first read (a request's ETag and its caches agree on one version)."""
    kept = session.info.get(_KEY)
    if kept is not None and kept[0] is session.get_transaction():
        return kept[1]
    return remember(session, session.execute(text(READ)).scalar_one())


def remember(session: Session, version: int) -> int:
    """Keep a version read by a statement of the caller's (READ folded into it) as this transaction's: current()
    then answers it without reading again."""
    # Kept with the transaction it was read in: the next transaction reads it again.
    session.info[_KEY] = (session.get_transaction(), version)
    return version
