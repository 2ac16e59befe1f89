package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/attesta/attesta/storage/internal/sqlstore"
)

// SetAllocated sets how many positions a status list has handed out, so that
// tests can reach the end of a list without allocating every position.
func SetAllocated(ctx context.Context, db *DB, issuerID string, list, n int) error {
	return db.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE status_lists SET allocated = ? WHERE issuer_id = ? AND list_no = ?`,
			n, issuerID, list)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("no status list %d of issuer %s", list, issuerID)
		}
		return nil
	})
}

// AppendLog appends entries to the transparency log as the credential store
// does, in one transaction, rolled back if fail is not nil.
func AppendLog(ctx context.Context, db *DB, entries [][]byte, fail error) error {
	return sqlstore.Update(ctx, db.DB, func(t *sqlstore.Tx) error {
		for _, e := range entries {
			if _, err := (engine{db}).AppendLog(ctx, t.Conn, e); err != nil {
				return err
			}
		}
		return fail
	})
}

// TableBytes returns the bytes of database pages each table takes, its
// indexes included, as dbstat counts them.
func TableBytes(ctx context.Context, db *DB, tables ...string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range tables {
		var n int64
		err := db.read.QueryRowContext(ctx, `SELECT COALESCE(SUM(d.pgsize), 0) FROM dbstat d
			JOIN sqlite_schema s ON s.name = d.name WHERE s.tbl_name = ?`, t).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("measuring %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

// Exec runs a statement in a write transaction, for tests that check what
// the schema refuses.
func Exec(ctx context.Context, db *DB, query string, args ...any) error {
	return db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	})
}
