package share_test

import (
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/share"
)

// TestLinkDays: a link open until the end of its last day in Rome, across
// the change to summer time too; off, or without a token, it shows nothing.
func TestLinkDays(t *testing.T) {
	// The last day 28 March 2027: summer time starts that night.
	end := time.Date(2027, 3, 29, 0, 0, 0, 0, attesta.Rome)
	l := &share.Link{On: true, Token: "t", Expires: end.UTC()}
	if got := l.LastDay().In(attesta.Rome).Format(time.DateOnly); got != "2027-03-28" {
		t.Errorf("last day %s, want 2027-03-28", got)
	}
	if !l.Open(end.Add(-time.Minute)) || l.Expired(end.Add(-time.Minute)) {
		t.Error("not open a minute before its end")
	}
	if l.Open(end) || !l.Expired(end) {
		t.Error("open at its end")
	}
	if (&share.Link{On: true, Token: "t"}).Expired(end) || !(&share.Link{On: true, Token: "t"}).Open(end) {
		t.Error("a link with no expiry expires")
	}
	if (&share.Link{Token: "t"}).Open(end) || (&share.Link{On: true}).Open(end) {
		t.Error("a link off, or without a token, is open")
	}
}
