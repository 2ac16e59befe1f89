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

type conn struct{ tx *sql.Tx }

func (c conn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := c.tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (c conn) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	rows, err := c.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (c conn) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return c.tx.QueryRowContext(ctx, q, args...)
}

func (c conn) NoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

type runner struct{ db *DB }

func (r runner) View(ctx context.Context, fn func(*sqlstore.Tx) error) error {
	return r.db.view(ctx, func(tx *sql.Tx) error { return fn(sqlstore.New(conn{tx}, dialect)) })
}

func (r runner) Update(ctx context.Context, fn func(*sqlstore.Tx) error) error {
	return r.db.update(ctx, func(tx *sql.Tx) error { return fn(sqlstore.New(conn{tx}, dialect)) })
}

// Organisations returns the store of the organisations.
func (db *DB) Organisations() org.Store { return sqlstore.Orgs{R: runner{db}} }

// People returns the store of people, roles and classes.
func (db *DB) People() people.Store { return sqlstore.People{R: runner{db}} }

// Accounts returns the store of accounts, sessions and tokens.
func (db *DB) Accounts() account.Store { return sqlstore.Accounts{R: runner{db}} }

// Audit returns the audit trail.
func (db *DB) Audit() audit.Store { return sqlstore.Audit{R: runner{db}} }
