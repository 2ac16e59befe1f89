package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
)

func TestItemPagesSmoke(t *testing.T) {
	ts := testserver.Start(t)
	b := signedIn(t, ts, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	for _, path := range []string{"/items", "/items/new", "/items/MEC-C1-S02", "/items/MEC-C11-T01", "/items/MEC-C7-K01", "/items/MEC-C1-K03", "/items/MEC-C1-S01", "/items/import", "/items?standard=meccatronica&kind=matching"} {
		code, body := b.get(path)
		if code != 200 {
			t.Errorf("%s: %d\n%s", path, code, body)
		}
	}
	_ = url.Values{}
	_ = strings.Contains
}
