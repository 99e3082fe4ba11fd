-- Pay-ins through payment providers and their refunds. The money is in the ledger (PAYMENT and REFUND
-- transactions; a refund's reversal_of_id is its payment); this table keeps what the ledger does not:
-- the method (and what may be shown of it, which never changes), the provider and its reference,
-- and the status a customer reads.
ALTER TABLE transactions ADD COLUMN fee_amount INTEGER NULL CHECK (fee_amount >= 0);
CREATE INDEX ix_transactions_reversal_of ON transactions(reversal_of_id) WHERE reversal_of_id IS NOT NULL;

CREATE TABLE payments (
    id TEXT PRIMARY KEY REFERENCES transactions(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    payment_method_id TEXT NOT NULL REFERENCES payment_methods(id),
    method_type TEXT NOT NULL,
    method_brand TEXT NULL,
    method_last4 TEXT NOT NULL,
    provider TEXT NOT NULL,
    provider_reference TEXT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    fee INTEGER NOT NULL CHECK (fee >= 0 AND fee < amount),
    amount_refunded INTEGER NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0 AND amount_refunded <= amount),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('processing', 'succeeded', 'failed', 'partially_refunded', 'refunded')),
    failure_reason TEXT NULL,
    description TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_payments_user ON payments(user_id, created_at, id);
CREATE INDEX ix_payments_created ON payments(created_at, id);

-- Provider events already applied, so a resent one changes nothing.
CREATE TABLE provider_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

-- The simulated providers' own books (a real provider keeps these on its side): the charges and
-- refunds asked of them, each once per reference, and the signed events they still have to deliver.
CREATE TABLE simulated_provider_charges (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    reference TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('charge', 'refund')),
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (provider, reference)
);
CREATE TABLE simulated_provider_events (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    payload TEXT NOT NULL,
    due_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    delivered_at TEXT NULL
);
CREATE INDEX ix_simulated_provider_events_due ON simulated_provider_events(due_at) WHERE delivered_at IS NULL;
