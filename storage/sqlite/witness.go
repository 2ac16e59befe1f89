package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
	err = s.db.view(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT size, root FROM witness_logs WHERE origin = ?`, origin).Scan(&size, &r)
	})
	if errors.Is(err, sql.ErrNoRows) {
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

// Update implements witness.Store: a compare-and-swap under the single
// writer.
func (s WitnessStore) Update(ctx context.Context, origin string, oldSize, newSize int64, newRoot [32]byte, note []byte) error {
	if err := guard.Witnessed(origin, oldSize, newSize, note); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *sql.Tx) error {
		var size int64
		err := tx.QueryRowContext(ctx, `SELECT size FROM witness_logs WHERE origin = ?`, origin).Scan(&size)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("reading the witnessed state of %s: %w", origin, err)
		}
		if size != oldSize {
			return fmt.Errorf("%w: %s is at size %d, expected %d", witness.ErrConflict, origin, size, oldSize)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO witness_logs (origin, size, root, note, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note, updated_at = excluded.updated_at`,
			origin, newSize, newRoot[:], note, formatTime(s.db.now()))
		if err != nil {
			return fmt.Errorf("recording the witnessed checkpoint of %s at size %d: %w", origin, newSize, err)
		}
		return nil
	})
}

// Key returns the witness's sealed key; found is false if none was made.
func (s WitnessStore) Key(ctx context.Context) (sealed []byte, found bool, err error) {
	err = s.db.view(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT sealed FROM witness_key WHERE id = 1`).Scan(&sealed)
	})
	if errors.Is(err, sql.ErrNoRows) {
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
	return s.db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO witness_key (id, sealed, created_at) VALUES (1, ?, ?)`, sealed, formatTime(s.db.now()))
		if isConstraint(err) {
			return attesta.Errorf(attesta.Conflict, "the witness has a key")
		}
		if err != nil {
			return fmt.Errorf("storing the witness key: %w", err)
		}
		return nil
	})
}
