package credential_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/credential"
)

// progettazione is the rule of Meccatronica's Progettazione area in the
// bundled standard: every competence of the path.
var progettazione = []string{"C1", "C7", "C11", "C12", "C14", "C15"}

// badge issues the badge of a competence of Meccatronica v1 to a learner.
func (e *env) badge(t *testing.T, issuerID, code, learner string) credential.Record {
	t.Helper()
	req := request(issuerID, credential.RDFC)
	req.Competence, req.Learner = code, credential.Learner{Identity: learner}
	rec, err := e.creds.Issue(context.Background(), operator, req)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func areaRequest(badges []string) credential.AreaRequest {
	return credential.AreaRequest{IssuerID: "cciaa-milano", Sector: "meccatronica", Version: 1, Path: "progettazione",
		Learner: credential.Learner{Identity: "studente-0042"}, Badges: badges}
}

// The learner who holds the badges of every competence of an area is
// awarded the area: a credential that verifies, recorded as the area of
// its standard version, in the log and the audit trail like a badge, whose
// evidence is the badges.
func TestIssueArea(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var ids []string
	digests := map[string]string{}
	for _, code := range progettazione {
		b := e.badge(t, "cciaa-milano", code, "studente-0042")
		ids = append(ids, b.ID)
		digests[b.ID] = b.Digest
	}
	for _, f := range []credential.Format{credential.RDFC, credential.JWT} {
		req := areaRequest(ids)
		req.Format = f
		rec, err := e.creds.IssueArea(ctx, operator, req)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if rec.Achievement != "meccatronica/v1/area/progettazione" || rec.IssuerID != "cciaa-milano" || rec.Format != f {
			t.Errorf("%s: record %+v", f, rec)
		}
		if rep := e.verifier.Verify(ctx, rec.Body); !rep.Verified || !rep.Trusted {
			t.Errorf("%s: the area credential does not verify: %+v", f, rep.Checks)
		}
		stored, err := e.creds.Record(ctx, operator, rec.ID)
		if err != nil || stored.Digest != rec.Digest {
			t.Errorf("%s: stored %+v, %v", f, stored, err)
		}
		if _, err := e.db.Credentials().LogIndex(ctx, rec.ID); err != nil {
			t.Errorf("%s: not in the log: %v", f, err)
		}
		if f != credential.RDFC {
			continue
		}
		var doc struct {
			Evidence []struct {
				ID, CompetenceCode, DigestMultibase string
			}
		}
		if err := json.Unmarshal(rec.Body, &doc); err != nil {
			t.Fatal(err)
		}
		var got []string
		for i, ev := range doc.Evidence {
			got = append(got, ev.CompetenceCode)
			if ev.ID != ids[i] || ev.DigestMultibase != multibaseOf(t, digests[ids[i]]) {
				t.Errorf("evidence %d: %+v", i, ev)
			}
		}
		if !slices.Equal(got, progettazione) {
			t.Errorf("the evidence is of %v, want %v", got, progettazione)
		}
	}
}

// multibaseOf is the digestMultibase of a Record's digest.
func multibaseOf(t *testing.T, digest string) string {
	t.Helper()
	var sum [32]byte
	n, err := hex.Decode(sum[:], []byte(strings.TrimPrefix(digest, "sha256:")))
	if err != nil || n != 32 {
		t.Fatalf("digest %s: %v", digest, err)
	}
	return credential.DigestMultibase(sum)
}

// Every refusal of IssueArea is said with its key, and changes nothing: no
// credential stored, nothing logged, no status position taken.
func TestIssueAreaRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var ids []string
	for _, code := range progettazione {
		ids = append(ids, e.badge(t, "cciaa-milano", code, "studente-0042").ID)
	}
	with := func(i int, id string) []string { b := slices.Clone(ids); b[i] = id; return b }
	another := e.badge(t, "cciaa-milano", "C1", "studente-0042").ID
	torino := e.badge(t, "cciaa-torino", "C1", "studente-0042").ID
	otherLearner := e.badge(t, "cciaa-milano", "C1", "studente-0099").ID
	outside := e.badge(t, "cciaa-milano", "C2", "studente-0042").ID
	revoked := e.badge(t, "cciaa-milano", "C1", "studente-0042").ID
	if _, err := e.creds.ChangeStatus(ctx, operator, revoked, credential.Revoke, "Errore materiale"); err != nil {
		t.Fatal(err)
	}
	suspended := e.badge(t, "cciaa-milano", "C1", "studente-0042").ID
	if _, err := e.creds.ChangeStatus(ctx, operator, suspended, credential.Suspend, "Verifica del dossier"); err != nil {
		t.Fatal(err)
	}
	req := request("cciaa-milano", credential.RDFC)
	req.Learner, req.ValidUntil = credential.Learner{Identity: "studente-0042"}, e.now.Add(time.Hour)
	expiring, err := e.creds.Issue(ctx, operator, req)
	if err != nil {
		t.Fatal(err)
	}
	// An area credential is not a competence badge.
	area, err := e.creds.IssueArea(ctx, operator, areaRequest(ids))
	if err != nil {
		t.Fatal(err)
	}
	// Meccatronica v2 makes Progettazione of C1 and C12 only.
	standards := competence.NewService(e.db.Standards(), func() time.Time { return e.now })
	if _, err := standards.NewDraft(ctx, admin, "meccatronica", 1); err != nil {
		t.Fatal(err)
	}
	v2, err := standards.Draft(ctx, admin, "meccatronica")
	if err != nil {
		t.Fatal(err)
	}
	pa, _ := v2.Path("progettazione")
	pa.Stack = []string{"C12", "C1"}
	if _, err := standards.EditPath(ctx, admin, "meccatronica", 2, "progettazione", *pa); err != nil {
		t.Fatal(err)
	}
	if _, err := standards.Publish(ctx, admin, "meccatronica", 2); err != nil {
		t.Fatal(err)
	}

	// An area lasts no longer than the first of its badges to expire.
	if rec, err := e.creds.IssueArea(ctx, operator, areaRequest(with(0, expiring.ID))); err != nil || !rec.ValidUntil.Equal(expiring.ValidUntil) {
		t.Errorf("an area of an expiring badge: valid until %v, %v; want %v", rec.ValidUntil, err, expiring.ValidUntil)
	}
	e.now = e.now.Add(2 * time.Hour) // the expiring badge has expired
	credentials, _ := e.db.Credentials().CredentialIDs(ctx)
	sizes, _ := e.db.Log().Sizes(ctx)
	lists, _ := e.db.Credentials().Lists(ctx)

	const random = "urn:uuid:3f2a1b0c-0000-4000-8000-00000000dead"
	tests := []struct {
		name   string
		change func(*credential.AreaRequest)
		code   attesta.Code
		key    string
		says   string // in the Italian message
	}{
		{"a badge missing", func(r *credential.AreaRequest) { r.Badges = ids[:4] }, attesta.Invalid, "err.credential.area.missing",
			`per l'area "progettazione" mancano i badge delle competenze C14, C15`},
		{"no badge", func(r *credential.AreaRequest) { r.Badges = nil }, attesta.Invalid, "err.credential.area.missing", "C1, C7, C11, C12, C14, C15"},
		{"unknown badge", func(r *credential.AreaRequest) { r.Badges = with(0, random) }, attesta.Invalid, "err.credential.area.badge.unknown", random},
		{"another issuer", func(r *credential.AreaRequest) { r.Badges = with(0, torino) }, attesta.Invalid, "err.credential.area.badge.issuer", torino},
		{"not a badge", func(r *credential.AreaRequest) { r.Badges = with(0, area.ID) }, attesta.Invalid, "err.credential.area.badge.notcompetence", area.ID},
		{"revoked", func(r *credential.AreaRequest) { r.Badges = with(0, revoked) }, attesta.Conflict, "err.credential.area.badge.revoked", revoked},
		{"suspended", func(r *credential.AreaRequest) { r.Badges = with(0, suspended) }, attesta.Conflict, "err.credential.area.badge.suspended", suspended},
		{"expired", func(r *credential.AreaRequest) { r.Badges = with(0, expiring.ID) }, attesta.Conflict, "err.credential.area.badge.expired", expiring.ID},
		{"another version", func(r *credential.AreaRequest) { r.Version = 2; r.Badges = []string{ids[3], ids[0]} }, attesta.Invalid,
			"err.credential.area.badge.standard", "meccatronica v1, non di meccatronica v2"},
		{"another learner", func(r *credential.AreaRequest) { r.Badges = with(0, otherLearner) }, attesta.Invalid, "err.credential.area.badge.learner", otherLearner},
		{"two of a competence", func(r *credential.AreaRequest) { r.Badges = append(slices.Clone(ids), another) }, attesta.Invalid,
			"err.credential.area.badge.twice", "C1"},
		{"a badge twice", func(r *credential.AreaRequest) { r.Badges = append(slices.Clone(ids), ids[2]) }, attesta.Invalid,
			"err.credential.area.badge.repeated", ids[2]},
		{"outside the area", func(r *credential.AreaRequest) { r.Badges = append(slices.Clone(ids), outside) }, attesta.Invalid,
			"err.credential.area.badge.competence", `"C2"`},
		{"unknown path", func(r *credential.AreaRequest) { r.Path = "cucina" }, attesta.NotFound, "err.competence.path.notfound", "cucina"},
		{"unknown version", func(r *credential.AreaRequest) { r.Version = 9 }, attesta.NotFound, "", ""},
		{"format", func(r *credential.AreaRequest) { r.Format = "ldp" }, attesta.Invalid, "err.credential.format", "ldp"},
		{"too many", func(r *credential.AreaRequest) {
			for len(r.Badges) <= credential.MaxBadges {
				r.Badges = append(r.Badges, random)
			}
		}, attesta.Invalid, "err.credential.area.badges", ""},
	}
	for _, tt := range tests {
		r := areaRequest(ids)
		tt.change(&r)
		_, err := e.creds.IssueArea(ctx, operator, r)
		if attesta.ErrorCode(err) != tt.code || tt.key != "" && attesta.ErrorKey(err) != tt.key || !strings.Contains(attesta.MessageIn(err, "it"), tt.says) {
			t.Errorf("%s: %v (%s, %s), want %s %s saying %q", tt.name, err, attesta.ErrorCode(err), attesta.ErrorKey(err), tt.code, tt.key, tt.says)
		}
	}
	// Another Chamber's operator does not issue for Milano.
	if _, err := e.creds.IssueArea(ctx, credential.Actor{Name: "operatore@cciaa-torino", Issuers: []string{"cciaa-torino"}}, areaRequest(ids)); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("another Chamber: %v", err)
	}

	after, _ := e.db.Credentials().CredentialIDs(ctx)
	sizesAfter, _ := e.db.Log().Sizes(ctx)
	listsAfter, _ := e.db.Credentials().Lists(ctx)
	if len(after) != len(credentials) || sizesAfter.Entries != sizes.Entries || !slices.Equal(lists, listsAfter) {
		t.Errorf("refusals changed something: %d → %d credentials, log %+v → %+v, lists %+v → %+v",
			len(credentials), len(after), sizes, sizesAfter, lists, listsAfter)
	}

	// The v2 rule is made by the badges of C12 and C1 of v2.
	r := areaRequest(nil)
	r.Version = 2
	for _, code := range []string{"C1", "C12"} {
		req := request("cciaa-milano", credential.RDFC)
		req.Version, req.Competence = 2, code
		rec, err := e.creds.Issue(ctx, operator, req)
		if err != nil {
			t.Fatal(err)
		}
		r.Badges = append(r.Badges, rec.ID)
	}
	rec, err := e.creds.IssueArea(ctx, operator, r)
	if err != nil || rec.Achievement != "meccatronica/v2/area/progettazione" {
		t.Errorf("the area of v2: %+v, %v", rec.Achievement, err)
	}
}
