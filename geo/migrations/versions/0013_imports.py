"""site_import: the preview of a bulk import kept server-side, so that the confirm writes what the preview showed
and is taken once (state moves from 'previewed' to 'confirmed' in the confirm's own transaction)

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_import",
        sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("filename", sa.Text, nullable=False),
        # The rows as the preview showed them (record, problems, warnings) and the file's cells, to map a column
        # by hand or swap coordinates without sending the file again.
        sa.Column("rows", JSONB, nullable=False),
        sa.Column("cells", JSONB, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="previewed"),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("state IN ('previewed', 'confirmed')", name="site_import_state"),
    )
    op.create_index("site_import_owner", "site_import", ["owner_id", "created_at"])


def downgrade() -> None:
    op.drop_table("site_import")
