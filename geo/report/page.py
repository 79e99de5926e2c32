"""The report as a printable HTML page, with the province map and a choropleth per main indicator as images."""
from __future__ import annotations

import base64
import datetime as dt
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: images are drawn to memory
import matplotlib.pyplot as plt  # noqa: E402
from jinja2 import Environment, FileSystemLoader, select_autoescape  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from geo import plan  # noqa: E402
from geo.catalogue import CATEGORIES, PLAN_TASKS, STATUS_LABELS  # noqa: E402
from geo.report.data import Report  # noqa: E402
from geo.report.text import (LEVEL_LABELS, H, METHOD_LABELS, Translate,  # noqa: E402
                             format_date, format_number, format_target, local_name, same, sample_name,
                             status_label, unit_label)
from geo.task_reports import WORK_STATUSES  # noqa: E402

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def province_map(report: Report, lang: str = "vi", translate: Translate = same) -> bytes:
    """The province's units and the year's sites coloured by category, as a PNG."""
    figure, axes = plt.subplots(figsize=(7.5, 7.5))
    report.units.plot(ax=axes, color="#f4f1ea", edgecolor="#8d8d8d", linewidth=0.5)
    categories = {c.code: c for c in CATEGORIES}
    handles = []
    for code, category in categories.items():
        points = [p for p in report.map_points if p["category_code"] == code]
        if not points:
            continue
        # A point stands for the sites of its grid cell: its area grows with their number, gently.
        axes.scatter([p["lon"] for p in points], [p["lat"] for p in points],
                     s=[min(22 * p["sites"] ** 0.5, 400) for p in points], color=category.colour,
                     edgecolor="white", linewidth=0.5, zorder=3)
        label = category.name_en if lang == "en" else category.name_vi
        count = format_number(sum(p["sites"] for p in points), lang)
        handles.append(Patch(color=category.colour, label=f"{label} ({count})"))
    axes.set_title(f"{translate(H['map'])} — {report.year}", fontsize=12)
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    axes.set_axis_off()
    axes.set_aspect("equal")
    return _png(figure)


def choropleth(report: Report, code: str, lang: str = "vi", translate: Translate = same) -> bytes:
    """One indicator by unit as a PNG: coloured by status where each unit has a target, else by value."""
    progress = report.progress[code]
    spec = progress["indicator"]
    by_code = {u["code"]: u for u in progress["units"]}
    frame = report.units.copy()
    frame["value"] = [by_code.get(c, {}).get("value") for c in frame["code"]]
    frame["status"] = [by_code.get(c, {}).get("progress_status") for c in frame["code"]]
    figure, axes = plt.subplots(figsize=(6.5, 6.5))
    unit = unit_label(spec, lang)
    if spec["target_scope"] == "unit" and progress["target"]:
        colours = [plan.PROGRESS_STATUS_COLOURS[s] for s in frame["status"]]
        frame.plot(ax=axes, color=colours, edgecolor="white", linewidth=0.6)
        shown = [s for s in ("on_track", "behind", "far_behind", "no_data") if s in set(frame["status"])]
        handles = [Patch(color=plan.PROGRESS_STATUS_COLOURS[s], label=status_label(s, translate)) for s in shown]
        axes.legend(handles=handles, loc="lower left", fontsize=8, title=translate(H["status"]), title_fontsize=8)
    else:
        present = frame[frame["value"].notna()]
        missing = frame[frame["value"].isna()]
        if len(missing):
            missing.plot(ax=axes, color=plan.PROGRESS_STATUS_COLOURS["no_data"], edgecolor="white", linewidth=0.6)
        if len(present):
            # The scale starts at 0 so that a unit with nothing looks empty, not average.
            top = max(float(present["value"].max()), 1.0)
            present.astype({"value": float}).plot(
                ax=axes, column="value", cmap="YlGn", vmin=0, vmax=top, edgecolor="#6d6d6d", linewidth=0.4,
                legend=True,
                legend_kwds={"shrink": 0.6, "label": f"{translate(H['legend_value'])} ({unit})"})
    if report.level == "district":
        # Fifteen units leave room to print each figure on its unit.
        for _, row in frame.iterrows():
            point = row.geom.representative_point()
            axes.annotate(format_number(row["value"], lang), (point.x, point.y), ha="center", fontsize=7,
                          color="#212121")
    target = format_target(progress["target"], lang)
    axes.set_title(f"{local_name(spec, lang)}\n{report.year} — {translate(H['target_year'])}: {target}"
                   f"{'' if target == '—' else ' ' + unit}", fontsize=10)
    axes.set_axis_off()
    axes.set_aspect("equal")
    return _png(figure)


# --- the HTML page --------------------------------------------------------------------------------

def render_html(report: Report, *, lang: str = "vi", translate: Translate = same,
                with_images: bool = True) -> str:
    """The printable report page (self-contained: its images are data URIs)."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    images = {}
    if with_images:
        images["map"] = _data_uri(province_map(report, lang, translate))
        for spec in plan.INDICATORS:
            if spec.main:
                images[spec.code] = _data_uri(choropleth(report, spec.code, lang, translate))
    leads = {task.code: task.lead_agency for task in PLAN_TASKS}
    return environment.get_template("report.html").render(
        report=report, lang=lang, t=translate, H=H, images=images, leads=leads,
        level_label=translate(LEVEL_LABELS[report.level]),
        status_label=lambda s: status_label(s, translate),
        site_status_label=lambda s: translate(STATUS_LABELS[s]),
        method_label=lambda m: translate(METHOD_LABELS[m]),
        num=lambda v: format_number(v, lang), target=lambda t: format_target(t, lang), date=format_date,
        iso_date=lambda v: format_date(dt.datetime.fromisoformat(v)) if v else "",
        sector_status=lambda v, t: plan.progress_status(v, t["low"] if t else None),
        name=lambda item, key="name": local_name(item, lang, key), unit_label=lambda item: unit_label(item, lang),
        status_colour=plan.PROGRESS_STATUS_COLOURS, main_codes=[s.code for s in plan.INDICATORS if s.main],
        sample_name=lambda site_name, is_sample: sample_name(site_name, is_sample, translate),
        work_statuses=WORK_STATUSES)
