-- Outhook schema, version 4: secrets at rest. Webhook secrets, auth passwords/tokens and secret header
-- values are stored sealed with AES-256-GCM ("enc:v1:..."). This table records which master key seals
-- them: key_id names the key (a hash, not the key) and key_check is a known text sealed with it, so a
-- wrong key is refused at open before anything is read or written. Existing plaintext is sealed by the
-- first open that has a key (core/storage/Database.cpp, unlockSecrets).
CREATE TABLE crypto_meta (
    name TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    key_check TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
