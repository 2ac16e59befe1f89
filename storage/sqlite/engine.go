package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/attesta/attesta/storage/internal/sqlstore"
)

// engine runs the shared stores' statements on the two pools, through
// database/sql. modernc.org/sqlite parses a statement each time it is
// run, which costs more than running a small one, so statements are
// prepared once: the reads of one statement (the log's proofs and tiles,
// the issuers, the credentials) once per read connection, the log's
// appends once on the writer, and every other statement once per
// transaction (an import runs the same few for every row).
type engine struct{ db *DB }

var _ sqlstore.Engine = engine{}

// maxOnce bounds the statements kept prepared for Once: its callers run a
// few constant statements, but nothing stops another from building them.
const maxOnce = 64

// The append to the transparency log, prepared once on the writer: the
// counter's read and increment are one statement, and the single writer
// runs one append at a time.
const (
	appendNextLeaf    = `UPDATE log_state SET entries = entries + 1 WHERE id = 1 RETURNING entries - 1`
	appendInsertEntry = `INSERT INTO log_entries (leaf_index, entry) VALUES ($1, $2)`
)

// View implements sqlstore.Engine.
func (e engine) View(ctx context.Context, fn func(sqlstore.Conn) error) error {
	tx, err := e.db.read.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	defer tx.Rollback()
	return fn(&txConn{tx: tx, db: e.db, pool: e.db.read})
}

// Update implements sqlstore.Engine: the writer's transactions begin
// IMMEDIATE (Open), so they run one at a time.
func (e engine) Update(ctx context.Context, fn func(sqlstore.Conn) error) error {
	// Prepared before the transaction takes the writer's only connection,
	// which preparing inside it would wait for forever.
	e.db.prepare(ctx, e.db.write, appendNextLeaf, appendInsertEntry)
	return e.db.update(ctx, func(tx *sql.Tx) error { return fn(&txConn{tx: tx, db: e.db, pool: e.db.write}) })
}

// Once implements sqlstore.Engine.
func (e engine) Once() sqlstore.Conn { return onceConn(e) }

// AppendLog implements sqlstore.Engine: SQLite has no UPDATE in a WITH,
// so two statements, each prepared once.
func (e engine) AppendLog(ctx context.Context, c sqlstore.Conn, entry []byte) (int64, error) {
	var leaf int64
	err := c.QueryRow(ctx, appendNextLeaf).Scan(&leaf)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errors.New("appending to the transparency log: its state row is missing")
	}
	if err != nil {
		return 0, fmt.Errorf("appending to the transparency log: %w", err)
	}
	if _, err := c.Exec(ctx, appendInsertEntry, leaf, entry); err != nil {
		return 0, fmt.Errorf("appending log entry %d: %w", leaf, err)
	}
	return leaf, nil
}

// prepare prepares queries on pool, those not prepared yet. It fails
// quietly, before the schema exists: the statements are then prepared
// where they run. It holds no lock while it waits for a connection, which
// on the writer may be in a transaction.
func (db *DB) prepare(ctx context.Context, pool *sql.DB, queries ...string) {
	for _, q := range queries {
		db.mu.Lock()
		_, done := db.stmts[pool][q]
		skip := done || len(db.stmts[pool]) >= maxOnce
		db.mu.Unlock()
		if skip {
			continue
		}
		pq, order := positional(q)
		st, err := pool.PrepareContext(ctx, pq)
		if err != nil {
			return
		}
		db.mu.Lock()
		if db.stmts == nil {
			db.stmts = map[*sql.DB]map[string]stmt{}
		}
		if db.stmts[pool] == nil {
			db.stmts[pool] = map[string]stmt{}
		}
		if _, done := db.stmts[pool][q]; !done {
			db.stmts[pool][q], st = stmt{st, order}, nil
		}
		db.mu.Unlock()
		if st != nil { // prepared meanwhile by another
			st.Close()
		}
	}
}

// prepared returns q prepared on pool, if it is.
func (db *DB) prepared(pool *sql.DB, q string) (stmt, bool) {
	db.mu.Lock()
	defer db.mu.Unlock()
	st, ok := db.stmts[pool][q]
	return st, ok
}

// stmt is a statement prepared with plain ? placeholders (positional),
// and the argument each takes.
type stmt struct {
	*sql.Stmt
	order []int // nil: the arguments in order
}

// args returns the arguments of a statement written with $N placeholders
// in the order of its ? placeholders.
func (st stmt) args(args []any) []any {
	if st.order == nil {
		return args
	}
	out := make([]any, len(st.order))
	for i, k := range st.order {
		if k < len(args) {
			out[i] = args[k]
		}
	}
	return out
}

// positional rewrites the $N placeholders of q as plain ?: for a named
// parameter ($N, and ?N too), modernc.org/sqlite copies its name each
// time it binds it, an allocation for every argument of every statement.
// order lists, for each ?, the index of the argument it takes; it is nil
// when q takes $1, $2… once each and in order. Quoted text is left as it
// is.
func positional(q string) (string, []int) {
	var b strings.Builder
	var order []int
	inOrder := true
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '$' && i+1 < len(q) && q[i+1] >= '1' && q[i+1] <= '9':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			n, _ := strconv.Atoi(q[i+1 : j])
			inOrder = inOrder && n == len(order)+1
			order = append(order, n-1)
			b.WriteByte('?')
			i = j - 1
			continue
		}
		b.WriteByte(c)
	}
	if inOrder {
		order = nil
	}
	return b.String(), order
}

// txConn runs statements in a transaction: those prepared on its pool, or
// prepared in the transaction, once.
type txConn struct {
	tx    *sql.Tx
	db    *DB
	pool  *sql.DB
	stmts map[string]stmt // closed with the transaction
}

func (c *txConn) stmt(ctx context.Context, q string) (stmt, error) {
	if st, ok := c.stmts[q]; ok {
		return st, nil
	}
	var st stmt
	if p, ok := c.db.prepared(c.pool, q); ok {
		st = stmt{c.tx.StmtContext(ctx, p.Stmt), p.order}
	} else {
		pq, order := positional(q)
		s, err := c.tx.PrepareContext(ctx, pq)
		if err != nil {
			return stmt{}, err
		}
		st = stmt{s, order}
	}
	if c.stmts == nil {
		c.stmts = map[string]stmt{}
	}
	c.stmts[q] = st
	return st, nil
}

func (c *txConn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(ctx, st.args(args)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (c *txConn) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, st.args(args)...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (c *txConn) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, st.args(args)...)
}

// onceConn runs each statement on its own: reads on the read pool,
// prepared once per connection; writes on the writer.
type onceConn struct{ db *DB }

func (c onceConn) stmt(ctx context.Context, q string) (stmt, bool) {
	if st, ok := c.db.prepared(c.db.read, q); ok {
		return st, true
	}
	c.db.prepare(ctx, c.db.read, q)
	return c.db.prepared(c.db.read, q)
}

func (c onceConn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := c.db.write.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (c onceConn) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	var rows *sql.Rows
	var err error
	if st, ok := c.stmt(ctx, q); ok {
		rows, err = st.QueryContext(ctx, st.args(args)...)
	} else {
		rows, err = c.db.read.QueryContext(ctx, q, args...)
	}
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (c onceConn) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	if st, ok := c.stmt(ctx, q); ok {
		return st.QueryRowContext(ctx, st.args(args)...)
	}
	return c.db.read.QueryRowContext(ctx, q, args...)
}

// sqlRows is database/sql's rows, closed without an error to report: Err
// says what went wrong.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// errRow is a row whose statement could not be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
