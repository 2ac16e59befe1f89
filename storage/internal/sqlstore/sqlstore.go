// Package sqlstore implements every store of attesta once, for both
// engines, on database/sql: SQLite through modernc.org/sqlite, PostgreSQL
// through pgx's database/sql driver (github.com/jackc/pgx/v5/stdlib).
//
// The SQL is the subset the two engines share, with $1, $2… placeholders,
// which both accept. What differs is said by the engine: in a [Dialect]
// (how times are stored, which error is a constraint violation, how rows
// are locked, whether a failed statement aborts the transaction) and in a
// [Config] (its connection pools and transaction options, and the few
// statements of the transparency log's hot path it writes its own way).
// The schema is each engine's own, in its migrations (storage/sqlite,
// storage/postgres).
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
	"sync"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/storage/migration"
)

// Config is what an engine gives the shared stores.
type Config struct {
	// Write is the pool of read-write transactions, begun with WriteTx.
	Write   *sql.DB
	WriteTx *sql.TxOptions
	// Read is the pool of read-only transactions, begun with ReadTx, and
	// of the reads of one statement, which run outside any transaction
	// (one statement sees one snapshot). It may be Write.
	Read   *sql.DB
	ReadTx *sql.TxOptions
	// Dialect is how the engine's SQL differs.
	Dialect *Dialect
	// Now is the clock of the times the stores set themselves.
	Now attesta.Clock
	// Migrations are the engine's migrations: Ready checks the schema is
	// at the last one.
	Migrations fs.FS
	// AppendLog appends entry to the transparency log in t and returns its
	// leaf index: the log's hot path, each engine in its fewest round trips
	// (one statement in PostgreSQL, two prepared ones in SQLite). Leaf
	// indexes are unique and without gaps: the counter in log_state is
	// taken in t, so concurrent appends queue on it (the row lock in
	// PostgreSQL, the single writer in SQLite) and a rolled-back
	// transaction takes its increment back. Callers append last, just
	// before committing, to hold the lock briefly.
	AppendLog func(ctx context.Context, t *Tx, entry []byte) (int64, error)
	// HotWrites are the statements of AppendLog, prepared once on the
	// Write pool if the dialect prepares (Dialect.Prepare): in SQLite,
	// preparing them costs more than running them.
	HotWrites []string
}

// DB is a database of either engine. It gives each domain its store.
type DB struct {
	c Config
	d *Dialect
	// hotReads and hotWrites are the statements prepared once per pool:
	// the log's reads and its appends, when the dialect prepares.
	hotReads, hotWrites []string

	mu  sync.Mutex
	hot map[*sql.DB]map[string]*sql.Stmt // by pool
}

// New returns the stores over the pools of c.
func New(c Config) *DB {
	db := &DB{c: c, d: c.Dialect}
	if db.d.Prepare {
		treeRows, _ := db.treeRows(nil)
		db.hotReads = []string{logSizes, logEntries, treeRows}
		db.hotWrites = c.HotWrites
	}
	return db
}

// Close closes the pools.
func (db *DB) Close() error {
	db.mu.Lock()
	for _, pool := range db.hot {
		for _, st := range pool {
			st.Close()
		}
	}
	db.hot = nil
	db.mu.Unlock()
	if db.c.Read == db.c.Write {
		return db.c.Write.Close()
	}
	return errors.Join(db.c.Read.Close(), db.c.Write.Close())
}

// Ready reports whether the database answers and its schema is current.
func (db *DB) Ready(ctx context.Context) error {
	ms, err := migration.Load(db.c.Migrations)
	if err != nil {
		return err
	}
	var v int
	if err := db.c.Read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
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
	err := db.c.Read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&v)
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

// Update runs fn in a read-write transaction of db, committed if fn
// returns nil and rolled back otherwise.
func Update(ctx context.Context, db *DB, fn func(*Tx) error) error {
	return db.run(ctx, db.c.Write, db.c.WriteTx, db.hotWrites, fn)
}

// View runs fn in a read-only transaction of db, which sees one snapshot.
func View(ctx context.Context, db *DB, fn func(*Tx) error) error {
	return db.run(ctx, db.c.Read, db.c.ReadTx, db.hotReads, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, hot []string, fn func(*Tx) error) error {
	db.prepareHot(ctx, pool, hot)
	tx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer tx.Rollback()
	if err := fn(&Tx{tx: tx, db: db, d: db.d, pool: pool}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	return nil
}

// prepareHot prepares the hot statements of a pool, if not done yet. It
// runs before a transaction takes a connection (preparing inside one would
// wait forever for SQLite's only writer connection), and fails quietly
// before the schema exists: the statements are then prepared in each
// transaction.
func (db *DB) prepareHot(ctx context.Context, pool *sql.DB, queries []string) {
	if len(queries) == 0 {
		return
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.hot[pool] != nil {
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
	if db.hot == nil {
		db.hot = map[*sql.DB]map[string]*sql.Stmt{}
	}
	db.hot[pool] = stmts
}

// hotStmt returns the statement prepared on pool for q, or nil.
func (db *DB) hotStmt(pool *sql.DB, q string) *sql.Stmt {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.hot[pool][q]
}

// readRow runs a read of one row outside any transaction.
func (db *DB) readRow(ctx context.Context, q string, args ...any) *sql.Row {
	db.prepareHot(ctx, db.c.Read, db.hotReads)
	if st := db.hotStmt(db.c.Read, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.c.Read.QueryRowContext(ctx, q, args...)
}

// readRows runs a read of rows outside any transaction.
func (db *DB) readRows(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	db.prepareHot(ctx, db.c.Read, db.hotReads)
	if st := db.hotStmt(db.c.Read, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.c.Read.QueryContext(ctx, q, args...)
}

// Tx is one transaction of either engine.
type Tx struct {
	tx    *sql.Tx
	db    *DB
	d     *Dialect
	pool  *sql.DB
	stmts map[string]*sql.Stmt // closed with the transaction
}

// stmt returns q as a statement of t: the hot one of t's pool, or one
// prepared in t if the dialect prepares, once per transaction (an import
// runs the same few statements for every row, and parsing them again each
// time was most of its cost in SQLite); nil otherwise.
func (t *Tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st := t.stmts[q]; st != nil {
		return st, nil
	}
	var st *sql.Stmt
	if hot := t.db.hotStmt(t.pool, q); hot != nil {
		st = t.tx.StmtContext(ctx, hot)
	} else if !t.d.Prepare {
		return nil, nil
	} else {
		var err error
		if st, err = t.tx.PrepareContext(ctx, q); err != nil {
			return nil, err
		}
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[q] = st
	return st, nil
}

// Exec runs a statement in t and returns the number of rows it changed.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	var res sql.Result
	if st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = t.tx.ExecContext(ctx, q, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Query runs a query in t.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

// QueryRow runs a query of one row in t; its Scan returns sql.ErrNoRows if
// there is none.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) Row {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return errRow{err}
	}
	if st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}

// isolated runs a write whose failure the caller may handle (a Conflict)
// so that the transaction stays usable: inside a savepoint where a failed
// statement aborts the transaction (Dialect.Savepoints).
func (t *Tx) isolated(ctx context.Context, q string, args ...any) (int64, error) {
	if !t.d.Savepoints {
		return t.Exec(ctx, q, args...)
	}
	if _, err := t.tx.ExecContext(ctx, `SAVEPOINT isolated`); err != nil {
		return 0, err
	}
	n, err := t.Exec(ctx, q, args...)
	if err != nil {
		if _, rerr := t.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT isolated`); rerr != nil {
			return 0, errors.Join(err, rerr)
		}
		return 0, err
	}
	if _, err := t.tx.ExecContext(ctx, `RELEASE SAVEPOINT isolated`); err != nil {
		return 0, err
	}
	return n, nil
}

// Row is one row of a query.
type Row interface {
	Scan(dest ...any) error
}

// errRow is a row whose statement could not be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

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
