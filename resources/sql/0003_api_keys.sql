-- Outhook schema, version 3: API keys for the REST API. Only a SHA-256 hash of each key is stored;
-- the prefix (the first characters of the key) finds the row without revealing the key.
CREATE TABLE api_keys (
    id {{ID}},
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_keys_by_prefix ON api_keys (prefix);
