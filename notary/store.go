package notary

import (
	"context"
	"time"
)

// Store keeps the log. Entries are appended by the credential store, inside
// the transaction that stores the credential or its status change (see
// credential.Store); this interface is what the sequencer and the readers
// need. Implementations: storage/sqlite and storage/postgres.
type Store interface {
	// Sizes returns the number of entries appended and the size of the latest
	// checkpoint (0 and 0 for an empty log).
	Sizes(ctx context.Context) (entries, checkpointed int64, err error)
	// Entries returns the entries with leaf indexes in [from, to); an error
	// if any is missing.
	Entries(ctx context.Context, from, to int64) ([][]byte, error)
	// ReadHashes returns the stored hashes (RFC 6962 subtree hashes, in the
	// storage order of merkle.StoredHashIndex) with the given indexes; an
	// error if any is missing.
	ReadHashes(ctx context.Context, indexes []int64) ([][32]byte, error)
	// Integrate stores, in one transaction, the stored hashes of the entries
	// [from, to) — hashes[0] has stored index merkle.StoredHashCount(from) —
	// and the signed checkpoint of size to. A Conflict error if the latest
	// checkpoint's size is not from (another sequencer went first).
	Integrate(ctx context.Context, from, to int64, hashes [][32]byte, cp StoredCheckpoint) error
	// Checkpoint returns the checkpoint of the given size, or the latest
	// when size is -1; NotFound if there is none.
	Checkpoint(ctx context.Context, size int64) (StoredCheckpoint, error)
	// Checkpoints lists the sizes of every checkpoint, ascending.
	Checkpoints(ctx context.Context) ([]int64, error)
	// UpdateCheckpoint replaces the note of a checkpoint (to add
	// cosignatures) and sets its timestamp token if given. The checkpoint
	// text must not change.
	UpdateCheckpoint(ctx context.Context, cp StoredCheckpoint) error
	// LogKey returns the log's signing key sealed with the key-encryption
	// key; found is false if none was made yet.
	LogKey(ctx context.Context) (sealed []byte, found bool, err error)
	// SetLogKey stores the sealed log key; a Conflict error if one exists.
	SetLogKey(ctx context.Context, sealed []byte) error
}

// StoredCheckpoint is a checkpoint as kept: its signed note (the log's
// signature and any witness cosignatures), its RFC 3161 token, its time.
type StoredCheckpoint struct {
	Size      int64
	Root      [32]byte
	Note      []byte // C2SP signed note
	Timestamp []byte // DER RFC 3161 token over SHA-256 of the note's text; nil if none
	CreatedAt time.Time
}
