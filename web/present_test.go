package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/i18n"
	"github.com/attesta/attesta/observation"
)

// Dates and times are those of Rome, whatever the server's zone: a
// change made at 23:30 UTC on New Year's Eve happened on 1 January in
// Italy, and summer time moves the hour.
func TestDatesAreItalian(t *testing.T) {
	it, en := &page{Lang: "it"}, &page{Lang: "en"}
	newYear := time.Date(2026, 12, 31, 23, 30, 5, 0, time.UTC)
	summer := time.Date(2026, 7, 1, 22, 15, 0, 0, time.UTC)
	for _, c := range []struct{ got, want string }{
		{it.Date(newYear), "1° gennaio 2027"},
		{en.Date(newYear), "1 January 2027"},
		{it.DateTime(newYear), "1° gennaio 2027 alle 00:30:05"},
		{en.DateTime(newYear), "1 January 2027, 00:30:05"},
		{it.DateTime(summer), "2 luglio 2026 alle 00:15:00"},
		{it.Day("2026-10-12"), "12 ottobre 2026"},
		{it.Day("not a date"), "not a date"},
		{it.Date(time.Time{}), ""},
		{it.Size(812), "812 byte"},
		{it.Size(12345), "12,3 kB"},
		{en.Size(12345), "12.3 kB"},
		{it.Size(4_100_000), "4,1 MB"},
		{it.Province("MI"), "Milano (MI)"},
		{it.Provinces([]string{"MI", "MB"}), "Milano (MI), Monza e della Brianza (MB)"},
		{it.Province("ZZ"), "ZZ"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// The trail says what happened in words: the action, the object by name,
// and the fields that changed with their values in words, never JSON.
func TestAuditRowsInWords(t *testing.T) {
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	entries := []audit.Entry{
		{Action: "organisation.update", At: at, ObjectKind: auth.OrganisationObject, ObjectID: "o-x",
			Before: raw(map[string]any{"id": "o-x", "name": "ITIS Feltrinelli", "kind": "school", "school_type": "tecnico", "school_code": "MITF01000A", "province": "MI", "updated_at": "2026-10-01T08:00:00Z"}),
			After:  raw(map[string]any{"id": "o-x", "name": "ITIS G. Feltrinelli", "kind": "school", "school_type": "professionale", "school_code": "MITF01001B", "province": "MI", "updated_at": "2026-11-02T09:00:00Z"})},
		{Action: "token.create", At: at, ObjectKind: auth.TokenObject, ObjectID: "t-1",
			After: raw(map[string]any{"name": "registro", "scopes": []string{"read"}, "expires_at": "2026-12-02T09:00:00Z"})},
		{Action: "something.new", At: at, ObjectKind: auth.ClassObject},
		{Action: "credential.revoke", At: at, ObjectKind: auth.CredentialObject, ObjectID: "urn:uuid:x", ActorName: "api-token",
			Before: raw(map[string]any{"revoked": false}), After: raw(map[string]any{"revoked": true, "reason": "Errore materiale"})},
		{Action: "credential.issue", At: at, ObjectKind: auth.CredentialObject, ObjectID: "urn:uuid:x",
			After: raw(map[string]any{"chamber": "cciaa-milano", "achievement": "meccatronica/v1/C1", "format": "eddsa-rdfc-2022", "digest": "sha256:ab"})},
	}
	rows := (&page{Lang: "it"}).auditRows(entries)
	r := rows[0]
	if r.Action != "Dati dell'organizzazione modificati" || r.Object != "Organizzazione" || r.Name != "ITIS G. Feltrinelli" || r.When != "2 novembre 2026 alle 10:00:00" {
		t.Errorf("row 0: %+v", r)
	}
	want := []auditChange{{"Nome", "ITIS Feltrinelli", "ITIS G. Feltrinelli"}, {"Codice meccanografico", "MITF01000A", "MITF01001B"}, {"Tipo di scuola", "Istituto tecnico", "Istituto professionale"}}
	if len(r.Changes) != len(want) {
		t.Fatalf("changes %+v, want %+v", r.Changes, want)
	}
	for i := range want {
		if r.Changes[i] != want[i] {
			t.Errorf("change %d: %+v, want %+v", i, r.Changes[i], want[i])
		}
	}
	var got []string
	for _, c := range rows[1].Changes {
		got = append(got, c.Field+"="+c.After)
	}
	if s := strings.Join(got, "; "); s != "Nome=registro; Scade il=2 dicembre 2026 alle 10:00:00; Permessi=Sola lettura" {
		t.Errorf("token row: %s", s)
	}
	if rows[2].Action != "something.new" {
		t.Errorf("an action without words is shown as it is: %q", rows[2].Action)
	}
	got = nil
	for _, c := range rows[3].Changes {
		got = append(got, c.Field+"="+c.Before+"→"+c.After)
	}
	if s := strings.Join(got, "; "); rows[3].Action != "Credenziale revocata" || rows[3].Object != "Credenziale" || s != "Motivo=—→Errore materiale; Revocata=no→sì" {
		t.Errorf("revocation row: %s %s: %s", rows[3].Action, rows[3].Object, s)
	}
	if rows[4].Action != "Credenziale emessa" || rows[4].Name != "meccatronica/v1/C1" {
		t.Errorf("issue row: %+v", rows[4])
	}
}

// The problems of a standard are said after the refusal, each with where
// it is, in the page's language.
func TestStandardProblemsSaid(t *testing.T) {
	ps := competence.Problems{
		{Line: 12, Column: 20, Path: "standards[0].paths[0].competences[1].code", Message: attesta.M("err.competence.path.undefined", "C99")},
	}
	err := attesta.Wrap(ps, attesta.Invalid, "err.competence.file.invalid")
	if got, want := messageIn(err, "it"), `il file degli standard non è valido: riga 12, colonna 20, standards[0].paths[0].competences[1].code: la competenza "C99" non è definita tra le competenze di questo standard`; got != want {
		t.Errorf("it: %s\nwant %s", got, want)
	}
	if got, want := messageIn(err, "en"), `the standards file is not valid: line 12, column 20, standards[0].paths[0].competences[1].code: competence "C99" is not defined in this standard's competences`; got != want {
		t.Errorf("en: %s\nwant %s", got, want)
	}
	if got := messageIn(attesta.E(attesta.Invalid, "err.competence.sector.notfound", "x"), "it"); got != `settore "x" non trovato` {
		t.Errorf("a refusal without problems: %s", got)
	}
}

// The trail of an experience says what its tutors, the sheet and the
// dossier did in the reader's language: every field by a name of the
// catalogue, states as the experience and the sheet say them, hours as
// hours, days as dates; nothing by its key, nothing missing.
func TestProcessTrailInWords(t *testing.T) {
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	e := experience.Experience{ID: "exp-1", School: "mitf01000a", Company: "co-1", Class: "c-1", Year: "2026/27", Sector: "meccatronica", Version: 1,
		State: experience.Draft, Revision: 1, Design: experience.Design{Title: "Progettazione CAD"}, SchoolName: "ITIS Feltrinelli", SchoolProvince: "MI",
		CompanyName: "Meccanica Lombarda", CompanyProvince: "MI", CreatedAt: at, UpdatedAt: at}
	hours := experience.Attendance{ID: "att-1", Experience: "exp-1", Student: "p-1", Day: "2026-10-12", Weekly: true, Minutes: 450,
		Activity: "Messa in tavola", By: "p-2", ByName: "Paolo Ricci", ByRole: auth.CompanyTutor, At: at}
	entries := []audit.Entry{
		{Action: "experience.create", After: raw(e)},
		{Action: "experience.sign_off", After: raw(map[string]any{"revision": 1, "side": "company", "digest": "sha256:ab"})},
		{Action: "experience.agreed", Before: raw(map[string]any{"state": experience.Draft}), After: raw(map[string]any{"state": experience.CoDesigned, "revision": 1})},
		{Action: "experience.cancel", Before: raw(map[string]any{"state": experience.CoDesigned}), After: raw(map[string]any{"state": experience.Cancelled, "reason": "Reparto chiuso"})},
		{Action: "experience.hours", After: raw(hours)},
		{Action: "observation.submit", Before: raw(map[string]any{"sheet": "sht-1", "state": observation.Draft}),
			After: raw(map[string]any{"sheet": "sht-1", "student": "p-1", "version": 1, "state": observation.Submitted})},
		{Action: "dossier.return", After: raw(map[string]any{"dossier": "dos-1", "student": "p-1", "return": dossier.Return{To: "school", Message: "Manca la relazione", At: at}})},
		{Action: "dossier.lock", After: raw(map[string]any{"dossier": "dos-1", "student": "p-1", "digest": "sha256:ab", "log_index": 7})},
		{Action: "dossier.artefact.link", Before: raw(map[string]any{"dossier": "dos-1", "artefact": "art-1", "rows": []string{"C1/ADA.10.02.02/RA1/A1/E1"}}),
			After: raw(map[string]any{"dossier": "dos-1", "artefact": "art-1", "rows": []string{"C1/ADA.10.02.02/RA1/A1/E2"}})},
		{Action: "artefact.upload", After: raw(map[string]any{"name": "staffa.png", "kind": "photo", "format": "png", "size": 94, "sha256": "ab"})},
	}
	for i := range entries {
		entries[i].At, entries[i].ObjectKind, entries[i].ObjectID = at, auth.ExperienceObject, "exp-1"
	}
	say := func(lang string) map[string]string {
		out := map[string]string{}
		for i, r := range (&page{Lang: lang}).auditRows(entries) {
			if len(r.Changes) == 0 {
				t.Errorf("%s: %s says no change", lang, r.Action)
			}
			for _, c := range r.Changes {
				domain, _, _ := strings.Cut(entries[i].Action, ".")
				known := false
				for _, m := range []map[string]json.RawMessage{fields(entries[i].Before), fields(entries[i].After)} {
					for k := range m {
						if c.Field == (&page{Lang: lang}).fieldLabel(domain, k) {
							known = i18n.Has(lang, "audit.field."+domain+"."+k) || i18n.Has(lang, "audit.field."+k)
						}
					}
				}
				if !known {
					t.Errorf("%s: %s: the field %q is said by its key", lang, entries[i].Action, c.Field)
				}
				if strings.Contains(c.Before+c.After, "‹") || strings.Contains(c.Before+c.After, "{") {
					t.Errorf("%s: %s: %s is %q → %q", lang, entries[i].Action, c.Field, c.Before, c.After)
				}
				out[entries[i].Action+" "+c.Field] = c.Before + " → " + c.After
			}
		}
		return out
	}
	it, en := say("it"), say("en")
	for k, want := range map[string]string{
		"experience.create Progetto":               "— → Progettazione CAD",
		"experience.create Stato del percorso":     "— → in bozza",
		"experience.create Provincia della scuola": "— → Milano (MI)",
		"experience.sign_off Parte":                "— → azienda",
		"experience.agreed Stato del percorso":     "in bozza → co-progettato",
		"experience.hours Ore":                     "— → 7,5 h",
		"experience.hours Giorno":                  "— → 12 ottobre 2026",
		"experience.hours Ruolo":                   "— → Tutor aziendale",
		"observation.submit Stato della scheda":    "in compilazione → inviata",
		"dossier.return Restituzione":              "— → Manca la relazione",
		"dossier.artefact.link Righe della scheda": "C1/ADA.10.02.02/RA1/A1/E1 → C1/ADA.10.02.02/RA1/A1/E2",
		"artefact.upload Tipo di elaborato":        "— → fotografia",
	} {
		if it[k] != want {
			t.Errorf("Italian %s: %q, want %q", k, it[k], want)
		}
	}
	for k, want := range map[string]string{
		"experience.agreed State of the experience": "in draft → co-designed",
		"experience.hours Hours":                    "— → 7.5 h",
		"experience.hours Day":                      "— → 12 October 2026",
		"observation.submit State of the sheet":     "in draft → submitted",
		"artefact.upload Kind of artefact":          "— → photo",
	} {
		if en[k] != want {
			t.Errorf("English %s: %q, want %q", k, en[k], want)
		}
	}
}
