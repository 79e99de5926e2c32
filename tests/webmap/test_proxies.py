"""TRUSTED_PROXIES: how many proxies' X-Forwarded-* headers the app believes (0 by default: none)."""
from __future__ import annotations

import pytest

from tests.conftest import SECRET
from tests.staffkit import PASSWORD, csrf_token, users  # noqa: F401 - fixture
from webmap import create_app
from webmap.settings import ConfigError, read


def _app(database_url: str, proxies: int):
    return create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
                       "SESSION_COOKIE_SECURE": False, "TRUSTED_PROXIES": proxies})


def _sign_in(app, username: str, password: str, forwarded_for: str) -> int:
    client = app.test_client()
    return client.post("/staff/login", headers={"X-Forwarded-For": forwarded_for},
                       data={"username": username, "password": password,
                             "csrf_token": csrf_token(client)}).status_code


@pytest.mark.parametrize("proxies, colleague", [(0, 429), (1, 302)])
def test_the_sign_in_limit_counts_the_address_the_trusted_proxies_forwarded(database_url, users, proxies,
                                                                            colleague):
    app = _app(database_url, proxies)
    try:
        # Without a trusted proxy a client's own X-Forwarded-For is a lie it could vary: it changes nothing.
        statuses = [_sign_in(app, f"name{n}", "sai-mật-khẩu", f"203.0.113.{n}, 198.51.100.7") for n in range(31)]
        assert statuses == [401] * 30 + [429]
        assert _sign_in(app, "planner", PASSWORD, "198.51.100.8") == colleague
    finally:
        app.extensions["engine"].dispose()


def test_trusted_proxies_must_be_a_whole_number_of_at_least_zero():
    assert read({}, ["TRUSTED_PROXIES"])["TRUSTED_PROXIES"] == 0
    assert read({"TRUSTED_PROXIES": "2"}, ["TRUSTED_PROXIES"])["TRUSTED_PROXIES"] == 2
    for bad in ("-1", "nginx"):
        with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
            read({"TRUSTED_PROXIES": bad}, ["TRUSTED_PROXIES"])
