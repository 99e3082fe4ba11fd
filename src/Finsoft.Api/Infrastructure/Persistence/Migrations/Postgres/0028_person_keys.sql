-- Erasure by crypto-shredding (issue 14, ADR 0013). Each person's personal fields are sealed under a key of their own
-- (`data_key`, wrapped by the Data Protection key ring); destroying it, at erasure or when a legal hold ends
-- (`shred_after`), leaves every copy unreadable. Look-ups use keyed hashes: `email_hash` for sign-in and `name_index`
-- (a hash per name word) for the admin search. A screening records whose key seals the name it screened.
ALTER TABLE users ADD COLUMN data_key TEXT NULL;
ALTER TABLE users ADD COLUMN email_hash TEXT NULL;
ALTER TABLE users ADD COLUMN name_index TEXT NULL;
ALTER TABLE users ADD COLUMN erased_at timestamptz NULL;
ALTER TABLE users ADD COLUMN shred_after timestamptz NULL;
CREATE UNIQUE INDEX ux_users_email_hash ON users(email_hash);
CREATE INDEX ix_users_shred_after ON users(shred_after) WHERE data_key IS NOT NULL AND shred_after IS NOT NULL;
ALTER TABLE screenings ADD COLUMN owner_id uuid NULL REFERENCES users(id);
ALTER TABLE gdpr_requests ADD COLUMN legal_holds TEXT NULL;
