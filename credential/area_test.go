package credential

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/issuer"
)

// testAreaAward is the award of Meccatronica's Progettazione area to
// testAward's learner, who holds the badges of its six competences.
func testAreaAward(t testing.TB) AreaAward {
	t.Helper()
	a := testAward(t)
	aa := AreaAward{
		ID: "urn:uuid:5d0c8a4e-2f7b-4c1a-9e3d-7b6a5c4d3e21", Issuer: a.Issuer, Standard: a.Standard, Path: "progettazione",
		Learner: a.Learner, ValidFrom: a.ValidFrom.AddDate(0, 0, 1), TitleHolder: a.TitleHolder, BaseURL: a.BaseURL,
		Status: Position{List: 1, Index: 1207},
	}
	for i, code := range []string{"C1", "C7", "C11", "C12", "C14", "C15"} {
		aa.Badges = append(aa.Badges, StackedBadge{
			ID:         fmt.Sprintf("urn:uuid:0b6f6b0e-5a43-4c3e-9d7e-6c1f0d2b9a%02d", i+1),
			Competence: code,
			Digest:     "sha256:" + strings.Repeat(fmt.Sprintf("%02x", i+1), 32),
		})
	}
	return aa
}

func TestBuildAreaGolden(t *testing.T) {
	got, err := BuildArea(testAreaAward(t))
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/meccatronica-area-progettazione.unsigned.json"
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Errorf("BuildArea output differs from %s (run go test ./credential -run TestBuildAreaGolden -update to accept):\n%s", golden, got)
	}
}

// An area credential is an Open Badge whose achievement is the area and
// whose evidence is its badges, each with its id, digest, competence and
// the competence's achievement; the badges are listed in the order of the
// area's rule whatever the order of the award, and the learner is named as
// in a badge.
func TestAreaCredentialShape(t *testing.T) {
	a := testAreaAward(t)
	slices.Reverse(a.Badges)
	data, err := BuildArea(a)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if ps := StructureProblems(doc); len(ps) > 0 {
		t.Errorf("structure problems: %v", ps)
	}
	for path, want := range map[string]any{
		"credentialSubject/achievement/id":                        "https://attesta.example/sectors/meccatronica/paths/progettazione?version=1",
		"credentialSubject/achievement/achievementType":           "Certificate",
		"credentialSubject/achievement/name":                      "Area Progettazione",
		"credentialSubject/achievement/alignment/1/targetUrl":     "https://attesta.example/sectors/meccatronica/competences/C7?version=1",
		"credentialSubject/achievement/competenceStandard/sector": "meccatronica",
		"credentialSubject/identifier/0/identityHash":             HashIdentity("attesta:student:2026:0042", "c2FsdC1mb3ItdGVzdHMtb25seQ"),
		"evidence/0/id":                      "urn:uuid:0b6f6b0e-5a43-4c3e-9d7e-6c1f0d2b9a01",
		"evidence/0/competenceCode":          "C1",
		"evidence/0/digestMultibase":         DigestMultibase([32]byte(bytes.Repeat([]byte{1}, 32))),
		"evidence/0/alignment/0/targetUrl":   "https://attesta.example/sectors/meccatronica/competences/C1?version=1",
		"evidence/5/competenceCode":          "C15",
		"credentialStatus/0/statusListIndex": "1207",
		"titleHolder/name":                   "Unioncamere",
	} {
		if got := lookup(doc, path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	if n := len(lookup(doc, "evidence").([]any)); n != 6 {
		t.Errorf("%d evidence entries, want 6", n)
	}
	if doc["commissionDecision"] != nil {
		t.Error("an area credential names a commission decision")
	}

	a.Learner = Learner{DID: "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}
	data, err = BuildArea(a)
	if err != nil {
		t.Fatal(err)
	}
	doc = nil
	json.Unmarshal(data, &doc)
	if lookup(doc, "credentialSubject/id") != a.Learner.DID || lookup(doc, "credentialSubject/identifier") != nil {
		t.Errorf("a learner by DID: %v", doc["credentialSubject"])
	}
}

// An area credential is signed and verified like a badge, in each form:
// its terms are all defined by the contexts a badge uses.
func TestAreaSignsAndVerifies(t *testing.T) {
	award := testAreaAward(t)
	unsigned, err := BuildArea(award)
	if err != nil {
		t.Fatal(err)
	}
	suite, err := NewSuite()
	if err != nil {
		t.Fatal(err)
	}
	priv := goldenKey()
	pub := priv.Public().(ed25519.PublicKey)
	signer := issuer.NewSigner(award.Issuer, did.NewMultikey(award.Issuer.DID, pub).ID, priv)
	s := &Service{suite: suite}
	v := &Verifier{Suite: suite, JWT: &JWTVerifier{}, Trust: []Trust{{Key: pub}}, Clock: func() time.Time { return award.ValidFrom }}
	for _, f := range []Format{RDFC, JCS, JWT} {
		signed, err := s.secure(unsigned, signer, f, award.ValidFrom)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		rep := v.Verify(context.Background(), signed)
		for _, id := range []CheckID{CheckFormat, CheckStructure, CheckProof, CheckValidity} {
			if c, _ := rep.Check(id); c.Outcome != Pass {
				t.Errorf("%s: check %s: %+v", f, id, c)
			}
		}
	}
}

// BuildArea refuses an award whose badges do not make the area by its
// rule, each problem said with its key.
func TestBuildAreaRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(*AreaAward)
		key    string
	}{
		{"a badge missing", func(a *AreaAward) { a.Badges = a.Badges[1:] }, "err.credential.area.missing"},
		{"no badge", func(a *AreaAward) { a.Badges = nil }, "err.credential.area.missing"},
		{"outside the area", func(a *AreaAward) { a.Badges[0].Competence = "C2" }, "err.credential.area.badge.competence"},
		{"two of a competence", func(a *AreaAward) {
			b := a.Badges[0]
			b.ID = "urn:uuid:0b6f6b0e-5a43-4c3e-9d7e-6c1f0d2b9aff"
			a.Badges = append(a.Badges, b)
		}, "err.credential.area.badge.twice"},
		{"a badge twice", func(a *AreaAward) { a.Badges = append(a.Badges, a.Badges[0]) }, "err.credential.area.badge.repeated"},
		{"badge id", func(a *AreaAward) { a.Badges[2].ID = "https://example.org/badge" }, "err.credential.area.badge.id"},
		{"badge digest", func(a *AreaAward) { a.Badges[2].Digest = "sha256:00" }, "err.credential.area.badge.digest"},
		{"too many", func(a *AreaAward) {
			for len(a.Badges) <= MaxBadges {
				a.Badges = append(a.Badges, a.Badges[0])
			}
		}, "err.credential.area.badges"},
		{"unknown path", func(a *AreaAward) { a.Path = "cucina" }, "err.credential.area.path"},
		{"draft", func(a *AreaAward) { s := *a.Standard; s.Status = competence.Draft; a.Standard = &s }, "err.credential.award.draft"},
		{"no standard", func(a *AreaAward) { a.Standard = nil }, "err.credential.award.nostandard"},
		{"id", func(a *AreaAward) { a.ID = "urn:uuid:X" }, "err.credential.award.id"},
		{"learner", func(a *AreaAward) { a.Learner = Learner{} }, "err.credential.award.learner"},
		{"learner text", func(a *AreaAward) { a.Learner.Identity = "a\x00b" }, "err.credential.award.chars"},
		{"status", func(a *AreaAward) { a.Status = Position{} }, "err.credential.award.status"},
		{"date", func(a *AreaAward) { a.ValidUntil = a.ValidFrom }, "err.credential.award.validuntil"},
		{"a rule not met", func(a *AreaAward) {
			s := *a.Standard
			s.Paths = slices.Clone(s.Paths)
			s.Paths[0].Stack = []string{"C1", "C7"}
			a.Standard = &s
		}, "err.credential.area.badge.competence"},
	}
	for _, tt := range tests {
		a := testAreaAward(t)
		tt.change(&a)
		_, err := BuildArea(a)
		var fe attesta.FieldErrors
		if attesta.ErrorCode(err) != attesta.Invalid || attesta.ErrorKey(err) != "err.credential.area" || !errors.As(err, &fe) ||
			!slices.ContainsFunc(fe, func(e attesta.FieldError) bool { return e.Key == tt.key }) {
			t.Errorf("%s: got %v, want a problem %s", tt.name, err, tt.key)
		}
	}
	// A rule of two competences is made by their two badges.
	a := testAreaAward(t)
	s := *a.Standard
	s.Paths = slices.Clone(s.Paths)
	s.Paths[0].Stack = []string{"C12", "C1"}
	a.Standard, a.Badges = &s, []StackedBadge{a.Badges[0], a.Badges[3]}
	data, err := BuildArea(a)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	json.Unmarshal(data, &doc)
	if lookup(doc, "evidence/0/competenceCode") != "C12" || lookup(doc, "evidence/1/competenceCode") != "C1" || lookup(doc, "evidence/2") != nil {
		t.Errorf("the evidence of a rule of two: %v", doc["evidence"])
	}
}

// A badge says the areas its competence stacks into by their rules: a
// competence of a path that its rule leaves out does not stack into it.
func TestStackableIntoFollowsTheRule(t *testing.T) {
	a := testAward(t)
	s := *a.Standard
	s.Paths = slices.Clone(s.Paths)
	p, _ := s.Path("progettazione")
	into := func(code string) any {
		a.Standard, a.Competence = &s, code
		data, err := Build(a)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		json.Unmarshal(data, &doc)
		return fmt.Sprint(lookup(doc, "credentialSubject/achievement/stackableInto"))
	}
	if got := into("C7"); got != "[Area Progettazione]" {
		t.Errorf("C7 without a rule stacks into %v", got)
	}
	p.Stack = []string{"C1", "C12"}
	if got := into("C7"); got != "<nil>" {
		t.Errorf("C7, left out by the rule, stacks into %v", got)
	}
	if got := into("C12"); got != "[Area Progettazione]" {
		t.Errorf("C12 stacks into %v", got)
	}
}
