-- Who may see a row as one of its parties, with the columns lists filter
-- and sort on, so that a list restricted to a party (a bank's financings)
-- is read in order from an index instead of filtered out of every row of
-- its kind. Filled from the existing rows.

-- +goose Up
CREATE TABLE rm_viewers (
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    party   TEXT NOT NULL,
    status  TEXT NOT NULL,
    product TEXT NOT NULL,
    day     TEXT NOT NULL,
    PRIMARY KEY (kind, id, party)
);
CREATE INDEX rm_viewers_day ON rm_viewers (party, kind, day, id);
CREATE INDEX rm_viewers_id ON rm_viewers (party, kind, id);
CREATE INDEX rm_viewers_status ON rm_viewers (party, kind, status, day, id);
INSERT INTO rm_viewers (kind, id, party, status, product, day)
    SELECT DISTINCT p.kind, p.id, p.party, r.status, r.product, r.day
    FROM rm_parties p JOIN rm_rows r ON r.kind = p.kind AND r.id = p.id;

-- +goose Down
DROP TABLE rm_viewers;
