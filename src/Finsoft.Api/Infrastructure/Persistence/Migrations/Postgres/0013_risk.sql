-- Customer risk and transaction monitoring. A user's risk level (kept on the user, where the engine reads it
-- with the compliance hold) sets the monitoring's hard limits; customer_risk keeps how it was worked out.
-- account_activity counts what each account paid out (and took in by pay-ins) per clock hour, written by the
-- engine under the account's lock, so velocity and structuring are judged without scanning its transactions.
ALTER TABLE users ADD COLUMN risk_level TEXT NOT NULL DEFAULT 'low' CHECK (risk_level IN ('low', 'medium', 'high'));

CREATE TABLE customer_risk (
    user_id uuid PRIMARY KEY REFERENCES users(id),
    score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
    level TEXT NOT NULL CHECK (level IN ('low', 'medium', 'high')),
    factors TEXT NOT NULL,
    updated_at timestamptz NOT NULL
);

-- An interval an analyst set is kept; one set by the customer's risk level follows it.
ALTER TABLE screening_schedules ADD COLUMN set_by_analyst boolean NOT NULL DEFAULT false;

CREATE TABLE account_activity (
    account_id uuid NOT NULL REFERENCES accounts(id),
    hour timestamptz NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    movements integer NOT NULL CHECK (movements >= 0),
    amount bigint NOT NULL CHECK (amount >= 0),
    just_under integer NOT NULL CHECK (just_under >= 0),
    PRIMARY KEY (account_id, hour, direction)
);
CREATE INDEX ix_account_activity_hour ON account_activity(hour);

-- What monitoring decided: on the transaction it let through or held, and here for one it blocked.
ALTER TABLE transactions ADD COLUMN risk_score integer NULL;
ALTER TABLE transactions ADD COLUMN risk_outcome TEXT NULL CHECK (risk_outcome IN ('allow', 'review'));
ALTER TABLE transactions ADD COLUMN risk_rules TEXT NULL;
CREATE INDEX ix_transactions_external_destination ON transactions(external_destination_id) WHERE external_destination_id IS NOT NULL;

CREATE TABLE risk_blocks (
    id uuid PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts(id),
    user_id uuid NULL REFERENCES users(id),
    transaction_type TEXT NOT NULL,
    amount bigint NOT NULL,
    currency TEXT NOT NULL,
    score integer NOT NULL,
    rules TEXT NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX ix_risk_blocks_listed ON risk_blocks(created_at, id);

-- The rules in force: one row, replaced whole by an admin; its version tells every node to reload.
CREATE TABLE monitoring_rules (
    id integer PRIMARY KEY CHECK (id = 1),
    version integer NOT NULL,
    document TEXT NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by uuid NULL REFERENCES users(id)
);
