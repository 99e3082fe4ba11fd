-- Fiscal periods and closing (issue 18). A journal entry counts in the books at its effective time: when it was written, or
-- the end of the earlier value date a deposit or adjustment was back-dated to. Entries written before keep their time.
ALTER TABLE journal_entries ADD COLUMN effective_at TEXT NULL;
UPDATE journal_entries SET effective_at = created_at;
-- SQLite cannot add NOT NULL to an existing column; every writer sets it.
CREATE INDEX ix_journal_entries_effective ON journal_entries(effective_at);

-- The value date a transaction was back-dated to; null when it counts on the day it was made.
ALTER TABLE transactions ADD COLUMN value_date TEXT NULL;

-- Moved under the ledger head's lock whenever a period is created, closed or reopened: a batch that planned against an older
-- calendar sees the difference when it takes the head, and plans again.
ALTER TABLE ledger_head ADD COLUMN periods_version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE fiscal_periods (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL CHECK (ends_on >= starts_on),
    year_end INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closing', 'closed')),
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    closed_by TEXT NULL REFERENCES users(id),
    closed_at TEXT NULL,
    reopened_by TEXT NULL REFERENCES users(id),
    reopened_at TEXT NULL,
    reopen_reason TEXT NULL
);
CREATE UNIQUE INDEX ix_fiscal_periods_starts ON fiscal_periods(starts_on);
