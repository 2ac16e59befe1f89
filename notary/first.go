package notary

import (
	"context"
	"fmt"

	"github.com/attesta/attesta"
)

// FirstReceipt returns the receipt of the entry at index against the first
// published checkpoint that includes it: the earliest proof of when the
// entry was in the log — that checkpoint's RFC 3161 timestamp and its
// witnesses' cosignatures. A published checkpoint never changes, so neither
// does this receipt once there is one; [ErrNotYetSequenced] until then.
//
// A verifier that must know which side of a date a credential is on (the
// end of a retired key, docs/design/credential.md) needs this receipt: one
// against a later checkpoint proves only a later time.
func (l *Log) FirstReceipt(ctx context.Context, index int64) (*Receipt, error) {
	published, err := l.Checkpoint(ctx)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil, fmt.Errorf("entry %d: %w (%v)", index, ErrNotYetSequenced, err)
	}
	if err != nil {
		return nil, err
	}
	if index < 0 || index >= published.Size {
		return nil, fmt.Errorf("entry %d is not yet in a checkpoint (size %d): %w", index, published.Size, ErrNotYetSequenced)
	}
	cp, err := l.firstPublished(ctx, index+1, published)
	if err != nil {
		return nil, err
	}
	return l.receiptAt(ctx, index, cp)
}

// firstPublished returns the first published checkpoint of size at least
// size; published is the latest, whose size is at least size. Without
// witnesses and TSA every checkpoint is published; otherwise the
// checkpoints between are read in batches until one is complete.
func (l *Log) firstPublished(ctx context.Context, size int64, published StoredCheckpoint) (StoredCheckpoint, error) {
	const batch = 64
	var complete func(StoredCheckpoint) bool
	if len(l.witnesses) > 0 || l.tsa != nil {
		p, err := l.Policy(ctx)
		if err != nil {
			return StoredCheckpoint{}, err
		}
		complete = func(cp StoredCheckpoint) bool { return l.complete(p, cp) }
	}
	for size < published.Size {
		cps, err := l.store.CheckpointsFrom(ctx, size, batch)
		if err != nil {
			return StoredCheckpoint{}, err
		}
		for _, cp := range cps {
			if cp.Size >= published.Size {
				return published, nil
			}
			if complete == nil || complete(cp) {
				return cp, nil
			}
			size = cp.Size + 1
		}
		if len(cps) < batch {
			break
		}
	}
	return published, nil
}

// Entry returns the entry at index, integrated or pending.
func (l *Log) Entry(ctx context.Context, index int64) (Entry, error) {
	entries, err := l.store.Entries(ctx, index, index+1)
	if err != nil {
		return Entry{}, err
	}
	return ParseEntry(entries[0])
}
