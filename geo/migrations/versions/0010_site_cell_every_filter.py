"""site_cell_detail: published sites per cell of site_cell's grid keyed by every filter of the public map — besides
the category and the district, the commune, status, plan task, lead agency and the years the site starts and
ends — so a clustered tile with any filter sums cells instead of reading every site. Kept by statement triggers
like site_cell's (0008), which stays: where sites vary in every filter, site_cell_detail nears a row a site,
and the tiles without those filters (the first view of every map) keep reading the small site_cell.

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The published rule is geo.site_query.published(); it is written out here because a migration is frozen.
# tests/geo/test_tiles.py checks that every filtered tile counts exactly what geo.site_query.where() counts.
PUBLISHED = "(r.moderation = 'approved' AND r.deleted_at IS NULL)"
WORLD = 40075016.68557849  # EPSG:3857's width in metres
CELL = f"({WORLD} / 32768.0)"  # 2^15 cells across: one z15 tile

# The key beyond the cell: column -> (type, value from the site row r). A key column cannot be null, so a
# missing unit is '' and a missing date a year that answers the year filters as the dates' rule does: no start
# is "started before any year" (0), no end is "not ended in any year" (9999).
KEY = {
    "category_code": ("varchar", "r.category_code"),
    "district_code": ("varchar", "coalesce(r.district_code, '')"),
    "commune_code": ("varchar", "coalesce(r.commune_code, '')"),
    "status": ("varchar", "r.status"),
    "plan_task": ("varchar", "r.plan_task"),
    "lead_agency": ("text", "r.lead_agency"),
    "first_year": ("smallint", "coalesce(extract(year FROM r.start_date), 0)::smallint"),
    "last_year": ("smallint", "coalesce(extract(year FROM r.end_date), 9999)::smallint"),
}
EVENTS = ("insert", "update", "delete", "truncate")
# A points tile reads the sites themselves: the two filters 0009 left without an index. With 1 000 000 sites a
# z12 tile filtered by plan task read the 7 000 sites of its box to keep 700; with the index, a BitmapAnd with
# the GiST index reads only those.
INDEXES = {"site_plan_task": "plan_task", "site_lead_agency": "lead_agency"}


def _delta(sign: int, table: str) -> str:
    values = ", ".join(f"{value} AS {column}" for column, (_, value) in KEY.items())
    return f"""
        SELECT floor((ST_X(p) + {WORLD} / 2) / {CELL})::int AS cell_x,
               floor(({WORLD} / 2 - ST_Y(p)) / {CELL})::int AS cell_y, {values},
               {sign} AS n, {sign} * ST_X(p) AS x, {sign} * ST_Y(p) AS y
        FROM {table} r, LATERAL ST_Transform(r.geom, 3857) AS p
        WHERE {PUBLISHED}"""


def _apply(deltas: str) -> str:
    columns = ", ".join(["cell_x", "cell_y", *KEY])
    # An update that moves no site between cells (a new name, a new photo) nets to nothing: no write.
    return f"""
    INSERT INTO site_cell_detail AS c ({columns}, n, sum_x, sum_y)
    SELECT {columns}, sum(n), sum(x), sum(y)
    FROM ({deltas}) d
    GROUP BY {columns}
    HAVING sum(n) <> 0 OR sum(x) <> 0 OR sum(y) <> 0
    ON CONFLICT ({columns}) DO UPDATE
        SET n = c.n + EXCLUDED.n, sum_x = c.sum_x + EXCLUDED.sum_x, sum_y = c.sum_y + EXCLUDED.sum_y;
    DELETE FROM site_cell_detail WHERE n = 0;"""


def upgrade() -> None:
    columns = ",\n    ".join(f"{column} {kind} NOT NULL" for column, (kind, _) in KEY.items())
    op.execute(f"""
CREATE TABLE site_cell_detail (
    cell_x integer NOT NULL,
    cell_y integer NOT NULL,
    {columns},
    n integer NOT NULL,
    sum_x double precision NOT NULL,
    sum_y double precision NOT NULL,
    PRIMARY KEY (cell_x, cell_y, {", ".join(KEY)})
);
-- The emptied cells of a change, found without reading the table.
CREATE INDEX site_cell_detail_empty ON site_cell_detail (cell_x) WHERE n = 0;

CREATE FUNCTION scp_site_cell_details_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_apply(_delta(1, "new_rows"))}
    RETURN NULL;
END $$;

CREATE FUNCTION scp_site_cell_details_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_apply(_delta(1, "new_rows") + " UNION ALL " + _delta(-1, "old_rows"))}
    RETURN NULL;
END $$;

CREATE FUNCTION scp_site_cell_details_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_apply(_delta(-1, "old_rows"))}
    RETURN NULL;
END $$;

CREATE FUNCTION scp_site_cell_details_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE site_cell_detail;
    RETURN NULL;
END $$;

CREATE TRIGGER site_cell_details_insert AFTER INSERT ON site REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scp_site_cell_details_insert();
CREATE TRIGGER site_cell_details_update AFTER UPDATE ON site REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scp_site_cell_details_update();
CREATE TRIGGER site_cell_details_delete AFTER DELETE ON site REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scp_site_cell_details_delete();
CREATE TRIGGER site_cell_details_truncate AFTER TRUNCATE ON site
    FOR EACH STATEMENT EXECUTE FUNCTION scp_site_cell_details_truncate();
""")
    # The sites already there.
    op.execute(_apply(_delta(1, "site")).replace("DELETE FROM site_cell_detail WHERE n = 0;", ""))
    for name, column in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON site ({column})")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for event in EVENTS:
        op.execute(f"DROP TRIGGER IF EXISTS site_cell_details_{event} ON site")
        op.execute(f"DROP FUNCTION IF EXISTS scp_site_cell_details_{event}()")
    op.execute("DROP TABLE IF EXISTS site_cell_detail")
