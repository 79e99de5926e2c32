"""Warming an HTTP cache (nginx with deploy/nginx.conf) after a change: the province's low-zoom tiles requested
through it, as the portal's visitors would ask them, so that the first visitors after the change do not wait
for the tiles that cost the database most (clusters summed over the whole province).

nginx keeps a copy per encoding and language (deploy/nginx.conf's cache key): each tile is asked with each
Accept-Encoding and language given. With refresh, each request says X-Cache-Refresh: 1, which nginx honours from
its own machine only: the app answers and its tile replaces the one nginx held.
"""
from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from geo.tiles import BOUNDS, tile_of

ZOOMS = range(8, 13)
LANGUAGES = ("vi", "en")
ENCODINGS = ("br", "gzip")


def province_tiles(zooms: range = ZOOMS) -> list[tuple[int, int, int]]:
    """Every tile (z, x, y) of the zooms covering the province's bounds (geo.tiles.BOUNDS)."""
    west, south, east, north = BOUNDS
    out = []
    for z in zooms:
        (x0, y0), (x1, y1) = tile_of(west, north, z), tile_of(east, south, z)
        out += [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    return out


@dataclass
class Warmed:
    """What a warming asked and got: answers by status, and the requests that failed (status ≥ 400 or none)."""

    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _fetch(url: str, headers: dict[str, str], timeout: float) -> int | str:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:
        return str(error)


def warm(base: str, zooms: range = ZOOMS, *, languages: tuple[str, ...] = LANGUAGES,
         encodings: tuple[str, ...] = ENCODINGS, workers: int = 4, refresh: bool = True,
         timeout: float = 120) -> Warmed:
    """Ask base (nginx's URL) for every province tile of the zooms in each language and encoding, at most
    workers at a time."""
    asked = []
    for z, x, y in province_tiles(zooms):
        for language in languages:
            for encoding in encodings:
                headers = {"Accept-Encoding": encoding, "Cookie": f"lang={language}"}
                if refresh:
                    headers["X-Cache-Refresh"] = "1"
                asked.append((f"{base.rstrip('/')}/tiles/sites/{z}/{x}/{y}.pbf", headers))
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        answers = list(pool.map(lambda item: _fetch(*item, timeout), asked))
    warmed = Warmed(requests=len(asked), seconds=time.perf_counter() - start)
    for (url, headers), answer in zip(asked, answers):
        warmed.statuses[answer if isinstance(answer, int) else "no answer"] += 1
        if not isinstance(answer, int) or answer >= 400:
            warmed.failed.append(f"{url} ({headers['Accept-Encoding']}, {headers['Cookie']}): {answer}")
    return warmed
