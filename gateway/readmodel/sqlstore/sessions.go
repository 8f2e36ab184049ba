package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a portal sign-in as stored: the hash of its token, who it
// acts as, and when it was opened and last used.
type Session struct {
	TokenHash string // hex SHA-256 of the cookie's token
	Identity  string
	KeyID     string
	CreatedAt time.Time
	LastSeen  time.Time
}

// Sessions keeps the portal's sessions in the store's database, so that
// every gateway on one PostgreSQL knows them and a sign-out on one ends
// the session on all.
type Sessions struct{ s *Store }

// Sessions returns the store's session table.
func (s *Store) Sessions() *Sessions { return &Sessions{s: s} }

// Create stores a new session.
func (ss *Sessions) Create(ctx context.Context, x Session) error {
	_, err := ss.s.db.ExecContext(ctx, ss.s.Rebind("INSERT INTO rm_sessions (token_hash, identity, key_id, created_at, last_seen) VALUES (?, ?, ?, ?, ?)"),
		x.TokenHash, x.Identity, x.KeyID, x.CreatedAt.UnixMilli(), x.LastSeen.UnixMilli())
	if err != nil {
		return fmt.Errorf("sqlstore: session: %w", err)
	}
	return nil
}

// Get reads a session by its token's hash (found false when there is none).
func (ss *Sessions) Get(ctx context.Context, tokenHash string) (Session, bool, error) {
	x := Session{TokenHash: tokenHash}
	var created, seen int64
	err := ss.s.db.QueryRowContext(ctx, ss.s.Rebind("SELECT identity, key_id, created_at, last_seen FROM rm_sessions WHERE token_hash = ?"), tokenHash).
		Scan(&x.Identity, &x.KeyID, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, false, nil
	}
	if err != nil {
		return Session{}, false, fmt.Errorf("sqlstore: session: %w", err)
	}
	x.CreatedAt, x.LastSeen = time.UnixMilli(created).UTC(), time.UnixMilli(seen).UTC()
	return x, true, nil
}

// Touch records that the session was used at t.
func (ss *Sessions) Touch(ctx context.Context, tokenHash string, t time.Time) error {
	if _, err := ss.s.db.ExecContext(ctx, ss.s.Rebind("UPDATE rm_sessions SET last_seen = ? WHERE token_hash = ? AND last_seen < ?"), t.UnixMilli(), tokenHash, t.UnixMilli()); err != nil {
		return fmt.Errorf("sqlstore: session: %w", err)
	}
	return nil
}

// Delete removes a session (sign-out, expiry).
func (ss *Sessions) Delete(ctx context.Context, tokenHash string) error {
	if _, err := ss.s.db.ExecContext(ctx, ss.s.Rebind("DELETE FROM rm_sessions WHERE token_hash = ?"), tokenHash); err != nil {
		return fmt.Errorf("sqlstore: session: %w", err)
	}
	return nil
}

// Prune removes the sessions idle since before idleBefore or opened before
// openedBefore, and says how many.
func (ss *Sessions) Prune(ctx context.Context, idleBefore, openedBefore time.Time) (int64, error) {
	r, err := ss.s.db.ExecContext(ctx, ss.s.Rebind("DELETE FROM rm_sessions WHERE last_seen < ? OR created_at < ?"), idleBefore.UnixMilli(), openedBefore.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("sqlstore: sessions: %w", err)
	}
	return r.RowsAffected()
}
