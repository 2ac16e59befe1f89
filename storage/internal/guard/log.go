package guard

import (
	"bytes"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/notary"
)

// LogEntry checks a transparency-log entry about to be appended.
func LogEntry(b []byte) error {
	if len(b) != notary.EntrySize {
		return attesta.E(attesta.Invalid, "err.storage.log.entrysize", len(b), notary.EntrySize)
	}
	return nil
}

// Integrate checks the arguments of notary.Store.Integrate: a range, hashes
// at heights the store keeps, and a checkpoint, if any, of the new size
// with a note.
func Integrate(from, to int64, hashes []notary.TreeHash, cp *notary.StoredCheckpoint) error {
	switch {
	case from < 0 || to < from:
		return attesta.E(attesta.Invalid, "err.storage.log.range", from, to)
	case cp != nil && cp.Size != to:
		return attesta.E(attesta.Invalid, "err.storage.log.checkpointsize", from, to, cp.Size)
	case cp != nil && len(cp.Note) == 0:
		return attesta.E(attesta.Invalid, "err.storage.checkpoint.nonote", to)
	}
	lo, hi := tlog.StoredHashCount(from), tlog.StoredHashCount(to)
	want := 0
	for i := lo; i < hi; i++ {
		if level, _ := tlog.SplitStoredHashIndex(i); level >= notary.PackHeight {
			want++
		}
	}
	if len(hashes) != want {
		return attesta.E(attesta.Invalid, "err.storage.log.hashcount", from, to, want, len(hashes))
	}
	for i, h := range hashes {
		if level, _ := tlog.SplitStoredHashIndex(h.Index); h.Index < lo || h.Index >= hi || level < notary.PackHeight || (i > 0 && h.Index <= hashes[i-1].Index) {
			return attesta.E(attesta.Invalid, "err.storage.log.hashorder", h.Index, from, to)
		}
	}
	return nil
}

// IntegrateSizes checks an Integrate against the log's sizes: from is the
// integrated size; with a checkpoint, also the latest checkpoint's size and
// to is at most what was appended; without, to does not pass the latest
// checkpoint.
func IntegrateSizes(z notary.LogSizes, from, to int64, cp *notary.StoredCheckpoint) error {
	switch {
	case z.Integrated != from:
		return attesta.E(attesta.Conflict, "err.storage.log.integrated", from, z.Integrated)
	case cp != nil && z.Checkpointed != from:
		return attesta.E(attesta.Conflict, "err.storage.log.checkpointed", from, z.Checkpointed)
	case to > z.Entries:
		return attesta.E(attesta.Invalid, "err.storage.log.appended", to, z.Entries)
	case cp == nil && to > z.Checkpointed:
		return attesta.E(attesta.Invalid, "err.storage.log.uncheckpointed", to, z.Checkpointed)
	}
	return nil
}

// RowWrite is one row write of an append of fixed-size items packed in
// rows: append Bytes to the row, which holds Before bytes (0: insert it).
type RowWrite struct {
	Row    int64
	Before int
	Bytes  []byte
}

// PackRows plans the writes that append items, the first with index start,
// to rows of perRow items: row r holds items r·perRow to r·perRow+perRow-1.
// Only the last row is ever partial; the next append extends it.
func PackRows(start int64, items [][]byte, perRow int) []RowWrite {
	var out []RowWrite
	for i := 0; i < len(items); {
		at := start + int64(i)
		row, off := at/int64(perRow), int(at%int64(perRow))
		n := min(perRow-off, len(items)-i)
		w := RowWrite{Row: row}
		for _, it := range items[i : i+n] {
			w.Before = off * len(it)
			w.Bytes = append(w.Bytes, it...)
		}
		out = append(out, w)
		i += n
	}
	return out
}

// Packs plans the writes that pack entries, the first at leaf index from,
// into packs of notary.PackSize.
func Packs(from int64, entries [][]byte) []RowWrite { return PackRows(from, entries, notary.PackSize) }

// HashesPerRow is the number of kept tree hashes in a row of log_tree: 1 KiB,
// inline in a PostgreSQL row and three to an SQLite page.
const HashesPerRow = 32

// TreeIndex maps the stored index of a kept tree hash (at a height of
// notary.PackHeight or more) to its dense index: the hashes at heights ≥ h
// of a tree of n leaves are those of the tree of n>>h packs, so the stored
// index of node (L, k) in that tree, StoredHashIndex(L-h, k), numbers them
// 0, 1, 2, … in the order they are completed.
func TreeIndex(stored int64) (int64, error) {
	if stored < 0 {
		return 0, attesta.E(attesta.Invalid, "err.storage.hash.index", stored)
	}
	level, n := tlog.SplitStoredHashIndex(stored)
	if level < notary.PackHeight {
		return 0, attesta.E(attesta.NotFound, "err.storage.hash.height", stored, level, notary.PackHeight)
	}
	return tlog.StoredHashIndex(level-notary.PackHeight, n), nil
}

// TreeRows plans the writes that store the kept hashes that entries
// [from, to) complete (checked by Integrate): dense indexes from
// StoredHashCount(from>>PackHeight) on, HashesPerRow to a row.
func TreeRows(from int64, hashes []notary.TreeHash) []RowWrite {
	items := make([][]byte, len(hashes))
	for i, h := range hashes {
		items[i] = h.Hash[:]
	}
	return PackRows(tlog.StoredHashCount(from>>notary.PackHeight), items, HashesPerRow)
}

// TreeHashes returns the hashes with the given stored indexes from the
// rows read (row number → bytes); NotFound if one is missing.
func TreeHashes(indexes []int64, rows map[int64][]byte) ([][32]byte, error) {
	out := make([][32]byte, len(indexes))
	for k, i := range indexes {
		d, err := TreeIndex(i)
		if err != nil {
			return nil, err
		}
		b := rows[d/HashesPerRow]
		off := int(d%HashesPerRow) * 32
		if off+32 > len(b) {
			return nil, attesta.E(attesta.NotFound, "err.storage.hash.notfound", i)
		}
		out[k] = [32]byte(b[off : off+32])
	}
	return out, nil
}

// TreeRowsOf returns the rows holding the hashes with the given stored
// indexes, without duplicates.
func TreeRowsOf(indexes []int64) ([]int64, error) {
	seen := map[int64]bool{}
	var rows []int64
	for _, i := range indexes {
		d, err := TreeIndex(i)
		if err != nil {
			return nil, err
		}
		if r := d / HashesPerRow; !seen[r] {
			seen[r] = true
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// Place puts the entries of pack b (its stored bytes) that fall in
// [from, to) at their places in out, which holds the entries from from to
// to: rows can be read in any order.
func Place(out [][]byte, from, to, pack int64, b []byte) error {
	if len(b)%notary.EntrySize != 0 {
		return fmt.Errorf("log pack %d has %d bytes", pack, len(b))
	}
	first := pack * notary.PackSize
	for k := range int64(len(b) / notary.EntrySize) {
		if leaf := first + k; leaf >= from && leaf < to {
			out[leaf-from] = b[k*notary.EntrySize : (k+1)*notary.EntrySize]
		}
	}
	return nil
}

// UpdateCheckpoint checks that cp may replace the stored checkpoint old: same
// size and root, and a note with the same text; only the signatures after
// the text may differ.
func UpdateCheckpoint(old, cp notary.StoredCheckpoint) error {
	switch {
	case cp.Root != old.Root:
		return attesta.E(attesta.Invalid, "err.storage.checkpoint.root", cp.Size)
	case len(cp.Note) == 0:
		return attesta.E(attesta.Invalid, "err.storage.checkpoint.nonote", cp.Size)
	case !bytes.Equal(noteText(cp.Note), noteText(old.Note)):
		return attesta.E(attesta.Invalid, "err.storage.checkpoint.text", cp.Size)
	}
	return nil
}

// noteText is the text of a C2SP signed note: what precedes the last blank
// line, its final newline included (as golang.org/x/mod/sumdb/note.Open
// splits it). A note without a blank line is all text.
func noteText(note []byte) []byte {
	if i := bytes.LastIndex(note, []byte("\n\n")); i >= 0 {
		return note[:i+1]
	}
	return note
}

// LogRange checks the range of leaf indexes [from, to) about to be read.
func LogRange(from, to int64) error {
	if from < 0 || to < from {
		return attesta.E(attesta.Invalid, "err.storage.log.range", from, to)
	}
	return nil
}

// LogKey checks a sealed log key about to be stored.
func LogKey(sealed []byte) error {
	if len(sealed) == 0 {
		return attesta.E(attesta.Invalid, "err.storage.log.keyempty")
	}
	return nil
}

// Witnessed checks the arguments of witness.Store.Update.
func Witnessed(origin string, oldSize, newSize int64, note []byte) error {
	switch {
	case origin == "" || len(origin) > 255:
		return attesta.E(attesta.Invalid, "err.storage.witness.origin", len(origin))
	case oldSize < 0 || newSize < oldSize:
		return attesta.E(attesta.Invalid, "err.storage.witness.sizes", origin, oldSize, newSize)
	case len(note) == 0:
		return attesta.E(attesta.Invalid, "err.storage.witness.nonote", origin)
	}
	return nil
}
