"""The database session of a request: opened on first use, closed (rolled back if unfinished) on teardown.

With DATABASE_REPLICA_URL set, a public read (see reads_replica) is served from the streaming replica; every
write, every staff page and every request of someone signed in reads the primary, so staff see their own
changes at once.
"""
from __future__ import annotations

from flask import Flask, current_app, g, request, session
from sqlalchemy.orm import Session

from geo.db import make_engine, make_session_factory

# Blueprints whose GET answers only read what the public sees: the maps and /embed, the read API, the
# indicators, OGC API – Features, /progress, the photos. Their staff pages live under /staff and stay on the primary.
PUBLIC_READS = frozenset({"api", "maps", "indicators_api", "ogc", "progress", "tiles", "photos"})


def reads_replica() -> bool:
    """Whether this request may read the replica: a GET or HEAD of a public page or the read API, outside
    /staff, with no signed-in user and no API token (those may have just written)."""
    return (request.method in ("GET", "HEAD") and request.blueprint in PUBLIC_READS
            and not request.path.startswith("/staff/") and "_user_id" not in session
            and "Authorization" not in request.headers)


def get_session() -> Session:
    """The session of this request, on the replica or the primary (chosen once, at first use)."""
    if "db_session" not in g:
        replica = current_app.extensions.get("replica_sessions")
        factory = replica if replica is not None and reads_replica() else current_app.extensions["sessions"]
        g.db_session = factory()
    return g.db_session


def close_session(_error: BaseException | None = None) -> None:
    """Close the request's session; work not committed is rolled back."""
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def init_app(app: Flask) -> None:
    """Register the teardown, and the replica's engine when DATABASE_REPLICA_URL is set."""
    app.teardown_appcontext(close_session)
    if app.config.get("DATABASE_REPLICA_URL"):
        engine = make_engine(app.config["DATABASE_REPLICA_URL"])
        app.extensions["replica_engine"] = engine
        app.extensions["replica_sessions"] = make_session_factory(engine)
