package issuer

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
)

func clock() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) }

// memStore is a Store in memory.
type memStore struct {
	mu      sync.Mutex
	issuers []Issuer
	keys    map[string][]Key
}

var _ Store = (*memStore)(nil)

func newMemStore() *memStore { return &memStore{keys: map[string][]Key{}} }

func (m *memStore) CreateIssuer(_ context.Context, iss Issuer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, have := range m.issuers {
		if have.ID == iss.ID || have.DID == iss.DID {
			return &attesta.Error{Code: attesta.Conflict}
		}
	}
	m.issuers = append(m.issuers, iss)
	return nil
}

func (m *memStore) UpdateProfile(_ context.Context, id string, p Profile) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.issuers {
		if m.issuers[i].ID == id {
			m.issuers[i].Profile = p
			return nil
		}
	}
	return &attesta.Error{Code: attesta.NotFound}
}

func (m *memStore) Issuer(_ context.Context, id string) (Issuer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, iss := range m.issuers {
		if iss.ID == id {
			return iss, nil
		}
	}
	return Issuer{}, &attesta.Error{Code: attesta.NotFound}
}

func (m *memStore) IssuerByDID(_ context.Context, did string) (Issuer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, iss := range m.issuers {
		if iss.DID == did {
			return iss, nil
		}
	}
	return Issuer{}, &attesta.Error{Code: attesta.NotFound}
}

func (m *memStore) Issuers(context.Context) ([]Issuer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.issuers), nil
}

func (m *memStore) Keys(_ context.Context, issuerID string) ([]Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.keys[issuerID]), nil
}

func (m *memStore) AddKey(_ context.Context, k Key, end time.Time, _ *audit.Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := m.keys[k.IssuerID]
	if k.Seq != len(keys)+1 {
		return &attesta.Error{Code: attesta.Conflict}
	}
	for i := range keys {
		if keys[i].Current() || keys[i].RetiredAt.After(end) {
			keys[i].RetiredAt = end
		}
	}
	m.keys[k.IssuerID] = append(keys, k)
	return nil
}

// admin is the national body, which may rotate any issuer's keys.
var admin = &auth.Principal{Person: "admin", Name: "Amministratore", Membership: auth.Membership{Org: "unioncamere", Role: auth.NationalAdmin, OrgKind: auth.National}}

// rotation is an ordinary rotation.
var rotation = Rotation{Reason: "rotazione periodica"}

func testKEK(t *testing.T) *KeyEncryptionKey {
	t.Helper()
	k, _, err := GenerateKeyEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newService(t *testing.T, store Store, kek *KeyEncryptionKey) *Service {
	t.Helper()
	s, err := NewService(store, Options{PublicURL: "https://attesta.example", KEK: kek, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var profile = Profile{Name: "Camera di Commercio di Prova", Address: Address{Region: "Lombardia", CountryCode: "IT"}}

// newIssuer registers an issuer and gives it its first key, sealed with
// the service's key-encryption key.
func newIssuer(t *testing.T, s *Service, id string) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Create(ctx, id, profile); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Signer(ctx, id); err != nil {
		t.Fatal(err)
	}
}

// Rotating with a key-encryption key that cannot open the current key is
// refused and changes nothing: the new key would be sealed with the wrong
// key, and the right one could not sign with it.
func TestRotateRefusesAWrongKeyEncryptionKey(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	right := newService(t, store, testKEK(t))
	newIssuer(t, right, "cciaa-milano")
	before, _ := store.Keys(ctx, "cciaa-milano")

	wrong := newService(t, store, testKEK(t))
	_, err := wrong.Rotate(ctx, admin, "cciaa-milano", rotation)
	if attesta.ErrorCode(err) != attesta.Invalid || attesta.ErrorKey(err) != "err.issuer.rotate.kek" {
		t.Fatalf("rotate with another key-encryption key: %v (%s, %s), want Invalid err.issuer.rotate.kek", err, attesta.ErrorCode(err), attesta.ErrorKey(err))
	}
	want := "cannot open key 1 of cciaa-milano, its current key (sealed with " + right.kek.ID() + ")"
	if msg := attesta.MessageIn(err, "en"); !strings.Contains(msg, want) {
		t.Errorf("message %q does not say %q", msg, want)
	}
	if after, _ := store.Keys(ctx, "cciaa-milano"); len(after) != len(before) || !after[0].Current() {
		t.Fatalf("a refused rotation changed the keys: %+v", after)
	}

	// The right key still signs, and rotates.
	if _, err := right.Signer(ctx, "cciaa-milano"); err != nil {
		t.Fatal(err)
	}
	k, err := right.Rotate(ctx, admin, "cciaa-milano", rotation)
	if err != nil || k.Seq != 2 {
		t.Fatalf("rotate with the right key: %+v %v", k, err)
	}
	sg, err := right.Signer(ctx, "cciaa-milano")
	if err != nil || sg.VerificationMethod != k.VerificationMethod {
		t.Fatalf("signer after rotation: %v %v", sg, err)
	}
	// An issuer without keys gets its first one whatever the key.
	if _, err := right.Create(ctx, "cciaa-torino", profile); err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.Rotate(ctx, admin, "cciaa-torino", rotation); err != nil {
		t.Errorf("first key of a new issuer: %v", err)
	}
}

// Check accepts the key-encryption key that opens every sealed key, and
// refuses one that opens none or only some, naming what it could not open.
func TestCheck(t *testing.T) {
	ctx := context.Background()
	right, other := testKEK(t), testKEK(t)
	seal := func(k *KeyEncryptionKey, name string) SealedKey {
		blob, err := k.Seal(make([]byte, 32), "context of "+name)
		if err != nil {
			t.Fatal(err)
		}
		return SealedKey{Name: attesta.M("err.notary.key"), Context: "context of " + name, Sealed: blob}
	}

	// Every key of every issuer, current and retired.
	store := newMemStore()
	s := newService(t, store, right)
	newIssuer(t, s, "cciaa-milano")
	newIssuer(t, s, "cciaa-torino")
	if _, err := s.Rotate(ctx, admin, "cciaa-milano", rotation); err != nil {
		t.Fatal(err)
	}
	issuerKeys, err := SealedKeys(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	if len(issuerKeys) != 3 {
		t.Fatalf("%d sealed keys, want 3 (2 of cciaa-milano, 1 of cciaa-torino)", len(issuerKeys))
	}
	// One key sealed with another key-encryption key: a new issuer's.
	newIssuer(t, newService(t, store, other), "cciaa-roma")
	allKeys, err := SealedKeys(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	altered := seal(right, "altered")
	altered.Sealed[len(altered.Sealed)-1] ^= 1

	for _, tc := range []struct {
		name string
		kek  *KeyEncryptionKey
		keys []SealedKey
		key  string   // of the refusal; "" accepted
		says []string // in the refusal
	}{
		{"a new database", other, nil, "", nil},
		{"the right key", right, append(issuerKeys, seal(right, "log")), "", nil},
		{"a wrong key", other, append(issuerKeys, seal(right, "log")), "err.issuer.kek.none",
			[]string{"wrong key-encryption key (" + other.ID() + "): it opens none of the keys sealed in the database: key 1 of cciaa-milano (sealed with " + right.ID() + "); key 2 of cciaa-milano (sealed with " + right.ID() + "); key 1 of cciaa-torino (sealed with " + right.ID() + "); the log's signing key"}},
		{"one key sealed with another", right, allKeys, "err.issuer.kek.some",
			[]string{"the key-encryption key (" + right.ID() + ") opens 3 of the 4 keys sealed in the database, not key 1 of cciaa-roma (sealed with " + other.ID() + ")"}},
		{"the other key", other, allKeys, "err.issuer.kek.some", []string{"opens 1 of the 4 keys", "not key 1 of cciaa-milano"}},
		{"altered data", right, []SealedKey{seal(right, "log"), altered}, "err.issuer.kek.some", []string{"opens 1 of the 2 keys", "not the log's signing key: altered data"}},
		{"many keys", other, slices.Repeat([]SealedKey{seal(right, "log")}, 7), "err.issuer.kek.none",
			[]string{"database: the log's signing key; the log's signing key; the log's signing key; the log's signing key; 3 more"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.kek.Check(tc.keys)
			if tc.key == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if attesta.ErrorCode(err) != attesta.Invalid || attesta.ErrorKey(err) != tc.key {
				t.Fatalf("got %v (%s, %s), want Invalid %s", err, attesta.ErrorCode(err), attesta.ErrorKey(err), tc.key)
			}
			for _, s := range tc.says {
				if msg := attesta.MessageIn(err, "en"); !strings.Contains(msg, s) {
					t.Errorf("message %q does not say %q", msg, s)
				}
			}
			if it := attesta.MessageIn(err, "it"); !strings.Contains(it, "chiav") {
				t.Errorf("Italian message %q", it)
			}
		})
	}
}
