package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

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

// appendEntry appends entry to the log in tx and returns its leaf index.
// Writes are serialized by the single writer connection, so the counter's
// read and increment are one step; a rolled-back transaction takes its
// increment back with it.
const (
	logSizes = `SELECT (SELECT entries FROM log_state WHERE id = 1),
		(SELECT size FROM log_integrated WHERE id = 1),
		(SELECT COALESCE(MAX(size), 0) FROM log_checkpoints)`
	logPacks = `SELECT pack_no, entries FROM log_packs
		WHERE pack_no >= ? AND pack_no <= ? ORDER BY pack_no`
	logPending = `SELECT leaf_index, entry FROM log_entries
		WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index`
	logTreeHashes = `SELECT row_no, hashes FROM log_tree
		WHERE row_no IN (SELECT value FROM json_each(?))`
	appendNextLeaf    = `UPDATE log_state SET entries = entries + 1 WHERE id = 1 RETURNING entries - 1`
	appendInsertEntry = `INSERT INTO log_entries (leaf_index, entry) VALUES (?, ?)`
)

func (db *DB) appendEntry(ctx context.Context, tx *sql.Tx, entry []byte) (int64, error) {
	next, err := db.stmt(ctx, db.write, tx, appendNextLeaf)
	if err != nil {
		return 0, fmt.Errorf("appending to the transparency log: %w", err)
	}
	insert, err := db.stmt(ctx, db.write, tx, appendInsertEntry)
	if err != nil {
		return 0, fmt.Errorf("appending to the transparency log: %w", err)
	}
	var leaf int64
	err = next.QueryRowContext(ctx).Scan(&leaf)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errors.New("appending to the transparency log: its state row is missing")
	}
	if err != nil {
		return 0, fmt.Errorf("appending to the transparency log: %w", err)
	}
	if _, err := insert.ExecContext(ctx, leaf, entry); err != nil {
		return 0, fmt.Errorf("appending log entry %d: %w", leaf, err)
	}
	return leaf, nil
}

func (s logStore) Sizes(ctx context.Context) (notary.LogSizes, error) {
	var z notary.LogSizes
	err := s.db.view(ctx, func(tx *sql.Tx) error {
		st, err := s.db.stmt(ctx, s.db.read, tx, logSizes)
		if err != nil {
			return err
		}
		return st.QueryRowContext(ctx).Scan(&z.Entries, &z.Integrated, &z.Checkpointed)
	})
	if err != nil {
		return notary.LogSizes{}, fmt.Errorf("reading the sizes of the transparency log: %w", err)
	}
	return z, nil
}

// Entries reads the packs that hold [from, to) and then the pending
// entries, in one read transaction: a concurrent Integrate that moves
// entries from one to the other is seen entirely or not at all.
func (s logStore) Entries(ctx context.Context, from, to int64) ([][]byte, error) {
	if err := guard.LogRange(from, to); err != nil {
		return nil, err
	}
	out := make([][]byte, 0, to-from)
	err := s.db.view(ctx, func(tx *sql.Tx) error {
		packs, err := s.db.stmt(ctx, s.db.read, tx, logPacks)
		if err != nil {
			return err
		}
		rows, err := packs.QueryContext(ctx, from/notary.PackSize, (to-1)/notary.PackSize)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var pack int64
			var b []byte
			if err := rows.Scan(&pack, &b); err != nil {
				return err
			}
			if out, err = guard.Unpack(out, from, to, pack, b); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		next := from + int64(len(out))
		if next == to {
			return nil
		}
		pendingStmt, err := s.db.stmt(ctx, s.db.read, tx, logPending)
		if err != nil {
			return err
		}
		pending, err := pendingStmt.QueryContext(ctx, next, to)
		if err != nil {
			return err
		}
		defer pending.Close()
		for pending.Next() {
			var leaf int64
			var entry []byte
			if err := pending.Scan(&leaf, &entry); err != nil {
				return err
			}
			if want := from + int64(len(out)); leaf != want {
				return attesta.Errorf(attesta.NotFound, "log entry %d not found", want)
			}
			out = append(out, entry)
		}
		return pending.Err()
	})
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
	list, err := json.Marshal(rowList)
	if err != nil {
		return nil, err
	}
	found := make(map[int64][]byte, len(rowList))
	err = s.db.view(ctx, func(tx *sql.Tx) error {
		st, err := s.db.stmt(ctx, s.db.read, tx, logTreeHashes)
		if err != nil {
			return err
		}
		rows, err := st.QueryContext(ctx, string(list))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var i int64
			var h []byte
			if err := rows.Scan(&i, &h); err != nil {
				return err
			}
			found[i] = h
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("reading stored hashes: %w", err)
	}
	return guard.TreeHashes(indexes, found)
}

// Integrate runs under the single writer, so the checks of the integrated
// size and of the latest checkpoint, and the writes that depend on them,
// cannot interleave with another Integrate.
func (s logStore) Integrate(ctx context.Context, from, to int64, hashes []notary.TreeHash, cp *notary.StoredCheckpoint) error {
	if err := guard.Integrate(from, to, hashes, cp); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *sql.Tx) error {
		var z notary.LogSizes
		err := tx.QueryRowContext(ctx, logSizes).Scan(&z.Entries, &z.Integrated, &z.Checkpointed)
		if err != nil {
			return fmt.Errorf("reading the sizes of the transparency log: %w", err)
		}
		if err := guard.IntegrateSizes(z, from, to, cp); err != nil {
			return err
		}
		if err := s.pack(ctx, tx, from, to); err != nil {
			return err
		}
		if err := appendRows(ctx, tx, "log_tree", "row_no", "hashes", guard.TreeRows(from, hashes)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE log_integrated SET size = ? WHERE id = 1`, to); err != nil {
			return fmt.Errorf("recording the integrated size: %w", err)
		}
		if cp == nil {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO log_checkpoints (size, root, note, timestamp, created_at)
			VALUES (?, ?, ?, ?, ?)`, cp.Size, cp.Root[:], cp.Note, nullBytes(cp.Timestamp), formatTime(cp.CreatedAt))
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
func appendRows(ctx context.Context, tx *sql.Tx, table, key, col string, writes []guard.RowWrite) error {
	for _, w := range writes {
		var res sql.Result
		var err error
		if w.Before == 0 {
			res, err = tx.ExecContext(ctx, `INSERT INTO `+table+` (`+key+`, `+col+`) VALUES (?, ?)`, w.Row, w.Bytes)
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE `+table+` SET `+col+` = CAST(`+col+` || ? AS BLOB)
				WHERE `+key+` = ? AND length(`+col+`) = ?`, w.Bytes, w.Row, w.Before)
		}
		if err != nil {
			return fmt.Errorf("appending to %s row %d: %w", table, w.Row, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("appending to %s row %d: it does not hold %d bytes", table, w.Row, w.Before)
		}
	}
	return nil
}

// pack moves the pending entries [from, to) into their packs.
func (s logStore) pack(ctx context.Context, tx *sql.Tx, from, to int64) error {
	if from == to {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT leaf_index, entry FROM log_entries
		WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index`, from, to)
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
	if _, err := tx.ExecContext(ctx, `DELETE FROM log_entries WHERE leaf_index >= ? AND leaf_index < ?`, from, to); err != nil {
		return fmt.Errorf("removing packed log entries: %w", err)
	}
	return nil
}

func (s logStore) Checkpoint(ctx context.Context, size int64) (notary.StoredCheckpoint, error) {
	if size < -1 {
		return notary.StoredCheckpoint{}, attesta.Errorf(attesta.Invalid, "no checkpoint has size %d", size)
	}
	var cp notary.StoredCheckpoint
	err := s.db.view(ctx, func(tx *sql.Tx) error {
		var err error
		if size == -1 {
			cp, err = scanCheckpoint(tx.QueryRowContext(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints
				ORDER BY size DESC LIMIT 1`))
		} else {
			cp, err = scanCheckpoint(tx.QueryRowContext(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints
				WHERE size = ?`, size))
		}
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
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

func scanCheckpoint(row scanner) (notary.StoredCheckpoint, error) {
	var cp notary.StoredCheckpoint
	var root []byte
	var created string
	if err := row.Scan(&cp.Size, &root, &cp.Note, &cp.Timestamp, &created); err != nil {
		return notary.StoredCheckpoint{}, err
	}
	if len(root) != 32 {
		return notary.StoredCheckpoint{}, fmt.Errorf("the checkpoint of size %d has a root of %d bytes", cp.Size, len(root))
	}
	cp.Root = [32]byte(root)
	var err error
	cp.CreatedAt, err = parseTime(created)
	return cp, err
}

func (s logStore) Checkpoints(ctx context.Context) ([]int64, error) {
	var out []int64
	err := s.db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT size FROM log_checkpoints ORDER BY size`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var size int64
			if err := rows.Scan(&size); err != nil {
				return err
			}
			out = append(out, size)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("listing the checkpoints: %w", err)
	}
	return out, nil
}

func (s logStore) UpdateCheckpoint(ctx context.Context, cp notary.StoredCheckpoint) error {
	return s.db.update(ctx, func(tx *sql.Tx) error {
		old, err := scanCheckpoint(tx.QueryRowContext(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints
			WHERE size = ?`, cp.Size))
		if errors.Is(err, sql.ErrNoRows) {
			return attesta.Errorf(attesta.NotFound, "no checkpoint of size %d", cp.Size)
		}
		if err != nil {
			return fmt.Errorf("reading the checkpoint of size %d: %w", cp.Size, err)
		}
		if err := guard.UpdateCheckpoint(old, cp); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE log_checkpoints SET note = ?, timestamp = COALESCE(?, timestamp)
			WHERE size = ?`, cp.Note, nullBytes(cp.Timestamp), cp.Size); err != nil {
			return fmt.Errorf("updating the checkpoint of size %d: %w", cp.Size, err)
		}
		return nil
	})
}

func (s logStore) LogKey(ctx context.Context) ([]byte, bool, error) {
	var sealed []byte
	err := s.db.view(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT sealed FROM log_key WHERE id = 1`).Scan(&sealed)
	})
	if errors.Is(err, sql.ErrNoRows) {
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
	return s.db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO log_key (id, sealed, created_at) VALUES (1, ?, ?)`,
			sealed, formatTime(s.db.now()))
		if isConstraint(err) {
			return attesta.Errorf(attesta.Conflict, "the transparency log has a key")
		}
		if err != nil {
			return fmt.Errorf("storing the log key: %w", err)
		}
		return nil
	})
}

// nullBytes stores an empty byte slice as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
