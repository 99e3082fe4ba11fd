-- Bank reconciliation (issue 18): a statement of the settlement account matched against the ledger by a worker. The
-- statement is kept as sent until it is processed (a node that dies mid-run leaves it for another); what did not match
-- is kept item by item, with the decision a person records on it.
CREATE TABLE reconciliations (
    id TEXT PRIMARY KEY,
    currency TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('camt053', 'csv')),
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    amount_tolerance INTEGER NOT NULL CHECK (amount_tolerance >= 0),
    date_window_days INTEGER NOT NULL CHECK (date_window_days >= 0),
    statement TEXT NULL,
    line_count INTEGER NOT NULL DEFAULT 0,
    matched_count INTEGER NOT NULL DEFAULT 0,
    failure_reason TEXT NULL,
    lease_until TEXT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    completed_at TEXT NULL
);
CREATE INDEX ix_reconciliations_running ON reconciliations(created_at) WHERE status = 'running';
CREATE INDEX ix_reconciliations_created ON reconciliations(created_at, id);

CREATE TABLE reconciliation_items (
    id TEXT PRIMARY KEY,
    reconciliation_id TEXT NOT NULL REFERENCES reconciliations(id),
    kind TEXT NOT NULL CHECK (kind IN ('unmatched_ledger', 'unmatched_statement', 'discrepancy')),
    detail TEXT NULL,
    line_number INTEGER NULL,
    transaction_id TEXT NULL,
    statement_amount INTEGER NULL,
    ledger_amount INTEGER NULL,
    statement_date TEXT NULL,
    ledger_date TEXT NULL,
    reference TEXT NULL,
    description TEXT NULL,
    resolution TEXT NULL CHECK (resolution IN ('accepted', 'corrected', 'escalated')),
    resolution_note TEXT NULL,
    resolved_by TEXT NULL REFERENCES users(id),
    resolved_at TEXT NULL
);
CREATE INDEX ix_reconciliation_items_run ON reconciliation_items(reconciliation_id, kind);
