-- Access control and account security: soft-deleted users, lockout counters, TOTP, token-family
-- reuse detection, profiles, joint holders, the audit trail, and encrypted sensitive fields.
ALTER TABLE users ADD COLUMN deleted_at TEXT NULL;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN failure_window_start TEXT NULL;
ALTER TABLE users ADD COLUMN locked_until TEXT NULL;
-- TOTP secrets are encrypted; mfa_last_step is the time step of the last code accepted, so no code works twice.
ALTER TABLE users ADD COLUMN mfa_secret TEXT NULL;
ALTER TABLE users ADD COLUMN mfa_pending_secret TEXT NULL;
ALTER TABLE users ADD COLUMN mfa_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN mfa_last_step INTEGER NULL;
CREATE INDEX ix_users_active_admins ON users(role) WHERE is_active AND deleted_at IS NULL;

-- A session is a token family: every refresh token a login begat. A used token's hash stays here,
-- so presenting it again is recognised as reuse and ends the family.
CREATE TABLE used_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    used_at TEXT NOT NULL
);
CREATE INDEX ix_used_refresh_tokens_session ON used_refresh_tokens(session_id);

CREATE TABLE mfa_recovery_codes (
    user_id TEXT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT NULL,
    PRIMARY KEY (user_id, code_hash)
);

-- CUIT and phone are ciphertext; cuit_hash is a keyed hash for the uniqueness check.
CREATE TABLE user_profiles (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    cuit TEXT NULL,
    cuit_hash TEXT NULL UNIQUE,
    phone TEXT NULL,
    company TEXT NULL,
    updated_at TEXT NOT NULL
);

-- Joint holders: a user an admin has given the use of someone else's account.
CREATE TABLE account_grants (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    granted_by TEXT NOT NULL REFERENCES users(id),
    granted_at TEXT NOT NULL,
    PRIMARY KEY (account_id, user_id)
);
CREATE INDEX ix_account_grants_user ON account_grants(user_id);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    event TEXT NOT NULL,
    actor_id TEXT NULL,
    subject_id TEXT NULL,
    client_address TEXT NULL,
    request_id TEXT NULL,
    details TEXT NULL
);
CREATE INDEX ix_audit_events_created ON audit_events(created_at, id);
CREATE INDEX ix_audit_events_actor ON audit_events(actor_id, created_at);
CREATE INDEX ix_audit_events_subject ON audit_events(subject_id, created_at);
-- Append-only, enforced by the database: no code path (or stray SQL) rewrites history.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

-- ASP.NET Core Data Protection's key ring, shared by every node, and secrets derived from it
-- (stored protected by that ring).
CREATE TABLE data_protection_keys (
    name TEXT PRIMARY KEY,
    xml TEXT NOT NULL
);
CREATE TABLE protected_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Destination account numbers become ciphertext (re-written at start-up); duplicates are found by keyed hash.
ALTER TABLE destination_accounts ADD COLUMN account_number_hash TEXT NULL;
DROP INDEX ux_destination_accounts_number;
CREATE UNIQUE INDEX ux_destination_accounts_number_hash ON destination_accounts(user_id, account_number_hash) WHERE deleted_at IS NULL;
