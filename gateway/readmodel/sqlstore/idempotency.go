package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/qingchain/qingchain/gateway/idempotency"
)

// Idempotency keeps the gateway's Idempotency-Key records in the store's
// database, so that several gateways on one PostgreSQL answer a replayed
// key alike: requests with one key are serialised by a lock in the
// process and, on PostgreSQL, by a session advisory lock on the key held
// for the request, which every gateway on the database honours.
type Idempotency struct {
	s   *Store
	ttl time.Duration
	// stripes serialise scopes in the process (a scope hashes to one).
	stripes [256]chan struct{}
	// timeout bounds each record read or write (Get, Put, Delete take no
	// context of their own).
	timeout time.Duration
}

// Idempotency returns the store's Idempotency-Key records; entries older
// than ttl are forgotten.
func (s *Store) Idempotency(ttl time.Duration) *Idempotency {
	i := &Idempotency{s: s, ttl: ttl, timeout: 10 * time.Second}
	for n := range i.stripes {
		i.stripes[n] = make(chan struct{}, 1)
	}
	return i
}

func stripe(scope string) int {
	h := fnv.New32a()
	h.Write([]byte(scope))
	return int(h.Sum32() % 256)
}

// Acquire takes scope, waiting for its holder (in any gateway on the
// database) until ctx ends.
func (i *Idempotency) Acquire(ctx context.Context, scope string) (func(), error) {
	st := i.stripes[stripe(scope)]
	select {
	case st <- struct{}{}:
	default:
		select {
		case st <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	local := func() { <-st }
	if i.s.dialect != Postgres {
		return once(local), nil
	}
	conn, err := i.s.db.Conn(ctx)
	if err != nil {
		local()
		return nil, fmt.Errorf("sqlstore: idempotency lock: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(hashtextextended($1, 0))", scope); err != nil {
		conn.Close()
		local()
		return nil, fmt.Errorf("sqlstore: idempotency lock: %w", err)
	}
	return once(func() {
		ctx, cancel := context.WithTimeout(context.Background(), i.timeout)
		defer cancel()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock(hashtextextended($1, 0))", scope); err != nil {
			// A session whose unlock failed must not go back to the pool
			// holding the lock: closing it ends the session and the lock.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
		local()
	}), nil
}

func once(f func()) func() {
	done := false
	return func() {
		if !done {
			done = true
			f()
		}
	}
}

// Get returns scope's record, or nil; a record of another request is
// idempotency.ErrKeyReused.
func (i *Idempotency) Get(scope, fingerprint string) (*idempotency.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), i.timeout)
	defer cancel()
	var r idempotency.Response
	var state, body, result string
	var stored int64
	err := i.s.db.QueryRowContext(ctx, i.s.Rebind("SELECT fingerprint, state, status, content_type, body, tx_id, result, stored_at FROM rm_idempotency WHERE scope = ?"), scope).
		Scan(&r.Fingerprint, &state, &r.Status, &r.ContentType, &body, &r.TxID, &result, &stored)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: idempotency: %w", err)
	}
	r.State, r.StoredAt = idempotency.State(state), time.UnixMilli(stored).UTC()
	if time.Since(r.StoredAt) > i.ttl {
		return nil, nil
	}
	if r.Fingerprint != fingerprint {
		return nil, idempotency.ErrKeyReused
	}
	if r.Body, err = base64.StdEncoding.DecodeString(body); err != nil {
		return nil, err
	}
	if result != "" {
		if r.Result, err = base64.StdEncoding.DecodeString(result); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// Put stores scope's record.
func (i *Idempotency) Put(scope string, r *idempotency.Response) error {
	ctx, cancel := context.WithTimeout(context.Background(), i.timeout)
	defer cancel()
	stored := r.StoredAt
	if stored.IsZero() {
		stored = time.Now()
	}
	result := ""
	if r.Result != nil {
		result = base64.StdEncoding.EncodeToString(r.Result)
	}
	_, err := i.s.db.ExecContext(ctx, i.s.Rebind(`INSERT INTO rm_idempotency (scope, fingerprint, state, status, content_type, body, tx_id, result, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (scope) DO UPDATE SET fingerprint = excluded.fingerprint, state = excluded.state, status = excluded.status, content_type = excluded.content_type,
		body = excluded.body, tx_id = excluded.tx_id, result = excluded.result, stored_at = excluded.stored_at`),
		scope, r.Fingerprint, string(r.State), r.Status, r.ContentType, base64.StdEncoding.EncodeToString(r.Body), r.TxID, result, stored.UnixMilli())
	if err != nil {
		return fmt.Errorf("sqlstore: idempotency: %w", err)
	}
	return nil
}

// Delete forgets scope's record.
func (i *Idempotency) Delete(scope string) error {
	ctx, cancel := context.WithTimeout(context.Background(), i.timeout)
	defer cancel()
	if _, err := i.s.db.ExecContext(ctx, i.s.Rebind("DELETE FROM rm_idempotency WHERE scope = ?"), scope); err != nil {
		return fmt.Errorf("sqlstore: idempotency: %w", err)
	}
	return nil
}

// Prune forgets records stored before now - ttl.
func (i *Idempotency) Prune(ctx context.Context, now time.Time) (int64, error) {
	res, err := i.s.db.ExecContext(ctx, i.s.Rebind("DELETE FROM rm_idempotency WHERE stored_at < ?"), now.Add(-i.ttl).UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("sqlstore: idempotency: %w", err)
	}
	return res.RowsAffected()
}
