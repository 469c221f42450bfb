-- Outhook schema, version 1: metadata, the event catalog's runtime types, webhooks and subscriptions.
-- Times are milliseconds since the Unix epoch (UTC) in BIGINT columns, the same on SQLite and PostgreSQL.
-- {{ID}} and {{BLOB}} are replaced per dialect; a line ending in /*postgres*/ or /*sqlite*/ is for that one only.

CREATE TABLE outhook_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE event_types (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    sample TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);

CREATE TABLE webhooks (
    id {{ID}},
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 0,
    auth_type TEXT NOT NULL DEFAULT 'none',
    auth_username TEXT NOT NULL DEFAULT '',
    auth_secret TEXT NOT NULL DEFAULT '',
    headers TEXT NOT NULL DEFAULT '[]',
    secret TEXT NOT NULL,
    previous_secret TEXT NOT NULL DEFAULT '',
    previous_secret_expires_at BIGINT,
    retry_schedule TEXT NOT NULL,
    timeout_seconds INTEGER NOT NULL,
    disabled_reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_triggered_at BIGINT,
    last_success_at BIGINT,
    last_failure_at BIGINT,
    failure_count INTEGER NOT NULL DEFAULT 0,
    failing_since BIGINT
);

CREATE TABLE webhook_events (
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (webhook_id, event_type)
);

CREATE INDEX webhook_events_by_type ON webhook_events (event_type, webhook_id);
