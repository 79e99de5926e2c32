"""The Flask application of the Kiên Giang SCP map."""
from __future__ import annotations

from typing import Any

from flask import Flask

from geo.db import make_engine, make_session_factory
from webmap import settings


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application from the environment, or from config in tests."""
    app = Flask(__name__)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        JSON_SORT_KEYS=False,
    )
    # Flask defines MAX_CONTENT_LENGTH (as None, no limit), so a setdefault would never set it: update instead.
    app.config.update(settings.DEFAULTS)
    app.config.update(settings.from_environment() if config is None else config)

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    app.extensions["sessions"] = make_session_factory(engine)

    from webmap import caching, db, errors, hooks, i18n
    db.init_app(app)
    caching.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    hooks.init_app(app)

    from webmap import (accounts, api, api_write, auth, imports_api, indicators_api, maps, ogc, openapi, progress,
                        reports, staff, tiles)
    auth.init_app(app)
    for blueprint in (auth.bp, staff.bp, accounts.bp, api_write.bp, imports_api.bp, api.bp, maps.bp, progress.bp,
                      ogc.bp, indicators_api.bp, reports.bp, openapi.bp, tiles.bp):
        app.register_blueprint(blueprint)
    return app
