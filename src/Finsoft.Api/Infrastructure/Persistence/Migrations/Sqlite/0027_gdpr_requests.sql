-- GDPR data-subject requests (issue 14): access, portability, erasure and rectification, each due a month after it is
-- received. Access and portability are answered by a worker (claimed with a lease, as report jobs are) with a JSON export
-- kept encrypted until it expires; erasure and rectification wait for an admin. One open request of a kind per person.
CREATE TABLE gdpr_requests (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    requested_by TEXT NOT NULL REFERENCES users(id),
    type TEXT NOT NULL CHECK (type IN ('access', 'portability', 'erasure', 'rectification')),
    details TEXT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'processing', 'completed', 'rejected')),
    reason TEXT NULL,
    decided_by TEXT NULL REFERENCES users(id),
    due_at TEXT NOT NULL,
    lease_until TEXT NULL,
    export BLOB NULL,
    export_bytes INTEGER NULL,
    export_expires_at TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    completed_at TEXT NULL
);
CREATE INDEX ix_gdpr_requests_user ON gdpr_requests(user_id, created_at);
CREATE INDEX ix_gdpr_requests_created ON gdpr_requests(created_at, id);
CREATE INDEX ix_gdpr_requests_open ON gdpr_requests(created_at) WHERE status IN ('received', 'processing');
CREATE UNIQUE INDEX ux_gdpr_requests_open_kind ON gdpr_requests(user_id, type) WHERE status IN ('received', 'processing');
