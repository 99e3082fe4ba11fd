-- Admins list every consent, the newest first (GET /psd2/consents, the console's privacy page): keyset pages on (created_at, id).
CREATE INDEX ix_psd2_consents_created ON psd2_consents(created_at, id);
