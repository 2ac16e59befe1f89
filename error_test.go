package attesta_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/attesta/attesta"
)

func TestErrorSaidInEachLanguage(t *testing.T) {
	cause := errors.New("disk on fire")
	err := fmt.Errorf("registering: %w", attesta.Wrap(cause, attesta.Forbidden, "err.org.province.outside", "MI"))
	if attesta.ErrorCode(err) != attesta.Forbidden || attesta.ErrorKey(err) != "err.org.province.outside" {
		t.Errorf("code %s, key %s", attesta.ErrorCode(err), attesta.ErrorKey(err))
	}
	if got := attesta.MessageIn(err, "it"); got != `la provincia "MI" è fuori dal tuo territorio` {
		t.Errorf("it: %q", got)
	}
	if got := attesta.MessageIn(err, "en"); got != `province "MI" is outside your territory` {
		t.Errorf("en: %q", got)
	}
	// The cause is for logs only.
	if got := err.Error(); got != `registering: province "MI" is outside your territory: disk on fire` {
		t.Errorf("Error: %q", got)
	}
	if !errors.Is(err, cause) {
		t.Error("the cause is not in the chain")
	}
	// What is not an *attesta.Error says nothing of itself.
	if got := attesta.MessageIn(cause, "it"); got != "errore interno" || attesta.ErrorCode(cause) != attesta.Internal || attesta.ErrorKey(cause) != "" {
		t.Errorf("a plain error: %q", got)
	}
}

func TestArgumentsSaidInTheMessagesLanguage(t *testing.T) {
	err := attesta.E(attesta.Invalid, "err.people.name.required", attesta.M("err.people.subject.familyname"))
	if got := attesta.MessageIn(err, "it"); got != "il cognome è obbligatorio" {
		t.Errorf("it: %q", got)
	}
	if got := attesta.MessageIn(err, "en"); got != "the family name is required" {
		t.Errorf("en: %q", got)
	}
	if len(err.Args) != 1 || err.Args[0].(attesta.Message).Key != "err.people.subject.familyname" {
		t.Errorf("the arguments changed: %+v", err.Args)
	}
}

func TestFieldErrors(t *testing.T) {
	var fe attesta.FieldErrors
	if fe.Err() != nil {
		t.Fatal("no problem is no error")
	}
	fe.Problem("name", "err.org.name.required")
	fe.Problem("name", "err.org.name.long", 200)
	err := fmt.Errorf("creating: %w", fe.Conflict())
	var got attesta.FieldErrors
	if attesta.ErrorCode(err) != attesta.Conflict || !errors.As(err, &got) || len(got) != 2 || got[1].Key != "err.org.name.long" {
		t.Fatalf("%v", err)
	}
	if s := attesta.MessageIn(err, "it"); s != "il nome è obbligatorio; il nome supera i 200 caratteri" {
		t.Errorf("it: %q", s)
	}
	if s := err.Error(); s != "creating: name: the name is required; name: the name is longer than 200 characters" {
		t.Errorf("Error: %q", s)
	}
	b, _ := json.Marshal(got[1])
	if string(b) != `{"field":"name","key":"err.org.name.long","it":"il nome supera i 200 caratteri","en":"the name is longer than 200 characters"}` {
		t.Errorf("JSON: %s", b)
	}
	// A message of one's own that says them.
	err = attesta.Wrap(fe, attesta.Invalid, "err.issuer.profile", fe)
	if s := attesta.MessageIn(err, "en"); s != "issuer profile: the name is required; the name is longer than 200 characters" {
		t.Errorf("en: %q", s)
	}
	if s := err.Error(); s != "issuer profile: name: the name is required; name: the name is longer than 200 characters" {
		t.Errorf("Error: %q", s)
	}
}
