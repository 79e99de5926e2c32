"""site_cell_coarse: the published sites per cell of a z12 tile's width, by category and district, kept by the
same statement triggers as site_cell; a clustered tile of zoom 9 or less (whose cluster cells are z12 tiles or
wider) sums it instead of site_cell, 64 times fewer cells (the province's first view, z8-z9, read ~23 000 rows of
site_cell a tile at 1 000 000 sites)

Revision ID: 0018
Revises: 0017
"""
import importlib.util
import re
from pathlib import Path

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

COARSE_LEVEL = 12


def _rules():
    """Migration 0012's module (its file name is no Python module name): the Aggregate and the rules' SQL."""
    spec = importlib.util.spec_from_file_location("rules", Path(__file__).with_name("0012_rules_in_sql.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _coarse(rules):
    # A coarse cell is 2^(cell_level - coarse_level) site_cell cells a side: its key is theirs shifted.
    shift = ("((scp_tile_layout() ->> 'cell_level')::int - (scp_tile_layout() ->> 'coarse_level')::int)")
    return rules.Aggregate(
        "site_cell_coarse", rules.SITE_CELL.key, rules.SITE_CELL.sums,
        rules.SITE_CELL.rows.replace(rules.CELL, f"scp_cell_x(p) >> {shift} AS cell_x, "
                                                 f"scp_cell_y(p) >> {shift} AS cell_y"),
        "n", ("sum_x", "sum_y"))


def _statement(sql: str, name: str) -> str:
    """The CREATE FUNCTION statement of name in migration 0012's SQL, as a CREATE OR REPLACE."""
    found = re.search(rf"CREATE FUNCTION {name}\(.*?\n\$\$;?", sql, re.S)
    return "CREATE OR REPLACE" + found[0].removeprefix("CREATE")


# site_cell_coarse's cells are handed on at site_cell's level (the first site_cell cell of each), so that
# scp_site_tile shifts every source's cells alike; a coarse cell lies wholly in one cluster cell of such a tile.
TILE_CELLS = """
CREATE OR REPLACE FUNCTION scp_tile_cells(z integer, x integer, y integer, filters jsonb)
RETURNS TABLE (cell_x integer, cell_y integer, category_code text, n integer, sum_x double precision,
               sum_y double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH span AS (SELECT (scp_tile_layout() ->> 'cell_level')::int - z AS bits,
                         (scp_tile_layout() ->> 'coarse_level')::int - z AS coarse_bits,
                         (scp_tile_layout() ->> 'cell_level')::int - (scp_tile_layout() ->> 'coarse_level')::int
                             AS finer,
                         z + (scp_tile_layout() ->> 'grid_bits')::int
                             <= (scp_tile_layout() ->> 'coarse_level')::int AS coarse)
    SELECT c.cell_x << span.finer, c.cell_y << span.finer, c.category_code, c.n, c.sum_x, c.sum_y
    FROM site_cell_coarse c, span
    WHERE NOT scp_needs_detail(filters) AND span.coarse
      AND c.cell_x BETWEEN x << span.coarse_bits AND ((x + 1) << span.coarse_bits) - 1
      AND c.cell_y BETWEEN y << span.coarse_bits AND ((y + 1) << span.coarse_bits) - 1
      AND scp_site_matches(filters, c.category_code, NULL, c.district_code, NULL, NULL, NULL, NULL, NULL)
    UNION ALL
    SELECT c.cell_x, c.cell_y, c.category_code, c.n, c.sum_x, c.sum_y FROM site_cell c, span
    WHERE NOT scp_needs_detail(filters) AND NOT span.coarse
      AND c.cell_x BETWEEN x << span.bits AND ((x + 1) << span.bits) - 1
      AND c.cell_y BETWEEN y << span.bits AND ((y + 1) << span.bits) - 1
      AND scp_site_matches(filters, c.category_code, NULL, c.district_code, NULL, NULL, NULL, NULL, NULL)
    UNION ALL
    SELECT c.cell_x, c.cell_y, c.category_code, c.n, c.sum_x, c.sum_y FROM site_cell_detail c, span
    WHERE scp_needs_detail(filters)
      AND c.cell_x BETWEEN x << span.bits AND ((x + 1) << span.bits) - 1
      AND c.cell_y BETWEEN y << span.bits AND ((y + 1) << span.bits) - 1
      AND scp_site_matches(filters, c.category_code, c.status, c.district_code, c.commune_code, c.plan_task,
                           c.lead_agency, c.start_date, c.end_date)
$$;
"""


def upgrade() -> None:
    rules = _rules()
    layout = _statement(rules.RULES, "scp_tile_layout")
    assert '"cell_level": 15,' in layout, "0012's layout is not the one this migration extends"
    op.execute(layout.replace('"cell_level": 15,', f'"cell_level": 15, "coarse_level": {COARSE_LEVEL},'))
    op.execute(_coarse(rules).create())
    op.execute(TILE_CELLS)


def downgrade() -> None:
    rules = _rules()
    op.execute(_statement(rules.TILE, "scp_tile_cells"))
    op.execute(_coarse(rules).drop())
    op.execute(_statement(rules.RULES, "scp_tile_layout"))
