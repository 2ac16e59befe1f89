package credential_test

import (
	"os"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/credential"
)

// TestReadSummary: a badge is read as a person reads it — the competence,
// the Chamber, the EU elements, each result with the level's name, the
// decision — from its JSON and from its JWT alike.
func TestReadSummary(t *testing.T) {
	for _, name := range []string{"meccatronica-c1.eddsa-rdfc-2022.json", "meccatronica-c1.jwt"} {
		body, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		s, err := credential.ReadSummary(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Code != "C1" || s.Sector != "meccatronica" || s.Version != 1 || s.EQF != 4 || s.QNQ != 4 || s.Area {
			t.Errorf("%s: achievement %+v", name, s)
		}
		if s.Issuer.Name != "Camera di Commercio di Milano Monza Brianza Lodi" || s.TitleHolder != "Unioncamere" {
			t.Errorf("%s: issuer %q, title holder %q", name, s.Issuer.Name, s.TitleHolder)
		}
		if len(s.ADA) != 2 || s.ADA[0].Code != "ADA.10.02.02" || len(s.Outcomes) != 3 {
			t.Errorf("%s: ADA %+v, outcomes %d", name, s.ADA, len(s.Outcomes))
		}
		if s.Decision.Reference != "Verbale n. 12/2026" || s.Decision.Date.Format("2006-01-02") != "2026-06-25" {
			t.Errorf("%s: decision %+v", name, s.Decision)
		}
		if len(s.Results) != 3 || s.Results[0].Value != "85" || s.Results[0].Required != "60" ||
			s.Results[1].Value != "Pienamente raggiunto" || s.Results[1].Level != 3 || s.Results[1].Levels != 3 || s.Results[2].Value != "Completed" {
			t.Errorf("%s: results %+v", name, s.Results)
		}
		if len(s.Evidence) != 1 || s.Evidence[0].Digest == "" {
			t.Errorf("%s: evidence %+v", name, s.Evidence)
		}
	}
	area, err := os.ReadFile("testdata/meccatronica-area-progettazione.unsigned.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := credential.ReadSummary(area)
	if err != nil || !s.Area || s.Sector != "meccatronica" || s.Version != 1 || len(s.Competences) != 6 {
		t.Errorf("area: %+v, %v", s, err)
	}
	for _, bad := range []string{"", "{", "a.b", `{"id":"x"}`, "[1]"} {
		if _, err := credential.ReadSummary([]byte(bad)); attesta.ErrorCode(err) != attesta.Invalid {
			t.Errorf("%q: %v, want Invalid", bad, err)
		}
	}
}
