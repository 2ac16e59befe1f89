package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/storage/internal/sqlstore"
)

// The platform's stores share their SQL with SQLite (package
// storage/internal/sqlstore); this file adapts pgx's transactions.

var dialect = &sqlstore.Dialect{
	Dollar:       true,
	Time:         func(t time.Time) any { return t },
	IsUnique:     isConstraint,
	IsForeignKey: isForeignKey,
}

type conn struct{ tx pgx.Tx }

func (c conn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := c.tx.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (c conn) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	return c.tx.Query(ctx, q, args...)
}

func (c conn) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return c.tx.QueryRow(ctx, q, args...)
}

func (c conn) NoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

type runner struct{ db *DB }

func (r runner) View(ctx context.Context, fn func(*sqlstore.Tx) error) error {
	return r.db.view(ctx, func(tx pgx.Tx) error { return fn(sqlstore.New(conn{tx}, dialect)) })
}

func (r runner) Update(ctx context.Context, fn func(*sqlstore.Tx) error) error {
	return r.db.update(ctx, func(tx pgx.Tx) error { return fn(sqlstore.New(conn{tx}, dialect)) })
}

// Organisations returns the store of the organisations.
func (db *DB) Organisations() org.Store { return sqlstore.Orgs{R: runner{db}} }

// People returns the store of people, roles and classes.
func (db *DB) People() people.Store { return sqlstore.People{R: runner{db}} }

// Accounts returns the store of accounts, sessions and tokens.
func (db *DB) Accounts() account.Store { return sqlstore.Accounts{R: runner{db}} }

// Audit returns the audit trail.
func (db *DB) Audit() audit.Store { return sqlstore.Audit{R: runner{db}} }
