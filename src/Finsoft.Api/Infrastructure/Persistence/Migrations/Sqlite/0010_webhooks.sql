-- Outgoing webhooks: where customers and admins want events sent, and every delivery and attempt.
-- Signing secrets are stored encrypted (Data Protection); during a rotation the previous one signs too
-- until previous_secret_until.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    url TEXT NOT NULL,
    description TEXT NULL,
    events TEXT NOT NULL,
    from_position INTEGER NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT NULL,
    previous_secret_until TEXT NULL,
    failing_since TEXT NULL,
    disabled_at TEXT NULL,
    disabled_reason TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT NULL
);
CREATE INDEX ix_webhook_endpoints_user ON webhook_endpoints(user_id, created_at) WHERE deleted_at IS NULL;

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
    event_position INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NULL,
    last_status_code INTEGER NULL,
    last_error TEXT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT NULL,
    UNIQUE (endpoint_id, event_position)
);
CREATE INDEX ix_webhook_deliveries_pending ON webhook_deliveries(endpoint_id, event_position) WHERE status = 'pending';
CREATE INDEX ix_webhook_deliveries_listed ON webhook_deliveries(endpoint_id, created_at, id);

CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id),
    attempted_at TEXT NOT NULL,
    status_code INTEGER NULL,
    error TEXT NULL,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX ix_webhook_attempts_delivery ON webhook_attempts(delivery_id, attempted_at);
