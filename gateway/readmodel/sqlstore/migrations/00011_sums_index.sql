-- A statistic reads the sums of one figure for one party, grouped by its
-- dimensions (product x country x month for export.value). The primary
-- key puts kind between name and the dimensions, so the groups came out
-- of it unsorted and every row was a second lookup into the table; this
-- index holds the rows in the order they are grouped in, with the
-- figures, so the query reads the index alone and in order.

-- +goose Up
CREATE INDEX rm_sums_stats ON rm_sums (name, party, dim1, dim2, month, currency, kind, total, n);

-- +goose Down
DROP INDEX rm_sums_stats;
