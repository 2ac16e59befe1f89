package sqlstore

import (
	"context"
	"fmt"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/tlog/witness"
	"github.com/attesta/attesta/storage/internal/guard"
)

// witnessState is the witness.DurableStore: the latest checkpoint cosigned
// for each log followed, and the witness's sealed key.
type witnessState struct{ db *DB }

// Latest implements witness.Store.
func (s witnessState) Latest(ctx context.Context, origin string) (size int64, root [32]byte, found bool, err error) {
	var r []byte
	err = s.db.readRow(ctx, `SELECT size, root FROM witness_logs WHERE origin = $1`, origin).Scan(&size, &r)
	if noRows(err) {
		return 0, root, false, nil
	}
	if err != nil {
		return 0, root, false, fmt.Errorf("reading the witnessed state of %s: %w", origin, err)
	}
	if len(r) != 32 {
		return 0, root, false, fmt.Errorf("the witnessed root of %s has %d bytes", origin, len(r))
	}
	return size, [32]byte(r), true, nil
}

// Update implements witness.Store: a compare-and-swap. The row is locked
// (Dialect.ForUpdate; in SQLite, the single writer) or, for a new log, the
// insert conflicts, so that concurrent updates serialize.
func (s witnessState) Update(ctx context.Context, origin string, oldSize, newSize int64, newRoot [32]byte, note []byte) error {
	if err := guard.Witnessed(origin, oldSize, newSize, note); err != nil {
		return err
	}
	return Update(ctx, s.db, func(t *Tx) error {
		var size int64
		err := t.QueryRow(ctx, `SELECT size FROM witness_logs WHERE origin = $1`+t.d.ForUpdate, origin).Scan(&size)
		switch {
		case noRows(err):
			if oldSize != 0 {
				return fmt.Errorf("%w: %s is at size 0, expected %d", witness.ErrConflict, origin, oldSize)
			}
			_, err = t.Exec(ctx, `INSERT INTO witness_logs (origin, size, root, note, updated_at) VALUES ($1, $2, $3, $4, $5)`,
				origin, newSize, newRoot[:], note, t.at(s.db.now()))
			if t.d.IsUnique(err) {
				return fmt.Errorf("%w: %s was recorded meanwhile", witness.ErrConflict, origin)
			}
		case err != nil:
			return fmt.Errorf("reading the witnessed state of %s: %w", origin, err)
		case size != oldSize:
			return fmt.Errorf("%w: %s is at size %d, expected %d", witness.ErrConflict, origin, size, oldSize)
		default:
			_, err = t.Exec(ctx, `UPDATE witness_logs SET size = $2, root = $3, note = $4, updated_at = $5 WHERE origin = $1`,
				origin, newSize, newRoot[:], note, t.at(s.db.now()))
		}
		if err != nil {
			return fmt.Errorf("recording the witnessed checkpoint of %s at size %d: %w", origin, newSize, err)
		}
		return nil
	})
}

// Key implements witness.DurableStore.
func (s witnessState) Key(ctx context.Context) (sealed []byte, found bool, err error) {
	err = s.db.readRow(ctx, `SELECT sealed FROM witness_key WHERE id = 1`).Scan(&sealed)
	if noRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading the witness key: %w", err)
	}
	return sealed, true, nil
}

// SetKey implements witness.DurableStore.
func (s witnessState) SetKey(ctx context.Context, sealed []byte) error {
	if err := guard.LogKey(sealed); err != nil {
		return err
	}
	return Update(ctx, s.db, func(t *Tx) error {
		_, err := t.Exec(ctx, `INSERT INTO witness_key (id, sealed, created_at) VALUES (1, $1, $2)`, sealed, t.at(s.db.now()))
		if t.d.IsUnique(err) {
			return attesta.E(attesta.Conflict, "err.storage.witness.haskey")
		}
		if err != nil {
			return fmt.Errorf("storing the witness key: %w", err)
		}
		return nil
	})
}
