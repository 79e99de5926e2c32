"""Real servers for the tests that need one: gunicorn serving the app on the test database, and a visitor
that speaks HTTP from a source address of its own (127.0.0.2, 127.0.0.3…), as distinct clients do."""
from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
SECRET = "gunicorn-test-secret-key-0123456789"


def free_port() -> int:
    """A TCP port of 127.0.0.1 free at the time of asking."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, log: Path, *options: str, env: dict[str, str] | None = None,
             log_format: str = "%(p)s %(s)s") -> Iterator[str]:
    """gunicorn with 2 workers and the options on a free port against the test database, its access log in log
    (one log_format a line); yields its base URL."""
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
                   "SESSION_COOKIE_SECURE": "false", **(env or {})}
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", *options,
         "--preload", "--access-logfile", str(log), "--access-logformat", log_format, "webmap:create_app()"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                requests.get(f"{base}/staff/login", timeout=5)
                break
            except requests.ConnectionError:
                if process.poll() is not None:
                    pytest.fail("gunicorn stopped at start")
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


class Visitor:
    """A browser at one source address: it keeps its cookies and connects from that address."""

    def __init__(self, base: str, address: str) -> None:
        parts = urlsplit(base)
        self.host, self.port, self.address = parts.hostname, parts.port, address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        """The status and body of one request (redirects are not followed)."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60, source_address=(self.address, 0))
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";")[0].partition("=")
                self.cookies[name.strip()] = value
            return response.status, response.read().decode()
        finally:
            connection.close()

    def sign_in(self, username: str, password: str) -> int:
        """The status of a sign-in from the login page's form, as a person would send it."""
        _, page = self.request("GET", "/staff/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        status, _ = self.request("POST", "/staff/login",
                                 {"username": username, "password": password, "csrf_token": token})
        return status
