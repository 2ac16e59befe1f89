package storagetest

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/issuer"
)

// newIssuer stores an issuer with id and returns it.
func newIssuer(t *testing.T, db DB, id string, created time.Time) issuer.Issuer {
	t.Helper()
	iss := issuer.Issuer{
		ID:  id,
		DID: "did:web:attesta.example:issuers:" + id,
		Profile: issuer.Profile{
			Name:        "Camera di Commercio " + id,
			Description: "Camera di commercio, industria, artigianato e agricoltura — «" + id + "»",
			URL:         "https://" + id + ".example",
			Email:       "certificazioni@" + id + ".example",
			Address: issuer.Address{
				Street: "Via Meravigli 9/b", Locality: "Milano", Region: "Lombardia",
				PostalCode: "20123", Country: "Italia", CountryCode: "IT",
			},
			Identifiers: []issuer.Identifier{{Type: "codiceFiscale", Value: "80002470158"}},
		},
		CreatedAt: created,
	}
	if err := db.Issuers().CreateIssuer(context.Background(), iss); err != nil {
		t.Fatalf("creating issuer %s: %v", id, err)
	}
	return iss
}

// newKey returns key seq of an issuer, deterministic in both.
func newKey(iss issuer.Issuer, seq int, created time.Time) issuer.Key {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, fmt.Sprintf("%s/%d", iss.ID, seq))
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	return issuer.Key{
		IssuerID:           iss.ID,
		Seq:                seq,
		VerificationMethod: fmt.Sprintf("%s#key-%d", iss.DID, seq),
		Public:             pub,
		Sealed:             append([]byte{0, 1, 2, 0xff}, seed...),
		KEKID:              "kek-test",
		CreatedAt:          created,
	}
}

func testIssuers(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	store := db.Issuers()
	if got, err := store.Issuers(ctx); err != nil || len(got) != 0 {
		t.Fatalf("issuers of an empty database: %v, %v", got, err)
	}
	roma := newIssuer(t, db, "cciaa-roma", clock.Now())
	clock.Advance(time.Minute)
	milano := newIssuer(t, db, "cciaa-milano", clock.Now())

	got, err := store.Issuer(ctx, "cciaa-roma")
	if err != nil || !reflect.DeepEqual(got, roma) {
		t.Fatalf("Issuer:\n got %+v, %v\nwant %+v", got, err, roma)
	}
	got, err = store.IssuerByDID(ctx, milano.DID)
	if err != nil || !reflect.DeepEqual(got, milano) {
		t.Fatalf("IssuerByDID:\n got %+v, %v\nwant %+v", got, err, milano)
	}
	all, err := store.Issuers(ctx)
	if err != nil || !reflect.DeepEqual(all, []issuer.Issuer{milano, roma}) {
		t.Fatalf("Issuers, by id:\n got %+v, %v\nwant %+v", all, err, []issuer.Issuer{milano, roma})
	}

	// Conflicts: the same id, or another id with a taken DID.
	dup := roma
	dup.DID = "did:web:elsewhere.example"
	wantKey(t, store.CreateIssuer(ctx, dup), attesta.Conflict, "err.storage.issuer.taken")
	dup = milano
	dup.ID = "cciaa-milano-bis"
	wantKey(t, store.CreateIssuer(ctx, dup), attesta.Conflict, "err.storage.issuer.taken")
	if all, _ := store.Issuers(ctx); len(all) != 2 {
		t.Errorf("a conflicting issuer was stored: %d issuers", len(all))
	}

	// A new profile replaces the old one entirely.
	p := issuer.Profile{Name: "CCIAA di Roma", Address: issuer.Address{Region: "Lazio", CountryCode: "IT"}}
	if err := store.UpdateProfile(ctx, "cciaa-roma", p); err != nil {
		t.Fatal(err)
	}
	got, err = store.Issuer(ctx, "cciaa-roma")
	want := roma
	want.Profile = p
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("after UpdateProfile:\n got %+v, %v\nwant %+v", got, err, want)
	}

	// An issuer that is not a Chamber keeps its kind, across a new profile.
	service := issuer.Issuer{ID: "vc-api", DID: "did:web:attesta.example:issuers:vc-api", Kind: issuer.ServiceIssuer,
		Profile: issuer.Profile{Name: "attesta VC-API"}, CreatedAt: clock.Now()}
	if err := store.CreateIssuer(ctx, service); err != nil {
		t.Fatal(err)
	}
	if err := store.UpdateProfile(ctx, "vc-api", issuer.Profile{Name: "attesta"}); err != nil {
		t.Fatal(err)
	}
	service.Profile.Name = "attesta"
	if got, err := store.IssuerByDID(ctx, service.DID); err != nil || !reflect.DeepEqual(got, service) || got.Chamber() {
		t.Fatalf("a service issuer:\n got %+v, %v\nwant %+v", got, err, service)
	}
	if got, _ := store.Issuer(ctx, "cciaa-roma"); !got.Chamber() {
		t.Errorf("a Chamber is read as %q", got.Kind)
	}

	// NotFound.
	wantKey(t, store.UpdateProfile(ctx, "nessuno", p), attesta.NotFound, "err.credential.issuer.notfound")
	_, err = store.Issuer(ctx, "nessuno")
	wantKey(t, err, attesta.NotFound, "err.credential.issuer.notfound")
	_, err = store.IssuerByDID(ctx, "did:web:attesta.example:issuers:nessuno")
	wantKey(t, err, attesta.NotFound, "err.credential.issuer.notfound")
}

func testIssuerKeys(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	store := db.Issuers()
	add := func(k issuer.Key) error { return store.AddKey(ctx, k, k.CreatedAt, nil) }
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	other := newIssuer(t, db, "cciaa-milano", clock.Now())
	if keys, err := store.Keys(ctx, iss.ID); err != nil || len(keys) != 0 {
		t.Fatalf("keys of a new issuer: %v, %v", keys, err)
	}

	// The first key must be number 1.
	wantKey(t, add(newKey(iss, 2, clock.Now())), attesta.Conflict, "err.storage.issuerkey.sequence")
	k1 := newKey(iss, 1, clock.Now())
	if err := add(k1); err != nil {
		t.Fatal(err)
	}
	if err := add(newKey(other, 1, clock.Now())); err != nil {
		t.Fatal(err)
	}
	// Number 1 again, or a gap, is a conflict.
	wantKey(t, add(newKey(iss, 1, clock.Now())), attesta.Conflict, "err.storage.issuerkey.sequence")
	wantKey(t, add(newKey(iss, 3, clock.Now())), attesta.Conflict, "err.storage.issuerkey.sequence")

	// Rotation: key 2 retires key 1 at its own creation time.
	clock.Advance(24 * time.Hour)
	k2 := newKey(iss, 2, clock.Now())
	if err := add(k2); err != nil {
		t.Fatal(err)
	}
	k1.RetiredAt = k2.CreatedAt
	keys, err := store.Keys(ctx, iss.ID)
	if err != nil || !reflect.DeepEqual(keys, []issuer.Key{k1, k2}) {
		t.Fatalf("keys after rotation:\n got %+v, %v\nwant %+v", keys, err, []issuer.Key{k1, k2})
	}
	if keys[0].Current() || !keys[1].Current() {
		t.Errorf("current keys: %v %v", keys[0].Current(), keys[1].Current())
	}
	// The other issuer's key is untouched.
	if keys, err := store.Keys(ctx, other.ID); err != nil || len(keys) != 1 || !keys[0].Current() {
		t.Errorf("other issuer's keys: %+v, %v", keys, err)
	}

	// A key of an issuer that does not exist, or a malformed key.
	wantKey(t, add(newKey(issuer.Issuer{ID: "nessuno", DID: "did:web:x"}, 1, clock.Now())), attesta.NotFound, "err.credential.issuer.notfound")
	bad := newKey(iss, 3, clock.Now())
	bad.Public = bad.Public[:16]
	wantKey(t, add(bad), attesta.Invalid, "err.storage.issuerkey.public")
	if keys, _ := store.Keys(ctx, iss.ID); len(keys) != 2 || !keys[1].Current() {
		t.Errorf("a rejected key changed the keys: %+v", keys)
	}

	// A compromise: key 3 ends every key in force after the time it is
	// compromised since — key 2, and key 1, which ended after it — and
	// leaves earlier ends alone; the audit entry is written with it.
	clock.Advance(24 * time.Hour)
	k3 := newKey(iss, 3, clock.Now())
	since := k2.CreatedAt.Add(-time.Hour)
	e := &audit.Entry{At: clock.Now(), Actor: "p1", ActorName: "Operatore", Action: "issuer.rotate", ObjectKind: "issuer", ObjectID: iss.ID, Org: iss.ID}
	if err := store.AddKey(ctx, k3, since, e); err != nil {
		t.Fatal(err)
	}
	k1.RetiredAt, k2.RetiredAt = since, since
	if keys, err := store.Keys(ctx, iss.ID); err != nil || !reflect.DeepEqual(keys, []issuer.Key{k1, k2, k3}) {
		t.Fatalf("keys after a compromise:\n got %+v, %v\nwant %+v", keys, err, []issuer.Key{k1, k2, k3})
	}
	clock.Advance(time.Hour)
	k4 := newKey(iss, 4, clock.Now())
	if err := store.AddKey(ctx, k4, k4.CreatedAt, nil); err != nil {
		t.Fatal(err)
	}
	k3.RetiredAt = k4.CreatedAt
	if keys, err := store.Keys(ctx, iss.ID); err != nil || !reflect.DeepEqual(keys, []issuer.Key{k1, k2, k3, k4}) {
		t.Fatalf("keys after a rotation after a compromise:\n got %+v, %v", keys, err)
	}
	var trail []audit.Entry
	if err := db.Audit().View(ctx, func(r audit.Reader) (err error) {
		trail, err = r.Entries(ctx, audit.Filter{Reach: auth.ReachAll(), Action: "issuer.rotate", Limit: 10})
		return err
	}); err != nil || len(trail) != 1 || trail[0].ObjectID != iss.ID || trail[0].Actor != "p1" {
		t.Errorf("the rotation's audit entry: %+v, %v", trail, err)
	}
}

// testIssuerKeysConcurrent: of several processes rotating at once to the
// same sequence number, exactly one wins and the others get Conflict.
func testIssuerKeysConcurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	store := db.Issuers()
	add := func(k issuer.Key) error { return store.AddKey(ctx, k, k.CreatedAt, nil) }
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	if err := add(newKey(iss, 1, clock.Now())); err != nil {
		t.Fatal(err)
	}
	const racers = 8
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := newKey(iss, 2, clock.Now().Add(time.Duration(i)*time.Second))
			k.VerificationMethod = fmt.Sprintf("%s#racer-%d", iss.DID, i)
			errs[i] = add(k)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case attesta.ErrorCode(err) != attesta.Conflict:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d concurrent AddKey(2) succeeded, want 1", won, racers)
	}
	keys, err := store.Keys(ctx, iss.ID)
	if err != nil || len(keys) != 2 {
		t.Fatalf("keys: %+v, %v", keys, err)
	}
	if keys[0].Current() || !keys[1].Current() || !keys[0].RetiredAt.Equal(keys[1].CreatedAt) {
		t.Errorf("after the race: key 1 retired at %v, key 2 created at %v, current %v",
			keys[0].RetiredAt, keys[1].CreatedAt, keys[1].Current())
	}
}
