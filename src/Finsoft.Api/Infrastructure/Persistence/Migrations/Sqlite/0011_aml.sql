-- Watch lists as loaded (each load of a source is a new version; earlier ones stay for the record),
-- and every screening with the matches it found and the list versions it was screened against.
CREATE TABLE watchlist_versions (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    version INTEGER NOT NULL,
    format TEXT NOT NULL,
    entry_count INTEGER NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NULL REFERENCES users(id),
    UNIQUE (source, version)
);

CREATE TABLE watchlist_entries (
    version_id TEXT NOT NULL REFERENCES watchlist_versions(id),
    entry_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    names TEXT NOT NULL,
    birth_dates TEXT NOT NULL,
    countries TEXT NOT NULL,
    programs TEXT NULL,
    PRIMARY KEY (version_id, entry_id)
);

CREATE TABLE screenings (
    id TEXT PRIMARY KEY,
    entity_type TEXT NOT NULL CHECK (entity_type IN ('user', 'destination_account', 'name')),
    entity_id TEXT NULL,
    name TEXT NOT NULL,
    birth_date TEXT NULL,
    country TEXT NULL,
    status TEXT NOT NULL CHECK (status IN ('clear', 'potential_match', 'confirmed_match', 'dismissed')),
    matches TEXT NOT NULL,
    list_versions TEXT NOT NULL,
    created_at TEXT NOT NULL,
    screened_by TEXT NULL REFERENCES users(id)
);
CREATE INDEX ix_screenings_entity ON screenings(entity_id, created_at) WHERE entity_id IS NOT NULL;
CREATE INDEX ix_screenings_listed ON screenings(created_at, id);
