-- Income and expense records (seed 002). A record may stand for a ledger transaction the user
-- categorised (transaction_id), so its own transfers and withdrawals show in its dashboard.
CREATE TABLE records (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id),
    amount bigint NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('income', 'expense')),
    category TEXT NOT NULL,
    date date NOT NULL,
    notes TEXT NULL,
    transaction_id uuid NULL REFERENCES transactions(id),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz NULL
);
-- Dashboards sum one user's live records of one currency over a date range: this index answers them alone.
CREATE INDEX ix_records_user_currency_date ON records(user_id, currency, date) INCLUDE (type, amount, category) WHERE deleted_at IS NULL;
CREATE INDEX ix_records_user_date ON records(user_id, date, id);
CREATE INDEX ix_records_date ON records(date, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX ux_records_transaction ON records(user_id, transaction_id) WHERE transaction_id IS NOT NULL;
