-- Idempotency keys, claimed before a money-moving request runs and completed in its transaction;
-- and the simulated bank's own book of payouts.
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    claim_token TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    status_code INTEGER NULL,
    response_body TEXT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX ix_idempotency_keys_created ON idempotency_keys(created_at);

CREATE TABLE simulated_bank_payouts (
    reference TEXT PRIMARY KEY,
    clabe TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    settle_after TEXT NOT NULL,
    outcome TEXT NULL,
    created_at TEXT NOT NULL,
    settled_at TEXT NULL
);
CREATE INDEX ix_simulated_bank_payouts_due ON simulated_bank_payouts(settled_at, settle_after);
