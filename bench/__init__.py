"""The figures of the map measured from outside, kept out of the web package (which never imports them):
scripts/bench (scale.py: the figures; load.py: gunicorn and nginx; clients.py: the clients of the load runs;
browser.py: headless Chromium) and scripts/lighthouse (lighthouse.py), both through `python -m bench`."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

Say = Callable[[str], None]
# The checkout: deploy/'s configuration, the test-output/ folder.
ROOT = Path(__file__).resolve().parent.parent


def load_average() -> str:
    """The machine's load average (1, 5, 15 minutes), printed beside every figure."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def figure(say: Say, line: str) -> None:
    """Print one figure line with the load average at the time it was measured."""
    say(f"{line}  [{load_average()}]")
