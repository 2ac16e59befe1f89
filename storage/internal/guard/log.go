package guard

import (
	"bytes"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/storage/internal/hashrows"
)

// LogEntry checks a transparency-log entry about to be appended.
func LogEntry(b []byte) error {
	if len(b) != notary.EntrySize {
		return attesta.Errorf(attesta.Invalid, "a log entry is %d bytes, not %d", len(b), notary.EntrySize)
	}
	return nil
}

// Integrate checks the arguments of notary.Store.Integrate: the checkpoint
// has the new size and a note, and there is exactly one hash for every node
// the entries [from, to) complete.
func Integrate(from, to int64, hashes [][32]byte, cp notary.StoredCheckpoint) error {
	switch {
	case from < 0 || to < from:
		return attesta.Errorf(attesta.Invalid, "log entries [%d, %d) are not a range", from, to)
	case cp.Size != to:
		return attesta.Errorf(attesta.Invalid, "integrating entries [%d, %d) with a checkpoint of size %d", from, to, cp.Size)
	case len(cp.Note) == 0:
		return attesta.Errorf(attesta.Invalid, "the checkpoint of size %d has no note", to)
	case int64(len(hashes)) != hashrows.StoredHashCount(to)-hashrows.StoredHashCount(from):
		return attesta.Errorf(attesta.Invalid, "entries [%d, %d) store %d hashes, not %d",
			from, to, hashrows.StoredHashCount(to)-hashrows.StoredHashCount(from), len(hashes))
	}
	return nil
}

// UpdateCheckpoint checks that cp may replace the stored checkpoint old: same
// size and root, and a note with the same text; only the signatures after
// the text may differ.
func UpdateCheckpoint(old, cp notary.StoredCheckpoint) error {
	switch {
	case cp.Root != old.Root:
		return attesta.Errorf(attesta.Invalid, "the checkpoint of size %d has another root", cp.Size)
	case len(cp.Note) == 0:
		return attesta.Errorf(attesta.Invalid, "the checkpoint of size %d has no note", cp.Size)
	case !bytes.Equal(noteText(cp.Note), noteText(old.Note)):
		return attesta.Errorf(attesta.Invalid, "the note of the checkpoint of size %d has another text", cp.Size)
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
		return attesta.Errorf(attesta.Invalid, "log entries [%d, %d) are not a range", from, to)
	}
	return nil
}

// LogKey checks a sealed log key about to be stored.
func LogKey(sealed []byte) error {
	if len(sealed) == 0 {
		return attesta.Errorf(attesta.Invalid, "the sealed log key is empty")
	}
	return nil
}

// Witnessed checks the arguments of witness.Store.Update.
func Witnessed(origin string, oldSize, newSize int64, note []byte) error {
	switch {
	case origin == "" || len(origin) > 255:
		return attesta.Errorf(attesta.Invalid, "a witnessed log's origin has 1 to 255 bytes, not %d", len(origin))
	case oldSize < 0 || newSize < oldSize:
		return attesta.Errorf(attesta.Invalid, "a witnessed log of %s does not go from size %d to %d", origin, oldSize, newSize)
	case len(note) == 0:
		return attesta.Errorf(attesta.Invalid, "the witnessed checkpoint of %s has no note", origin)
	}
	return nil
}
