-- Account floors (a minimum balance, or an overdraft line on a system account), two-phase transfers
-- (the authorised amount and when the hold lapses), and a payout reference per attempt so that a
-- retried withdrawal is a new instruction to the bank.
-- SQLite checks a new column's constraint against existing rows at once, before the UPDATE below can
-- give wallets their floor, so here a wallet's floor may be NULL in the schema; the application always
-- sets it, and the older wallet CHECK (balance >= held) still holds either way.
ALTER TABLE accounts ADD COLUMN balance_floor INTEGER NULL
    CHECK (held >= 0 AND (balance_floor IS NULL OR balance - held >= balance_floor) AND (kind <> 'wallet' OR balance_floor IS NULL OR balance_floor >= 0));
UPDATE accounts SET balance_floor = 0 WHERE kind = 'wallet';

ALTER TABLE transactions ADD COLUMN held_amount INTEGER NULL CHECK (held_amount > 0);
ALTER TABLE transactions ADD COLUMN expires_at TEXT NULL;
ALTER TABLE transactions ADD COLUMN payout_reference TEXT NULL;
UPDATE transactions SET payout_reference = id WHERE type = 'WITHDRAWAL';
CREATE UNIQUE INDEX ux_transactions_payout_reference ON transactions(payout_reference) WHERE payout_reference IS NOT NULL;
CREATE INDEX ix_transactions_hold_expiry ON transactions(expires_at) WHERE expires_at IS NOT NULL AND status = 'PENDING';
CREATE INDEX ix_journal_entries_created ON journal_entries(created_at);
