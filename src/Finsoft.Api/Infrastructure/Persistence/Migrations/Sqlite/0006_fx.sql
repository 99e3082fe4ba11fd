-- Exchange rates recorded by admins, short-lived quotes, and the second currency of a cross-currency
-- transfer on its transaction. Rates are exact decimal text (never floats).
CREATE TABLE fx_rates (
    id TEXT PRIMARY KEY,
    base TEXT NOT NULL,
    quote TEXT NOT NULL,
    rate TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    CHECK (base <> quote)
);
CREATE INDEX ix_fx_rates_pair ON fx_rates(base, quote, effective_at);

CREATE TABLE fx_quotes (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    from_currency TEXT NOT NULL,
    to_currency TEXT NOT NULL,
    rate TEXT NOT NULL,
    from_amount INTEGER NOT NULL CHECK (from_amount > 0),
    to_amount INTEGER NOT NULL CHECK (to_amount > 0),
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT NULL
);

ALTER TABLE transactions ADD COLUMN counter_amount INTEGER NULL CHECK (counter_amount > 0);
ALTER TABLE transactions ADD COLUMN counter_currency TEXT NULL;
ALTER TABLE transactions ADD COLUMN fx_rate TEXT NULL;
ALTER TABLE transactions ADD COLUMN fx_quote_id TEXT NULL REFERENCES fx_quotes(id);
-- A quote pays out once, whatever the application does.
CREATE UNIQUE INDEX ux_transactions_fx_quote ON transactions(fx_quote_id) WHERE fx_quote_id IS NOT NULL;
