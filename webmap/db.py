"""The database session of a request: opened on first use, closed (rolled back if unfinished) on teardown."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session


def get_session() -> Session:
    """The session of this request."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["sessions"]()
    return g.db_session


def close_session(_error: BaseException | None = None) -> None:
    """Close the request's session; work not committed is rolled back."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    """Register the teardown."""
    app.teardown_appcontext(close_session)
