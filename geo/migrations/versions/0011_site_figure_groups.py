"""site_figure: published sites folded into groups alike in everything a figure reads (category, status,
district, commune, start and end year, and for each indicator its numerator and kind), kept by statement
triggers on site, so /progress and the province path sum a few thousand groups instead of reading every site;
indicator_rule holds each indicator's rule (geo.plan.load_indicators writes it and rebuilds the groups)

Revision ID: 0011
Revises: 0010
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The published rule is geo.site_query.published(); it is written out here because a migration is frozen.
# tests/geo/test_site_figures.py checks that site_figure counts exactly what the rules count from site.
PUBLISHED = "(r.moderation = 'approved' AND r.deleted_at IS NULL)"
# geo.site_query.in_year compares start_date with 31 December and end_date with 1 January of the year, so
# only the years matter: a group keeps 1 January of the start year and 31 December of the end year, and the
# same rule, applied to the group, decides its years as it decides a site's.
START = "make_date(extract(year FROM r.start_date)::int, 1, 1)"
END = "make_date(extract(year FROM r.end_date)::int, 12, 31)"
KEYS = "figure, category_code, status, district_code, commune_code, start_date, end_date, numerator_from, kind"


def _groups(sign: int, table: str) -> str:
    """One row per site and figure it is in: 'sites' for every published site, and each indicator whose rule
    takes it. numerator_from is the year from which it is in a share's numerator (0: always; NULL: never)."""
    return f"""
        SELECT 'sites' AS figure, r.category_code, r.status, r.district_code, r.commune_code,
               {START} AS start_date, {END} AS end_date, NULL::numeric AS numerator_from, '' AS kind,
               {sign} AS sites, 0::numeric AS amount
        FROM {table} r WHERE {PUBLISHED}
        UNION ALL
        SELECT i.indicator_code, r.category_code, r.status, r.district_code, r.commune_code, {START}, {END},
               CASE i.numerator_rule
                   WHEN 'reached_by_year' THEN scp_json_number(r.measures -> i.numerator_measure)
                   WHEN 'is_true' THEN CASE WHEN r.measures -> i.numerator_measure
                                                 IN ('true'::jsonb, '"true"'::jsonb) THEN 0 END
               END,
               coalesce(r.measures ->> i.breakdown, ''),
               {sign}, {sign} * coalesce(scp_json_number(r.measures -> i.amount_measure), 0)
        FROM {table} r JOIN indicator_rule i ON r.category_code = ANY(i.categories)
            AND (cardinality(i.only_districts) = 0 OR r.district_code = ANY(i.only_districts))
            AND (cardinality(i.only_kinds) = 0 OR r.measures ->> i.breakdown = ANY(i.only_kinds))
        WHERE {PUBLISHED}"""


def _apply(groups: str) -> str:
    # In key order, so two writers lock the groups they share in the same order.
    return f"""
    INSERT INTO site_figure AS f ({KEYS}, sites, amount)
    SELECT {KEYS}, sum(sites), sum(amount)
    FROM ({groups}) d
    GROUP BY {KEYS}
    HAVING sum(sites) <> 0 OR sum(amount) <> 0
    ORDER BY {KEYS}
    ON CONFLICT ({KEYS}) DO UPDATE
        SET sites = f.sites + EXCLUDED.sites, amount = f.amount + EXCLUDED.amount;
    DELETE FROM site_figure WHERE sites = 0;"""


def upgrade() -> None:
    # The number a jsonb measure holds, or NULL (typed text is tolerated): geo.figures reads measures with it.
    op.execute(r"""
CREATE FUNCTION scp_json_number(value jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof(value) = 'number' THEN (value #>> '{}')::numeric
                WHEN jsonb_typeof(value) = 'string' AND (value #>> '{}') ~ '^\s*[0-9]+(\.[0-9]+)?\s*$'
                THEN trim(value #>> '{}')::numeric END
$$""")
    op.execute(f"""
CREATE TABLE indicator_rule (
    indicator_code varchar PRIMARY KEY,
    categories text[] NOT NULL,
    only_districts text[] NOT NULL,
    only_kinds text[] NOT NULL,
    numerator_rule text NOT NULL,
    numerator_measure text NOT NULL,
    amount_measure text NOT NULL,
    breakdown text NOT NULL
);

CREATE TABLE site_figure (
    figure varchar NOT NULL,
    category_code varchar NOT NULL,
    status varchar NOT NULL,
    district_code varchar,
    commune_code varchar,
    start_date date,
    end_date date,
    numerator_from numeric,
    kind text NOT NULL,
    sites bigint NOT NULL,
    amount numeric NOT NULL,
    CONSTRAINT site_figure_key UNIQUE NULLS NOT DISTINCT ({KEYS})
);

CREATE FUNCTION scp_site_figures_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_apply(_groups(1, "new_rows"))}
    RETURN NULL;
END $$;

CREATE FUNCTION scp_site_figures_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_apply(_groups(1, "new_rows") + " UNION ALL " + _groups(-1, "old_rows"))}
    RETURN NULL;
END $$;

CREATE FUNCTION scp_site_figures_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_apply(_groups(-1, "old_rows"))}
    RETURN NULL;
END $$;

CREATE FUNCTION scp_site_figures_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE site_figure;
    RETURN NULL;
END $$;

-- Every group again from the sites: after the indicators' rules change.
CREATE FUNCTION scp_site_figures_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM site_figure;
    {_apply(_groups(1, "site"))}
END $$;

CREATE TRIGGER site_figures_insert AFTER INSERT ON site REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scp_site_figures_insert();
CREATE TRIGGER site_figures_update AFTER UPDATE ON site REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scp_site_figures_update();
CREATE TRIGGER site_figures_delete AFTER DELETE ON site REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION scp_site_figures_delete();
CREATE TRIGGER site_figures_truncate AFTER TRUNCATE ON site
    FOR EACH STATEMENT EXECUTE FUNCTION scp_site_figures_truncate();
""")
    # The sites already there ('sites' only: the indicators' groups come when load_indicators writes the rules).
    op.execute("SELECT scp_site_figures_rebuild()")


def downgrade() -> None:
    for event in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS site_figures_{event} ON site")
        op.execute(f"DROP FUNCTION IF EXISTS scp_site_figures_{event}()")
    op.execute("DROP FUNCTION IF EXISTS scp_site_figures_rebuild()")
    op.execute("DROP TABLE IF EXISTS site_figure")
    op.execute("DROP TABLE IF EXISTS indicator_rule")
    op.execute("DROP FUNCTION IF EXISTS scp_json_number(jsonb)")
