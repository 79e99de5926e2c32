"""What /progress shows of its figures, worked out without the web (no Flask here): the legend's classes drawn
from every plan year, the colour of a value, the legend's entries and a sparkline's points. webmap/progress.py
puts them in words and renders them."""
from __future__ import annotations

from typing import Any, Callable

import mapclassify
import numpy as np
from threadpoolctl import threadpool_limits

from geo.plan import PROGRESS_STATUS_COLOURS

CLASS_COLOURS = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
NO_DATA_COLOUR = "#d9d9d9"
PROGRESS_STATUS_ORDER = ("on_track", "behind", "far_behind", "no_data")


def classes(values: list[float | None]) -> list[dict[str, Any]]:
    """Legend classes for the values: zero on its own, then natural breaks (Jenks) of what is above it.

    Each value falls in exactly one class: whole numbers get whole-number classes ("3–4" after "1–2"); other
    values get classes whose lower bound is excluded ("over 2 to 5" after "1 – 2").
    """
    present = np.array([float(v) for v in values if v is not None], dtype=float)
    found: list[dict[str, Any]] = []
    positive = present[present > 0]
    if (present == 0).any():
        found.append({"low": 0.0, "high": 0.0, "low_open": False, "colour": CLASS_COLOURS[0]})
    if positive.size:
        distinct = np.unique(positive)
        k = min(4, distinct.size)
        # One thread: k-means on a few dozen values gains nothing from more, and on a busy server its
        # waiting threads cost up to a second (0.03 s with one).
        with threadpool_limits(1):
            bins = list(mapclassify.NaturalBreaks(positive, k=k).bins) if k > 1 else [float(distinct[0])]
        whole = bool(np.all(np.mod(positive, 1) == 0))
        low, low_open = float(positive.min()), False
        for index, high in enumerate(bins):
            found.append({"low": low, "high": float(high), "low_open": low_open, "colour": CLASS_COLOURS[index + 1]})
            low, low_open = (float(high) + 1, False) if whole else (float(high), True)
    return found


def class_label(item: dict[str, Any], number: Callable[[float], str], over: Callable[[str, str], str]) -> str:
    """A legend class in words a reader can place a value in: "0", "3–4", or over(low, high) ("over 2 to 5")."""
    if item["low"] == item["high"]:
        return number(item["low"])
    if item["low_open"]:
        return over(number(item["low"]), number(item["high"]))
    return f"{number(item['low'])}–{number(item['high'])}"


def colour_of(value: float | None, found: list[dict[str, Any]]) -> str:
    """The fill of a value: its class's colour, grey for no data."""
    if value is None:
        return NO_DATA_COLOUR
    for item in found:
        if value <= item["high"]:
            return item["colour"]
    return found[-1]["colour"] if found else NO_DATA_COLOUR


def row_colour(row: dict[str, Any], result: dict[str, Any]) -> str:
    """A unit's fill: its progress status where the plan sets a target per unit, else its value's class."""
    if result["by_progress_status"]:
        return PROGRESS_STATUS_COLOURS.get(row.get("progress_status") or "no_data", NO_DATA_COLOUR)
    return colour_of(row["value"], result["classes"])


def legend(result: dict[str, Any], status_names: dict[str, str], no_data: str) -> list[dict[str, str]]:
    """The legend of the map: the progress statuses where the plan sets a target per unit, else the classes."""
    if result["by_progress_status"]:
        return [{"colour": PROGRESS_STATUS_COLOURS[key], "label": status_names[key]} for key in PROGRESS_STATUS_ORDER]
    return [*({"colour": c["colour"], "label": c["label"]} for c in result["classes"]),
            {"colour": NO_DATA_COLOUR, "label": no_data}]


def sparkline(path: list[dict[str, Any]], width: int = 90, height: int = 22) -> str:
    """The points of an SVG polyline of a path of values year by year (empty when it has none)."""
    values = [p["value"] for p in path]
    present = [v for v in values if v is not None]
    if len(present) < 2:
        return ""
    top = max(max(present), *[float((p.get("target") or {}).get("low") or 0) for p in path]) or 1.0
    step = width / (len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - (v / top) * (height - 2) - 1:.1f}"
                    for i, v in enumerate(values) if v is not None)
