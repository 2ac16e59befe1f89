// Package witness implements both sides of the C2SP tlog-witness protocol
// (https://c2sp.org/tlog-witness): a [Witness] that cosigns the checkpoints
// of the logs it follows, attesta instances of other Chambers of Commerce,
// once it has verified that each is consistent with the last one it cosigned;
// and a [Client] with which a log asks a witness for its cosignature.
//
// A log submits, with POST <prefix>/add-checkpoint, the size of the last
// checkpoint the witness cosigned (the "old size"), a consistency proof from
// it, and the new signed checkpoint. The witness answers, checking in the
// order of the specification:
//
//   - 400 Bad Request for a malformed body or checkpoint, or an old size
//     larger than the checkpoint's;
//   - 404 Not Found for a checkpoint whose origin is not a log it follows;
//   - 403 Forbidden for a checkpoint not signed by a key it trusts for that
//     origin, or with a signature by such a key that does not verify;
//   - 409 Conflict, with Content-Type text/x.tlog.size and its latest
//     cosigned size in decimal followed by a newline as the body, when the
//     old size is not that size (0 for a log it never cosigned);
//   - 422 Unprocessable Entity when the consistency proof from its latest
//     cosigned tree to the checkpoint does not verify (checked with
//     golang.org/x/mod/sumdb/tlog.CheckTree), when the proof is not empty
//     although the old size is 0 or the checkpoint's size, or when a
//     checkpoint of size 0 does not carry the RFC 6962 hash of the empty tree;
//   - 409 Conflict, with a text/plain body, when the checkpoint has the size
//     of its latest cosigned one but another root hash: a fork. The
//     specification assigns 409, not 422, to this case;
//   - 200 OK with its cosignature line (text/plain), after recording the
//     checkpoint as its latest for that origin.
//
// A body larger than [MaxBodySize] gets 413 Request Entity Too Large, and
// other methods than POST get 405. A refused checkpoint leaves the witness's
// state unchanged; the witness logs those it refuses as inconsistent, which
// may be evidence of a log's misbehaviour.
//
// Checking the old size and recording the new checkpoint are one atomic
// compare-and-swap of the [Store], so that concurrent requests cannot roll
// back the witness's view of a log.
package witness

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"golang.org/x/mod/sumdb/tlog"
)

// Errors of add-checkpoint requests, each for one HTTP status of the
// protocol. A [Witness] returns errors that wrap them, and so does a [Client]
// for the witness's answers.
var (
	// ErrMalformed is a malformed request body or checkpoint, or an old size
	// larger than the checkpoint's size: 400 Bad Request.
	ErrMalformed = errors.New("witness: malformed request")
	// ErrUnknownLog is a checkpoint of an origin the witness does not
	// follow: 404 Not Found.
	ErrUnknownLog = errors.New("witness: unknown log")
	// ErrNotSigned is a checkpoint without a valid signature by a key the
	// witness trusts for its origin: 403 Forbidden.
	ErrNotSigned = errors.New("witness: checkpoint not signed by the log")
	// ErrInconsistent is a consistency proof that does not verify: 422
	// Unprocessable Entity.
	ErrInconsistent = errors.New("witness: checkpoint not consistent with the latest cosigned one")
	// ErrRootMismatch is a checkpoint of the size of the latest cosigned one
	// with another root hash, a fork: 409 Conflict without a size.
	ErrRootMismatch = errors.New("witness: checkpoint has the size of the latest cosigned one but another root hash")
)

// An OldSizeError is the refusal of a request whose old size is not the size
// of the witness's latest cosigned checkpoint: 409 Conflict with that size.
// The client retries with a consistency proof from Latest.
type OldSizeError struct {
	// Old is the old size of the request.
	Old int64
	// Latest is the size of the witness's latest cosigned checkpoint of the
	// log, 0 if none.
	Latest int64
}

func (e *OldSizeError) Error() string {
	return fmt.Sprintf("witness: old size %d is not the size of the latest cosigned checkpoint, %d", e.Old, e.Latest)
}

// ErrConflict is returned by [Store.Update] when the stored size is not the
// expected old size.
var ErrConflict = errors.New("witness: the stored checkpoint changed")

// A DurableStore is a database-backed Store that also keeps the witness's
// cosigning key, sealed with attesta's key-encryption key
// (storage/sqlite and storage/postgres).
type DurableStore interface {
	Store
	// Key returns the sealed key; found is false if none was made yet.
	Key(ctx context.Context) (sealed []byte, found bool, err error)
	// SetKey stores the sealed key; an error with code Conflict if one exists.
	SetKey(ctx context.Context, sealed []byte) error
}

// A Store keeps the latest checkpoint the witness cosigned for each log.
type Store interface {
	// Latest returns the size and root hash of the latest cosigned
	// checkpoint of the log origin; found is false if there is none.
	Latest(ctx context.Context, origin string) (size int64, root [32]byte, found bool, err error)
	// Update records the checkpoint note of size newSize and root hash
	// newRoot as the latest of origin, if the stored size is oldSize (0 when
	// nothing is stored), as one atomic compare-and-swap. Otherwise it
	// changes nothing and returns an error wrapping ErrConflict. The note
	// must be durable when Update returns.
	Update(ctx context.Context, origin string, oldSize, newSize int64, newRoot [32]byte, note []byte) error
}

// MemoryStore is a [Store] in memory, for tests. The zero MemoryStore is
// empty and ready to use; it is safe for concurrent use.
type MemoryStore struct {
	mu   sync.Mutex
	logs map[string]memoryEntry
}

type memoryEntry struct {
	size int64
	root [32]byte
	note []byte
}

// Latest implements [Store].
func (m *MemoryStore) Latest(ctx context.Context, origin string) (int64, [32]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return 0, [32]byte{}, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.logs[origin]
	return e.size, e.root, ok, nil
}

// Update implements [Store].
func (m *MemoryStore) Update(ctx context.Context, origin string, oldSize, newSize int64, newRoot [32]byte, note []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if newSize < oldSize {
		return fmt.Errorf("witness: store: new size %d is smaller than old size %d", newSize, oldSize)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.logs[origin]; e.size != oldSize {
		return fmt.Errorf("%w: stored size %d, expected %d", ErrConflict, e.size, oldSize)
	}
	if m.logs == nil {
		m.logs = make(map[string]memoryEntry)
	}
	m.logs[origin] = memoryEntry{size: newSize, root: newRoot, note: append([]byte(nil), note...)}
	return nil
}

// Note returns the latest cosigned checkpoint note of origin, with the
// witness's cosignature.
func (m *MemoryStore) Note(origin string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.logs[origin]
	return append([]byte(nil), e.note...), ok
}

// emptyRoot is the RFC 6962 hash of the empty tree, SHA-256 of nothing.
var emptyRoot = sha256.Sum256(nil)

// A Witness verifies and cosigns the checkpoints of the logs it follows. Its
// fields must not change while it serves requests.
type Witness struct {
	// Cosigner makes the witness's cosignatures.
	Cosigner *checkpoint.Cosigner
	// Logs maps the origin of each log the witness follows to the keys any
	// of which must sign its checkpoints (more than one during a key
	// rotation).
	Logs map[string][]checkpoint.Verifier
	// Store keeps the latest cosigned checkpoint of each log.
	Store Store
	// Clock returns the time of cosignatures; nil means time.Now.
	Clock func() time.Time
	// Logger receives refused inconsistent checkpoints and internal errors;
	// nil means slog.Default().
	Logger *slog.Logger
}

func (w *Witness) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}

// AddCheckpoint handles an add-checkpoint request and returns the witness's
// cosignature lines, each ending in a newline. Refusals are an
// [*OldSizeError] or wrap one of the errors of this package (ErrMalformed,
// ErrUnknownLog, ErrNotSigned, ErrInconsistent, ErrRootMismatch); other errors
// are the witness's own failures.
func (w *Witness) AddCheckpoint(ctx context.Context, req *AddCheckpointRequest) ([]string, error) {
	if w.Cosigner == nil || w.Store == nil {
		return nil, errors.New("witness: no cosigner or no store configured")
	}
	if len(req.Proof) > MaxProofLines {
		return nil, fmt.Errorf("%w: more than %d consistency proof lines", ErrMalformed, MaxProofLines)
	}
	if req.OldSize < 0 {
		return nil, fmt.Errorf("%w: negative old size %d", ErrMalformed, req.OldSize)
	}
	n, err := checkpoint.ParseNote(req.Checkpoint)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	cp, err := checkpoint.Parse(n.Text)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	keys := w.Logs[cp.Origin]
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w %q", ErrUnknownLog, cp.Origin)
	}
	verifiers := make([]checkpoint.NoteVerifier, len(keys))
	for i, k := range keys {
		verifiers[i] = k
	}
	if _, err := checkpoint.Open(req.Checkpoint, verifiers...); err != nil {
		var unverified *checkpoint.UnverifiedNoteError
		var invalid *checkpoint.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return nil, fmt.Errorf("%w %q: %v", ErrNotSigned, cp.Origin, err)
		}
		return nil, fmt.Errorf("witness: log %q: %w", cp.Origin, err)
	}
	if req.OldSize > cp.Size {
		return nil, fmt.Errorf("%w: old size %d is larger than the checkpoint's size %d", ErrMalformed, req.OldSize, cp.Size)
	}

	size, root, found, err := w.Store.Latest(ctx, cp.Origin)
	if err != nil {
		return nil, fmt.Errorf("witness: reading the latest checkpoint of %q: %w", cp.Origin, err)
	}
	if !found {
		size = 0
	}
	if req.OldSize != size {
		return nil, &OldSizeError{Old: req.OldSize, Latest: size}
	}
	if err := checkConsistency(req, cp, root, found); err != nil {
		w.logger().WarnContext(ctx, "witness: refused a checkpoint inconsistent with the latest cosigned one",
			"origin", cp.Origin, "old_size", req.OldSize, "size", cp.Size, "error", err, "checkpoint", string(req.Checkpoint))
		return nil, err
	}

	now := time.Now()
	if w.Clock != nil {
		now = w.Clock()
	}
	if now.Unix() < 0 {
		return nil, fmt.Errorf("witness: the clock reads %v, before 1970", now)
	}
	line := w.Cosigner.Cosign(n.Text, now)
	note := append(append([]byte(nil), req.Checkpoint...), line...)
	if err := w.Store.Update(ctx, cp.Origin, req.OldSize, cp.Size, cp.Root, note); err != nil {
		if !errors.Is(err, ErrConflict) {
			return nil, fmt.Errorf("witness: recording the checkpoint of %q: %w", cp.Origin, err)
		}
		// Another request moved the log on since Latest.
		latest, _, _, err := w.Store.Latest(ctx, cp.Origin)
		if err != nil {
			return nil, fmt.Errorf("witness: reading the latest checkpoint of %q: %w", cp.Origin, err)
		}
		return nil, &OldSizeError{Old: req.OldSize, Latest: latest}
	}
	return []string{line}, nil
}

// checkConsistency checks that cp extends the tree of size req.OldSize and
// hash root, the witness's latest (found false: nothing cosigned yet, and
// req.OldSize is 0).
func checkConsistency(req *AddCheckpointRequest, cp *checkpoint.Checkpoint, root [32]byte, found bool) error {
	if cp.Size == 0 && cp.Root != emptyRoot {
		return fmt.Errorf("%w: a checkpoint of size 0 must carry the hash of the empty tree", ErrInconsistent)
	}
	if req.OldSize == 0 || req.OldSize == cp.Size {
		if len(req.Proof) != 0 {
			return fmt.Errorf("%w: the consistency proof from size %d to %d must be empty, it has %d hashes", ErrInconsistent, req.OldSize, cp.Size, len(req.Proof))
		}
		if req.OldSize == cp.Size && found && root != cp.Root {
			return fmt.Errorf("%w: size %d", ErrRootMismatch, cp.Size)
		}
		return nil
	}
	proof := make(tlog.TreeProof, len(req.Proof))
	for i, h := range req.Proof {
		proof[i] = h
	}
	if err := tlog.CheckTree(proof, cp.Size, cp.Root, req.OldSize, root); err != nil {
		return fmt.Errorf("%w: the consistency proof from size %d to %d does not verify", ErrInconsistent, req.OldSize, cp.Size)
	}
	return nil
}

// statusOf returns the HTTP status of an error of AddCheckpoint.
func statusOf(err error) int {
	var old *OldSizeError
	switch {
	case errors.As(err, &old), errors.Is(err, ErrRootMismatch):
		return http.StatusConflict
	case errors.Is(err, ErrMalformed):
		return http.StatusBadRequest
	case errors.Is(err, ErrUnknownLog):
		return http.StatusNotFound
	case errors.Is(err, ErrNotSigned):
		return http.StatusForbidden
	case errors.Is(err, ErrInconsistent):
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// sizeContentType is the media type of the body of a 409 response that
// carries the witness's latest size.
const sizeContentType = "text/x.tlog.size"

// Handler returns the HTTP handler of the witness, serving POST
// /add-checkpoint; mount it under the witness's submission prefix with
// http.StripPrefix.
func (w *Witness) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /add-checkpoint", w.serveAddCheckpoint)
	return mux
}

func (w *Witness) serveAddCheckpoint(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, MaxBodySize))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(rw, fmt.Sprintf("witness: the body is larger than %d bytes", MaxBodySize), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(rw, "witness: reading the body: "+err.Error(), http.StatusBadRequest)
		return
	}
	req, err := ParseAddCheckpointBody(body)
	var lines []string
	if err == nil {
		lines, err = w.AddCheckpoint(r.Context(), req)
	}
	if err != nil {
		var old *OldSizeError
		if errors.As(err, &old) {
			rw.Header().Set("Content-Type", sizeContentType)
			rw.WriteHeader(http.StatusConflict)
			io.WriteString(rw, strconv.FormatInt(old.Latest, 10)+"\n")
			return
		}
		status := statusOf(err)
		if status == http.StatusInternalServerError {
			w.logger().ErrorContext(r.Context(), "witness: add-checkpoint failed", "error", err)
			http.Error(rw, "witness: internal error", status)
			return
		}
		http.Error(rw, err.Error(), status)
		return
	}
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	for _, l := range lines {
		io.WriteString(rw, l)
	}
}
