package notary

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/internal/tlog/witness"
)

// CheckpointName is the name of the published checkpoint in the blob
// store, as in C2SP tlog-tiles; tiles and entry bundles are at their
// TilePath.
const CheckpointName = "checkpoint"

// Published is a checkpoint as the blob store keeps it: its size, its
// root and its signed note (with the cosignatures it has).
type Published struct {
	Size int64
	Root [32]byte
	Note []byte
}

// ReadPublished reads the checkpoint published in the log's blob store and
// checks the log's signature on it. found is false when nothing was
// published yet.
func (l *Log) ReadPublished(ctx context.Context) (p Published, found bool, err error) {
	if l.blobs == nil {
		return Published{}, false, errors.New("the log has no blob store")
	}
	if err := l.load(ctx); err != nil {
		return Published{}, false, err
	}
	raw, err := l.blobs.Get(ctx, CheckpointName)
	if errors.Is(err, fs.ErrNotExist) {
		return Published{}, false, nil
	}
	if err != nil {
		return Published{}, false, fmt.Errorf("reading the published checkpoint: %w", err)
	}
	if i := bytes.Index(raw, []byte("\n\n")); i > 0 {
		if c, err := checkpoint.Parse(raw[:i+1]); err == nil && c.Origin != l.origin {
			return Published{}, false, attesta.E(attesta.Invalid, "err.notary.published.origin", c.Origin, l.origin)
		}
	}
	n, err := checkpoint.Open(raw, l.signer.Verifier())
	if err != nil {
		return Published{}, false, fmt.Errorf("the published checkpoint: %w", err)
	}
	c, err := checkpoint.Parse(n.Text)
	if err != nil {
		return Published{}, false, fmt.Errorf("the published checkpoint: %w", err)
	}
	if c.Origin != l.origin {
		return Published{}, false, attesta.E(attesta.Invalid, "err.notary.published.origin", c.Origin, l.origin)
	}
	return Published{Size: c.Size, Root: c.Root, Note: raw}, true, nil
}

// Check compares the database with what the log published, before
// anything is signed: the checkpoint in the blob store must be one the
// database has, with the same root, and no witness may have cosigned a
// larger tree than the database's. A database restored from a backup fails
// it: the log is then halted (Writable returns why) until `attesta log
// recover` brings the database up to what was published. When the database
// is ahead (a checkpoint was stored but the process stopped before it was
// published), Check publishes it. It returns the halt error, or another
// error if it could not check (the blob store or the database did not
// answer): then it is called again at the next sequencing pass.
func (l *Log) Check(ctx context.Context) error {
	if l.blobs == nil {
		return nil
	}
	if err := l.load(ctx); err != nil {
		return err
	}
	pub, _, err := l.ReadPublished(ctx)
	if err != nil {
		return err
	}
	sizes, err := l.store.Sizes(ctx)
	if err != nil {
		return err
	}
	if sizes.Checkpointed < pub.Size {
		return l.stop(attesta.E(attesta.Unavailable, "err.notary.rollback", sizes.Checkpointed, pub.Size))
	}
	if pub.Size > 0 {
		cp, err := l.store.Checkpoint(ctx, pub.Size)
		if attesta.ErrorCode(err) == attesta.NotFound || err == nil && cp.Root != pub.Root {
			return l.stop(attesta.E(attesta.Unavailable, "err.notary.fork", pub.Size))
		}
		if err != nil {
			return err
		}
	}
	l.pubMu.Lock()
	l.blobSize = pub.Size
	l.pubMu.Unlock()
	if err := l.publish(ctx); err != nil {
		return err
	}
	if err := l.probeWitnesses(ctx); err != nil {
		return err
	}
	l.haltMu.Lock()
	l.halt, l.checked = nil, true
	l.haltMu.Unlock()
	return nil
}

// stop halts the log for err and returns err.
func (l *Log) stop(err error) error {
	l.haltMu.Lock()
	defer l.haltMu.Unlock()
	l.halt, l.checked = err, false
	return err
}

// Writable returns nil while credentials may be issued and their status
// changed, and otherwise why not: the database is behind the published log
// or a witness (see Check).
func (l *Log) Writable(context.Context) error {
	l.haltMu.Lock()
	defer l.haltMu.Unlock()
	return l.halt
}

// ensureChecked runs Check unless it passed in this process.
func (l *Log) ensureChecked(ctx context.Context) error {
	l.haltMu.Lock()
	checked := l.checked
	l.haltMu.Unlock()
	if checked {
		return nil
	}
	return l.Check(ctx)
}

// probeWitnesses asks each witness to cosign the published checkpoint,
// saying that it last cosigned that size: a witness that cosigned a larger
// tree answers with its size, and the log is halted. A witness that does
// not answer is passed over (Notarize notices later, before it publishes
// anything new to it).
func (l *Log) probeWitnesses(ctx context.Context) error {
	if len(l.witnesses) == 0 {
		return nil
	}
	l.pubMu.Lock()
	size := l.blobSize
	l.pubMu.Unlock()
	if size == 0 {
		return nil
	}
	cp, err := l.store.Checkpoint(ctx, size)
	if err != nil {
		return err
	}
	n, err := checkpoint.Open(cp.Note, l.signer.Verifier())
	if err != nil {
		return fmt.Errorf("the stored checkpoint of size %d: %w", cp.Size, err)
	}
	for _, w := range l.witnesses {
		client := &witness.Client{URL: w.URL, HTTP: l.http}
		_, err := client.AddCheckpoint(ctx, cp.Size, nil, logSigned(cp.Note, n.Text))
		var stale *witness.OldSizeError
		switch {
		case err == nil:
			l.setWitnessSize(w.URL, cp.Size)
		case errors.As(err, &stale) && stale.Latest > cp.Size:
			if err := l.witnessAhead(ctx, w, stale.Latest); attesta.ErrorCode(err) == attesta.Unavailable {
				return err
			}
		case errors.As(err, &stale):
			l.setWitnessSize(w.URL, stale.Latest)
		}
	}
	return nil
}

// witnessAhead is what the log does when witness w says it cosigned a tree
// of size, larger than the checkpoint the log showed it: if the database
// has no checkpoint that large, the database is older than the log the
// witness saw, and the log halts; otherwise this process was only behind
// another's publication, and the witness is asked again at the next pass.
func (l *Log) witnessAhead(ctx context.Context, w Witness, size int64) error {
	sizes, err := l.store.Sizes(ctx)
	if err != nil {
		return err
	}
	if sizes.Checkpointed < size {
		return l.stop(attesta.E(attesta.Unavailable, "err.notary.rollback.witness", w.Key.Name(), size, sizes.Checkpointed))
	}
	l.setWitnessSize(w.URL, size)
	return fmt.Errorf("witness %s has cosigned size %d, beyond the checkpoint this process showed it", w.Key.Name(), size)
}

func (l *Log) setWitnessSize(url string, size int64) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.witnessSizes[url] = size
}

// publishedSize is the size of the checkpoint in the blob store, read once
// if this process has not published or checked yet.
func (l *Log) publishedSize(ctx context.Context) (int64, error) {
	l.pubMu.Lock()
	size := l.blobSize
	l.pubMu.Unlock()
	if size >= 0 {
		return size, nil
	}
	pub, _, err := l.ReadPublished(ctx)
	if err != nil {
		return 0, err
	}
	l.pubMu.Lock()
	defer l.pubMu.Unlock()
	l.blobSize = max(l.blobSize, pub.Size)
	return l.blobSize, nil
}

// latest returns the latest checkpoint the log may show, none while it is
// halted: the latest stored one or, with a blob store, the latest published there (a checkpoint
// stored but not yet published is shown to no one, so that a database
// restored without it cannot be caught signing another tree of its size).
func (l *Log) latest(ctx context.Context) (StoredCheckpoint, error) {
	// A halted log shows nothing: its database's checkpoints are older
	// than what was published, and an auditor would see the log shrink.
	if err := l.Writable(ctx); err != nil {
		return StoredCheckpoint{}, err
	}
	cp, err := l.store.Checkpoint(ctx, -1)
	if err != nil || l.blobs == nil {
		return cp, err
	}
	size, err := l.publishedSize(ctx)
	if err != nil {
		return StoredCheckpoint{}, err
	}
	switch {
	case size >= cp.Size:
		return cp, nil
	case size == 0:
		return StoredCheckpoint{}, attesta.E(attesta.NotFound, "err.storage.checkpoint.none")
	}
	return l.store.Checkpoint(ctx, size)
}

// publish writes to the blob store the tiles and entry bundles of the
// latest stored checkpoint's tree that the published one lacks, then the
// checkpoint itself: a checkpoint is never published before the tiles it
// covers. Another process may have published it first; publish then only
// learns so.
func (l *Log) publish(ctx context.Context) error {
	if l.blobs == nil {
		return nil
	}
	cp, err := l.store.Checkpoint(ctx, -1)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	l.pubMu.Lock()
	defer l.pubMu.Unlock()
	if cp.Size <= l.blobSize {
		return nil
	}
	pub, _, err := l.ReadPublished(ctx)
	if err != nil {
		return err
	}
	if pub.Size >= cp.Size {
		l.blobSize = pub.Size
		return nil
	}
	for _, t := range tlog.NewTiles(TileHeight, pub.Size, cp.Size) {
		data, err := l.tileData(ctx, t, cp.Size)
		if err != nil {
			return fmt.Errorf("publishing tile %s: %w", TilePath(t, false), err)
		}
		if err := l.blobs.Put(ctx, TilePath(t, false), data); err != nil {
			return fmt.Errorf("publishing: %w", err)
		}
		if t.L != 0 {
			continue
		}
		bundle, err := l.entryBundle(ctx, t, cp.Size)
		if err != nil {
			return fmt.Errorf("publishing entry bundle %s: %w", TilePath(t, true), err)
		}
		if err := l.blobs.Put(ctx, TilePath(t, true), bundle); err != nil {
			return fmt.Errorf("publishing: %w", err)
		}
	}
	if err := l.blobs.Put(ctx, CheckpointName, cp.Note); err != nil {
		return fmt.Errorf("publishing the checkpoint of size %d: %w", cp.Size, err)
	}
	l.blobSize = cp.Size
	return nil
}

// publishNote replaces the published checkpoint's note with cp's, which
// has more cosignatures, if it is the one published.
func (l *Log) publishNote(ctx context.Context, cp StoredCheckpoint) error {
	if l.blobs == nil {
		return nil
	}
	l.pubMu.Lock()
	defer l.pubMu.Unlock()
	if cp.Size != l.blobSize {
		return nil
	}
	pub, _, err := l.ReadPublished(ctx)
	if err != nil {
		return err
	}
	if pub.Size != cp.Size || bytes.Equal(pub.Note, cp.Note) {
		return nil
	}
	if err := l.blobs.Put(ctx, CheckpointName, cp.Note); err != nil {
		return fmt.Errorf("publishing the cosigned checkpoint of size %d: %w", cp.Size, err)
	}
	return nil
}
