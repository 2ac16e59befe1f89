package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/attesta/attesta/storage/internal/sqlstore"
)

// engine runs the shared stores' statements through pgx, natively: its
// statement cache prepares each statement once per connection, and it
// scans into the stores' types (sql.Scanner included) without database/sql
// in between, which cost about 6 µs of CPU a statement (a goroutine for
// each query in a transaction, and the conversions to driver values):
// docs/design/storage.md.
type engine struct{ pool *pgxpool.Pool }

var _ sqlstore.Engine = engine{}

// View implements sqlstore.Engine: REPEATABLE READ, READ ONLY, so one
// snapshot for the whole use-case.
func (e engine) View(ctx context.Context, fn func(sqlstore.Conn) error) error {
	return pgx.BeginTxFunc(ctx, e.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead},
		func(tx pgx.Tx) error { return fn(conn{tx}) })
}

// Update implements sqlstore.Engine: READ COMMITTED, guarded by
// constraints, conditional updates and row locks (Dialect.ForUpdate).
func (e engine) Update(ctx context.Context, fn func(sqlstore.Conn) error) error {
	return pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error { return fn(conn{tx}) })
}

// Once implements sqlstore.Engine.
func (e engine) Once() sqlstore.Conn { return conn{e.pool} }

// appendQuery takes the next leaf index and stores the entry under it, in
// one statement and one round trip.
const appendQuery = `WITH next AS (UPDATE log_state SET entries = entries + 1 WHERE id = 1 RETURNING entries - 1 AS leaf)
	INSERT INTO log_entries (leaf_index, entry) SELECT leaf, $1 FROM next RETURNING leaf_index`

// AppendLog implements sqlstore.Engine. The UPDATE … RETURNING locks the
// log's state row until the transaction ends: concurrent appends queue on
// it, and each sees the counter the previous one left — incremented if it
// committed, unchanged if it rolled back. So leaf indexes are unique and
// without gaps, and entries become visible in leaf order.
func (e engine) AppendLog(ctx context.Context, c sqlstore.Conn, entry []byte) (int64, error) {
	var leaf int64
	err := c.QueryRow(ctx, appendQuery, entry).Scan(&leaf)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, errors.New("appending to the transparency log: its state row is missing")
	}
	if err != nil {
		return 0, fmt.Errorf("appending to the transparency log: %w", err)
	}
	return leaf, nil
}

// querier is what a pool and a transaction of pgx both run statements
// with.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// conn is a sqlstore.Conn of pgx: its rows are sqlstore.Rows as they are,
// and pgx.ErrNoRows is sql.ErrNoRows to errors.Is.
type conn struct{ q querier }

func (c conn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := c.q.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (c conn) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	return c.q.Query(ctx, q, args...)
}

func (c conn) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Row {
	return c.q.QueryRow(ctx, q, args...)
}
