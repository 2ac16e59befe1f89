package credential_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/issuer"
)

// tutorCourse is a 16-hour course for company tutors of the Milan Chamber.
func tutorCourse() credential.TutorCourse {
	return credential.TutorCourse{
		ID: "crs-abcdefghijklmnop", Title: "Il tutor aziendale nei percorsi di Competenza Certificata", TitleEN: "The company tutor",
		Audience: "company_tutors", Hours: 16, MinShare: 75,
		Modules: []credential.TutorModule{{Title: "Coprogettazione con la scuola", Hours: 8}, {Title: "La scheda di osservazione", Hours: 8}},
		Start:   time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC),
	}
}

func tutorAward() credential.TutorAward {
	return credential.TutorAward{
		ID: "urn:uuid:3f1c2b4a-5d6e-8f70-8123-456789abcdef",
		Issuer: issuer.Issuer{ID: "cciaa-milano", DID: "did:web:attesta.example:issuers:cciaa-milano",
			Profile: issuer.Profile{Name: "Camera di Commercio di Milano Monza Brianza Lodi",
				Address:     issuer.Address{Locality: "Milano", Region: "Lombardia", Country: "Italia", CountryCode: "IT"},
				Identifiers: []issuer.Identifier{{Type: "codiceFiscale", Value: "80050050154"}}}},
		Course:  tutorCourse(),
		Learner: credential.Learner{IdentityType: "systemId", Identity: "p-tutor-0007", Salt: "c2FsdC1mb3ItdGVzdHMtb25seQ"},
		Role:    "company_tutor", Minutes: 900,
		ValidFrom: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), ValidUntil: time.Date(2028, 3, 2, 10, 0, 0, 0, time.UTC),
		TitleHolder: credential.Party{Name: "Unioncamere"}, BaseURL: "https://attesta.example",
		Status: credential.Position{List: 1, Index: 42},
	}
}

func path(v any, p string) any {
	for _, key := range strings.Split(p, "/") {
		switch x := v.(type) {
		case map[string]any:
			v = x[key]
		case []any:
			i := 0
			for _, c := range key {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// TestBuildTutor: the tutor badge is an OpenBadgeCredential of the Open
// Badges 3.0 structure and the VC data model, whose achievement is the
// course (of type Course, with its hours and programme), with the learner
// identified by a salted hash only, its status entries and its validity.
func TestBuildTutor(t *testing.T) {
	data, err := credential.BuildTutor(tutorAward())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if problems := credential.StructureProblems(doc); len(problems) > 0 {
		t.Errorf("structure: %v", problems)
	}
	if problems := credential.ModelProblems(doc); len(problems) > 0 {
		t.Errorf("data model: %v", problems)
	}
	for p, want := range map[string]any{
		"type/1":     "OpenBadgeCredential",
		"@context/2": credential.ContextAttesta,
		"credentialSubject/achievement/achievementType":                   "Course",
		"credentialSubject/achievement/id":                                "https://attesta.example/courses/crs-abcdefghijklmnop",
		"credentialSubject/achievement/name":                              "Il tutor aziendale nei percorsi di Competenza Certificata",
		"credentialSubject/achievement/workloadHours":                     16.0,
		"credentialSubject/achievement/learningOutcome/1":                 "La scheda di osservazione",
		"credentialSubject/identifier/0/hashed":                           true,
		"credentialSubject/identifier/0/identityType":                     "systemId",
		"credentialSubject/result/0/value":                                "93",
		"credentialSubject/result/1/status":                               "Completed",
		"credentialSubject/achievement/resultDescription/0/requiredValue": "75",
		"credentialSubject/activityStartDate":                             "2026-02-02T00:00:00Z",
		"validFrom":                                                       "2026-03-02T10:00:00Z",
		"validUntil":                                                      "2028-03-02T10:00:00Z",
		"issuer/id":                                                       "did:web:attesta.example:issuers:cciaa-milano",
		"issuer/address/addressRegion":                                    "Lombardia",
		"credentialStatus/0/statusPurpose":                                "revocation",
		"credentialStatus/1/statusListIndex":                              "42",
		"credentialSchema/0/type":                                         "JsonSchema",
		"titleHolder/name":                                                "Unioncamere",
	} {
		if got := path(doc, p); got != want {
			t.Errorf("%s = %v, want %v", p, got, want)
		}
	}
	for _, p := range []string{"credentialSubject/achievement/criteria/narrative", "credentialSubject/achievement/learningPath", "description"} {
		if s, _ := path(doc, p).(string); s == "" {
			t.Errorf("nothing at %s", p)
		}
	}
	if !strings.Contains(path(doc, "credentialSubject/achievement/criteria/narrative").(string), "75%") {
		t.Error("the criteria do not say the rule")
	}
	if d := path(doc, "description").(string); !strings.Contains(d, "come tutor aziendale") || !strings.Contains(d, "16 ore") {
		t.Errorf("the description does not say the role and the hours: %s", d)
	}
	if strings.Contains(string(data), "p-tutor-0007") {
		t.Error("the tutor's identifier appears in clear")
	}
	if path(doc, "commissionDecision") != nil || path(doc, "evidence") != nil {
		t.Error("a tutor badge names a commission or evidence")
	}
	// No expiry: no validUntil.
	a := tutorAward()
	a.ValidUntil = time.Time{}
	data, err = credential.BuildTutor(a)
	if err != nil || strings.Contains(string(data), "validUntil") {
		t.Errorf("a badge valid forever: %v\n%s", err, data)
	}
}

func TestBuildTutorRejects(t *testing.T) {
	tests := []struct {
		change func(*credential.TutorAward)
		key    string
	}{
		{func(a *credential.TutorAward) { a.ID = "urn:uuid:NOT" }, "err.credential.award.id"},
		{func(a *credential.TutorAward) { a.Issuer.DID = "" }, "err.credential.award.issuer"},
		{func(a *credential.TutorAward) { a.Issuer.Profile.Address.Region = "" }, "err.issuer.profile"},
		{func(a *credential.TutorAward) { a.Learner = credential.Learner{} }, "err.credential.award.learner"},
		{func(a *credential.TutorAward) { a.Learner.Salt = "short" }, "err.credential.award.salt"},
		{func(a *credential.TutorAward) { a.ValidUntil = a.ValidFrom }, "err.credential.award.validuntil"},
		{func(a *credential.TutorAward) { a.ValidFrom = time.Time{} }, "err.credential.award.nodate"},
		{func(a *credential.TutorAward) { a.BaseURL = "ftp://x" }, "err.credential.award.baseurl"},
		{func(a *credential.TutorAward) { a.Status = credential.Position{} }, "err.credential.award.status"},
		{func(a *credential.TutorAward) { a.Course.ID = "../x" }, "err.credential.tutor.course"},
		{func(a *credential.TutorAward) { a.Course.Audience = "students" }, "err.credential.tutor.audience"},
		{func(a *credential.TutorAward) { a.Course.Title = "" }, "err.credential.tutor.title"},
		{func(a *credential.TutorAward) { a.Course.Hours = 0 }, "err.credential.tutor.hours"},
		{func(a *credential.TutorAward) { a.Course.MinShare = 0 }, "err.credential.tutor.share"},
		{func(a *credential.TutorAward) { a.Course.Modules = nil }, "err.credential.tutor.modules"},
		{func(a *credential.TutorAward) { a.Course.Modules[1].Hours = 17 }, "err.credential.tutor.module"},
		{func(a *credential.TutorAward) { a.Minutes = 16*60 + 1 }, "err.credential.tutor.minutes"},
		{func(a *credential.TutorAward) { a.Role = "student" }, "err.credential.tutor.role"},
		{func(a *credential.TutorAward) { a.Course.Title = "Corso\u202e" }, "err.credential.award.chars"},
		{func(a *credential.TutorAward) { a.Course.Modules[0].Title = strings.Repeat("a", credential.MaxName+1) }, "err.credential.award.long"},
		{func(a *credential.TutorAward) { a.Course.Description = "Riga\x00" }, "err.credential.award.chars"},
		{func(a *credential.TutorAward) { a.Learner.Identity = strings.Repeat("a", credential.MaxName+1) }, "err.credential.award.long"},
	}
	for _, tt := range tests {
		a := tutorAward()
		tt.change(&a)
		_, err := credential.BuildTutor(a)
		var fe attesta.FieldErrors
		if attesta.ErrorCode(err) != attesta.Invalid || attesta.ErrorKey(err) != "err.credential.award" || !errors.As(err, &fe) ||
			!slices.ContainsFunc(fe, func(e attesta.FieldError) bool { return e.Key == tt.key }) {
			t.Errorf("got %v, want a problem %s", err, tt.key)
		}
	}
	// A description of several lines is taken.
	a := tutorAward()
	a.Course.Description = "Prima riga.\nSeconda riga."
	if _, err := credential.BuildTutor(a); err != nil {
		t.Errorf("a description of two lines: %v", err)
	}
}

func tutorRequest(issuerID string) credential.TutorRequest {
	return credential.TutorRequest{IssuerID: issuerID, Course: tutorCourse(), Learner: credential.Learner{Identity: "p-tutor-0007"},
		Role: "company_tutor", Minutes: 900}
}

// TestIssueTutor: a tutor badge is issued as a competence's is — allocated,
// built, signed, stored with its log entry and audit entry — in each form,
// and verifies; its record says the course; a fixed id is issued once.
func TestIssueTutor(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, f := range []credential.Format{credential.RDFC, credential.JCS, credential.JWT} {
		req := tutorRequest("cciaa-milano")
		req.Format = f
		rec, err := e.creds.IssueTutor(ctx, operator, req)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if rec.Achievement != "course/crs-abcdefghijklmnop" || rec.IssuerID != "cciaa-milano" || !rec.ValidUntil.IsZero() {
			t.Errorf("%s: record %+v", f, rec)
		}
		rep := e.verifier.Verify(ctx, rec.Body)
		if !rep.Verified || !rep.Trusted {
			t.Fatalf("%s: the tutor badge does not verify: %+v", f, rep.Checks)
		}
		check(t, rep, credential.CheckStructure, credential.Pass)
		check(t, rep, credential.CheckProof, credential.Pass)
	}
	// A fixed id, and an expiry.
	req := tutorRequest("cciaa-milano")
	req.ID = "urn:uuid:3f1c2b4a-5d6e-8f70-8123-456789abcdef"
	req.ValidUntil = e.now.AddDate(2, 0, 0)
	rec, err := e.creds.IssueTutor(ctx, operator, req)
	if err != nil || rec.ID != req.ID || !rec.ValidUntil.Equal(req.ValidUntil) {
		t.Fatalf("with a fixed id: %+v, %v", rec, err)
	}
	if _, err := e.creds.IssueTutor(ctx, operator, req); attesta.ErrorCode(err) != attesta.Conflict || attesta.ErrorKey(err) != "err.storage.credential.taken" {
		t.Errorf("the same id again: %v", err)
	}
	// It can be revoked like any badge, and then no longer verifies.
	if _, err := e.creds.ChangeStatus(ctx, operator, rec.ID, credential.Revoke, "Frequenza registrata per errore"); err != nil {
		t.Fatal(err)
	}
	if rep := e.verifier.Verify(ctx, rec.Body); rep.Verified || !rep.Revoked {
		t.Errorf("a revoked tutor badge: %+v", rep.Checks)
	}
	// Another Chamber's operator may not issue for Milan; nobody at all
	// may not issue.
	torino := credential.Actor{Name: "operatore@cciaa-torino", Issuers: []string{"cciaa-torino"}}
	if _, err := e.creds.IssueTutor(ctx, torino, tutorRequest("cciaa-milano")); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("issuing for another Chamber: %v", err)
	}
	if _, err := e.creds.IssueTutor(ctx, credential.Actor{}, tutorRequest("cciaa-milano")); attesta.ErrorCode(err) != attesta.Unauthenticated {
		t.Errorf("anonymous: %v", err)
	}
}

// Bad input is refused before any status position is used.
func TestIssueTutorRefusalsChangeNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i, change := range []func(*credential.TutorRequest){
		func(r *credential.TutorRequest) { r.Course.Hours = 0 },
		func(r *credential.TutorRequest) { r.Learner = credential.Learner{} },
		func(r *credential.TutorRequest) { r.Role = "" },
		func(r *credential.TutorRequest) { r.ID = "urn:uuid:NOT" },
		func(r *credential.TutorRequest) { r.Format = "ldp" },
	} {
		req := tutorRequest("cciaa-torino")
		change(&req)
		if _, err := e.creds.IssueTutor(ctx, operator, req); attesta.ErrorCode(err) != attesta.Invalid {
			t.Errorf("bad request %d: %v, want invalid", i, err)
		}
	}
	if _, err := e.db.Credentials().StatusList(ctx, "cciaa-torino", 1); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a status list was opened by refused requests: %v", err)
	}
}
