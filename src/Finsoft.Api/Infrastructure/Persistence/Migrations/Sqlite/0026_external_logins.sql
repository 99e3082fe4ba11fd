-- Sign-in through external OpenID Connect providers (issue 14): a provider's subject, once linked, signs in as one local
-- user. A user links a provider at most once; the subject is the provider's stable id for the person, never its email.
CREATE TABLE external_logins (
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    last_used_at TEXT NULL,
    PRIMARY KEY (provider, subject),
    UNIQUE (user_id, provider)
);
