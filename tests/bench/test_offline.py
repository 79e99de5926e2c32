"""python -m bench offline end to end with a small photo: each figure of the staff app is printed, as a number,
with the load average, and the scratch database is gone afterwards. Times are printed, never asserted."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
N = r"(\d[\d,]*(?:\.\d+)?)"
LOAD = r"\[load \d+\.\d\d \d+\.\d\d \d+\.\d\d\]$"
FIGURES = (
    rf"staff form, first visit at 390x844: {N} requests, {N} bytes over the network",
    rf"staff worker keeps at install: {N} files \(.*\), {N} bytes over the network at most",
    rf"site form with a 0\.1 MB photo on Fast 3G \(.*\): {N} s to send \(answer 302\), {N} s until the next page "
    rf"shows \(the upload alone at 84 375 B/s: {N} s\)",
)
HARNESS = "import sys; from bench import offline; offline.run(sys.argv[1], photo_bytes=100 * 1024)"


def test_offline_figures_are_printed_and_the_scratch_database_dropped(engine, database_url):
    # In a process of its own, as python -m bench runs: Playwright's sync API refuses to start inside the event
    # loop the browser tests' Playwright leaves running in this process.
    done = subprocess.run([sys.executable, "-c", HARNESS, database_url], capture_output=True, text=True, check=False,
                          cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    for pattern in FIGURES:
        assert any(re.search(pattern + r"  " + LOAD, line) for line in lines), (pattern, lines)
    scratch = f"{make_url(database_url).database}_bench_offline"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM pg_database WHERE datname = :name"),
                                  {"name": scratch}).scalar_one() == 0
