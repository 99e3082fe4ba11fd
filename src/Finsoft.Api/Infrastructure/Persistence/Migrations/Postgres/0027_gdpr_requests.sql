-- GDPR data-subject requests (issue 14): access, portability, erasure and rectification, each due a month after it is
-- received. Access and portability are answered by a worker (claimed with a lease, as report jobs are) with a JSON export
-- kept encrypted until it expires; erasure and rectification wait for an admin. One open request of a kind per person.
CREATE TABLE gdpr_requests (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id),
    requested_by uuid NOT NULL REFERENCES users(id),
    type TEXT NOT NULL CHECK (type IN ('access', 'portability', 'erasure', 'rectification')),
    details TEXT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'processing', 'completed', 'rejected')),
    reason TEXT NULL,
    decided_by uuid NULL REFERENCES users(id),
    due_at timestamptz NOT NULL,
    lease_until timestamptz NULL,
    export bytea NULL,
    export_bytes bigint NULL,
    export_expires_at timestamptz NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    completed_at timestamptz NULL
);
CREATE INDEX ix_gdpr_requests_user ON gdpr_requests(user_id, created_at);
CREATE INDEX ix_gdpr_requests_created ON gdpr_requests(created_at, id);
CREATE INDEX ix_gdpr_requests_open ON gdpr_requests(created_at) WHERE status IN ('received', 'processing');
CREATE UNIQUE INDEX ux_gdpr_requests_open_kind ON gdpr_requests(user_id, type) WHERE status IN ('received', 'processing');
