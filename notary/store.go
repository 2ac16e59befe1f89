package notary

import (
	"context"
	"time"
)

// Store keeps the log. Entries are appended by the credential store, inside
// the transaction that stores the credential or its status change (see
// credential.Store); this interface is what the sequencer and the readers
// need. Implementations: storage/sqlite and storage/postgres.
//
// An appended entry is pending until the sequencer integrates it: then it is
// packed with its neighbours, PackSize entries to a row, and the tree hashes
// it completes at heights of PackHeight and more are stored. Lower hashes
// are not stored: they are recomputed from the entries of one pack (31
// hashes), which keeps the log to about 80 bytes per entry.
type Store interface {
	// Sizes returns how many entries were appended, how many are integrated
	// and the size of the latest checkpoint (all 0 for an empty log).
	Sizes(ctx context.Context) (LogSizes, error)
	// Entries returns the entries with leaf indexes in [from, to), packed
	// or pending; an error if any is missing.
	Entries(ctx context.Context, from, to int64) ([][]byte, error)
	// ReadHashes returns the stored tree hashes with the given stored
	// indexes (of golang.org/x/mod/sumdb/tlog.StoredHashIndex, at heights
	// of PackHeight and more); a NotFound error if any is missing.
	ReadHashes(ctx context.Context, indexes []int64) ([][32]byte, error)
	// Integrate, in one transaction, packs the pending entries [from, to), stores the tree hashes they complete and records that
	// to entries are integrated; with a checkpoint (of size to), it stores
	// the checkpoint too. A Conflict error if from is not the integrated
	// size or, with a checkpoint, not the latest checkpoint's size (another
	// sequencer went first). Without a checkpoint, to must not pass the
	// latest checkpoint: that is rebuilding what a checkpoint covers.
	Integrate(ctx context.Context, from, to int64, hashes []TreeHash, cp *StoredCheckpoint) error
	// Checkpoint returns the checkpoint of the given size, or the latest
	// when size is -1; NotFound if there is none.
	Checkpoint(ctx context.Context, size int64) (StoredCheckpoint, error)
	// Checkpoints lists the sizes of every checkpoint, ascending.
	Checkpoints(ctx context.Context) ([]int64, error)
	// CheckpointsFrom returns at most limit checkpoints of size at least
	// size, ascending: the first checkpoints that include an entry.
	CheckpointsFrom(ctx context.Context, size int64, limit int) ([]StoredCheckpoint, error)
	// UpdateCheckpoint replaces the note of a checkpoint (to add
	// cosignatures) and sets its timestamp token if given. The checkpoint
	// text must not change.
	UpdateCheckpoint(ctx context.Context, cp StoredCheckpoint) error
	// LogKey returns the log's signing key sealed with the key-encryption
	// key; found is false if none was made yet.
	LogKey(ctx context.Context) (sealed []byte, found bool, err error)
	// SetLogKey stores the sealed log key; a Conflict error if one exists.
	SetLogKey(ctx context.Context, sealed []byte) error
	// Restore, in one transaction, gives a database restored from an older
	// copy the entries [from, from+len(entries)) and the checkpoint cp
	// that the published log has: an entry the database has must be the
	// same (a Conflict otherwise), one it lacks is appended as pending,
	// and cp is stored unless it is there (with the same root; a Conflict
	// otherwise). The sequencer then integrates the entries and checks
	// their root against cp's, signing nothing, as after an upgrade.
	Restore(ctx context.Context, from int64, entries [][]byte, cp StoredCheckpoint) error
}

// LogSizes are the three sizes of a log: appended entries, integrated ones
// (packed, their tree hashes stored) and the latest checkpoint's size.
// Normally Integrated equals Checkpointed; it is less only while the tree
// of an upgraded database is rebuilt.
type LogSizes struct {
	Entries, Integrated, Checkpointed int64
}

// TreeHash is a stored tree hash and its stored index.
type TreeHash struct {
	Index int64
	Hash  [32]byte
}

// BundleSize is the width of a full C2SP entry bundle and of a hash tile.
const BundleSize = 1 << TileHeight

// PackHeight is the height of the subtrees whose entries the store packs
// together, PackSize to a row; it keeps the tree hashes from that height up.
// A proof recomputes the hashes below from one pack: a 16-entry row read
// and 31 SHA-256 hashes.
const (
	PackHeight = 4
	PackSize   = 1 << PackHeight
)

// StoredCheckpoint is a checkpoint as kept: its signed note (the log's
// signature and any witness cosignatures), its RFC 3161 token, its time.
type StoredCheckpoint struct {
	Size      int64
	Root      [32]byte
	Note      []byte // C2SP signed note
	Timestamp []byte // DER RFC 3161 token over SHA-256 of the note's text; nil if none
	CreatedAt time.Time
}
