package storagetest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/notary"
)

// LogAppender is an optional interface of the DB an Opener returns: it
// appends entries to the transparency log as the credential store does, in
// one transaction, which it then rolls back if fail is not nil (returning
// fail). Engines implement it in their own tests only. The suite uses it to
// check that a rolled-back append leaves no trace (LogRollback is skipped on
// a DB without it), and to fill a log quickly.
type LogAppender interface {
	AppendLog(ctx context.Context, entries [][]byte, fail error) error
}

// Entry is the test entry of leaf n, as FillLog appends it.
func Entry(n int64) []byte { return testEntry(n) }

// testEntry is a distinct log entry for each n.
func testEntry(n int64) []byte {
	return notary.NewEntry(notary.Issue, fmt.Sprintf("urn:test:%d", n), nil, time.UnixMilli(n)).Marshal()
}

// storedHash is the stand-in for the stored hash with index i.
func storedHash(i int64) [32]byte { return sha256.Sum256(fmt.Appendf(nil, "stored hash %d", i)) }

// kept is the stored indexes of the tree hashes that entries [from, to)
// complete at the heights the store keeps (PackHeight and more).
func kept(from, to int64) []int64 {
	var out []int64
	for i := tlog.StoredHashCount(from); i < tlog.StoredHashCount(to); i++ {
		if level, _ := tlog.SplitStoredHashIndex(i); level >= notary.PackHeight {
			out = append(out, i)
		}
	}
	return out
}

// hashesOf is the stand-ins for the tree hashes that entries [from, to)
// complete and the store keeps.
func hashesOf(from, to int64) []notary.TreeHash {
	var out []notary.TreeHash
	for _, i := range kept(from, to) {
		out = append(out, notary.TreeHash{Index: i, Hash: storedHash(i)})
	}
	return out
}

// checkpointNote is a signed note of a checkpoint, with a signature line
// for each of signers.
func checkpointNote(size int64, root [32]byte, signers ...string) []byte {
	b := fmt.Appendf(nil, "attesta.example/log\n%d\n%s\n\n", size, base64.StdEncoding.EncodeToString(root[:]))
	for _, s := range signers {
		sig := sha256.Sum256(fmt.Appendf(b, "%s", s))
		b = fmt.Appendf(b, "— %s %s\n", s, base64.StdEncoding.EncodeToString(sig[:12]))
	}
	return b
}

// newCheckpoint is a checkpoint of size with a root of its own and the log's
// signature.
func newCheckpoint(size int64, at time.Time) notary.StoredCheckpoint {
	root := sha256.Sum256(fmt.Appendf(nil, "root %d", size))
	return notary.StoredCheckpoint{Size: size, Root: root, Note: checkpointNote(size, root, "attesta.example/log"), CreatedAt: at}
}

func integrate(t *testing.T, db DB, from, to int64, at time.Time) notary.StoredCheckpoint {
	t.Helper()
	cp := newCheckpoint(to, at)
	if err := db.Log().Integrate(context.Background(), from, to, hashesOf(from, to), &cp); err != nil {
		t.Fatalf("integrating [%d, %d): %v", from, to, err)
	}
	return cp
}

func wantSizes(t *testing.T, db DB, entries, checkpointed int64) {
	t.Helper()
	z, err := db.Log().Sizes(context.Background())
	if err != nil || z != (notary.LogSizes{Entries: entries, Integrated: checkpointed, Checkpointed: checkpointed}) {
		t.Fatalf("sizes: %+v, %v; want %d entries, %d integrated and checkpointed", z, err, entries, checkpointed)
	}
}

// wantEntries checks that the entries from leaf index from on are want.
func wantEntries(t *testing.T, db DB, from int64, want [][]byte) {
	t.Helper()
	got, err := db.Log().Entries(context.Background(), from, from+int64(len(want)))
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("entries [%d, %d): got %d entries, %v; want %d:\n got %x\nwant %x",
			from, from+int64(len(want)), len(got), err, len(want), got, want)
	}
}

func wantHashes(t *testing.T, db DB, indexes []int64) {
	t.Helper()
	got, err := db.Log().ReadHashes(context.Background(), indexes)
	if err != nil {
		t.Fatalf("reading %d hashes: %v", len(indexes), err)
	}
	if len(got) != len(indexes) {
		t.Fatalf("%d hashes for %d indexes", len(got), len(indexes))
	}
	for k, i := range indexes {
		if got[k] != storedHash(i) {
			t.Fatalf("hash %d (position %d of %d) differs", i, k, len(indexes))
		}
	}
}

func wantCheckpoint(t *testing.T, db DB, size int64, want notary.StoredCheckpoint) {
	t.Helper()
	got, err := db.Log().Checkpoint(context.Background(), size)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("checkpoint %d:\n got %+v, %v\nwant %+v", size, got, err, want)
	}
}

// appendEntries appends n test entries, through the engine's LogAppender if
// it has one, else as issued credentials; it returns them.
func appendEntries(t *testing.T, db DB, n int) [][]byte {
	t.Helper()
	ctx := context.Background()
	if app, ok := db.(LogAppender); ok {
		z, err := db.Log().Sizes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		entries := make([][]byte, n)
		for i := range entries {
			entries[i] = testEntry(z.Entries + int64(i))
		}
		if err := app.AppendLog(ctx, entries, nil); err != nil {
			t.Fatalf("appending %d entries: %v", n, err)
		}
		return entries
	}
	const id = "cciaa-log"
	now := NewClock().Now()
	if _, err := db.Issuers().Issuer(ctx, id); attesta.ErrorCode(err) == attesta.NotFound {
		newIssuer(t, db, id, now)
	}
	var keys keySource
	var entries [][]byte
	for range n {
		pos := allocate(t, db, id, &keys)
		r := newRecord(id, pos, pos.List<<20|pos.Index, now)
		insert(t, db, r)
		entries = append(entries, issueEntry(r))
	}
	return entries
}

// testLogInsertAppends: each stored credential appends its entry, with the
// next leaf index; a refused one appends nothing.
func testLogInsertAppends(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	var keys keySource
	store, log := db.Credentials(), db.Log()

	wantSizes(t, db, 0, 0)
	if es, err := log.Entries(ctx, 0, 0); err != nil || len(es) != 0 {
		t.Fatalf("no entries: %x, %v", es, err)
	}
	_, err := log.Entries(ctx, 0, 1)
	wantKey(t, err, attesta.NotFound, "err.notary.entry.notfound")

	var want [][]byte
	var rs []credential.Record
	for i := range 3 {
		r := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), i, clock.Now())
		insert(t, db, r)
		rs, want = append(rs, r), append(want, issueEntry(r))
		wantSizes(t, db, int64(i+1), 0)
		wantEntries(t, db, 0, want)
		if idx, err := store.LogIndex(ctx, r.ID); err != nil || idx != int64(i) {
			t.Fatalf("LogIndex(%s) = %d, %v; want %d", r.ID, idx, err, i)
		}
	}
	_, err = store.LogIndex(ctx, "urn:uuid:00000000-0000-4000-8000-00000000dead")
	wantKey(t, err, attesta.NotFound, "err.storage.credential.nologentry")

	// A taken id, a list never opened, an entry that is not one: nothing is
	// stored, no leaf index is taken.
	dup := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), 1, clock.Now().Add(time.Hour))
	wantKey(t, store.Insert(ctx, dup, issueEntry(dup), nil), attesta.Conflict, "err.storage.credential.taken")
	unopened := newRecord(iss.ID, credential.Position{List: 9, Index: 0}, 10, clock.Now())
	wantKey(t, store.Insert(ctx, unopened, issueEntry(unopened), nil), attesta.NotFound, "err.storage.statuslist.notfound")
	short := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), 11, clock.Now())
	wantCode(t, store.Insert(ctx, short, issueEntry(short)[:notary.EntrySize-1], nil), attesta.Invalid)
	wantCode(t, store.Insert(ctx, short, nil, nil), attesta.Invalid)
	_, err = store.Record(ctx, short.ID)
	wantCode(t, err, attesta.NotFound)
	wantSizes(t, db, 3, 0)
	wantRecord(t, db, rs[1])

	// The next one takes the next index.
	short.ID = "urn:uuid:0b7e5a52-0000-4000-8000-999999999999"
	insert(t, db, short)
	want = append(want, issueEntry(short))
	wantSizes(t, db, 4, 0)
	wantEntries(t, db, 0, want)
	wantEntries(t, db, 2, want[2:])

	_, err = log.Entries(ctx, 2, 5)
	wantKey(t, err, attesta.NotFound, "err.notary.entry.notfound")
	_, err = log.Entries(ctx, 3, 1)
	wantCode(t, err, attesta.Invalid)
	_, err = log.Entries(ctx, -1, 2)
	wantCode(t, err, attesta.Invalid)
}

// testLogChangeStatusAppends: a status change appends the entry decide
// returns; a refused change appends nothing.
func testLogChangeStatusAppends(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	var keys keySource
	store := db.Credentials()
	r := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), 1, clock.Now())
	insert(t, db, r)
	want := [][]byte{issueEntry(r)}

	clock.Advance(time.Hour)
	suspend := credential.StatusEvent{CredentialID: r.ID, Action: credential.Suspend, Reason: "verifica", Actor: "operatore", At: clock.Now()}
	var calls int
	suspended, err := store.ChangeStatus(ctx, r.ID, suspend, nil, decideFor(suspend, &calls))
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, changeEntry(r, suspend))
	wantSizes(t, db, 2, 0)
	wantEntries(t, db, 0, want)

	// decide refuses: nothing appended.
	_, err = store.ChangeStatus(ctx, r.ID, suspend, nil, decideFor(suspend, &calls))
	wantCode(t, err, attesta.Conflict)
	// decide returns no entry, or a bad one: nothing changes at all.
	clock.Advance(time.Hour)
	revoke := credential.StatusEvent{CredentialID: r.ID, Action: credential.Revoke, Reason: "errore", Actor: "operatore", At: clock.Now()}
	for _, bad := range [][]byte{nil, changeEntry(r, revoke)[:40], append(changeEntry(r, revoke), 0)} {
		_, err = store.ChangeStatus(ctx, r.ID, revoke, nil, func(cur credential.Record) (credential.Record, []byte, error) {
			next, _, err := decideFor(revoke, &calls)(cur)
			return next, bad, err
		})
		wantCode(t, err, attesta.Invalid)
	}
	wantRecord(t, db, suspended)
	if evs, err := store.Events(ctx, r.ID); err != nil || len(evs) != 1 {
		t.Fatalf("events after refused changes: %+v, %v", evs, err)
	}
	if sl := statusList(t, db, iss.ID, 1); sl.Version != 1 {
		t.Fatalf("list after refused changes: %+v", sl)
	}
	wantSizes(t, db, 2, 0)

	if _, err := store.ChangeStatus(ctx, r.ID, revoke, nil, decideFor(revoke, &calls)); err != nil {
		t.Fatal(err)
	}
	want = append(want, changeEntry(r, revoke))
	wantSizes(t, db, 3, 0)
	wantEntries(t, db, 0, want)
}

// testLogRollback: an append whose transaction rolls back takes no leaf
// index.
func testLogRollback(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	app, ok := db.(LogAppender)
	if !ok {
		t.Skip("the engine's test DB does not implement storagetest.LogAppender")
	}
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	var keys keySource
	r := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), 1, clock.Now())
	insert(t, db, r)

	boom := errors.New("boom")
	if err := app.AppendLog(ctx, [][]byte{testEntry(100), testEntry(101)}, boom); !errors.Is(err, boom) {
		t.Fatalf("a failed append: %v", err)
	}
	wantSizes(t, db, 1, 0)
	_, err := db.Log().Entries(ctx, 1, 2)
	wantCode(t, err, attesta.NotFound)

	if err := app.AppendLog(ctx, [][]byte{testEntry(102)}, nil); err != nil {
		t.Fatal(err)
	}
	r2 := newRecord(iss.ID, allocate(t, db, iss.ID, &keys), 2, clock.Now())
	insert(t, db, r2)
	wantSizes(t, db, 3, 0)
	wantEntries(t, db, 0, [][]byte{issueEntry(r), testEntry(102), issueEntry(r2)})
}

// testLogConcurrentAppends: credentials issued and changed from many
// goroutines, with refused inserts and changes among them, get the leaf
// indexes 0…n-1, each once, each holding the entry passed with it.
func testLogConcurrentAppends(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	iss := newIssuer(t, db, "cciaa-roma", clock.Now())
	var keys keySource
	store := db.Credentials()
	const workers, each = 8, 20
	var mu sync.Mutex
	passed := map[string]string{} // entry → what it records
	record := func(entry []byte, what string) {
		mu.Lock()
		defer mu.Unlock()
		if _, dup := passed[string(entry)]; dup {
			t.Errorf("entry of %s passed twice", what)
		}
		passed[string(entry)] = what
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*4)
	boom := errors.New("boom")
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				pos, err := store.Allocate(ctx, iss.ID, keys.next, nil)
				if err != nil {
					errs <- err
					return
				}
				r := newRecord(iss.ID, pos, w*1000+i, clock.Now().Add(time.Duration(i)*time.Millisecond))
				if err := store.Insert(ctx, r, issueEntry(r), nil); err != nil {
					errs <- err
					return
				}
				record(issueEntry(r), "issuance of "+r.ID)
				if i%5 == 0 { // the same id again: refused
					pos, err := store.Allocate(ctx, iss.ID, keys.next, nil)
					if err != nil {
						errs <- err
						return
					}
					dup := r
					dup.List, dup.Index = pos.List, pos.Index
					if err := store.Insert(ctx, dup, issueEntry(dup), nil); attesta.ErrorCode(err) != attesta.Conflict {
						errs <- fmt.Errorf("inserting %s twice: %v", r.ID, err)
					}
				}
				if i%3 == 0 {
					ev := credential.StatusEvent{CredentialID: r.ID, Action: credential.Revoke, Reason: "motivo",
						Actor: "operatore", At: r.IssuedAt.Add(time.Hour)}
					var calls int
					if _, err := store.ChangeStatus(ctx, r.ID, ev, nil, decideFor(ev, &calls)); err != nil {
						errs <- err
						return
					}
					record(changeEntry(r, ev), "revocation of "+r.ID)
					// Revoking again is refused by decide.
					if _, err := store.ChangeStatus(ctx, r.ID, ev, nil, decideFor(ev, &calls)); attesta.ErrorCode(err) != attesta.Conflict {
						errs <- fmt.Errorf("revoking %s twice: %v", r.ID, err)
					}
				}
				if i%4 == 0 { // decide fails after seeing the record
					ev := credential.StatusEvent{CredentialID: r.ID, Action: credential.Suspend, Reason: "x", Actor: "y", At: clock.Now()}
					_, err := store.ChangeStatus(ctx, r.ID, ev, nil, func(cur credential.Record) (credential.Record, []byte, error) {
						return cur, changeEntry(cur, ev), boom
					})
					if !errors.Is(err, boom) {
						errs <- fmt.Errorf("a failing decide: %v", err)
					}
				}
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
	n := int64(len(passed))
	if want := int64(workers * (each + (each+2)/3)); n != want {
		t.Fatalf("%d entries passed, want %d", n, want)
	}
	wantSizes(t, db, n, 0)
	entries, err := db.Log().Entries(ctx, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		if _, ok := passed[string(e)]; !ok {
			t.Fatalf("leaf %d holds an entry that was not passed, or was already seen: %x", i, e)
		}
		delete(passed, string(e))
	}
	_, err = db.Log().Entries(ctx, n, n+1)
	wantCode(t, err, attesta.NotFound)
}

// testLogIntegrate: Integrate checks its arguments and that it continues
// the integrated size and the latest checkpoint.
func testLogIntegrate(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	log := db.Log()
	entries := appendEntries(t, db, 600)

	cp3 := newCheckpoint(3, clock.Now())
	wantCode(t, log.Integrate(ctx, 0, 3, hashesOf(0, 512), &cp3), attesta.Invalid) // hashes [0, 3) does not complete
	wantCode(t, log.Integrate(ctx, 0, 3, nil, ptr(newCheckpoint(4, clock.Now()))), attesta.Invalid)
	wantCode(t, log.Integrate(ctx, 3, 2, nil, ptr(newCheckpoint(2, clock.Now()))), attesta.Invalid)
	wantCode(t, log.Integrate(ctx, -1, 3, nil, &cp3), attesta.Invalid)
	noNote := cp3
	noNote.Note = nil
	wantCode(t, log.Integrate(ctx, 0, 3, nil, &noNote), attesta.Invalid)
	wantCode(t, log.Integrate(ctx, 0, 601, hashesOf(0, 601), ptr(newCheckpoint(601, clock.Now()))), attesta.Invalid) // 600 appended
	wantCode(t, log.Integrate(ctx, 0, 3, nil, nil), attesta.Invalid)                                                 // beyond the latest checkpoint without one
	// Not from the integrated size (0).
	wantKey(t, log.Integrate(ctx, 2, 3, nil, &cp3), attesta.Conflict, "err.storage.log.integrated")
	wantSizes(t, db, 600, 0)

	integrate(t, db, 0, 3, clock.Now())
	wantSizes(t, db, 600, 3)
	// Another sequencer went first.
	wantCode(t, log.Integrate(ctx, 0, 5, nil, ptr(newCheckpoint(5, clock.Now()))), attesta.Conflict)
	wantCode(t, log.Integrate(ctx, 3, 3, nil, ptr(newCheckpoint(3, clock.Now()))), attesta.Conflict)
	wantSizes(t, db, 600, 3)
	wantEntries(t, db, 0, entries) // packed and pending alike

	// [3, 520) completes subtrees from height 4 up: their hashes must all
	// come, in order, and no others.
	hs := hashesOf(3, 520)
	if len(hs) < 3 {
		t.Fatalf("%d kept hashes for [3, 520)", len(hs))
	}
	cp520 := newCheckpoint(520, clock.Now())
	wantCode(t, log.Integrate(ctx, 3, 520, hs[:len(hs)-1], &cp520), attesta.Invalid)
	swapped := slices.Clone(hs)
	swapped[0], swapped[1] = swapped[1], swapped[0]
	wantCode(t, log.Integrate(ctx, 3, 520, swapped, &cp520), attesta.Invalid)
	low := slices.Clone(hs)
	low[0].Index = tlog.StoredHashIndex(notary.PackHeight-1, 0) // a height the store does not keep
	wantCode(t, log.Integrate(ctx, 3, 520, low, &cp520), attesta.Invalid)
	_, err := log.ReadHashes(ctx, kept(0, 520)[:1])
	wantKey(t, err, attesta.NotFound, "err.storage.hash.notfound")

	integrate(t, db, 3, 520, clock.Now())
	wantSizes(t, db, 600, 520)
	wantHashes(t, db, kept(0, 520))
	wantEntries(t, db, 0, entries)
	wantEntries(t, db, 255, entries[255:258])
	_, err = log.ReadHashes(ctx, []int64{tlog.StoredHashIndex(9, 1)}) // leaves [512, 1024): not complete yet
	wantCode(t, err, attesta.NotFound)
	if sizes, err := log.Checkpoints(ctx); err != nil || !slices.Equal(sizes, []int64{3, 520}) {
		t.Fatalf("checkpoints: %v, %v", sizes, err)
	}
}

func ptr[T any](v T) *T { return &v }

// testLogIntegrateConcurrent: of sequencers integrating from the same
// checkpoint at once, one wins and the others get Conflict.
func testLogIntegrateConcurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	entries := appendEntries(t, db, 900)
	integrate(t, db, 0, 10, clock.Now())
	const racers = 8
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			to := int64(10 + 100*(i+1))
			errs[i] = db.Log().Integrate(ctx, 10, to, hashesOf(10, to), ptr(newCheckpoint(to, clock.Now())))
		})
	}
	wg.Wait()
	var won []int64
	for i, err := range errs {
		switch {
		case err == nil:
			won = append(won, int64(10+100*(i+1)))
		case attesta.ErrorCode(err) != attesta.Conflict:
			t.Errorf("racer %d: %v", i, err)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d of %d concurrent integrations succeeded, want 1", len(won), racers)
	}
	wantSizes(t, db, 900, won[0])
	if sizes, err := db.Log().Checkpoints(ctx); err != nil || !slices.Equal(sizes, []int64{10, won[0]}) {
		t.Fatalf("checkpoints: %v, %v", sizes, err)
	}
	wantHashes(t, db, kept(0, won[0]))
	if more := kept(won[0], 900); len(more) > 0 {
		_, err := db.Log().ReadHashes(ctx, more[:1])
		wantCode(t, err, attesta.NotFound)
	}
	wantEntries(t, db, 0, entries)
	integrate(t, db, won[0], 900, clock.Now())
	wantEntries(t, db, 0, entries)
}

// testLogHashesRoundTrip: hashes and entries stored by many Integrate calls
// of many sizes read back, in any order and any number of times.
func testLogHashesRoundTrip(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	log := db.Log()
	entries := appendEntries(t, db, 2000)
	rng := rand.New(rand.NewPCG(1, 2))
	var size int64
	for _, n := range []int64{1, 1, 2, 30, 31, 1, 64, 100, 170, 256, 600, 744} {
		integrate(t, db, size, size+n, clock.Now())
		size += n
		all := kept(0, size)
		wantHashes(t, db, all)
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		wantHashes(t, db, append(all, all[:len(all)/2]...))
		from := rng.Int64N(size)
		to := from + rng.Int64N(2000-from) + 1
		wantEntries(t, db, from, entries[from:to])
	}
	if size != 2000 {
		t.Fatalf("integrated %d entries", size)
	}
	_, err := log.ReadHashes(ctx, []int64{kept(0, 2000)[0], tlog.StoredHashIndex(0, 5)}) // leaf hashes are not kept
	wantCode(t, err, attesta.NotFound)
	if hs, err := log.ReadHashes(ctx, nil); err != nil || len(hs) != 0 {
		t.Fatalf("no indexes: %x, %v", hs, err)
	}
	_, err = log.ReadHashes(ctx, []int64{kept(0, 2000)[0], -1})
	wantCode(t, err, attesta.Invalid)
	_, err = log.Entries(ctx, 1999, 2001)
	wantCode(t, err, attesta.NotFound)
}

func testLogCheckpoints(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	log := db.Log()
	_, err := log.Checkpoint(ctx, -1)
	wantCode(t, err, attesta.NotFound)
	_, err = log.Checkpoint(ctx, 0)
	wantCode(t, err, attesta.NotFound)
	if sizes, err := log.Checkpoints(ctx); err != nil || len(sizes) != 0 {
		t.Fatalf("checkpoints of an empty log: %v, %v", sizes, err)
	}

	appendEntries(t, db, 9)
	cp2 := integrate(t, db, 0, 2, clock.Now())
	wantCheckpoint(t, db, -1, cp2)
	clock.Advance(time.Minute)
	cp7 := newCheckpoint(7, clock.Now().Add(time.Microsecond))
	cp7.Timestamp = []byte{0x30, 0x82, 0x01, 0x00, 0x06, 0x09, 0x2a, 0x86}
	if err := log.Integrate(ctx, 2, 7, hashesOf(2, 7), &cp7); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	cp9 := integrate(t, db, 7, 9, clock.Now())

	wantCheckpoint(t, db, -1, cp9)
	wantCheckpoint(t, db, 2, cp2)
	wantCheckpoint(t, db, 7, cp7)
	wantCheckpoint(t, db, 9, cp9)
	for _, size := range []int64{0, 3, 10} {
		_, err = log.Checkpoint(ctx, size)
		wantCode(t, err, attesta.NotFound)
	}
	_, err = log.Checkpoint(ctx, -2)
	wantCode(t, err, attesta.Invalid)
	if sizes, err := log.Checkpoints(ctx); err != nil || !slices.Equal(sizes, []int64{2, 7, 9}) {
		t.Fatalf("checkpoints: %v, %v", sizes, err)
	}
	// The first checkpoints from a size: those that include an entry.
	for _, tc := range []struct {
		from  int64
		limit int
		want  []notary.StoredCheckpoint
	}{{0, 10, []notary.StoredCheckpoint{cp2, cp7, cp9}}, {3, 10, []notary.StoredCheckpoint{cp7, cp9}}, {7, 1, []notary.StoredCheckpoint{cp7}}, {10, 10, nil}} {
		got, err := log.CheckpointsFrom(ctx, tc.from, tc.limit)
		if err != nil || len(got) != len(tc.want) {
			t.Fatalf("checkpoints from %d: %v, %v", tc.from, got, err)
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], tc.want[i]) {
				t.Errorf("checkpoints from %d, %d:\n got %+v\nwant %+v", tc.from, i, got[i], tc.want[i])
			}
		}
	}
}

// testLogUpdateCheckpoint: cosignatures and a timestamp are added to a
// checkpoint; what it says cannot change.
func testLogUpdateCheckpoint(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	log := db.Log()
	appendEntries(t, db, 4)
	cp := integrate(t, db, 0, 3, clock.Now())

	cosigned := cp
	cosigned.Note = checkpointNote(3, cp.Root, "attesta.example/log", "witness.example/w1")
	cosigned.CreatedAt = clock.Now().Add(time.Hour) // not stored: the time is the checkpoint's
	if err := log.UpdateCheckpoint(ctx, cosigned); err != nil {
		t.Fatal(err)
	}
	want := cp
	want.Note = cosigned.Note
	wantCheckpoint(t, db, 3, want)

	stamped := want
	stamped.Timestamp = []byte{0x30, 0x82, 0x05, 0x2a}
	if err := log.UpdateCheckpoint(ctx, stamped); err != nil {
		t.Fatal(err)
	}
	wantCheckpoint(t, db, 3, stamped)
	// A note without a timestamp keeps the stored one.
	more := cp
	more.Note = checkpointNote(3, cp.Root, "attesta.example/log", "witness.example/w1", "witness.example/w2")
	if err := log.UpdateCheckpoint(ctx, more); err != nil {
		t.Fatal(err)
	}
	want = stamped
	want.Note = more.Note
	wantCheckpoint(t, db, 3, want)

	otherRoot := more
	otherRoot.Root[0] ^= 1
	wantCode(t, log.UpdateCheckpoint(ctx, otherRoot), attesta.Invalid)
	otherText := more
	otherText.Note = checkpointNote(4, cp.Root, "attesta.example/log", "witness.example/w1")
	wantCode(t, log.UpdateCheckpoint(ctx, otherText), attesta.Invalid)
	noNote := more
	noNote.Note = nil
	wantCode(t, log.UpdateCheckpoint(ctx, noNote), attesta.Invalid)
	missing := newCheckpoint(4, clock.Now())
	wantCode(t, log.UpdateCheckpoint(ctx, missing), attesta.NotFound)
	wantCheckpoint(t, db, 3, want)
	wantSizes(t, db, 4, 3)
}

func testLogKey(t *testing.T, open Opener) {
	ctx := context.Background()
	db, _ := migrated(t, open, NewClock())
	log := db.Log()
	if sealed, found, err := log.LogKey(ctx); err != nil || found || sealed != nil {
		t.Fatalf("no key yet: %x, %v, %v", sealed, found, err)
	}
	wantCode(t, log.SetLogKey(ctx, nil), attesta.Invalid)
	key := []byte{0, 1, 2, 0xff, 0xfe, 0, 'k'}
	if err := log.SetLogKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	wantCode(t, log.SetLogKey(ctx, []byte("another")), attesta.Conflict)
	if sealed, found, err := log.LogKey(ctx); err != nil || !found || string(sealed) != string(key) {
		t.Fatalf("key: %x, %v, %v; want %x", sealed, found, err, key)
	}
}

// FillLog appends n entries to the log of db, which must implement
// LogAppender and be integrated up to its last entry, perTx to a
// transaction (1 is what credentials do), and integrates them in batches of
// 4,096 (the notary's default batch), so that an engine can measure what
// the log takes.
func FillLog(tb testing.TB, db DB, n int64, perTx int) {
	tb.Helper()
	ctx := context.Background()
	app, ok := db.(LogAppender)
	if !ok {
		tb.Fatal("the DB does not implement storagetest.LogAppender")
	}
	z, err := db.Log().Sizes(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if z.Integrated != z.Entries {
		tb.Fatalf("FillLog on a log with %d entries pending", z.Entries-z.Integrated)
	}
	end := z.Entries + n
	appended, integrated := z.Entries, z.Entries
	for appended < end {
		batch := make([][]byte, min(int64(perTx), end-appended))
		for i := range batch {
			batch[i] = testEntry(appended + int64(i))
		}
		if err := app.AppendLog(ctx, batch, nil); err != nil {
			tb.Fatal(err)
		}
		appended += int64(len(batch))
		for integrated+4096 <= appended || (appended == end && integrated < end) {
			to := min(integrated+4096, appended)
			cp := newCheckpoint(to, NewClock().Now())
			if err := db.Log().Integrate(ctx, integrated, to, hashesOf(integrated, to), &cp); err != nil {
				tb.Fatal(err)
			}
			integrated = to
		}
	}
}
