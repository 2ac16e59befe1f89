package sqlite

import (
	"context"
	"database/sql"
	"fmt"
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
