-- Bank reconciliation (issue 18): a statement of the settlement account matched against the ledger by a worker. The
-- statement is kept as sent until it is processed (a node that dies mid-run leaves it for another); what did not match
-- is kept item by item, with the decision a person records on it.
CREATE TABLE reconciliations (
    id uuid PRIMARY KEY,
    currency TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('camt053', 'csv')),
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    amount_tolerance bigint NOT NULL CHECK (amount_tolerance >= 0),
    date_window_days integer NOT NULL CHECK (date_window_days >= 0),
    statement TEXT NULL,
    line_count integer NOT NULL DEFAULT 0,
    matched_count integer NOT NULL DEFAULT 0,
    failure_reason TEXT NULL,
    lease_until timestamptz NULL,
    created_by uuid NOT NULL REFERENCES users(id),
    created_at timestamptz NOT NULL,
    completed_at timestamptz NULL
);
CREATE INDEX ix_reconciliations_running ON reconciliations(created_at) WHERE status = 'running';
CREATE INDEX ix_reconciliations_created ON reconciliations(created_at, id);

CREATE TABLE reconciliation_items (
    id uuid PRIMARY KEY,
    reconciliation_id uuid NOT NULL REFERENCES reconciliations(id),
    kind TEXT NOT NULL CHECK (kind IN ('unmatched_ledger', 'unmatched_statement', 'discrepancy')),
    detail TEXT NULL,
    line_number integer NULL,
    transaction_id uuid NULL,
    statement_amount bigint NULL,
    ledger_amount bigint NULL,
    statement_date date NULL,
    ledger_date date NULL,
    reference TEXT NULL,
    description TEXT NULL,
    resolution TEXT NULL CHECK (resolution IN ('accepted', 'corrected', 'escalated')),
    resolution_note TEXT NULL,
    resolved_by uuid NULL REFERENCES users(id),
    resolved_at timestamptz NULL
);
CREATE INDEX ix_reconciliation_items_run ON reconciliation_items(reconciliation_id, kind);
