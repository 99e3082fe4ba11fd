-- Pay-ins through payment providers and their refunds. The money is in the ledger (PAYMENT and REFUND
-- transactions; a refund's reversal_of_id is its payment); this table keeps what the ledger does not:
-- the method (and what may be shown of it, which never changes), the provider and its reference,
-- and the status a customer reads.
ALTER TABLE transactions ADD COLUMN fee_amount bigint NULL CHECK (fee_amount >= 0);
CREATE INDEX ix_transactions_reversal_of ON transactions(reversal_of_id) WHERE reversal_of_id IS NOT NULL;

CREATE TABLE payments (
    id uuid PRIMARY KEY REFERENCES transactions(id),
    user_id uuid NOT NULL REFERENCES users(id),
    account_id uuid NOT NULL REFERENCES accounts(id),
    payment_method_id uuid NOT NULL REFERENCES payment_methods(id),
    method_type TEXT NOT NULL,
    method_brand TEXT NULL,
    method_last4 TEXT NOT NULL,
    provider TEXT NOT NULL,
    provider_reference TEXT NULL,
    amount bigint NOT NULL CHECK (amount > 0),
    fee bigint NOT NULL CHECK (fee >= 0 AND fee < amount),
    amount_refunded bigint NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0 AND amount_refunded <= amount),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('processing', 'succeeded', 'failed', 'partially_refunded', 'refunded')),
    failure_reason TEXT NULL,
    description TEXT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX ix_payments_user ON payments(user_id, created_at, id);
CREATE INDEX ix_payments_created ON payments(created_at, id);

-- Provider events already applied, so a resent one changes nothing.
CREATE TABLE provider_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (provider, event_id)
);

-- The simulated providers' own books (a real provider keeps these on its side): the charges and
-- refunds asked of them, each once per reference, and the signed events they still have to deliver.
CREATE TABLE simulated_provider_charges (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    reference uuid NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('charge', 'refund')),
    amount bigint NOT NULL,
    currency TEXT NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (provider, reference)
);
CREATE TABLE simulated_provider_events (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    payload TEXT NOT NULL,
    due_at timestamptz NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    delivered_at timestamptz NULL
);
CREATE INDEX ix_simulated_provider_events_due ON simulated_provider_events(due_at) WHERE delivered_at IS NULL;
