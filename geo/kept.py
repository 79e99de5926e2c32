"""What this process built and keeps, each thing with the data version it was built at, within a size: a tile, a
public response. Whoever reads one checks its version against the database's (the data version moves with every
change, and a restore moves it forward too), so nothing kept is ever sent for other data."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Hashable


class Kept:
    """Things keyed by what they were built from, with their data version and size; the least recently used go
    first once they weigh more than max_bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._bytes = 0
        self._things: OrderedDict[Hashable, tuple[int, Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[int, Any] | None:
        """The data version and the thing kept under key, or None."""
        with self._lock:
            kept = self._things.get(key)
            if kept is None:
                return None
            self._things.move_to_end(key)
            return kept[0], kept[1]

    def put(self, key: Hashable, version: int, thing: Any, size: int) -> None:
        """Keep thing, built at version and weighing size bytes, under key (unless it alone weighs too much)."""
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._things.pop(key, None)
            self._bytes += size - (old[2] if old else 0)
            self._things[key] = (version, thing, size)
            while self._bytes > self.max_bytes:
                self._bytes -= self._things.popitem(last=False)[1][2]
