-- The statistics' sums, kept as rows change: per figure, kind and
-- dimensions, for the zone (party '') and for each party of the rows (so
-- that a party's own figures are read, not summed, at query time).
-- Filled from the existing figures.

-- +goose Up
CREATE TABLE rm_sums (
    party    TEXT   NOT NULL,
    kind     TEXT   NOT NULL,
    name     TEXT   NOT NULL,
    dim1     TEXT   NOT NULL,
    dim2     TEXT   NOT NULL,
    month    TEXT   NOT NULL,
    currency TEXT   NOT NULL,
    total    BIGINT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (party, name, kind, dim1, dim2, month, currency)
);
INSERT INTO rm_sums (party, kind, name, dim1, dim2, month, currency, total, n)
    SELECT '', kind, name, dim1, dim2, month, currency, SUM(amount), COUNT(*)
    FROM rm_figures GROUP BY kind, name, dim1, dim2, month, currency;
INSERT INTO rm_sums (party, kind, name, dim1, dim2, month, currency, total, n)
    SELECT v.party, f.kind, f.name, f.dim1, f.dim2, f.month, f.currency, SUM(f.amount), COUNT(*)
    FROM rm_figures f JOIN rm_viewers v ON v.kind = f.kind AND v.id = f.id
    GROUP BY v.party, f.kind, f.name, f.dim1, f.dim2, f.month, f.currency;

-- +goose Down
DROP TABLE rm_sums;
