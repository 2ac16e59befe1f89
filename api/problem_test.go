package api

import (
	"net/http/httptest"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
)

// The problems of a standard are said after the refusal, each with where
// it is, in the language the request asks for.
func TestStandardProblemsSaid(t *testing.T) {
	ps := competence.Problems{
		{Path: "competences[0].code", Message: attesta.M("err.competence.code.invalid", "c1")},
		{Path: "paths", Message: attesta.M("err.competence.ready.paths")},
	}
	err := attesta.Wrap(ps, attesta.Invalid, "err.competence.publish.notready", 2, "meccatronica")
	for _, tc := range []struct{ query, detail string }{
		{"", `version 2 of meccatronica is not ready to publish: competences[0].code: competence code "c1" is not valid (expected something like "C1"); paths: at least one path is required to publish`},
		{"?lang=it", `la versione 2 di meccatronica non è pronta per la pubblicazione: competences[0].code: il codice della competenza "c1" non è valido (ad esempio "C1"); paths: per pubblicare serve almeno un percorso`},
	} {
		p := newProblem(httptest.NewRecorder(), httptest.NewRequest("GET", "/"+tc.query, nil), 400, err)
		if p.Detail != tc.detail || p.Key != "err.competence.publish.notready" || p.Code != "invalid" {
			t.Errorf("%q: %+v\nwant detail %s", tc.query, p, tc.detail)
		}
	}
}
