-- Outhook schema, version 6: settings that apply to the whole team (every app and engine on this
-- database), as key/value text. A missing key means "use the built-in default". Personal settings
-- (which database to open, window state, language) stay in each user's QSettings.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
