-- The ledger head and each checkpoint carry an HMAC under a key kept outside the database (LedgerSeal). The runner seals the
-- head and the checkpoints that exist, with the configured key, in this migration's own transaction: once, when the
-- column appears, so nothing written later without the key is ever sealed by a restart.
ALTER TABLE ledger_head ADD COLUMN seal TEXT;
ALTER TABLE ledger_checkpoints ADD COLUMN seal TEXT;
