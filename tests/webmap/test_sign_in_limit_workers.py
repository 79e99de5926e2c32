"""The sign-in limit holds across gunicorn workers: the 6th wrong password in a minute for one name is a 429."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.staffkit import PASSWORD, users  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(database_url, users, tmp_path):
    """gunicorn with 2 workers on a free port against the test database; each worker answers one request only."""
    port = _free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "gunicorn-test-secret-key-0123456789",
           "SESSION_COOKIE_SECURE": "false"}
    # --max-requests 1: every answer comes from a fresh worker process, so no one process's memory could count
    # to five; only a count shared by every worker refuses the 6th try.
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--max-requests", "1", "--preload", "--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s",
         "webmap:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                requests.get(f"{base}/staff/login", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _try(base: str, username: str, password: str) -> int:
    browser = requests.Session()
    page = browser.get(f"{base}/staff/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return browser.post(f"{base}/staff/login", data={"username": username, "password": password,
                                                      "csrf_token": token}, allow_redirects=False, timeout=30).status_code


def test_the_sixth_wrong_password_is_refused_whichever_worker_answers(server):
    base, log = server
    statuses = [_try(base, "planner", "sai-mật-khẩu") for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    assert _try(base, "planner", PASSWORD) == 429  # even the right password, until the minute is over
    assert _try(base, "admin", PASSWORD) == 302    # another name from the same address still signs in
    pids = [line.split()[0] for line in log.read_text().splitlines() if line.endswith((" 401", " 429"))]
    assert len(pids) == 7 and len(set(pids)) == 7  # seven answers, each from a different worker process
