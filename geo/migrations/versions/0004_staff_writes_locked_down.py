"""district staff writes locked down further by the database

0002's trigger checked the area only when the transaction named one; a district staff member without an area
would have passed. Now: an account of district staff must have an area (check on app_user); a district staff
transaction without an area is refused (SC010); district staff cannot change the published fields of an
approved site (their change goes to site.pending for review, SC012); and cannot write a deleted site, so only
planners restore (SC013).

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# What district staff may change on an approved site: the change waiting for review and the bookkeeping of a
# write; and deleted_at, since deletion is soft and a planner can undo it.
_STAFF_MAY_CHANGE = "ARRAY['pending', 'pending_by', 'pending_at', 'version', 'updated_by', 'updated_at', " \
                    "'review_note', 'deleted_at', 'district_code', 'commune_code']"

# 0002's body of site_enforce_area after its declarations; {extra} marks where 0004 adds its checks.
_BODY = """
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
    END IF;{extra}
    RETURN NEW;
END
$$;
"""

_HEAD = """
CREATE OR REPLACE FUNCTION site_enforce_area() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor_unit text := nullif(current_setting('scp.actor_unit', true), '');
    actor_role text := nullif(current_setting('scp.actor_role', true), '');
    pending_point geometry;
BEGIN"""

# The area comes first (the clearest refusal); then what district staff may do inside it.
_NO_AREA = """
    IF actor_role = 'district_staff' AND actor_unit IS NULL THEN
        RAISE EXCEPTION 'site_outside_actor_unit' USING ERRCODE = 'SC010', DETAIL = '';
    END IF;"""
_STAFF_LIMITS = """
    IF actor_role = 'district_staff' AND TG_OP = 'UPDATE' THEN
        IF OLD.deleted_at IS NOT NULL THEN
            RAISE EXCEPTION 'site_deleted_planners_restore' USING ERRCODE = 'SC013';
        END IF;
        IF OLD.moderation = 'approved'
           AND to_jsonb(NEW) - {keep} IS DISTINCT FROM to_jsonb(OLD) - {keep} THEN
            RAISE EXCEPTION 'site_published_change_needs_review' USING ERRCODE = 'SC012';
        END IF;
    END IF;""".replace("{keep}", _STAFF_MAY_CHANGE)


def upgrade() -> None:
    op.create_check_constraint("app_user_district_staff_has_unit", "app_user",
                               "role <> 'district_staff' OR unit_code IS NOT NULL")
    op.execute(_HEAD + _NO_AREA + _BODY.replace("{extra}", _STAFF_LIMITS))


def downgrade() -> None:
    op.execute(_HEAD + _BODY.replace("{extra}", ""))
    op.drop_constraint("app_user_district_staff_has_unit", "app_user", type_="check")
