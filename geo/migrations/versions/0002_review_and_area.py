"""review of changes and the district staff's area, enforced by the database

A change by district staff to an approved site waits in site.pending (the approved version stays public)
until a planner approves it. When a write runs for district staff, the transaction sets scp.actor_unit
and scp.actor_role; a trigger then refuses (SQLSTATE SC010) a site outside that unit, before or after
the change, and a pending location outside it; and SC011 when district staff approve their own work.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("site", sa.Column("pending", postgresql.JSONB(), nullable=True))
    op.add_column("site", sa.Column("pending_by", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True))
    op.add_column("site", sa.Column("pending_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("site_review_queue", "site", ["moderation"], postgresql_where=sa.text("deleted_at IS NULL"))
    # The unit of a level that holds a point: the one covering it, else the nearest within 2 km (piers,
    # coastal sites against the approximate coastline), else NULL.
    op.execute("""
CREATE FUNCTION scp_unit_at(unit_level text, point geometry) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT code FROM admin_unit WHERE level = unit_level AND ST_Covers(geom, point) ORDER BY code LIMIT 1),
        (SELECT code FROM admin_unit WHERE level = unit_level
            AND ST_DWithin(geom::geography, point::geography, 2000)
          ORDER BY ST_Distance(geom::geography, point::geography), code LIMIT 1))
$$;
""")
    op.execute("""
CREATE FUNCTION site_enforce_area() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor_unit text := nullif(current_setting('scp.actor_unit', true), '');
    actor_role text := nullif(current_setting('scp.actor_role', true), '');
    pending_point geometry;
BEGIN
    IF actor_role = 'district_staff' AND NEW.moderation = 'approved'
       AND (TG_OP = 'INSERT' OR OLD.moderation IS DISTINCT FROM 'approved') THEN
        RAISE EXCEPTION 'site_self_approval' USING ERRCODE = 'SC011';
    END IF;
    IF actor_unit IS NULL THEN
        RETURN NEW;
    END IF;
    IF actor_unit NOT IN (coalesce(NEW.district_code, ''), coalesce(NEW.commune_code, '')) THEN
        RAISE EXCEPTION 'site_outside_actor_unit' USING ERRCODE = 'SC010', DETAIL = actor_unit;
    END IF;
    IF TG_OP = 'UPDATE' AND actor_unit NOT IN (coalesce(OLD.district_code, ''), coalesce(OLD.commune_code, '')) THEN
        RAISE EXCEPTION 'site_outside_actor_unit' USING ERRCODE = 'SC010', DETAIL = actor_unit;
    END IF;
    IF NEW.pending IS NOT NULL AND NEW.pending ? 'lon' THEN
        pending_point := ST_SetSRID(ST_MakePoint((NEW.pending->>'lon')::float8, (NEW.pending->>'lat')::float8), 4326);
        IF actor_unit NOT IN (coalesce(scp_unit_at('district', pending_point), ''),
                              coalesce(scp_unit_at('commune', pending_point), '')) THEN
            RAISE EXCEPTION 'site_outside_actor_unit' USING ERRCODE = 'SC010', DETAIL = actor_unit;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
""")
    # Trigger names fire in alphabetical order: site_derive_units sets the units, then this checks them.
    op.execute("""
CREATE TRIGGER site_enforce_area BEFORE INSERT OR UPDATE ON site
FOR EACH ROW EXECUTE FUNCTION site_enforce_area();
""")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS site_enforce_area ON site")
    op.execute("DROP FUNCTION IF EXISTS site_enforce_area()")
    op.execute("DROP FUNCTION IF EXISTS scp_unit_at(text, geometry)")
    op.drop_index("site_review_queue", table_name="site")
    op.drop_column("site", "pending_at")
    op.drop_column("site", "pending_by")
    op.drop_column("site", "pending")
