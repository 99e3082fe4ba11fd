-- The journal and its postings partitioned by the month their entries were recorded in (issue 17), so that an old month can be
-- archived: proven, detached from the live tables in one transaction and kept elsewhere, while a checkpoint at its last entry
-- (kept for good) anchors and totals what remains. Entries are recorded in sequence order, so each month is one run of the
-- chain and archived months are always its beginning.
--
-- A partitioned table's unique keys must hold the partition key, so the keys become (id, created_at) and (sequence, created_at);
-- the ledger head still hands out each sequence once, and verification still refuses a repeated or missing one. A posting no
-- longer has a foreign key to its entry (detaching a month of entries would check it against every posting, under a lock
-- that stops the money path); verification proves instead that every posting belongs to the entry at its sequence.
-- PostgreSQL 15 has no identity columns on partitioned tables: posting ids come from a sequence.
--
-- This copies the journal once, under lock: on a large journal, run it in a maintenance window (README, "Upgrading").
ALTER TABLE journal_entries RENAME TO journal_entries_unpartitioned;
ALTER TABLE postings RENAME TO postings_unpartitioned;
ALTER INDEX journal_entries_pkey RENAME TO journal_entries_unpartitioned_pkey;
ALTER INDEX postings_pkey RENAME TO postings_unpartitioned_pkey;
ALTER TABLE journal_entries_unpartitioned RENAME CONSTRAINT journal_entries_sequence_key TO journal_entries_unpartitioned_sequence_key;
DROP INDEX ix_journal_entries_transaction, ix_journal_entries_created, ix_journal_entries_effective, ix_postings_account_history, ix_postings_sequence;

CREATE TABLE journal_entries (
    id uuid NOT NULL,
    sequence bigint NOT NULL,
    transaction_id uuid NOT NULL REFERENCES transactions(id),
    created_at timestamptz NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    effective_at timestamptz NOT NULL,
    PRIMARY KEY (id, created_at),
    UNIQUE (sequence, created_at)
) PARTITION BY RANGE (created_at);

CREATE SEQUENCE postings_id_sequence;
CREATE TABLE postings (
    id bigint NOT NULL DEFAULT nextval('postings_id_sequence'),
    entry_id uuid NOT NULL,
    account_id uuid NOT NULL REFERENCES accounts(id),
    amount bigint NOT NULL CHECK (amount <> 0),
    currency TEXT NOT NULL,
    effective_at timestamptz NOT NULL,
    sequence bigint NOT NULL,
    transaction_id uuid NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
ALTER SEQUENCE postings_id_sequence OWNED BY postings.id;

-- A month's pair of partitions (named journal_entries_yYYYYmMM and postings_yYYYYmMM, bounded in UTC). The service makes the
-- coming months ahead of time; the default partitions only catch what would otherwise fail, and are reported when not empty.
CREATE FUNCTION ledger_ensure_month(month date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  first timestamptz := (date_trunc('month', month)::date::text || ' 00:00:00+00')::timestamptz;
  next timestamptz := ((date_trunc('month', month) + interval '1 month')::date::text || ' 00:00:00+00')::timestamptz;
  suffix text := to_char(month, '"y"YYYY"m"MM');
BEGIN
  IF to_regclass('journal_entries_' || suffix) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF journal_entries FOR VALUES FROM (%L) TO (%L)', 'journal_entries_' || suffix, first, next);
  END IF;
  IF to_regclass('postings_' || suffix) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF postings FOR VALUES FROM (%L) TO (%L)', 'postings_' || suffix, first, next);
  END IF;
END $$;
CREATE TABLE journal_entries_default PARTITION OF journal_entries DEFAULT;
CREATE TABLE postings_default PARTITION OF postings DEFAULT;
SELECT ledger_ensure_month(m::date) FROM generate_series(
    date_trunc('month', coalesce((SELECT min(created_at) FROM journal_entries_unpartitioned), now()) AT TIME ZONE 'UTC'),
    date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months', interval '1 month') m;

INSERT INTO journal_entries (id, sequence, transaction_id, created_at, previous_hash, hash, effective_at)
    SELECT id, sequence, transaction_id, created_at, previous_hash, hash, effective_at FROM journal_entries_unpartitioned;
INSERT INTO postings (id, entry_id, account_id, amount, currency, effective_at, sequence, transaction_id, created_at)
    SELECT id, entry_id, account_id, amount, currency, effective_at, sequence, transaction_id, created_at FROM postings_unpartitioned;
SELECT setval('postings_id_sequence', coalesce((SELECT max(id) FROM postings_unpartitioned), 0) + 1, false);
DROP TABLE postings_unpartitioned;
DROP TABLE journal_entries_unpartitioned;

-- Entries are read by sequence (the unique key) and by transaction; by time only through their postings, whose history index
-- holds effective_at, so the two time indexes of the unpartitioned table are not made again.
CREATE INDEX ix_journal_entries_transaction ON journal_entries(transaction_id);
CREATE INDEX ix_postings_account_history ON postings(account_id, effective_at, sequence, id) INCLUDE (amount, transaction_id);
CREATE INDEX ix_postings_sequence ON postings(sequence);

-- The months archived: each one's run of the chain, what it held, and the checkpoint at its last entry, whose totals are kept
-- for good (balances, the trial balance and verification start from them), with the tables it was detached as.
CREATE TABLE ledger_archives (
    month date PRIMARY KEY,
    first_sequence bigint NOT NULL,
    last_sequence bigint NOT NULL,
    entries bigint NOT NULL,
    postings bigint NOT NULL,
    effective_through timestamptz NULL,
    checkpoint_id uuid NOT NULL REFERENCES ledger_checkpoints(id),
    entries_table TEXT NOT NULL,
    postings_table TEXT NOT NULL,
    archived_by uuid NULL,
    archived_at timestamptz NOT NULL
);
