"""one definition of which unit holds a point: site_derive_units calls scp_unit_at (from 0002)

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Same behaviour as 0001's trigger function, but the 2 km coastal tolerance now lives in one place.
    op.execute("""
CREATE OR REPLACE FUNCTION site_derive_units() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.geom IS NULL THEN
        RAISE EXCEPTION 'site_location_missing' USING ERRCODE = 'SC002';
    END IF;
    IF ST_SRID(NEW.geom) <> 4326 THEN
        RAISE EXCEPTION 'site_location_srid' USING ERRCODE = 'SC003', DETAIL = ST_SRID(NEW.geom)::text;
    END IF;
    NEW.district_code := scp_unit_at('district', NEW.geom);
    IF NEW.district_code IS NULL THEN
        RAISE EXCEPTION 'site_outside_province' USING ERRCODE = 'SC001',
            DETAIL = format('%s %s', ST_X(NEW.geom), ST_Y(NEW.geom));
    END IF;
    NEW.commune_code := scp_unit_at('commune', NEW.geom);
    RETURN NEW;
END
$$;
""")


def downgrade() -> None:
    # 0002's downgrade drops scp_unit_at, so the trigger must stop calling it first: inline it again.
    op.execute("""
CREATE OR REPLACE FUNCTION site_derive_units() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unit_level text;
    unit_code text;
BEGIN
    IF NEW.geom IS NULL THEN
        RAISE EXCEPTION 'site_location_missing' USING ERRCODE = 'SC002';
    END IF;
    FOREACH unit_level IN ARRAY ARRAY['district', 'commune'] LOOP
        SELECT coalesce(
            (SELECT code FROM admin_unit WHERE level = unit_level AND ST_Covers(geom, NEW.geom) ORDER BY code LIMIT 1),
            (SELECT code FROM admin_unit WHERE level = unit_level
                AND ST_DWithin(geom::geography, NEW.geom::geography, 2000)
              ORDER BY ST_Distance(geom::geography, NEW.geom::geography), code LIMIT 1)) INTO unit_code;
        IF unit_level = 'district' AND unit_code IS NULL THEN
            RAISE EXCEPTION 'site_outside_province' USING ERRCODE = 'SC001',
                DETAIL = format('%s %s', ST_X(NEW.geom), ST_Y(NEW.geom));
        END IF;
        IF unit_level = 'district' THEN NEW.district_code := unit_code; ELSE NEW.commune_code := unit_code; END IF;
    END LOOP;
    RETURN NEW;
END
$$;
""")
