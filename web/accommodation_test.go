package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
)

// TestAccommodationForm: the school referent records Davide Marino's
// accommodation on his page. Without a reason it is refused beside the
// field with the multiplier chosen kept; with one it is recorded, said on
// the page in the reader's numbers, and applied by the service to his next
// attempt. A school tutor is not offered the form.
func TestAccommodationForm(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := context.Background()
	referent := signedIn(t, ts, "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	rp, err := srv.Services().People.PrincipalByEmail(ctx, "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := srv.Services().People.Classes(ctx, rp, "mitf01000a")
	if err != nil || len(cs) == 0 {
		t.Fatal(err)
	}
	class, err := srv.Services().People.Class(ctx, rp, cs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	marino := ""
	for _, e := range class.Students {
		if e.Person.FamilyName == "Marino" {
			marino = e.Person.ID
		}
	}
	page := "/people/" + marino
	code, body := referent.get(page)
	if code != 200 || !strings.Contains(body, `id="accommodation-form"`) || !strings.Contains(body, "Nessuna misura registrata") {
		t.Fatalf("Marino's page: %d", code)
	}
	code, body, _ = referent.post(page+"/accommodation", url.Values{"multiplier": {"1.5"}, "reason": {""}})
	if code != 400 || !strings.Contains(body, `<option value="1.5" selected>`) || !strings.Contains(body, "indicare il motivo della misura") {
		t.Fatalf("a measure without its reason: %d", code)
	}
	code, _, loc := referent.post(page+"/accommodation", url.Values{"multiplier": {"1.5"}, "extra": {"10"}, "reason": {"PDP: tempi distesi"}})
	if code != 303 || loc != page+"?saved=accommodation" {
		t.Fatalf("recording: %d %s", code, loc)
	}
	_, body = referent.get(loc)
	if !strings.Contains(body, `id="accommodation-saved"`) || !strings.Contains(body, "tempo × 1,5, più 10 minuti · PDP: tempi distesi") {
		t.Errorf("the page does not say the measure:\n%s", body[strings.Index(body, `id="accommodation"`):][:600])
	}
	a, err := srv.Services().Tests.AccommodationOf(ctx, rp, marino)
	if err != nil || a.Multiplier != 1.5 || a.Extra.Minutes() != 10 || a.Limit(30*60e9).Minutes() != 55 {
		t.Errorf("recorded %+v %v", a, err)
	}
	tutor := signedIn(t, ts, "docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	if _, body := tutor.get(page); strings.Contains(body, `id="accommodation-form"`) {
		t.Error("a school tutor is offered the form")
	}
}
