"""The Flask application of the Kiên Giang SCP map."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from geo.db import make_engine, make_session_factory
from webmap import settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application from the environment's settings, or from a test's config checked the same way."""
    app = Flask(__name__)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        JSON_SORT_KEYS=False,
    )
    # Every setting, its default filled in, through the one checker (a test's mapping too: tests run with
    # production's limits, e.g. MAX_CONTENT_LENGTH and MAX_FORM_MEMORY_SIZE, not Flask's own).
    app.config.update(settings.from_environment() if config is None else settings.from_mapping(config))

    proxies = app.config.get("TRUSTED_PROXIES")
    if proxies:
        # Behind that many proxies, the client's address (sign-in limit, access log), scheme and host are the
        # ones the proxies forwarded, not the nearest proxy's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    app.extensions["sessions"] = make_session_factory(engine)

    from webmap import caching, db, errors, hooks, i18n, photos
    db.init_app(app)
    photos.init_app(app)  # before any hook that reads a form: the photo requests' size limit holds from there
    caching.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    hooks.init_app(app)

    from webmap import (accounts, api, api_write, auth, imports_api, indicators_api, maps, offline, ogc, ogc_tiles,
                        openapi, progress, reports, staff, task_reports, tiles)
    auth.init_app(app)
    for blueprint in (auth.bp, staff.bp, accounts.bp, api_write.bp, imports_api.bp, api.bp, maps.bp, progress.bp,
                      ogc.bp, ogc_tiles.bp, indicators_api.bp, reports.bp, openapi.bp, tiles.bp, task_reports.bp,
                      photos.bp, offline.bp):
        app.register_blueprint(blueprint)
    return app
