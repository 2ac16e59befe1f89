package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/i18n"
	"github.com/attesta/attesta/territory"
)

// Date formats the day of t, in Rome, as an Italian reader writes it
// ("6 dicembre 2026"), or in English ("6 December 2026"): [attesta.Date].
func (p *page) Date(t time.Time) string { return attesta.Date(t).In(p.Lang) }

// DateTime formats t, in Rome, with the time of day to the second
// ("6 dicembre 2026 alle 04:56:36"): [attesta.DateTime].
func (p *page) DateTime(t time.Time) string { return attesta.DateTime(t).In(p.Lang) }

// Day formats a calendar day written as YYYY-MM-DD (a meeting's date),
// or returns it as it is when it is not one.
func (p *page) Day(s string) string {
	d, err := time.ParseInLocation(time.DateOnly, s, attesta.Rome)
	if err != nil {
		return s
	}
	return p.Date(d)
}

// Size formats a number of bytes for people: "812 byte", "12,3 kB",
// "4,1 MB" (a decimal point in English).
func (p *page) Size(n int64) string {
	if n < 1000 {
		return p.T("size.bytes", n)
	}
	v, unit := float64(n)/1000, "kB"
	if v >= 1000 {
		v, unit = v/1000, "MB"
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if p.Lang == "it" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " " + unit
}

// Province names a province by its sigla: "Milano (MI)". An unknown code
// is shown as it is.
func (p *page) Province(sigla string) string {
	if pr, ok := territory.ProvinceBySigla(sigla); ok {
		return pr.Name + " (" + pr.Sigla + ")"
	}
	return sigla
}

// Provinces names several provinces.
func (p *page) Provinces(siglas []string) string {
	names := make([]string, len(siglas))
	for i, s := range siglas {
		names[i] = p.Province(s)
	}
	return strings.Join(names, ", ")
}

// Sector names a competence sector by its code, in the page's language
// ("Meccatronica"), from the current standards; an unknown code is shown
// as it is.
func (p *page) Sector(code string) string {
	if p.sectors == nil {
		p.sectors = map[string]string{}
		if p.site != nil && p.site.standards != nil {
			if infos, err := p.site.standards.Sectors(p.ctx(), p.User); err == nil {
				for _, in := range infos {
					p.sectors[in.Sector] = in.Title.In(p.Lang)
				}
			}
		}
	}
	if name := p.sectors[code]; name != "" {
		return name
	}
	return code
}

func (p *page) ctx() context.Context {
	if p.context != nil {
		return p.context
	}
	return context.Background()
}

// auditRow is an entry of the trail as a person reads it: the action and
// the object in words, the change as the fields that changed.
type auditRow struct {
	audit.Entry
	When   string
	Action string // "Organisation registered"
	Object string // "Organisation"
	Name   string // the object's name, when the entry says it
	// ActorOrgName names the organisation the actor acted for, when the
	// viewer may see it.
	ActorOrgName string
	Changes      []auditChange
}

// auditChange is one field of an object before and after a change.
type auditChange struct {
	Field, Before, After string
}

// auditRows presents entries in the page's language.
func (p *page) auditRows(entries []audit.Entry) []auditRow {
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		r := auditRow{Entry: e, When: p.DateTime(e.At), Object: p.Lookup("object.", e.ObjectKind)}
		key := "audit.action." + e.Action
		if i18n.Has(p.Lang, key) {
			r.Action = p.T(key)
		} else {
			r.Action = e.Action
		}
		before, after := fields(e.Before), fields(e.After)
		r.Name = objectName(after)
		if r.Name == "" {
			r.Name = objectName(before)
		}
		if sector, version, ok := strings.Cut(e.ObjectID, "/"); ok && e.ObjectKind == auth.StandardObject {
			r.Name = p.T("audit.standard.name", p.Sector(sector), version)
		}
		var names []string
		for k := range before {
			names = append(names, k)
		}
		for k := range after {
			if _, ok := before[k]; !ok {
				names = append(names, k)
			}
		}
		slices.SortFunc(names, fieldOrder)
		domain, _, _ := strings.Cut(e.Action, ".")
		for _, k := range names {
			if hiddenField(domain, k) || bytes.Equal(before[k], after[k]) {
				continue
			}
			b, a := p.fieldValue(domain, k, before[k]), p.fieldValue(domain, k, after[k])
			if b == a {
				continue
			}
			r.Changes = append(r.Changes, auditChange{Field: p.fieldLabel(domain, k), Before: b, After: a})
		}
		rows[i] = r
	}
	return rows
}

// option is a choice of a select.
type option struct{ Value, Label string }

// auditActions are the actions the trail can be filtered by, in words, in
// the order of the words.
func (p *page) auditActions() []option {
	var out []option
	for _, k := range i18n.Keys(p.Lang) {
		if a, ok := strings.CutPrefix(k, "audit.action."); ok && a != "all" {
			out = append(out, option{a, p.T(k)})
		}
	}
	slices.SortFunc(out, func(a, b option) int { return strings.Compare(a.Label, b.Label) })
	return out
}

// fields reads the top-level fields of an object recorded as JSON.
func fields(raw json.RawMessage) map[string]json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// objectName is the name an object recorded as JSON goes by.
func objectName(f map[string]json.RawMessage) string {
	str := func(k string) string {
		var s string
		json.Unmarshal(f[k], &s)
		return s
	}
	switch {
	case str("family_name") != "":
		return strings.TrimSpace(str("given_name") + " " + str("family_name"))
	case str("title") != "":
		return str("title")
	case str("name") != "":
		if y := str("year"); y != "" {
			return str("name") + " " + y
		}
		return str("name")
	case str("achievement") != "":
		return str("achievement") // a credential: what it certifies
	}
	return ""
}

// hiddenField is a field the trail does not show as a change: the object's
// identity and bookkeeping, which the row already says. domain is the
// first part of the entry's action ("experience" for
// "experience.hours"): a record of hours names its experience, which is
// the entry's object, and who recorded it by id as well as by name.
func hiddenField(domain, k string) bool {
	switch k {
	case "id", "created_at", "updated_at", "attachments", "students", "teachers", "chamber_name":
		return true
	case "experience", "by":
		return domain == "experience"
	}
	return false
}

// fieldOrder puts names first (in this order), then the other fields by
// name.
func fieldOrder(a, b string) int {
	rank := func(k string) int {
		switch k {
		case "name", "title":
			return 0
		case "given_name":
			return 1
		case "family_name":
			return 2
		}
		return 3
	}
	if c := rank(a) - rank(b); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// fieldLabel names field k of an entry whose action is in domain: as the
// domain says it (audit.field.experience.state, the state of an
// experience), else as every other (audit.field.state, the state of a
// standard's version), else by its key.
func (p *page) fieldLabel(domain, k string) string {
	for _, key := range []string{"audit.field." + domain + "." + k, "audit.field." + k} {
		if i18n.Has(p.Lang, key) {
			return p.T(key)
		}
	}
	return strings.ReplaceAll(k, "_", " ")
}

// fieldValue shows a recorded value in words: roles, kinds, statuses and
// provinces by name, times and dates as dates, lists joined; domain is the
// first part of the entry's action, which says what a state or a kind is.
func (p *page) fieldValue(domain, k string, raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return "—"
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	switch v := v.(type) {
	case string:
		return p.wordsFor(domain, k, v)
	case bool:
		if v {
			return p.T("audit.yes")
		}
		return p.T("audit.no")
	case float64:
		if k == "size" {
			return p.Size(int64(v))
		}
		if k == "minutes" && domain == "experience" {
			return p.Hours(int(v))
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case map[string]any:
		// A text of a standard, in Italian and English; a part of a
		// standard (a competence, an ADA…) by its code and title, or its
		// text.
		text := func(m any) string {
			t, _ := m.(map[string]any)
			it, _ := t["it"].(string)
			if en, _ := t["en"].(string); en != "" {
				return it + " / " + en
			}
			return it
		}
		if _, ok := v["it"]; ok {
			return text(v)
		}
		code, _ := v["code"].(string)
		if code == "" {
			code, _ = v["id"].(string)
		}
		// A process's object by what names it: an experience's design by
		// its title, a dossier's return by its message, a file by its name.
		str := func(k string) string { s, _ := v[k].(string); return s }
		switch {
		case str("title") != "":
			return str("title")
		case v["title"] != nil:
			return strings.TrimSpace(code + " " + text(v["title"]))
		case v["text"] != nil:
			return text(v["text"])
		case v["label"] != nil:
			return text(v["label"])
		case str("message") != "":
			return str("message")
		case str("name") != "":
			return str("name")
		}
		return p.T("audit.complex")
	case []any:
		var parts []string
		for _, x := range v {
			switch x := x.(type) {
			case string:
				parts = append(parts, p.wordsFor(domain, strings.TrimSuffix(k, "s"), x))
			case map[string]any:
				if n, ok := x["name"].(string); ok {
					parts = append(parts, n)
				}
			default:
				parts = append(parts, fmt.Sprint(x))
			}
		}
		if len(parts) == 0 {
			return "—"
		}
		return strings.Join(parts, ", ")
	}
	return p.T("audit.complex")
}

// wordsFor shows a string value of field k of an entry whose action is in
// domain.
func (p *page) wordsFor(domain, k, v string) string {
	if v == "" {
		return "—"
	}
	switch domain + "." + k {
	case "experience.state":
		return p.Lookup("experience.state.", v)
	case "observation.state":
		return p.Lookup("observation.state.", v)
	case "dossier.state":
		return p.Lookup("dossier.state.", v)
	case "artefact.kind":
		return p.Lookup("artefact.kind.label.", v)
	case "experience.side":
		return p.Lookup("audit.side.", v)
	case "dossier.to":
		return p.Lookup("dossier.to.", v)
	}
	switch k {
	case "role", "by_role":
		return p.Lookup("role.", v)
	case "kind":
		return p.Lookup("kind.", v)
	case "school_type":
		return p.Lookup("orgschooltype.", v)
	case "status":
		return p.Lookup("tablestatus.", v)
	case "state":
		return p.Lookup("status.", v)
	case "scope":
		return p.Lookup("scope.", v)
	case "province", "school_province", "company_province":
		return p.Province(v)
	case "sector":
		return p.Sector(v)
	case "date", "day":
		return p.Day(v)
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return p.DateTime(t)
	}
	return v
}

// Number writes a decimal number as the page's language does: 1,5 or 1.5.
func (p *page) Number(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if p.Lang == "it" {
		return strings.Replace(s, ".", ",", 1)
	}
	return s
}
