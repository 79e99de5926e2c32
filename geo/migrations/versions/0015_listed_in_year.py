"""what a year's report lists, in its one home: the sites of the year, planned ones only once their start falls in
or before the year (a 2025 report no longer lists sites planned for 2027); the report had narrowed the rule in
Python beside the function

Revision ID: 0015
Revises: 0014
"""
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A planned site is listed as any other: when it has started by the year's end (or has no start) and has not
    # ended before the year (scp_in_year). No table keeps this rule, so nothing is rebuilt.
    op.execute("""
CREATE OR REPLACE FUNCTION scp_listed_in_year(status text, start_date date, end_date date, year integer)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT scp_in_year(start_date, end_date, year) $$""")


def downgrade() -> None:
    op.execute("""
CREATE OR REPLACE FUNCTION scp_listed_in_year(status text, start_date date, end_date date, year integer)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT scp_in_year(start_date, end_date, year) OR (status = 'planned' AND scp_not_ended_before(end_date, year))
$$""")
