-- Each posting also carries its entry's sequence, transaction and recording time (issue 17). An account's statement becomes one
-- range of one index, read without visiting the journal (a statement of 10,000 lines was 20,000 random reads into
-- journal_entries and transactions); a posting can be found by its entry's sequence, which verification walks; and the
-- postings can be partitioned by the month they were recorded in, as their entries are. The entry stays the record the hash
-- covers; verification checks that every posting agrees with it.
ALTER TABLE postings ADD COLUMN sequence bigint NULL, ADD COLUMN transaction_id uuid NULL, ADD COLUMN created_at timestamptz NULL;
UPDATE postings p SET sequence = e.sequence, transaction_id = e.transaction_id, created_at = e.created_at FROM journal_entries e WHERE e.id = p.entry_id;
ALTER TABLE postings ALTER COLUMN sequence SET NOT NULL, ALTER COLUMN transaction_id SET NOT NULL, ALTER COLUMN created_at SET NOT NULL;
CREATE INDEX ix_postings_account_history ON postings(account_id, effective_at, sequence, id) INCLUDE (amount, transaction_id);
CREATE INDEX ix_postings_sequence ON postings(sequence);
DROP INDEX ix_postings_account_effective;
DROP INDEX ix_postings_entry;
