"""The parts of scripts/bench that run servers and clients: gunicorn, nginx, wrk and a headless Chromium."""
from __future__ import annotations

import os
from collections.abc import Callable

Say = Callable[[str], None]


def load_average() -> str:
    """The machine's load average (1, 5, 15 minutes), printed beside every figure."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def figure(say: Say, line: str) -> None:
    """Print one figure line with the load average at the time it was measured."""
    say(f"{line}  [{load_average()}]")
