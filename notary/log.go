package notary

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta"
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
	signer note.Signer
	vkey   string
	clock  attesta.Clock
	batch  int

	mu sync.Mutex // one sequencer per process; the store's conflict check covers several processes
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
	if _, _, err := noteKeys(opts.Origin, ed25519.NewKeyFromSeed(make([]byte, 32))); err != nil {
		return nil, err
	}
	return &Log{store: store, origin: opts.Origin, kek: opts.KEK, clock: opts.Clock, batch: opts.Batch}, nil
}

// load reads (or makes, the first time) the log's signing key. It is done
// on first use, so that a Log can be made before the database is migrated.
func (l *Log) load(ctx context.Context) error {
	l.once.Do(func() {
		key, err := logKey(ctx, l.store, l.origin, l.kek)
		if err != nil {
			l.err = err
			return
		}
		skey, vkey, err := noteKeys(l.origin, key)
		if err != nil {
			l.err = err
			return
		}
		if l.signer, l.err = note.NewSigner(skey); l.err == nil {
			l.vkey = vkey
		}
	})
	return l.err
}

// keyContext binds a sealed blob to its use: the log's key.
const keyContext = "attesta log key"

func logKey(ctx context.Context, store Store, origin string, kek *issuer.KeyEncryptionKey) (ed25519.PrivateKey, error) {
	sealed, found, err := store.LogKey(ctx)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	if !found {
		_, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			return nil, err
		}
		blob, err := kek.Seal(priv.Seed(), keyContext)
		if err != nil {
			return nil, err
		}
		if err := store.SetLogKey(ctx, blob); err != nil {
			if attesta.ErrorCode(err) != attesta.Conflict {
				return nil, fmt.Errorf("log key: %w", err)
			}
			return logKey(ctx, store, origin, kek) // another process made it first
		}
		sealed = blob
	}
	seed, err := kek.Open(sealed, keyContext)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// Origin is the log's origin line.
func (l *Log) Origin() string { return l.origin }

// VerifierKey is the log's public key in the note verifier-key format, the
// value verifiers pin.
func (l *Log) VerifierKey(ctx context.Context) (string, error) {
	if err := l.load(ctx); err != nil {
		return "", err
	}
	return l.vkey, nil
}

// reader reads stored hashes from the store, and from pending ones not yet
// stored.
type reader struct {
	ctx     context.Context
	store   Store
	base    int64 // stored index of pending[0]
	pending []tlog.Hash
}

func (r *reader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	var at []int
	for i, x := range indexes {
		if x >= r.base && x < r.base+int64(len(r.pending)) {
			out[i] = r.pending[x-r.base]
			continue
		}
		missing = append(missing, x)
		at = append(at, i)
	}
	if len(missing) > 0 {
		hs, err := r.store.ReadHashes(r.ctx, missing)
		if err != nil {
			return nil, err
		}
		for j, h := range hs {
			out[at[j]] = h
		}
	}
	return out, nil
}

// Sequence integrates up to one batch of appended entries into the tree and
// signs a checkpoint for the new size. It returns the checkpoint size, which
// is unchanged when there was nothing to do.
func (l *Log) Sequence(ctx context.Context) (int64, error) {
	if err := l.load(ctx); err != nil {
		return 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	entries, from, err := l.store.Sizes(ctx)
	if err != nil {
		return 0, fmt.Errorf("sequence: %w", err)
	}
	if entries == from {
		return from, nil
	}
	to := min(entries, from+int64(l.batch))
	data, err := l.store.Entries(ctx, from, to)
	if err != nil {
		return 0, fmt.Errorf("sequence: %w", err)
	}
	r := &reader{ctx: ctx, store: l.store, base: tlog.StoredHashCount(from)}
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
	signed, err := note.Sign(&note.Note{Text: CheckpointText(l.origin, to, root)}, l.signer)
	if err != nil {
		return 0, fmt.Errorf("sequence: sign checkpoint: %w", err)
	}
	err = l.store.Integrate(ctx, from, to, hashes(r.pending), StoredCheckpoint{Size: to, Root: root, Note: signed, CreatedAt: l.clock()})
	if err != nil {
		return 0, fmt.Errorf("sequence: %w", err)
	}
	return to, nil
}

func hashes(hs []tlog.Hash) [][32]byte {
	out := make([][32]byte, len(hs))
	for i, h := range hs {
		out[i] = h
	}
	return out
}

// SequenceAll integrates every appended entry, batch after batch.
func (l *Log) SequenceAll(ctx context.Context) (int64, error) {
	for {
		entries, _, err := l.store.Sizes(ctx)
		if err != nil {
			return 0, err
		}
		size, err := l.Sequence(ctx)
		if err != nil || size >= entries {
			return size, err
		}
	}
}

// Run sequences every interval until ctx is done, logging nothing itself:
// errors go to report.
func (l *Log) Run(ctx context.Context, interval time.Duration, report func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := l.SequenceAll(ctx); err != nil && ctx.Err() == nil && report != nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// storeReader adapts the store to tlog.HashReader.
func (l *Log) storeReader(ctx context.Context) *reader {
	return &reader{ctx: ctx, store: l.store, base: -1}
}

// Checkpoint returns the latest checkpoint.
func (l *Log) Checkpoint(ctx context.Context) (StoredCheckpoint, error) {
	return l.store.Checkpoint(ctx, -1)
}

// InclusionProof proves that the leaf at index is in the tree of size.
func (l *Log) InclusionProof(ctx context.Context, index, size int64) ([]tlog.Hash, error) {
	if index < 0 || index >= size {
		return nil, attesta.Errorf(attesta.Invalid, "leaf %d is not in a tree of size %d", index, size)
	}
	return tlog.ProveRecord(size, index, l.storeReader(ctx))
}

// ConsistencyProof proves that the tree of size oldSize is a prefix of the
// tree of size newSize.
func (l *Log) ConsistencyProof(ctx context.Context, oldSize, newSize int64) ([]tlog.Hash, error) {
	if oldSize < 0 || oldSize > newSize {
		return nil, attesta.Errorf(attesta.Invalid, "no consistency proof from size %d to %d", oldSize, newSize)
	}
	return tlog.ProveTree(newSize, oldSize, l.storeReader(ctx))
}

// digest is the SHA-256 of a checkpoint note's text, what timestamps cover.
func digest(text []byte) []byte {
	sum := sha256.Sum256(text)
	return sum[:]
}

// CheckpointText is the body of a C2SP tlog-checkpoint: the origin, the tree
// size and the base64 root hash, one per line.
func CheckpointText(origin string, size int64, root tlog.Hash) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

// ParseCheckpointText reads a checkpoint body.
func ParseCheckpointText(text string) (origin string, size int64, root tlog.Hash, err error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return "", 0, root, errors.New("checkpoint: want origin, size and root lines")
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return "", 0, root, fmt.Errorf("checkpoint: invalid size %q", lines[1])
	}
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != len(root) {
		return "", 0, root, fmt.Errorf("checkpoint: invalid root hash %q", lines[2])
	}
	copy(root[:], h)
	return lines[0], size, root, nil
}

// noteKeys returns the signer and verifier keys, in the signed-note formats,
// of an Ed25519 log key named origin (key type 0x01, key ID the first four
// bytes of SHA-256(name, newline, type, public key)).
func noteKeys(origin string, key ed25519.PrivateKey) (skey, vkey string, err error) {
	if origin == "" || strings.ContainsAny(origin, "+ \t\n") || !utf8.ValidString(origin) {
		return "", "", fmt.Errorf("log origin %q is not a valid note key name", origin)
	}
	pub := key.Public().(ed25519.PublicKey)
	h := sha256.New()
	h.Write([]byte(origin + "\n"))
	h.Write([]byte{1})
	h.Write(pub)
	id := h.Sum(nil)[:4]
	skey = fmt.Sprintf("PRIVATE+KEY+%s+%x+%s", origin, id, base64.StdEncoding.EncodeToString(append([]byte{1}, key.Seed()...)))
	vkey = fmt.Sprintf("%s+%x+%s", origin, id, base64.StdEncoding.EncodeToString(append([]byte{1}, pub...)))
	return skey, vkey, nil
}
