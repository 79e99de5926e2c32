"""The report's data: the year's figures, sites and unit outlines, read from the database once."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

import geopandas as gpd
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import data_version, figures, plan
from geo.catalogue import PLAN_TASKS, STATUSES
from geo.site_query import listed_in_year, province_name

# The appendix's sections, in the plan's own headings (section III of the plan's text, items 1–7).
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("I", "Quản lý, khai thác và sử dụng bền vững tài nguyên, phát triển nhiên liệu, nguyên vật liệu có thể "
          "tái tạo, tái sinh",
     "Sustainable management and use of resources; renewable fuels and materials"),
    ("II", "Thúc đẩy sản xuất sạch hơn, sản xuất sản phẩm thân thiện môi trường, liên kết bền vững theo chuỗi "
           "vòng đời sản phẩm",
     "Cleaner production, eco-friendly products, sustainable links along the product life cycle"),
    ("III", "Phát triển hệ thống phân phối bền vững, xuất nhập khẩu bền vững",
     "Sustainable distribution, export and import"),
    ("IV", "Thúc đẩy dán nhãn và chứng nhận nhãn sinh thái", "Eco-labelling and certification"),
    ("V", "Phát triển thị trường bền vững, thông tin cho người tiêu dùng, truyền thông về sản xuất và tiêu dùng "
          "bền vững",
     "Sustainable markets, consumer information, SCP communication"),
    ("VI", "Thúc đẩy áp dụng kinh tế tuần hoàn đối với chất thải", "Circular economy for waste"),
    ("VII", "Phát triển khoa học công nghệ thúc đẩy sản xuất và tiêu dùng bền vững",
     "Science and technology for sustainable production and consumption"),
)

@dataclass
class Report:
    """Everything the report shows for one year and level, read from the database once."""

    year: int
    level: str
    made_at: dt.datetime
    province: str
    summary: list[dict[str, Any]]
    progress: dict[str, dict[str, Any]]
    sites: list[dict[str, Any]]
    units: gpd.GeoDataFrame
    has_sample: bool
    sections: list[dict[str, Any]] = field(default_factory=list)

def report_sites(session: Session, year: int) -> list[dict[str, Any]]:
    """The approved sites a year's report lists: those that existed in the year, and those planned."""
    rows = session.execute(text("""
        SELECT s.id, s.ref, s.name, s.name_en, s.category_code, c.name_vi AS category_name_vi,
               c.name_en AS category_name_en, c.colour, s.status, s.plan_task, s.lead_agency,
               s.district_code, d.short_name AS district_name, s.commune_code, m.short_name AS commune_name,
               s.start_date, s.end_date, s.is_sample, ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat
        FROM site s
        JOIN category c ON c.code = s.category_code
        LEFT JOIN admin_unit d ON d.level = 'district' AND d.code = s.district_code
        LEFT JOIN admin_unit m ON m.level = 'commune' AND m.code = s.commune_code
        WHERE """ + listed_in_year() + """
        ORDER BY s.plan_task, s.district_code, s.name, s.id"""), {"year": year}).mappings()
    return [dict(row) for row in rows]

def unit_shapes(session: Session, level: str) -> gpd.GeoDataFrame:
    """The units of a level with simplified outlines, for drawing."""
    # About 200 m: plenty for a map printed on A4, and the images stay small.
    return gpd.read_postgis(
        text("SELECT code, short_name AS name, ST_SimplifyPreserveTopology(geom, 0.002) AS geom "
             "FROM admin_unit WHERE level = :level ORDER BY code"),
        session.connection(), geom_col="geom", params={"level": level})

def build_report(session: Session, year: int, level: str | None = None) -> Report:
    """Read the figures, sites and outlines of a year's report."""
    level = level or plan.default_level(year)
    progress = {spec.code: figures.progress(session, spec.code, year, level) for spec in plan.INDICATORS}
    sites = report_sites(session, year)
    report = Report(year=year, level=level, made_at=dt.datetime.now(),
                    province=province_name(session),
                    summary=figures.summary(session, year), progress=progress, sites=sites,
                    units=unit_shapes(session, level), has_sample=any(s["is_sample"] for s in sites))
    for roman, name_vi, name_en in SECTIONS:
        tasks = []
        for task in PLAN_TASKS:
            if task.code.split(".")[0] != roman:
                continue
            tasks.append({"code": task.code, "name_vi": task.name_vi, "name_en": task.name_en,
                          "lead_agency": task.lead_agency, "period": task.period,
                          "sites": [s for s in sites if s["plan_task"] == task.code],
                          "indicators": [spec.code for spec in plan.INDICATORS if spec.plan_task == task.code]})
        section_sites = [s for t in tasks for s in t["sites"]]
        report.sections.append({
            "code": roman, "name_vi": name_vi, "name_en": name_en, "tasks": tasks,
            "by_status": {status: sum(1 for s in section_sites if s["status"] == status) for status in STATUSES},
            "site_count": len(section_sites)})
    return report


def cached_file(session: Session, year: int, level: str, lang: str, kind: str,
                build: Callable[[], bytes]) -> bytes:
    """A report file for the current data version: read from report_cache, or built once by build() and kept
    there (replacing the one of older data); the caller commits."""
    version = data_version.current(session)
    key = {"year": year, "level": level, "lang": lang, "kind": kind}
    body = session.execute(text("""
        SELECT body FROM report_cache WHERE year = :year AND level = :level AND lang = :lang AND kind = :kind
           AND data_version = :version"""), {**key, "version": version}).scalar()
    if body is not None:
        return bytes(body)
    body = build()
    # Two first requests at once both build; the later write wins and both bodies are of this version.
    session.execute(text("""
        INSERT INTO report_cache (year, level, lang, kind, data_version, body)
        VALUES (:year, :level, :lang, :kind, :version, :body)
        ON CONFLICT (year, level, lang, kind) DO UPDATE
        SET data_version = EXCLUDED.data_version, body = EXCLUDED.body, made_at = now()"""),
        {**key, "version": version, "body": body})
    return body
