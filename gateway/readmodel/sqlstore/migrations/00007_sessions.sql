-- The portal's sign-in sessions (apps/portal). Only the SHA-256 of a
-- session's token is kept, so that whoever reads the database cannot take
-- over a session; the token itself lives in the browser's cookie.

-- +goose Up
CREATE TABLE rm_sessions (
    token_hash  TEXT    PRIMARY KEY, -- hex SHA-256 of the cookie's token
    identity    TEXT    NOT NULL,    -- the wallet identity it acts as
    key_id      TEXT    NOT NULL,    -- the API key it was opened with
    created_at  BIGINT  NOT NULL,    -- unix milliseconds
    last_seen   BIGINT  NOT NULL     -- unix milliseconds
);
CREATE INDEX rm_sessions_last_seen ON rm_sessions (last_seen);

-- +goose Down
DROP TABLE rm_sessions;
