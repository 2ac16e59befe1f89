package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/tlog/witness"
	"github.com/attesta/attesta/storage/internal/guard"
)

// Witness returns the store of the witness role: the latest checkpoint
// cosigned for each log followed, and the witness's sealed key.
func (db *DB) Witness() witness.DurableStore { return WitnessStore{db} }

// WitnessStore is a witness.Store that also keeps the witness's key.
type WitnessStore struct{ db *DB }

var _ witness.DurableStore = WitnessStore{}

// Latest implements witness.Store.
func (s WitnessStore) Latest(ctx context.Context, origin string) (size int64, root [32]byte, found bool, err error) {
	var r []byte
	err = s.db.pool.QueryRow(ctx, `SELECT size, root FROM witness_logs WHERE origin = $1`, origin).Scan(&size, &r)
	if errors.Is(err, pgx.ErrNoRows) {
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

// Update implements witness.Store: the row is locked (or, for a new log,
// the insert conflicts) so that concurrent updates serialize.
func (s WitnessStore) Update(ctx context.Context, origin string, oldSize, newSize int64, newRoot [32]byte, note []byte) error {
	if err := guard.Witnessed(origin, oldSize, newSize, note); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx pgx.Tx) error {
		var size int64
		err := tx.QueryRow(ctx, `SELECT size FROM witness_logs WHERE origin = $1 FOR UPDATE`, origin).Scan(&size)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			if oldSize != 0 {
				return fmt.Errorf("%w: %s is at size 0, expected %d", witness.ErrConflict, origin, oldSize)
			}
			_, err = tx.Exec(ctx, `INSERT INTO witness_logs (origin, size, root, note, updated_at) VALUES ($1, $2, $3, $4, $5)`,
				origin, newSize, newRoot[:], note, s.db.now())
			if isConstraint(err) {
				return fmt.Errorf("%w: %s was recorded meanwhile", witness.ErrConflict, origin)
			}
		case err != nil:
			return fmt.Errorf("reading the witnessed state of %s: %w", origin, err)
		case size != oldSize:
			return fmt.Errorf("%w: %s is at size %d, expected %d", witness.ErrConflict, origin, size, oldSize)
		default:
			_, err = tx.Exec(ctx, `UPDATE witness_logs SET size = $2, root = $3, note = $4, updated_at = $5 WHERE origin = $1`,
				origin, newSize, newRoot[:], note, s.db.now())
		}
		if err != nil {
			return fmt.Errorf("recording the witnessed checkpoint of %s at size %d: %w", origin, newSize, err)
		}
		return nil
	})
}

// Key returns the witness's sealed key; found is false if none was made.
func (s WitnessStore) Key(ctx context.Context) (sealed []byte, found bool, err error) {
	err = s.db.pool.QueryRow(ctx, `SELECT sealed FROM witness_key WHERE id = 1`).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading the witness key: %w", err)
	}
	return sealed, true, nil
}

// SetKey stores the witness's sealed key; a Conflict error if one exists.
func (s WitnessStore) SetKey(ctx context.Context, sealed []byte) error {
	if err := guard.LogKey(sealed); err != nil {
		return err
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO witness_key (id, sealed, created_at) VALUES (1, $1, $2)`, sealed, s.db.now())
	if isConstraint(err) {
		return attesta.Errorf(attesta.Conflict, "the witness has a key")
	}
	if err != nil {
		return fmt.Errorf("storing the witness key: %w", err)
	}
	return nil
}
