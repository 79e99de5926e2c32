"""agency accounts and the agencies' yearly task reports, with their history

Revision ID: 0014
Revises: 0013
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
ALTER TABLE app_user ADD COLUMN agency_code text;
ALTER TABLE app_user DROP CONSTRAINT app_user_role;
ALTER TABLE app_user ADD CONSTRAINT app_user_role CHECK (role IN ('admin', 'planner', 'district_staff', 'agency'));
ALTER TABLE app_user ADD CONSTRAINT app_user_agency CHECK ((role = 'agency') = (agency_code IS NOT NULL));

CREATE TABLE task_report (
    id serial PRIMARY KEY,
    year integer NOT NULL CHECK (year BETWEEN 2021 AND 2030),
    task_code varchar(8) NOT NULL REFERENCES plan_task (code),
    agency_code text NOT NULL,
    work_status text NOT NULL DEFAULT 'not_started' CHECK (work_status IN ('not_started', 'ongoing', 'done')),
    state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'submitted', 'accepted', 'returned')),
    done_text text NOT NULL DEFAULT '',
    figures jsonb NOT NULL DEFAULT '{}',
    budget jsonb NOT NULL DEFAULT '{}',
    difficulties text NOT NULL DEFAULT '',
    proposals text NOT NULL DEFAULT '',
    return_reason text,
    version integer NOT NULL DEFAULT 1,
    updated_by integer REFERENCES app_user (id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    submitted_at timestamptz,
    reviewed_by integer REFERENCES app_user (id),
    reviewed_at timestamptz,
    UNIQUE (year, task_code, agency_code)
);
CREATE INDEX task_report_year_agency ON task_report (year, agency_code);

CREATE TABLE task_report_history (
    id serial PRIMARY KEY,
    report_id integer NOT NULL REFERENCES task_report (id) ON DELETE CASCADE,
    version integer NOT NULL,
    action text NOT NULL CHECK (action IN ('save', 'submit', 'accept', 'return')),
    state text NOT NULL,
    reason text,
    record jsonb NOT NULL,
    changed_by integer REFERENCES app_user (id),
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_report_history_report ON task_report_history (report_id, version);

-- The yearly report is also kept as a Word document.
ALTER TABLE report_cache DROP CONSTRAINT report_cache_kind_check;
ALTER TABLE report_cache ADD CONSTRAINT report_cache_kind_check CHECK (kind IN ('html', 'xlsx', 'docx'));

-- The yearly report reads the task reports, so its cached files must go stale when one changes.
CREATE TRIGGER task_report_bumps_data_version
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON task_report
FOR EACH STATEMENT EXECUTE FUNCTION scp_bump_data_version();
""")


def downgrade() -> None:
    op.execute("""
DELETE FROM report_cache WHERE kind = 'docx';
ALTER TABLE report_cache DROP CONSTRAINT report_cache_kind_check;
ALTER TABLE report_cache ADD CONSTRAINT report_cache_kind_check CHECK (kind IN ('html', 'xlsx'));
DROP TABLE IF EXISTS task_report_history;
DROP TABLE IF EXISTS task_report;
DELETE FROM app_user WHERE role = 'agency';
ALTER TABLE app_user DROP CONSTRAINT IF EXISTS app_user_agency;
ALTER TABLE app_user DROP CONSTRAINT app_user_role;
ALTER TABLE app_user ADD CONSTRAINT app_user_role CHECK (role IN ('admin', 'planner', 'district_staff'));
ALTER TABLE app_user DROP COLUMN agency_code;
""")
