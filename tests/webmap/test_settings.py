"""Settings: one table, one checker for the environment and for a test's mapping given to create_app."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SECRET
from webmap import create_app, settings
from webmap.settings import ConfigError


@pytest.fixture
def required(database_url) -> dict[str, str]:
    """The two settings without a default."""
    return {"DATABASE_URL": database_url, "SECRET_KEY": SECRET}


@pytest.mark.parametrize("name, value, reason", [
    ("MAX_CONTENT_LENGHT", 1000, "unknown setting MAX_CONTENT_LENGHT"),
    ("MAX_FORM_MEMORY_SIZE", 500_000, "unknown setting MAX_FORM_MEMORY_SIZE"),
    ("EMBED_CACHE_SECONDS", "soon", "EMBED_CACHE_SECONDS must be a whole number, got 'soon'"),
    ("EMBED_CACHE_SECONDS", -1, "EMBED_CACHE_SECONDS must not be negative"),
    ("IMPORT_MAX_ROWS", 0, "IMPORT_MAX_ROWS must be at least 1"),
    ("EMBED_ALLOWED_ORIGINS", ["portal.test"], "EMBED_ALLOWED_ORIGINS: 'portal.test' is not an origin"),
    ("SESSION_COOKIE_SECURE", "maybe", "SESSION_COOKIE_SECURE must be true or false, got 'maybe'"),
    ("DATABASE_REPLICA_URL", "mysql://replica/db", "DATABASE_REPLICA_URL must start with postgresql://"),
    ("SECRET_KEY", "short", "SECRET_KEY must be set to a random string of at least 16 characters"),
    ("MAX_CONTENT_LENGTH", 1000, "MAX_CONTENT_LENGTH must be at least"),
    ("TESTING", "sometimes", "TESTING must be true or false, got 'sometimes'"),
    ("EMBED_CACHE_SECONDS", 1.5, "EMBED_CACHE_SECONDS must be text, a whole number"),
])
def test_create_app_refuses_an_unknown_or_bad_setting_naming_it(required, name, value, reason):
    with pytest.raises(ConfigError) as refused:
        create_app({"TESTING": True, **required, name: value})
    assert reason in str(refused.value)


def test_create_app_refuses_a_missing_database_url_naming_it():
    with pytest.raises(ConfigError, match="^DATABASE_URL is not set: a postgresql:// URL"):
        create_app({"TESTING": True, "SECRET_KEY": SECRET})


def test_a_test_app_has_production_limits_on_bodies_and_forms(app, required):
    production = settings.from_environment(required)
    assert (app.config["MAX_CONTENT_LENGTH"], app.config["MAX_FORM_MEMORY_SIZE"]) == (10 * 1024 * 1024, 7_056_042)
    assert (production["MAX_CONTENT_LENGTH"], production["MAX_FORM_MEMORY_SIZE"]) == (10 * 1024 * 1024, 7_056_042)
    for name in settings.SETTINGS:
        if name not in ("EMBED_ALLOWED_ORIGINS", "SESSION_COOKIE_SECURE"):  # the two the app fixture sets
            assert app.config[name] == production[name], name


def test_a_form_of_a_megabyte_is_read_as_in_production(client):
    # Flask's own cap on a form field is 500 kB: a test app with it would answer 413 where production reads the
    # form (and here refuses it for its missing CSRF token, naming that field).
    response = client.post("/staff/login", data={"username": "a" * 1_000_000, "password": "x"})
    assert response.status_code == 400
    assert "csrf" in response.get_data(as_text=True).lower()


def test_text_as_the_environment_gives_it_and_typed_values_read_the_same(required):
    as_text = settings.from_mapping({**required, "EMBED_CACHE_SECONDS": "60", "SESSION_COOKIE_SECURE": "false",
                                     "EMBED_ALLOWED_ORIGINS": "https://a.vn https://b.vn/", "TILE_URL": " "})
    typed = settings.from_mapping({**required, "EMBED_CACHE_SECONDS": 60, "SESSION_COOKIE_SECURE": False,
                                   "EMBED_ALLOWED_ORIGINS": ["https://a.vn", "https://b.vn"], "TILE_URL": None})
    assert as_text == typed
    assert (typed["EMBED_CACHE_SECONDS"], typed["SESSION_COOKIE_SECURE"], typed["EMBED_ALLOWED_ORIGINS"],
            typed["TILE_URL"]) == (60, False, ["https://a.vn", "https://b.vn"], None)


def test_every_default_comes_from_the_one_table(required):
    read = settings.from_environment(required)
    assert {name: read[name] for name in ("EMBED_CACHE_SECONDS", "IMPORT_MAX_ROWS", "IMPORT_MAX_BYTES",
                                          "MAX_JSON_DEPTH", "HOST", "PORT", "WEB_WORKERS", "WEB_THREADS")} == {
        "EMBED_CACHE_SECONDS": 300, "IMPORT_MAX_ROWS": 2000, "IMPORT_MAX_BYTES": 5 * 1024 * 1024,
        "MAX_JSON_DEPTH": 32, "HOST": "127.0.0.1", "PORT": 5000, "WEB_WORKERS": 2, "WEB_THREADS": 8}
    assert (read["DATABASE_REPLICA_URL"], read["TILE_URL"], read["EMBED_ALLOWED_ORIGINS"],
            read["SESSION_COOKIE_SECURE"]) == (None, None, [], True)
    assert settings.server({}) == {"HOST": "127.0.0.1", "PORT": 5000, "WEB_WORKERS": 2, "WEB_THREADS": 8}


def test_the_server_settings_need_no_database_and_are_checked():
    assert settings.server({"PORT": "8001", "WEB_WORKERS": "4"})["PORT"] == 8001
    with pytest.raises(ConfigError, match="^PORT must be a port number up to 65535, got 70000$"):
        settings.server({"PORT": "70000"})
    with pytest.raises(ConfigError, match="^WEB_THREADS must be at least 1$"):
        settings.server({"WEB_THREADS": "0"})


def test_scripts_serve_debug_refuses_a_bad_port_naming_it(required):
    done = subprocess.run([sys.executable, "-m", "webmap.cli", "serve-debug"], cwd=Path(__file__).resolve().parents[2],
                          env={**os.environ, **required, "PORT": "99999"}, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr.strip()) == (2, "PORT must be a port number up to 65535, got 99999")
