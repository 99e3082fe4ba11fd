-- Each posting carries its entry's effective_at (issue 17), so that an account's balance at a moment and its statement are a
-- range of one index, (account_id, effective_at) with the amount and entry in it, however large the journal grows; they no longer
-- join every posting of the account to its entry to learn when it counts. The entry stays the record the hash covers;
-- verification checks that every posting agrees with it. (SQLite cannot make an added column NOT NULL; the API always sets it.)
ALTER TABLE postings ADD COLUMN effective_at TEXT NULL;
UPDATE postings SET effective_at = (SELECT e.effective_at FROM journal_entries e WHERE e.id = postings.entry_id);
CREATE INDEX ix_postings_account_effective ON postings(account_id, effective_at, amount, entry_id);
DROP INDEX ix_postings_account;
