package attesta_test

import (
	"testing"
	"time"

	"github.com/attesta/attesta"
)

// Dates are said as people write them, the day and time it is in Rome
// whatever the server's zone: 23:30 UTC on New Year's Eve is already 1
// January in Italy, and summer time moves the hour.
func TestDatesInWords(t *testing.T) {
	newYear := time.Date(2026, 12, 31, 23, 30, 5, 0, time.UTC)
	summer := time.Date(2026, 7, 1, 22, 15, 0, 0, time.UTC)
	december := time.Date(2026, 12, 6, 3, 56, 36, 0, time.UTC)
	for _, c := range []struct {
		arg    attesta.Localized
		it, en string
	}{
		{attesta.Date(december), "6 dicembre 2026", "6 December 2026"},
		{attesta.Date(newYear), "1° gennaio 2027", "1 January 2027"},
		{attesta.DateTime(december), "6 dicembre 2026 alle 04:56:36", "6 December 2026, 04:56:36"},
		{attesta.DateTime(summer), "2 luglio 2026 alle 00:15:00", "2 July 2026, 00:15:00"},
		{attesta.Date(time.Time{}), "", ""},
		{attesta.DateTime(time.Time{}), "", ""},
	} {
		if it, en := c.arg.In("it"), c.arg.In("en"); it != c.it || en != c.en {
			t.Errorf("%v: %q, %q; want %q, %q", c.arg, it, en, c.it, c.en)
		}
	}
	// As the argument of a message, in its language; in English in an
	// error.
	m := attesta.M("verify.validity.expired", attesta.Date(december))
	if got := m.In("it"); got != "La credenziale è scaduta il 6 dicembre 2026" {
		t.Errorf("it: %q", got)
	}
	if got := attesta.E(attesta.Invalid, "verify.validity.expired", attesta.Date(newYear)).Error(); got != "The credential expired on 1 January 2027" {
		t.Errorf("Error: %q", got)
	}
}
