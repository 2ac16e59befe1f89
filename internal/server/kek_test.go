package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"slices"
	"strings"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/issuer"
)

// admin is the national body, which may rotate any issuer's keys.
var admin = &auth.Principal{Person: "admin", Name: "Amministratore", Membership: auth.Membership{Org: "unioncamere", Role: auth.NationalAdmin, OrgKind: auth.National}}

// sealedKeysOf is every sealed key of a database, and whether its
// first-start dataset was dealt with: what a refused start must leave as
// it was.
func sealedKeysOf(t *testing.T, db Database) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	issuers, err := db.Issuers().Issuers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, iss := range issuers {
		keys, err := db.Issuers().Keys(ctx, iss.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			b.WriteString(k.VerificationMethod + " " + k.RetiredAt.String() + "\n")
		}
	}
	logKey, _, _ := db.Log().LogKey(ctx)
	witnessKey, _, _ := db.Witness().Key(ctx)
	dataset, _, _ := db.Meta(ctx, datasetKey)
	b.Write(logKey)
	b.Write(witnessKey)
	b.WriteString("\ndataset " + dataset)
	return b.String()
}

// A server does not start with a key-encryption key that cannot open the
// keys sealed in its database (the issuers', the log's, the witness's):
// Prepare refuses it, naming them, before anything is sealed with it,
// served or loaded.
func TestPrepareRefusesAWrongKeyEncryptionKey(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	neighbour, err := checkpoint.NewSigner("cciaa-torino.example/log", ed25519.NewKeyFromSeed(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	db := newDB(t)
	opts := options(&logs)
	opts.WitnessFor = []checkpoint.Verifier{neighbour.Verifier()}
	if err := Prepare(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	srv, err := New(db, opts) // makes the witness key
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.SequenceLog(ctx); err != nil { // makes the log key
		t.Fatal(err)
	}
	before := sealedKeysOf(t, db)

	wrong := opts
	wrong.KEK, _, _ = issuer.GenerateKeyEncryptionKey()
	err = Prepare(ctx, db, wrong)
	if attesta.ErrorKey(err) != "err.issuer.kek.none" {
		t.Fatalf("Prepare with another key-encryption key: %v, want err.issuer.kek.none", err)
	}
	for _, want := range []string{"wrong key-encryption key (" + wrong.KEK.ID() + ")", "key 1 of cciaa-milano (sealed with " + testKEK.ID() + ")",
		"key 1 of cciaa-torino", "the log's signing key", "the witness's signing key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if after := sealedKeysOf(t, db); after != before {
		t.Errorf("a refused start changed the keys:\n%s\nwas\n%s", after, before)
	}
	if err := Prepare(ctx, db, opts); err != nil {
		t.Fatalf("the right key after a refusal: %v", err)
	}

	// One issuer's key sealed with another key-encryption key: the right key
	// opens the others, and is refused too, naming that one.
	other, err := issuer.NewService(db.Issuers(), issuer.Options{PublicURL: opts.PublicURL, KEK: wrong.KEK, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Create(ctx, "cciaa-roma", issuer.Profile{Name: "CCIAA Roma", Address: issuer.Address{Region: "Lazio", CountryCode: "IT"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Signer(ctx, "cciaa-roma"); err != nil {
		t.Fatal(err)
	}
	err = Prepare(ctx, db, opts)
	if attesta.ErrorKey(err) != "err.issuer.kek.some" || !strings.Contains(err.Error(), "opens 4 of the 5 keys sealed in the database, not key 1 of cciaa-roma (sealed with "+wrong.KEK.ID()+")") {
		t.Errorf("Prepare with one key sealed with another key-encryption key: %v", err)
	}
}

// A database whose first start was refused stays new: the dataset is not
// loaded, no key is made; the right key then starts it.
func TestPrepareRefusesBeforeLoadingTheDataset(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	db := newDB(t)
	if _, _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// A key sealed before the first start (by attesta issuer rotate, say).
	iss, err := issuer.NewService(db.Issuers(), issuer.Options{PublicURL: "https://attesta.example", KEK: testKEK, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Create(ctx, "cciaa-roma", issuer.Profile{Name: "CCIAA Roma", Address: issuer.Address{Region: "Lazio", CountryCode: "IT"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Rotate(ctx, admin, "cciaa-roma", issuer.Rotation{Reason: "prova"}); err != nil {
		t.Fatal(err)
	}
	before := sealedKeysOf(t, db)
	wrong := options(&logs)
	wrong.KEK, _, _ = issuer.GenerateKeyEncryptionKey()
	if err := Prepare(ctx, db, wrong); attesta.ErrorKey(err) != "err.issuer.kek.none" {
		t.Fatalf("Prepare with another key-encryption key: %v", err)
	}
	if after := sealedKeysOf(t, db); after != before || sectors(t, db) != 0 {
		t.Fatalf("a refused first start changed the database (%d standards):\n%s", sectors(t, db), after)
	}
	if err := Prepare(ctx, db, options(&logs)); err != nil {
		t.Fatal(err)
	}
	issuers, _ := db.Issuers().Issuers(ctx)
	if n := sectors(t, db); n != 6 || !slices.ContainsFunc(issuers, func(i issuer.Issuer) bool { return i.ID == "cciaa-milano" }) {
		t.Errorf("after the right key: %d standards, issuers %v", n, issuers)
	}
}
