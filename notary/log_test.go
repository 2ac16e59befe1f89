package notary_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/storage/sqlite"
)

type env struct {
	db        *sqlite.DB
	creds     *credential.Service
	log       *notary.Log
	kek       *issuer.KeyEncryptionKey
	standards *competence.Service
	issuers   *issuer.Service
	path      string
}

var operator = credential.Actor{Name: "operatore"}

func newEnv(t *testing.T, configure ...func(*notary.Options)) *env {
	t.Helper()
	kek, _, _ := issuer.GenerateKeyEncryptionKey()
	e := openEnv(t, filepath.Join(t.TempDir(), "attesta.db"), kek, configure...)
	ctx := context.Background()
	f, _ := competence.Bundled()
	if _, err := e.standards.Import(ctx, f); err != nil {
		t.Fatal(err)
	}
	if _, err := e.issuers.Create(ctx, "cciaa-milano", issuer.Profile{Name: "CCIAA", Address: issuer.Address{Region: "Lombardia", CountryCode: "IT"}}); err != nil {
		t.Fatal(err)
	}
	return e
}

// openEnv opens the database at path, migrated, and the services on it.
func openEnv(t *testing.T, path string, kek *issuer.KeyEncryptionKey, configure ...func(*notary.Options)) *env {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db, err := sqlite.Open(ctx, path, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	standards := competence.NewService(db.Standards(), clock)
	issuers, err := issuer.NewService(db.Issuers(), issuer.Options{PublicURL: "https://attesta.example", KEK: kek, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	opts := notary.Options{Origin: "attesta.example/log", KEK: kek, Clock: clock, Batch: 64}
	for _, c := range configure {
		c(&opts)
	}
	log, err := notary.Open(ctx, db.Log(), opts)
	if err != nil {
		t.Fatal(err)
	}
	suite, _ := credential.NewSuite()
	creds := credential.NewService(db.Credentials(), issuers, standards, credential.ServiceOptions{Suite: suite, BaseURL: "https://attesta.example", Clock: clock})
	return &env{db: db, creds: creds, log: log, kek: kek, standards: standards, issuers: issuers, path: path}
}

func (e *env) issue(t *testing.T, n int) []credential.Record {
	t.Helper()
	var out []credential.Record
	for i := range n {
		rec, err := e.creds.Issue(context.Background(), operator, credential.IssueRequest{
			IssuerID: "cciaa-milano", Sector: "meccatronica", Version: 1, Competence: "C1",
			Learner:  credential.Learner{Identity: "studente-" + string(rune('a'+i%26))},
			Decision: credential.Decision{Date: time.Date(2026, 6, 25, 0, 0, 0, 0, time.UTC), Reference: "Verbale n. 1/2026"},
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}

// memReader is an independent tree built with golang.org/x/mod/sumdb/tlog.
type memReader []tlog.Hash

func (m memReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = m[x]
	}
	return out, nil
}

func TestSequenceCheckpointsAndReceipts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	recs := e.issue(t, 150) // more than two batches
	size, err := e.log.SequenceAll(ctx)
	if err != nil || size != 150 {
		t.Fatalf("SequenceAll = %d, %v", size, err)
	}
	cp, err := e.log.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The checkpoint is a signed note that x/mod's note package opens with
	// the published verifier key, and its root is the one x/mod's tlog
	// computes from the entries.
	v, err := note.NewVerifier(vkey(t, e.log))
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(cp.Note, note.VerifierList(v))
	if err != nil {
		t.Fatalf("checkpoint does not open: %v\n%s", err, cp.Note)
	}
	entries, err := e.db.Log().Entries(ctx, 0, 150)
	if err != nil {
		t.Fatal(err)
	}
	var tree memReader
	for i, ent := range entries {
		hs, err := tlog.StoredHashes(int64(i), ent, tree)
		if err != nil {
			t.Fatal(err)
		}
		tree = append(tree, hs...)
	}
	root, _ := tlog.TreeHash(150, tree)
	if want := string(checkpoint.Checkpoint{Origin: "attesta.example/log", Size: 150, Root: root}.Marshal()); n.Text != want {
		t.Fatalf("checkpoint text %q, want %q", n.Text, want)
	}

	// Receipts verify offline; tampering is caught with a precise reason.
	idx, err := e.db.Credentials().LogIndex(ctx, recs[37].ID)
	if err != nil {
		t.Fatal(err)
	}
	receipt, err := e.log.Receipt(ctx, idx)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(receipt)
	r, err := notary.ParseReceipt(data)
	if err != nil {
		t.Fatal(err)
	}
	policy := notary.ReceiptPolicy{LogKey: vkey(t, e.log)}
	got, err := r.Verify(recs[37].ID, recs[37].Body, policy)
	if err != nil || got.Entry.Kind != notary.Issue || got.LeafIndex != idx || got.Size != 150 {
		t.Fatalf("receipt: %+v, %v", got, err)
	}
	bad := []struct {
		name string
		f    func() error
		key  string
		args []any // nil: not checked
	}{
		{"other credential", func() error { _, err := r.Verify(recs[38].ID, recs[38].Body, policy); return err }, "err.notary.receipt.other", []any{}},
		{"altered credential", func() error {
			_, err := r.Verify(recs[37].ID, []byte(strings.Replace(string(recs[37].Body), "C1", "C2", 1)), policy)
			return err
		}, "err.notary.receipt.other", []any{}},
		{"other log key", func() error {
			other := newEnv(t).log // another log with the same origin
			_, err := r.Verify(recs[37].ID, recs[37].Body, notary.ReceiptPolicy{LogKey: vkey(t, other)})
			return err
		}, "err.notary.receipt.unsigned", []any{"attesta.example/log"}},
		{"altered proof", func() error {
			r2 := *r
			r2.Proof = append([][]byte{}, r.Proof...)
			r2.Proof[0] = make([]byte, 32)
			_, err := r2.Verify(recs[37].ID, recs[37].Body, policy)
			return err
		}, "err.notary.receipt.inclusion", []any{}},
		{"other leaf", func() error {
			r2 := *r
			r2.LeafIndex++
			_, err := r2.Verify(recs[37].ID, recs[37].Body, policy)
			return err
		}, "err.notary.receipt.inclusion", []any{}},
		{"leaf beyond the tree", func() error {
			r2 := *r
			r2.LeafIndex = 150
			_, err := r2.Verify(recs[37].ID, recs[37].Body, policy)
			return err
		}, "err.notary.receipt.leaf", []any{int64(150), int64(150)}},
		{"short proof hash", func() error {
			r2 := *r
			r2.Proof = append([][]byte{}, r.Proof...)
			r2.Proof[1] = r2.Proof[1][:31]
			_, err := r2.Verify(recs[37].ID, recs[37].Body, policy)
			return err
		}, "err.notary.receipt.hash", []any{1, 31}},
		{"entry of another size", func() error {
			r2 := *r
			r2.Entry = r.Entry[:72]
			_, err := r2.Verify(recs[37].ID, recs[37].Body, policy)
			return err
		}, "err.notary.receipt.entry", []any{}},
		{"checkpoint not a note", func() error {
			r2 := *r
			r2.Checkpoint = "not a checkpoint"
			_, err := r2.Verify(recs[37].ID, recs[37].Body, policy)
			return err
		}, "err.notary.receipt.checkpoint", []any{}},
		{"malformed log key", func() error {
			_, err := r.Verify(recs[37].ID, recs[37].Body, notary.ReceiptPolicy{LogKey: "attesta.example/log"})
			return err
		}, "err.notary.receipt.logkey", []any{}},
		{"malformed witness key", func() error {
			_, err := r.Verify(recs[37].ID, recs[37].Body, notary.ReceiptPolicy{LogKey: policy.LogKey, Witnesses: []string{"w"}, Quorum: 1})
			return err
		}, "err.notary.receipt.witnesskey", []any{}},
		{"quorum beyond the witnesses", func() error {
			_, err := r.Verify(recs[37].ID, recs[37].Body, notary.ReceiptPolicy{LogKey: policy.LogKey, Quorum: 1})
			return err
		}, "err.notary.receipt.quorum", []any{1, 0}},
	}
	for _, b := range bad {
		refused(t, b.name, b.f(), b.key, b.args)
	}
	for _, tc := range []struct {
		name, data, key string
		args            []any
	}{
		{"not JSON", "{", "err.notary.receipt.json", []any{"unexpected end of JSON input"}},
		{"not a receipt", `{"type":"x"}`, "err.notary.receipt.type", []any{"x", notary.ReceiptType}},
		{"too large", strings.Repeat(" ", 1<<20+1), "err.notary.receipt.large", []any{}},
	} {
		_, err := notary.ParseReceipt([]byte(tc.data))
		refused(t, tc.name, err, tc.key, tc.args)
	}

	// A status change is logged too; the new tree is consistent with the old.
	if _, err := e.creds.ChangeStatus(ctx, operator, recs[0].ID, credential.Revoke, "Errore"); err != nil {
		t.Fatal(err)
	}
	if size, err := e.log.SequenceAll(ctx); err != nil || size != 151 {
		t.Fatalf("after a revocation: %d, %v", size, err)
	}
	cp2, _ := e.log.Checkpoint(ctx)
	proof, err := e.log.ConsistencyProof(ctx, 150, 151)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(proof, 151, cp2.Root, 150, cp.Root); err != nil {
		t.Errorf("x/mod does not accept the consistency proof: %v", err)
	}
	last, _ := e.db.Log().Entries(ctx, 150, 151)
	if ent, err := notary.ParseEntry(last[0]); err != nil || ent.Kind != notary.Revoke || !ent.Matches(recs[0].ID, recs[0].Body) {
		t.Errorf("revocation entry %+v, %v", ent, err)
	}
	if _, err := e.log.Receipt(ctx, 151); err == nil {
		t.Error("a receipt for an entry not yet appended")
	}
}

// The log key is made once and sealed: a second Open finds it; another
// key-encryption key cannot open it.
func TestLogKeySealed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	again, err := notary.Open(ctx, e.db.Log(), notary.Options{Origin: "attesta.example/log", KEK: e.kek})
	if err != nil || vkey(t, again) != vkey(t, e.log) {
		t.Fatalf("reopened log key %s, %v; want %s", vkey(t, again), err, vkey(t, e.log))
	}
	other, _, _ := issuer.GenerateKeyEncryptionKey()
	wrong, err := notary.Open(ctx, e.db.Log(), notary.Options{Origin: "attesta.example/log", KEK: other})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.VerifierKey(ctx); err == nil || !strings.Contains(err.Error(), "wrong key-encryption key") {
		t.Errorf("the log key with another key-encryption key: %v", err)
	}
	if _, err := notary.Open(ctx, e.db.Log(), notary.Options{Origin: "bad origin", KEK: e.kek}); err == nil {
		t.Error("an origin with a space was accepted")
	}
}

func vkey(t *testing.T, l *notary.Log) string {
	t.Helper()
	k, err := l.VerifierKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// A tree of several bundles, integrated in batches that straddle them:
// its root, inclusion and consistency proofs and tiles are those x/mod's
// tlog computes from the entries alone, although the store keeps only the
// hashes at heights 8 and more.
func TestTreeAcrossBundles(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(o *notary.Options) { o.Batch = 300 })
	e.issue(t, 1100)
	var sizes []int64
	for {
		size, err := e.log.Sequence(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(sizes) > 0 && size == sizes[len(sizes)-1] {
			break
		}
		sizes = append(sizes, size)
	}
	if !slices.Equal(sizes, []int64{300, 600, 900, 1100}) {
		t.Fatalf("checkpoint sizes %v", sizes)
	}
	entries, err := e.db.Log().Entries(ctx, 0, 1100)
	if err != nil {
		t.Fatal(err)
	}
	var ref memReader
	for i, ent := range entries {
		hs, err := tlog.StoredHashes(int64(i), ent, ref)
		if err != nil {
			t.Fatal(err)
		}
		ref = append(ref, hs...)
	}
	roots := map[int64]tlog.Hash{}
	for _, size := range sizes {
		cp, err := e.db.Log().Checkpoint(ctx, size)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := tlog.TreeHash(size, ref)
		if tlog.Hash(cp.Root) != want {
			t.Fatalf("root of size %d differs from x/mod's", size)
		}
		roots[size] = want
	}
	for _, leaf := range []int64{0, 1, 255, 256, 511, 512, 767, 1023, 1024, 1099} {
		proof, err := e.log.InclusionProof(ctx, leaf, 1100)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(proof, 1100, roots[1100], leaf, tlog.RecordHash(entries[leaf])); err != nil {
			t.Errorf("inclusion of leaf %d: %v", leaf, err)
		}
	}
	for _, pair := range [][2]int64{{300, 1100}, {600, 900}, {300, 600}, {900, 1100}} {
		proof, err := e.log.ConsistencyProof(ctx, pair[0], pair[1])
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(proof, pair[1], roots[pair[1]], pair[0], roots[pair[0]]); err != nil {
			t.Errorf("consistency %v: %v", pair, err)
		}
	}
	for _, tile := range []tlog.Tile{{H: 8, L: 0, N: 0, W: 256}, {H: 8, L: 0, N: 3, W: 256}, {H: 8, L: 0, N: 4, W: 76}, {H: 8, L: 1, N: 0, W: 4}} {
		got, err := e.log.TileData(ctx, tile)
		if err != nil {
			t.Fatalf("tile %v: %v", tile, err)
		}
		want, err := tlog.ReadTileData(tile, ref)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("tile %v differs from x/mod's", tile)
		}
	}
}

// refused checks that err is the refusal key of a receipt (code Invalid),
// with args unless they are nil; its message is said in every language.
func refused(t *testing.T, name string, err error, key string, args []any) {
	t.Helper()
	var e *attesta.Error
	if !errors.As(err, &e) || e.Code != attesta.Invalid || e.Key != key {
		t.Errorf("%s: %v (key %q), want %s", name, err, attesta.ErrorKey(err), key)
		return
	}
	if args != nil && !reflect.DeepEqual(append([]any{}, e.Args...), args) {
		t.Errorf("%s: %s with %#v, want %#v", name, key, e.Args, args)
	}
	for _, lang := range []string{"it", "en"} {
		if s := e.In(lang); strings.Contains(s, "%!") || strings.Contains(s, "‹") {
			t.Errorf("%s: said %q in %s", name, s, lang)
		}
	}
}
