"""The site layer as Mapbox vector tiles built by PostGIS: published sites matching the filters of /api/sites, as
points where a tile holds few enough of them and as counted clusters where they crowd.

The tile is one SQL function, scp_site_tile(z, x, y, filters jsonb) (migration 0012), as Martin's and tipg's
function sources are: it holds the choice between points and clusters, reads the cells the database keeps
(site_cell_coarse, site_cell, site_cell_detail) or the sites, and applies the filters with scp_site_matches, the
one filter rule.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import data_version
from geo.site_query import SiteFilters, filters_json

# Kiên Giang with Phú Quốc and Thổ Châu, in degrees (west, south, east, north).
BOUNDS = (103.4, 9.2, 105.6, 10.6)
CENTRE = (104.75, 9.95)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The x and y of the web-mercator tile of zoom z holding a point (the slippy-map formula), within the world."""
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


@dataclass(frozen=True)
class Tile:
    """A vector tile's bytes and what it holds: the sites inside it and whether it carries points or clusters."""

    body: bytes
    sites: int
    clustered: bool


@dataclass(frozen=True)
class Layout:
    """The tiles' layout as the tile function applies it (scp_tile_layout, migration 0012)."""

    min_zoom: int
    max_zoom: int  # the deepest tile served, always points; a client draws deeper zooms from it
    points_from_zoom: int  # points from this zoom on, as long as the tile holds at most max_points sites
    max_points: int
    grid_bits: int  # a clustered tile is cut into 2^grid_bits × 2^grid_bits cells, one cluster a cell
    extent: int
    buffer: int
    cell_level: int  # site_cell's grid: a tile of this zoom a cell
    coarse_level: int  # site_cell_coarse's grid, summed by the tiles whose cluster cells are at least as wide
    points_layer: str
    clusters_layer: str


_LAYOUTS: dict[str, Layout] = {}


def layout(session: Session) -> Layout:
    """The tiles' layout, read once per database (the function is IMMUTABLE: only a migration changes it)."""
    database = session.get_bind().url.render_as_string(hide_password=True)
    if database not in _LAYOUTS:
        _LAYOUTS[database] = Layout(**session.execute(text("SELECT scp_tile_layout()")).scalar_one())
    return _LAYOUTS[database]


def clusters_at(session: Session, z: int, sites_in_tile: int) -> bool:
    """Whether a tile of zoom z holding that many sites carries clusters rather than points."""
    return session.execute(text("SELECT scp_tile_clustered(:z, :sites)"), {"z": z, "sites": sites_in_tile}).scalar_one()


def _call(filters: SiteFilters) -> tuple[str, dict[str, Any]]:
    # bbox and paging belong to /api/sites, not to a tile: filters_json leaves them out.
    return "scp_site_tile(:z, :x, :y, CAST(:filters AS jsonb))", {"filters": filters_json(filters)}


def site_tile(session: Session, z: int, x: int, y: int, filters: SiteFilters) -> Tile:
    """The vector tile z/x/y of the published sites matching filters."""
    call, params = _call(filters)
    row = session.execute(text(f"SELECT body, sites, clustered FROM {call}"),  # noqa: S608 - fixed SQL
                          {"z": z, "x": x, "y": y, **params}).one()
    return _tile(row)


def _tile(row) -> Tile:
    return Tile(body=bytes(row.body), sites=row.sites, clustered=bool(row.clustered))


def versioned_site_tile(session: Session, z: int, x: int, y: int, filters: SiteFilters,
                        held: tuple[int, ...] = ()) -> tuple[int, Tile | None]:
    """The data version and the vector tile z/x/y read in one statement (one snapshot), the version kept as the
    transaction's (data_version.remember); no tile when the version is one of held (the client has that tile)."""
    call, params = _call(filters)
    # The WHERE names only the outer row; OFFSET 0 keeps the subquery whole (pulled up, the WHERE would become a
    # join filter applied after the call), so PostgreSQL checks it once before calling the function (EXPLAIN: a
    # One-Time Filter, the function "never executed"): a client's current ETag costs no tile.
    row = session.execute(text(f"""
        SELECT v.version, t.built, t.body, t.sites, t.clustered
        FROM ({data_version.READ}) v
        LEFT JOIN LATERAL (SELECT *, true AS built FROM {call}
                           WHERE v.version <> ALL(CAST(:held AS bigint[])) OFFSET 0) t ON true
    """), {"z": z, "x": x, "y": y, "held": list(held), **params}).one()  # noqa: S608 - fixed SQL
    version = data_version.remember(session, row.version)
    if row.built is None:
        return version, None
    return version, _tile(row)
