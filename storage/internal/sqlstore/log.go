package sqlstore

import (
	"bytes"
	"context"
	"fmt"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/storage/internal/guard"
)

// logStore is the notary.Store. Its entries are appended by the credential
// store (Config.AppendLog), in the transaction of the credential or status
// change they record.
type logStore struct{ db *DB }

// The log's reads that proofs and tiles make, one statement each, outside
// any transaction (Engine.Once).
const (
	logSizes = `SELECT (SELECT entries FROM log_state WHERE id = 1),
		(SELECT size FROM log_integrated WHERE id = 1),
		(SELECT COALESCE(MAX(size), 0) FROM log_checkpoints)`
	// logEntries reads the packs that hold [$3, $4) and the pending
	// entries in one statement: one snapshot, so a concurrent Integrate
	// that moves entries from one to the other is seen entirely or not at
	// all, and one round trip. Without an ORDER BY, which would sort every
	// row the two index scans return in order already: Entries places
	// each entry by its index.
	logEntries = `SELECT FALSE, pack_no, entries FROM log_packs WHERE pack_no >= $1 AND pack_no <= $2
		UNION ALL
		SELECT TRUE, leaf_index, entry FROM log_entries WHERE leaf_index >= $3 AND leaf_index < $4`
)

// treeRows is the statement that reads rows of log_tree, and how to pass
// their numbers.
func (db *DB) treeRows(rows []int64) (string, any) {
	cond, arg := db.d.Int64s("row_no", "$1", rows)
	return `SELECT row_no, hashes FROM log_tree WHERE ` + cond, arg
}

// Sizes implements notary.Store.
func (s logStore) Sizes(ctx context.Context) (notary.LogSizes, error) {
	var z notary.LogSizes
	if err := s.db.readRow(ctx, logSizes).Scan(&z.Entries, &z.Integrated, &z.Checkpointed); err != nil {
		return notary.LogSizes{}, fmt.Errorf("reading the sizes of the transparency log: %w", err)
	}
	return z, nil
}

// Entries implements notary.Store.
func (s logStore) Entries(ctx context.Context, from, to int64) ([][]byte, error) {
	if err := guard.LogRange(from, to); err != nil {
		return nil, err
	}
	out := make([][]byte, to-from)
	err := func() error {
		rows, err := s.db.readRows(ctx, logEntries, from/notary.PackSize, (to-1)/notary.PackSize, from, to)
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
				if err := guard.Place(out, from, to, n, b); err != nil {
					return err
				}
			} else if n >= from && n < to {
				out[n-from] = b
			}
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("reading log entries [%d, %d): %w", from, to, err)
	}
	for i, e := range out {
		if e == nil {
			return nil, attesta.E(attesta.NotFound, "err.notary.entry.notfound", from+int64(i))
		}
	}
	return out, nil
}

// ReadHashes implements notary.Store.
func (s logStore) ReadHashes(ctx context.Context, indexes []int64) ([][32]byte, error) {
	if len(indexes) == 0 {
		return [][32]byte{}, nil
	}
	rowList, err := guard.TreeRowsOf(indexes)
	if err != nil {
		return nil, err
	}
	found := make(map[int64][]byte, len(rowList))
	err = func() error {
		q, arg := s.db.treeRows(rowList)
		rows, err := s.db.readRows(ctx, q, arg)
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
	}()
	if err != nil {
		return nil, fmt.Errorf("reading stored hashes: %w", err)
	}
	return guard.TreeHashes(indexes, found)
}

// Integrate implements notary.Store. It first locks the integrated size's
// row (Dialect.ForUpdate; in SQLite the single writer), so that concurrent
// Integrate calls run one after the other and each sees what the previous
// one stored. Appends of entries go on meanwhile.
func (s logStore) Integrate(ctx context.Context, from, to int64, hashes []notary.TreeHash, cp *notary.StoredCheckpoint) error {
	if err := guard.Integrate(from, to, hashes, cp); err != nil {
		return err
	}
	return Update(ctx, s.db, func(t *Tx) error {
		if t.d.ForUpdate != "" {
			if _, err := t.Exec(ctx, `SELECT size FROM log_integrated WHERE id = 1`+t.d.ForUpdate); err != nil {
				return fmt.Errorf("locking the integrated size: %w", err)
			}
		}
		var z notary.LogSizes
		if err := t.QueryRow(ctx, logSizes).Scan(&z.Entries, &z.Integrated, &z.Checkpointed); err != nil {
			return fmt.Errorf("reading the sizes of the transparency log: %w", err)
		}
		if err := guard.IntegrateSizes(z, from, to, cp); err != nil {
			return err
		}
		if err := pack(ctx, t, from, to); err != nil {
			return err
		}
		if err := appendRows(ctx, t, "log_tree", "row_no", "hashes", guard.TreeRows(from, hashes)); err != nil {
			return err
		}
		if _, err := t.Exec(ctx, `UPDATE log_integrated SET size = $1 WHERE id = 1`, to); err != nil {
			return fmt.Errorf("recording the integrated size: %w", err)
		}
		if cp == nil {
			return nil
		}
		_, err := t.Exec(ctx, `INSERT INTO log_checkpoints (size, root, note, timestamp, created_at)
			VALUES ($1, $2, $3, $4, $5)`, cp.Size, cp.Root[:], cp.Note, nullBytes(cp.Timestamp), t.at(cp.CreatedAt))
		if t.d.IsUnique(err) {
			return attesta.E(attesta.Conflict, "err.storage.checkpoint.exists", cp.Size)
		}
		if err != nil {
			return fmt.Errorf("storing the checkpoint of size %d: %w", cp.Size, err)
		}
		return nil
	})
}

// appendRows makes the writes of an append to rows of packed items: table,
// key and col are constants of this package.
func appendRows(ctx context.Context, t *Tx, table, key, col string, writes []guard.RowWrite) error {
	for _, w := range writes {
		var n int64
		var err error
		if w.Before == 0 {
			n, err = t.Exec(ctx, `INSERT INTO `+table+` (`+key+`, `+col+`) VALUES ($1, $2)`, w.Row, w.Bytes)
		} else {
			// SQLite's || makes text of blobs: the CAST keeps a BLOB.
			n, err = t.Exec(ctx, `UPDATE `+table+` SET `+col+` = CAST(`+col+` || $1 AS `+t.d.Blob+`)
				WHERE `+key+` = $2 AND octet_length(`+col+`) = $3`, w.Bytes, w.Row, w.Before)
		}
		if err != nil {
			return fmt.Errorf("appending to %s row %d: %w", table, w.Row, err)
		}
		if n != 1 {
			return fmt.Errorf("appending to %s row %d: it does not hold %d bytes", table, w.Row, w.Before)
		}
	}
	return nil
}

// pack moves the pending entries [from, to) into their packs.
func pack(ctx context.Context, t *Tx, from, to int64) error {
	if from == to {
		return nil
	}
	rows, err := t.Query(ctx, `SELECT leaf_index, entry FROM log_entries
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
	if err := appendRows(ctx, t, "log_packs", "pack_no", "entries", guard.Packs(from, entries)); err != nil {
		return err
	}
	if _, err := t.Exec(ctx, `DELETE FROM log_entries WHERE leaf_index >= $1 AND leaf_index < $2`, from, to); err != nil {
		return fmt.Errorf("removing packed log entries: %w", err)
	}
	return nil
}

// Checkpoint implements notary.Store.
func (s logStore) Checkpoint(ctx context.Context, size int64) (notary.StoredCheckpoint, error) {
	if size < -1 {
		return notary.StoredCheckpoint{}, attesta.E(attesta.Invalid, "err.storage.checkpoint.size", size)
	}
	var row Row
	if size == -1 {
		row = s.db.readRow(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints ORDER BY size DESC LIMIT 1`)
	} else {
		row = s.db.readRow(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints WHERE size = $1`, size)
	}
	cp, err := scanCheckpoint(row)
	if noRows(err) {
		if size == -1 {
			return notary.StoredCheckpoint{}, attesta.E(attesta.NotFound, "err.storage.checkpoint.none")
		}
		return notary.StoredCheckpoint{}, attesta.E(attesta.NotFound, "err.storage.checkpoint.notfound", size)
	}
	if err != nil {
		return notary.StoredCheckpoint{}, fmt.Errorf("reading a checkpoint: %w", err)
	}
	return cp, nil
}

const checkpointColumns = `size, root, note, timestamp, created_at`

func scanCheckpoint(row Row) (notary.StoredCheckpoint, error) {
	var cp notary.StoredCheckpoint
	var root []byte
	if err := row.Scan(&cp.Size, &root, &cp.Note, &cp.Timestamp, tcol{&cp.CreatedAt}); err != nil {
		return notary.StoredCheckpoint{}, err
	}
	if len(root) != 32 {
		return notary.StoredCheckpoint{}, fmt.Errorf("the checkpoint of size %d has a root of %d bytes", cp.Size, len(root))
	}
	cp.Root = [32]byte(root)
	return cp, nil
}

// Checkpoints implements notary.Store.
func (s logStore) Checkpoints(ctx context.Context) ([]int64, error) {
	var out []int64
	err := func() error {
		rows, err := s.db.readRows(ctx, `SELECT size FROM log_checkpoints ORDER BY size`)
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
	}()
	if err != nil {
		return nil, fmt.Errorf("listing the checkpoints: %w", err)
	}
	return out, nil
}

// CheckpointsFrom implements notary.Store.
func (s logStore) CheckpointsFrom(ctx context.Context, size int64, limit int) ([]notary.StoredCheckpoint, error) {
	// A negative LIMIT is an error in PostgreSQL and none in SQLite: both
	// read nothing.
	limit = max(limit, 0)
	var out []notary.StoredCheckpoint
	err := func() error {
		rows, err := s.db.readRows(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints WHERE size >= $1 ORDER BY size LIMIT $2`, size, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			cp, err := scanCheckpoint(rows)
			if err != nil {
				return err
			}
			out = append(out, cp)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("reading the checkpoints from size %d: %w", size, err)
	}
	return out, nil
}

// UpdateCheckpoint implements notary.Store: it locks the checkpoint's row
// (Dialect.ForUpdate) while it compares the new note with the stored one.
func (s logStore) UpdateCheckpoint(ctx context.Context, cp notary.StoredCheckpoint) error {
	return Update(ctx, s.db, func(t *Tx) error {
		old, err := scanCheckpoint(t.QueryRow(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints
			WHERE size = $1`+t.d.ForUpdate, cp.Size))
		if noRows(err) {
			return attesta.E(attesta.NotFound, "err.storage.checkpoint.notfound", cp.Size)
		}
		if err != nil {
			return fmt.Errorf("reading the checkpoint of size %d: %w", cp.Size, err)
		}
		if err := guard.UpdateCheckpoint(old, cp); err != nil {
			return err
		}
		if _, err := t.Exec(ctx, `UPDATE log_checkpoints SET note = $1, timestamp = COALESCE($2, timestamp)
			WHERE size = $3`, cp.Note, nullBytes(cp.Timestamp), cp.Size); err != nil {
			return fmt.Errorf("updating the checkpoint of size %d: %w", cp.Size, err)
		}
		return nil
	})
}

// LogKey implements notary.Store.
func (s logStore) LogKey(ctx context.Context) ([]byte, bool, error) {
	var sealed []byte
	err := s.db.readRow(ctx, `SELECT sealed FROM log_key WHERE id = 1`).Scan(&sealed)
	if noRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading the log key: %w", err)
	}
	return sealed, true, nil
}

// SetLogKey implements notary.Store.
func (s logStore) SetLogKey(ctx context.Context, sealed []byte) error {
	if err := guard.LogKey(sealed); err != nil {
		return err
	}
	return Update(ctx, s.db, func(t *Tx) error {
		_, err := t.Exec(ctx, `INSERT INTO log_key (id, sealed, created_at) VALUES (1, $1, $2)`, sealed, t.at(s.db.now()))
		if t.d.IsUnique(err) {
			return attesta.E(attesta.Conflict, "err.storage.log.haskey")
		}
		if err != nil {
			return fmt.Errorf("storing the log key: %w", err)
		}
		return nil
	})
}

// Restore implements notary.Store.
func (s logStore) Restore(ctx context.Context, from int64, entries [][]byte, cp notary.StoredCheckpoint) error {
	for _, e := range entries {
		if err := guard.LogEntry(e); err != nil {
			return err
		}
	}
	if from < 0 || cp.Size < from+int64(len(entries)) || len(cp.Note) == 0 {
		return attesta.E(attesta.Invalid, "err.storage.log.restore", from, len(entries), cp.Size)
	}
	have, err := s.Entries(ctx, from, min(from+int64(len(entries)), s.appended(ctx)))
	if err != nil && attesta.ErrorCode(err) != attesta.NotFound {
		return err
	}
	for i, e := range have {
		if !bytes.Equal(e, entries[i]) {
			return attesta.E(attesta.Conflict, "err.storage.log.differs", from+int64(i))
		}
	}
	return Update(ctx, s.db, func(t *Tx) error {
		var appended int64
		if err := t.QueryRow(ctx, `SELECT entries FROM log_state WHERE id = 1`+t.d.ForUpdate).Scan(&appended); err != nil {
			return fmt.Errorf("reading the log's size: %w", err)
		}
		if appended < from {
			return attesta.E(attesta.Invalid, "err.storage.log.restore", from, len(entries), cp.Size)
		}
		for i := appended - from; i < int64(len(entries)); i++ {
			if _, err := t.Exec(ctx, `INSERT INTO log_entries (leaf_index, entry) VALUES ($1, $2)`, from+i, entries[i]); err != nil {
				return fmt.Errorf("restoring log entry %d: %w", from+i, err)
			}
		}
		if end := from + int64(len(entries)); end > appended {
			if _, err := t.Exec(ctx, `UPDATE log_state SET entries = $1 WHERE id = 1`, end); err != nil {
				return fmt.Errorf("restoring the log's size: %w", err)
			}
		}
		old, err := scanCheckpoint(t.QueryRow(ctx, `SELECT `+checkpointColumns+` FROM log_checkpoints WHERE size = $1`, cp.Size))
		switch {
		case err == nil && old.Root != cp.Root:
			return attesta.E(attesta.Conflict, "err.storage.log.differs", cp.Size)
		case err == nil:
			return nil
		case !noRows(err):
			return fmt.Errorf("reading the checkpoint of size %d: %w", cp.Size, err)
		}
		if _, err := t.Exec(ctx, `INSERT INTO log_checkpoints (size, root, note, timestamp, created_at)
			VALUES ($1, $2, $3, $4, $5)`, cp.Size, cp.Root[:], cp.Note, nullBytes(cp.Timestamp), t.at(cp.CreatedAt)); err != nil {
			return fmt.Errorf("restoring the checkpoint of size %d: %w", cp.Size, err)
		}
		return nil
	})
}

// appended is how many entries the log has, or 0 if it cannot say
// (Restore then compares nothing before its transaction, which checks).
func (s logStore) appended(ctx context.Context) int64 {
	z, err := s.Sizes(ctx)
	if err != nil {
		return 0
	}
	return z.Entries
}
