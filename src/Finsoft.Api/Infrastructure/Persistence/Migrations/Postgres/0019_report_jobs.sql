-- Report jobs and their schedules (issue 18). A job is claimed with a lease by one node; its file is kept until it expires.
-- A schedule's next occurrence is claimed by a conditional update, and the unique (schedule, occurrence) makes sure that,
-- however many nodes race for it, each occurrence runs once.
CREATE TABLE report_schedules (
    id uuid PRIMARY KEY,
    report TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('csv', 'xlsx', 'pdf')),
    parameters TEXT NOT NULL,
    cron TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    next_run_at timestamptz NULL,
    last_run_at timestamptz NULL,
    created_by uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE INDEX ix_report_schedules_due ON report_schedules(next_run_at) WHERE deleted_at IS NULL;

CREATE TABLE report_jobs (
    id uuid PRIMARY KEY,
    report TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('csv', 'xlsx', 'pdf')),
    parameters TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
    progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    content bytea NULL,
    content_type TEXT NULL,
    file_name TEXT NULL,
    size_bytes bigint NULL,
    failure_reason TEXT NULL,
    schedule_id uuid NULL REFERENCES report_schedules(id),
    occurrence timestamptz NULL,
    lease_until timestamptz NULL,
    created_by uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL,
    completed_at timestamptz NULL,
    expires_at timestamptz NULL
);
CREATE INDEX ix_report_jobs_waiting ON report_jobs(created_at) WHERE status IN ('queued', 'running');
CREATE INDEX ix_report_jobs_created ON report_jobs(created_at, id);
CREATE UNIQUE INDEX ix_report_jobs_occurrence ON report_jobs(schedule_id, occurrence) WHERE schedule_id IS NOT NULL;
