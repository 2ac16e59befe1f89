// Package postgres stores attesta's data in PostgreSQL, for organisations
// that outgrow one machine. It has the same behaviour as package sqlite,
// checked by the same suite (storage/storagetest).
//
// The stores are those of storage/internal/sqlstore, shared with SQLite,
// run here through pgx, which keeps every statement it has seen prepared
// on its connection. This package holds what PostgreSQL does its own way:
// the connection pool, the migrations under an advisory lock, the dialect
// (row locks, savepoints, TIMESTAMPTZ), and the append to the transparency
// log in one statement.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/storage"
	"github.com/attesta/attesta/storage/internal/sqlstore"
	"github.com/attesta/attesta/storage/migration"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the advisory lock key that serializes migrations of one
// database across processes.
const migrationLock = 0x61747465737461 // "attesta"

// DB is a pool of connections to a PostgreSQL database. Its stores
// (Organisations, People, Log…) are those of storage/internal/sqlstore.
type DB struct {
	*sqlstore.DB
	pool *pgxpool.Pool
	now  attesta.Clock
}

var _ storage.DB = (*DB)(nil)

// dialect is how PostgreSQL's SQL differs from SQLite's.
var dialect = &sqlstore.Dialect{
	Time:         func(t time.Time) any { return t },
	IsUnique:     isConstraint,
	IsForeignKey: isForeignKey,
	ForUpdate:    " FOR UPDATE",
	Binary:       ` COLLATE "C"`,
	Blob:         "BYTEA",
	True:         "TRUE",
	Int64s: func(col, ph string, values []int64) (string, any) {
		return col + ` = ANY(` + ph + `)`, values
	},
	Savepoints: true,
}

// Open connects to the database at url (postgres://…). Parameters pgx does
// not know, such as search_path, are sent as run-time parameters.
func Open(ctx context.Context, url string, now attesta.Clock) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The error may quote the URL, password included.
		return nil, errors.New("parsing the PostgreSQL URL: it is not a valid postgres:// URL")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL at %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	db := &DB{pool: pool, now: now}
	db.DB = sqlstore.New(sqlstore.Config{Engine: engine{pool}, Dialect: dialect, Now: now, Migrations: mustSub(migrationFiles, "migrations")})
	return db, nil
}

// Close closes every connection.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Migrate applies every pending migration in one transaction, holding an
// advisory lock so that concurrent starts do not race, and returns the
// schema version before and after.
func (db *DB) Migrate(ctx context.Context) (from, to int, err error) {
	ms, err := migration.Load(mustSub(migrationFiles, "migrations"))
	if err != nil {
		return 0, 0, err
	}
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return fmt.Errorf("locking migrations: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
			return fmt.Errorf("creating schema_migrations: %w", err)
		}
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&from); err != nil {
			return fmt.Errorf("reading schema version: %w", err)
		}
		if from > len(ms) {
			return fmt.Errorf("the database schema is at version %d, newer than this attesta knows (%d): upgrade attesta", from, len(ms))
		}
		for _, m := range ms[from:] {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("applying migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, db.now()); err != nil {
				return fmt.Errorf("recording migration %s: %w", m.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return from, 0, err
	}
	return from, len(ms), nil
}

// isConstraint reports whether err is a unique violation.
func isConstraint(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// isForeignKey reports whether err is a foreign key violation: the row refers
// to one that does not exist.
func isForeignKey(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23503"
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic("postgres: " + err.Error())
	}
	return sub
}
