-- The gateway's Idempotency-Key records, shared by every gateway on the
-- database (bodies base64, so that one schema serves both databases).

-- +goose Up
CREATE TABLE rm_idempotency (
    scope        TEXT    PRIMARY KEY,
    fingerprint  TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    status       INTEGER NOT NULL,
    content_type TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    tx_id        TEXT    NOT NULL,
    result       TEXT    NOT NULL,
    stored_at    BIGINT  NOT NULL -- unix milliseconds
);
CREATE INDEX rm_idempotency_stored ON rm_idempotency (stored_at);

-- +goose Down
DROP TABLE rm_idempotency;
