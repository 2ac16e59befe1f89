package notary_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/internal/tlog/witness"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/storage/sqlite"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenLog is a log whose every signed output is fixed: its key and its
// witness's key come from fixed seeds, the clocks are stopped, and its
// entries record fixed credentials, issued at that time.
type goldenLog struct {
	log     *notary.Log
	witness *checkpoint.Cosigner
	ids     []string
	bodies  [][]byte
}

func newGoldenLog(t *testing.T) *goldenLog {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "attesta.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	kek, err := issuer.ParseKeyEncryptionKey(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x4b}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	// The log key, sealed as notary.Open's first use would have made it
	// ("attesta log key" is the seal's context), but from a fixed seed.
	sealed, err := kek.Seal(bytes.Repeat([]byte{0x10}, 32), "attesta log key")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Log().SetLogKey(ctx, sealed); err != nil {
		t.Fatal(err)
	}
	issuers, err := issuer.NewService(db.Issuers(), issuer.Options{PublicURL: "https://attesta.example", KEK: kek, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := issuers.Create(ctx, "cciaa-milano", issuer.Profile{Name: "CCIAA", Address: issuer.Address{Region: "Lombardia", CountryCode: "IT"}}); err != nil {
		t.Fatal(err)
	}
	g := &goldenLog{}
	for i := range 5 {
		id := fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", i+1)
		body := fmt.Appendf(nil, `{"@context":["https://www.w3.org/ns/credentials/v2"],"id":%q,"type":["VerifiableCredential"],"issuer":"did:web:attesta.example:issuers:cciaa-milano","validFrom":"2026-07-01T09:00:00Z","credentialSubject":{"name":"credential %d"}}`, id, i+1)
		pos, err := db.Credentials().Allocate(ctx, "cciaa-milano", func() [32]byte { return [32]byte{1} }, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := credential.Record{ID: id, IssuerID: "cciaa-milano", List: pos.List, Index: pos.Index, Format: credential.RDFC, Body: body, IssuedAt: now}
		if err := db.Credentials().Insert(ctx, rec, notary.NewEntry(notary.Issue, id, body, now).Marshal(), nil); err != nil {
			t.Fatal(err)
		}
		g.ids, g.bodies = append(g.ids, id), append(g.bodies, body)
	}
	g.witness, err = checkpoint.CosignerFor("cciaa-torino.example/witness", ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x77}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	w := &witness.Witness{Cosigner: g.witness, Store: &witness.MemoryStore{}, Logs: map[string][]checkpoint.Verifier{},
		Clock: clock, Logger: slog.New(slog.DiscardHandler)}
	ts := httptest.NewServer(w.Handler())
	t.Cleanup(ts.Close)
	g.log, err = notary.Open(ctx, db.Log(), notary.Options{Origin: "attesta.example/log", KEK: kek, Clock: clock,
		Witnesses: []notary.Witness{{URL: ts.URL, Key: g.witness.Verifier()}}, Quorum: 1})
	if err != nil {
		t.Fatal(err)
	}
	v, err := checkpoint.ParseVerifierKey(vkey(t, g.log))
	if err != nil {
		t.Fatal(err)
	}
	w.Logs["attesta.example/log"] = []checkpoint.Verifier{v}
	if _, err := g.log.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := g.log.Notarize(ctx); err != nil {
		t.Fatal(err)
	}
	return g
}

// golden compares got with the golden file, rewriting it first under
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(name, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("differs from %s (run go test ./notary -run Golden -update to accept):\n%s", name, got)
	}
}

// TestCheckpointGolden: the published checkpoint of a log of five entries,
// signed by the log and cosigned by its witness, is testdata/checkpoint.txt
// byte for byte, and x/mod's note package opens it with both keys.
func TestCheckpointGolden(t *testing.T) {
	g := newGoldenLog(t)
	cp, err := g.log.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/checkpoint.txt", cp.Note)
	logKey, err := note.NewVerifier(vkey(t, g.log))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/checkpoint.txt")
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(want, note.VerifierList(logKey))
	if err != nil {
		t.Fatalf("the golden checkpoint does not open with the log key: %v", err)
	}
	if !strings.HasPrefix(n.Text, "attesta.example/log\n5\n") || len(n.UnverifiedSigs) != 1 {
		t.Errorf("golden checkpoint: %q, %d other signatures", n.Text, len(n.UnverifiedSigs))
	}
	p := checkpoint.Policy{Log: mustVerifier(t, vkey(t, g.log)), Witnesses: []checkpoint.CosignatureVerifier{g.witness.Verifier()}, Quorum: 1}
	if _, err := p.Verify(want); err != nil {
		t.Errorf("the golden checkpoint is not cosigned by its witness: %v", err)
	}
}

// TestReceiptGolden: the receipt of the third entry, encoded as
// GET /api/v1/credentials/{id}/receipt serves it, is testdata/receipt.json
// byte for byte, and verifies for its credential.
func TestReceiptGolden(t *testing.T) {
	g := newGoldenLog(t)
	r, err := g.log.Receipt(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ") // as the API encodes it
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/receipt.json", buf.Bytes())
	data, err := os.ReadFile("testdata/receipt.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err = notary.ParseReceipt(data)
	if err != nil {
		t.Fatal(err)
	}
	policy := notary.ReceiptPolicy{LogKey: vkey(t, g.log), Witnesses: []string{g.witness.Verifier().String()}, Quorum: 1}
	v, err := r.Verify(g.ids[2], g.bodies[2], policy)
	if err != nil {
		t.Fatalf("the golden receipt does not verify: %v", err)
	}
	if v.LeafIndex != 2 || v.Size != 5 || !slices.Equal(v.Witnesses, []string{"cciaa-torino.example/witness"}) {
		t.Errorf("golden receipt proves %+v", v)
	}
}

func mustVerifier(t *testing.T, key string) checkpoint.Verifier {
	t.Helper()
	v, err := checkpoint.ParseVerifierKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
