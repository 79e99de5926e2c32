"""scripts/setup's choice of PostgreSQL cluster (scripts/lib/cluster.sh), on this machine's real clusters."""
from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


# A name that sorts before main, on a port of its own; both this run's, so two suites on one machine (two checkouts
# side by side) do not make the same cluster.
SECOND = (f"aaa{os.getpid()}", _free_port())


def clusters() -> list[list[str]]:
    """pg_lsclusters' lines, split: version, name, port, status, …"""
    listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in listed.splitlines()]


def choose(pgport: str | None = None) -> subprocess.CompletedProcess:
    """choose_cluster as scripts/setup runs it, with PGPORT set to pgport or unset."""
    env = {k: v for k, v in os.environ.items() if k != "PGPORT"} | ({"PGPORT": pgport} if pgport else {})
    return subprocess.run(["bash", "-c", "set -euo pipefail; . scripts/lib/cluster.sh; choose_cluster"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def main_cluster() -> list[str]:
    """The machine's cluster on 5432 (the one set-up made the database in)."""
    found = [c for c in clusters() if c[2] == "5432"]
    assert len(found) == 1, f"no cluster on 5432: {clusters()}"
    return found[0]


@pytest.fixture(scope="module")
def second_cluster(main_cluster) -> Iterator[list[str]]:
    """A second cluster of the same version, named to sort before main, on a free port; dropped afterwards."""
    assert os.geteuid() == 0, "creating a PostgreSQL cluster needs root (the tests run as root in CI)"
    version = main_cluster[0]
    subprocess.run(["pg_createcluster", version, *SECOND[:1], "-p", SECOND[1]], check=True, capture_output=True,
                   timeout=300)
    try:
        yield [version, *SECOND]
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, SECOND[0]], check=True, capture_output=True,
                       timeout=300)


def test_set_up_takes_the_cluster_on_5432_when_another_sorts_first(main_cluster, second_cluster):
    assert " ".join(second_cluster) < " ".join(main_cluster) and second_cluster in [c[:3] for c in clusters()]
    chosen = choose()
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.split()[:3] == main_cluster[:3]


def test_pgport_names_another_cluster(second_cluster):
    chosen = choose(second_cluster[2])
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.split()[:3] == second_cluster


def test_set_up_stops_naming_the_port_when_no_cluster_is_on_it(main_cluster, second_cluster):
    chosen = choose("5499")
    assert chosen.returncode == 1 and chosen.stdout == ""
    assert "cannot tell which PostgreSQL cluster to use: no single cluster runs on port 5499" in chosen.stderr
    assert " main " in chosen.stderr and f" {second_cluster[1]} " in chosen.stderr

