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
    app.config.update(settings.from_environment() if config is None else config)
    app.config.setdefault("EMBED_ALLOWED_ORIGINS", [])
    app.config.setdefault("EMBED_CACHE_SECONDS", 300)
    app.config.setdefault("TILE_URL", None)

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    app.extensions["sessions"] = make_session_factory(engine)

    from webmap import db, errors, i18n
    db.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)

    from webmap import api, api_write, auth, maps, ogc, staff
    auth.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(api_write.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(maps.bp)
    app.register_blueprint(ogc.bp)
    maps.init_app(app)

    from webmap import indicators_api, reports
    app.register_blueprint(indicators_api.bp)
    app.register_blueprint(reports.bp)
    return app
