-- Each posting also carries its entry's sequence, transaction and recording time (issue 17). An account's statement becomes one
-- range of one index, read without visiting the journal (a statement of 10,000 lines was 20,000 random reads into
-- journal_entries and transactions); a posting can be found by its entry's sequence, which verification walks; and, on
-- PostgreSQL, the postings can be partitioned by the month they were recorded in. The entry stays the record the hash covers;
-- verification checks that every posting agrees with it.
-- (SQLite cannot make an added column NOT NULL; the API always sets them. The posting id is the rowid, in every index.)
ALTER TABLE postings ADD COLUMN sequence INTEGER NULL;
ALTER TABLE postings ADD COLUMN transaction_id TEXT NULL;
ALTER TABLE postings ADD COLUMN created_at TEXT NULL;
UPDATE postings SET (sequence, transaction_id, created_at) =
    (SELECT e.sequence, e.transaction_id, e.created_at FROM journal_entries e WHERE e.id = postings.entry_id);
CREATE INDEX ix_postings_account_history ON postings(account_id, effective_at, sequence, amount, transaction_id);
CREATE INDEX ix_postings_sequence ON postings(sequence);
DROP INDEX ix_postings_account_effective;
DROP INDEX ix_postings_entry;
