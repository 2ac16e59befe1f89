package storagetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/notary"
)

// ListFiller is an optional interface of the DB an Opener returns: it sets
// the counter of positions an issuer's status list has handed out, so that
// the suite can reach the end of a list without status.ListBits
// allocations. Engines implement it in their own tests only, with a raw
// UPDATE; AllocateNextList is skipped on a DB without it.
type ListFiller interface {
	SetAllocated(ctx context.Context, issuerID string, list, n int) error
}

// keySource hands out distinct, deterministic permutation keys and remembers
// them.
type keySource struct {
	mu   sync.Mutex
	keys [][32]byte
}

func (s *keySource) next() [32]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := sha256.Sum256(fmt.Appendf(nil, "permutation key %d", len(s.keys)))
	s.keys = append(s.keys, k)
	return k
}

func (s *keySource) all() [][32]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.keys)
}

func (s *keySource) last() [32]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[len(s.keys)-1]
}

// permuted is the set of positions counters [from, to) of a list with key
// give.
func permuted(list int, key [32]byte, from, to int) map[credential.Position]bool {
	out := map[credential.Position]bool{}
	for n := from; n < to; n++ {
		out[credential.Position{List: list, Index: statuslist.Permute(key, n)}] = true
	}
	return out
}

// keyOf finds which of keys numbers got as counters [from, to) of a list:
// under contention an engine may call newKey for a list it then does not
// open, so the test cannot know in advance which key won.
func keyOf(list int, keys [][32]byte, got map[credential.Position]bool, from, to int) ([32]byte, bool) {
	for _, k := range keys {
		if reflect.DeepEqual(permuted(list, k, from, to), got) {
			return k, true
		}
	}
	return [32]byte{}, false
}

func allocate(t *testing.T, db DB, issuerID string, keys *keySource) credential.Position {
	t.Helper()
	pos, err := db.Credentials().Allocate(context.Background(), issuerID, keys.next, nil)
	if err != nil {
		t.Fatalf("allocating for %s: %v", issuerID, err)
	}
	return pos
}

// allocateConcurrently runs n allocations from workers goroutines and
// returns the positions, failing on an error or a position given twice.
func allocateConcurrently(t *testing.T, db DB, issuerID string, keys *keySource, workers, n int) map[credential.Position]bool {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	got := map[credential.Position]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range workers {
		count := n / workers
		if w < n%workers {
			count++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range count {
				pos, err := db.Credentials().Allocate(ctx, issuerID, keys.next, nil)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if got[pos] {
					errs <- fmt.Errorf("position %+v handed out twice", pos)
				}
				got[pos] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}
	return got
}

// newRecord is a credential at pos, with every field set.
func newRecord(issuerID string, pos credential.Position, n int, issued time.Time) credential.Record {
	id := fmt.Sprintf("urn:uuid:0b7e5a52-0000-4000-8000-%012d", n)
	body := fmt.Appendf(nil, "{\n  \"@context\": [\"https://www.w3.org/ns/credentials/v2\"],\n  \"id\": %q,\n"+
		"  \"name\": \"Saldatura a filo — livello %d «QNQ»\"\n}\n", id, n)
	sum := sha256.Sum256(body)
	return credential.Record{
		ID:          id,
		IssuerID:    issuerID,
		List:        pos.List,
		Index:       pos.Index,
		Format:      credential.RDFC,
		Body:        body,
		Digest:      "sha256:" + hex.EncodeToString(sum[:]),
		Achievement: fmt.Sprintf("meccatronica/v1/c%d", n),
		IssuedAt:    issued,
		ValidUntil:  issued.AddDate(5, 0, 0),
	}
}

// issueEntry is the log entry of r's issuance.
func issueEntry(r credential.Record) []byte {
	return notary.NewEntry(notary.Issue, r.ID, r.Body, r.IssuedAt).Marshal()
}

// changeEntry is the log entry of a status change of r.
func changeEntry(r credential.Record, ev credential.StatusEvent) []byte {
	kind, _ := notary.KindOf(string(ev.Action))
	return notary.NewEntry(kind, r.ID, r.Body, ev.At).Marshal()
}

// trailOf is an audit entry about credential id, as credential.Service
// makes them.
func trailOf(id, action string, at time.Time) *audit.Entry {
	return &audit.Entry{At: at, ActorName: "api-token", Action: action, ObjectKind: auth.CredentialObject, ObjectID: id, Org: "cciaa-roma"}
}

// wantTrail checks the actions of the audit trail about credential id,
// newest first.
func wantTrail(t *testing.T, db DB, id string, actions ...string) {
	t.Helper()
	es, err := audit.NewService(db.Audit()).List(context.Background(), admin, audit.Filter{ObjectKind: auth.CredentialObject, ObjectID: id})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Action)
	}
	if !slices.Equal(got, actions) {
		t.Errorf("the audit trail of %s: %v, want %v", id, got, actions)
	}
}

func insert(t *testing.T, db DB, r credential.Record) {
	t.Helper()
	if err := db.Credentials().Insert(context.Background(), r, issueEntry(r), nil); err != nil {
		t.Fatalf("inserting %s: %v", r.ID, err)
	}
}

func wantRecord(t *testing.T, db DB, want credential.Record) {
	t.Helper()
	got, err := db.Credentials().Record(context.Background(), want.ID)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("record %s:\n got %+v, %v\nwant %+v", want.ID, got, err, want)
	}
}

func statusList(t *testing.T, db DB, issuerID string, list int) credential.StatusList {
	t.Helper()
	sl, err := db.Credentials().StatusList(context.Background(), issuerID, list)
	if err != nil {
		t.Fatalf("status list %d of %s: %v", list, issuerID, err)
	}
	return sl
}

// testAllocateConcurrent: concurrent allocations never share a position,
// and are the first counters of the list through its permutation.
func testAllocateConcurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	other := newIssuer(t, db, "cciaa-milano", clock.Now())
	var keys keySource
	const n = 500
	got := allocateConcurrently(t, db, iss.ID, &keys, 8, n)
	if len(got) != n {
		t.Fatalf("%d distinct positions from %d allocations", len(got), n)
	}
	if _, ok := keyOf(1, keys.all(), got, 0, n); !ok {
		t.Fatalf("the positions are not Permute(key, 0…%d) of list 1 with any of the %d keys generated", n-1, len(keys.all()))
	}
	sl := statusList(t, db, iss.ID, 1)
	if sl.Version != 0 || !sl.UpdatedAt.Equal(clock.Now()) || len(sl.Revoked)+len(sl.Suspended) != 0 {
		t.Errorf("new list: %+v", sl)
	}
	// Another issuer's lists are its own.
	var otherKeys keySource
	pos := allocate(t, db, other.ID, &otherKeys)
	if want := (credential.Position{List: 1, Index: statuslist.Permute(otherKeys.last(), 0)}); pos != want {
		t.Errorf("first position of another issuer: %+v, want %+v", pos, want)
	}
	// No list for an issuer that does not exist.
	_, err := db.Credentials().Allocate(ctx, "nessuno", keys.next, nil)
	wantKey(t, err, attesta.NotFound, "err.credential.issuer.notfound")
}

// testAllocateNextList: a full list is followed by the next one, with a new
// key, also under concurrency.
func testAllocateNextList(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	filler, ok := db.(ListFiller)
	if !ok {
		t.Skip("the engine's test DB does not implement storagetest.ListFiller")
	}
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	var keys keySource
	if pos := allocate(t, db, iss.ID, &keys); pos != (credential.Position{List: 1, Index: statuslist.Permute(keys.last(), 0)}) {
		t.Fatalf("first position: %+v", pos)
	}
	k1 := keys.last()
	if err := filler.SetAllocated(ctx, iss.ID, 1, statuslist.ListBits-1); err != nil {
		t.Fatal(err)
	}
	// The last position of list 1, then list 2 from its start.
	if pos := allocate(t, db, iss.ID, &keys); pos != (credential.Position{List: 1, Index: statuslist.Permute(k1, statuslist.ListBits-1)}) {
		t.Fatalf("last position of list 1: %+v", pos)
	}
	if len(keys.all()) != 1 {
		t.Fatalf("%d keys generated before list 1 was full", len(keys.all()))
	}
	clock.Advance(time.Hour)
	if pos := allocate(t, db, iss.ID, &keys); pos != (credential.Position{List: 2, Index: statuslist.Permute(keys.last(), 0)}) {
		t.Fatalf("first position after list 1 is full: %+v", pos)
	}
	k2 := keys.last()
	if k2 == k1 {
		t.Fatal("list 2 has the key of list 1")
	}
	if pos := allocate(t, db, iss.ID, &keys); pos != (credential.Position{List: 2, Index: statuslist.Permute(k2, 1)}) {
		t.Fatalf("second position of list 2: %+v", pos)
	}
	if sl := statusList(t, db, iss.ID, 2); sl.Version != 0 || !sl.UpdatedAt.Equal(clock.Now()) {
		t.Errorf("list 2: %+v", sl)
	}

	// Concurrently across the end of list 2: its last 10 positions, then the
	// first 30 of list 3.
	if err := filler.SetAllocated(ctx, iss.ID, 2, statuslist.ListBits-10); err != nil {
		t.Fatal(err)
	}
	got := allocateConcurrently(t, db, iss.ID, &keys, 8, 40)
	in2, in3 := map[credential.Position]bool{}, map[credential.Position]bool{}
	for pos := range got {
		switch pos.List {
		case 2:
			in2[pos] = true
		case 3:
			in3[pos] = true
		default:
			t.Errorf("position %+v outside lists 2 and 3", pos)
		}
	}
	if want := permuted(2, k2, statuslist.ListBits-10, statuslist.ListBits); !reflect.DeepEqual(in2, want) {
		t.Errorf("list 2 gave %d positions, want its last %d", len(in2), len(want))
	}
	if _, ok := keyOf(3, keys.all(), in3, 0, 30); !ok {
		t.Errorf("list 3 gave %d positions, not Permute(key, 0…29) with any key generated", len(in3))
	}
	_, err := db.Credentials().StatusList(ctx, iss.ID, 4)
	wantKey(t, err, attesta.NotFound, "err.storage.statuslist.notfound")
}

func testRecordRoundTrip(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	var keys keySource

	full := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), 1, clock.Now())
	full.Suspended, full.Reason, full.ChangedAt = true, "verifica in corso", clock.Now().Add(time.Microsecond)
	insert(t, db, full)
	wantRecord(t, db, full)

	// Zero times are kept as zero; a compact JWT body is kept as is.
	jwt := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), 2, clock.Now().Add(123456*time.Microsecond))
	jwt.Format, jwt.Body = credential.JWT, []byte("eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6d2ViOngifQ.c2ln")
	jwt.ValidUntil = time.Time{}
	insert(t, db, jwt)
	wantRecord(t, db, jwt)

	revoked := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), 3, clock.Now())
	revoked.Revoked, revoked.Reason, revoked.ChangedAt = true, "errore materiale", clock.Now().Add(time.Hour)
	insert(t, db, revoked)
	wantRecord(t, db, revoked)

	_, err := db.Credentials().Record(ctx, "urn:uuid:00000000-0000-4000-8000-000000000000")
	wantKey(t, err, attesta.NotFound, "err.credential.notfound")
}

func testInsertConflicts(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	other := newIssuer(t, db, "cciaa-milano", clock.Now())
	var keys keySource
	r := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), 1, clock.Now())
	insert(t, db, r)
	store := db.Credentials()

	sameID := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), 1, clock.Now().Add(time.Hour))
	wantKey(t, store.Insert(ctx, sameID, issueEntry(sameID), trailOf(sameID.ID, "credential.issue", clock.Now())), attesta.Conflict, "err.storage.credential.taken")
	wantTrail(t, db, sameID.ID) // a refused insert records nothing
	samePos := newRecord(iss.ID, credential.Position{List: r.List, Index: r.Index}, 2, clock.Now())
	wantKey(t, store.Insert(ctx, samePos, issueEntry(samePos), nil), attesta.Conflict, "err.storage.credential.taken")
	wantRecord(t, db, r)
	_, err := store.Record(ctx, samePos.ID)
	wantCode(t, err, attesta.NotFound)

	// Positions are per issuer.
	var otherKeys keySource
	allocate(t, db, other.ID, &otherKeys)
	theirs := newRecord(other.ID, credential.Position{List: r.List, Index: r.Index}, 3, clock.Now())
	insert(t, db, theirs)
	wantRecord(t, db, theirs)

	// A list never opened, a position outside any list, a body that is not
	// text.
	unopened := newRecord(iss.ID, credential.Position{List: 7, Index: 0}, 4, clock.Now())
	wantKey(t, store.Insert(ctx, unopened, issueEntry(unopened), nil), attesta.NotFound, "err.storage.statuslist.notfound")
	outside := newRecord(iss.ID, credential.Position{List: 1, Index: statuslist.ListBits}, 5, clock.Now())
	wantCode(t, store.Insert(ctx, outside, issueEntry(outside), nil), attesta.Invalid)
	binary := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), 6, clock.Now())
	binary.Body = []byte{0xff, 0x00, 0xfe}
	wantCode(t, store.Insert(ctx, binary, issueEntry(binary), nil), attesta.Invalid)
}

// decideFor returns a decide function applying action as credential.Service
// does, and counting its calls.
func decideFor(ev credential.StatusEvent, calls *int) func(credential.Record) (credential.Record, []byte, error) {
	return func(r credential.Record) (credential.Record, []byte, error) {
		*calls++
		switch ev.Action {
		case credential.Revoke:
			if r.Revoked {
				return r, nil, attesta.E(attesta.Conflict, "err.credential.revoked.already", r.ID)
			}
			r.Revoked = true
		case credential.Suspend:
			if r.Revoked {
				return r, nil, attesta.E(attesta.Conflict, "err.credential.revoked.nosuspend", r.ID)
			}
			if r.Suspended {
				return r, nil, attesta.E(attesta.Conflict, "err.credential.suspended.already", r.ID)
			}
			r.Suspended = true
		case credential.Reinstate:
			if r.Revoked {
				return r, nil, attesta.E(attesta.Conflict, "err.credential.revoked.final", r.ID)
			}
			if !r.Suspended {
				return r, nil, attesta.E(attesta.Conflict, "err.credential.suspended.not", r.ID)
			}
			r.Suspended = false
		}
		r.Reason, r.ChangedAt = ev.Reason, ev.At
		return r, changeEntry(r, ev), nil
	}
}

func testChangeStatus(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	var keys keySource
	r := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), 1, clock.Now())
	insert(t, db, r)
	bystander := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), 2, clock.Now())
	insert(t, db, bystander)
	store := db.Credentials()
	created := clock.Now()

	// The list's time is the event's, not the database clock's.
	clock.Advance(time.Hour)
	ev1 := credential.StatusEvent{CredentialID: r.ID, Action: credential.Suspend, Reason: "verifica in corso",
		Actor: "operatore@cciaa-roma", At: clock.Now().Add(7 * time.Second)}
	calls := 0
	wantTrail(t, db, r.ID)
	got, err := store.ChangeStatus(ctx, r.ID, ev1, trailOf(r.ID, "credential.suspend", ev1.At), func(cur credential.Record) (credential.Record, []byte, error) {
		if !reflect.DeepEqual(cur, r) {
			t.Errorf("decide sees %+v, want %+v", cur, r)
		}
		next, entry, err := decideFor(ev1, &calls)(cur)
		next.Body, next.Achievement = []byte("{}"), "altro" // not status fields: ignored
		return next, entry, err
	})
	want := r
	want.Suspended, want.Reason, want.ChangedAt = true, ev1.Reason, ev1.At
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ChangeStatus:\n got %+v, %v\nwant %+v", got, err, want)
	}
	wantRecord(t, db, want)
	wantRecord(t, db, bystander)
	wantTrail(t, db, r.ID, "credential.suspend")
	if evs, err := store.Events(ctx, r.ID); err != nil || !reflect.DeepEqual(evs, []credential.StatusEvent{ev1}) {
		t.Fatalf("events: %+v, %v", evs, err)
	}
	sl := statusList(t, db, iss.ID, 1)
	if sl.Version != 1 || !sl.UpdatedAt.Equal(ev1.At) || !slices.Equal(sl.Suspended, []int{r.Index}) || len(sl.Revoked) != 0 {
		t.Fatalf("list after a suspension: %+v (created at %v)", sl, created)
	}

	// An error from decide changes nothing and is returned as is.
	boom := errors.New("boom")
	clock.Advance(time.Hour)
	evFail := credential.StatusEvent{CredentialID: r.ID, Action: credential.Revoke, Reason: "x", Actor: "y", At: clock.Now()}
	_, err = store.ChangeStatus(ctx, r.ID, evFail, trailOf(r.ID, "credential.revoke", evFail.At), func(cur credential.Record) (credential.Record, []byte, error) {
		cur.Revoked = true
		return cur, changeEntry(cur, evFail), boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("decide's error: got %v", err)
	}
	wantRecord(t, db, want)
	wantTrail(t, db, r.ID, "credential.suspend")
	if evs, _ := store.Events(ctx, r.ID); len(evs) != 1 {
		t.Errorf("a failed change left an event: %+v", evs)
	}
	if sl2 := statusList(t, db, iss.ID, 1); !reflect.DeepEqual(sl2, sl) {
		t.Errorf("a failed change changed the list: %+v, was %+v", sl2, sl)
	}

	// Reinstate, then revoke: events in order, a version per change.
	clock.Advance(time.Hour)
	ev2 := credential.StatusEvent{CredentialID: r.ID, Action: credential.Reinstate, Reason: "verificata", Actor: "operatore@cciaa-roma", At: clock.Now()}
	if _, err := store.ChangeStatus(ctx, r.ID, ev2, nil, decideFor(ev2, &calls)); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	ev3 := credential.StatusEvent{CredentialID: r.ID, Action: credential.Revoke, Reason: "titolo non conseguito", Actor: "responsabile@cciaa-roma", At: clock.Now()}
	got, err = store.ChangeStatus(ctx, r.ID, ev3, nil, decideFor(ev3, &calls))
	if err != nil || !got.Revoked || got.Suspended || got.Reason != ev3.Reason || !got.ChangedAt.Equal(ev3.At) {
		t.Fatalf("after revoking: %+v, %v", got, err)
	}
	if evs, err := store.Events(ctx, r.ID); err != nil || !reflect.DeepEqual(evs, []credential.StatusEvent{ev1, ev2, ev3}) {
		t.Fatalf("events:\n got %+v, %v\nwant %+v", evs, err, []credential.StatusEvent{ev1, ev2, ev3})
	}
	sl = statusList(t, db, iss.ID, 1)
	if sl.Version != 3 || !sl.UpdatedAt.Equal(ev3.At) || !slices.Equal(sl.Revoked, []int{r.Index}) || len(sl.Suspended) != 0 {
		t.Fatalf("list after three changes: %+v", sl)
	}
	if evs, err := store.Events(ctx, bystander.ID); err != nil || len(evs) != 0 {
		t.Errorf("events of an unchanged credential: %+v, %v", evs, err)
	}

	// decide is not called for a credential that does not exist or an
	// unknown action.
	calls = 0
	missing := ev1
	missing.CredentialID = "urn:uuid:00000000-0000-4000-8000-000000000000"
	_, err = store.ChangeStatus(ctx, missing.CredentialID, missing, nil, decideFor(missing, &calls))
	wantKey(t, err, attesta.NotFound, "err.credential.notfound")
	unknown := ev1
	unknown.CredentialID, unknown.Action = bystander.ID, "cancel"
	_, err = store.ChangeStatus(ctx, bystander.ID, unknown, nil, decideFor(unknown, &calls))
	wantCode(t, err, attesta.Invalid)
	if calls != 0 {
		t.Errorf("decide called %d times", calls)
	}
}

// testChangeStatusConcurrent: concurrent revocations of one credential are
// decided one after the other, so exactly one succeeds.
func testChangeStatusConcurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	var keys keySource
	r := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), 1, clock.Now())
	insert(t, db, r)
	const racers = 8
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := credential.StatusEvent{CredentialID: r.ID, Action: credential.Revoke,
				Reason: fmt.Sprintf("motivo %d", i), Actor: "operatore", At: clock.Now().Add(time.Duration(i) * time.Second)}
			var calls int
			_, errs[i] = db.Credentials().ChangeStatus(ctx, r.ID, ev, nil, decideFor(ev, &calls))
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
		t.Fatalf("%d of %d concurrent revocations succeeded, want 1", won, racers)
	}
	evs, err := db.Credentials().Events(ctx, r.ID)
	if err != nil || len(evs) != 1 {
		t.Fatalf("events: %+v, %v", evs, err)
	}
	if sl := statusList(t, db, iss.ID, 1); sl.Version != 1 || !slices.Equal(sl.Revoked, []int{r.Index}) {
		t.Errorf("list: %+v", sl)
	}
}

func testStatusList(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	other := newIssuer(t, db, "cciaa-milano", clock.Now())
	var keys, otherKeys keySource
	var rs []credential.Record
	for i := range 8 {
		r := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), i, clock.Now())
		insert(t, db, r)
		rs = append(rs, r)
	}
	o := newRecord(other.ID, allocate(t, db, other.ID, &otherKeys), 100, clock.Now())
	insert(t, db, o)
	store := db.Credentials()
	change := func(r credential.Record, action credential.Action) {
		t.Helper()
		clock.Advance(time.Minute)
		ev := credential.StatusEvent{CredentialID: r.ID, Action: action, Reason: "motivo", Actor: "operatore", At: clock.Now()}
		var calls int
		if _, err := store.ChangeStatus(ctx, r.ID, ev, nil, decideFor(ev, &calls)); err != nil {
			t.Fatal(err)
		}
	}
	change(rs[5], credential.Revoke)
	change(rs[0], credential.Revoke)
	change(rs[3], credential.Suspend)
	change(rs[6], credential.Suspend)
	change(rs[7], credential.Suspend)
	change(rs[7], credential.Reinstate)
	change(o, credential.Revoke)

	sorted := func(rs ...credential.Record) []int {
		var out []int
		for _, r := range rs {
			out = append(out, r.Index)
		}
		slices.Sort(out)
		return out
	}
	sl := statusList(t, db, iss.ID, 1)
	want := credential.StatusList{IssuerID: iss.ID, List: 1, Version: 6, UpdatedAt: clock.Now().Add(-time.Minute),
		Revoked: sorted(rs[5], rs[0]), Suspended: sorted(rs[3], rs[6])}
	if !reflect.DeepEqual(sl, want) {
		t.Errorf("status list:\n got %+v\nwant %+v", sl, want)
	}
	sl = statusList(t, db, other.ID, 1)
	want = credential.StatusList{IssuerID: other.ID, List: 1, Version: 1, UpdatedAt: clock.Now(), Revoked: []int{o.Index}}
	if sl.IssuerID != want.IssuerID || sl.List != 1 || sl.Version != 1 || !sl.UpdatedAt.Equal(want.UpdatedAt) ||
		!slices.Equal(sl.Revoked, want.Revoked) || len(sl.Suspended) != 0 {
		t.Errorf("other issuer's list:\n got %+v\nwant %+v", sl, want)
	}
	_, err := store.StatusList(ctx, iss.ID, 2)
	wantCode(t, err, attesta.NotFound)
	_, err = store.StatusList(ctx, "nessuno", 1)
	wantCode(t, err, attesta.NotFound)

	// The revoked and suspended credentials, with their reasons, by issuer,
	// list and index: the trust bundle's reasons.
	changed, err := store.Changed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wantChanged []credential.Changed
	for _, r := range []credential.Record{rs[0], rs[3], rs[5], rs[6]} {
		c := credential.Changed{ID: r.ID, IssuerID: iss.ID, List: 1, Index: r.Index, Revoked: r.ID == rs[0].ID || r.ID == rs[5].ID, Reason: "motivo"}
		c.Suspended = !c.Revoked
		wantChanged = append(wantChanged, c)
	}
	slices.SortFunc(wantChanged, func(a, b credential.Changed) int { return a.Index - b.Index })
	wantChanged = append(wantChanged, credential.Changed{ID: o.ID, IssuerID: other.ID, List: 1, Index: o.Index, Revoked: true, Reason: "motivo"})
	if other.ID < iss.ID {
		wantChanged = append(wantChanged[len(wantChanged)-1:], wantChanged[:len(wantChanged)-1]...)
	}
	if !reflect.DeepEqual(changed, wantChanged) {
		t.Errorf("changed:\n got %+v\nwant %+v", changed, wantChanged)
	}
}

func testSignedList(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	var keys keySource
	allocate(t, db, iss.ID, &keys)
	store := db.Credentials()
	_, err := store.SignedList(ctx, iss.ID, 1, statuslist.Revocation)
	wantKey(t, err, attesta.NotFound, "err.storage.signedlist.notfound")

	signed := func(v int64, purpose statuslist.Purpose) credential.SignedList {
		return credential.SignedList{IssuerID: iss.ID, List: 1, Purpose: purpose, Version: v,
			Body:     fmt.Appendf(nil, `{"type":["VerifiableCredential","BitstringStatusListCredential"],"version":%d,"purpose":%q}`, v, purpose),
			SignedAt: clock.Now().Add(time.Duration(v) * time.Second)}
	}
	want := func(want credential.SignedList) {
		t.Helper()
		got, err := store.SignedList(ctx, want.IssuerID, want.List, want.Purpose)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("signed list:\n got %+v, %v\nwant %+v", got, err, want)
		}
	}
	v2 := signed(2, statuslist.Revocation)
	if err := store.SaveSignedList(ctx, v2); err != nil {
		t.Fatal(err)
	}
	want(v2)
	// An older version, or another signature of the same version, does not
	// replace the stored one.
	if err := store.SaveSignedList(ctx, signed(1, statuslist.Revocation)); err != nil {
		t.Fatal(err)
	}
	want(v2)
	again := v2
	again.Body, again.SignedAt = []byte(`{"again":true}`), clock.Now().Add(time.Hour)
	if err := store.SaveSignedList(ctx, again); err != nil {
		t.Fatal(err)
	}
	want(v2)
	// A newer one does.
	v3 := signed(3, statuslist.Revocation)
	if err := store.SaveSignedList(ctx, v3); err != nil {
		t.Fatal(err)
	}
	want(v3)
	// The purposes are kept apart.
	_, err = store.SignedList(ctx, iss.ID, 1, statuslist.Suspension)
	wantCode(t, err, attesta.NotFound)
	s0 := signed(0, statuslist.Suspension)
	if err := store.SaveSignedList(ctx, s0); err != nil {
		t.Fatal(err)
	}
	want(s0)
	want(v3)

	bad := signed(4, "refresh")
	wantCode(t, store.SaveSignedList(ctx, bad), attesta.Invalid)
	unopened := signed(1, statuslist.Revocation)
	unopened.List = 2
	wantKey(t, store.SaveSignedList(ctx, unopened), attesta.NotFound, "err.storage.statuslist.notfound")
}

// testAllocateReserves: a counter is handed out only once reserved; the
// reservation is made in blocks, before the block's first counter, and a
// failed reservation hands out nothing.
func testAllocateReserves(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	var keys keySource
	type call struct{ list, upTo int }
	var calls []call
	reserve := func(ctx context.Context, list, upTo int) error {
		calls = append(calls, call{list, upTo})
		return nil
	}
	for range 3 {
		if _, err := db.Credentials().Allocate(ctx, iss.ID, keys.next, reserve); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(calls, []call{{1, credential.ReserveBlock}}) {
		t.Fatalf("reservations %v", calls)
	}
	lists, err := db.Credentials().Lists(ctx)
	if err != nil || len(lists) != 1 || lists[0] != (credential.ListState{IssuerID: iss.ID, List: 1, Allocated: 3, Reserved: credential.ReserveBlock}) {
		t.Fatalf("lists %+v, %v", lists, err)
	}
	if filler, ok := db.(ListFiller); ok {
		if err := filler.SetAllocated(ctx, iss.ID, 1, credential.ReserveBlock); err != nil {
			t.Fatal(err)
		}
		failed := errors.New("the blob store is down")
		_, err := db.Credentials().Allocate(ctx, iss.ID, keys.next, func(context.Context, int, int) error { return failed })
		if !errors.Is(err, failed) {
			t.Fatalf("allocation with a failed reservation: %v", err)
		}
		if lists, _ := db.Credentials().Lists(ctx); lists[0].Allocated != credential.ReserveBlock {
			t.Fatalf("a failed reservation handed out a counter: %+v", lists[0])
		}
		if _, err := db.Credentials().Allocate(ctx, iss.ID, keys.next, reserve); err != nil {
			t.Fatal(err)
		}
		if last := calls[len(calls)-1]; last != (call{1, 2 * credential.ReserveBlock}) {
			t.Fatalf("second block reserved as %v", last)
		}
	}
}

// testMarkLost: a list's counter is moved past lost counters, whose
// positions then show as suspended; a list the database did not know is
// opened full and lost whole; doing it again changes nothing.
func testMarkLost(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	var keys keySource
	for range 5 {
		allocate(t, db, iss.ID, &keys)
	}
	k1 := keys.last()
	lost, err := db.Credentials().MarkLost(ctx, iss.ID, 1, 40, keys.next)
	if err != nil || lost != (credential.LostRange{IssuerID: iss.ID, List: 1, From: 5, To: 40}) {
		t.Fatalf("MarkLost: %+v, %v", lost, err)
	}
	sl := statusList(t, db, iss.ID, 1)
	want := slices.Collect(maps.Keys(permuted(1, k1, 5, 40)))
	var got []credential.Position
	for _, i := range sl.Suspended {
		got = append(got, credential.Position{List: 1, Index: i})
	}
	slices.SortFunc(want, func(a, b credential.Position) int { return a.Index - b.Index })
	if !reflect.DeepEqual(got, want) || len(sl.Revoked) != 0 || sl.Version != 1 {
		t.Fatalf("list 1 after the loss: %d suspended, version %d", len(sl.Suspended), sl.Version)
	}
	// The next allocation comes after the lost counters.
	if pos := allocate(t, db, iss.ID, &keys); pos != (credential.Position{List: 1, Index: statuslist.Permute(k1, 40)}) {
		t.Fatalf("allocated %+v after the loss", pos)
	}
	if lost, err := db.Credentials().MarkLost(ctx, iss.ID, 1, 40, keys.next); err != nil || lost != (credential.LostRange{}) {
		t.Fatalf("MarkLost again: %+v, %v", lost, err)
	}
	lost, err = db.Credentials().MarkLost(ctx, iss.ID, 2, statuslist.ListBits, keys.next)
	if err != nil || !lost.Whole || lost.From != 0 || lost.To != statuslist.ListBits {
		t.Fatalf("MarkLost of an unknown list: %+v, %v", lost, err)
	}
	if sl := statusList(t, db, iss.ID, 2); len(sl.Suspended) != statuslist.ListBits {
		t.Fatalf("the lost list shows %d suspended", len(sl.Suspended))
	}
	// List 2 is full: the next position opens list 3.
	if pos := allocate(t, db, iss.ID, &keys); pos.List != 3 {
		t.Fatalf("allocated %+v", pos)
	}
	if _, err := db.Credentials().MarkLost(ctx, "nessuno", 1, 10, keys.next); attesta.ErrorCode(err) != attesta.NotFound {
		t.Fatalf("MarkLost of an unknown issuer: %v", err)
	}
}
