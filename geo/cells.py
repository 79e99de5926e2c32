"""Text cells that a spreadsheet program must show as text, never run as a formula."""
from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: Any) -> Any:
    """A CSV cell: text a spreadsheet would read as a formula gets a leading quote; other values pass."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value
