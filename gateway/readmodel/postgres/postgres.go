// Package postgres opens the read model's store on a PostgreSQL server
// through pgx, for several gateways sharing one projection.
package postgres

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/qingchain/qingchain/gateway/readmodel/sqlstore"
)

// Open connects to the server at url (postgres://user:pass@host:port/db)
// and migrates the schema; gateways starting at once migrate in turn
// (goose's advisory lock).
func Open(ctx context.Context, url string, log *slog.Logger) (*sqlstore.Store, error) {
	db, err := sqlOpen(url)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s, err := sqlstore.Open(ctx, db, sqlstore.Postgres, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
