// Package sqlstore implements the platform's stores (organisations,
// people, accounts, the audit trail) once, for both engines. The SQL is
// the portable subset SQLite and PostgreSQL share; each engine adapts its
// transaction to [Tx] and says in a [Dialect] how it writes placeholders
// and times and how it reports constraint violations. The schema itself
// is each engine's own migration (storage/sqlite, storage/postgres).
//
// Why shared here and not for the credential and log stores: those are few
// hot statements tuned per engine (prepared statements, packed rows, one
// round trip per append); these are many plain CRUD statements whose SQL
// is the same on both engines, and writing them twice would only let them
// drift apart. The behaviour suite still runs against both engines.
package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Dialect is what differs between the engines.
type Dialect struct {
	// Dollar says placeholders are $1, $2… (PostgreSQL) instead of ?.
	Dollar bool
	// Time encodes a time for a column (the zero time is NULL).
	Time func(time.Time) any
	// IsUnique and IsForeignKey classify errors.
	IsUnique, IsForeignKey func(error) bool
}

// Rows is a result set.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is one row.
type Row interface {
	Scan(dest ...any) error
}

// Conn runs statements inside one transaction, with the engine's
// placeholders already in the query.
type Conn interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
	// NoRows reports whether err says a QueryRow found no row.
	NoRows(err error) bool
}

// Tx is a transaction of the platform's stores. It implements org.Writer,
// people.Writer, account.Writer and audit.Reader/Recorder.
type Tx struct {
	c Conn
	d *Dialect
}

// New returns the platform transaction over c.
func New(c Conn, d *Dialect) *Tx { return &Tx{c: c, d: d} }

// q rewrites ? placeholders as $n for PostgreSQL.
func (t *Tx) q(query string) string {
	if !t.d.Dollar {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (t *Tx) exec(ctx context.Context, query string, args ...any) (int64, error) {
	return t.c.Exec(ctx, t.q(query), args...)
}

func (t *Tx) query(ctx context.Context, query string, args ...any) (Rows, error) {
	return t.c.Query(ctx, t.q(query), args...)
}

func (t *Tx) row(ctx context.Context, query string, args ...any) Row {
	return t.c.QueryRow(ctx, t.q(query), args...)
}

// tm encodes a time.
func (t *Tx) tm(v time.Time) any {
	if v.IsZero() {
		return nil
	}
	return t.d.Time(v.UTC())
}

// tcol scans a time column of either engine: a time, a text in the SQLite
// layout, or NULL (the zero time).
type tcol struct{ t *time.Time }

// SQLiteTimeLayout is how the SQLite engine writes times.
const SQLiteTimeLayout = "2006-01-02T15:04:05.000000Z"

func (c tcol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = v.UTC()
	case string:
		t, err := time.Parse(SQLiteTimeLayout, v)
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

// in returns "(?, ?, …)" for n values and the values as args.
func in(values []string) (string, []any) {
	if len(values) == 0 {
		return "(NULL)", nil
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ") + ")", args
}

// like escapes s for a LIKE pattern with ESCAPE '\'.
func like(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(s)) + "%"
}
