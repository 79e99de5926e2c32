"""photos as evidence of a site: the bytes once per content (photo, keyed by its sha256) and each site's photos
(site_photo) with the position they were taken at, kept for the review and never served, and their review state

Revision ID: 0016
Revises: 0015
"""
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE TABLE photo (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    media_type text NOT NULL CHECK (media_type IN ('image/jpeg', 'image/webp')),
    image bytea NOT NULL,
    thumbnail bytea NOT NULL,
    width integer NOT NULL CHECK (width > 0),
    height integer NOT NULL CHECK (height > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
-- The images are JPEG already: PostgreSQL's own compression would spend CPU to save nothing.
ALTER TABLE photo ALTER COLUMN image SET STORAGE EXTERNAL, ALTER COLUMN thumbnail SET STORAGE EXTERNAL;

CREATE TABLE site_photo (
    id serial PRIMARY KEY,
    site_id integer NOT NULL REFERENCES site (id) ON DELETE CASCADE,
    sha256 text NOT NULL REFERENCES photo (sha256),
    taken_at timestamp,
    taken_geom geometry(Point, 4326),
    distance_m double precision CHECK (distance_m >= 0),
    original_bytes integer NOT NULL CHECK (original_bytes > 0),
    uploaded_by integer REFERENCES app_user (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    moderation text NOT NULL CHECK (moderation IN ('pending', 'approved', 'rejected')),
    reviewed_by integer REFERENCES app_user (id),
    reviewed_at timestamptz,
    UNIQUE (site_id, sha256)
);
CREATE INDEX site_photo_site ON site_photo (site_id, id);
CREATE INDEX site_photo_sha256 ON site_photo (sha256);
CREATE INDEX site_photo_taken_geom_gist ON site_photo USING gist (taken_geom);

-- A site's public answer lists its approved photos: a change of them is a change of what the public sees.
CREATE TRIGGER site_photo_bumps_data_version
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON site_photo
FOR EACH STATEMENT EXECUTE FUNCTION scp_bump_data_version();
""")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS site_photo")
    op.execute("DROP TABLE IF EXISTS photo")
