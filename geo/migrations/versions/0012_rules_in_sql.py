"""the rules the database applies, each written once as an SQL function (published, in a year, counted, listed,
the year folding, the cell key, a unit lying in a district, every public filter, each indicator's rule), the
aggregate tables rebuilt on them with ordered upserts, a rebuild and a drift check for each, and one tile function

site_cell and site_cell_detail now keep a group's years as site_figure does (scp_year_start/scp_year_end of the
site's dates, NULL kept), so one filter function, scp_site_matches, reads a site, a cell or a group alike.

Revision ID: 0012
Revises: 0011
"""
import importlib.util
from pathlib import Path

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

WORLD = 40075016.68557849  # EPSG:3857's width in metres

# The rules. Each is `LANGUAGE sql` and IMMUTABLE, a single expression the planner inlines into the caller's
# statement, so a partial index or a GiST index serves the caller as if the rule were written out there.
RULES = rf"""
CREATE FUNCTION scp_published(moderation text, deleted_at timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT moderation = 'approved' AND deleted_at IS NULL $$;

-- A site's years: the year it starts (NULL: started before any year) and the year it ends (NULL: not ended).
CREATE FUNCTION scp_year_start(start_date date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT make_date(extract(year FROM start_date)::int, 1, 1) $$;

CREATE FUNCTION scp_year_end(end_date date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT make_date(extract(year FROM end_date)::int, 12, 31) $$;

CREATE FUNCTION scp_not_ended_before(end_date date, year integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT end_date IS NULL OR end_date >= make_date(year, 1, 1) $$;

-- Started by the end of the year (or no start) and not ended before it began. Only the years of the dates
-- matter, so the rule reads a group's folded dates (scp_year_start/scp_year_end) as it reads a site's.
CREATE FUNCTION scp_in_year(start_date date, end_date date, year integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (start_date IS NULL OR start_date <= make_date(year, 12, 31)) AND scp_not_ended_before(end_date, year)
$$;

CREATE FUNCTION scp_counted_status(status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT status IN ('active', 'completed') $$;

-- Counted towards the plan's figures of the year (the site being published is the caller's other half).
CREATE FUNCTION scp_counted_in_year(status text, start_date date, end_date date, year integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT scp_counted_status(status) AND scp_in_year(start_date, end_date, year)
$$;

-- Listed in the year's report: in the year, or planned and not ended before it.
CREATE FUNCTION scp_listed_in_year(status text, start_date date, end_date date, year integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT scp_in_year(start_date, end_date, year) OR (status = 'planned' AND scp_not_ended_before(end_date, year))
$$;

-- A unit lies in another (a 2025 commune in a 2009-2025 district) when more than half of its area is in it.
CREATE FUNCTION scp_lies_in(part geometry, whole geometry) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ST_Intersects(part, whole) AND ST_Area(ST_Intersection(part, whole)) > 0.5 * ST_Area(part)
$$;

-- The vector tiles' layout, read by scp_site_tile and by geo.tiles (TileJSON, the zooms a URL may ask for).
-- Points from points_from_zoom on while a tile holds at most max_points sites, always at max_zoom; clusters
-- one per cell of a grid_bits-deep grid of the tile; site_cell's grid is a cell_level tile's width.
CREATE FUNCTION scp_tile_layout() RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '{{"min_zoom": 0, "max_zoom": 16, "points_from_zoom": 12, "max_points": 1000, "grid_bits": 3,
             "extent": 4096, "buffer": 64, "cell_level": 15, "points_layer": "sites",
             "clusters_layer": "clusters"}}'::jsonb
$$;

CREATE FUNCTION scp_tile_clustered(z integer, sites bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT z < (scp_tile_layout() ->> 'max_zoom')::int
           AND (z < (scp_tile_layout() ->> 'points_from_zoom')::int OR sites > (scp_tile_layout() ->> 'max_points')::int)
$$;

-- The cell of site_cell's grid holding a point in EPSG:3857, counted from the world's west and north edges.
CREATE FUNCTION scp_cell_x(point geometry) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT floor((ST_X(point) + {WORLD} / 2) / ({WORLD} / (1 << (scp_tile_layout() ->> 'cell_level')::int)))::int
$$;

CREATE FUNCTION scp_cell_y(point geometry) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT floor(({WORLD} / 2 - ST_Y(point)) / ({WORLD} / (1 << (scp_tile_layout() ->> 'cell_level')::int)))::int
$$;

CREATE FUNCTION scp_texts(value jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY(SELECT jsonb_array_elements_text(value)) $$;

-- Every public filter of the sites (geo.site_query.SiteFilters, as jsonb: a filter absent is no condition).
-- Given constant filters, the planner folds each absent filter to true and each given one to a plain
-- comparison, so the site table's indexes serve it.
CREATE FUNCTION scp_site_matches(filters jsonb, category_code text, status text, district_code text,
                                 commune_code text, plan_task text, lead_agency text, start_date date,
                                 end_date date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (NOT filters ? 'categories' OR category_code = ANY(scp_texts(filters -> 'categories')))
       AND (NOT filters ? 'statuses' OR status = ANY(scp_texts(filters -> 'statuses')))
       AND (NOT filters ? 'districts' OR district_code = ANY(scp_texts(filters -> 'districts')))
       AND (NOT filters ? 'communes' OR commune_code = ANY(scp_texts(filters -> 'communes')))
       AND (NOT filters ? 'plan_tasks' OR plan_task = ANY(scp_texts(filters -> 'plan_tasks')))
       AND (NOT filters ? 'lead_agency' OR lead_agency = filters ->> 'lead_agency')
       AND (NOT filters ? 'year' OR scp_in_year(start_date, end_date, (filters ->> 'year')::int))
       AND (NOT filters ? 'start_year'
            OR (start_date >= make_date((filters ->> 'start_year')::int, 1, 1)
                AND start_date < make_date((filters ->> 'start_year')::int + 1, 1, 1)))
$$;

-- The filters site_cell cannot answer (it keeps only the category and the district): site_cell_detail can.
CREATE FUNCTION scp_needs_detail(filters jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (filters - 'categories' - 'districts') <> '{{}}'::jsonb $$;

-- Each indicator's rule (a row of indicator_rule, written by geo.plan.load_rules from geo.plan.INDICATORS):
-- which sites it takes, from which year a site is in a share's numerator (0: always, NULL: never), what a
-- site adds to a sum, and the kind that splits the figure.
CREATE FUNCTION scp_indicator_takes(i indicator_rule, category_code text, district_code text, measures jsonb)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT category_code = ANY(i.categories)
       AND (cardinality(i.only_districts) = 0 OR district_code = ANY(i.only_districts))
       AND (cardinality(i.only_kinds) = 0 OR measures ->> i.breakdown = ANY(i.only_kinds))
$$;

CREATE FUNCTION scp_numerator_from(i indicator_rule, measures jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE i.numerator_rule
               WHEN 'reached_by_year' THEN scp_json_number(measures -> i.numerator_measure)
               WHEN 'is_true' THEN CASE WHEN measures -> i.numerator_measure IN ('true'::jsonb, '"true"'::jsonb)
                                        THEN 0 END
           END
$$;

CREATE FUNCTION scp_in_numerator(numerator_from numeric, year integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(numerator_from <= year, false) $$;

CREATE FUNCTION scp_amount(i indicator_rule, measures jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT scp_json_number(measures -> i.amount_measure) $$;

CREATE FUNCTION scp_kind(i indicator_rule, measures jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(measures ->> i.breakdown, '') $$;
"""
RULE_FUNCTIONS = (
    "scp_published(text, timestamptz)", "scp_year_start(date)", "scp_year_end(date)",
    "scp_not_ended_before(date, integer)", "scp_in_year(date, date, integer)", "scp_counted_status(text)",
    "scp_counted_in_year(text, date, date, integer)", "scp_listed_in_year(text, date, date, integer)",
    "scp_lies_in(geometry, geometry)", "scp_tile_layout()", "scp_tile_clustered(integer, bigint)",
    "scp_cell_x(geometry)", "scp_cell_y(geometry)", "scp_texts(jsonb)",
    "scp_site_matches(jsonb, text, text, text, text, text, text, date, date)", "scp_needs_detail(jsonb)",
    "scp_indicator_takes(indicator_rule, text, text, jsonb)", "scp_numerator_from(indicator_rule, jsonb)",
    "scp_in_numerator(numeric, integer)", "scp_amount(indicator_rule, jsonb)", "scp_kind(indicator_rule, jsonb)",
)

PUBLISHED = "scp_published(r.moderation, r.deleted_at)"
CELL = "scp_cell_x(p) AS cell_x, scp_cell_y(p) AS cell_y"
POINT = "FROM {rows} r, LATERAL ST_Transform(r.geom, 3857) AS p"
YEARS = "scp_year_start(r.start_date) AS start_date, scp_year_end(r.end_date) AS end_date"


class Aggregate:
    """A table of published sites folded into groups: its key, its sums, one row per site (signed), and what a
    group's count is (a group whose count nets to zero is deleted)."""

    def __init__(self, table: str, key: dict[str, str], sums: dict[str, str], rows: str, count: str,
                 tolerance: tuple[str, ...] = ()):
        self.table, self.key, self.sums, self.rows, self.count = table, key, sums, rows, count
        self.tolerance = tolerance  # float sums, added and taken away in another order than a rebuild adds them

    def site_rows(self, sign: int, rows: str) -> str:
        return self.rows.format(sign=sign, rows=rows)

    def groups(self, deltas: str) -> str:
        keys = ", ".join(self.key)
        sums = ", ".join(f"sum({column}) AS {column}" for column in self.sums)
        return f"SELECT {keys}, {sums} FROM ({deltas}) d GROUP BY {keys}"

    def apply(self, deltas: str) -> str:
        """Add the signed rows to the table, in key order so two writers lock the groups they share in the same
        order; a change that moves no site between groups writes nothing."""
        keys, sums = ", ".join(self.key), ", ".join(self.sums)
        moved = " OR ".join(f"sum({column}) <> 0" for column in self.sums)
        added = ", ".join(f"{column} = t.{column} + EXCLUDED.{column}" for column in self.sums)
        return f"""
    INSERT INTO {self.table} AS t ({keys}, {sums})
    {self.groups(deltas)} HAVING {moved}
    ORDER BY {keys}
    ON CONFLICT ({keys}) DO UPDATE SET {added};
    DELETE FROM {self.table} WHERE {self.count} = 0;"""

    def create(self) -> str:
        columns = ",\n    ".join([*(f"{c} {kind}" for c, kind in self.key.items()),
                                  *(f"{c} {kind} NOT NULL" for c, kind in self.sums.items())])
        keys = ", ".join(self.key)
        name, body = self.table, self.site_rows(1, "site")
        events = {"insert": self.apply(self.site_rows(1, "new_rows")),
                  "update": self.apply(self.site_rows(1, "new_rows") + " UNION ALL " + self.site_rows(-1, "old_rows")),
                  "delete": self.apply(self.site_rows(-1, "old_rows")),
                  "truncate": f"TRUNCATE {name};"}
        functions = "\n".join(f"""
CREATE FUNCTION scp_{name}s_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {sql}
    RETURN NULL;
END $$;""" for event, sql in events.items())
        transition = {"insert": "REFERENCING NEW TABLE AS new_rows",
                      "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
                      "delete": "REFERENCING OLD TABLE AS old_rows", "truncate": ""}
        triggers = "\n".join(f"""
CREATE TRIGGER {name}s_{event} AFTER {event.upper()} ON site {clause}
    FOR EACH STATEMENT EXECUTE FUNCTION scp_{name}s_{event}();""" for event, clause in transition.items())
        # NULL keys are equal here (NULLS NOT DISTINCT); a FULL JOIN needs = to hash, so each is compared as text.
        same = " AND ".join(f"coalesce(t.{c}::text, '') = coalesce(b.{c}::text, '')" for c in self.key)
        differs = " OR ".join(
            f"abs(t.{c} - b.{c}) > 1e-6 * greatest(1, abs(b.{c}))" if c in self.tolerance
            else f"t.{c} IS DISTINCT FROM b.{c}" for c in self.sums)
        return f"""
CREATE TABLE {name} (
    {columns},
    CONSTRAINT {name}_key UNIQUE NULLS NOT DISTINCT ({keys})
);
CREATE INDEX {name}_emptied ON {name} ({next(iter(self.key))}) WHERE {self.count} = 0;

-- The groups built again from the sites: what the table must equal.
CREATE VIEW {name}_built AS {self.groups(body)};
{functions}

CREATE FUNCTION scp_{name}s_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {name};
    INSERT INTO {name} SELECT * FROM {name}_built ORDER BY {keys};
END $$;

-- The groups where the table and its rebuild differ (none while the triggers keep it).
CREATE FUNCTION scp_{name}s_drift() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM {name} t FULL JOIN {name}_built b ON {same}
    WHERE {differs}
$$;
{triggers}
SELECT scp_{name}s_rebuild();
"""

    def drop(self) -> str:
        name = self.table
        events = ("insert", "update", "delete", "truncate")
        return "\n".join([*(f"DROP TRIGGER IF EXISTS {name}s_{e} ON site;" for e in events),
                          *(f"DROP FUNCTION IF EXISTS scp_{name}s_{e}();" for e in (*events, "rebuild", "drift")),
                          f"DROP VIEW IF EXISTS {name}_built;", f"DROP TABLE IF EXISTS {name};"])


SITE_CELL = Aggregate(
    "site_cell", {"cell_x": "integer NOT NULL", "cell_y": "integer NOT NULL", "category_code": "varchar NOT NULL",
                  "district_code": "varchar"},
    {"n": "integer", "sum_x": "double precision", "sum_y": "double precision"},
    f"""
        SELECT {CELL}, r.category_code, r.district_code, {{sign}} AS n, {{sign}} * ST_X(p) AS sum_x,
               {{sign}} * ST_Y(p) AS sum_y
        {POINT} WHERE {PUBLISHED}""", "n", ("sum_x", "sum_y"))

SITE_CELL_DETAIL = Aggregate(
    "site_cell_detail", {**SITE_CELL.key, "commune_code": "varchar", "status": "varchar NOT NULL",
                         "plan_task": "varchar NOT NULL", "lead_agency": "text NOT NULL", "start_date": "date",
                         "end_date": "date"},
    SITE_CELL.sums,
    f"""
        SELECT {CELL}, r.category_code, r.district_code, r.commune_code, r.status, r.plan_task, r.lead_agency,
               {YEARS}, {{sign}} AS n, {{sign}} * ST_X(p) AS sum_x, {{sign}} * ST_Y(p) AS sum_y
        {POINT} WHERE {PUBLISHED}""", "n", ("sum_x", "sum_y"))

# One row per site and figure it is in: 'sites' for every published site, and each indicator whose rule takes it.
SITE_FIGURE = Aggregate(
    "site_figure", {"figure": "varchar NOT NULL", "category_code": "varchar NOT NULL", "status": "varchar NOT NULL",
                    "district_code": "varchar", "commune_code": "varchar", "start_date": "date", "end_date": "date",
                    "numerator_from": "numeric", "kind": "text NOT NULL"},
    {"sites": "bigint", "amount": "numeric"},
    f"""
        SELECT 'sites' AS figure, r.category_code, r.status, r.district_code, r.commune_code, {YEARS},
               NULL::numeric AS numerator_from, '' AS kind, {{sign}} AS sites, 0::numeric AS amount
        FROM {{rows}} r WHERE {PUBLISHED}
        UNION ALL
        SELECT i.indicator_code, r.category_code, r.status, r.district_code, r.commune_code, {YEARS},
               scp_numerator_from(i, r.measures), scp_kind(i, r.measures),
               {{sign}}, {{sign}} * coalesce(scp_amount(i, r.measures), 0)
        FROM {{rows}} r JOIN indicator_rule i ON scp_indicator_takes(i, r.category_code, r.district_code, r.measures)
        WHERE {PUBLISHED}""", "sites")

AGGREGATES = (SITE_CELL, SITE_CELL_DETAIL, SITE_FIGURE)

# One vector tile of the published sites matching filters (as Martin's and tipg's function sources take them):
# its bytes, the sites in it and whether it carries clusters. Clusters of a tile whose cluster cells are whole
# cells of site_cell's grid are summed from site_cell, or site_cell_detail when a filter needs it; a tile whose
# sites are few enough for points (scp_tile_clustered) reads the sites themselves.
TILE = """
CREATE TYPE scp_cell_sum AS (cx integer, cy integer, category_code text, n bigint, sum_x double precision,
                             sum_y double precision);

-- The published sites of a tile's cells of site_cell's grid, matching filters.
CREATE FUNCTION scp_tile_cells(z integer, x integer, y integer, filters jsonb)
RETURNS TABLE (cell_x integer, cell_y integer, category_code text, n integer, sum_x double precision,
               sum_y double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH span AS (SELECT (scp_tile_layout() ->> 'cell_level')::int - z AS bits)
    SELECT c.cell_x, c.cell_y, c.category_code, c.n, c.sum_x, c.sum_y FROM site_cell c, span
    WHERE NOT scp_needs_detail(filters)
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

-- The cluster layer of a tile from its cells' sums by category: one cluster a cell, with its count, its most
-- frequent category (and colour), the count of each category (n_<code>) and the mean point of its sites.
CREATE FUNCTION scp_cluster_layer(env geometry, cells scp_cell_sum[]) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(ST_AsMVT(k, scp_tile_layout() ->> 'clusters_layer',
                             (scp_tile_layout() ->> 'extent')::int, 'geom'), ''::bytea)
    FROM (SELECT g.count, g.category, cat.colour, g.mix, g.geom
          FROM (SELECT sum(c.n)::int AS count,
                       (array_agg(c.category_code ORDER BY c.n DESC, c.category_code))[1] AS category,
                       jsonb_object_agg('n_' || c.category_code, c.n) AS mix,
                       ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(sum(c.sum_x) / sum(c.n), sum(c.sum_y) / sum(c.n)), 3857),
                                    env, (scp_tile_layout() ->> 'extent')::int,
                                    (scp_tile_layout() ->> 'buffer')::int, true) AS geom
                FROM unnest(cells) c GROUP BY c.cx, c.cy) g
          JOIN category cat ON cat.code = g.category) k
$$;

CREATE FUNCTION scp_site_tile(z integer, x integer, y integer, filters jsonb DEFAULT '{}',
                              OUT body bytea, OUT sites integer, OUT clustered boolean)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    layout CONSTANT jsonb := scp_tile_layout();
    env CONSTANT geometry := ST_TileEnvelope(z, x, y);
    grid CONSTANT integer := 1 << (layout ->> 'grid_bits')::int;
    -- site_cell's cells a cluster cell spans, as a shift: negative when its cells are coarser than the tile's grid.
    shift CONSTANT integer := (layout ->> 'cell_level')::int - (layout ->> 'grid_bits')::int - z;
    cells scp_cell_sum[];
BEGIN
    IF shift >= 0 THEN
        SELECT coalesce(sum(k.n), 0), array_agg(ROW(k.cx, k.cy, k.category_code, k.n, k.sum_x, k.sum_y)::scp_cell_sum)
        INTO sites, cells
        FROM (SELECT c.cell_x >> shift AS cx, c.cell_y >> shift AS cy, c.category_code::text,
                     sum(c.n)::bigint AS n, sum(c.sum_x) AS sum_x, sum(c.sum_y) AS sum_y
              FROM scp_tile_cells(z, x, y, filters) c GROUP BY 1, 2, 3) k;
        IF scp_tile_clustered(z, sites) THEN
            clustered := true;
            body := CASE WHEN sites > 0 THEN scp_cluster_layer(env, cells) ELSE ''::bytea END;
            RETURN;
        END IF;
    END IF;
    WITH hits AS MATERIALIZED (
        SELECT s.id, s.category_code::text AS category_code, ST_Transform(s.geom, 3857) AS geom
        FROM site s
        WHERE s.geom && ST_Transform(env, 4326) AND scp_published(s.moderation, s.deleted_at)
          AND scp_site_matches(filters, s.category_code, s.status, s.district_code, s.commune_code, s.plan_task,
                               s.lead_agency, s.start_date, s.end_date)
    ), total AS (
        SELECT count(*)::int AS n, scp_tile_clustered(z, count(*)) AS yes FROM hits
    ), points AS (
        SELECT h.id, h.category_code AS category, c.colour,
               ST_AsMVTGeom(h.geom, env, (layout ->> 'extent')::int, (layout ->> 'buffer')::int, true) AS geom
        FROM hits h JOIN category c ON c.code = h.category_code
        WHERE NOT (SELECT yes FROM total)
    ), pixels AS (
        -- A cell lies in one tile only: a crowd on a tile edge is not counted twice.
        SELECT ROW(p.cx, p.cy, p.category_code, p.n, p.sum_x, p.sum_y)::scp_cell_sum AS cell
        FROM (SELECT LEAST(floor((ST_X(h.geom) - ST_XMin(env)) / ((ST_XMax(env) - ST_XMin(env)) / grid)),
                           grid - 1)::int AS cx,
                     LEAST(floor((ST_YMax(env) - ST_Y(h.geom)) / ((ST_XMax(env) - ST_XMin(env)) / grid)),
                           grid - 1)::int AS cy,
                     h.category_code, count(*) AS n, sum(ST_X(h.geom)) AS sum_x, sum(ST_Y(h.geom)) AS sum_y
              FROM hits h
              WHERE (SELECT yes FROM total)
              GROUP BY 1, 2, 3) p
    )
    SELECT t.n, t.yes,
           CASE WHEN t.n = 0 THEN ''::bytea
                WHEN t.yes THEN scp_cluster_layer(env, ARRAY(SELECT cell FROM pixels))
                ELSE coalesce((SELECT ST_AsMVT(p, layout ->> 'points_layer', (layout ->> 'extent')::int, 'geom')
                               FROM points p), ''::bytea) END
    INTO sites, clustered, body FROM total t;
END $$;
"""
TILE_FUNCTIONS = ("scp_site_tile(integer, integer, integer, jsonb)", "scp_cluster_layer(geometry, scp_cell_sum[])",
                  "scp_tile_cells(integer, integer, integer, jsonb)")
OLD_FUNCTIONS = {"site_cell": "site_cells", "site_cell_detail": "site_cell_details", "site_figure": "site_figures"}


def upgrade() -> None:
    # The tables of 0008, 0010 and 0011 with their triggers go; the rules and the tables built on them come.
    for table, old in OLD_FUNCTIONS.items():
        for event in ("insert", "update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER {old}_{event} ON site")
            op.execute(f"DROP FUNCTION scp_{old}_{event}()")
        op.execute(f"DROP TABLE {table}")
    op.execute("DROP FUNCTION scp_site_figures_rebuild()")
    op.execute(RULES)
    for aggregate in AGGREGATES:
        op.execute(aggregate.create())
    op.execute(TILE)


def _previous(name: str):
    """An earlier migration's module (their file names are no Python module names)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade() -> None:
    op.execute("CREATE TEMPORARY TABLE kept_rule ON COMMIT DROP AS SELECT * FROM indicator_rule")
    for function in TILE_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.execute("DROP TYPE IF EXISTS scp_cell_sum")
    for aggregate in reversed(AGGREGATES):
        op.execute(aggregate.drop())
    for function in RULE_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    # 0008, 0010 and 0011 made again as they were; the indicators' rules kept.
    op.execute("DROP INDEX site_plan_task; DROP INDEX site_lead_agency")
    op.execute("DROP TABLE indicator_rule; DROP FUNCTION scp_json_number(jsonb)")
    for name in ("0008_site_cells", "0010_site_cell_every_filter", "0011_site_figure_groups"):
        _previous(name).upgrade()
    op.execute("INSERT INTO indicator_rule SELECT * FROM kept_rule")
    op.execute("SELECT scp_site_figures_rebuild()")
