package witness

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"golang.org/x/mod/sumdb/tlog"
)

const origin = "attesta.example/log"

// testLog is a log built with golang.org/x/mod/sumdb/tlog over a map of
// stored hashes.
type testLog struct {
	t      testing.TB
	hashes map[int64]tlog.Hash
	size   int64
	signer *checkpoint.Signer
	origin string
}

func newTestLog(t testing.TB, signer *checkpoint.Signer) *testLog {
	return &testLog{t: t, hashes: make(map[int64]tlog.Hash), signer: signer, origin: origin}
}

func (l *testLog) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := l.hashes[x]
		if !ok {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = h
	}
	return out, nil
}

// append adds count leaves whose contents begin with prefix.
func (l *testLog) append(count int, prefix string) {
	l.t.Helper()
	for range count {
		hs, err := tlog.StoredHashes(l.size, fmt.Appendf(nil, "%s leaf %d", prefix, l.size), l)
		if err != nil {
			l.t.Fatal(err)
		}
		base := tlog.StoredHashCount(l.size)
		for i, h := range hs {
			l.hashes[base+int64(i)] = h
		}
		l.size++
	}
}

func (l *testLog) root(size int64) [32]byte {
	l.t.Helper()
	h, err := tlog.TreeHash(size, l)
	if err != nil {
		l.t.Fatal(err)
	}
	return h
}

// checkpoint returns the signed checkpoint of the log at its size.
func (l *testLog) checkpoint() ([]byte, []byte) {
	l.t.Helper()
	text := checkpoint.Checkpoint{Origin: l.origin, Size: l.size, Root: l.root(l.size)}.Marshal()
	note, err := checkpoint.Sign(text, l.signer)
	if err != nil {
		l.t.Fatal(err)
	}
	return text, note
}

// proof returns the consistency proof from old to the log's size.
func (l *testLog) proof(old int64) [][32]byte {
	l.t.Helper()
	if old == 0 || old == l.size {
		return nil
	}
	p, err := tlog.ProveTree(l.size, old, l)
	if err != nil {
		l.t.Fatal(err)
	}
	out := make([][32]byte, len(p))
	for i, h := range p {
		out[i] = h
	}
	return out
}

type fixture struct {
	log      *testLog
	store    *MemoryStore
	witness  *Witness
	cosigner *checkpoint.Cosigner
	server   *httptest.Server
	client   *Client
	logs     *bytes.Buffer
}

func newKey(t testing.TB) ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newFixture(t testing.TB) *fixture {
	signer, err := checkpoint.NewSigner(origin, newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	cosigner, err := checkpoint.CosignerFor("witness.example/w1", newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{log: newTestLog(t, signer), store: &MemoryStore{}, cosigner: cosigner, logs: new(bytes.Buffer)}
	f.witness = &Witness{
		Cosigner: cosigner,
		Logs:     map[string][]checkpoint.Verifier{origin: {signer.Verifier()}},
		Store:    f.store,
		Clock:    func() time.Time { return time.Unix(1700000000, 0) },
		Logger:   slog.New(slog.NewTextHandler(f.logs, nil)),
	}
	f.server = httptest.NewServer(http.StripPrefix("/w1", f.witness.Handler()))
	t.Cleanup(f.server.Close)
	f.client = &Client{URL: f.server.URL + "/w1/", HTTP: f.server.Client()}
	return f
}

func (f *fixture) submit(t testing.TB, old int64) ([]string, error) {
	t.Helper()
	_, note := f.log.checkpoint()
	return f.client.AddCheckpoint(context.Background(), old, f.log.proof(old), note)
}

// post sends a raw body and returns the status, content type and body.
func (f *fixture) post(t testing.TB, body []byte) (int, string, string) {
	t.Helper()
	resp, err := f.server.Client().Post(f.server.URL+"/w1/add-checkpoint", "text/plain", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func (f *fixture) latest(t testing.TB) (int64, [32]byte, bool) {
	t.Helper()
	size, root, found, err := f.store.Latest(context.Background(), origin)
	if err != nil {
		t.Fatal(err)
	}
	return size, root, found
}

func TestGrowingLog(t *testing.T) {
	f := newFixture(t)
	policy := checkpoint.Policy{Log: f.log.signer.Verifier(), Witnesses: []checkpoint.CosignatureVerifier{f.cosigner.Verifier()}, Quorum: 1}
	var old int64
	for _, grow := range []int{0, 1, 1, 2, 5, 8, 13, 0, 100, 27, 1} {
		f.log.append(grow, "main")
		text, note := f.log.checkpoint()
		lines, err := f.client.AddCheckpoint(context.Background(), old, f.log.proof(old), note)
		if err != nil {
			t.Fatalf("from %d to %d: %v", old, f.log.size, err)
		}
		if len(lines) != 1 {
			t.Fatalf("lines %q", lines)
		}
		at, err := checkpoint.VerifyCosignature(f.cosigner.Verifier(), text, lines[0])
		if err != nil || at.Unix() != 1700000000 {
			t.Fatalf("cosignature of size %d: %v, %v", f.log.size, at, err)
		}
		cp, err := policy.Verify(append(note, lines[0]...))
		if err != nil || cp.Size != f.log.size {
			t.Fatalf("policy: %v", err)
		}
		size, root, found := f.latest(t)
		if !found || size != f.log.size || root != f.log.root(f.log.size) {
			t.Fatalf("stored %d %x %v, want %d", size, root, found, f.log.size)
		}
		stored, _ := f.store.Note(origin)
		if _, err := policy.Verify(stored); err != nil {
			t.Fatalf("stored note: %v", err)
		}
		old = f.log.size
	}
}

func TestForkedLog(t *testing.T) {
	f := newFixture(t)
	f.log.append(10, "main")
	_, note10 := f.log.checkpoint()
	if _, err := f.submit(t, 0); err != nil {
		t.Fatal(err)
	}
	// The fork shares the first 6 leaves, then differs; the log key signs it.
	fork := newTestLog(t, f.log.signer)
	fork.append(6, "main")
	fork.append(4, "fork")
	size, root, _ := f.latest(t)
	note, _ := f.store.Note(origin)

	unchanged := func() {
		t.Helper()
		s, r, _ := f.latest(t)
		n, _ := f.store.Note(origin)
		if s != size || r != root || !bytes.Equal(n, note) {
			t.Fatalf("the store changed: %d %x", s, r)
		}
	}

	// Same size, another root: 409 without a size, as the spec says.
	_, forkNote := fork.checkpoint()
	_, err := f.client.AddCheckpoint(context.Background(), 10, nil, forkNote)
	var re *ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusConflict || !errors.Is(err, ErrRootMismatch) {
		t.Fatalf("same-size fork: %v", err)
	}
	unchanged()
	body, _ := (&AddCheckpointRequest{OldSize: 10, Checkpoint: forkNote}).Marshal()
	if status, ct, _ := f.post(t, body); status != http.StatusConflict || strings.HasPrefix(ct, sizeContentType) {
		t.Fatalf("same-size fork: %d %s", status, ct)
	}

	// Larger: the fork's own proof from 10 does not hold against the
	// cosigned tree of size 10.
	fork.append(5, "fork")
	_, forkNote = fork.checkpoint()
	_, err = f.client.AddCheckpoint(context.Background(), 10, fork.proof(10), forkNote)
	if !errors.As(err, &re) || re.StatusCode != http.StatusUnprocessableEntity || !errors.Is(err, ErrInconsistent) {
		t.Fatalf("larger fork: %v", err)
	}
	unchanged()
	if !strings.Contains(f.logs.String(), "refused a checkpoint inconsistent") {
		t.Errorf("the refusal was not logged: %s", f.logs)
	}

	// Nor does the main log's proof with the fork's root.
	f.log.append(5, "main")
	_, err = f.client.AddCheckpoint(context.Background(), 10, f.log.proof(10), forkNote)
	if !errors.Is(err, ErrInconsistent) {
		t.Fatalf("fork with the main log's proof: %v", err)
	}
	// A proof that is not empty from size 0 or to the same size.
	if _, err := f.client.AddCheckpoint(context.Background(), 10, [][32]byte{{1}}, note10); !errors.Is(err, ErrInconsistent) {
		t.Fatalf("same size with a proof: %v", err)
	}
	unchanged()
	// The main log still grows.
	if _, err := f.submit(t, 10); err != nil {
		t.Fatal(err)
	}
}

func TestEmptyTree(t *testing.T) {
	f := newFixture(t)
	if _, err := f.submit(t, 0); err != nil {
		t.Fatalf("size 0: %v", err)
	}
	bad, _ := checkpoint.Sign(checkpoint.Checkpoint{Origin: origin, Size: 0}.Marshal(), f.log.signer)
	if _, err := f.client.AddCheckpoint(context.Background(), 0, nil, bad); !errors.Is(err, ErrInconsistent) {
		t.Fatalf("size 0 with a zero root: %v", err)
	}
	f.log.append(3, "main")
	if _, err := f.client.AddCheckpoint(context.Background(), 0, f.log.proof(2), mustNote(f)); !errors.Is(err, ErrInconsistent) {
		t.Fatalf("proof from size 0: %v", err)
	}
	if _, err := f.submit(t, 0); err != nil {
		t.Fatalf("from size 0: %v", err)
	}
}

func mustNote(f *fixture) []byte {
	_, n := f.log.checkpoint()
	return n
}

func TestStaleOldSize(t *testing.T) {
	f := newFixture(t)
	f.log.append(5, "main")
	if _, err := f.submit(t, 0); err != nil {
		t.Fatal(err)
	}
	f.log.append(7, "main")
	for _, old := range []int64{0, 3, 6} {
		_, err := f.submit(t, old)
		var oe *OldSizeError
		if !errors.As(err, &oe) || oe.Latest != 5 || oe.Old != old {
			t.Fatalf("old %d: %v", old, err)
		}
	}
	body, _ := (&AddCheckpointRequest{OldSize: 3, Proof: f.log.proof(3), Checkpoint: mustNote(f)}).Marshal()
	status, ct, resp := f.post(t, body)
	if status != http.StatusConflict || ct != "text/x.tlog.size" || resp != "5\n" {
		t.Fatalf("409: %d %q %q", status, ct, resp)
	}
	// The client retries from the witness's size.
	var oe *OldSizeError
	_, err := f.submit(t, 0)
	if !errors.As(err, &oe) {
		t.Fatal(err)
	}
	if _, err := f.submit(t, oe.Latest); err != nil {
		t.Fatalf("retry from %d: %v", oe.Latest, err)
	}
	// An old size larger than the checkpoint's is malformed.
	body, _ = (&AddCheckpointRequest{OldSize: 13, Checkpoint: mustNote(f)}).Marshal()
	if status, _, resp := f.post(t, body); status != http.StatusBadRequest || !strings.Contains(resp, "old size 13 is larger than the checkpoint's size 12") {
		t.Fatalf("old > size: %d %q", status, resp)
	}
}

func TestSignatures(t *testing.T) {
	f := newFixture(t)
	f.log.append(3, "main")
	text, _ := f.log.checkpoint()

	// Signed by another key, even with the log's name: 403.
	other, _ := checkpoint.NewSigner(origin, newKey(t))
	note, _ := checkpoint.Sign(text, other)
	_, err := f.client.AddCheckpoint(context.Background(), 0, nil, note)
	var re *ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusForbidden || !errors.Is(err, ErrNotSigned) {
		t.Fatalf("other key: %v", err)
	}
	// A bad signature by the log's key: 403.
	good := mustNote(f)
	tampered := bytes.Replace(good, []byte("\n3\n"), []byte("\n4\n"), 1)
	if _, err := f.client.AddCheckpoint(context.Background(), 0, nil, tampered); !errors.Is(err, ErrNotSigned) {
		t.Fatalf("tampered: %v", err)
	}
	// Unknown origin: 404.
	stranger := newTestLog(t, other)
	stranger.origin = "stranger.example/log"
	stranger.append(1, "x")
	_, sn := stranger.checkpoint()
	if _, err := f.client.AddCheckpoint(context.Background(), 0, nil, sn); !errors.As(err, &re) || re.StatusCode != http.StatusNotFound || !errors.Is(err, ErrUnknownLog) {
		t.Fatalf("unknown origin: %v", err)
	}
	if _, _, found := f.latest(t); found {
		t.Fatal("a refused checkpoint was stored")
	}
	// Signed by the log and by others: fine, and key rotation works.
	both, _ := checkpoint.Sign(text, other, f.log.signer)
	if _, err := f.client.AddCheckpoint(context.Background(), 0, nil, both); err != nil {
		t.Fatalf("two signatures: %v", err)
	}
	f.witness.Logs[origin] = append(f.witness.Logs[origin], other.Verifier())
	f.log.signer = other
	f.log.append(1, "main")
	if _, err := f.submit(t, 3); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
}

func TestMalformed(t *testing.T) {
	f := newFixture(t)
	f.log.append(4, "main")
	note := string(mustNote(f))
	hash := "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
	for _, tc := range []struct{ body, want string }{
		{"", "no old size line"},
		{"old 0", "no old size line"},
		{"new 0\n\n" + note, "is not \"old <size>\""},
		{"old  0\n\n" + note, "is not a decimal number"},
		{"old 00\n\n" + note, "has a leading zero"},
		{"old -1\n\n" + note, "is not a decimal number"},
		{"old 99999999999999999999\n\n" + note, "out of range"},
		{"old 0\n" + note, "consistency proof hash"},
		{"old 0\nAAAA\n\n" + note, "line 2: consistency proof hash"},
		{"old 0\n" + strings.Repeat(hash, 64) + "\n" + note, "more than 63 consistency proof lines"},
		{"old 0\n" + hash, "no blank line before the checkpoint"},
		{"old 0\n\n", "no checkpoint after the blank line"},
		{"old 0\n\nnot a note\n", "malformed note"},
		{"old 0\n\nhello\n\n" + strings.SplitAfter(note, "\n")[4], "want at least 3"},
		{"old 0\n\n" + strings.Replace(note, "\n4\n", "\n04\n", 1), "leading zero"},
	} {
		status, _, resp := f.post(t, []byte(tc.body))
		if status != http.StatusBadRequest || !strings.Contains(resp, tc.want) {
			t.Errorf("%.50q: %d %q, want 400 with %q", tc.body, status, resp, tc.want)
		}
	}
	// 63 proof lines are not malformed (the proof is wrong: 422).
	if status, _, resp := f.post(t, []byte("old 0\n"+strings.Repeat(hash, 63)+"\n"+note)); status != http.StatusUnprocessableEntity {
		t.Errorf("63 proof lines: %d %q", status, resp)
	}
	// Too large.
	if status, _, _ := f.post(t, make([]byte, MaxBodySize+1)); status != http.StatusRequestEntityTooLarge {
		t.Errorf("large body: %d", status)
	}
	// Other methods and paths.
	resp, err := f.server.Client().Get(f.server.URL + "/w1/add-checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	if _, _, found := f.latest(t); found {
		t.Fatal("a malformed request was stored")
	}
}

// raceStore holds every Latest until n requests have read the state, so that
// they all pass the old size check before any of them updates.
type raceStore struct {
	*MemoryStore
	wg   sync.WaitGroup
	once sync.Map
}

func (s *raceStore) Latest(ctx context.Context, origin string) (int64, [32]byte, bool, error) {
	size, root, found, err := s.MemoryStore.Latest(ctx, origin)
	if id, ok := ctx.Value(requestID{}).(int); ok {
		if _, loaded := s.once.LoadOrStore(id, true); !loaded {
			s.wg.Done()
			s.wg.Wait()
		}
	}
	return size, root, found, err
}

type requestID struct{}

func TestConcurrentSubmissions(t *testing.T) {
	f := newFixture(t)
	f.log.append(4, "main")
	if _, err := f.submit(t, 0); err != nil {
		t.Fatal(err)
	}
	const n = 8
	store := &raceStore{MemoryStore: f.store}
	store.wg.Add(n)
	f.witness.Store = store
	var notes [n][]byte
	var proofs [n][][32]byte
	for i := range n {
		f.log.append(1, "main")
		_, notes[i] = f.log.checkpoint()
		proofs[i] = f.log.proof(4)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var wins, conflicts int
	var winner int
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.WithValue(context.Background(), requestID{}, i)
			req := &AddCheckpointRequest{OldSize: 4, Proof: proofs[i], Checkpoint: notes[i]}
			_, err := f.witness.AddCheckpoint(ctx, req)
			mu.Lock()
			defer mu.Unlock()
			var oe *OldSizeError
			switch {
			case err == nil:
				wins++
				winner = i
			case errors.As(err, &oe) && oe.Latest > 4:
				conflicts++
			default:
				t.Errorf("request %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || conflicts != n-1 {
		t.Fatalf("%d won, %d conflicts", wins, conflicts)
	}
	size, _, _ := f.latest(t)
	if size != int64(4+winner+1) {
		t.Fatalf("stored size %d, winner %d", size, winner)
	}
}

// TestConcurrentHTTP races the same submission over HTTP.
func TestConcurrentHTTP(t *testing.T) {
	f := newFixture(t)
	f.log.append(3, "main")
	_, note := f.log.checkpoint()
	body, _ := (&AddCheckpointRequest{OldSize: 0, Checkpoint: note}).Marshal()
	const n = 16
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _, _ := f.post(t, body)
			statuses <- status
		}()
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	if counts[http.StatusOK] != 1 || counts[http.StatusConflict] != n-1 {
		t.Fatalf("statuses %v", counts)
	}
}

func TestMemoryStore(t *testing.T) {
	var m MemoryStore
	ctx := context.Background()
	if _, _, found, _ := m.Latest(ctx, "o"); found {
		t.Fatal("found in an empty store")
	}
	if err := m.Update(ctx, "o", 1, 2, [32]byte{1}, nil); !errors.Is(err, ErrConflict) {
		t.Fatalf("update from 1 of an empty log: %v", err)
	}
	if err := m.Update(ctx, "o", 0, 2, [32]byte{2}, []byte("n")); err != nil {
		t.Fatal(err)
	}
	if err := m.Update(ctx, "o", 0, 3, [32]byte{3}, nil); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale update: %v", err)
	}
	if err := m.Update(ctx, "o", 2, 1, [32]byte{3}, nil); err == nil {
		t.Fatal("shrinking update")
	}
	size, root, found, _ := m.Latest(ctx, "o")
	if size != 2 || root != [32]byte{2} || !found {
		t.Fatalf("Latest = %d %x %v", size, root, found)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := m.Update(cctx, "o", 2, 3, [32]byte{}, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled: %v", err)
	}
}

func TestClientErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		ct     string
		body   string
		check  func(error) bool
	}{
		{http.StatusConflict, "text/x.tlog.size", "12\n", func(err error) bool {
			var oe *OldSizeError
			return errors.As(err, &oe) && oe.Latest == 12 && oe.Old == 3
		}},
		{http.StatusConflict, "text/x.tlog.size", "012\n", func(err error) bool { return err != nil && strings.Contains(err.Error(), "malformed text/x.tlog.size") }},
		{http.StatusConflict, "text/x.tlog.size", "12", func(err error) bool { return err != nil && strings.Contains(err.Error(), "malformed") }},
		{http.StatusConflict, "text/plain", "fork", func(err error) bool { return errors.Is(err, ErrRootMismatch) }},
		{http.StatusUnprocessableEntity, "text/plain", "bad proof", func(err error) bool {
			return errors.Is(err, ErrInconsistent) && strings.Contains(err.Error(), "422 Unprocessable Entity: bad proof")
		}},
		{http.StatusOK, "text/plain", "", func(err error) bool { return err != nil && strings.Contains(err.Error(), "no cosignature") }},
		{http.StatusOK, "text/plain", "— w AAAAAAA=", func(err error) bool { return err != nil && strings.Contains(err.Error(), "newline") }},
		{http.StatusOK, "text/plain", "— w AAAAAAA=\nnot a line\n", func(err error) bool { return err != nil && strings.Contains(err.Error(), "em dash") }},
		{http.StatusInternalServerError, "text/plain", "oops", func(err error) bool {
			var re *ResponseError
			return errors.As(err, &re) && re.StatusCode == 500 && errors.Unwrap(err) == nil
		}},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", tc.ct)
			w.WriteHeader(tc.status)
			io.WriteString(w, tc.body)
		}))
		c := &Client{URL: srv.URL}
		_, err := c.AddCheckpoint(context.Background(), 3, nil, []byte("x\n\n— a AAAAAAA=\n"))
		if !tc.check(err) {
			t.Errorf("%d %s %q: %v", tc.status, tc.ct, tc.body, err)
		}
		srv.Close()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "— w1 AAAAAAA=\n— w2 AAAAAAE=\n")
	}))
	defer srv.Close()
	lines, err := (&Client{URL: srv.URL}).AddCheckpoint(context.Background(), 0, nil, []byte("x\n\n— a AAAAAAA=\n"))
	if err != nil || len(lines) != 2 || lines[1] != "— w2 AAAAAAE=\n" {
		t.Errorf("two lines: %q, %v", lines, err)
	}
	if _, err := (&Client{URL: srv.URL}).AddCheckpoint(context.Background(), -1, nil, []byte("x")); err == nil {
		t.Error("negative old size")
	}
}

func FuzzAddCheckpointBody(f *testing.F) {
	hash := "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
	note := "example.com/behind-the-sofa\n20852163\n" + hash + "\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
	f.Add([]byte("old 20852014\n" + hash + hash + "\n" + note))
	f.Add([]byte("old 0\n\n" + note))
	f.Add([]byte("old 01\n\n\n"))
	f.Add([]byte("old 5\nAAAA\n\nx"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseAddCheckpointBody(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if r.OldSize < 0 || len(r.Proof) > MaxProofLines || len(r.Checkpoint) == 0 {
			t.Fatalf("parsed %+v", r)
		}
		got, err := r.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		if !bytes.Equal(got, body) {
			t.Fatalf("not canonical: %q marshals back as %q", body, got)
		}
	})
}
