"""The site layer as Mapbox vector tiles built by PostGIS (ST_AsMVT): published sites matching the filters of
/api/sites, as points where a tile holds few enough of them and as counted clusters where they crowd."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.site_query import SiteFilters, where

MIN_ZOOM = 0
MAX_ZOOM = 16  # the deepest tile served; a client draws deeper zooms from it
EXTENT = 4096
BUFFER = 64
# Points from this zoom on, as long as the tile holds at most MAX_POINTS sites; always from MAX_ZOOM.
POINTS_FROM_ZOOM = 12
MAX_POINTS = 1_000
# Clusters: the tile is cut into GRID × GRID cells (256 px tiles: a cell of 32 px), one cluster per cell.
GRID_BITS = 3
GRID = 2 ** GRID_BITS
POINTS_LAYER = "sites"
CLUSTERS_LAYER = "clusters"
# Kiên Giang with Phú Quốc and Thổ Châu, in degrees (west, south, east, north).
BOUNDS = (103.4, 9.2, 105.6, 10.6)
CENTRE = (104.75, 9.95)


@dataclass(frozen=True)
class Tile:
    """A vector tile's bytes and what it holds: the sites inside it and whether it carries points or clusters."""

    body: bytes
    sites: int
    clustered: bool


def clusters_at(z: int, sites_in_tile: int) -> bool:
    """Whether a tile of zoom z holding that many sites carries clusters rather than points."""
    return z < MAX_ZOOM and (z < POINTS_FROM_ZOOM or sites_in_tile > MAX_POINTS)


# One statement: the sites in the tile, counted; then points or clusters by clusters_at's rule (kept in step
# with it in SQL so the tile is built in one round trip). The && test on site.geom uses its GiST index.
_LIVE_SQL = """
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS env
), hits AS MATERIALIZED (
    SELECT s.id, s.category_code, ST_Transform(s.geom, 3857) AS geom
    FROM site s
    WHERE s.geom && ST_MakeEnvelope(:west, :south, :east, :north, 4326) AND ({clause})
), total AS (
    SELECT count(*) AS n FROM hits
), clustered AS (
    SELECT :z < :max_zoom AND (:z < :points_from_zoom OR (SELECT n FROM total) > :max_points) AS yes
), points AS (
    SELECT h.id, h.category_code AS category, c.colour,
           ST_AsMVTGeom(h.geom, b.env, :extent, :buffer, true) AS geom
    FROM hits h JOIN category c ON c.code = h.category_code, bounds b
    WHERE NOT (SELECT yes FROM clustered)
), cells AS (
    -- A cell lies in one tile only: a crowd on a tile edge is not counted twice.
    SELECT LEAST(floor((ST_X(h.geom) - ST_XMin(b.env)) / :cell), :grid - 1) AS cx,
           LEAST(floor((ST_YMax(b.env) - ST_Y(h.geom)) / :cell), :grid - 1) AS cy,
           h.category_code, count(*) AS n, sum(ST_X(h.geom)) AS sx, sum(ST_Y(h.geom)) AS sy
    FROM hits h, bounds b
    WHERE (SELECT yes FROM clustered)
    GROUP BY 1, 2, 3
), {clusters}
SELECT coalesce((SELECT ST_AsMVT(p, :points_layer, :extent, 'geom') FROM points p), ''::bytea)
       || coalesce((SELECT ST_AsMVT(k, :clusters_layer, :extent, 'geom') FROM clusters_coloured k), ''::bytea)
       AS body,
       (SELECT n FROM total) AS sites, (SELECT yes FROM clustered) AS clustered
"""

# Below POINTS_FROM_ZOOM a tile is all clusters: it sums the cells of site_cell or site_cell_detail (published
# sites per cell of a z15 tile, kept by the database), a cluster's cell being 2^shift of them across.
_CELLS_SQL = """
WITH bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS env
), cells AS (
    SELECT c.cell_x >> :shift AS cx, c.cell_y >> :shift AS cy, c.category_code,
           sum(c.n) AS n, sum(c.sum_x) AS sx, sum(c.sum_y) AS sy
    FROM {table} c
    WHERE c.cell_x BETWEEN :cell_x0 AND :cell_x1 AND c.cell_y BETWEEN :cell_y0 AND :cell_y1 {clause}
    GROUP BY 1, 2, 3
), {clusters}
SELECT coalesce((SELECT ST_AsMVT(k, :clusters_layer, :extent, 'geom') FROM clusters_coloured k), ''::bytea) AS body,
       (SELECT coalesce(sum(n), 0) FROM cells) AS sites, true AS clustered
"""

_CELL_COUNT_SQL = """
SELECT coalesce(sum(c.n), 0) > :max_points FROM {table} c
WHERE c.cell_x BETWEEN :cell_x0 AND :cell_x1 AND c.cell_y BETWEEN :cell_y0 AND :cell_y1 {clause}
"""

_CLUSTERS = """clusters AS (
    SELECT sum(k.n)::int AS count,
           (array_agg(k.category_code ORDER BY k.n DESC, k.category_code))[1] AS category,
           jsonb_object_agg('n_' || k.category_code, k.n) AS mix,
           ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(sum(k.sx) / sum(k.n), sum(k.sy) / sum(k.n)), 3857),
                        (SELECT env FROM bounds), :extent, :buffer, true) AS geom
    FROM cells k GROUP BY k.cx, k.cy
), clusters_coloured AS (
    SELECT k.count, k.category, c.colour, k.mix, k.geom
    FROM clusters k JOIN category c ON c.code = k.category
)"""

CELL_LEVEL = 15  # site_cell's grid: 2^15 cells across the world, a z15 tile's width
# Published sites per cell are kept by the database in two tables: site_cell (migration 0008) by category and
# district, small whatever the sites; site_cell_detail (0010) by every filter of the public map, which nears a
# row a site where sites vary in every filter. A tile reads the smaller one that holds its filters.
# Each filter of SiteFilters as a condition on their columns means what geo.site_query.where() means on a site
# (tests/geo/test_tiles.py checks they count the same). The dates are kept as years: first_year 0 when a site
# has no start, last_year 9999 when it has no end, so site_query.in_year() becomes two comparisons.
_CELL_FILTERS = (
    ("categories", "c.category_code = ANY(:categories)"),
    ("districts", "c.district_code = ANY(:districts)"),
)
_DETAIL_FILTERS = (
    ("statuses", "c.status = ANY(:statuses)"),
    ("communes", "c.commune_code = ANY(:communes)"),
    ("plan_tasks", "c.plan_task = ANY(:plan_tasks)"),
    ("lead_agency", "c.lead_agency = :lead_agency"),
    ("year", "c.first_year <= :year AND c.last_year >= :year"),
    ("start_year", "c.first_year = :start_year"),
)


def _lon(x: float, z: int) -> float:
    return x / 2 ** z * 360 - 180


def _lat(y: float, z: int) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2 ** z))))


def _given(filters: SiteFilters, name: str) -> bool:
    return getattr(filters, name) not in (None, ())


def _cell_table(filters: SiteFilters) -> tuple[str, str, dict]:
    """The summary table holding filters, the WHERE fragment of the filters on it and their parameters."""
    detail = any(_given(filters, name) for name, _ in _DETAIL_FILTERS)
    clause, params = "", {}
    for name, condition in _CELL_FILTERS + (_DETAIL_FILTERS if detail else ()):
        if _given(filters, name):
            value = getattr(filters, name)
            clause += f" AND {condition}"
            params[name] = list(value) if isinstance(value, tuple) else value
    return ("site_cell_detail" if detail else "site_cell"), clause, params


def _cell_statement(z: int, x: int, y: int, filters: SiteFilters) -> tuple[dict, dict]:
    """The tile's cells matching filters: the table and WHERE fragment (SQL format fields) and the parameters."""
    span = 2 ** (CELL_LEVEL - z)
    table, clause, params = _cell_table(filters)
    params.update(cell_x0=x * span, cell_x1=(x + 1) * span - 1, cell_y0=y * span, cell_y1=(y + 1) * span - 1)
    return {"table": table, "clause": clause}, params


def _crowded(session: Session, z: int, x: int, y: int, filters: SiteFilters) -> bool:
    """Whether a tile from POINTS_FROM_ZOOM on that site_cell can cluster holds more than MAX_POINTS sites."""
    fields, params = _cell_statement(z, x, y, filters)
    return session.execute(text(_CELL_COUNT_SQL.format(**fields)), {**params, "max_points": MAX_POINTS}).scalar_one()


def _statement(session: Session, z: int, x: int, y: int, filters: SiteFilters) -> tuple[str, dict]:
    params = {"z": z, "x": x, "y": y, "extent": EXTENT, "buffer": BUFFER, "clusters_layer": CLUSTERS_LAYER}
    # site_cell clusters any tile whose cluster cells are whole cells of its grid: below POINTS_FROM_ZOOM, and a
    # crowded tile up to CELL_LEVEL - GRID_BITS (a z12 tile of Rạch Giá holds some 15 000 sites at 1 000 000).
    if z < POINTS_FROM_ZOOM or (z <= CELL_LEVEL - GRID_BITS and _crowded(session, z, x, y, filters)):
        fields, cell_params = _cell_statement(z, x, y, filters)
        params.update(cell_params, shift=CELL_LEVEL - GRID_BITS - z)
        return _CELLS_SQL.format(**fields, clusters=_CLUSTERS), params  # fixed SQL fragments only
    # bbox and paging belong to /api/sites, not to a tile: only the filters go on.
    clause, where_params = where(SiteFilters(
        categories=filters.categories, statuses=filters.statuses, districts=filters.districts,
        communes=filters.communes, plan_tasks=filters.plan_tasks, lead_agency=filters.lead_agency,
        year=filters.year, start_year=filters.start_year))
    tile_width = 2 * 20037508.342789244 / 2 ** z  # EPSG:3857's world width over the tiles of a row
    params.update(where_params, west=_lon(x, z), east=_lon(x + 1, z), north=_lat(y, z), south=_lat(y + 1, z),
                  max_zoom=MAX_ZOOM, points_from_zoom=POINTS_FROM_ZOOM, max_points=MAX_POINTS, grid=GRID,
                  cell=tile_width / GRID, points_layer=POINTS_LAYER)
    return _LIVE_SQL.format(clause=clause, clusters=_CLUSTERS), params  # fixed SQL fragments only


def site_tile(session: Session, z: int, x: int, y: int, filters: SiteFilters) -> Tile:
    """The vector tile z/x/y of the published sites matching filters."""
    sql, params = _statement(session, z, x, y, filters)
    row = session.execute(text(sql), params).one()
    return Tile(body=bytes(row.body), sites=row.sites, clustered=bool(row.clustered))


def explain(session: Session, z: int, x: int, y: int, filters: SiteFilters) -> str:
    """EXPLAIN ANALYZE of the tile statement, for the benchmark's report."""
    sql, params = _statement(session, z, x, y, filters)
    return "\n".join(row[0] for row in session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql), params))
