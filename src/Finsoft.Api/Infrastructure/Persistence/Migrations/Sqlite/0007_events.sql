-- The event outbox: what happened to money, written in the same database transaction as the
-- movement itself. SQLite has one writer at a time, so positions become visible in order.
ALTER TABLE ledger_head ADD COLUMN event_position INTEGER NOT NULL DEFAULT 0;

CREATE TABLE events (
    position INTEGER PRIMARY KEY CHECK (position > 0),
    type TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    origin_account_id TEXT NULL,
    destination_account_id TEXT NULL,
    data TEXT NOT NULL
);
CREATE INDEX ix_events_type ON events(type, position);
CREATE INDEX ix_events_origin ON events(origin_account_id, position) WHERE origin_account_id IS NOT NULL;
CREATE INDEX ix_events_destination ON events(destination_account_id, position) WHERE destination_account_id IS NOT NULL;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events is append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events is append-only');
END;

CREATE TABLE event_consumers (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    lease_owner TEXT NULL,
    lease_until TEXT NULL
);
