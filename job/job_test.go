package job

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/attesta/attesta"
)

// TestFailureSaidLater: a refusal kept as a job's failure, read back from
// its JSON, is said in either language as it was, its arguments included —
// a message said in the reader's language, a number, a text; what is not
// a refusal is an internal error, its cause kept out; a handler's detail
// is kept.
func TestFailureSaidLater(t *testing.T) {
	for _, err := range []error{
		attesta.E(attesta.Invalid, "err.people.name.long", attesta.M("err.people.subject.familyname"), 100),
		fmt.Errorf("importing: %w", attesta.E(attesta.NotFound, "err.job.notfound", "abc")),
		WithDetail(attesta.E(attesta.Conflict, "err.job.mine", 5), []int{1, 2}),
		errors.New("connection reset by peer"),
	} {
		b, jerr := json.Marshal(failureOf(err))
		if jerr != nil {
			t.Fatal(jerr)
		}
		var f Failure
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		got := f.Err()
		if attesta.ErrorCode(got) != attesta.ErrorCode(err) || attesta.ErrorKey(got) != attesta.ErrorKey(err) && attesta.ErrorKey(err) != "" {
			t.Errorf("%v: read back as %v (%s)", err, got, attesta.ErrorCode(got))
		}
		for _, lang := range []string{"it", "en"} {
			if g, w := attesta.MessageIn(got, lang), attesta.MessageIn(err, lang); g != w {
				t.Errorf("%v in %s: %q, want %q", err, lang, g, w)
			}
		}
		if attesta.ErrorKey(err) == "err.job.mine" && string(f.Detail) != "[1,2]" {
			t.Errorf("detail %s", f.Detail)
		}
	}
}

func TestStates(t *testing.T) {
	for s, ended := range map[State]bool{Previewed: false, Queued: false, Running: false, Done: true, Failed: true, Cancelled: true, Expired: true} {
		if s.Ended() != ended {
			t.Errorf("%s ended: %v", s, s.Ended())
		}
	}
}
