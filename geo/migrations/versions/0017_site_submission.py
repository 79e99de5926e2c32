"""each new-site form sent once: the form's own key (made in the browser when the form opens) with the site it
made, so that the same form sent again (its answer lost on the way back to a phone, a double tap) makes no second
site

Revision ID: 0017
Revises: 0016
"""
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE TABLE site_submission (
    user_id integer NOT NULL REFERENCES app_user (id),
    submission uuid NOT NULL,
    -- Set in the same transaction as the key's row, once the site is made; a key whose transaction failed is gone.
    site_id integer REFERENCES site (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, submission)
);
CREATE INDEX site_submission_site ON site_submission (site_id);
""")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS site_submission")
