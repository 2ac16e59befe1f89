package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/storage/internal/guard"
	"github.com/attesta/attesta/storage/internal/hashrows"
)

// Log returns the store of the transparency log. Its entries are appended by
// the credential store (Credentials), in the transaction of the credential
// or status change they record.
func (db *DB) Log() notary.Store { return logStore{db} }

type logStore struct{ db *DB }

var _ notary.Store = logStore{}

// appendEntry appends entry to the log in tx and returns its leaf index. The
// UPDATE … RETURNING locks the log's state row until tx ends: concurrent
// appends queue on it, and each sees the counter the previous one left —
// incremented if it committed, unchanged if it rolled back. So leaf indexes
// are unique and without gaps, and entries become visible in leaf order.
// Callers append last, just before committing, to hold the lock briefly.
func appendEntry(ctx context.Context, tx pgx.Tx, entry []byte) (int64, error) {
	var leaf int64
	err := tx.QueryRow(ctx, `UPDATE log_state SET entries = entries + 1 WHERE id = 1 RETURNING entries - 1`).Scan(&leaf)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, errors.New("appending to the transparency log: its state row is missing")
	}
	if err != nil {
		return 0, fmt.Errorf("appending to the transparency log: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO log_entries (leaf_index, entry) VALUES ($1, $2)`, leaf, entry); err != nil {
		return 0, fmt.Errorf("appending log entry %d: %w", leaf, err)
	}
	return leaf, nil
}

func (s logStore) Sizes(ctx context.Context) (entries, checkpointed int64, err error) {
	err = s.db.view(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT (SELECT entries FROM log_state WHERE id = 1),
			(SELECT COALESCE(MAX(size), 0) FROM log_checkpoints)`).Scan(&entries, &checkpointed)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("reading the sizes of the transparency log: %w", err)
	}
	return entries, checkpointed, nil
}

func (s logStore) Entries(ctx context.Context, from, to int64) ([][]byte, error) {
	if err := guard.LogRange(from, to); err != nil {
		return nil, err
	}
	out := make([][]byte, 0, to-from)
	err := s.db.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT leaf_index, entry FROM log_entries
			WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index`, from, to)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var leaf int64
			var entry []byte
			if err := rows.Scan(&leaf, &entry); err != nil {
				return err
			}
			if want := from + int64(len(out)); leaf != want {
				return attesta.Errorf(attesta.NotFound, "log entry %d not found", want)
			}
			out = append(out, entry)
		}
		return rows.Err()
	})
	if err == nil && int64(len(out)) != to-from {
		err = attesta.Errorf(attesta.NotFound, "log entry %d not found", from+int64(len(out)))
	}
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("reading log entries [%d, %d): %w", from, to, err)
	}
	return out, nil
}

func (s logStore) ReadHashes(ctx context.Context, indexes []int64) ([][32]byte, error) {
	if len(indexes) == 0 {
		return [][32]byte{}, nil
	}
	need := map[int64][]byte{} // row → its bytes, once read
	for _, i := range indexes {
		if i < 0 {
			return nil, attesta.Errorf(attesta.Invalid, "no stored hash has index %d", i)
		}
		row, _ := hashrows.Locate(i)
		need[row] = nil
	}
	err := s.db.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT row_no, hashes FROM log_hashes WHERE row_no = ANY($1)`,
			slices.Collect(maps.Keys(need)))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var row int64
			var b []byte
			if err := rows.Scan(&row, &b); err != nil {
				return err
			}
			need[row] = b
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("reading stored hashes: %w", err)
	}
	out := make([][32]byte, len(indexes))
	for k, i := range indexes {
		row, off := hashrows.Locate(i)
		b := need[row]
		if off+32 > len(b) {
			return nil, attesta.Errorf(attesta.NotFound, "stored hash %d not found", i)
		}
		out[k] = [32]byte(b[off : off+32])
	}
	return out, nil
}

// Integrate first locks log_checkpoints against writes (SHARE ROW
// EXCLUSIVE: readers go on, appends of entries too), so that concurrent
// Integrate calls run one after the other and each sees, with the fresh
// snapshot of its next statement, the checkpoint the previous one stored.
func (s logStore) Integrate(ctx context.Context, from, to int64, hashes [][32]byte, cp notary.StoredCheckpoint) error {
	if err := guard.Integrate(from, to, hashes, cp); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE log_checkpoints IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("locking the checkpoints: %w", err)
		}
		var latest, entries int64
		if err := tx.QueryRow(ctx, `SELECT (SELECT COALESCE(MAX(size), 0) FROM log_checkpoints),
			(SELECT entries FROM log_state WHERE id = 1)`).Scan(&latest, &entries); err != nil {
			return fmt.Errorf("reading the sizes of the transparency log: %w", err)
		}
		if latest != from {
			return attesta.Errorf(attesta.Conflict, "integrating log entries from %d: the latest checkpoint has size %d", from, latest)
		}
		if to > entries {
			return attesta.Errorf(attesta.Invalid, "integrating log entries up to %d: only %d were appended", to, entries)
		}
		if err := appendHashes(ctx, tx, hashrows.StoredHashCount(from), hashes); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO log_checkpoints (size, root, note, timestamp, created_at)
			VALUES ($1, $2, $3, $4, $5)`, cp.Size, cp.Root[:], cp.Note, nullBytes(cp.Timestamp), cp.CreatedAt)
		if isConstraint(err) {
			return attesta.Errorf(attesta.Conflict, "a checkpoint of size %d exists", cp.Size)
		}
		if err != nil {
			return fmt.Errorf("storing the checkpoint of size %d: %w", cp.Size, err)
		}
		return nil
	})
}

// appendHashes stores hashes at stored indexes start, start+1, …, after
// checking that start is the number of hashes stored.
func appendHashes(ctx context.Context, tx pgx.Tx, start int64, hashes [][32]byte) error {
	var stored int64
	var row int64
	var length int
	err := tx.QueryRow(ctx, `SELECT row_no, octet_length(hashes) FROM log_hashes ORDER BY row_no DESC LIMIT 1`).Scan(&row, &length)
	switch {
	case err == nil:
		stored = hashrows.Count(row, length)
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("reading the stored hashes: %w", err)
	}
	if stored != start {
		return fmt.Errorf("the log stores %d hashes, its latest checkpoint needs %d", stored, start)
	}
	var newRows []int64
	var newBytes [][]byte
	for _, w := range hashrows.Plan(start, hashes) {
		if w.Before == 0 {
			newRows, newBytes = append(newRows, w.Row), append(newBytes, w.Bytes)
			continue
		}
		tag, err := tx.Exec(ctx, `UPDATE log_hashes SET hashes = hashes || $1 WHERE row_no = $2 AND octet_length(hashes) = $3`,
			w.Bytes, w.Row, w.Before)
		if err != nil {
			return fmt.Errorf("storing hashes in row %d: %w", w.Row, err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("storing hashes in row %d: it does not hold %d bytes", w.Row, w.Before)
		}
	}
	if len(newRows) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO log_hashes (row_no, hashes) SELECT * FROM unnest($1::bigint[], $2::bytea[])`,
			newRows, newBytes); err != nil {
			return fmt.Errorf("storing hashes in rows %d to %d: %w", newRows[0], newRows[len(newRows)-1], err)
		}
	}
	return nil
}

func (s logStore) Checkpoint(ctx context.Context, size int64) (notary.StoredCheckpoint, error) {
	if size < -1 {
		return notary.StoredCheckpoint{}, attesta.Errorf(attesta.Invalid, "no checkpoint has size %d", size)
	}
	var cp notary.StoredCheckpoint
	err := s.db.view(ctx, func(tx pgx.Tx) error {
		var err error
		if size == -1 {
			cp, err = scanCheckpoint(tx.QueryRow(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints
				ORDER BY size DESC LIMIT 1`))
		} else {
			cp, err = scanCheckpoint(tx.QueryRow(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints
				WHERE size = $1`, size))
		}
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		if size == -1 {
			return notary.StoredCheckpoint{}, attesta.Errorf(attesta.NotFound, "no checkpoint of the transparency log yet")
		}
		return notary.StoredCheckpoint{}, attesta.Errorf(attesta.NotFound, "no checkpoint of size %d", size)
	}
	if err != nil {
		return notary.StoredCheckpoint{}, fmt.Errorf("reading a checkpoint: %w", err)
	}
	return cp, nil
}

const checkpointColumns = `size, root, note, timestamp, created_at`

func scanCheckpoint(row pgx.Row) (notary.StoredCheckpoint, error) {
	var cp notary.StoredCheckpoint
	var root []byte
	if err := row.Scan(&cp.Size, &root, &cp.Note, &cp.Timestamp, &cp.CreatedAt); err != nil {
		return notary.StoredCheckpoint{}, err
	}
	if len(root) != 32 {
		return notary.StoredCheckpoint{}, fmt.Errorf("the checkpoint of size %d has a root of %d bytes", cp.Size, len(root))
	}
	cp.Root, cp.CreatedAt = [32]byte(root), cp.CreatedAt.UTC()
	return cp, nil
}

func (s logStore) Checkpoints(ctx context.Context) ([]int64, error) {
	var out []int64
	err := s.db.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT size FROM log_checkpoints ORDER BY size`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing the checkpoints: %w", err)
	}
	return out, nil
}

// UpdateCheckpoint locks the checkpoint's row while it compares the new
// note with the stored one.
func (s logStore) UpdateCheckpoint(ctx context.Context, cp notary.StoredCheckpoint) error {
	return s.db.update(ctx, func(tx pgx.Tx) error {
		old, err := scanCheckpoint(tx.QueryRow(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints
			WHERE size = $1 FOR UPDATE`, cp.Size))
		if errors.Is(err, pgx.ErrNoRows) {
			return attesta.Errorf(attesta.NotFound, "no checkpoint of size %d", cp.Size)
		}
		if err != nil {
			return fmt.Errorf("reading the checkpoint of size %d: %w", cp.Size, err)
		}
		if err := guard.UpdateCheckpoint(old, cp); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE log_checkpoints SET note = $1, timestamp = COALESCE($2, timestamp)
			WHERE size = $3`, cp.Note, nullBytes(cp.Timestamp), cp.Size); err != nil {
			return fmt.Errorf("updating the checkpoint of size %d: %w", cp.Size, err)
		}
		return nil
	})
}

func (s logStore) LogKey(ctx context.Context) ([]byte, bool, error) {
	var sealed []byte
	err := s.db.pool.QueryRow(ctx, `SELECT sealed FROM log_key WHERE id = 1`).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading the log key: %w", err)
	}
	return sealed, true, nil
}

func (s logStore) SetLogKey(ctx context.Context, sealed []byte) error {
	if err := guard.LogKey(sealed); err != nil {
		return err
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO log_key (id, sealed, created_at) VALUES (1, $1, $2)`, sealed, s.db.now())
	if isConstraint(err) {
		return attesta.Errorf(attesta.Conflict, "the transparency log has a key")
	}
	if err != nil {
		return fmt.Errorf("storing the log key: %w", err)
	}
	return nil
}

// nullBytes passes an empty byte slice as NULL.
func nullBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}
