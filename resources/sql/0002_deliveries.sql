-- Outhook schema, version 2: events, the delivery queue and the attempt log.

-- An event's envelope is frozen at emit time: every attempt and resend sends exactly these bytes.
CREATE TABLE events (
    id {{ROWID}},
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX events_by_idempotency_key ON events (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX events_by_created ON events (created_at);

-- One row per (event, webhook). next_attempt_at is the queue: due when <= now. A claim moves it to the
-- lease expiry and sets lease_owner, so a crashed engine's rows fall due again by themselves.
CREATE TABLE deliveries (
    id {{ROWID}},
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    msg_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempt_count INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    next_trigger TEXT NOT NULL DEFAULT 'scheduled',
    lease_owner TEXT,
    last_status_code INTEGER,
    last_error_class TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX deliveries_by_webhook ON deliveries (webhook_id, id);
CREATE INDEX deliveries_by_status ON deliveries (status, id);
CREATE INDEX deliveries_by_event ON deliveries (event_id);
CREATE INDEX deliveries_by_type ON deliveries (event_type, id);
CREATE INDEX deliveries_by_created ON deliveries (created_at, id);
CREATE INDEX deliveries_by_updated ON deliveries (updated_at);

CREATE TABLE attempts (
    id {{ROWID}},
    delivery_id BIGINT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    triggered_by TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    duration_ms INTEGER NOT NULL,
    request_url TEXT NOT NULL,
    request_headers TEXT NOT NULL,
    status_code INTEGER,
    response_headers TEXT NOT NULL DEFAULT '[]',
    response_body {{BLOB}},
    response_body_size BIGINT NOT NULL DEFAULT 0,
    truncated INTEGER NOT NULL DEFAULT 0,
    error_class TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    remote_address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attempts_by_delivery ON attempts (delivery_id, number);
