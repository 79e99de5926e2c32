"""indexes for the figures and the site filters at provincial scale, and the yearly report's cache

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = "0009"
down_revision = "0008"  # report_cache rows carry the data version of 0005
branch_labels = None
depends_on = None

# name -> (columns, partial predicate or None). The first serves geo.figures (geo.site_query.counted_in_year
# is published, a counted status and the dates: the predicate below is what the planner proves it from);
# the others serve the filters of /api/sites, the tiles and the exports.
INDEXES = {
    "site_counted": ("category_code, start_date, end_date",
                     "moderation = 'approved' AND deleted_at IS NULL AND status IN ('active', 'completed')"),
    "site_district_code": ("district_code", None),
    "site_commune_code": ("commune_code", None),
    "site_category_code": ("category_code", None),
    "site_status": ("status", None),
    "site_dates": ("start_date, end_date", None),
}


def upgrade() -> None:
    for name, (columns, predicate) in INDEXES.items():
        where = f" WHERE {predicate}" if predicate else ""
        op.execute(f"CREATE INDEX {name} ON site ({columns}){where}")
    # One built report file per year, level, language and kind; data_version says which data it shows, so a
    # request for a newer version builds it again and replaces the row.
    op.execute("""
CREATE TABLE report_cache (
    year integer NOT NULL,
    level text NOT NULL,
    lang text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('html', 'xlsx')),
    data_version bigint NOT NULL,
    body bytea NOT NULL,
    made_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, level, lang, kind)
)""")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS report_cache")
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
