package dossier

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func document() Document {
	return Document{ID: "urn:attesta:dossier:dos-aaaaaaaaaaaaaaaa", Type: "EvidenceDossier", Experience: "exp-x", School: "mitf01000a",
		Company: "co-1", Sector: "meccatronica", Version: 1, Path: "progettazione", Revision: 2, Design: "sha256:00", Learner: "p-1",
		Hours: Hours{Planned: 80, Minutes: 4800, Records: []HourLine{{Day: "2026-09-14", Weekly: true, Minutes: 2400, Activity: "Sicurezza"}}},
		Sheet: Sheet{ID: "sht-x", Version: 1, Rows: []RowLine{{Row: "C1/ADA.10.02.02/RA1/A1/E1", Level: 3, Note: "Autonoma"},
			{Row: "C1/ADA.10.02.02/RA1/A1/E2", NotObserved: true}}, SubmittedBy: "p-2", SubmittedAt: "2026-10-10T08:00:00.000Z",
			Countersigned: "p-3", CountersignAt: "2026-10-11T08:00:00.000Z"},
		Notes: "Nessuna", Artefacts: []ArtefactLine{{SHA256: "ab12", Kind: "drawing", Format: "pdf", Size: 1234, Name: "tavola.pdf", Rows: []string{"C1/ADA.10.02.02/RA1/A1/E1"}}},
		LockedAt: "2026-11-02T10:00:00.000Z", LockedBy: "p-4"}
}

// The digest changes if and only if the content changes: any one value of
// the document changed gives another digest; the same content written
// otherwise (indented, keys in another order) gives the same.
func TestDigestFollowsContent(t *testing.T) {
	d := document()
	base := Digest(d.Marshal())
	// Re-encoded with indentation and the keys sorted: the same digest.
	var generic map[string]any
	if err := json.Unmarshal(d.Marshal(), &generic); err != nil {
		t.Fatal(err)
	}
	indented, _ := json.MarshalIndent(generic, "", "    ")
	if bytes.Equal(indented, d.Marshal()) || Digest(indented) != base {
		t.Fatalf("the same content re-indented: %s vs %s", Digest(indented), base)
	}
	// Every leaf value, changed one at a time.
	changed := 0
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
			return
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
			return
		}
		old := reflect.ValueOf(v.Interface())
		switch v.Kind() {
		case reflect.String:
			v.SetString(v.String() + "·")
		case reflect.Int, reflect.Int64:
			v.SetInt(v.Int() + 1)
		case reflect.Bool:
			v.SetBool(!v.Bool())
		default:
			t.Fatalf("a %s in the document", v.Kind())
		}
		if got := Digest(d.Marshal()); got == base {
			t.Errorf("changing a %s value left the digest as it was", v.Kind())
		}
		changed++
		v.Set(old)
		if Digest(d.Marshal()) != base {
			t.Fatal("restoring a value did not restore the digest")
		}
	}
	walk(reflect.ValueOf(&d).Elem())
	if changed < 30 {
		t.Errorf("only %d values changed", changed)
	}
	// A row more or fewer, or in another order, is another content.
	d.Sheet.Rows[0], d.Sheet.Rows[1] = d.Sheet.Rows[1], d.Sheet.Rows[0]
	if Digest(d.Marshal()) == base {
		t.Error("rows in another order, same digest")
	}
	d = document()
	d.Hours.Records = append(d.Hours.Records, HourLine{Day: "2026-09-21", Weekly: true, Minutes: 2400})
	if Digest(d.Marshal()) == base {
		t.Error("a record more, same digest")
	}
}

func TestID(t *testing.T) {
	if a, b := ID("exp-a", "p-1"), ID("exp-a", "p-2"); a == b || !idPattern.MatchString(a) || ID("exp-a", "p-1") != a {
		t.Errorf("ids %s %s", a, b)
	}
}

// The hours recorded, in what a dossier lacks, are written with the
// decimal separator of the reader's language.
func TestHoursInLanguage(t *testing.T) {
	for _, c := range []struct {
		minutes int
		it, en  string
	}{{960, "16", "16"}, {450, "7,5", "7.5"}, {100, "1,67", "1.67"}, {0, "0", "0"}} {
		if got := hours(c.minutes).In("it"); got != c.it {
			t.Errorf("%d minutes in Italian: %q, want %q", c.minutes, got, c.it)
		}
		if got := hours(c.minutes).In("en"); got != c.en {
			t.Errorf("%d minutes in English: %q, want %q", c.minutes, got, c.en)
		}
	}
}
