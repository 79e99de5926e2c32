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
    shift = "((scp_tile_layout() ->> 'cell_level')::int - (scp_tile_layout() ->> 'coarse_level')::int)"
    assert rules.CELL in rules.SITE_CELL.rows, "0012's site_cell rows are not the ones this migration shifts"
    return rules.Aggregate(
        "site_cell_coarse", rules.SITE_CELL.key, rules.SITE_CELL.sums,
        rules.SITE_CELL.rows.replace(rules.CELL, f"scp_cell_x(p) >> {shift} AS cell_x, "
                                                 f"scp_cell_y(p) >> {shift} AS cell_y"),
        "n", ("sum_x", "sum_y"))


def _layout(rules) -> str:
    """Migration 0012's CREATE FUNCTION scp_tile_layout, as a CREATE OR REPLACE."""
    found = re.search(r"CREATE FUNCTION scp_tile_layout\(.*?\n\$\$;", rules.RULES, re.S)
    return "CREATE OR REPLACE" + found[0].removeprefix("CREATE")


# 0012's scp_tile_cells (site_cell, or site_cell_detail for the filters it needs) is kept whole under another name;
# scp_tile_cells reads site_cell_coarse where that serves, else calls it. The coarse cells are handed on at
# site_cell's level (the first site_cell cell of each), so scp_site_tile shifts every source's cells alike; a
# coarse cell lies wholly in one cluster cell of such a tile.
TILE_CELLS = """
ALTER FUNCTION scp_tile_cells(integer, integer, integer, jsonb) RENAME TO scp_tile_fine_cells;

-- Whether a tile sums site_cell_coarse: its cluster cells are at least a coarse cell wide, and no filter needs
-- site_cell_detail.
CREATE FUNCTION scp_tile_coarse(z integer, filters jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NOT scp_needs_detail(filters)
       AND z + (scp_tile_layout() ->> 'grid_bits')::int <= (scp_tile_layout() ->> 'coarse_level')::int
$$;

CREATE FUNCTION scp_tile_cells(z integer, x integer, y integer, filters jsonb)
RETURNS TABLE (cell_x integer, cell_y integer, category_code text, n integer, sum_x double precision,
               sum_y double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH span AS (SELECT (scp_tile_layout() ->> 'coarse_level')::int - z AS bits,
                         (scp_tile_layout() ->> 'cell_level')::int - (scp_tile_layout() ->> 'coarse_level')::int
                             AS finer)
    SELECT c.cell_x << span.finer, c.cell_y << span.finer, c.category_code, c.n, c.sum_x, c.sum_y
    FROM site_cell_coarse c, span
    WHERE scp_tile_coarse(z, filters)
      AND c.cell_x BETWEEN x << span.bits AND ((x + 1) << span.bits) - 1
      AND c.cell_y BETWEEN y << span.bits AND ((y + 1) << span.bits) - 1
      AND scp_site_matches(filters, c.category_code, NULL, c.district_code, NULL, NULL, NULL, NULL, NULL)
    UNION ALL
    SELECT * FROM scp_tile_fine_cells(z, x, y, filters) WHERE NOT scp_tile_coarse(z, filters)
$$;
"""
TILE_CELLS_UNDONE = """
DROP FUNCTION scp_tile_cells(integer, integer, integer, jsonb);
DROP FUNCTION scp_tile_coarse(integer, jsonb);
ALTER FUNCTION scp_tile_fine_cells(integer, integer, integer, jsonb) RENAME TO scp_tile_cells;
"""


def upgrade() -> None:
    rules = _rules()
    layout = _layout(rules)
    assert '"cell_level": 15,' in layout, "0012's layout is not the one this migration extends"
    op.execute(layout.replace('"cell_level": 15,', f'"cell_level": 15, "coarse_level": {COARSE_LEVEL},'))
    op.execute(_coarse(rules).create())
    op.execute(TILE_CELLS)


def downgrade() -> None:
    rules = _rules()
    op.execute(TILE_CELLS_UNDONE)
    op.execute(_coarse(rules).drop())
    op.execute(_layout(rules))
