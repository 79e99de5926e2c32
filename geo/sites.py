"""Sites: query approved sites as GeoJSON built in SQL (geo.site_store writes them)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.crs import CRS84, OutputCrs, geometry_sql
from geo.photo_store import PHOTOS_OF_SITE
from geo.site_query import SiteFilters, published, where

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "data" / "sites" / "kien-giang-sites-sample.geojson"


def count_sites(session: Session) -> int:
    """Number of sites in the database, deleted ones included."""
    return session.execute(text("SELECT count(*) FROM site")).scalar_one()


# Columns a public feature carries: no staff names, no personal data. {geometry}: geo.crs.geometry_sql's.
_FEATURE_SQL = """
json_build_object(
    'type', 'Feature',
    'id', s.id,
    'geometry', {geometry},
    'properties', json_build_object(
        'id', s.id, 'ref', s.ref, 'name', s.name, 'name_en', s.name_en,
        'category', s.category_code, 'category_name_vi', c.name_vi, 'category_name_en', c.name_en,
        'colour', c.colour, 'icon', c.icon,
        'status', s.status, 'district_code', s.district_code, 'district_name', d.short_name,
        'commune_code', s.commune_code, 'commune_name', m.short_name,
        'plan_task', s.plan_task, 'lead_agency', s.lead_agency, 'address', s.address,
        'location_precision', s.location_precision, 'ward_code', s.ward_code,
        'start_date', to_char(s.start_date, 'YYYY-MM-DD'), 'end_date', to_char(s.end_date, 'YYYY-MM-DD'),
        'measures', s.measures, 'description', s.description, 'source', s.source, 'is_sample', s.is_sample,
        'version', s.version, 'updated_at', to_char(s.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'){extra}
    )
)"""


def _feature_sql(crs: OutputCrs, column: str = "s.geom", *, moved: bool = False, photos: bool = False) -> str:
    # One site's answer lists its photos; a page of sites does not (a popup asks for the site it opens).
    extra = f",\n        'photos', {PHOTOS_OF_SITE}" if photos else ""
    return _FEATURE_SQL.format(geometry=geometry_sql(crs, column, moved=moved), extra=extra)


# A page's points moved into another CRS with one ST_Transform of them all: PostGIS builds the transformation of
# an authority code once per call, which costs tens of milliseconds, so once per page rather than once per site.
_MOVED_SQL = """, moved AS (
            SELECT (d.dumped).path[1] AS n, (d.dumped).geom AS geom
            FROM (SELECT ST_Dump(ST_Transform(ST_Collect(p.geom ORDER BY p.id), '{code}')) AS dumped FROM page p) d
        ), page_moved AS (
            SELECT p.*, m.geom AS moved_geom
            FROM (SELECT p.*, row_number() OVER (ORDER BY p.id) AS n FROM page p) p JOIN moved m ON m.n = p.n
        )"""


@dataclass(frozen=True)
class SitePage:
    """A page of published sites: the GeoJSON text PostgreSQL built, and the facts a caller needs of it."""

    body: str
    matched: int | None  # None on a page reached by cursor
    returned: int
    last_id: int | None

    def next_cursor(self, limit: int) -> int | None:
        """The cursor of the next page, or None when this page was the last."""
        return self.last_id if self.returned == limit and self.last_id is not None else None


_FEATURE_JOINS = """
    JOIN category c ON c.code = s.category_code
    LEFT JOIN admin_unit d ON d.level = 'district' AND d.code = s.district_code
    LEFT JOIN admin_unit m ON m.level = 'commune' AND m.code = s.commune_code"""


# The cells of site_cell's grid wholly inside a box (the cells its edges cross left out), and their extent in
# degrees; no row when no whole cell is inside. The cells are those scp_cell_x/scp_cell_y give a site's point.
_CORE_SQL = """
    WITH box AS (
        SELECT ST_Transform(ST_MakeEnvelope(:min_lon, :min_lat, :max_lon, :max_lat, 4326), 3857) AS m
    ), grid AS (
        SELECT scp_cell_x(ST_MakePoint(ST_XMin(m), 0)) + 1 AS x0, scp_cell_x(ST_MakePoint(ST_XMax(m), 0)) - 1 AS x1,
               scp_cell_y(ST_MakePoint(0, ST_YMax(m))) + 1 AS y0, scp_cell_y(ST_MakePoint(0, ST_YMin(m))) - 1 AS y1,
               (scp_tile_layout() ->> 'cell_level')::int AS level
        FROM box
    )
    -- A cell of the grid is a tile of its level: the whole cells span the tiles of their two far corners.
    SELECT x0, x1, y0, y1, ST_XMin(g) AS west, ST_YMin(g) AS south, ST_XMax(g) AS east, ST_YMax(g) AS north
    FROM (SELECT x0, x1, y0, y1,
                 ST_Transform(ST_Envelope(ST_Collect(ST_TileEnvelope(level, x0, y0), ST_TileEnvelope(level, x1, y1))),
                              4326) AS g
          FROM grid WHERE x0 <= x1 AND y0 <= y1) core"""
# How far the strips around the whole cells reach into them (degrees, about a metre): a point on a cell's edge,
# rounded either way by the two transformations, is still in a strip; the cell test then counts it once.
_OVERLAP = 1e-5


def _count_sql(session: Session, filters: SiteFilters, clause: str) -> tuple[str, dict[str, Any]]:
    """SQL (a one-row 'total') counting the published sites matching filters, and its parameters.

    In a box, the sites of the grid's cells wholly inside it are summed from site_cell (or site_cell_detail when
    a filter needs it, as the tiles do), and only the sites in the strips along its edges are read one by one:
    a box over a district reads a few thousand sites of a million, not all of its own."""
    if not filters.bbox:
        return f"SELECT count(*) AS total FROM site s WHERE {clause}", {}
    west, south, east, north = filters.bbox
    core = session.execute(text(_CORE_SQL), {"min_lon": west, "min_lat": south, "max_lon": east,
                                             "max_lat": north}).one_or_none()
    if core is None:
        return f"SELECT count(*) AS total FROM site s WHERE {clause}", {}
    strips = [(west, south, min(core.west + _OVERLAP, east), north),
              (max(core.east - _OVERLAP, west), south, east, north),
              (west, south, east, min(core.south + _OVERLAP, north)),
              (west, max(core.north - _OVERLAP, south), east, north)]
    params = {f"strip{i}_{k}": value for i, strip in enumerate(strips) for k, value in enumerate(strip)}
    params.update(core_x0=core.x0, core_x1=core.x1, core_y0=core.y0, core_y1=core.y1)
    in_strips = " OR ".join(f"s.geom && ST_MakeEnvelope(:strip{i}_0, :strip{i}_1, :strip{i}_2, :strip{i}_3, 4326)"
                            for i in range(len(strips)))
    cells = "c.cell_x BETWEEN :core_x0 AND :core_x1 AND c.cell_y BETWEEN :core_y0 AND :core_y1"
    return f"""SELECT (
            coalesce((SELECT sum(c.n) FROM site_cell c WHERE NOT scp_needs_detail(CAST(:filters AS jsonb)) AND {cells}
                      AND scp_site_matches(CAST(:filters AS jsonb), c.category_code, NULL, c.district_code, NULL, NULL,
                                           NULL, NULL, NULL)), 0)
          + coalesce((SELECT sum(c.n) FROM site_cell_detail c WHERE scp_needs_detail(CAST(:filters AS jsonb))
                      AND {cells} AND scp_site_matches(CAST(:filters AS jsonb), c.category_code, c.status,
                                                       c.district_code, c.commune_code, c.plan_task, c.lead_agency,
                                                       c.start_date, c.end_date)), 0)
          + (SELECT count(*) FROM site s WHERE {clause} AND ({in_strips})
             AND NOT (scp_cell_x(ST_Transform(s.geom, 3857)) BETWEEN :core_x0 AND :core_x1
                      AND scp_cell_y(ST_Transform(s.geom, 3857)) BETWEEN :core_y0 AND :core_y1))
        )::bigint AS total""", params


def site_page(session: Session, filters: SiteFilters, *, self_link: dict[str, str] | None = None,
              next_link: dict[str, str] | None = None, crs: OutputCrs = CRS84) -> SitePage:
    """Published sites matching filters as a GeoJSON FeatureCollection built in SQL, ordered by id.

    With self_link, the collection carries OGC API links: self, and next_link while more sites follow.
    A page reached by cursor (after_id) leaves numberMatched out and its matched is None: the count does not
    change along a cursor walk, and counting every page of a walk over a million sites costs a scan each.
    Geometries are in crs (CRS84, longitude first, unless told).
    """
    clause, params = where(filters)
    page_clause = clause + (" AND s.id > :after_id" if filters.after_id is not None else "")
    params.update(limit=filters.limit, offset=filters.offset, after_id=filters.after_id,
                  self_link=json.dumps(self_link),
                  next_link=None if next_link is None else json.dumps(next_link))
    counted = filters.after_id is None
    matched_sql = "SELECT NULL::bigint AS total"
    if counted:
        matched_sql, count_params = _count_sql(session, filters, clause)
        params.update(count_params)
    more = ("(:offset + (SELECT count(*) FROM features) < (SELECT total FROM matched))" if counted
            else "((SELECT count(*) FROM features) = :limit)")
    links = "" if self_link is None else f"""
            'links', CASE WHEN {more}
                               AND CAST(:next_link AS text) IS NOT NULL
                          THEN json_build_array(CAST(:self_link AS json), CAST(:next_link AS json))
                          ELSE json_build_array(CAST(:self_link AS json)) END,"""
    transformed = crs.code != "EPSG:4326"
    moved = _MOVED_SQL.format(code=crs.code) if transformed else ""
    feature = _feature_sql(crs, "s.moved_geom", moved=True) if transformed else _feature_sql(crs)
    source = "page_moved" if transformed else "page"
    row = session.execute(text(f"""
        WITH matched AS (
            {matched_sql}
        ), page AS (
            SELECT s.* FROM site s WHERE {page_clause}
            ORDER BY s.id LIMIT :limit OFFSET :offset
        ){moved}, features AS (
            SELECT s.id, {feature} AS feature FROM {source} s {_FEATURE_JOINS}
        )
        SELECT json_build_object(
            'type', 'FeatureCollection',
            {"'numberMatched', (SELECT total FROM matched)," if counted else ""}
            'numberReturned', (SELECT count(*) FROM features),
            'timeStamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),{links}
            'features', coalesce((SELECT json_agg(feature ORDER BY id) FROM features), '[]'::json),
            'lastId', (SELECT max(id) FROM features)
        )::text AS body,
        (SELECT total FROM matched) AS matched, (SELECT count(*) FROM features) AS returned,
        (SELECT max(id) FROM features) AS last_id"""), params).one()  # noqa: S608 - fixed SQL fragments only
    return SitePage(body=row.body, matched=row.matched, returned=row.returned, last_id=row.last_id)


def published_site(session: Session, site_id: int, crs: OutputCrs = CRS84, *, photo_base: str | None = None,
                   pending_photos: bool = False) -> str | None:
    """One published site as a GeoJSON Feature (text), shaped like those of site_page; None if there is none.
    With photo_base (the URL the photos are served under), its properties list its approved photos, and its pending
    ones too with pending_photos (for the staff who may edit it)."""
    return session.execute(text(f"""
        SELECT ({_feature_sql(crs, photos=photo_base is not None)})::text FROM site s {_FEATURE_JOINS}
        WHERE s.id = :id AND {published()}"""),  # noqa: S608 - fixed SQL fragments
        {"id": site_id, "photo_base": photo_base, "pending_photos": pending_photos}).scalar()


def site_feature(session: Session, site_id: int, photo_base: str) -> dict[str, Any] | None:
    """Any site, whatever its review state, as a Feature shaped like published_site's (the same SQL), with the
    review state beside: moderation, the change waiting for review, the reviewer's note, whether it is deleted;
    its photos, the pending ones too, under photo_base. For the staff who write it (the write API's answers); None
    if there is no such site."""
    return session.execute(text(f"""
        SELECT jsonb_set(f.feature, '{{properties}}', (f.feature -> 'properties') || jsonb_build_object(
                   'moderation', f.moderation, 'pending', f.pending, 'review_note', f.review_note,
                   'deleted', f.deleted_at IS NOT NULL))
        FROM (SELECT ({_feature_sql(CRS84, photos=True)})::jsonb AS feature, s.moderation, s.pending, s.review_note,
                     s.deleted_at
              FROM site s {_FEATURE_JOINS} WHERE s.id = :id) f"""),  # noqa: S608 - fixed SQL fragments
        {"id": site_id, "photo_base": photo_base, "pending_photos": True}).scalar()


# The columns a published site shows anyone: no staff names, no personal data.
_PUBLIC_COLUMNS = """
    s.id, s.ref, s.name, s.name_en, s.category_code AS category, c.name_vi AS category_name_vi,
    c.name_en AS category_name_en, s.status, s.district_code, d.short_name AS district_name, s.commune_code,
    m.short_name AS commune_name, s.plan_task, s.lead_agency, s.address, s.location_precision, s.ward_code, s.start_date,
    s.end_date, s.measures, s.description, s.source, s.is_sample"""


def published_sites_sql(filters: SiteFilters, *, with_geometry: bool = False) -> tuple[str, dict[str, Any]]:
    """SQL and parameters of the published sites matching filters, one row each, in id order."""
    clause, params = where(filters)
    if filters.after_id is not None:
        clause += " AND s.id > :after_id"
    params.update(limit=filters.limit, offset=filters.offset, after_id=filters.after_id)
    geometry = ", s.geom" if with_geometry else ""
    return (f"SELECT {_PUBLIC_COLUMNS}{geometry} FROM site s {_FEATURE_JOINS} WHERE {clause} "
            "ORDER BY s.id LIMIT :limit OFFSET :offset"), params  # noqa: S608 - fixed SQL fragments only


def site_rows(session: Session, filters: SiteFilters) -> list[dict[str, Any]]:
    """The published sites matching filters as plain records, in id order."""
    sql, params = published_sites_sql(filters)
    return [dict(row) for row in session.execute(text(sql), params).mappings()]
