-- Hash-anchored checkpoints of the journal, and the verifications that make them (issue 17). A checkpoint says: entries
-- 1..sequence were proven (chain, balance of each entry), the last of them has this hash, and up to it each account's
-- postings sum to `posted` and each currency's debits and credits to these totals. ledger/verify proves only what came
-- after the latest checkpoint, anchored by that hash; a full verification proves everything again from the first entry.
CREATE TABLE ledger_checkpoints (
    id uuid PRIMARY KEY,
    sequence bigint NOT NULL,
    hash TEXT NOT NULL,
    -- SHA-256 over the anchor and every total, as the journal's own hashes: changing a total means recomputing it.
    totals_hash TEXT NOT NULL,
    base_sequence bigint NOT NULL,
    full_proof boolean NOT NULL,
    created_at timestamptz NOT NULL,
    -- Set when a later verification found the journal wrong at or before this point: it is no longer stood on.
    revoked_at timestamptz NULL
);
CREATE INDEX ix_ledger_checkpoints_sequence ON ledger_checkpoints(sequence, created_at);

CREATE TABLE ledger_checkpoint_accounts (
    checkpoint_id uuid NOT NULL REFERENCES ledger_checkpoints(id) ON DELETE CASCADE,
    account_id uuid NOT NULL,
    posted bigint NOT NULL,
    PRIMARY KEY (checkpoint_id, account_id)
);

CREATE TABLE ledger_checkpoint_currencies (
    checkpoint_id uuid NOT NULL REFERENCES ledger_checkpoints(id) ON DELETE CASCADE,
    currency TEXT NOT NULL,
    debits bigint NOT NULL,
    credits bigint NOT NULL,
    PRIMARY KEY (checkpoint_id, currency)
);

CREATE TABLE ledger_verifications (
    id uuid PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('full', 'incremental')),
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed')),
    base_checkpoint_id uuid NULL REFERENCES ledger_checkpoints(id),
    base_sequence bigint NOT NULL,
    target_sequence bigint NOT NULL,
    verified_sequence bigint NOT NULL,
    verified_hash TEXT NOT NULL,
    ok boolean NULL,
    problems TEXT NULL,
    first_broken_sequence bigint NULL,
    checkpoint_id uuid NULL REFERENCES ledger_checkpoints(id),
    lease_until timestamptz NULL,
    requested_by uuid NULL REFERENCES users(id),
    created_at timestamptz NOT NULL,
    started_at timestamptz NULL,
    completed_at timestamptz NULL
);
CREATE INDEX ix_ledger_verifications_waiting ON ledger_verifications(created_at) WHERE status IN ('queued', 'running');
CREATE INDEX ix_ledger_verifications_created ON ledger_verifications(created_at, id);
-- At most one automatic checkpoint waits or runs at a time, however many nodes notice that one is due.
CREATE UNIQUE INDEX ix_ledger_verifications_automatic ON ledger_verifications((requested_by IS NULL))
    WHERE requested_by IS NULL AND status IN ('queued', 'running');
