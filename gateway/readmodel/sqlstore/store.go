// Package sqlstore is the read model's store on database/sql: one schema,
// one set of goose migrations (migrations/), for SQLite and PostgreSQL.
// readmodel/sqlite and readmodel/postgres open it with their drivers.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/shopspring/decimal"

	"github.com/qingchain/qingchain/gateway/readmodel"
)

//go:embed migrations/*.sql
var migrations embed.FS

// scale is the number of decimal places amounts are stored with.
const scale = 6

// Dialect is the SQL dialect of a database.
type Dialect int

// Dialects.
const (
	SQLite Dialect = iota
	Postgres
)

// Store is a readmodel.Store on a database/sql handle.
type Store struct {
	db      *sql.DB
	dialect Dialect
	log     *slog.Logger
}

// Open migrates db to the newest schema and returns the store. On
// PostgreSQL a session advisory lock serialises gateways migrating at once.
func Open(ctx context.Context, db *sql.DB, d Dialect, log *slog.Logger) (*Store, error) {
	if err := Migrate(ctx, db, d, log); err != nil {
		return nil, err
	}
	return &Store{db: db, dialect: d, log: log}, nil
}

// Migrate applies the pending migrations.
func Migrate(ctx context.Context, db *sql.DB, d Dialect, log *slog.Logger) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	opts := []goose.ProviderOption{goose.WithSlog(log), goose.WithDisableGlobalRegistry(true)}
	dialect := goose.DialectSQLite3
	if d == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db, sub, opts...)
	if err != nil {
		return fmt.Errorf("sqlstore: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	return nil
}

// DB is the database handle (the gateway's other off-ledger state shares it).
func (s *Store) DB() *sql.DB { return s.db }

// Dialect is the store's dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Rebind turns ? placeholders into $1, $2... for PostgreSQL.
func (s *Store) Rebind(q string) string {
	if s.dialect != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Checkpoint implements readmodel.Store.
func (s *Store) Checkpoint(ctx context.Context) (readmodel.Checkpoint, error) {
	return s.checkpoint(ctx, s.db, "")
}

func (s *Store) checkpoint(ctx context.Context, q querier, suffix string) (readmodel.Checkpoint, error) {
	var cp readmodel.Checkpoint
	err := q.QueryRowContext(ctx, "SELECT seq, block, idx FROM rm_checkpoint WHERE id = 1"+suffix).Scan(&cp.Seq, &cp.Pos.Block, &cp.Pos.Index)
	if err != nil {
		return cp, fmt.Errorf("sqlstore: checkpoint: %w", err)
	}
	return cp, nil
}

// Update implements readmodel.Store. The checkpoint row is locked first
// (SELECT ... FOR UPDATE on PostgreSQL; SQLite's write transactions are
// immediate), so two projectors on one database apply in turn and the
// later one finds the checkpoint moved.
func (s *Store) Update(ctx context.Context, fn func(readmodel.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	defer tx.Rollback()
	suffix := ""
	if s.dialect == Postgres {
		suffix = " FOR UPDATE"
	}
	cp, err := s.checkpoint(ctx, tx, suffix)
	if err != nil {
		return err
	}
	if err := fn(&storeTx{s: s, tx: tx, cp: cp}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

type storeTx struct {
	s  *Store
	tx *sql.Tx
	cp readmodel.Checkpoint
}

func (t *storeTx) exec(ctx context.Context, q string, args ...any) error {
	if _, err := t.tx.ExecContext(ctx, t.s.Rebind(q), args...); err != nil {
		return fmt.Errorf("sqlstore: %s: %w", strings.Fields(q)[0]+" "+strings.Fields(q)[2], err)
	}
	return nil
}

// Scaled converts an exact decimal to the stored integer.
func Scaled(d decimal.Decimal) (int64, error) {
	v := d.Shift(scale)
	if !v.IsInteger() {
		return 0, fmt.Errorf("sqlstore: %s has more than %d decimal places", d, scale)
	}
	if !v.BigInt().IsInt64() {
		return 0, fmt.Errorf("sqlstore: %s is too large", d)
	}
	return v.IntPart(), nil
}

// Unscaled converts a stored sum (an integer, or PostgreSQL's numeric sum
// of integers) back to a decimal.
func Unscaled(s string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return d, err
	}
	return d.Shift(-scale), nil
}

func (t *storeTx) PutRow(ctx context.Context, r readmodel.Row) error {
	if err := t.exec(ctx, `INSERT INTO rm_rows (kind, id, status, product, day, doc) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, id) DO UPDATE SET status = excluded.status, product = excluded.product, day = excluded.day, doc = excluded.doc`,
		r.Kind, r.ID, r.Status, r.Product, r.Day, string(r.Doc)); err != nil {
		return err
	}
	// The row's old figures leave the sums, its new ones enter them.
	if err := t.moveSums(ctx, r.Kind, r.ID, -1); err != nil {
		return err
	}
	for _, table := range []string{"rm_parties", "rm_viewers", "rm_refs", "rm_figures"} {
		if err := t.exec(ctx, "DELETE FROM "+table+" WHERE kind = ? AND id = ?", r.Kind, r.ID); err != nil {
			return err
		}
	}
	seen := map[readmodel.Party]bool{}
	for _, p := range r.Parties {
		if seen[p] {
			continue
		}
		seen[p] = true
		if err := t.exec(ctx, "INSERT INTO rm_parties (kind, id, role, party) VALUES (?, ?, ?, ?)", r.Kind, r.ID, p.Role, p.Code); err != nil {
			return err
		}
		if err := t.exec(ctx, "INSERT INTO rm_viewers (kind, id, party, status, product, day) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
			r.Kind, r.ID, p.Code, r.Status, r.Product, r.Day); err != nil {
			return err
		}
	}
	for _, ref := range r.Refs {
		if err := t.exec(ctx, "INSERT INTO rm_refs (kind, id, ref_kind, ref_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", r.Kind, r.ID, ref.Kind, ref.ID); err != nil {
			return err
		}
	}
	for i, f := range r.Figures {
		a, err := Scaled(f.Amount)
		if err != nil {
			return err
		}
		if err := t.exec(ctx, "INSERT INTO rm_figures (kind, id, pos, name, currency, amount, dim1, dim2, month) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			r.Kind, r.ID, i, f.Name, f.Currency, a, f.Dim1, f.Dim2, f.Month); err != nil {
			return err
		}
	}
	return t.moveSums(ctx, r.Kind, r.ID, +1)
}

// moveSums adds (sign +1) or takes away (-1) a row's figures, as stored
// now, to the zone's sums and to those of each of its parties.
func (t *storeTx) moveSums(ctx context.Context, kind, id string, sign int64) error {
	type fig struct {
		name, currency, dim1, dim2, month string
		amount                            int64
	}
	var figs []fig
	var parties []string
	if err := t.collect(ctx, "SELECT name, currency, amount, dim1, dim2, month FROM rm_figures WHERE kind = ? AND id = ?", []any{kind, id}, func(sc func(...any) error) error {
		var f fig
		if err := sc(&f.name, &f.currency, &f.amount, &f.dim1, &f.dim2, &f.month); err != nil {
			return err
		}
		figs = append(figs, f)
		return nil
	}); err != nil || len(figs) == 0 {
		return err
	}
	if err := t.collect(ctx, "SELECT party FROM rm_viewers WHERE kind = ? AND id = ?", []any{kind, id}, func(sc func(...any) error) error {
		var p string
		if err := sc(&p); err != nil {
			return err
		}
		parties = append(parties, p)
		return nil
	}); err != nil {
		return err
	}
	for _, f := range figs {
		for _, party := range append([]string{""}, parties...) {
			key := []any{party, kind, f.name, f.dim1, f.dim2, f.month, f.currency}
			if err := t.exec(ctx, `INSERT INTO rm_sums (party, kind, name, dim1, dim2, month, currency, total, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (party, name, kind, dim1, dim2, month, currency) DO UPDATE SET total = rm_sums.total + excluded.total, n = rm_sums.n + excluded.n`,
				append(key, sign*f.amount, sign)...); err != nil {
				return err
			}
			if sign < 0 {
				if err := t.exec(ctx, "DELETE FROM rm_sums WHERE party = ? AND kind = ? AND name = ? AND dim1 = ? AND dim2 = ? AND month = ? AND currency = ? AND n = 0", key...); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// collect runs a query in the transaction and hands each row to fn.
func (t *storeTx) collect(ctx context.Context, q string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := t.tx.QueryContext(ctx, t.s.Rebind(q), args...)
	if err != nil {
		return fmt.Errorf("sqlstore: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *storeTx) AddEvent(ctx context.Context, e readmodel.Event, figures []readmodel.EventFigure) error {
	data := "null"
	if len(e.Data) > 0 {
		data = string(e.Data)
	}
	if err := t.exec(ctx, "INSERT INTO rm_events (seq, block, idx, tx_id, name, entity, entity_id, action, by_party, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		e.Seq, e.Pos.Block, e.Pos.Index, e.TxID, e.Name, e.Entity, e.ID, e.Action, e.By, data); err != nil {
		return err
	}
	for i, f := range figures {
		if err := t.exec(ctx, "INSERT INTO rm_event_figures (seq, pos, name, product, month) VALUES (?, ?, ?, ?, ?)", e.Seq, i, f.Name, f.Product, f.Month); err != nil {
			return err
		}
	}
	return nil
}

func (t *storeTx) Advance(ctx context.Context, want, to readmodel.Checkpoint) error {
	if t.cp != want {
		return readmodel.ErrConflict
	}
	return t.exec(ctx, "UPDATE rm_checkpoint SET seq = ?, block = ?, idx = ? WHERE id = 1", to.Seq, to.Pos.Block, to.Pos.Index)
}

// Row implements readmodel.Store.
func (s *Store) Row(ctx context.Context, ref readmodel.Ref) (readmodel.Row, bool, error) {
	r := readmodel.Row{Kind: ref.Kind, ID: ref.ID}
	var doc string
	err := s.db.QueryRowContext(ctx, s.Rebind("SELECT status, product, day, doc FROM rm_rows WHERE kind = ? AND id = ?"), ref.Kind, ref.ID).Scan(&r.Status, &r.Product, &r.Day, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("sqlstore: row: %w", err)
	}
	r.Doc = json.RawMessage(doc)
	rows, err := s.db.QueryContext(ctx, s.Rebind("SELECT role, party FROM rm_parties WHERE kind = ? AND id = ? ORDER BY role, party"), ref.Kind, ref.ID)
	if err != nil {
		return r, false, fmt.Errorf("sqlstore: parties: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p readmodel.Party
		if err := rows.Scan(&p.Role, &p.Code); err != nil {
			return r, false, err
		}
		r.Parties = append(r.Parties, p)
	}
	return r, true, rows.Err()
}

// Refs implements readmodel.Store.
func (s *Store) Refs(ctx context.Context, kind string) ([]readmodel.Ref, error) {
	rows, err := s.db.QueryContext(ctx, s.Rebind("SELECT id FROM rm_rows WHERE kind = ? ORDER BY id"), kind)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: refs: %w", err)
	}
	defer rows.Close()
	var out []readmodel.Ref
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, readmodel.Ref{Kind: kind, ID: id})
	}
	return out, rows.Err()
}

const eventCols = "seq, block, idx, tx_id, name, entity, entity_id, action, by_party, data"

func scanEvent(sc interface{ Scan(...any) error }) (readmodel.Event, error) {
	var e readmodel.Event
	var data string
	if err := sc.Scan(&e.Seq, &e.Pos.Block, &e.Pos.Index, &e.TxID, &e.Name, &e.Entity, &e.ID, &e.Action, &e.By, &data); err != nil {
		return e, err
	}
	if data != "null" {
		e.Data = json.RawMessage(data)
	}
	return e, nil
}

// EventByTx implements readmodel.Store.
func (s *Store) EventByTx(ctx context.Context, txID string) (readmodel.Event, bool, error) {
	e, err := scanEvent(s.db.QueryRowContext(ctx, s.Rebind("SELECT "+eventCols+" FROM rm_events WHERE tx_id = ? ORDER BY seq LIMIT 1"), txID))
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	if err != nil {
		return e, false, fmt.Errorf("sqlstore: event: %w", err)
	}
	return e, true, nil
}

// projectionTables are emptied by Reset, children first.
func projectionTables() []string {
	return []string{"rm_sums", "rm_event_figures", "rm_figures", "rm_refs", "rm_viewers", "rm_parties", "rm_rows", "rm_events"}
}

// Reset implements readmodel.Store.
func (s *Store) Reset(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range projectionTables() {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return fmt.Errorf("sqlstore: reset %s: %w", t, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE rm_checkpoint SET seq = 0, block = 0, idx = 0 WHERE id = 1"); err != nil {
		return err
	}
	return tx.Commit()
}

// dumpQueries select each table in a canonical order.
func dumpQueries() map[string]string {
	return map[string]string{
		"rm_checkpoint":    "SELECT seq, block, idx FROM rm_checkpoint",
		"rm_events":        "SELECT " + eventCols + " FROM rm_events ORDER BY seq",
		"rm_rows":          "SELECT kind, id, status, product, day, doc FROM rm_rows ORDER BY kind, id",
		"rm_parties":       "SELECT kind, id, role, party FROM rm_parties ORDER BY kind, id, role, party",
		"rm_viewers":       "SELECT kind, id, party, status, product, day FROM rm_viewers ORDER BY kind, id, party",
		"rm_sums":          "SELECT party, kind, name, dim1, dim2, month, currency, total, n FROM rm_sums ORDER BY party, kind, name, dim1, dim2, month, currency",
		"rm_refs":          "SELECT kind, id, ref_kind, ref_id FROM rm_refs ORDER BY kind, id, ref_kind, ref_id",
		"rm_figures":       "SELECT kind, id, pos, name, currency, amount, dim1, dim2, month FROM rm_figures ORDER BY kind, id, pos",
		"rm_event_figures": "SELECT seq, pos, name, product, month FROM rm_event_figures ORDER BY seq, pos",
	}
}

// Dump implements readmodel.Store.
func (s *Store) Dump(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	for table, q := range dumpQueries() {
		rows, err := s.db.QueryContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: dump %s: %w", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = v.String
			}
			out[table] = append(out[table], strings.Join(parts, "|"))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// cursor is the position after the last item of a page.
type cursor struct {
	Day string `json:"d"`
	ID  string `json:"i"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, fmt.Errorf("sqlstore: bad cursor")
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("sqlstore: bad cursor")
	}
	return c, nil
}

// ErrBadQuery wraps a query the store refuses.
var ErrBadQuery = errors.New("bad query")

// List implements readmodel.Store. A list restricted to a party (the
// viewer's own rows, or a party filter) is driven by rm_viewers' indexes,
// in order; any other by rm_rows'.
func (s *Store) List(ctx context.Context, q readmodel.Query) (readmodel.Page, error) {
	page := readmodel.Page{Items: []json.RawMessage{}}
	if err := q.Normalize(); err != nil {
		return page, fmt.Errorf("%w: %v", ErrBadQuery, err)
	}
	from, t := "rm_rows r", "r"
	var where []string
	var args []any
	party := q.Party
	rule, _ := readmodel.RuleOf(q.Kind)
	// The party filter drives when there is one (it names one
	// enterprise's rows, usually fewer than a viewer's); the viewer's
	// own rows are then checked row by row.
	drive, check := party, ""
	if !rule.SeesAll(q.Viewer) {
		if q.Viewer.CreditCode == "" {
			return page, nil
		}
		if drive == "" {
			drive = q.Viewer.CreditCode
		} else if drive != q.Viewer.CreditCode {
			check = q.Viewer.CreditCode
		}
	}
	party = check
	if drive != "" {
		from, t = "rm_viewers v JOIN rm_rows r ON r.kind = v.kind AND r.id = v.id", "v"
		where, args = append(where, "v.party = ?"), append(args, drive)
	}
	where, args = append(where, t+".kind = ?"), append(args, q.Kind)
	for _, f := range []struct{ value, cond string }{
		{party, "EXISTS (SELECT 1 FROM rm_viewers p WHERE p.kind = " + t + ".kind AND p.id = " + t + ".id AND p.party = ?)"},
		{q.Status, t + ".status = ?"},
		{q.Product, t + ".product = ?"},
		{q.From, t + ".day >= ?"},
		{q.To, t + ".day <= ?"},
	} {
		if f.value != "" {
			where = append(where, f.cond)
			args = append(args, f.value)
		}
	}
	cmp, dir := ">", "ASC"
	if q.Desc {
		cmp, dir = "<", "DESC"
	}
	if q.Cursor != "" {
		c, err := decodeCursor(q.Cursor)
		if err != nil {
			return page, fmt.Errorf("%w: %v", ErrBadQuery, err)
		}
		if q.Sort == "id" {
			where = append(where, t+".id "+cmp+" ?")
			args = append(args, c.ID)
		} else {
			where = append(where, "("+t+".day, "+t+".id) "+cmp+" (?, ?)")
			args = append(args, c.Day, c.ID)
		}
	}
	order := t + ".day " + dir + ", " + t + ".id " + dir
	if q.Sort == "id" {
		order = t + ".id " + dir
	}
	sqlq := "SELECT r.id, r.day, r.doc FROM " + from + " WHERE " + strings.Join(where, " AND ") + " ORDER BY " + order + " LIMIT ?"
	args = append(args, q.Limit+1)
	rows, err := s.db.QueryContext(ctx, s.Rebind(sqlq), args...)
	if err != nil {
		return page, fmt.Errorf("sqlstore: list: %w", err)
	}
	defer rows.Close()
	var last cursor
	for rows.Next() {
		var id, day, doc string
		if err := rows.Scan(&id, &day, &doc); err != nil {
			return page, err
		}
		if len(page.Items) == q.Limit {
			page.NextCursor = encodeCursor(last)
			break
		}
		page.Items = append(page.Items, json.RawMessage(doc))
		last = cursor{Day: day, ID: id}
	}
	return page, rows.Err()
}

// eventVisibility is the SQL condition on rm_events e for what v may see,
// as the chaincode would let v read the entity: the events of kinds v sees
// every row of (lots, products and enterprises for anyone; receipts for
// any enterprise; claims, shipments, policies and receivables for a
// regulator...), of entities v is a party to, and the events v caused.
// Trace events and certificates are public as the lots they describe;
// assignments, credit limits and governance are their parties' and the
// regulator's. No one sees another's financing events: the chaincode
// answers a financing to its applicant and its bank alone.
func eventVisibility(v readmodel.Viewer) (string, []any) {
	public := []string{"'traceEvent'", "'certificate'"}
	if v.Has("regulator") {
		public = append(public, "'assignment'", "'creditLimit'", "'governance'")
	}
	for _, k := range readmodel.Kinds() {
		if r, _ := readmodel.RuleOf(k); r.SeesAll(v) {
			public = append(public, "'"+k+"'")
		}
	}
	cond := "e.entity IN (" + strings.Join(public, ", ") + ")"
	if v.CreditCode == "" {
		return cond, nil
	}
	return "(" + cond + " OR e.by_party = ? OR EXISTS (SELECT 1 FROM rm_parties p WHERE p.kind = e.entity AND p.id = e.entity_id AND p.party = ?))",
		[]any{v.CreditCode, v.CreditCode}
}

// Events implements readmodel.Store.
func (s *Store) Events(ctx context.Context, v readmodel.Viewer, after int64, limit int) ([]readmodel.Event, error) {
	cond, cargs := eventVisibility(v)
	args := append([]any{after}, cargs...)
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, s.Rebind("SELECT "+eventCols+" FROM rm_events e WHERE e.seq > ? AND "+cond+" ORDER BY e.seq LIMIT ?"), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: events: %w", err)
	}
	defer rows.Close()
	var out []readmodel.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range out {
		if out[i].Data, err = s.redactAlerts(ctx, v, out[i].Data); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// redactAlerts keeps, of the financings a recall or an excursion alerted
// (data.collateralAlerts), those v may read: a trace event is public, the
// financings it names are their parties'.
func (s *Store) redactAlerts(ctx context.Context, v readmodel.Viewer, data json.RawMessage) (json.RawMessage, error) {
	if !strings.Contains(string(data), `"collateralAlerts"`) {
		return data, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return data, nil // not an object: nothing to redact
	}
	var ids []string
	if err := json.Unmarshal(m["collateralAlerts"], &ids); err != nil {
		delete(m, "collateralAlerts") // not the chaincode's shape: show none
		return json.Marshal(m)
	}
	kept := []string{}
	for _, id := range ids {
		if v.CreditCode == "" {
			break
		}
		var one int
		err := s.db.QueryRowContext(ctx, s.Rebind("SELECT 1 FROM rm_viewers WHERE kind = ? AND id = ? AND party = ?"), readmodel.KindFinancing, id, v.CreditCode).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("sqlstore: events: %w", err)
		}
		kept = append(kept, id)
	}
	if len(kept) == 0 {
		delete(m, "collateralAlerts")
	} else {
		b, _ := json.Marshal(kept)
		m["collateralAlerts"] = b
	}
	return json.Marshal(m)
}

// Stats implements readmodel.Store. The zone regulator gets the zone's
// figures (sums, not rows: it reads no financing itself); anyone else the
// sums over the rows it may read.
func (s *Store) Stats(ctx context.Context, v readmodel.Viewer, q readmodel.StatsQuery) ([]readmodel.StatsRow, error) {
	if q.Figure == readmodel.FigureScans {
		return s.scanStats(ctx) // shoppers' scans are public per item, so their sums are everyone's
	}
	var cols []string
	if q.ByDim1 {
		cols = append(cols, "dim1")
	}
	if q.ByDim2 && !q.Events {
		cols = append(cols, "dim2")
	}
	if q.ByMonth {
		cols = append(cols, "month")
	}
	var sqlq string
	args := []any{q.Figure}
	if q.Events {
		sel := make([]string, len(cols))
		for i, c := range cols {
			sel[i] = strings.Replace(c, "dim1", "product", 1)
		}
		group := ""
		if len(sel) > 0 {
			group = " GROUP BY " + strings.Join(sel, ", ") + " ORDER BY " + strings.Join(sel, ", ")
		}
		sqlq = "SELECT " + strings.Join(append(sel, "'' AS currency", "0 AS total", "COUNT(*)"), ", ") + " FROM rm_event_figures WHERE name = ?" + group
	} else {
		// From the kept sums: the zone's (party '') for the regulator and
		// for the kinds v sees every row of; v's own for the rest.
		g := append(append([]string(nil), cols...), "currency")
		vis := " AND party = ''"
		if !v.Has("regulator") { // zone statistics are the regulator's
			seen := []string{"'-'"}
			for _, k := range readmodel.Kinds() {
				if r, _ := readmodel.RuleOf(k); r.SeesAll(v) {
					seen = append(seen, "'"+k+"'")
				}
			}
			in := "kind IN (" + strings.Join(seen, ", ") + ")"
			vis = " AND party = '' AND " + in
			if v.CreditCode != "" {
				vis = " AND ((party = '' AND " + in + ") OR (party = ? AND NOT " + in + "))"
				args = append(args, v.CreditCode)
			}
		}
		sqlq = "SELECT " + strings.Join(append(g, "SUM(total)", "SUM(n)"), ", ") + " FROM rm_sums WHERE name = ?" + vis +
			" GROUP BY " + strings.Join(g, ", ") + " ORDER BY " + strings.Join(g, ", ")
	}
	rows, err := s.db.QueryContext(ctx, s.Rebind(sqlq), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: stats: %w", err)
	}
	defer rows.Close()
	out := []readmodel.StatsRow{}
	for rows.Next() {
		var r readmodel.StatsRow
		var sum string
		dest := []any{}
		if q.ByDim1 {
			dest = append(dest, &r.Dim1)
		}
		if q.ByDim2 && !q.Events {
			dest = append(dest, &r.Dim2)
		}
		if q.ByMonth {
			dest = append(dest, &r.Month)
		}
		dest = append(dest, &r.Currency, &sum, &r.Count)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if !q.Events {
			if r.Sum, err = Unscaled(sum); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

var _ readmodel.Store = (*Store)(nil)
