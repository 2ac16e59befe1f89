package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/storage/internal/guard"
)

// Log returns the store of the transparency log. Its entries are appended by
// the credential store (Credentials), in the transaction of the credential
// or status change they record.
func (db *DB) Log() notary.Store { return logStore{db} }

type logStore struct{ db *DB }

var _ notary.Store = logStore{}

// appendQuery takes the next leaf index and stores the entry under it.
const appendQuery = `WITH next AS (UPDATE log_state SET entries = entries + 1 WHERE id = 1 RETURNING entries - 1 AS leaf)
	INSERT INTO log_entries (leaf_index, entry) SELECT leaf, $1 FROM next RETURNING leaf_index`

// appendEntry appends entry to the log in tx and returns its leaf index. The
// UPDATE … RETURNING locks the log's state row until tx ends: concurrent
// appends queue on it, and each sees the counter the previous one left —
// incremented if it committed, unchanged if it rolled back. So leaf indexes
// are unique and without gaps, and entries become visible in leaf order.
// Callers append last, just before committing, to hold the lock briefly.
func appendEntry(ctx context.Context, tx pgx.Tx, entry []byte) (int64, error) {
	var leaf int64
	err := tx.QueryRow(ctx, appendQuery, entry).Scan(&leaf)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, errors.New("appending to the transparency log: its state row is missing")
	}
	if err != nil {
		return 0, fmt.Errorf("appending to the transparency log: %w", err)
	}
	return leaf, nil
}

func (s logStore) Sizes(ctx context.Context) (notary.LogSizes, error) {
	var z notary.LogSizes
	err := s.db.view(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, sizesQuery).Scan(&z.Entries, &z.Integrated, &z.Checkpointed)
	})
	if err != nil {
		return notary.LogSizes{}, fmt.Errorf("reading the sizes of the transparency log: %w", err)
	}
	return z, nil
}

const sizesQuery = `SELECT (SELECT entries FROM log_state WHERE id = 1),
	(SELECT size FROM log_integrated WHERE id = 1),
	(SELECT COALESCE(MAX(size), 0) FROM log_checkpoints)`

// Entries reads the packs that hold [from, to) and the pending entries in
// one statement, so one snapshot and one round trip: a concurrent Integrate
// that moves entries from one to the other is seen entirely or not at all.
func (s logStore) Entries(ctx context.Context, from, to int64) ([][]byte, error) {
	if err := guard.LogRange(from, to); err != nil {
		return nil, err
	}
	out := make([][]byte, 0, to-from)
	err := func() error {
		rows, err := s.db.pool.Query(ctx, `SELECT false, pack_no, entries FROM log_packs WHERE pack_no >= $1 AND pack_no <= $2
			UNION ALL
			SELECT true, leaf_index, entry FROM log_entries WHERE leaf_index >= $3 AND leaf_index < $4
			ORDER BY 1, 2`, from/notary.PackSize, (to-1)/notary.PackSize, from, to)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var pending bool
			var n int64
			var b []byte
			if err := rows.Scan(&pending, &n, &b); err != nil {
				return err
			}
			if !pending {
				if out, err = guard.Unpack(out, from, to, n, b); err != nil {
					return err
				}
				continue
			}
			if want := from + int64(len(out)); n != want {
				return attesta.Errorf(attesta.NotFound, "log entry %d not found", want)
			}
			out = append(out, b)
		}
		return rows.Err()
	}()
	if err == nil && int64(len(out)) != to-from {
		err = attesta.Errorf(attesta.NotFound, "log entry %d not found", from+int64(len(out)))
	}
	if err != nil && attesta.ErrorCode(err) != attesta.Internal {
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
	rowList, err := guard.TreeRowsOf(indexes)
	if err != nil {
		return nil, err
	}
	found := make(map[int64][]byte, len(rowList))
	rows, err := s.db.pool.Query(ctx, `SELECT row_no, hashes FROM log_tree WHERE row_no = ANY($1)`, rowList)
	if err != nil {
		return nil, fmt.Errorf("reading stored hashes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		var h []byte
		if err := rows.Scan(&i, &h); err != nil {
			return nil, fmt.Errorf("reading stored hashes: %w", err)
		}
		found[i] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading stored hashes: %w", err)
	}
	return guard.TreeHashes(indexes, found)
}

// Integrate first locks the integrated size's row, so that concurrent
// Integrate calls run one after the other and each sees, with the fresh
// snapshot of its next statements, what the previous one stored. Appends of
// entries go on meanwhile.
func (s logStore) Integrate(ctx context.Context, from, to int64, hashes []notary.TreeHash, cp *notary.StoredCheckpoint) error {
	if err := guard.Integrate(from, to, hashes, cp); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT size FROM log_integrated WHERE id = 1 FOR UPDATE`); err != nil {
			return fmt.Errorf("locking the integrated size: %w", err)
		}
		var z notary.LogSizes
		if err := tx.QueryRow(ctx, sizesQuery).Scan(&z.Entries, &z.Integrated, &z.Checkpointed); err != nil {
			return fmt.Errorf("reading the sizes of the transparency log: %w", err)
		}
		if err := guard.IntegrateSizes(z, from, to, cp); err != nil {
			return err
		}
		if err := pack(ctx, tx, from, to); err != nil {
			return err
		}
		if err := appendRows(ctx, tx, "log_tree", "row_no", "hashes", guard.TreeRows(from, hashes)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE log_integrated SET size = $1 WHERE id = 1`, to); err != nil {
			return fmt.Errorf("recording the integrated size: %w", err)
		}
		if cp == nil {
			return nil
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

// appendRows makes the writes of an append to rows of packed items: table,
// key and col are constants of this package.
func appendRows(ctx context.Context, tx pgx.Tx, table, key, col string, writes []guard.RowWrite) error {
	for _, w := range writes {
		var tag pgconn.CommandTag
		var err error
		if w.Before == 0 {
			tag, err = tx.Exec(ctx, `INSERT INTO `+table+` (`+key+`, `+col+`) VALUES ($1, $2)`, w.Row, w.Bytes)
		} else {
			tag, err = tx.Exec(ctx, `UPDATE `+table+` SET `+col+` = `+col+` || $1
				WHERE `+key+` = $2 AND octet_length(`+col+`) = $3`, w.Bytes, w.Row, w.Before)
		}
		if err != nil {
			return fmt.Errorf("appending to %s row %d: %w", table, w.Row, err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("appending to %s row %d: it does not hold %d bytes", table, w.Row, w.Before)
		}
	}
	return nil
}

// pack moves the pending entries [from, to) into their packs.
func pack(ctx context.Context, tx pgx.Tx, from, to int64) error {
	if from == to {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT leaf_index, entry FROM log_entries
		WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index`, from, to)
	if err != nil {
		return fmt.Errorf("reading pending log entries: %w", err)
	}
	var entries [][]byte
	for rows.Next() {
		var leaf int64
		var e []byte
		if err := rows.Scan(&leaf, &e); err != nil {
			rows.Close()
			return err
		}
		if leaf != from+int64(len(entries)) {
			rows.Close()
			return fmt.Errorf("pending log entry %d is missing", from+int64(len(entries)))
		}
		entries = append(entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if int64(len(entries)) != to-from {
		return fmt.Errorf("pending log entry %d is missing", from+int64(len(entries)))
	}
	if err := appendRows(ctx, tx, "log_packs", "pack_no", "entries", guard.Packs(from, entries)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM log_entries WHERE leaf_index >= $1 AND leaf_index < $2`, from, to); err != nil {
		return fmt.Errorf("removing packed log entries: %w", err)
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
