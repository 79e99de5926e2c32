"""sessions that end everywhere, tokens that expire, sign-in failures counted across workers

- app_user.session_generation: stored in a session at sign-in and checked on every request; sign-out and a
  password change raise it, so every session of that user (a copied cookie too) ends.
- api_token.expires_at: a token is refused after it (tokens made before this migration get 90 days from now).
- sign_in_failure: one row per failed sign-in, counted in a window by every worker alike (Flask-Limiter's
  memory:// counted per worker process).

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("app_user", sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("api_token", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE api_token SET expires_at = now() + interval '90 days' WHERE expires_at IS NULL")
    op.alter_column("api_token", "expires_at", nullable=False,
                    server_default=sa.text("now() + interval '90 days'"))
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("sign_in_failure_key_time", "sign_in_failure", ["key", "failed_at"])


def downgrade() -> None:
    op.drop_index("sign_in_failure_key_time", table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
    op.drop_column("api_token", "expires_at")
    op.drop_column("app_user", "session_generation")
