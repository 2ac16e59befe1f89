package attesta

import (
	"strconv"
	"time"
	_ "time/tzdata" // Europe/Rome on machines without a zoneinfo database

	"github.com/attesta/attesta/internal/i18n"
)

// Rome is the time zone every date and time is said in: the programme is
// Italian, and so are its readers.
var Rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic("attesta: " + err.Error())
	}
	return loc
}()

// Date is a day as said to people, an argument of a [Message] like any
// [Localized]: the day it is in Rome, "6 dicembre 2026" in Italian (the
// first of a month "1° gennaio") and "6 December 2026" in English. The
// zero time says nothing.
//
//	attesta.M("verify.validity.expired", attesta.Date(until))
type Date time.Time

// In returns the day in lang ("it" or "en").
func (d Date) In(lang string) string {
	t := time.Time(d)
	if t.IsZero() {
		return ""
	}
	t = t.In(Rome)
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = i18n.T(lang, "date.first") // "1°" in Italian
	}
	return i18n.T(lang, "date.format", day, i18n.T(lang, "month."+strconv.Itoa(int(t.Month()))), t.Year())
}

// DateTime is a moment as said to people: its day and its time of day to
// the second, in Rome: "6 dicembre 2026 alle 04:56:36", "6 December 2026,
// 04:56:36". The zero time says nothing.
type DateTime time.Time

// In returns the moment in lang ("it" or "en").
func (d DateTime) In(lang string) string {
	t := time.Time(d)
	if t.IsZero() {
		return ""
	}
	return i18n.T(lang, "datetime.format", Date(t).In(lang), t.In(Rome).Format("15:04:05"))
}
