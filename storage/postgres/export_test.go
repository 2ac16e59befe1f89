package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SetAllocated sets how many positions a status list has handed out, so that
// tests can reach the end of a list without allocating every position.
func SetAllocated(ctx context.Context, db *DB, issuerID string, list, n int) error {
	return db.update(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE status_lists SET allocated = $1 WHERE issuer_id = $2 AND list_no = $3`,
			n, issuerID, list)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("no status list %d of issuer %s", list, issuerID)
		}
		return nil
	})
}
