"""The sign-in limit holds across gunicorn workers: the 6th wrong password in a minute for one name is a 429, and
the 31st from one address however many tries arrive at once."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.serverkit import Visitor, gunicorn
from tests.staffkit import PASSWORD, users  # noqa: F401 - fixture


@pytest.fixture
def server(database_url, users, tmp_path):
    """gunicorn with 2 workers on a free port against the test database; each worker answers one request only."""
    log = tmp_path / "access.log"
    # --max-requests 1: every answer comes from a fresh worker process, so no one process's memory could count
    # to five; only a count shared by every worker refuses the 6th try.
    with gunicorn(database_url, log, "--max-requests", "1") as base:
        yield base, log


def _try(base: str, username: str, password: str) -> int:
    return Visitor(base, "127.0.0.1").sign_in(username, password)


def test_the_sixth_wrong_password_is_refused_whichever_worker_answers(server):
    base, log = server
    statuses = [_try(base, "planner", "sai-mật-khẩu") for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    assert _try(base, "planner", PASSWORD) == 429  # even the right password, until the minute is over
    assert _try(base, "admin", PASSWORD) == 302    # another name from the same address still signs in
    pids = [line.split()[0] for line in log.read_text().splitlines() if line.endswith((" 401", " 429"))]
    assert len(pids) == 7 and len(set(pids)) == 7  # seven answers, each from a different worker process


def test_a_password_sprayed_at_many_names_at_once_gets_exactly_thirty_tries(database_url, users, tmp_path):
    # 40 names tried at the same moment from one address, by 8 clients on 2 workers of 4 threads: the address's
    # limit of 30 must hold exactly, not let through the tries that read the count together.
    with gunicorn(database_url, tmp_path / "access.log", "--worker-class", "gthread", "--threads", "4") as base:
        with ThreadPoolExecutor(max_workers=8) as clients:
            statuses = list(clients.map(lambda n: _try(base, f"nobody{n}", "mùa-xuân-2025"), range(40)))
        assert sorted(statuses) == [401] * 30 + [429] * 10
        assert _try(base, "planner", PASSWORD) == 429  # the address is held for the minute, whatever the name
