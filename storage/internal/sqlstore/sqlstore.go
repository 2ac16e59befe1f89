// Package sqlstore implements every store of attesta once, for both
// engines: the SQL is the subset SQLite and PostgreSQL share, with $1,
// $2… placeholders, which both accept.
//
// What differs is said by the engine, in two parts. Its [Engine] runs
// statements in its own driver — database/sql over modernc.org/sqlite for
// SQLite, pgx for PostgreSQL — through the three methods of [Conn], and
// appends to the transparency log in its fewest round trips. Its
// [Dialect] says how times are stored, which error is which constraint,
// how rows are locked and whether a failed statement aborts the
// transaction. The schema is each engine's own, in its migrations
// (storage/sqlite, storage/postgres).
//
// Each domain declares the small Reader and Writer it uses; a transaction
// here is composed of the rows a domain reaches (orgRows, personRows,
// tableRows…) and is asserted to satisfy that domain's interfaces, and no
// more (stores.go). docs/design/storage.md says why it is built this way.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/storage/migration"
)

// Engine is what an engine does in its own driver.
type Engine interface {
	// View runs fn in a read-only transaction that sees one snapshot.
	View(ctx context.Context, fn func(Conn) error) error
	// Update runs fn in a read-write transaction, committed if fn returns
	// nil and rolled back otherwise. Concurrent Updates that write the
	// same rows run one after the other (SQLite's single writer;
	// PostgreSQL's row locks at READ COMMITTED).
	Update(ctx context.Context, fn func(Conn) error) error
	// Once runs each statement on its own, outside any transaction: for
	// the reads of one statement, which sees one snapshot — one round trip
	// in PostgreSQL instead of three.
	Once() Conn
	// AppendLog appends entry to the transparency log in c, a transaction
	// of Update, and returns its leaf index: the log's hot path, in the
	// engine's fewest statements (one in PostgreSQL; two prepared ones in
	// SQLite, which has no UPDATE in a WITH). Leaf indexes are unique and
	// without gaps: the counter in log_state is taken in c, so concurrent
	// appends queue on it (the row lock; the single writer) and a
	// rolled-back transaction takes its increment back. Callers append
	// last, just before committing, to hold the lock briefly.
	AppendLog(ctx context.Context, c Conn, entry []byte) (int64, error)
}

// Conn runs statements, with the engine's driver.
type Conn interface {
	// Exec runs a statement and returns the number of rows it changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// Query runs a query.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// QueryRow runs a query of one row; its Scan returns an error that
	// is sql.ErrNoRows (errors.Is) if there is none.
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// Rows is the result of a query.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Config is what an engine gives the shared stores.
type Config struct {
	Engine  Engine
	Dialect *Dialect
	// Now is the clock of the times the stores set themselves.
	Now attesta.Clock
	// Migrations are the engine's migrations: Ready checks the schema is
	// at the last one.
	Migrations fs.FS
}

// DB is a database of either engine. It gives each domain its store.
type DB struct {
	e   Engine
	d   *Dialect
	now attesta.Clock
	ms  fs.FS
}

// New returns the stores of c.Engine.
func New(c Config) *DB { return &DB{e: c.Engine, d: c.Dialect, now: c.Now, ms: c.Migrations} }

// Ready reports whether the database answers and its schema is current.
func (db *DB) Ready(ctx context.Context) error {
	ms, err := migration.Load(db.ms)
	if err != nil {
		return err
	}
	var v int
	if err := db.readRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
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
	err := db.readRow(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&v)
	if noRows(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading meta %s: %w", key, err)
	}
	return v, true, nil
}

// SetMeta stores value under key.
func (db *DB) SetMeta(ctx context.Context, key, value string) error {
	err := Update(ctx, db, func(t *Tx) error {
		_, err := t.Exec(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("writing meta %s: %w", key, err)
	}
	return nil
}

// AddMeta stores value under key unless one is there: a Conflict error.
func (db *DB) AddMeta(ctx context.Context, key, value string) error {
	err := Update(ctx, db, func(t *Tx) error {
		_, err := t.Exec(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2)`, key, value)
		if t.d.IsUnique(err) {
			return attesta.E(attesta.Conflict, "err.storage.meta.exists", key)
		}
		return err
	})
	if err != nil && attesta.ErrorCode(err) != attesta.Conflict {
		return fmt.Errorf("writing meta %s: %w", key, err)
	}
	return err
}

// Update runs fn in a read-write transaction of db, committed if fn
// returns nil and rolled back otherwise.
func Update(ctx context.Context, db *DB, fn func(*Tx) error) error {
	return db.e.Update(ctx, func(c Conn) error { return fn(&Tx{Conn: c, db: db, d: db.d}) })
}

// View runs fn in a read-only transaction of db, which sees one snapshot.
func View(ctx context.Context, db *DB, fn func(*Tx) error) error {
	return db.e.View(ctx, func(c Conn) error { return fn(&Tx{Conn: c, db: db, d: db.d}) })
}

// readRow runs a read of one row outside any transaction.
func (db *DB) readRow(ctx context.Context, q string, args ...any) Row {
	return db.e.Once().QueryRow(ctx, q, args...)
}

// readRows runs a read of rows outside any transaction.
func (db *DB) readRows(ctx context.Context, q string, args ...any) (Rows, error) {
	return db.e.Once().Query(ctx, q, args...)
}

// Tx is one transaction of either engine.
type Tx struct {
	Conn
	db *DB
	d  *Dialect
}

// isolated runs a write whose failure the caller may handle (a Conflict)
// so that the transaction stays usable: inside a savepoint where a failed
// statement aborts the transaction (Dialect.Savepoints).
func (t *Tx) isolated(ctx context.Context, q string, args ...any) (int64, error) {
	if !t.d.Savepoints {
		return t.Exec(ctx, q, args...)
	}
	if _, err := t.Exec(ctx, `SAVEPOINT isolated`); err != nil {
		return 0, err
	}
	n, err := t.Exec(ctx, q, args...)
	if err != nil {
		if _, rerr := t.Exec(ctx, `ROLLBACK TO SAVEPOINT isolated`); rerr != nil {
			return 0, errors.Join(err, rerr)
		}
		return 0, err
	}
	if _, err := t.Exec(ctx, `RELEASE SAVEPOINT isolated`); err != nil {
		return 0, err
	}
	return n, nil
}

// Row is one row of a query.
type Row interface {
	Scan(dest ...any) error
}

// noRows reports whether err says a query found no row.
func noRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// tm encodes a time for a column; the zero time is NULL.
func (t *Tx) tm(v time.Time) any { return t.d.tm(v) }

// at encodes a time for a NOT NULL column, the zero time included.
func (t *Tx) at(v time.Time) any { return t.d.Time(v.UTC()) }

func (d *Dialect) tm(v time.Time) any {
	if v.IsZero() {
		return nil
	}
	return d.Time(v.UTC())
}

// tcol scans a time column of either engine: a time, a text in
// TimeLayout, or NULL (the zero time).
type tcol struct{ t *time.Time }

// TimeLayout is how SQLite stores times: fixed-width UTC text with
// microseconds, the precision PostgreSQL keeps, so that both engines
// round-trip the same values and text order is time order.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

func (c tcol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = v.UTC()
	case string:
		t, err := time.Parse(TimeLayout, v)
		if err != nil {
			return fmt.Errorf("reading a time: %w", err)
		}
		*c.t = t
	case []byte:
		return c.Scan(string(v))
	default:
		return fmt.Errorf("reading a time from %T", v)
	}
	return nil
}

// nstr scans a text column that may be NULL.
type nstr struct{ s *string }

func (c nstr) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("reading a text from %T", v)
	}
	return nil
}

// null passes "" as NULL.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullBytes passes an empty byte slice as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// args collects the arguments of a query built piece by piece, and names
// their placeholders.
type args []any

// add appends v and returns its placeholder.
func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// in appends values and returns "($k, $k+1, …)", or "(NULL)" for none,
// which matches nothing.
func (a *args) in(values []string) string {
	if len(values) == 0 {
		return "(NULL)"
	}
	ph := make([]string, len(values))
	for i, v := range values {
		ph[i] = a.add(v)
	}
	return "(" + strings.Join(ph, ", ") + ")"
}

// like escapes s for a LIKE pattern with ESCAPE '\'.
func like(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(s)) + "%"
}
