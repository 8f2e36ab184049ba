// Package sqlite opens the read model's store in an embedded SQLite
// database (modernc.org/sqlite: pure Go, so the gateway still builds and
// runs with Go alone).
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/qingchain/qingchain/gateway/readmodel/sqlstore"
)

// FileName is the database file in the gateway's data directory.
const FileName = "readmodel.db"

// Open opens (creating and migrating) the database at path. WAL journal,
// immediate write transactions (so a reader never has to upgrade its lock)
// and a busy timeout let the projector write while requests read.
func Open(ctx context.Context, path string, log *slog.Logger) (*sqlstore.Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+abs+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	db.SetMaxOpenConns(4)
	s, err := sqlstore.Open(ctx, db, sqlstore.SQLite, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// OpenDir opens the database in a data directory.
func OpenDir(ctx context.Context, dir string, log *slog.Logger) (*sqlstore.Store, error) {
	return Open(ctx, filepath.Join(dir, FileName), log)
}
