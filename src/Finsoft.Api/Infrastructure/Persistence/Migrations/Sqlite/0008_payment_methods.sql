-- Customers' cards and bank accounts, kept as a provider's token and what may be shown (brand, last
-- four digits, expiry): the number and the CVC never reach this database.
CREATE TABLE payment_methods (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    type TEXT NOT NULL CHECK (type IN ('card', 'bank_account')),
    provider TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    brand TEXT NULL,
    last4 TEXT NOT NULL CHECK (length(last4) = 4),
    exp_month INTEGER NULL CHECK (exp_month BETWEEN 1 AND 12),
    exp_year INTEGER NULL,
    holder_name TEXT NOT NULL,
    bank_name TEXT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT NULL
);
CREATE INDEX ix_payment_methods_user ON payment_methods(user_id, created_at) WHERE deleted_at IS NULL;

-- The simulated providers' own vault (a real provider keeps this on its side).
CREATE TABLE simulated_provider_vault (
    token TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    last4 TEXT NOT NULL,
    declines INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
