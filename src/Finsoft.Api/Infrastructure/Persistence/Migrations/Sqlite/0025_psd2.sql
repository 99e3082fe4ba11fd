-- PSD2 account information for third-party providers (issue 14), after the Berlin Group NextGenPSD2 consent model. A TPP is
-- registered by an admin and signs in with its client id and secret (only a hash of the secret is kept). A consent names the
-- accounts and the kinds of access (account details, balances, transactions) a TPP asks for; it is bound to the customer who
-- authorises it, and lives until its valid_until day ends, the customer revokes it or the TPP ends it. Accesses without the
-- customer present are counted per consent, account and day (the "account" of an account-list call is the nil uuid).
CREATE TABLE psd2_tpps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    revoked_at TEXT NULL
);

CREATE TABLE psd2_consents (
    id TEXT PRIMARY KEY,
    tpp_id TEXT NOT NULL REFERENCES psd2_tpps(id),
    user_id TEXT NULL REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('received', 'valid', 'expired', 'revokedByPsu', 'terminatedByTpp')),
    access TEXT NOT NULL,
    recurring_indicator INTEGER NOT NULL,
    valid_until TEXT NOT NULL,
    frequency_per_day INTEGER NOT NULL CHECK (frequency_per_day BETWEEN 1 AND 4),
    tpp_redirect_uri TEXT NULL,
    created_at TEXT NOT NULL,
    authorised_at TEXT NULL,
    status_changed_at TEXT NOT NULL,
    last_action_at TEXT NULL
);
CREATE INDEX ix_psd2_consents_tpp ON psd2_consents(tpp_id, created_at);
CREATE INDEX ix_psd2_consents_user ON psd2_consents(user_id, created_at) WHERE user_id IS NOT NULL;
CREATE INDEX ix_psd2_consents_live ON psd2_consents(valid_until) WHERE status IN ('received', 'valid');

CREATE TABLE psd2_consent_usage (
    consent_id TEXT NOT NULL REFERENCES psd2_consents(id),
    account_id TEXT NOT NULL,
    day TEXT NOT NULL,
    calls INTEGER NOT NULL,
    PRIMARY KEY (consent_id, account_id, day)
);
