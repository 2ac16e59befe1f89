// Package sqlite stores attesta's data in an embedded SQLite database
// (modernc.org/sqlite, pure Go, no cgo).
//
// The database runs in WAL mode with foreign keys on and a busy timeout.
// Writes go through a pool of one connection whose transactions begin
// IMMEDIATE, so concurrent writers in this process queue instead of failing
// with "database is locked", and writers in other processes wait for the
// busy timeout; reads use a separate pool and never block on writers.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/storage/migration"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// BusyTimeout is how long a write waits for another process's write lock.
const BusyTimeout = 10 * time.Second

// DB is an open SQLite database.
type DB struct {
	write *sql.DB // one connection; BEGIN IMMEDIATE
	read  *sql.DB // several connections; read-only
	now   attesta.Clock

	mu    sync.Mutex
	stmts map[*sql.DB]map[string]*sql.Stmt // hot statements, prepared once per pool
}

// hotWrites and hotReads are the statements prepared once, on the writer
// and on the readers: parsing dominates the cost of a small query
// otherwise (the log's appends, proofs and tiles).
var (
	hotWrites = []string{appendNextLeaf, appendInsertEntry}
	hotReads  = []string{logSizes, logPacks, logPending, logTreeHashes}
)

// prepareHot prepares the hot statements of a pool, if not done yet. It
// runs before a transaction takes a connection (preparing inside one would
// wait forever for the writer's only connection), and fails quietly before
// the schema exists: callers then prepare in their transaction.
func (db *DB) prepareHot(ctx context.Context, pool *sql.DB, queries []string) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.stmts == nil {
		db.stmts = map[*sql.DB]map[string]*sql.Stmt{}
	}
	if db.stmts[pool] != nil {
		return
	}
	stmts := map[string]*sql.Stmt{}
	for _, q := range queries {
		st, err := pool.PrepareContext(ctx, q)
		if err != nil {
			for _, st := range stmts {
				st.Close()
			}
			return
		}
		stmts[q] = st
	}
	db.stmts[pool] = stmts
}

// stmt returns query as a statement of tx, on pool: the prepared one if
// there is one, else prepared in tx.
func (db *DB) stmt(ctx context.Context, pool *sql.DB, tx *sql.Tx, query string) (*sql.Stmt, error) {
	db.mu.Lock()
	st := db.stmts[pool][query]
	db.mu.Unlock()
	if st != nil {
		return tx.StmtContext(ctx, st), nil
	}
	return tx.PrepareContext(ctx, query)
}

// Open opens (creating if needed) the database file at path. It does not
// migrate; call Migrate.
func Open(ctx context.Context, path string, now attesta.Clock) (*DB, error) {
	w := url.Values{}
	w.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	w.Add("_pragma", "journal_mode(WAL)")
	w.Add("_pragma", "foreign_keys(1)")
	w.Add("_pragma", "synchronous(NORMAL)")
	w.Set("_txlock", "immediate")
	write, err := sql.Open("sqlite", "file:"+path+"?"+w.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	// Create the file and switch it to WAL before readers open it.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	r := url.Values{}
	r.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	r.Add("_pragma", "foreign_keys(1)")
	r.Add("_pragma", "query_only(1)")
	read, err := sql.Open("sqlite", "file:"+path+"?"+r.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	read.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	return &DB{write: write, read: read, now: now}, nil
}

// Close closes the database.
func (db *DB) Close() error {
	db.mu.Lock()
	for _, pool := range db.stmts {
		for _, st := range pool {
			st.Close()
		}
	}
	db.stmts = nil
	db.mu.Unlock()
	return errors.Join(db.read.Close(), db.write.Close())
}

// Migrate applies every pending migration, each in its own transaction, and
// returns the schema version before and after.
func (db *DB) Migrate(ctx context.Context) (from, to int, err error) {
	ms, err := migration.Load(mustSub(migrationFiles, "migrations"))
	if err != nil {
		return 0, 0, err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`); err != nil {
		return 0, 0, fmt.Errorf("creating schema_migrations: %w", err)
	}
	from, err = db.schemaVersion(ctx)
	if err != nil {
		return 0, 0, err
	}
	if from > len(ms) {
		return from, from, fmt.Errorf("the database schema is at version %d, newer than this attesta knows (%d): upgrade attesta", from, len(ms))
	}
	for _, m := range ms[from:] {
		err := db.update(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, formatTime(db.now()))
			return err
		})
		if err != nil {
			return from, 0, fmt.Errorf("applying migration %s: %w", m.Name, err)
		}
	}
	return from, len(ms), nil
}

func (db *DB) schemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return v, nil
}

// Ready reports whether the database answers and its schema is current.
func (db *DB) Ready(ctx context.Context) error {
	ms, err := migration.Load(mustSub(migrationFiles, "migrations"))
	if err != nil {
		return err
	}
	var v int
	if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if v != len(ms) {
		return fmt.Errorf("schema is at version %d, want %d: run attesta migrate", v, len(ms))
	}
	return nil
}

// Meta returns the value stored under key, or "" and false.
func (db *DB) Meta(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := db.read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading meta %s: %w", key, err)
	}
	return v, true, nil
}

// SetMeta stores value under key.
func (db *DB) SetMeta(ctx context.Context, key, value string) error {
	return db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}

// update runs fn in a write transaction, committing if it returns nil.
func (db *DB) update(ctx context.Context, fn func(*sql.Tx) error) error {
	db.prepareHot(ctx, db.write, hotWrites)
	tx, err := db.write.BeginTx(ctx, nil)
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

// view runs fn in a read transaction, which sees one snapshot.
func (db *DB) view(ctx context.Context, fn func(*sql.Tx) error) error {
	db.prepareHot(ctx, db.read, hotReads)
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// isConstraint reports whether err is a UNIQUE or PRIMARY KEY violation.
func isConstraint(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// isForeignKey reports whether err is a FOREIGN KEY violation: the row refers
// to one that does not exist. Check it before isConstraint, which it implies.
func isForeignKey(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) { return time.Parse(timeLayout, s) }

// formatNullTime stores the zero time as NULL.
func formatNullTime(t time.Time) sql.NullString {
	if t.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: formatTime(t), Valid: true}
}

// parseNullTime reads NULL as the zero time.
func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic("sqlite: " + err.Error())
	}
	return sub
}
