// Package storagetest is the behaviour suite every storage engine must pass.
// Each engine's tests call [Run] with a function that opens a new, empty
// database; the same tests then run against SQLite and PostgreSQL alike.
package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/storage"
)

// DB is what the suite checks of an engine: storage.DB.
type DB = storage.DB

// Opener opens a new, empty, unmigrated database whose clock is now. The
// database is closed and removed when the test ends.
type Opener func(t *testing.T, now attesta.Clock) DB

// Clock is a settable clock for tests.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock set to a fixed time.
func NewClock() *Clock {
	return NewClockAt(time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC))
}

// NewClockAt returns a clock set to t.
func NewClockAt(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Migrate", testMigrate},
		{"Meta", testMeta},
		{"ImportExportRoundTrip", testImportExportRoundTrip},
		{"ImportIsAllOrNothing", testImportIsAllOrNothing},
		{"PublishedVersionIsImmutable", testPublishedVersionIsImmutable},
		{"DraftPublishSupersede", testDraftPublishSupersede},
		{"DraftsOnlyForTheNationalBody", testDraftsOnlyForTheNationalBody},
		{"StandardEditing", testStandardEditing},
		{"StandardPublishing", testStandardPublishing},
		{"StoreGuards", testStoreGuards},
		{"RollbackOnError", testRollbackOnError},
		{"ConcurrentWriters", testConcurrentWriters},
		{"NotFound", testNotFound},
		{"Issuers", testIssuers},
		{"IssuerKeys", testIssuerKeys},
		{"IssuerKeysConcurrent", testIssuerKeysConcurrent},
		{"AllocateConcurrent", testAllocateConcurrent},
		{"AllocateNextList", testAllocateNextList},
		{"AllocateReserves", testAllocateReserves},
		{"MarkLost", testMarkLost},
		{"RecordRoundTrip", testRecordRoundTrip},
		{"InsertConflicts", testInsertConflicts},
		{"ChangeStatus", testChangeStatus},
		{"ChangeStatusConcurrent", testChangeStatusConcurrent},
		{"StatusList", testStatusList},
		{"SignedList", testSignedList},
		{"LogInsertAppends", testLogInsertAppends},
		{"LogChangeStatusAppends", testLogChangeStatusAppends},
		{"LogRollback", testLogRollback},
		{"LogConcurrentAppends", testLogConcurrentAppends},
		{"LogIntegrate", testLogIntegrate},
		{"LogIntegrateConcurrent", testLogIntegrateConcurrent},
		{"LogHashesRoundTrip", testLogHashesRoundTrip},
		{"LogCheckpoints", testLogCheckpoints},
		{"LogUpdateCheckpoint", testLogUpdateCheckpoint},
		{"LogKey", testLogKey},
		{"WitnessState", testWitnessState},
		{"WitnessStateConcurrent", testWitnessStateConcurrent},
		{"WitnessKey", testWitnessKey},
		{"PlatformOrganisations", testPlatformOrganisations},
		{"PlatformPeople", testPlatformPeople},
		{"PlatformAccounts", testPlatformAccounts},
		{"PlatformAllOrNothing", testPlatformAllOrNothing},
		{"PlatformImports", testPlatformImports},
		{"PlatformStoreRefusals", testPlatformStoreRefusals},
		{"BlankKeeps", testBlankKeeps},
		{"ClearRemoves", testClearRemoves},
		{"Reach", testReach},
		{"Tables", TablesSuite},
		{"Experiences", ExperiencesSuite},
		{"Items", ItemsSuite},
		{"Assessment", AssessmentSuite},
		{"Courses", CoursesSuite},
		{"Jobs", testJobs},
		{"JobsClaimedOnce", testJobsClaimedOnce},
		{"JobsLeaseTakeover", testJobsLeaseTakeover},
		{"JobsLostLease", testJobsLostLease},
		{"JobsGivenBack", testJobsGivenBack},
		{"JobsPurge", testJobsPurge},
		{"JobsOwnRunNotClaimed", testJobsOwnRunNotClaimed},
		{"JobsEndRolledBack", testJobsEndRolledBack},
		{"Artefacts", testArtefacts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

func migrated(t *testing.T, open Opener, clock *Clock) (DB, *competence.Service) {
	t.Helper()
	db := open(t, clock.Now)
	if _, _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrating: %v", err)
	}
	return db, competence.NewService(db.Standards(), clock.Now)
}

func bundled(t *testing.T) *competence.File {
	t.Helper()
	f, err := competence.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func sector(t *testing.T, f *competence.File, id string) *competence.Standard {
	t.Helper()
	for i := range f.Standards {
		if f.Standards[i].Sector == id {
			return &f.Standards[i]
		}
	}
	t.Fatalf("no sector %s", id)
	return nil
}

func encode(t *testing.T, f *competence.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := competence.Encode(&buf, f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func export(t *testing.T, svc *competence.Service) []byte {
	t.Helper()
	f, err := svc.Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return encode(t, f)
}

func wantCode(t *testing.T, err error, code attesta.Code) {
	t.Helper()
	if got := attesta.ErrorCode(err); got != code {
		t.Fatalf("got error %v (code %s), want code %s", err, got, code)
	}
}

// wantKey is wantCode, and the refusal's message key: what the stores say,
// checked by its key rather than its words.
func wantKey(t *testing.T, err error, code attesta.Code, key string) {
	t.Helper()
	if got, k := attesta.ErrorCode(err), attesta.ErrorKey(err); got != code || k != key {
		t.Fatalf("got error %v (code %s, key %s), want code %s, key %s", err, got, k, code, key)
	}
}

func testMigrate(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t, NewClock().Now)
	if err := db.Ready(ctx); err == nil {
		t.Error("an unmigrated database is ready")
	}
	from, to, err := db.Migrate(ctx)
	if err != nil || from != 0 || to < 1 {
		t.Fatalf("first migration: %d → %d, %v", from, to, err)
	}
	from2, to2, err := db.Migrate(ctx)
	if err != nil || from2 != to || to2 != to {
		t.Fatalf("second migration: %d → %d, %v; want %d → %d", from2, to2, err, to, to)
	}
	if err := db.Ready(ctx); err != nil {
		t.Errorf("a migrated database is not ready: %v", err)
	}
}

func testMeta(t *testing.T, open Opener) {
	ctx := context.Background()
	db, _ := migrated(t, open, NewClock())
	if _, ok, err := db.Meta(ctx, "k"); ok || err != nil {
		t.Fatalf("empty meta: %v %v", ok, err)
	}
	for _, v := range []string{"one", "two"} {
		if err := db.SetMeta(ctx, "k", v); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := db.Meta(ctx, "k"); got != v || !ok || err != nil {
			t.Fatalf("meta = %q %v %v, want %q", got, ok, err, v)
		}
	}
	// AddMeta writes a value once: the first stays.
	if err := db.AddMeta(ctx, "once", "first"); err != nil {
		t.Fatal(err)
	}
	if err := db.AddMeta(ctx, "once", "second"); attesta.ErrorCode(err) != attesta.Conflict {
		t.Errorf("a second AddMeta: %v, want a conflict", err)
	}
	if got, _, err := db.Meta(ctx, "once"); got != "first" || err != nil {
		t.Errorf("meta once = %q %v, want the first", got, err)
	}
}

// testImportExportRoundTrip: the bundled file imports, exports to the same
// bytes, and export → import into another database → export is identical.
func testImportExportRoundTrip(t *testing.T, open Opener) {
	ctx := context.Background()
	_, svc := migrated(t, open, NewClock())
	rep, err := svc.Import(ctx, bundled(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Created) != 6 {
		t.Errorf("created %v, want the 6 bundled sectors", rep.Created)
	}
	first := export(t, svc)
	if !bytes.Equal(first, competence.BundledBytes()) {
		t.Errorf("export of the bundled standards differs from the bundled file:\n%s", first)
	}
	// Importing the same again changes nothing.
	rep, err = svc.Import(ctx, bundled(t))
	if err != nil || len(rep.Unchanged) != 6 || len(rep.Created)+len(rep.Updated) != 0 {
		t.Fatalf("re-import: %+v, %v", rep, err)
	}
	// Into a second database.
	_, svc2 := migrated(t, open, NewClock())
	f, err := competence.Decode(bytes.NewReader(first), "export.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc2.Import(ctx, f); err != nil {
		t.Fatal(err)
	}
	if second := export(t, svc2); !bytes.Equal(first, second) {
		t.Errorf("export → import → export differs:\nfirst:\n%s\nsecond:\n%s", first, second)
	}
	// The catalogue view: the current version of each sector.
	sectors, err := svc.Sectors(ctx, national)
	if err != nil || len(sectors) != 6 {
		t.Fatalf("sectors: %v %v", sectors, err)
	}
	m, err := svc.Current(ctx, nil, "meccatronica")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Paths) != 4 || len(m.Competences) != 15 || m.Status != competence.Published {
		t.Errorf("meccatronica: %d paths, %d competences, %s", len(m.Paths), len(m.Competences), m.Status)
	}
}

func testImportIsAllOrNothing(t *testing.T, open Opener) {
	ctx := context.Background()
	_, svc := migrated(t, open, NewClock())
	if _, err := svc.Import(ctx, bundled(t)); err != nil {
		t.Fatal(err)
	}
	before := export(t, svc)
	// A file with a new sector (fine) and a changed published version (not
	// allowed): nothing is imported, not even the new sector.
	f := bundled(t)
	f.Standards = append(f.Standards, competence.Standard{
		Sector: "nuovo", Version: 1, Status: competence.Draft, Title: competence.Text{IT: "Nuovo"},
	})
	m := sector(t, f, "meccatronica")
	m.Title.EN = "Mechatronics (edited)"
	m.Digest = ""
	_, err := svc.Import(ctx, f)
	wantCode(t, err, attesta.Conflict)
	var ps competence.Problems
	if !errors.As(err, &ps) || len(ps) != 1 {
		t.Fatalf("want one problem, got %v", err)
	}
	if after := export(t, svc); !bytes.Equal(before, after) {
		t.Error("a rejected import changed the database")
	}
	// A newer published version cannot arrive while an older draft is
	// stored: the draft would end up older than the published version.
	f = &competence.File{Format: competence.FormatV1, Standards: []competence.Standard{
		{Sector: "turismo", Version: 2, Status: competence.Published, PublishedAt: NewClock().Now().Truncate(time.Second),
			Title: competence.Text{IT: "Turismo"}},
	}}
	_, err = svc.Import(ctx, f)
	wantCode(t, err, attesta.Conflict)
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Key != "err.competence.publish.olderdraft" {
		t.Errorf("got %v, want the one problem err.competence.publish.olderdraft", err)
	}
	if after := export(t, svc); !bytes.Equal(before, after) {
		t.Error("a rejected import changed the database")
	}
	// An invalid file is rejected before touching the store.
	f = bundled(t)
	f.Standards[1].Version = 0
	_, err = svc.Import(ctx, f)
	wantCode(t, err, attesta.Invalid)
}

func testPublishedVersionIsImmutable(t *testing.T, open Opener) {
	ctx := context.Background()
	_, svc := migrated(t, open, NewClock())
	if _, err := svc.Import(ctx, bundled(t)); err != nil {
		t.Fatal(err)
	}
	before := export(t, svc)
	m, err := svc.Version(ctx, nil, "meccatronica", 1)
	if err != nil {
		t.Fatal(err)
	}
	m.Competences[0].Title.IT = "Altro titolo"
	_, err = svc.UpdateDraft(ctx, national, m)
	wantCode(t, err, attesta.Conflict)
	m.Status = competence.Draft
	m.PublishedAt, m.Digest = time.Time{}, ""
	_, err = svc.UpdateDraft(ctx, national, m) // pretending it is a draft does not help
	wantCode(t, err, attesta.Conflict)
	_, err = svc.EditCompetence(ctx, national, "meccatronica", 1, "C1", m.Competences[0])
	wantCode(t, err, attesta.Conflict)
	_, err = svc.Publish(ctx, national, "meccatronica", 1)
	wantCode(t, err, attesta.Conflict)
	if after := export(t, svc); !bytes.Equal(before, after) {
		t.Error("the published version changed")
	}
}

func testDraftPublishSupersede(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	_, svc := migrated(t, open, clock)
	if _, err := svc.Import(ctx, bundled(t)); err != nil {
		t.Fatal(err)
	}
	d, err := svc.NewDraft(ctx, national, "meccatronica", 1)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 2 || d.Status != competence.Draft || d.Digest != "" {
		t.Fatalf("draft: v%d %s %q", d.Version, d.Status, d.Digest)
	}
	if _, err := svc.NewDraft(ctx, national, "meccatronica", 1); attesta.ErrorCode(err) != attesta.Conflict {
		t.Fatalf("a second draft: %v", err)
	}
	// The catalogue still shows the published version while a draft exists.
	if cur, _ := svc.Current(ctx, nil, "meccatronica"); cur.Version != 1 {
		t.Errorf("current version %d while v2 is a draft", cur.Version)
	}
	d.Competences[1].Title.IT = "Saper leggere e interpretare le procedure di montaggio"
	if _, err := svc.UpdateDraft(ctx, national, d); err != nil {
		t.Fatal(err)
	}
	bad := *d
	bad.Competences = append([]competence.Competence(nil), d.Competences...)
	bad.Competences[2].Code = "c3"
	_, err = svc.UpdateDraft(ctx, national, &bad)
	wantCode(t, err, attesta.Invalid)

	clock.Advance(time.Hour)
	p, err := svc.Publish(ctx, national, "meccatronica", 2)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != competence.Published || !p.PublishedAt.Equal(clock.Now()) || p.Digest != competence.ComputeDigest(p) {
		t.Errorf("published: %s %v %s", p.Status, p.PublishedAt, p.Digest)
	}
	got, err := svc.Version(ctx, nil, "meccatronica", 2)
	if err != nil {
		t.Fatal(err)
	}
	if !got.PublishedAt.Equal(clock.Now()) || got.Competences[1].Title.IT != d.Competences[1].Title.IT {
		t.Errorf("stored v2: %v %q", got.PublishedAt, got.Competences[1].Title.IT)
	}
	old, err := svc.Version(ctx, nil, "meccatronica", 1)
	if err != nil || old.Status != competence.Superseded {
		t.Fatalf("v1 after publishing v2: %v %v", old.Status, err)
	}
	if cur, _ := svc.Current(ctx, nil, "meccatronica"); cur.Version != 2 {
		t.Errorf("current version %d after publishing v2", cur.Version)
	}
	// The full history exports and re-imports identically elsewhere.
	history := export(t, svc)
	_, svc2 := migrated(t, open, NewClock())
	f, err := competence.Decode(bytes.NewReader(history), "history.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc2.Import(ctx, f); err != nil {
		t.Fatal(err)
	}
	if again := export(t, svc2); !bytes.Equal(history, again) {
		t.Errorf("history round trip differs")
	}
	// A draft that is not complete cannot be published.
	_, err = svc.Publish(ctx, national, "turismo", 1)
	wantCode(t, err, attesta.Invalid)
}

func testStoreGuards(t *testing.T, open Opener) {
	ctx := context.Background()
	db, _ := migrated(t, open, NewClock())
	s := &competence.Standard{Sector: "x", Version: 1, Status: competence.Draft, Title: competence.Text{IT: "X"}}
	err := db.Standards().Update(ctx, func(w competence.Writer) error {
		if err := w.Insert(ctx, s); err != nil {
			return err
		}
		wantCode(t, w.Insert(ctx, s), attesta.Conflict)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A second draft of the same sector breaks the one-draft rule.
	err = db.Standards().Update(ctx, func(w competence.Writer) error {
		s2 := *s
		s2.Version = 2
		return w.Insert(ctx, &s2)
	})
	wantCode(t, err, attesta.Conflict)
	// Replace checks the status the caller saw.
	err = db.Standards().Update(ctx, func(w competence.Writer) error {
		return w.Replace(ctx, s, competence.Published)
	})
	wantCode(t, err, attesta.Conflict)
}

func testRollbackOnError(t *testing.T, open Opener) {
	ctx := context.Background()
	db, svc := migrated(t, open, NewClock())
	boom := errors.New("boom")
	err := db.Standards().Update(ctx, func(w competence.Writer) error {
		if err := w.Insert(ctx, &competence.Standard{Sector: "x", Version: 1, Status: competence.Draft, Title: competence.Text{IT: "X"}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if infos, err := svc.Versions(ctx, national); err != nil || len(infos) != 0 {
		t.Fatalf("after rollback: %v %v", infos, err)
	}
}

// testConcurrentWriters: many goroutines writing at once all succeed (no
// "database is locked"), and every write is kept.
func testConcurrentWriters(t *testing.T, open Opener) {
	ctx := context.Background()
	_, svc := migrated(t, open, NewClock())
	const writers, writes = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*writes)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sector := fmt.Sprintf("settore-%d", w)
			for i := range writes {
				f := &competence.File{Format: competence.FormatV1, Standards: []competence.Standard{{
					Sector: sector, Version: 1, Status: competence.Draft,
					Title: competence.Text{IT: fmt.Sprintf("Settore %d, revisione %d", w, i)},
				}}}
				if _, err := svc.Import(ctx, f); err != nil {
					errs <- err
				}
				if _, err := svc.Sectors(ctx, national); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	sectors, err := svc.Sectors(ctx, national)
	if err != nil || len(sectors) != writers {
		t.Fatalf("sectors: %d, %v", len(sectors), err)
	}
	for _, s := range sectors {
		if want := fmt.Sprintf("revisione %d", writes-1); !bytes.HasSuffix([]byte(s.Title.IT), []byte(want)) {
			t.Errorf("%s: last write lost: %q", s.Sector, s.Title.IT)
		}
	}
}

func testNotFound(t *testing.T, open Opener) {
	ctx := context.Background()
	_, svc := migrated(t, open, NewClock())
	_, err := svc.Current(ctx, national, "nessuno")
	wantCode(t, err, attesta.NotFound)
	_, err = svc.Version(ctx, national, "nessuno", 1)
	wantCode(t, err, attesta.NotFound)
	_, err = svc.NewDraft(ctx, national, "nessuno", 1)
	wantCode(t, err, attesta.NotFound)
}
