"""Fixtures: a real PostGIS test database (never the served one), the app, its client."""
from __future__ import annotations

import os
from typing import Iterator

import pytest
from sqlalchemy import Engine, text

from geo import admin, boundaries, reference
from geo.db import make_engine, transaction

SECRET = "test-secret-key-not-for-production"


def _test_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        # A database test that cannot run is a failure, never a skip.
        pytest.exit("TEST_DATABASE_URL is not set: run the tests with scripts/test", returncode=2)
    if url == os.environ.get("DATABASE_URL"):
        pytest.exit("TEST_DATABASE_URL is the served database; the tests would empty it", returncode=2)
    return url


@pytest.fixture(scope="session")
def database_url() -> str:
    return _test_url()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The test database, migrated, with the reference lists and the shipped boundaries."""
    admin.migrate(database_url)
    engine = make_engine(database_url)
    with transaction(engine) as session:
        session.execute(text("TRUNCATE site_history, site, indicator_value_history, indicator_value, "
                             "api_token, app_user RESTART IDENTITY CASCADE"))
        reference.load_reference(session)
        for layer in boundaries.SHIPPED_LAYERS:
            boundaries.load_shipped_layer(session, layer)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    """The test database with no sites, users or indicator values: each test starts from known counts."""
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE site_history, site, indicator_value_history, indicator_value, "
                                "api_token, app_user, sign_in_failure, photo RESTART IDENTITY CASCADE"))
    yield engine


@pytest.fixture
def app(db: Engine, database_url: str):
    from webmap import create_app

    app = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "EMBED_ALLOWED_ORIGINS": ["http://portal.test:8100"],
        "SESSION_COOKIE_SECURE": False,
        "WTF_CSRF_ENABLED": True,
    })
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()
