"""The report's data: the year's figures, sites and unit outlines, read from the database once."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

import geopandas as gpd
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import data_version, figures, plan, task_reports
from geo.catalogue import PLAN_TASKS, PROVINCE_TIME_ZONE, STATUSES
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

# Past this many sites the report's site list becomes an annex summarised by district and category (the full
# list stays available as the export of /api/sites): a report at a million sites stays a few pages and MB.
ANNEX_LIMIT = 3000
# The grid (degrees) the province map groups its points on: about 500 m for a listed report, 3 km past the limit.
FINE_GRID, COARSE_GRID = 0.005, 0.03
@dataclass
class Report:
    """Everything the report shows for one year and level, read from the database once, bounded in size."""

    year: int
    level: str
    made_at: dt.datetime
    province: str
    summary: list[dict[str, Any]]
    progress: dict[str, dict[str, Any]]
    sites: list[dict[str, Any]]  # the sites listed, or [] when the annex summarises them
    units: gpd.GeoDataFrame
    has_sample: bool
    site_count: int = 0
    annex: list[dict[str, Any]] | None = None  # sites counted by district, category and status past ANNEX_LIMIT
    map_points: list[dict[str, Any]] = field(default_factory=list)  # sites grouped on a grid, by category
    task_reports: list[dict[str, Any]] = field(default_factory=list)  # the agencies' submitted and accepted reports
    sections: list[dict[str, Any]] = field(default_factory=list)

    @property
    def summarised(self) -> bool:
        return self.annex is not None


def report_sites(session: Session, year: int) -> list[dict[str, Any]]:
    """The approved sites a year's report lists: those that existed in the year, and those planned for it."""
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


def site_counts(session: Session, year: int) -> list[dict[str, Any]]:
    """The listed sites counted by plan task and status, with whether any is sample data."""
    return [dict(r) for r in session.execute(text(f"""
        SELECT s.plan_task, s.status, count(*) AS sites, bool_or(s.is_sample) AS has_sample
        FROM site s WHERE {listed_in_year()} GROUP BY s.plan_task, s.status"""), {"year": year}).mappings()]


def site_annex(session: Session, year: int) -> list[dict[str, Any]]:
    """The listed sites counted by district, category and status: the annex that stands for a long list."""
    return [dict(r) for r in session.execute(text(f"""
        SELECT s.district_code, d.short_name AS district_name, s.category_code, c.name_vi AS category_name_vi,
               c.name_en AS category_name_en, s.status, count(*) AS sites, bool_or(s.is_sample) AS is_sample
        FROM site s JOIN category c ON c.code = s.category_code
        LEFT JOIN admin_unit d ON d.level = 'district' AND d.code = s.district_code
        WHERE {listed_in_year()}
        GROUP BY s.district_code, d.short_name, s.category_code, c.name_vi, c.name_en, s.status
        ORDER BY s.district_code NULLS LAST, s.category_code, s.status"""), {"year": year}).mappings()]


def map_points(session: Session, year: int, grid: float) -> list[dict[str, Any]]:
    """The listed sites grouped by category on a grid of grid degrees: the mean position and the count."""
    return [dict(r) for r in session.execute(text(f"""
        SELECT s.category_code, avg(ST_X(s.geom)) AS lon, avg(ST_Y(s.geom)) AS lat, count(*) AS sites
        FROM site s WHERE {listed_in_year()}
        GROUP BY s.category_code, floor(ST_X(s.geom) / :grid), floor(ST_Y(s.geom) / :grid)"""),
        {"year": year, "grid": grid}).mappings()]


def unit_shapes(session: Session, level: str) -> gpd.GeoDataFrame:
    """The units of a level with simplified outlines, for drawing."""
    # About 200 m: plenty for a map printed on A4, and the images stay small.
    return gpd.read_postgis(
        text("SELECT code, short_name AS name, ST_SimplifyPreserveTopology(geom, 0.002) AS geom "
             "FROM admin_unit WHERE level = :level ORDER BY code"),
        session.connection(), geom_col="geom", params={"level": level})


def build_report(session: Session, year: int, level: str | None = None, *,
                 annex_limit: int = ANNEX_LIMIT) -> Report:
    """Read the figures, sites (listed, or summarised past annex_limit), outlines and agencies' reports of a year."""
    level = level or plan.default_level(year)
    progress = {spec.code: figures.progress(session, spec.code, year, level) for spec in plan.INDICATORS}
    counts = site_counts(session, year)
    total = sum(c["sites"] for c in counts)
    summarised = total > annex_limit
    sites = [] if summarised else report_sites(session, year)
    report = Report(year=year, level=level, made_at=dt.datetime.now(PROVINCE_TIME_ZONE).replace(tzinfo=None),
                    province=province_name(session), summary=figures.summary(session, year), progress=progress,
                    sites=sites, units=unit_shapes(session, level), site_count=total,
                    has_sample=any(c["has_sample"] for c in counts),
                    annex=site_annex(session, year) if summarised else None,
                    map_points=map_points(session, year, COARSE_GRID if summarised else FINE_GRID),
                    task_reports=task_reports.reports_for_year(session, year))
    for roman, name_vi, name_en in SECTIONS:
        tasks = []
        for task in PLAN_TASKS:
            if task.code.split(".")[0] != roman:
                continue
            tasks.append({"code": task.code, "name_vi": task.name_vi, "name_en": task.name_en,
                          "lead_agency": task.lead_agency, "period": task.period,
                          "sites": [s for s in sites if s["plan_task"] == task.code],
                          "site_count": sum(c["sites"] for c in counts if c["plan_task"] == task.code),
                          "reports": [r for r in report.task_reports if r["task_code"] == task.code],
                          "indicators": [spec.code for spec in plan.INDICATORS if spec.plan_task == task.code]})
        codes = {t["code"] for t in tasks}
        section_counts = [c for c in counts if c["plan_task"] in codes]
        report.sections.append({
            "code": roman, "name_vi": name_vi, "name_en": name_en, "tasks": tasks,
            "by_status": {status: sum(c["sites"] for c in section_counts if c["status"] == status)
                          for status in STATUSES},
            "site_count": sum(c["sites"] for c in section_counts)})
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
