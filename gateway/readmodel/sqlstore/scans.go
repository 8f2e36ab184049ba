package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/scans"
)

var (
	_ scans.Store   = (*Store)(nil)
	_ scans.Reports = (*Store)(nil)
)

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UTC().UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// forUpdate is the row lock of a SELECT in a write transaction: FOR
// UPDATE on PostgreSQL; SQLite's write transactions are immediate (the
// database is locked from BEGIN), so it needs none.
func (s *Store) forUpdate() string {
	if s.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// inTx runs fn in a transaction and commits it.
func (s *Store) inTx(ctx context.Context, what string, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		if errors.Is(err, scans.ErrTooManyReports) {
			return err
		}
		return fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: %s: commit: %w", what, err)
	}
	return nil
}

// ApplyScan implements scans.Store. The item's row is created if new and
// locked, so concurrent scans of one item, from any gateway, apply in
// turn; other items' scans do not wait for it on PostgreSQL.
func (s *Store) ApplyScan(ctx context.Context, item scans.Item, devices []string, place string, decide func(scans.Seen) scans.Change) (scans.Change, error) {
	var ch scans.Change
	err := s.inTx(ctx, "scan", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.Rebind("INSERT INTO rm_scans (item, gtin, scans, first_at, last_at, devices, places) VALUES (?, ?, 0, 0, 0, 0, 0) ON CONFLICT (item) DO NOTHING"), item.Key, item.GTIN); err != nil {
			return err
		}
		seen := scans.Seen{Devices: map[string]time.Time{}}
		var first, last int64
		if err := tx.QueryRowContext(ctx, s.Rebind("SELECT scans, first_at, last_at, devices, places FROM rm_scans WHERE item = ?"+s.forUpdate()), item.Key).
			Scan(&seen.Count.Count, &first, &last, &seen.Count.Devices, &seen.Count.Places); err != nil {
			return err
		}
		seen.Count.First, seen.Count.Last = fromMicros(first), fromMicros(last)
		args := []any{item.Key}
		for _, d := range devices {
			args = append(args, d)
		}
		rows, err := tx.QueryContext(ctx, s.Rebind("SELECT device, last_at FROM rm_scan_devices WHERE item = ? AND device IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(devices)), ", ")+")"), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d string
			var at int64
			if err := rows.Scan(&d, &at); err != nil {
				rows.Close()
				return err
			}
			seen.Devices[d] = fromMicros(at)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, s.Rebind("SELECT COUNT(*) FROM rm_scan_devices WHERE item = ?"), item.Key).Scan(&seen.Remembered); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, s.Rebind("SELECT COUNT(*) FROM rm_scan_places WHERE item = ?"), item.Key).Scan(&seen.Places); err != nil {
			return err
		}
		if place != "" {
			var n int
			if err := tx.QueryRowContext(ctx, s.Rebind("SELECT COUNT(*) FROM rm_scan_places WHERE item = ? AND place = ?"), item.Key, place).Scan(&n); err != nil {
				return err
			}
			seen.PlaceKnown = n > 0
		}
		ch = decide(seen)
		for d, at := range ch.Remember {
			if _, err := tx.ExecContext(ctx, s.Rebind("INSERT INTO rm_scan_devices (item, device, last_at) VALUES (?, ?, ?) ON CONFLICT (item, device) DO UPDATE SET last_at = excluded.last_at"),
				item.Key, d, micros(at)); err != nil {
				return err
			}
		}
		if ch.Place != "" {
			if _, err := tx.ExecContext(ctx, s.Rebind("INSERT INTO rm_scan_places (item, place) VALUES (?, ?) ON CONFLICT DO NOTHING"), item.Key, ch.Place); err != nil {
				return err
			}
		}
		if !ch.Counted {
			return nil
		}
		c := ch.Count
		_, err = tx.ExecContext(ctx, s.Rebind("UPDATE rm_scans SET scans = ?, first_at = ?, last_at = ?, devices = ?, places = ? WHERE item = ?"),
			c.Count, micros(c.First), micros(c.Last), c.Devices, c.Places, item.Key)
		return err
	})
	return ch, err
}

// ScanCount implements scans.Store.
func (s *Store) ScanCount(ctx context.Context, key string) (scans.Count, error) {
	var c scans.Count
	var first, last int64
	err := s.db.QueryRowContext(ctx, s.Rebind("SELECT scans, first_at, last_at, devices, places FROM rm_scans WHERE item = ?"), key).
		Scan(&c.Count, &first, &last, &c.Devices, &c.Places)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("sqlstore: scan count: %w", err)
	}
	c.First, c.Last = fromMicros(first), fromMicros(last)
	return c, nil
}

// scanStats is the scans counted per product (GTIN), from the items'
// records: the same sum a walk over every item's ScanCount gives.
func (s *Store) scanStats(ctx context.Context) ([]readmodel.StatsRow, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT gtin, SUM(scans) FROM rm_scans WHERE scans > 0 GROUP BY gtin ORDER BY gtin")
	if err != nil {
		return nil, fmt.Errorf("sqlstore: stats: %w", err)
	}
	defer rows.Close()
	out := []readmodel.StatsRow{}
	for rows.Next() {
		var r readmodel.StatsRow
		if err := rows.Scan(&r.Dim1, &r.Count); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddReport implements scans.Reports.
func (s *Store) AddReport(ctx context.Context, r scans.Report) (scans.Report, error) {
	r.At = r.At.UTC()
	dev := scans.Hash("device", r.Device)
	r.Device = ""
	err := s.inTx(ctx, "report", func(tx *sql.Tx) error {
		var last int64
		if err := tx.QueryRowContext(ctx, "SELECT last FROM rm_report_seq WHERE id = 1"+s.forUpdate()).Scan(&last); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.Rebind("SELECT COUNT(*) FROM rm_reports WHERE device = ? AND at >= ?"), dev, micros(r.At.Add(-24*time.Hour))).Scan(&n); err != nil {
			return err
		}
		if n >= scans.ReportsPerDevicePerDay {
			return scans.ErrTooManyReports
		}
		last++
		r.ID = fmt.Sprintf("R-%06d", last)
		doc, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.Rebind("INSERT INTO rm_reports (seq, producer, device, at, doc) VALUES (?, ?, ?, ?, ?)"), last, r.Producer, dev, micros(r.At), string(doc)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.Rebind("UPDATE rm_report_seq SET last = ? WHERE id = 1"), last)
		return err
	})
	if err != nil {
		return scans.Report{}, err
	}
	return r, nil
}

// ListReports implements scans.Reports.
func (s *Store) ListReports(ctx context.Context, f scans.ReportFilter) ([]scans.Report, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	q, args := "SELECT doc FROM rm_reports ORDER BY seq DESC LIMIT ?", []any{f.Limit}
	if f.Producer != "" {
		q, args = "SELECT doc FROM rm_reports WHERE producer = ? ORDER BY seq DESC LIMIT ?", []any{f.Producer, f.Limit}
	}
	rows, err := s.db.QueryContext(ctx, s.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: reports: %w", err)
	}
	defer rows.Close()
	out := []scans.Report{}
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var r scans.Report
		if err := json.Unmarshal([]byte(doc), &r); err != nil {
			return nil, fmt.Errorf("sqlstore: report: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
