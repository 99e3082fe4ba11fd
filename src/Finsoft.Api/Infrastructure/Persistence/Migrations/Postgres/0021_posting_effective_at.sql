-- Each posting carries its entry's effective_at (issue 17), so that an account's balance at a moment and its statement are a
-- range of one index, (account_id, effective_at) with the amount and entry in it, however large the journal grows; they no longer
-- join every posting of the account to its entry to learn when it counts. The entry stays the record the hash covers;
-- verification checks that every posting agrees with it.
ALTER TABLE postings ADD COLUMN effective_at timestamptz NULL;
UPDATE postings p SET effective_at = e.effective_at FROM journal_entries e WHERE e.id = p.entry_id;
ALTER TABLE postings ALTER COLUMN effective_at SET NOT NULL;
CREATE INDEX ix_postings_account_effective ON postings(account_id, effective_at) INCLUDE (amount, entry_id);
DROP INDEX ix_postings_account;
