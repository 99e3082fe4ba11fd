-- Users, sessions, accounts, destinations, transactions and the hash-chained journal.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('customer', 'viewer', 'analyst', 'admin')),
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    refresh_token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT NULL
);
CREATE INDEX ix_sessions_user ON sessions(user_id);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    user_id TEXT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('wallet', 'system')),
    system_code TEXT NULL,
    clabe TEXT NULL UNIQUE,
    currency TEXT NOT NULL,
    normal_side TEXT NOT NULL CHECK (normal_side IN ('debit', 'credit')),
    balance INTEGER NOT NULL DEFAULT 0,
    held INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT NULL,
    -- The database itself refuses a wallet below zero or holding more than it has.
    CHECK (kind <> 'wallet' OR (held >= 0 AND balance >= held))
);
CREATE INDEX ix_accounts_user ON accounts(user_id, created_at);
CREATE UNIQUE INDEX ux_accounts_system ON accounts(system_code, currency) WHERE system_code IS NOT NULL;

CREATE TABLE destination_accounts (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    account_number TEXT NOT NULL,
    bank_code TEXT NOT NULL,
    bank_name TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    holder_full_name TEXT NOT NULL,
    verification_status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT NULL
);
CREATE UNIQUE INDEX ux_destination_accounts_number ON destination_accounts(user_id, account_number) WHERE deleted_at IS NULL;

CREATE TABLE transactions (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    origin_account_id TEXT NULL REFERENCES accounts(id),
    destination_account_id TEXT NULL REFERENCES accounts(id),
    external_destination_id TEXT NULL REFERENCES destination_accounts(id),
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    description TEXT NULL,
    initiated_by TEXT NOT NULL,
    reversal_of_id TEXT NULL REFERENCES transactions(id),
    reversed_by_id TEXT NULL REFERENCES transactions(id),
    failure_reason TEXT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_transactions_origin ON transactions(origin_account_id, created_at);
CREATE INDEX ix_transactions_destination ON transactions(destination_account_id, created_at);
CREATE INDEX ix_transactions_status ON transactions(status, type);

CREATE TABLE journal_entries (
    id TEXT PRIMARY KEY,
    sequence INTEGER NOT NULL UNIQUE,
    transaction_id TEXT NOT NULL REFERENCES transactions(id),
    created_at TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX ix_journal_entries_transaction ON journal_entries(transaction_id);

CREATE TABLE postings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id TEXT NOT NULL REFERENCES journal_entries(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    amount INTEGER NOT NULL CHECK (amount <> 0),
    currency TEXT NOT NULL
);
CREATE INDEX ix_postings_entry ON postings(entry_id);
CREATE INDEX ix_postings_account ON postings(account_id);

CREATE TABLE ledger_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    sequence INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO ledger_head (id, sequence, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
