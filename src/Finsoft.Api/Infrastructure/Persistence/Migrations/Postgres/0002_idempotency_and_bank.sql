-- Idempotency keys, claimed before a money-moving request runs and completed in its transaction;
-- and the simulated bank's own book of payouts.
CREATE TABLE idempotency_keys (
    user_id uuid NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    claim_token uuid NOT NULL,
    claimed_at timestamptz NOT NULL,
    status_code integer NULL,
    response_body TEXT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX ix_idempotency_keys_created ON idempotency_keys(created_at);

CREATE TABLE simulated_bank_payouts (
    reference uuid PRIMARY KEY,
    clabe TEXT NOT NULL,
    amount bigint NOT NULL,
    currency TEXT NOT NULL,
    settle_after timestamptz NOT NULL,
    outcome TEXT NULL,
    created_at timestamptz NOT NULL,
    settled_at timestamptz NULL
);
CREATE INDEX ix_simulated_bank_payouts_due ON simulated_bank_payouts(settled_at, settle_after);
