package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/storage/internal/sqlstore"
)

// The platform's stores share their SQL with PostgreSQL (package
// storage/internal/sqlstore); this file adapts SQLite's transactions.

var dialect = &sqlstore.Dialect{
	Time:         func(t time.Time) any { return formatTime(t) },
	IsUnique:     func(err error) bool { return isConstraint(err) && !isForeignKey(err) },
	IsForeignKey: isForeignKey,
}

// conn runs the platform's statements in one transaction, each prepared
// once per transaction: an import runs the same few statements for every
// row, and parsing them again each time was most of its cost.
type conn struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt // closed with the transaction
}

func newConn(tx *sql.Tx) *conn { return &conn{tx: tx, stmts: map[string]*sql.Stmt{}} }

func (c *conn) prepare(ctx context.Context, q string) (*sql.Stmt, error) {
	if st := c.stmts[q]; st != nil {
		return st, nil
	}
	st, err := c.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.stmts[q] = st
	return st, nil
}

func (c *conn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	st, err := c.prepare(ctx, q)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (c *conn) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	st, err := c.prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (c *conn) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	st, err := c.prepare(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// errRow is a row whose statement could not be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (c *conn) NoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

type runner struct{ db *DB }

func (r runner) View(ctx context.Context, fn func(*sqlstore.Tx) error) error {
	return r.db.view(ctx, func(tx *sql.Tx) error { return fn(sqlstore.New(newConn(tx), dialect)) })
}

func (r runner) Update(ctx context.Context, fn func(*sqlstore.Tx) error) error {
	return r.db.update(ctx, func(tx *sql.Tx) error { return fn(sqlstore.New(newConn(tx), dialect)) })
}

// Organisations returns the store of the organisations.
func (db *DB) Organisations() org.Store { return sqlstore.Orgs{R: runner{db}} }

// People returns the store of people, roles and classes.
func (db *DB) People() people.Store { return sqlstore.People{R: runner{db}} }

// Accounts returns the store of accounts, sessions and tokens.
func (db *DB) Accounts() account.Store { return sqlstore.Accounts{R: runner{db}} }

// Audit returns the audit trail.
func (db *DB) Audit() audit.Store { return sqlstore.Audit{R: runner{db}} }
