-- Account floors (a minimum balance, or an overdraft line on a system account), two-phase transfers
-- (the authorised amount and when the hold lapses), and a payout reference per attempt so that a
-- retried withdrawal is a new instruction to the bank.
ALTER TABLE accounts ADD COLUMN balance_floor bigint NULL;
UPDATE accounts SET balance_floor = 0 WHERE kind = 'wallet';
ALTER TABLE accounts ADD CONSTRAINT ck_accounts_floor CHECK (held >= 0 AND (balance_floor IS NULL OR balance - held >= balance_floor));
ALTER TABLE accounts ADD CONSTRAINT ck_accounts_wallet_floor CHECK (kind <> 'wallet' OR (balance_floor IS NOT NULL AND balance_floor >= 0));

ALTER TABLE transactions ADD COLUMN held_amount bigint NULL CHECK (held_amount > 0);
ALTER TABLE transactions ADD COLUMN expires_at timestamptz NULL;
ALTER TABLE transactions ADD COLUMN payout_reference uuid NULL UNIQUE;
UPDATE transactions SET payout_reference = id WHERE type = 'WITHDRAWAL';
CREATE INDEX ix_transactions_hold_expiry ON transactions(expires_at) WHERE expires_at IS NOT NULL AND status = 'PENDING';
CREATE INDEX ix_journal_entries_created ON journal_entries(created_at);
