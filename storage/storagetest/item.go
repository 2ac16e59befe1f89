package storagetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/item"
)

// ItemsSuite runs the item bank's behaviour tests.
func ItemsSuite(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Lifecycle", testItemLifecycle},
		{"Refusals", testItemRefusals},
		{"WhoSees", testItemWhoSees},
		{"Frozen", testItemFrozen},
		{"Import", testItemImport},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// itemWorld is the platform with the bundled standards, the national
// body's two authors, and the Turin Chamber's operator; Chambers keep
// banks of their own when chamberBanks says so.
type itemWorld struct {
	*platform
	svc                 *item.Service
	author, reviewer    *auth.Principal
	chamber, otherChamb *auth.Principal
}

func newItemWorld(t *testing.T, open Opener, chamberBanks bool) *itemWorld {
	t.Helper()
	p := newPlatform(t, open)
	p.seed(t)
	f, err := competence.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := competence.NewService(p.db.Standards(), p.clock.Now).Import(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	national := func(person, name string) *auth.Principal {
		return &auth.Principal{Person: person, Name: name, Membership: auth.Membership{Org: "unioncamere", Role: auth.NationalAdmin, OrgKind: auth.National}}
	}
	chamber := func(person, org string, provinces ...string) *auth.Principal {
		return &auth.Principal{Person: person, Name: person, Membership: auth.Membership{Org: org, Role: auth.ChamberOperator, OrgKind: auth.Chamber, Provinces: provinces}}
	}
	return &itemWorld{platform: p, svc: item.NewService(p.db.Items(), p.clock.Now, nil, item.Options{ChamberBanks: chamberBanks}),
		author: national("p-author", "Anna Autrice"), reviewer: national("p-reviewer", "Renato Revisore"),
		chamber: chamber("p-chamber", "cciaa-torino", "TO", "AT"), otherChamb: chamber("p-other", "cciaa-milano", "MI")}
}

// anItem is a valid single-choice item on Meccatronica's C1, id left to
// the bank.
func anItem() item.Item {
	return item.Item{Lang: "it", Sector: "meccatronica", Standard: 1, Competence: "C1", ADA: "ADA.10.02.02", Result: "RA1",
		Dimension: item.Knowledge, Difficulty: item.Medium, Kind: item.SingleChoice, Title: "Tolleranze",
		Prompt:  "Che cosa indica la sigla H7 su un foro?",
		Choices: []item.Choice{{ID: "A", Text: "Una classe di tolleranza ISO"}, {ID: "B", Text: "Una durezza Brinell"}, {ID: "C", Text: "Un materiale"}},
		Correct: []string{"A"}, Scoring: item.MatchCorrect}
}

// testItemLifecycle: an item is written, sent for review, sent back with
// a comment, edited, approved by another person, revised in a new version
// while the approved one stays, and when the new one is approved the old
// is retired; every version is kept as it was, every act in the trail.
func testItemLifecycle(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newItemWorld(t, open, false)
	v, err := w.svc.Create(ctx, w.author, anItem())
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != 1 || v.Status != item.Draft || !item.Identifier(v.ID) || v.Owner != item.National || v.AuthorName != "Anna Autrice" {
		t.Fatalf("created %+v", v)
	}
	id := v.ID
	if _, err := w.svc.SubmitForReview(ctx, w.author, id, 1); err != nil {
		t.Fatal(err)
	}
	back, err := w.svc.Review(ctx, w.reviewer, id, 1, false, "Il distrattore C è troppo debole.")
	if err != nil {
		t.Fatal(err)
	}
	if back.Status != item.Draft || back.Comment != "Il distrattore C è troppo debole." || back.ReviewerName != "Renato Revisore" {
		t.Fatalf("sent back: %+v", back)
	}
	edited := anItem()
	edited.Choices[2].Text = "Una rugosità superficiale"
	if _, err := w.svc.Edit(ctx, w.author, id, 1, edited); err != nil {
		t.Fatal(err)
	}
	w.svc.SubmitForReview(ctx, w.author, id, 1)
	if _, err := w.svc.Review(ctx, w.author, id, 1, true, ""); attesta.ErrorKey(err) != "err.item.approve.self" {
		t.Fatalf("the author approves their own item: %v", err)
	}
	if v, err = w.svc.Review(ctx, w.reviewer, id, 1, true, ""); err != nil || v.Status != item.Approved {
		t.Fatalf("approve: %+v %v", v, err)
	}
	// A new version: a draft, the approved one still in use.
	v2, err := w.svc.NewVersion(ctx, w.author, id, 1)
	if err != nil || v2.Version != 2 || v2.Status != item.Draft || v2.Choices[2].Text != "Una rugosità superficiale" {
		t.Fatalf("new version: %+v %v", v2, err)
	}
	vs, err := w.svc.Get(ctx, w.author, id)
	if err != nil || len(vs) != 2 || vs[0].Status != item.Approved {
		t.Fatalf("versions: %+v %v", vs, err)
	}
	changed := edited
	changed.Prompt = "Che cosa indica la sigla H7 sul disegno di un foro?"
	w.svc.Edit(ctx, w.author, id, 2, changed)
	w.svc.SubmitForReview(ctx, w.author, id, 2)
	if _, err := w.svc.Review(ctx, w.reviewer, id, 2, true, ""); err != nil {
		t.Fatal(err)
	}
	vs, _ = w.svc.Get(ctx, w.author, id)
	if vs[0].Status != item.Retired || vs[1].Status != item.Approved || vs[0].Prompt != anItem().Prompt || vs[1].Prompt != changed.Prompt {
		t.Fatalf("after approving version 2: %+v", vs)
	}
	// The trail has every act, by whom.
	var entries []audit.Entry
	w.db.Audit().View(ctx, func(r audit.Reader) (err error) {
		entries, err = r.Entries(ctx, audit.Filter{Reach: auth.ReachAll(), ObjectKind: auth.ItemObject, Limit: 100})
		return err
	})
	var acts []string
	for _, e := range entries {
		acts = append(acts, e.Action+" "+e.ObjectID+" "+e.ActorName)
	}
	for _, want := range []string{"item.create " + id + "/1 Anna Autrice", "item.send_back " + id + "/1 Renato Revisore",
		"item.edit " + id + "/1 Anna Autrice", "item.approve " + id + "/1 Renato Revisore", "item.revise " + id + "/2 Anna Autrice",
		"item.retire " + id + "/1 Renato Revisore", "item.approve " + id + "/2 Renato Revisore"} {
		if !slices.Contains(acts, want) {
			t.Errorf("the trail lacks %q: %q", want, acts)
		}
	}
	// Listing: the latest version, filtered.
	list, err := w.svc.List(ctx, w.reviewer, item.Filter{Competence: "C1", Status: item.Approved})
	if err != nil || len(list) != 1 || list[0].Version != 2 {
		t.Fatalf("list: %+v %v", list, err)
	}
	if list, _ := w.svc.List(ctx, w.reviewer, item.Filter{Competence: "C2"}); len(list) != 0 {
		t.Errorf("C2 lists %+v", list)
	}
}

// testItemRefusals: bad input, illegal acts and stale pages are refused
// with their reason, and change nothing.
func testItemRefusals(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newItemWorld(t, open, false)
	bad := anItem()
	bad.Competence, bad.Correct = "C99", []string{"Z"}
	_, err := w.svc.Create(ctx, w.author, bad)
	hasProblem(t, err, "competence", "err.item.competence")
	hasProblem(t, err, "correct", "err.item.correct.unknown")
	draftStd := anItem()
	draftStd.Sector, draftStd.Standard = "turismo", 1 // a draft standard: not written for
	_, err = w.svc.Create(ctx, w.author, draftStd)
	problem(t, err, attesta.Invalid, "standard", "err.item.standard")
	if list, _ := w.svc.List(ctx, w.author, item.Filter{}); len(list) != 0 {
		t.Fatalf("refused items were kept: %+v", list)
	}
	named := anItem()
	named.ID = "MEC-C1-001"
	if _, err := w.svc.Create(ctx, w.author, named); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Create(ctx, w.author, named); attesta.ErrorKey(err) != "err.item.exists" {
		t.Errorf("the same id twice: %v", err)
	}
	for _, c := range []struct {
		name string
		err  error
		key  string
	}{
		{"approving a draft", func() error { _, err := w.svc.Review(ctx, w.reviewer, "MEC-C1-001", 1, true, ""); return err }(), "err.item.state"},
		{"a stale version", func() error { _, err := w.svc.Edit(ctx, w.author, "MEC-C1-001", 2, named); return err }(), "err.item.stale"},
		{"retiring a draft", func() error { _, err := w.svc.RetireItem(ctx, w.reviewer, "MEC-C1-001", 1); return err }(), "err.item.state"},
		{"revising a draft", func() error { _, err := w.svc.NewVersion(ctx, w.author, "MEC-C1-001", 1); return err }(), "err.item.state"},
		{"a Chamber without a bank", func() error { _, err := w.svc.Create(ctx, w.chamber, anItem()); return err }(), "err.item.bank.none"},
		{"an unknown item", func() error { _, err := w.svc.Get(ctx, w.author, "NOPE"); return err }(), "err.item.notfound"},
	} {
		if attesta.ErrorKey(c.err) != c.key {
			t.Errorf("%s: %v, want %s", c.name, c.err, c.key)
		}
	}
	w.svc.SubmitForReview(ctx, w.author, "MEC-C1-001", 1)
	_, err = w.svc.Review(ctx, w.reviewer, "MEC-C1-001", 1, false, "no")
	problem(t, err, attesta.Invalid, "comment", "err.item.comment")
	if vs, _ := w.svc.Get(ctx, w.author, "MEC-C1-001"); vs[0].Status != item.Review {
		t.Errorf("a refused send-back changed the item: %+v", vs[0])
	}
}

// testItemWhoSees: the national body sees its whole bank; a Chamber the
// national bank's approved items and its own bank, which another Chamber
// does not see; candidates' roles see nothing.
func testItemWhoSees(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newItemWorld(t, open, true)
	draft, _ := w.svc.Create(ctx, w.author, anItem())
	approved, _ := w.svc.Create(ctx, w.author, anItem())
	w.svc.SubmitForReview(ctx, w.author, approved.ID, 1)
	if _, err := w.svc.Review(ctx, w.reviewer, approved.ID, 1, true, ""); err != nil {
		t.Fatal(err)
	}
	own, err := w.svc.Create(ctx, w.chamber, anItem())
	if err != nil {
		t.Fatal(err)
	}
	if own.Owner != "cciaa-torino" {
		t.Fatalf("the Chamber's item is in bank %q", own.Owner)
	}
	ids := func(p *auth.Principal) []string {
		list, err := w.svc.List(ctx, p, item.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range list {
			out = append(out, v.ID)
		}
		slices.Sort(out)
		return out
	}
	sorted := func(s ...string) []string { slices.Sort(s); return s }
	if got := ids(w.author); !slices.Equal(got, sorted(draft.ID, approved.ID, own.ID)) {
		t.Errorf("the national body sees %v", got)
	}
	if got := ids(w.chamber); !slices.Equal(got, sorted(approved.ID, own.ID)) {
		t.Errorf("the Chamber sees %v", got)
	}
	if got := ids(w.otherChamb); !slices.Equal(got, []string{approved.ID}) {
		t.Errorf("another Chamber sees %v", got)
	}
	if _, err := w.svc.Get(ctx, w.otherChamb, own.ID); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("another Chamber reads the Chamber's item: %v", err)
	}
	if _, err := w.svc.Get(ctx, w.chamber, draft.ID); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a Chamber reads the national bank's draft: %v", err)
	}
	if _, err := w.svc.Edit(ctx, w.chamber, approved.ID, 1, anItem()); attesta.ErrorKey(err) != "err.item.bank.other" {
		t.Errorf("a Chamber edits the national bank: %v", err)
	}
	tutor := &auth.Principal{Person: "p-t", Membership: auth.Membership{Org: "itis-avogadro", Role: auth.SchoolTutor, OrgKind: auth.School}}
	if _, err := w.svc.List(ctx, tutor, item.Filter{}); attesta.ErrorCode(err) != attesta.Forbidden {
		t.Errorf("a school tutor lists the bank: %v", err)
	}
}

// testItemFrozen: the engine itself refuses to change the content of a
// version sent for review, and to delete a version.
func testItemFrozen(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newItemWorld(t, open, false)
	v, _ := w.svc.Create(ctx, w.author, anItem())
	v, _ = w.svc.SubmitForReview(ctx, w.author, v.ID, 1)
	v.Prompt = "cambiato di nascosto"
	err := w.db.Items().Update(ctx, func(wr item.Writer) error { return wr.UpdateItem(ctx, v) })
	if err == nil {
		t.Fatal("the engine changed the content of a version in review")
	}
	vs, _ := w.svc.Get(ctx, w.author, v.ID)
	if vs[0].Prompt == "cambiato di nascosto" {
		t.Fatal("the content changed")
	}
}

// testItemImport: an import writes every item as a draft of the
// importer's bank in one transaction, each audited; an import with one bad
// item (a competence not in its standard, an identifier taken or given
// twice) writes none, and names each problem under its item's place.
func testItemImport(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newItemWorld(t, open, false)
	a, b := anItem(), anItem()
	a.ID, b.ID = "IMP-1", "IMP-2"
	b.Kind, b.Choices, b.Correct = item.TrueFalse, []item.Choice{{ID: "true", Text: "Vero"}, {ID: "false", Text: "Falso"}}, []string{"true"}
	a.Status, a.Version = item.Approved, 7 // what a package says is not kept
	vs, err := w.svc.Import(ctx, w.author, []item.Item{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].ID != "IMP-1" || vs[0].Status != item.Draft || vs[0].Version != 1 || vs[1].Kind != item.TrueFalse || vs[0].AuthorName != "Anna Autrice" {
		t.Fatalf("imported %+v", vs)
	}
	got, err := w.svc.Get(ctx, w.reviewer, "IMP-2")
	if err != nil || len(got) != 1 || got[0].Status != item.Draft || got[0].Owner != item.National {
		t.Fatalf("IMP-2 after the import: %+v %v", got, err)
	}
	var entries []audit.Entry
	w.db.Audit().View(ctx, func(r audit.Reader) (err error) {
		entries, err = r.Entries(ctx, audit.Filter{Reach: auth.ReachAll(), ObjectKind: auth.ItemObject, Limit: 100})
		return err
	})
	var acts []string
	for _, e := range entries {
		acts = append(acts, e.Action+" "+e.ObjectID)
	}
	for _, want := range []string{"item.import IMP-1/1", "item.import IMP-2/1"} {
		if !slices.Contains(acts, want) {
			t.Errorf("the trail lacks %q: %q", want, acts)
		}
	}

	// One bad item: nothing is written, every problem said at its item.
	good, bad, taken, twice := anItem(), anItem(), anItem(), anItem()
	good.ID, bad.ID, taken.ID, twice.ID = "IMP-3", "IMP-4", "IMP-1", "IMP-3"
	bad.Competence = "C99"
	_, err = w.svc.Import(ctx, w.author, []item.Item{good, bad, taken, twice})
	hasProblem(t, err, "items[1].competence", "err.item.competence")
	hasProblem(t, err, "items[2].id", "err.item.exists")
	hasProblem(t, err, "items[3].id", "err.item.import.twice")
	if _, err := w.svc.Get(ctx, w.author, "IMP-3"); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a refused import wrote IMP-3: %v", err)
	}
	if list, _ := w.svc.List(ctx, w.author, item.Filter{}); len(list) != 2 {
		t.Errorf("after a refused import the bank holds %d items", len(list))
	}
	if _, err := w.svc.Import(ctx, w.chamber, []item.Item{good}); attesta.ErrorKey(err) != "err.item.bank.none" {
		t.Errorf("a Chamber without a bank imports: %v", err)
	}
	_, err = w.svc.Import(ctx, w.author, nil)
	problem(t, err, attesta.Invalid, "items", "err.item.import.count")
}

// hasProblem fails the test unless err is invalid input with, among its
// problems, key on field.
func hasProblem(t *testing.T, err error, field, key string) {
	t.Helper()
	var fe attesta.FieldErrors
	if attesta.ErrorCode(err) != attesta.Invalid || !errors.As(err, &fe) ||
		!slices.ContainsFunc(fe, func(e attesta.FieldError) bool { return e.Field == field && e.Key == key }) {
		t.Errorf("got %v, want among the problems %s of field %s", err, key, field)
	}
}
