"""Browser fixtures: the app served on the test database in a thread, and Debian's Chromium via Playwright."""
from __future__ import annotations

import time

import logging
import socket
import threading
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from geo.site_store import load_seed_sites
from geo.sites import SEED_FILE
from tests.conftest import SECRET

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request drowns the test output
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


class ServerThread(threading.Thread):
    """A WSGI app served on 127.0.0.1 in a daemon thread until stopped."""

    def __init__(self, app, host: str = "127.0.0.1") -> None:
        super().__init__(daemon=True)
        self.server = make_server(host, 0, app, threaded=True)
        self.port = self.server.server_port

    def run(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()


def wait_until(page: Page, condition: str, timeout_ms: int = 45_000) -> None:
    """Wait until a JavaScript condition holds, polled from here, for a generous time measured by the clock (a
    busy machine is slow, not wrong).

    Playwright's wait_for_function compiles its predicate in the page, which the app's Content-Security-Policy
    (no 'unsafe-eval') refuses; page.evaluate of a function is allowed.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        if page.evaluate(f"() => Boolean({condition})"):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_ms} ms: {condition}")
        page.wait_for_timeout(100)  # the poll's step, not a wait for something to happen


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def portal_port() -> int:
    """The port of the test's stand-in for the provincial portal (its origin is allowed to frame /embed)."""
    return free_port()


@pytest.fixture
def seeded(db) -> int:
    """The shipped sample sites: 73 approved."""
    with Session(db) as session, session.begin():
        return load_seed_sites(session, SEED_FILE)


@pytest.fixture
def live_app(db, database_url, portal_port):
    from webmap import create_app

    app = create_app({
        "TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
        "EMBED_ALLOWED_ORIGINS": [f"http://localhost:{portal_port}"], "EMBED_CACHE_SECONDS": 60,
        "SESSION_COOKIE_SECURE": False,
    })
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def live_server(live_app) -> Iterator[str]:
    """The base URL of the app, served on the test database."""
    server = ServerThread(live_app)
    server.start()
    yield f"http://127.0.0.1:{server.port}"
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _local_only(route) -> None:
    # Tests never depend on the internet: tiles and anything else outside this machine are refused.
    host = urlsplit(route.request.url).hostname
    if route.request.url.startswith("data:") or host in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


def local_pages(browser: Browser, **options) -> Iterator[Page]:
    """A page of a new browser context (options as for browser.new_context) that reaches this machine only."""
    context = browser.new_context(locale="vi-VN", **options)
    context.route("**/*", _local_only)
    page = context.new_page()
    page.set_default_timeout(45_000)
    yield page
    context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from local_pages(browser, viewport={"width": 1280, "height": 800})


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot of the page in test-output/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
