-- The read model's projection. One file for SQLite and PostgreSQL: only
-- types both know (TEXT, INTEGER, BIGINT) and ON CONFLICT upserts.
-- Amounts are exact: BIGINT in units of 10^-6 (sqlstore.scale).

-- +goose Up
CREATE TABLE rm_checkpoint (
    id    INTEGER PRIMARY KEY,
    seq   BIGINT  NOT NULL,
    block BIGINT  NOT NULL,
    idx   INTEGER NOT NULL
);
INSERT INTO rm_checkpoint (id, seq, block, idx) VALUES (1, 0, 0, 0);

CREATE TABLE rm_events (
    seq       BIGINT  PRIMARY KEY,
    block     BIGINT  NOT NULL,
    idx       INTEGER NOT NULL,
    tx_id     TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    entity    TEXT    NOT NULL,
    entity_id TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    by_party  TEXT    NOT NULL,
    data      TEXT    NOT NULL,
    UNIQUE (block, idx)
);
CREATE INDEX rm_events_tx ON rm_events (tx_id);
CREATE INDEX rm_events_entity ON rm_events (entity, entity_id, seq);

CREATE TABLE rm_rows (
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    status  TEXT NOT NULL,
    product TEXT NOT NULL,
    day     TEXT NOT NULL,
    doc     TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX rm_rows_day ON rm_rows (kind, day, id);
CREATE INDEX rm_rows_status ON rm_rows (kind, status, day, id);
CREATE INDEX rm_rows_product ON rm_rows (kind, product, day, id);

CREATE TABLE rm_parties (
    kind  TEXT NOT NULL,
    id    TEXT NOT NULL,
    role  TEXT NOT NULL,
    party TEXT NOT NULL,
    PRIMARY KEY (kind, id, role, party)
);
CREATE INDEX rm_parties_party ON rm_parties (party, kind, id);

CREATE TABLE rm_refs (
    kind     TEXT NOT NULL,
    id       TEXT NOT NULL,
    ref_kind TEXT NOT NULL,
    ref_id   TEXT NOT NULL,
    PRIMARY KEY (kind, id, ref_kind, ref_id)
);

CREATE TABLE rm_figures (
    kind     TEXT   NOT NULL,
    id       TEXT   NOT NULL,
    pos      INTEGER NOT NULL,
    name     TEXT   NOT NULL,
    currency TEXT   NOT NULL,
    amount   BIGINT NOT NULL,
    dim1     TEXT   NOT NULL,
    dim2     TEXT   NOT NULL,
    month    TEXT   NOT NULL,
    PRIMARY KEY (kind, id, pos)
);
CREATE INDEX rm_figures_name ON rm_figures (name, dim1, dim2, month, currency);

CREATE TABLE rm_event_figures (
    seq     BIGINT  NOT NULL,
    pos     INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    product TEXT    NOT NULL,
    month   TEXT    NOT NULL,
    PRIMARY KEY (seq, pos)
);
CREATE INDEX rm_event_figures_name ON rm_event_figures (name, product, month);

-- +goose Down
DROP TABLE rm_event_figures;
DROP TABLE rm_figures;
DROP TABLE rm_refs;
DROP TABLE rm_parties;
DROP TABLE rm_rows;
DROP TABLE rm_events;
DROP TABLE rm_checkpoint;
