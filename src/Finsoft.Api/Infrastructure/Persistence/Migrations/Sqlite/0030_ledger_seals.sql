-- The ledger head, each checkpoint, each archived month and each verification's progress carry an HMAC under a key kept
-- outside the database (LedgerSeal). The runner then seals what exists, with the configured key, in this migration's own
-- transaction (LedgerSealsStep): once, when the columns appear, so nothing written later without the key is ever sealed
-- by a restart.
ALTER TABLE ledger_head ADD COLUMN seal TEXT;
ALTER TABLE ledger_checkpoints ADD COLUMN seal TEXT;
ALTER TABLE ledger_archives ADD COLUMN seal TEXT;
ALTER TABLE ledger_verifications ADD COLUMN seal TEXT;
