package notary

import (
	"bytes"
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta"
)

// LogRecovery is what a database restored from an older copy lacks of the
// log it published (ReadMissing), and what Restore gives it back.
type LogRecovery struct {
	// Published is the checkpoint in the blob store; its Size is 0 if
	// nothing was published.
	Published Published
	// Checkpointed and Appended are the sizes of the database's log: its
	// latest checkpoint, and the entries it has.
	Checkpointed, Appended int64
	// Missing are the published entries the database lacks, from Appended
	// to Published.Size.
	Missing [][]byte
}

// Behind reports whether the database is behind the published log.
func (r LogRecovery) Behind() bool { return r.Checkpointed < r.Published.Size }

// ReadMissing reads from the blob store what the database lacks of the
// published log: every hash tile is checked against the published
// checkpoint's root (golang.org/x/mod's TileHashReader) and every entry
// against its leaf, as an auditor would; and the database's log must be a
// prefix of the published one — its latest checkpoint's root and every
// entry it has past it — or nothing is returned (a Conflict: it is not
// that log's database).
func (l *Log) ReadMissing(ctx context.Context) (LogRecovery, error) {
	var rec LogRecovery
	pub, found, err := l.ReadPublished(ctx)
	if err != nil || !found {
		return rec, err
	}
	rec.Published = pub
	sizes, err := l.store.Sizes(ctx)
	if err != nil {
		return rec, err
	}
	rec.Checkpointed, rec.Appended = sizes.Checkpointed, sizes.Entries
	if !rec.Behind() {
		cp, err := l.store.Checkpoint(ctx, pub.Size)
		if attesta.ErrorCode(err) == attesta.NotFound || err == nil && cp.Root != pub.Root {
			return rec, attesta.E(attesta.Conflict, "err.storage.log.differs", pub.Size)
		}
		return rec, err
	}
	src := BlobLogSource(l.blobs)
	hr := tlog.TileHashReader(tlog.Tree{N: pub.Size, Hash: pub.Root}, tileFetcher{ctx: ctx, src: src})
	if root, err := tlog.TreeHash(pub.Size, hr); err != nil || root != pub.Root {
		return rec, fmt.Errorf("the published tiles do not hash to the published root: %w", inconsistent("%v", err))
	}
	if rec.Checkpointed > 0 {
		cp, err := l.store.Checkpoint(ctx, rec.Checkpointed)
		if err != nil {
			return rec, err
		}
		if root, err := tlog.TreeHash(rec.Checkpointed, hr); err != nil || root != cp.Root {
			return rec, attesta.E(attesta.Conflict, "err.storage.log.differs", rec.Checkpointed)
		}
	}
	var have [][]byte
	if n := min(rec.Appended, pub.Size); n > rec.Checkpointed {
		if have, err = l.store.Entries(ctx, rec.Checkpointed, n); err != nil {
			return rec, err
		}
	}
	err = verifiedEntries(ctx, src, hr, rec.Checkpointed, pub.Size, func(i int64, entry []byte) error {
		if i < rec.Appended {
			if !bytes.Equal(have[i-rec.Checkpointed], entry) {
				return attesta.E(attesta.Conflict, "err.storage.log.differs", i)
			}
			return nil
		}
		if _, err := ParseEntry(entry); err != nil {
			return fmt.Errorf("published entry %d: %w", i, err)
		}
		rec.Missing = append(rec.Missing, bytes.Clone(entry))
		return nil
	})
	return rec, err
}

// Restore gives the database what ReadMissing found it lacked — the
// entries, appended as pending, and the published checkpoint — then
// integrates them, checking that the tree they make has the published
// root, signing nothing. The log then passes Check and resumes. It may be
// run again: what the database has is not written twice.
func (l *Log) Restore(ctx context.Context, rec LogRecovery) error {
	if !rec.Behind() {
		return nil
	}
	cp := StoredCheckpoint{Size: rec.Published.Size, Root: rec.Published.Root, Note: rec.Published.Note, CreatedAt: l.clock()}
	from := rec.Published.Size - int64(len(rec.Missing))
	if err := l.store.Restore(ctx, from, rec.Missing, cp); err != nil {
		return fmt.Errorf("restoring the log: %w", err)
	}
	if _, err := l.SequenceAll(ctx); err != nil {
		return fmt.Errorf("integrating the restored entries: %w", err)
	}
	return nil
}
