"""a data version: one counter that every change to what the public sees moves on (ETags, caches)

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("site", "admin_unit", "category", "indicator", "indicator_value")


def upgrade() -> None:
    op.execute("""
CREATE TABLE data_version (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL DEFAULT 1,
    changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO data_version DEFAULT VALUES;

-- Once per statement, not per row: an import of 2 000 sites moves the version once.
CREATE FUNCTION scp_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET version = version + 1, changed_at = now();
    RETURN NULL;
END $$;
""")
    for table in TABLES:
        op.execute(f"""
CREATE TRIGGER {table}_bumps_data_version
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION scp_bump_data_version()""")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_bumps_data_version ON {table}")
    op.execute("DROP FUNCTION IF EXISTS scp_bump_data_version()")
    op.execute("DROP TABLE IF EXISTS data_version")
