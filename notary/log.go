package notary

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/blob"
	"github.com/attesta/attesta/internal/rfc3161"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/issuer"
)

// Log is the transparency log of one attesta: it integrates appended entries
// into the tree, signs checkpoints and proves inclusion and consistency.
type Log struct {
	store  Store
	origin string
	kek    *issuer.KeyEncryptionKey
	once   sync.Once
	err    error // from loading the key
	signer *checkpoint.Signer
	clock  attesta.Clock
	batch  int

	witnesses []Witness
	quorum    int
	tsa       *rfc3161.Client
	tsaRoots  *x509.CertPool
	http      *http.Client

	mu sync.Mutex // one sequencer per process; the store's conflict check covers several processes

	cacheMu sync.Mutex
	packs   map[int64][]tlog.Hash // leaf hashes of full packs

	wmu          sync.Mutex
	witnessSizes map[string]int64  // the size each witness last cosigned, as far as the log knows
	published    *StoredCheckpoint // the latest checkpoint known to be published

	blobs    blob.Store
	pubMu    sync.Mutex // serialises this process's writes to blobs
	blobSize int64      // the size of the checkpoint in blobs, as far as this process knows; -1 before it looked

	haltMu  sync.Mutex
	halt    error // why the log stopped (Check), nil if it did not
	checked bool  // Check passed in this process
}

// Options configure a Log.
type Options struct {
	// Origin names the log in its checkpoints, by convention the host and
	// path it is published at, e.g. "attesta.example/log".
	Origin string
	// KEK seals the log's signing key at rest.
	KEK *issuer.KeyEncryptionKey
	// Clock defaults to the system clock.
	Clock attesta.Clock
	// Batch is the most entries integrated per checkpoint (default 4,096).
	Batch int
	// Witnesses are asked to cosign each checkpoint (C2SP tlog-witness).
	Witnesses []Witness
	// Quorum is how many of the witnesses must cosign a checkpoint before
	// the log publishes it, from 0 to len(Witnesses).
	Quorum int
	// TSA, if set, timestamps each checkpoint (RFC 3161); a checkpoint is
	// published once it has its token.
	TSA *rfc3161.Client
	// TSARoots, if set, verify each token before it is stored.
	TSARoots *x509.CertPool
	// HTTP is the client for witnesses; nil means a client with a 10-second
	// timeout.
	HTTP *http.Client
	// Blobs, if set, receives the log as C2SP tlog-tiles static files:
	// the hash tiles and entry bundles of each checkpoint's tree, then the
	// checkpoint, which is shown to no one before it is there. Its
	// checkpoint is the lock that a restored, older database is checked
	// against before anything is signed (Check).
	Blobs blob.Store
}

// Open returns the log on store, generating and storing its signing key on
// first use.
func Open(ctx context.Context, store Store, opts Options) (*Log, error) {
	if opts.Origin == "" || opts.KEK == nil {
		return nil, errors.New("notary: an origin and a key-encryption key are required")
	}
	if opts.Clock == nil {
		opts.Clock = attesta.SystemClock
	}
	if opts.Batch <= 0 {
		opts.Batch = 4096
	}
	if !checkpoint.ValidName(opts.Origin) {
		return nil, fmt.Errorf("log origin %q is not a valid key name (no spaces, no plus sign)", opts.Origin)
	}
	if opts.Quorum < 0 || opts.Quorum > len(opts.Witnesses) {
		return nil, fmt.Errorf("a witness quorum of %d with %d witnesses", opts.Quorum, len(opts.Witnesses))
	}
	seen := map[uint32]bool{}
	for _, w := range opts.Witnesses {
		if w.URL == "" || w.Key.Name() == "" {
			return nil, errors.New("a witness needs a URL and a key")
		}
		if seen[w.Key.KeyID()] {
			return nil, fmt.Errorf("witness %s is configured twice", w.Key.Name())
		}
		seen[w.Key.KeyID()] = true
	}
	if opts.HTTP == nil {
		opts.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	return &Log{store: store, origin: opts.Origin, kek: opts.KEK, clock: opts.Clock, batch: opts.Batch,
		witnesses: opts.Witnesses, quorum: opts.Quorum, tsa: opts.TSA, tsaRoots: opts.TSARoots, http: opts.HTTP,
		witnessSizes: map[string]int64{}, packs: map[int64][]tlog.Hash{}, blobs: opts.Blobs, blobSize: -1}, nil
}

// load reads (or makes, the first time) the log's signing key. It is done
// on first use, so that a Log can be made before the database is migrated.
func (l *Log) load(ctx context.Context) error {
	l.once.Do(func() {
		key, err := logKey(ctx, l.store, l.kek)
		if err != nil {
			l.err = err
			return
		}
		l.signer, l.err = checkpoint.NewSigner(l.origin, key)
	})
	return l.err
}

// keyContext binds a sealed blob to its use: the log's key.
const keyContext = "attesta log key"

func logKey(ctx context.Context, store Store, kek *issuer.KeyEncryptionKey) (ed25519.PrivateKey, error) {
	key, err := kek.LoadOrCreateKey(ctx, sealedLogKey{store}, keyContext)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	return key, nil
}

// SealedKeys returns the log's signing key as store keeps it, sealed, if
// one was made: for issuer.KeyEncryptionKey.Check.
func SealedKeys(ctx context.Context, store Store) ([]issuer.SealedKey, error) {
	sealed, found, err := store.LogKey(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the log key: %w", err)
	}
	var keys []issuer.SealedKey
	if found {
		keys = append(keys, issuer.SealedKey{Name: attesta.M("err.notary.key"), Context: keyContext, Sealed: sealed})
	}
	return keys, nil
}

// sealedLogKey is the store's log key as an issuer.SealedKeyStore.
type sealedLogKey struct{ s Store }

func (k sealedLogKey) Get(ctx context.Context) ([]byte, bool, error) { return k.s.LogKey(ctx) }
func (k sealedLogKey) Set(ctx context.Context, b []byte) error       { return k.s.SetLogKey(ctx, b) }

// Origin is the log's origin line.
func (l *Log) Origin() string { return l.origin }

// VerifierKey is the log's public key in the note verifier-key format, the
// value verifiers pin.
func (l *Log) VerifierKey(ctx context.Context) (string, error) {
	if err := l.load(ctx); err != nil {
		return "", err
	}
	return l.signer.Verifier().String(), nil
}

// reader is the tree as a tlog.HashReader: hashes at heights of PackHeight
// and more come from the store, lower ones are recomputed from the entries
// of their pack, and those of a batch being integrated from pending.
type reader struct {
	ctx     context.Context
	log     *Log
	size    int64 // of the tree read: its entries exist
	base    int64 // stored index of pending[0]
	pending []tlog.Hash
}

func (r *reader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var stored []int64
	var at []int
	for i, x := range indexes {
		if x >= r.base && x < r.base+int64(len(r.pending)) {
			out[i] = r.pending[x-r.base]
			continue
		}
		level, n := tlog.SplitStoredHashIndex(x)
		if level >= PackHeight {
			stored = append(stored, x)
			at = append(at, i)
			continue
		}
		h, err := r.log.lowHash(r.ctx, level, n, r.size)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	if len(stored) > 0 {
		hs, err := r.log.store.ReadHashes(r.ctx, stored)
		if err != nil {
			return nil, err
		}
		for j, h := range hs {
			out[at[j]] = h
		}
	}
	return out, nil
}

// lowHash recomputes the hash of the complete subtree at level (below
// PackHeight) and index n from the entries of its pack, in a tree of size
// entries.
func (l *Log) lowHash(ctx context.Context, level int, n, size int64) (tlog.Hash, error) {
	lo := n << level
	leaves, err := l.leafHashes(ctx, lo/PackSize, size)
	if err != nil {
		return tlog.Hash{}, err
	}
	off, width := lo%PackSize, int64(1)<<level
	if off+width > int64(len(leaves)) {
		leaves, err = l.entryHashes(ctx, lo, lo+width)
		if err != nil {
			return tlog.Hash{}, err
		}
		off = 0
	}
	return subtreeHash(leaves[off : off+width]), nil
}

// leafHashes returns the leaf hashes of a pack, in a tree of size entries:
// all of a full pack, cached since full packs never change, or those of the
// last, partial one.
func (l *Log) leafHashes(ctx context.Context, pack, size int64) ([]tlog.Hash, error) {
	l.cacheMu.Lock()
	hs, ok := l.packs[pack]
	l.cacheMu.Unlock()
	if ok {
		return hs, nil
	}
	lo := pack * PackSize
	hi := min(lo+PackSize, size)
	if hi <= lo {
		return nil, attesta.E(attesta.NotFound, "err.notary.entry.notfound", lo)
	}
	return l.entryHashesCached(ctx, lo, hi)
}

// cachePacks caches the leaf hashes of the full packs among those of the
// entries from leaf index from on.
func (l *Log) cachePacks(from int64, hs []tlog.Hash) {
	l.cacheMu.Lock()
	defer l.cacheMu.Unlock()
	to := from + int64(len(hs))
	for lo := (from + PackSize - 1) / PackSize * PackSize; lo+PackSize <= to; lo += PackSize {
		if len(l.packs) >= maxCachedPacks {
			clear(l.packs) // simple, and the next proofs refill what they need
		}
		l.packs[lo/PackSize] = hs[lo-from : lo-from+PackSize]
	}
}

// entryHashesCached returns the leaf hashes of entries [from, to) and
// caches those of the full packs among them.
func (l *Log) entryHashesCached(ctx context.Context, from, to int64) ([]tlog.Hash, error) {
	hs, err := l.entryHashes(ctx, from, to)
	if err == nil {
		l.cachePacks(from, hs)
	}
	return hs, err
}

// maxCachedPacks bounds the cache of leaf hashes: 512 bytes each.
const maxCachedPacks = 16384

func (l *Log) entryHashes(ctx context.Context, from, to int64) ([]tlog.Hash, error) {
	entries, err := l.store.Entries(ctx, from, to)
	if err != nil {
		return nil, err
	}
	hs := make([]tlog.Hash, len(entries))
	for i, e := range entries {
		hs[i] = tlog.RecordHash(e)
	}
	return hs, nil
}

// subtreeHash is the RFC 6962 hash of a complete subtree, whose leaf count
// is a power of two.
func subtreeHash(leaves []tlog.Hash) tlog.Hash {
	level := slices.Clone(leaves)
	for len(level) > 1 {
		for i := range len(level) / 2 {
			level[i] = tlog.NodeHash(level[2*i], level[2*i+1])
		}
		level = level[:len(level)/2]
	}
	return level[0]
}

// Sequence integrates up to one batch of appended entries into the tree and
// signs a checkpoint for the new size. It returns the integrated size,
// which is unchanged when there was nothing to do. After an upgrade that
// dropped the stored hashes, it first rebuilds the tree the latest
// checkpoint covers, batch by batch, and checks its root.
func (l *Log) Sequence(ctx context.Context) (int64, error) {
	if err := l.load(ctx); err != nil {
		return 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// Nothing is signed before the database is known to hold what was
	// published, and what was signed before is published.
	if err := l.ensureChecked(ctx); err != nil {
		return 0, fmt.Errorf("sequence: %w", err)
	}
	if err := l.publish(ctx); err != nil {
		return 0, fmt.Errorf("sequence: %w", err)
	}
	sizes, err := l.store.Sizes(ctx)
	if err != nil {
		return 0, fmt.Errorf("sequence: %w", err)
	}
	from := sizes.Integrated
	rebuild := from < sizes.Checkpointed
	limit := sizes.Entries
	if rebuild {
		limit = sizes.Checkpointed
	}
	if from == limit {
		return from, nil
	}
	to := min(limit, from+int64(l.batch))
	data, err := l.store.Entries(ctx, from, to)
	if err != nil {
		return 0, fmt.Errorf("sequence: %w", err)
	}
	r := &reader{ctx: ctx, log: l, size: to, base: tlog.StoredHashCount(from)}
	for i, e := range data {
		hs, err := tlog.StoredHashes(from+int64(i), e, r)
		if err != nil {
			return 0, fmt.Errorf("sequence entry %d: %w", from+int64(i), err)
		}
		r.pending = append(r.pending, hs...)
	}
	root, err := tlog.TreeHash(to, r)
	if err != nil {
		return 0, fmt.Errorf("sequence: tree hash: %w", err)
	}
	var cp *StoredCheckpoint
	if rebuild {
		if to == sizes.Checkpointed {
			latest, err := l.store.Checkpoint(ctx, to)
			if err != nil {
				return 0, fmt.Errorf("sequence: %w", err)
			}
			if latest.Root != root {
				return 0, fmt.Errorf("sequence: the rebuilt tree of size %d has root %x, its checkpoint says %x: the stored entries are not those the log committed to", to, root[:], latest.Root[:])
			}
		}
	} else {
		if err := l.extendsPublished(r); err != nil {
			return 0, fmt.Errorf("sequence: %w", err)
		}
		signed, err := checkpoint.Sign(checkpoint.Checkpoint{Origin: l.origin, Size: to, Root: root}.Marshal(), l.signer)
		if err != nil {
			return 0, fmt.Errorf("sequence: sign checkpoint: %w", err)
		}
		cp = &StoredCheckpoint{Size: to, Root: root, Note: signed, CreatedAt: l.clock()}
	}
	if err := l.store.Integrate(ctx, from, to, upperHashes(r.base, r.pending), cp); err != nil {
		return 0, fmt.Errorf("sequence: %w", err)
	}
	if cp != nil {
		if err := l.publish(ctx); err != nil {
			return to, fmt.Errorf("sequence: %w", err)
		}
	}
	return to, nil
}

// extendsPublished checks, before a checkpoint is signed, that the tree
// being signed holds the published one: its hash at the published size is
// the published root. Check made sure the database has that checkpoint;
// this makes sure of the tree the signature will cover.
func (l *Log) extendsPublished(r *reader) error {
	if l.blobs == nil {
		return nil
	}
	l.pubMu.Lock()
	size := l.blobSize
	l.pubMu.Unlock()
	if size <= 0 {
		return nil
	}
	cp, err := l.store.Checkpoint(r.ctx, size)
	if err != nil {
		return err
	}
	root, err := tlog.TreeHash(size, r)
	if err != nil {
		return fmt.Errorf("the tree hash at the published size %d: %w", size, err)
	}
	if root != cp.Root {
		return l.stop(attesta.E(attesta.Unavailable, "err.notary.fork", size))
	}
	return nil
}

// upperHashes keeps, of the stored hashes from stored index base, those at
// heights of PackHeight and more: the ones the store keeps.
func upperHashes(base int64, hs []tlog.Hash) []TreeHash {
	var out []TreeHash
	for i, h := range hs {
		if level, _ := tlog.SplitStoredHashIndex(base + int64(i)); level >= PackHeight {
			out = append(out, TreeHash{Index: base + int64(i), Hash: h})
		}
	}
	return out
}

// SequenceAll integrates every appended entry, batch after batch.
func (l *Log) SequenceAll(ctx context.Context) (int64, error) {
	for {
		sizes, err := l.store.Sizes(ctx)
		if err != nil {
			return 0, err
		}
		size, err := l.Sequence(ctx)
		if err != nil || size >= sizes.Entries {
			return size, err
		}
	}
}

// Run sequences every interval until ctx is done and, in its own loop, has
// the latest checkpoint cosigned and timestamped (Notarize), so that a slow
// witness or TSA delays publication, never integration. It logs nothing
// itself: errors go to report.
func (l *Log) Run(ctx context.Context, interval time.Duration, report func(error)) {
	var wg sync.WaitGroup
	loop := func(step func(context.Context) error) {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if err := step(ctx); err != nil && ctx.Err() == nil && report != nil {
				report(err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}
	wg.Go(func() {
		loop(func(ctx context.Context) error {
			_, err := l.SequenceAll(ctx)
			return err
		})
	})
	if len(l.witnesses) > 0 || l.tsa != nil {
		wg.Go(func() { loop(l.Notarize) })
	}
	wg.Wait()
}

// storeReader is the integrated tree of the given size as a
// tlog.HashReader.
func (l *Log) storeReader(ctx context.Context, size int64) *reader {
	return &reader{ctx: ctx, log: l, size: size, base: -1}
}

// InclusionProof proves that the leaf at index is in the tree of size.
func (l *Log) InclusionProof(ctx context.Context, index, size int64) ([]tlog.Hash, error) {
	if index < 0 || index >= size {
		return nil, attesta.E(attesta.Invalid, "err.notary.leaf.beyond", index, size)
	}
	return tlog.ProveRecord(size, index, l.storeReader(ctx, size))
}

// ConsistencyProof proves that the tree of size oldSize is a prefix of the
// tree of size newSize.
func (l *Log) ConsistencyProof(ctx context.Context, oldSize, newSize int64) ([]tlog.Hash, error) {
	if oldSize < 0 || oldSize > newSize {
		return nil, attesta.E(attesta.Invalid, "err.notary.consistency.none", oldSize, newSize)
	}
	return tlog.ProveTree(newSize, oldSize, l.storeReader(ctx, newSize))
}

// digest is the SHA-256 of a checkpoint note's text, what timestamps cover.
func digest(text []byte) []byte {
	sum := sha256.Sum256(text)
	return sum[:]
}
