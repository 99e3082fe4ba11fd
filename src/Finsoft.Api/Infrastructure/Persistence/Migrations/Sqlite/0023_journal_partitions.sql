-- On PostgreSQL the journal is partitioned by month here, so that old months can be archived (issue 17). SQLite has no
-- partitions and keeps its whole journal; the table of archived months exists so that both databases answer the same way
-- (none archived).
CREATE TABLE ledger_archives (
    month TEXT PRIMARY KEY,
    first_sequence INTEGER NOT NULL,
    last_sequence INTEGER NOT NULL,
    entries INTEGER NOT NULL,
    postings INTEGER NOT NULL,
    effective_through TEXT NULL,
    checkpoint_id TEXT NOT NULL REFERENCES ledger_checkpoints(id),
    entries_table TEXT NOT NULL,
    postings_table TEXT NOT NULL,
    archived_by TEXT NULL,
    archived_at TEXT NOT NULL
);
