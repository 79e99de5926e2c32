"""search over site names, addresses and unit names, without Vietnamese accents

unaccent and pg_trgm are trusted extensions, so the app's own role creates them. unaccent() is only STABLE (it
reads its dictionary by search_path), so an index needs an IMMUTABLE wrapper that names the dictionary; the
trigram indexes then serve `LIKE '%…%'` on the folded text.

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FOLD = """
CREATE OR REPLACE FUNCTION scp_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    op.execute(FOLD)
    op.execute("CREATE INDEX site_search_name ON site USING gin (scp_fold(name) gin_trgm_ops)")
    op.execute("CREATE INDEX site_search_address ON site USING gin (scp_fold(coalesce(address, '')) gin_trgm_ops)")
    op.execute("CREATE INDEX admin_unit_search_name ON admin_unit USING gin (scp_fold(name) gin_trgm_ops)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS admin_unit_search_name")
    op.execute("DROP INDEX IF EXISTS site_search_address")
    op.execute("DROP INDEX IF EXISTS site_search_name")
    op.execute("DROP FUNCTION IF EXISTS scp_fold(text)")
    # The extensions stay: another object may have come to use them, and they cost nothing left in place.
