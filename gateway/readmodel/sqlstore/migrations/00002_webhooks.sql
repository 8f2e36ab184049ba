-- Webhooks an enterprise registers, and every attempt to deliver to them.

-- +goose Up
CREATE TABLE rm_webhooks (
    id          TEXT    PRIMARY KEY,
    owner       TEXT    NOT NULL, -- the enterprise (credit code) whose view it follows
    url         TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    after_seq   BIGINT  NOT NULL, -- delivered up to this event
    lease_until BIGINT  NOT NULL, -- unix ms: a dispatcher holds it until then
    lease_by    TEXT    NOT NULL
);
CREATE INDEX rm_webhooks_owner ON rm_webhooks (owner, id);

CREATE TABLE rm_webhook_deliveries (
    webhook_id TEXT    NOT NULL,
    seq        BIGINT  NOT NULL, -- the event delivered
    attempt    INTEGER NOT NULL,
    at         TEXT    NOT NULL,
    status     INTEGER NOT NULL, -- the receiver's HTTP status, 0 when none
    error      TEXT    NOT NULL,
    delivered  INTEGER NOT NULL,
    PRIMARY KEY (webhook_id, seq, attempt)
);

-- +goose Down
DROP TABLE rm_webhook_deliveries;
DROP TABLE rm_webhooks;
