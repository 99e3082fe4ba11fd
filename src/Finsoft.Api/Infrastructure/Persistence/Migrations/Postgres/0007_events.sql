-- The event outbox: what happened to money, written in the same database transaction as the
-- movement itself. Positions are handed out under the journal head's lock, which every money
-- transaction holds until it commits, so positions become visible in order and a reader that has
-- seen position N never later finds a smaller one appear.
ALTER TABLE ledger_head ADD COLUMN event_position bigint NOT NULL DEFAULT 0;

CREATE TABLE events (
    position bigint PRIMARY KEY CHECK (position > 0),
    type TEXT NOT NULL,
    occurred_at timestamptz NOT NULL,
    -- The accounts the event concerns, so a customer's feed is found by the accounts it holds.
    origin_account_id uuid NULL,
    destination_account_id uuid NULL,
    data TEXT NOT NULL
);
CREATE INDEX ix_events_type ON events(type, position);
CREATE INDEX ix_events_origin ON events(origin_account_id, position) WHERE origin_account_id IS NOT NULL;
CREATE INDEX ix_events_destination ON events(destination_account_id, position) WHERE destination_account_id IS NOT NULL;

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events is append-only';
END $$;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

-- Where each in-process consumer has read up to, and who holds it now (a lease, so one node at a time).
CREATE TABLE event_consumers (
    name TEXT PRIMARY KEY,
    position bigint NOT NULL,
    lease_owner uuid NULL,
    lease_until timestamptz NULL
);
