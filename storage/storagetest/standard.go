package storagetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
)

// The principals of the standards' tests: the national body, which owns
// the standards, and a Chamber, which does not.
var (
	national = &auth.Principal{Person: "p-uc", Name: "Giulia Conti",
		Membership: auth.Membership{Org: "unioncamere", OrgKind: auth.National, Role: auth.NationalAdmin}}
	chamberMI = &auth.Principal{Person: "p-mi", Name: "Marco Ferri",
		Membership: auth.Membership{Org: "cciaa-milano", OrgKind: auth.Chamber, Role: auth.ChamberOperator, Provinces: []string{"MI"}}}
)

// standardTrail returns the audit trail's entries about the standards,
// oldest first.
func standardTrail(t *testing.T, db DB) []audit.Entry {
	t.Helper()
	es, err := audit.NewService(db.Audit()).List(context.Background(), national, audit.Filter{ObjectKind: auth.StandardObject})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(es)
	return es
}

// testDraftsOnlyForTheNationalBody: a draft is not found by anyone but the
// national body, signed in or not, by every read.
func testDraftsOnlyForTheNationalBody(t *testing.T, open Opener) {
	ctx := context.Background()
	_, svc := migrated(t, open, NewClock())
	if _, err := svc.Import(ctx, bundled(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.NewDraft(ctx, national, "meccatronica", 0); err != nil {
		t.Fatal(err)
	}
	student := &auth.Principal{Person: "p-s", Membership: auth.Membership{Org: "itis", OrgKind: auth.School, Role: auth.Student}}
	for _, p := range []*auth.Principal{nil, chamberMI, student} {
		name := "a visitor"
		if p != nil {
			name = string(p.Role)
		}
		_, err := svc.Version(ctx, p, "meccatronica", 2)
		wantKey(t, err, attesta.NotFound, "err.competence.version.notfound")
		// The same refusal as a version that does not exist.
		_, err2 := svc.Version(ctx, p, "meccatronica", 3)
		if attesta.ErrorKey(err2) != attesta.ErrorKey(err) || attesta.ErrorCode(err2) != attesta.ErrorCode(err) {
			t.Errorf("%s: a draft and a missing version are told apart", name)
		}
		_, err = svc.Draft(ctx, p, "meccatronica")
		wantKey(t, err, attesta.NotFound, "err.competence.draft.notfound")
		// A sector with only a draft does not exist for them.
		_, err = svc.Current(ctx, p, "turismo")
		wantKey(t, err, attesta.NotFound, "err.competence.sector.notfound")
		_, err = svc.Version(ctx, p, "turismo", 1)
		wantCode(t, err, attesta.NotFound)
		infos, err := svc.Versions(ctx, p)
		if err != nil || len(infos) != 1 || infos[0].Sector != "meccatronica" || infos[0].Version != 1 {
			t.Errorf("%s lists versions %v %v, want meccatronica v1 only", name, infos, err)
		}
		sectors, err := svc.Sectors(ctx, p)
		if err != nil || len(sectors) != 1 || sectors[0].Version != 1 {
			t.Errorf("%s lists sectors %v %v, want meccatronica v1 only", name, sectors, err)
		}
		if cur, err := svc.Current(ctx, p, "meccatronica"); err != nil || cur.Version != 1 {
			t.Errorf("%s: current meccatronica %v %v", name, cur, err)
		}
	}
	// The national body sees them all.
	if d, err := svc.Draft(ctx, national, "meccatronica"); err != nil || d.Version != 2 || d.Status != competence.Draft {
		t.Errorf("the national body's draft: %v %v", d, err)
	}
	if infos, err := svc.Versions(ctx, national); err != nil || len(infos) != 7 {
		t.Errorf("the national body lists %d versions, %v", len(infos), err)
	}
	if sectors, err := svc.Sectors(ctx, national); err != nil || len(sectors) != 6 {
		t.Errorf("the national body lists %d sectors, %v", len(sectors), err)
	}
	// No one else makes, edits or publishes a draft.
	_, err := svc.NewDraft(ctx, chamberMI, "meccatronica", 0)
	wantCode(t, err, attesta.Forbidden)
	_, err = svc.EditCompetence(ctx, chamberMI, "meccatronica", 2, "C1", competence.Competence{})
	wantCode(t, err, attesta.Forbidden)
	_, err = svc.Publish(ctx, chamberMI, "meccatronica", 2)
	wantCode(t, err, attesta.Forbidden)
	_, err = svc.Publish(ctx, nil, "meccatronica", 2)
	wantCode(t, err, attesta.Unauthenticated)
}

// testStandardEditing: each part of a draft is edited on its own; an edit
// with problems changes nothing and says where each problem is; an edit is
// recorded with what changed and its previous value.
func testStandardEditing(t *testing.T, open Opener) {
	ctx := context.Background()
	db, svc := migrated(t, open, NewClock())
	if _, err := svc.Import(ctx, bundled(t)); err != nil {
		t.Fatal(err)
	}
	d, err := svc.NewDraft(ctx, national, "meccatronica", 0)
	if err != nil {
		t.Fatal(err)
	}
	before := export(t, svc)

	// A competence with a bad value and a blank evidence: nothing changes,
	// and each problem names its place in the standard.
	c1, _ := d.Competence("C1")
	bad := *c1
	bad.ADA = slices.Clone(c1.ADA)
	bad.ADA[0].Code = "ADA.1"
	bad.MicroCredential.EQFLevel = 9
	_, err = svc.EditCompetence(ctx, national, "meccatronica", 2, "C1", bad)
	wantKey(t, err, attesta.Invalid, "err.competence.standard.invalid")
	var ps competence.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("no problems in %v", err)
	}
	in, out := ps.Under("competences[0]")
	var paths []string
	for _, p := range in {
		paths = append(paths, p.Path)
	}
	if !slices.Equal(paths, []string{"ada[0].code", "microcredential.eqf_level"}) || len(out) != 0 {
		t.Errorf("problems at %v, and elsewhere %v", paths, out)
	}
	if after := export(t, svc); !bytes.Equal(before, after) {
		t.Error("an edit with problems changed the draft")
	}
	if es := standardTrail(t, db); len(es) != 1 || es[0].Action != "standard.draft.create" {
		t.Fatalf("trail after a refused edit: %v", es)
	}

	// A good edit: one evidence reworded.
	good := *c1
	good.ADA = slices.Clone(c1.ADA)
	good.ADA[0].Results = slices.Clone(c1.ADA[0].Results)
	good.ADA[0].Results[0].Activities = slices.Clone(c1.ADA[0].Results[0].Activities)
	act := &good.ADA[0].Results[0].Activities[0]
	act.Evidences = slices.Clone(act.Evidences)
	old := act.Evidences[0].Text
	act.Evidences[0].Text.IT = "Lo studente legge il disegno tecnico"
	if _, err := svc.EditCompetence(ctx, national, "meccatronica", 2, "C1", good); err != nil {
		t.Fatal(err)
	}
	es := standardTrail(t, db)
	if len(es) != 2 || es[1].Action != "standard.edit" || es[1].ObjectID != "meccatronica/2" || es[1].Actor != national.Person {
		t.Fatalf("trail: %+v", es)
	}
	where := "competences[C1].ada[ADA.10.02.02].results[RA1].activities[0].evidences[0].text"
	var b, a map[string]competence.Text
	if err := json.Unmarshal(es[1].Before, &b); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(es[1].After, &a); err != nil {
		t.Fatal(err)
	}
	if len(b) != 1 || b[where] != old || a[where].IT != "Lo studente legge il disegno tecnico" {
		t.Errorf("recorded %s → %s", es[1].Before, es[1].After)
	}
	// The same content again changes nothing, and records nothing.
	if _, err := svc.EditCompetence(ctx, national, "meccatronica", 2, "C1", good); err != nil {
		t.Fatal(err)
	}
	if n := len(standardTrail(t, db)); n != 2 {
		t.Errorf("an edit that changes nothing was recorded: %d entries", n)
	}

	// The header: a scale of two levels is refused at the scale.
	h := competence.Header{Title: d.Title, Description: d.Description, Levels: d.Levels, Scale: d.Scale[:2], Defaults: d.Defaults}
	_, err = svc.EditHeader(ctx, national, "meccatronica", 2, h)
	wantKey(t, err, attesta.Invalid, "err.competence.standard.invalid")
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Path != "observation_scale" || ps[0].Key != "err.competence.scale.three" {
		t.Errorf("a scale of two levels: %v", err)
	}
	h.Scale = slices.Clone(d.Scale)
	h.Scale[1].Description.EN = "Observed in familiar situations"
	if _, err := svc.EditHeader(ctx, national, "meccatronica", 2, h); err != nil {
		t.Fatal(err)
	}

	// A path is added, a competence placed in it; a competence added and
	// then removed leaves no place behind.
	if _, err := svc.AddCompetence(ctx, national, "meccatronica", 2, competence.Competence{Code: "C16", Title: competence.Text{IT: "Nuova"}}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.AddPath(ctx, national, "meccatronica", 2, competence.Path{ID: "Qualità", Title: competence.Text{IT: "Qualità"}})
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Path != "paths[4].id" {
		t.Fatalf("a path with a bad id: %v", err)
	}
	pa := competence.Path{ID: "qualita", Title: competence.Text{IT: "Area Qualità"},
		Competences: []competence.PathCompetence{{Code: "C16", SchoolTypes: []competence.SchoolType{competence.Tecnica}}}}
	if _, err := svc.AddPath(ctx, national, "meccatronica", 2, pa); err != nil {
		t.Fatal(err)
	}
	_, err = svc.AddPath(ctx, national, "meccatronica", 2, pa)
	wantCode(t, err, attesta.Invalid) // twice
	pa.Competences = append(pa.Competences, competence.PathCompetence{Code: "C99", SchoolTypes: []competence.SchoolType{competence.Tecnica}})
	_, err = svc.EditPath(ctx, national, "meccatronica", 2, "qualita", pa)
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Path != "paths[4].competences[1].code" {
		t.Fatalf("a path with an undefined competence: %v", err)
	}
	got, err := svc.RemoveCompetence(ctx, national, "meccatronica", 2, "C16")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Competence("C16"); ok || len(got.PathsOf("C16")) != 0 || len(got.Paths[4].Competences) != 0 {
		t.Errorf("C16 removed: still %v", got.PathsOf("C16"))
	}
	if _, err := svc.RemovePath(ctx, national, "meccatronica", 2, "qualita"); err != nil {
		t.Fatal(err)
	}
	_, err = svc.RemovePath(ctx, national, "meccatronica", 2, "qualita")
	wantKey(t, err, attesta.NotFound, "err.competence.path.notfound")
	_, err = svc.EditCompetence(ctx, national, "meccatronica", 3, "C1", good)
	wantKey(t, err, attesta.NotFound, "err.competence.draft.notfound")

	// Every change was recorded, none of the refusals.
	var actions []string
	for _, e := range standardTrail(t, db) {
		actions = append(actions, e.Action)
	}
	want := []string{"standard.draft.create", "standard.edit", "standard.edit", "standard.edit", "standard.edit", "standard.edit", "standard.edit"}
	if !slices.Equal(actions, want) {
		t.Errorf("trail %v, want %v", actions, want)
	}
}

// testStandardPublishing: publishing needs a complete draft that changes
// something; it supersedes the published version, whose content never
// changes.
func testStandardPublishing(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, svc := migrated(t, open, clock)
	if _, err := svc.Import(ctx, bundled(t)); err != nil {
		t.Fatal(err)
	}
	v1, err := svc.Version(ctx, nil, "meccatronica", 1)
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.NewDraft(ctx, national, "meccatronica", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Publish(ctx, national, "meccatronica", 2)
	wantKey(t, err, attesta.Conflict, "err.competence.publish.unchanged")

	// A competence without the micro-credential elements it must carry.
	if _, err := svc.AddCompetence(ctx, national, "meccatronica", 2, competence.Competence{Code: "C16", Title: competence.Text{IT: "Nuova"}}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Publish(ctx, national, "meccatronica", 2)
	wantKey(t, err, attesta.Invalid, "err.competence.publish.notready")
	var ps competence.Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].Path != "competences[15].code" {
		t.Errorf("a competence in no path: %v", err)
	}
	if cur, _ := svc.Current(ctx, nil, "meccatronica"); cur.Version != 1 {
		t.Fatal("a refused publication changed the current version")
	}
	pa := d.Paths[0]
	pa.Competences = append(slices.Clone(pa.Competences), competence.PathCompetence{Code: "C16", SchoolTypes: []competence.SchoolType{competence.Tecnica}})
	if _, err := svc.EditPath(ctx, national, "meccatronica", 2, pa.ID, pa); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	p, err := svc.Publish(ctx, national, "meccatronica", 2)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != competence.Published || p.Digest != competence.ComputeDigest(p) || !p.PublishedAt.Equal(clock.Now()) {
		t.Errorf("published: %s %s %v", p.Status, p.Digest, p.PublishedAt)
	}
	// The previous version is superseded, its content and digest as they
	// were.
	old, err := svc.Version(ctx, nil, "meccatronica", 1)
	if err != nil {
		t.Fatal(err)
	}
	if old.Status != competence.Superseded || old.Digest != v1.Digest || competence.ComputeDigest(old) != v1.Digest || len(competence.Diff(v1, old)) != 0 {
		t.Errorf("v1 after publishing v2: %s %s", old.Status, old.Digest)
	}
	if cs := competence.Diff(old, p); len(cs) != 2 {
		t.Errorf("v1 → v2: %v", cs)
	}
	// Published, it is public, and it is frozen.
	if cur, err := svc.Current(ctx, nil, "meccatronica"); err != nil || cur.Version != 2 {
		t.Errorf("current after publishing: %v %v", cur, err)
	}
	_, err = svc.EditCompetence(ctx, national, "meccatronica", 2, "C16", competence.Competence{Title: competence.Text{IT: "Altra"}})
	wantKey(t, err, attesta.Conflict, "err.competence.frozen")
	_, err = svc.Publish(ctx, national, "meccatronica", 2)
	wantKey(t, err, attesta.Conflict, "err.competence.publish.already")
	es := standardTrail(t, db)
	last := es[len(es)-1]
	if last.Action != "standard.publish" || last.ObjectID != "meccatronica/2" || !bytes.Contains(last.After, []byte(`"supersedes":1`)) {
		t.Errorf("the publication recorded as %+v %s", last, last.After)
	}
	// The next draft starts from version 2, numbered 3.
	if d3, err := svc.NewDraft(ctx, national, "meccatronica", 0); err != nil || d3.Version != 3 || len(competence.Diff(p, d3)) != 0 {
		t.Errorf("the next draft: %v %v", d3, err)
	}
}
