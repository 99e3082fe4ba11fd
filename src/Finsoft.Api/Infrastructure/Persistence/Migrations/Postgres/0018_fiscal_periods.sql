-- Fiscal periods and closing (issue 18). A journal entry counts in the books at its effective time: when it was written, or
-- the end of the earlier value date a deposit or adjustment was back-dated to. Entries written before keep their time.
ALTER TABLE journal_entries ADD COLUMN effective_at timestamptz NULL;
UPDATE journal_entries SET effective_at = created_at;
ALTER TABLE journal_entries ALTER COLUMN effective_at SET NOT NULL;
CREATE INDEX ix_journal_entries_effective ON journal_entries(effective_at);

-- The value date a transaction was back-dated to; null when it counts on the day it was made.
ALTER TABLE transactions ADD COLUMN value_date date NULL;

-- Moved under the ledger head's lock whenever a period is created, closed or reopened: a batch that planned against an older
-- calendar sees the difference when it takes the head, and plans again.
ALTER TABLE ledger_head ADD COLUMN periods_version bigint NOT NULL DEFAULT 0;

CREATE TABLE fiscal_periods (
    id uuid PRIMARY KEY,
    name TEXT NOT NULL,
    starts_on date NOT NULL,
    ends_on date NOT NULL CHECK (ends_on >= starts_on),
    year_end boolean NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closing', 'closed')),
    created_by uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL,
    closed_by uuid NULL REFERENCES users(id),
    closed_at timestamptz NULL,
    reopened_by uuid NULL REFERENCES users(id),
    reopened_at timestamptz NULL,
    reopen_reason TEXT NULL
);
CREATE UNIQUE INDEX ix_fiscal_periods_starts ON fiscal_periods(starts_on);
