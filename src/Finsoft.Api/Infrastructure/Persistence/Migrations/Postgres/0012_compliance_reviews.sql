-- Automatic screening and the review queue. A user or destination account with a watch-list match that is
-- open or confirmed carries compliance_hold (kept in step with its reviews, under a lock of its row); the
-- engine reads it to refuse moving that user's money. A transaction held for review names its review and
-- where it stands, so the engine decides approvals and rejections under the transaction's lock.
ALTER TABLE users ADD COLUMN compliance_hold boolean NOT NULL DEFAULT false;
CREATE INDEX ix_users_compliance_hold ON users(id) WHERE compliance_hold;
ALTER TABLE destination_accounts ADD COLUMN compliance_hold boolean NOT NULL DEFAULT false;
ALTER TABLE user_profiles ADD COLUMN birth_date TEXT NULL;
ALTER TABLE user_profiles ADD COLUMN country TEXT NULL;
ALTER TABLE transactions ADD COLUMN review_id uuid NULL;
ALTER TABLE transactions ADD COLUMN review_status TEXT NULL CHECK (review_status IN ('open', 'approved', 'rejected'));
CREATE INDEX ix_transactions_review ON transactions(review_id) WHERE review_id IS NOT NULL;

CREATE TABLE reviews (
    id uuid PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('screening_match', 'transaction')),
    status TEXT NOT NULL CHECK (status IN ('open', 'awaiting_second', 'confirmed', 'dismissed', 'approved', 'rejected')),
    user_id uuid NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    screening_id uuid NULL REFERENCES screenings(id),
    entity_type TEXT NULL,
    entity_id uuid NULL,
    source TEXT NULL,
    entry_id TEXT NULL,
    matched_name TEXT NULL,
    score double precision NULL,
    transaction_id uuid NULL REFERENCES transactions(id),
    first_decided_by uuid NULL REFERENCES users(id),
    first_decided_at timestamptz NULL,
    first_note TEXT NULL,
    decided_by uuid NULL REFERENCES users(id),
    decided_at timestamptz NULL,
    note TEXT NULL,
    created_at timestamptz NOT NULL,
    CHECK (kind <> 'screening_match' OR (source IS NOT NULL AND entry_id IS NOT NULL)),
    CHECK (kind <> 'transaction' OR transaction_id IS NOT NULL),
    -- Four eyes: whoever confirms second is not who confirmed first.
    CHECK (status <> 'confirmed' OR decided_by <> first_decided_by)
);
CREATE INDEX ix_reviews_listed ON reviews(created_at, id);
CREATE INDEX ix_reviews_status ON reviews(status, created_at);
-- One undecided review per entity and list entry: a rescreening finds the open one instead of adding another.
CREATE UNIQUE INDEX ux_reviews_undecided_match ON reviews(entity_id, source, entry_id)
    WHERE entity_id IS NOT NULL AND status IN ('open', 'awaiting_second');
CREATE INDEX ix_reviews_entity ON reviews(entity_id, source, entry_id) WHERE entity_id IS NOT NULL;

-- A new list version is rescreened against once (claimed by a lease, so one node does it); files loaded at start
-- are not loaded again while their content is unchanged.
ALTER TABLE watchlist_versions ADD COLUMN content_sha256 TEXT NULL;
ALTER TABLE watchlist_versions ADD COLUMN rescreen_claimed_at timestamptz NULL;
ALTER TABLE watchlist_versions ADD COLUMN rescreened_at timestamptz NULL;

CREATE TABLE screening_schedules (
    entity_type TEXT NOT NULL CHECK (entity_type IN ('user', 'destination_account')),
    entity_id uuid NOT NULL,
    interval_days integer NOT NULL CHECK (interval_days BETWEEN 1 AND 3660),
    next_due_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (entity_type, entity_id)
);
CREATE INDEX ix_screening_schedules_due ON screening_schedules(next_due_at);
