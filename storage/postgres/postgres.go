// Package postgres stores attesta's data in PostgreSQL, for organisations
// that outgrow one machine. It has the same behaviour as package sqlite,
// checked by the same suite (storage/storagetest).
//
// The stores are those of storage/internal/sqlstore, shared with SQLite,
// on database/sql through pgx's driver (github.com/jackc/pgx/v5/stdlib),
// which keeps every statement it runs prepared on its connection. This
// package holds what PostgreSQL does its own way: the connection pool, the
// migrations under an advisory lock, the dialect (row locks, savepoints,
// TIMESTAMPTZ), and the append to the transparency log in one statement.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/attesta/attesta"
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
	pool *sql.DB
	now  attesta.Clock
}

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
// not know, such as search_path, are sent as run-time parameters; those of
// pgx's pool (pool_max_conns, pool_max_conn_lifetime…) size the pool.
func Open(ctx context.Context, url string, now attesta.Clock) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The error may quote the URL, password included.
		return nil, errors.New("parsing the PostgreSQL URL: it is not a valid postgres:// URL or connection string")
	}
	pool := stdlib.OpenDB(*cfg.ConnConfig)
	pool.SetMaxOpenConns(int(cfg.MaxConns))
	pool.SetMaxIdleConns(int(cfg.MaxConns))
	pool.SetConnMaxLifetime(cfg.MaxConnLifetime)
	pool.SetConnMaxIdleTime(cfg.MaxConnIdleTime)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL at %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	db := &DB{pool: pool, now: now}
	db.DB = sqlstore.New(sqlstore.Config{
		Write: pool,
		Read:  pool,
		// Reads see one snapshot; writes run at READ COMMITTED, guarded
		// by constraints, conditional updates and row locks.
		ReadTx:     &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
		Dialect:    dialect,
		Now:        now,
		Migrations: mustSub(migrationFiles, "migrations"),
		AppendLog:  appendLog,
	})
	return db, nil
}

// Migrate applies every pending migration in one transaction, holding an
// advisory lock so that concurrent starts do not race, and returns the
// schema version before and after.
func (db *DB) Migrate(ctx context.Context) (from, to int, err error) {
	ms, err := migration.Load(mustSub(migrationFiles, "migrations"))
	if err != nil {
		return 0, 0, err
	}
	err = db.update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return fmt.Errorf("locking migrations: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
			return fmt.Errorf("creating schema_migrations: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&from); err != nil {
			return fmt.Errorf("reading schema version: %w", err)
		}
		if from > len(ms) {
			return fmt.Errorf("the database schema is at version %d, newer than this attesta knows (%d): upgrade attesta", from, len(ms))
		}
		for _, m := range ms[from:] {
			// Without arguments, pgx sends the file as it is, in the simple
			// protocol, which runs several statements.
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("applying migration %s: %w", m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
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

// update runs fn in a write transaction, committing if it returns nil:
// for the migrations and the tests, which write outside the stores.
func (db *DB) update(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// appendQuery takes the next leaf index and stores the entry under it, in
// one statement and one round trip.
const appendQuery = `WITH next AS (UPDATE log_state SET entries = entries + 1 WHERE id = 1 RETURNING entries - 1 AS leaf)
	INSERT INTO log_entries (leaf_index, entry) SELECT leaf, $1 FROM next RETURNING leaf_index`

// appendLog is sqlstore.Config.AppendLog. The UPDATE … RETURNING locks the
// log's state row until the transaction ends: concurrent appends queue on
// it, and each sees the counter the previous one left — incremented if it
// committed, unchanged if it rolled back. So leaf indexes are unique and
// without gaps, and entries become visible in leaf order.
func appendLog(ctx context.Context, t *sqlstore.Tx, entry []byte) (int64, error) {
	var leaf int64
	err := t.QueryRow(ctx, appendQuery, entry).Scan(&leaf)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errors.New("appending to the transparency log: its state row is missing")
	}
	if err != nil {
		return 0, fmt.Errorf("appending to the transparency log: %w", err)
	}
	return leaf, nil
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
