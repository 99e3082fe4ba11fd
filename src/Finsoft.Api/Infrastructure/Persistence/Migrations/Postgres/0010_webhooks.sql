-- Outgoing webhooks: where customers and admins want events sent, and every delivery and attempt.
-- Signing secrets are stored encrypted (Data Protection); during a rotation the previous one signs too
-- until previous_secret_until.
CREATE TABLE webhook_endpoints (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id),
    url TEXT NOT NULL,
    description TEXT NULL,
    events TEXT NOT NULL,
    from_position bigint NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT NULL,
    previous_secret_until timestamptz NULL,
    failing_since timestamptz NULL,
    disabled_at timestamptz NULL,
    disabled_reason TEXT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
CREATE INDEX ix_webhook_endpoints_user ON webhook_endpoints(user_id, created_at) WHERE deleted_at IS NULL;

CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY,
    endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id),
    event_position bigint NOT NULL,
    event_type TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NULL,
    last_status_code integer NULL,
    last_error TEXT NULL,
    created_at timestamptz NOT NULL,
    delivered_at timestamptz NULL,
    UNIQUE (endpoint_id, event_position)
);
CREATE INDEX ix_webhook_deliveries_pending ON webhook_deliveries(endpoint_id, event_position) WHERE status = 'pending';
CREATE INDEX ix_webhook_deliveries_listed ON webhook_deliveries(endpoint_id, created_at, id);

CREATE TABLE webhook_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id),
    attempted_at timestamptz NOT NULL,
    status_code integer NULL,
    error TEXT NULL,
    duration_ms integer NOT NULL
);
CREATE INDEX ix_webhook_attempts_delivery ON webhook_attempts(delivery_id, attempted_at);
