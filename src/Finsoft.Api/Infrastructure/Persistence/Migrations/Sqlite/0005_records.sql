-- Income and expense records (seed 002). A record may stand for a ledger transaction the user
-- categorised (transaction_id), so its own transfers and withdrawals show in its dashboard.
CREATE TABLE records (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('income', 'expense')),
    category TEXT NOT NULL,
    date TEXT NOT NULL,
    notes TEXT NULL,
    transaction_id TEXT NULL REFERENCES transactions(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT NULL
);
CREATE INDEX ix_records_user_currency_date ON records(user_id, currency, date, type, amount, category) WHERE deleted_at IS NULL;
CREATE INDEX ix_records_user_date ON records(user_id, date, id);
CREATE INDEX ix_records_date ON records(date, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX ux_records_transaction ON records(user_id, transaction_id) WHERE transaction_id IS NOT NULL;
