// Package sqlite stores attesta's data in an embedded SQLite database
// (modernc.org/sqlite, pure Go, no cgo).
//
// The database runs in WAL mode with foreign keys on and a busy timeout.
// Writes go through a pool of one connection whose transactions begin
// IMMEDIATE, so concurrent writers in this process queue instead of failing
// with "database is locked", and writers in other processes wait for the
// busy timeout; reads use a separate pool and never block on writers.
//
// The stores are those of storage/internal/sqlstore, shared with
// PostgreSQL; this package holds what SQLite does its own way: the two
// pools, statements prepared once (the driver parses each statement anew),
// the migrations, the dialect, and the append to the transparency log.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/storage"
	"github.com/attesta/attesta/storage/internal/sqlstore"
	"github.com/attesta/attesta/storage/migration"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// BusyTimeout is how long a write waits for another process's write lock.
const BusyTimeout = 10 * time.Second

// DB is an open SQLite database. Its stores (Organisations, People, Log…)
// are those of storage/internal/sqlstore.
type DB struct {
	*sqlstore.DB
	path  string  // of the database file
	write *sql.DB // one connection; BEGIN IMMEDIATE
	read  *sql.DB // several connections; read-only
	now   attesta.Clock

	mu    sync.Mutex
	stmts map[*sql.DB]map[string]stmt // prepared once per pool
}

var _ storage.DB = (*DB)(nil)

// dialect is how SQLite's SQL differs from PostgreSQL's.
var dialect = &sqlstore.Dialect{
	Time: func(t time.Time) any { return formatTime(t) },
	// A CHECK or NOT NULL violation is reported as a conflict too, as it
	// always was here; foreign keys are told apart.
	IsUnique:     func(err error) bool { return isConstraint(err) && !isForeignKey(err) },
	IsForeignKey: isForeignKey,
	Blob:         "BLOB",
	True:         "1",
	Int64s: func(col, ph string, values []int64) (string, any) {
		b, _ := json.Marshal(values) // of int64s: cannot fail
		return col + ` IN (SELECT value FROM json_each(` + ph + `))`, string(b)
	},
}

// Open opens (creating if needed) the database file at path. It does not
// migrate; call Migrate.
func Open(ctx context.Context, path string, now attesta.Clock) (*DB, error) {
	w := url.Values{}
	w.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	w.Add("_pragma", "journal_mode(WAL)")
	w.Add("_pragma", "foreign_keys(1)")
	w.Add("_pragma", "synchronous(NORMAL)")
	// Deleted content is overwritten, not only unlinked: an import's
	// uploaded file (personal data) is gone from the file once its job ends.
	w.Add("_pragma", "secure_delete(1)")
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
	db := &DB{path: path, write: write, read: read, now: now}
	db.DB = sqlstore.New(sqlstore.Config{Engine: engine{db}, Dialect: dialect, Now: now, Migrations: mustSub(migrationFiles, "migrations")})
	return db, nil
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
	if err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&from); err != nil {
		return 0, 0, fmt.Errorf("reading schema version: %w", err)
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

// update runs fn in a write transaction, committing if it returns nil:
// for the migrations and the tests, which write outside the stores.
func (db *DB) update(ctx context.Context, fn func(*sql.Tx) error) error {
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

// isConstraint reports whether err is a constraint violation.
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

func formatTime(t time.Time) string { return t.UTC().Format(sqlstore.TimeLayout) }

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic("sqlite: " + err.Error())
	}
	return sub
}

// Backup writes a consistent copy of the database to a new file at path,
// while the database is in use: SQLite's VACUUM INTO, which reads one
// snapshot (writers go on meanwhile) and writes it compacted, with the
// latest commits that a copy of the file would miss while they wait in the
// write-ahead log. The copy is synced to the disk before Backup returns.
// path must not exist.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("backup: %s exists", path)
	}
	// A connection of its own: the writer's would hold back every write
	// while the copy is made, and the readers' are query_only.
	src, err := sql.Open("sqlite", "file:"+db.path+"?"+url.Values{"_pragma": {fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds())}}.Encode())
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: syncing %s: %w", path, err)
	}
	return nil
}
