package server_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/share"
	"github.com/attesta/attesta/storage/storagetest"
)

// TestSharing: a learner's link to her badge, on both engines — off until
// she turns it on with a consent; refused without one, with two, with an
// expiry past or too far, for anyone but her (another student does not
// find the badge, the Chamber may not share it), and nothing stored by a
// refusal; on, it shows her name only if she shares it; changed, it keeps
// its address; turned off and on, a new one, the old one dead; past its
// expiry, dead and said so; a revoked badge cannot be shared, and its page
// says revoked. Every change is in the audit trail.
func TestSharing(t *testing.T) {
	onBothEngines(t, "share", func(t *testing.T, newServer func(func(*server.Options)) *server.Server) {
		clock := storagetest.NewClockAt(testserver.Clock())
		testSharing(t, newServer(func(o *server.Options) { o.Clock = clock.Now }), clock)
	})
}

// onBothEngines runs test on SQLite and on PostgreSQL (a schema named
// after name), each with a way to start a server on the demo data.
func onBothEngines(t *testing.T, name string, test func(t *testing.T, newServer func(func(*server.Options)) *server.Server)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, func(c func(*server.Options)) *server.Server { return testserver.NewWith(t, c) })
	})
	t.Run("postgres", func(t *testing.T) {
		test(t, func(c func(*server.Options)) *server.Server {
			return testserver.NewOn(t, testserver.Postgres(t, name), c)
		})
	})
}

func testSharing(t *testing.T, srv *server.Server, clock *storagetest.Clock) {
	ctx := context.Background()
	svc := srv.Services()
	as := func(email, org string, role auth.Role) *auth.Principal {
		p, err := svc.People.PrincipalByEmail(ctx, email, org, role)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	learner := as("lombardi@feltrinelli.example", "mitf01000a", auth.Student)
	other := as("studente@feltrinelli.example", "mitf01000a", auth.Student)
	chamber := as("operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	rec, err := svc.Commissions.Record(ctx, learner, learner.Person)
	if err != nil || len(rec.Badges) != 1 {
		t.Fatalf("her badge: %v", err)
	}
	id := rec.Badges[0].Credential
	sh := svc.Shares

	l, err := sh.Link(ctx, learner, id)
	if err != nil || l.On || l.Token != "" {
		t.Fatalf("a badge never shared: %+v %v", l, err)
	}
	day := func(d int) string { return clock.Now().In(attesta.Rome).AddDate(0, 0, d).Format(time.DateOnly) }
	for _, c := range []struct {
		name  string
		set   share.Settings
		field string
	}{
		{"no consent", share.Settings{On: true}, "consent"},
		{"both consents", share.Settings{On: true, Adult: true, Guardian: "Laura Lombardi"}, "consent"},
		{"a guardian's name of control characters", share.Settings{On: true, Guardian: "Laura\x07"}, "guardian"},
		{"an expiry past", share.Settings{On: true, Adult: true, Expires: day(-1)}, "expires"},
		{"an expiry six years ahead", share.Settings{On: true, Adult: true, Expires: day(6 * 365)}, "expires"},
		{"an expiry that is no date", share.Settings{On: true, Adult: true, Expires: "31/12/2026"}, "expires"},
	} {
		_, err := sh.Share(ctx, learner, id, c.set)
		var fe attesta.FieldErrors
		if !errors.As(err, &fe) || fe[0].Field != c.field {
			t.Errorf("%s: %v, want a problem with %s", c.name, err, c.field)
		}
	}
	if _, err := sh.Share(ctx, other, id, share.Settings{On: true, Adult: true}); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("another student shares her badge: %v", err)
	}
	if _, err := sh.Share(ctx, chamber, id, share.Settings{On: true, Adult: true}); attesta.ErrorCode(err) != attesta.Forbidden {
		t.Errorf("the Chamber shares her badge: %v", err)
	}
	if l, _ := sh.Link(ctx, learner, id); l.On {
		t.Fatal("a refused share turned the link on")
	}

	l, err = sh.Share(ctx, learner, id, share.Settings{On: true, Guardian: "  Laura   Lombardi ", Expires: day(10)})
	if err != nil || !l.On || len(l.Token) < 20 || l.Consent.Guardian != "Laura Lombardi" || l.Consent.At.IsZero() {
		t.Fatalf("shared: %+v %v", l, err)
	}
	first := l.Token
	pub, err := sh.Public(ctx, first)
	if err != nil || pub.Name != "" {
		t.Errorf("the public link without the name: %+v %v", pub, err)
	}
	l, err = sh.Share(ctx, learner, id, share.Settings{On: true, Adult: true, Fields: share.Fields{Name: true, Results: true}})
	if err != nil || l.Token != first || !l.Expires.IsZero() {
		t.Errorf("a change kept the address and dropped the expiry: %+v %v", l, err)
	}
	if pub, err := sh.Public(ctx, first); err != nil || pub.Name != "Francesca Lombardi" || !pub.Fields.Results {
		t.Errorf("the public link with the name: %+v %v", pub, err)
	}

	// Its page over HTTP: what she shares, and OpenGraph.
	ts := httptest.NewServer(srv)
	defer ts.Close()
	page := visit(t, ts.URL+"/s/"+first)
	for _, want := range []string{`id="shared-valid"`, "Francesca Lombardi", `id="shared-results"`, `property="og:image"`, "linkedin.com/profile/add"} {
		if !strings.Contains(page, want) {
			t.Errorf("the shared page lacks %s", want)
		}
	}

	// The verification of the stored badge, with its minutes.
	if page := visit(t, ts.URL+"/verify?credential="+url.QueryEscape(id)); !strings.Contains(page, `id="verdict-valid"`) ||
		!strings.Contains(page, `class="mb-2 check-pass" id="check-decision"`) {
		t.Errorf("the verification of the stored badge does not pass with its minutes")
	}

	if _, err := sh.Share(ctx, learner, id, share.Settings{}); err != nil {
		t.Fatal(err)
	}
	if _, err := sh.Public(ctx, first); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a link turned off still shows: %v", err)
	}
	l, err = sh.Share(ctx, learner, id, share.Settings{On: true, Adult: true, Expires: day(0)})
	if err != nil || l.Token == first {
		t.Fatalf("turned on again: %+v %v", l, err)
	}
	if _, err := sh.Public(ctx, l.Token); err != nil {
		t.Errorf("a link on its last day: %v", err)
	}
	clock.Advance(48 * time.Hour)
	if _, err := sh.Public(ctx, l.Token); attesta.ErrorCode(err) != attesta.NotFound || !strings.Contains(attesta.MessageIn(err, "en"), "expired") {
		t.Errorf("a link past its expiry: %v", err)
	}

	entries, err := svc.Audit.List(ctx, chamber, audit.Filter{ObjectID: id, Limit: 50})
	n := 0
	for _, e := range entries {
		if e.Action == "badge.share" || e.Action == "badge.unshare" {
			n++
		}
	}
	if err != nil || n != 4 {
		t.Errorf("the audit trail has %d changes of the link, want 4: %v", n, err)
	}

	// Revoked: its page says so, and it cannot be shared again.
	l, err = sh.Share(ctx, learner, id, share.Settings{On: true, Adult: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Credentials.ChangeStatus(ctx, credential.Actor{Name: "test"}, id, credential.Revoke, "Evidenze non autentiche"); err != nil {
		t.Fatal(err)
	}
	if page := visit(t, ts.URL+"/s/"+l.Token); !strings.Contains(page, `id="shared-revoked"`) || strings.Contains(page, `id="shared-valid"`) {
		t.Error("a revoked badge's page does not say so")
	}
	if _, err := sh.Share(ctx, learner, id, share.Settings{On: true, Adult: true, Fields: share.Fields{Name: true}}); attesta.ErrorCode(err) != attesta.Conflict {
		t.Errorf("a revoked badge shared: %v", err)
	}
}

// visit returns the body at url, for a visitor.
func visit(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
