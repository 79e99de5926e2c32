"""site_cell: published sites counted per cell of a fixed grid (a z15 tile's width), by category and district,
kept by statement triggers on site, so a province-scale vector tile sums a few thousand cells instead of
reading every site

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The published rule is geo.site_query.published(); it is written out here because a migration is frozen.
# tests/geo/test_tiles.py checks that site_cell counts exactly what the rule counts.
PUBLISHED = "(r.moderation = 'approved' AND r.deleted_at IS NULL)"
WORLD = 40075016.68557849  # EPSG:3857's width in metres
CELL = f"({WORLD} / 32768.0)"  # 2^15 cells across: one z15 tile


def _delta(sign: int, table: str) -> str:
    return f"""
        SELECT floor((ST_X(p) + {WORLD} / 2) / {CELL})::int AS cell_x,
               floor(({WORLD} / 2 - ST_Y(p)) / {CELL})::int AS cell_y,
               r.category_code, coalesce(r.district_code, '') AS district_code,
               {sign} AS n, {sign} * ST_X(p) AS x, {sign} * ST_Y(p) AS y
        FROM {table} r, LATERAL ST_Transform(r.geom, 3857) AS p
        WHERE {PUBLISHED}"""


def _apply(deltas: str) -> str:
    return f"""
    INSERT INTO site_cell AS c (cell_x, cell_y, category_code, district_code, n, sum_x, sum_y)
    SELECT cell_x, cell_y, category_code, district_code, sum(n), sum(x), sum(y)
    FROM ({deltas}) d
    GROUP BY cell_x, cell_y, category_code, district_code
    ON CONFLICT (cell_x, cell_y, category_code, district_code) DO UPDATE
        SET n = c.n + EXCLUDED.n, sum_x = c.sum_x + EXCLUDED.sum_x, sum_y = c.sum_y + EXCLUDED.sum_y;
    DELETE FROM site_cell WHERE n = 0;"""


def upgrade() -> None:
    op.execute(f"""
CREATE TABLE site_cell (
    cell_x integer NOT NULL,
    cell_y integer NOT NULL,
    category_code varchar NOT NULL,
    district_code varchar NOT NULL,
    n integer NOT NULL,
    sum_x double precision NOT NULL,
    sum_y double precision NOT NULL,
    PRIMARY KEY (cell_x, cell_y, category_code, district_code)
);

CREATE FUNCTION scp_site_cells_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_apply(_delta(1, "new_rows"))}
    RETURN NULL;
END $$;

CREATE FUNCTION scp_site_cells_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_apply(_delta(1, "new_rows") + " UNION ALL " + _delta(-1, "old_rows"))}
    RETURN NULL;
END $$;

CREATE FUNCTION scp_site_cells_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_apply(_delta(-1, "old_rows"))}
    RETURN NULL;
END $$;

CREATE FUNCTION scp_site_cells_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE site_cell;
    RETURN NULL;
END $$;

CREATE TRIGGER site_cells_insert AFTER INSERT ON site REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scp_site_cells_insert();
CREATE TRIGGER site_cells_update AFTER UPDATE ON site REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scp_site_cells_update();
CREATE TRIGGER site_cells_delete AFTER DELETE ON site REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scp_site_cells_delete();
CREATE TRIGGER site_cells_truncate AFTER TRUNCATE ON site
    FOR EACH STATEMENT EXECUTE FUNCTION scp_site_cells_truncate();
""")
    # The sites already there.
    op.execute(_apply(_delta(1, "site")).replace("DELETE FROM site_cell WHERE n = 0;", ""))


def downgrade() -> None:
    for event in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS site_cells_{event} ON site")
        op.execute(f"DROP FUNCTION IF EXISTS scp_site_cells_{event}()")
    op.execute("DROP TABLE IF EXISTS site_cell")
