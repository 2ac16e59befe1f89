package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/observation"
)

// The observation sheet's page: one competence at a time, each row with
// the scale's levels and "not observed" as large radio targets, the
// versions, and the forms of the company tutor (save, submit), the school
// tutor (countersign) and the Chamber (reopen). docs/design/experiences.md
// says why it looks as it does.

// sheetData is what the sheet's page shows.
type sheetData struct {
	View       *observation.View
	Experience *experience.View
	// Sheet is the version shown: the current one, or an older one read
	// only (?version=N).
	Sheet   *observation.Sheet
	Current bool
	Student string // the student's name
	// Query resolves a sheet never saved: experience=…&student=….
	Query       string
	Competences []sheetTab
	Competence  string // the competence shown
	Rows        []sheetRow
	Scale       []competence.ScaleLevel
	// What the user may do now.
	Fill, Countersign, Reopen bool
	Form                      *form // a refused save: what was typed, problems by row
	Action                    *form // a refused submit, countersign or reopen
	Saved                     bool  // the page follows a save
}

// sheetTab is a competence of the sheet, for the selector.
type sheetTab struct {
	Code        string
	Title       competence.Text
	Rows, Given int
}

// sheetRow is a row of the competence shown, with the standard's texts.
type sheetRow struct {
	observation.Observation
	Key      string // the row's position, C1/ADA.10.02.02/RA1/A1/E1: the form's field suffix
	ID       string // the same, fit for an HTML id
	Evidence competence.Text
	Activity competence.Text
	// FirstOfActivity says where a new activity begins.
	FirstOfActivity bool
}

// Value is the value of the row's radio group: a level, "none" for not
// observed, "" when not given.
func (r *sheetRow) Value() string {
	switch {
	case r.NotObserved:
		return "none"
	case r.Level != 0:
		return strconv.Itoa(r.Level)
	}
	return ""
}

// LevelOf is what the form shows for a row: what was typed, if the form
// came back, else the stored value.
func (d *sheetData) LevelOf(r sheetRow) string {
	if d.Form != nil && d.Form.Values.Has("level:"+r.Key) {
		return d.Form.V("level:" + r.Key)
	}
	return r.Value()
}

// ValueOf is what the form shows for a row's field (from, to, note).
func (d *sheetData) ValueOf(field string, r sheetRow) string {
	if d.Form != nil && d.Form.Values.Has(field+":"+r.Key) {
		return d.Form.V(field + ":" + r.Key)
	}
	switch field {
	case "from":
		return r.From
	case "to":
		return r.To
	}
	return r.Note
}

// Href is the address of the sheet with a competence or a version.
func (d *sheetData) Href(competence string, version int) string {
	q, _ := url.ParseQuery(d.Query)
	if competence != "" {
		q.Set("competence", competence)
	}
	if version > 0 {
		q.Set("version", strconv.Itoa(version))
	}
	return "/sheets/" + d.Sheet.ID + "?" + q.Encode()
}

// PDF is the address of the printout of the version shown.
func (d *sheetData) PDF() string {
	q, _ := url.ParseQuery(d.Query)
	q.Set("version", strconv.Itoa(d.Sheet.Version))
	return "/sheets/" + d.Sheet.ID + "/pdf?" + q.Encode()
}

// Pinned is the version the page shows when it is not the current one,
// else 0: the competence selector keeps it.
func (d *sheetData) Pinned() int {
	if d.Current {
		return 0
	}
	return d.Sheet.Version
}

// To is the address of a form acting on the sheet.
func (d *sheetData) To(what string) string {
	u := "/sheets/" + d.Sheet.ID
	if what != "" {
		u += "/" + what
	}
	return u + "?" + d.Query
}

// sheetOf resolves a sheet's id: a sheet saved once by its rows, else the
// experience and student the query names (?experience=…&student=…).
func (s *Site) sheetOf(r *http.Request) (experienceID, student string, err error) {
	q := r.URL.Query()
	return s.platform.Sheets.Resolve(r.Context(), r.PathValue("id"), q.Get("experience"), q.Get("student"))
}

// loadSheet reads the sheet the request names, its experience, and the
// version asked (?version=N, else the current one) into d, for the page
// and for the printout.
func (s *Site) loadSheet(r *http.Request, p *page, d *sheetData) error {
	eid, student, err := s.sheetOf(r)
	if err != nil {
		return err
	}
	v, err := s.platform.Sheets.Sheet(r.Context(), p.User, eid, student)
	if err != nil {
		return err
	}
	ev, err := s.platform.Experiences.Get(r.Context(), p.User, eid)
	if err != nil {
		return err
	}
	d.View, d.Experience, d.Scale = v, ev, v.Scale
	d.Student = or(ev.Names[student], student)
	d.Query = url.Values{"experience": {eid}, "student": {student}}.Encode()
	d.Sheet, d.Current = v.Current(), true
	if n, err := strconv.Atoi(r.URL.Query().Get("version")); err == nil {
		for i := range v.Versions {
			if v.Versions[i].Version == n {
				d.Sheet, d.Current = &v.Versions[i], i == len(v.Versions)-1
			}
		}
	}
	return nil
}

func (s *Site) sheetPage(w http.ResponseWriter, r *http.Request, status int, d sheetData) {
	p := s.userPage(w, r, "sheet.title")
	if err := s.loadSheet(r, p, &d); err != nil {
		s.fail(w, r, err)
		return
	}
	v, ev := d.View, d.Experience
	q := r.URL.Query()
	d.Saved = q.Get("saved") == "1" && d.Form == nil
	p.Title = p.T("sheet.title.of", d.Student)
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{p.T("experiences.title"), "/experiences"}, crumb{ev.Design.Title, "/experiences/" + ev.ID}, crumb{Label: p.Title})
	// The competences, in the sheet's order, and the rows of the one shown.
	for _, o := range d.Sheet.Rows {
		i := slices.IndexFunc(d.Competences, func(t sheetTab) bool { return t.Code == o.Row.Competence })
		if i < 0 {
			t := sheetTab{Code: o.Row.Competence}
			if c, ok := v.Standard.Competence(o.Row.Competence); ok {
				t.Title = c.Title
			}
			d.Competences = append(d.Competences, t)
			i = len(d.Competences) - 1
		}
		d.Competences[i].Rows++
		if o.Given() {
			d.Competences[i].Given++
		}
	}
	d.Competence = q.Get("competence")
	if d.Form != nil && d.Form.V("competence") != "" {
		d.Competence = d.Form.V("competence")
	}
	if !slices.ContainsFunc(d.Competences, func(t sheetTab) bool { return t.Code == d.Competence }) && len(d.Competences) > 0 {
		d.Competence = d.Competences[0].Code
	}
	var last experience.EvidenceRef
	for _, o := range d.Sheet.Rows {
		if o.Row.Competence != d.Competence {
			continue
		}
		row := sheetRow{Observation: o, Key: o.Row.String(), ID: idUnsafe.ReplaceAllString(o.Row.String(), "-"),
			FirstOfActivity: len(d.Rows) == 0 || o.Row.ADA != last.ADA || o.Row.Result != last.Result || o.Row.Activity != last.Activity}
		if e, act, ok := experience.Evidence(v.Standard, o.Row); ok {
			row.Evidence, row.Activity = e.Text, act.Title
		}
		d.Rows = append(d.Rows, row)
		last = o.Row
	}
	obj := ev.Object(p.User)
	side, _ := experience.SideOf(p.User, &ev.Experience)
	running := ev.State == experience.InProgress || ev.State == experience.Closed
	d.Fill = d.Current && running && !d.Sheet.Locked() && side == experience.CompanySide && p.Can(auth.SheetFill, obj)
	d.Countersign = d.Current && running && d.Sheet.State == observation.Submitted && side == experience.SchoolSide && p.Can(auth.SheetCountersign, obj)
	d.Reopen = d.Current && running && d.Sheet.Locked() && p.Can(auth.SheetReopen, obj)
	p.Data = &d
	s.render(w, r, status, "sheet", p)
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *Site) sheetView(w http.ResponseWriter, r *http.Request) {
	s.sheetPage(w, r, http.StatusOK, sheetData{})
}

// observationsOf reads the rows of the competence posted: the rows named
// by "row", each with its level ("none" for not observed), period and
// note. A blank is not an erasure: the service keeps the stored value.
func observationsOf(f url.Values, sheet *observation.Sheet) ([]observation.Observation, attesta.FieldErrors) {
	var out []observation.Observation
	var fe attesta.FieldErrors
	for _, key := range f["row"] {
		i := slices.IndexFunc(sheet.Rows, func(o observation.Observation) bool { return o.Row.String() == key })
		if i < 0 {
			fe.Problem("rows", "err.observation.row.unknown", key)
			continue
		}
		o := observation.Observation{Row: sheet.Rows[i].Row, From: f.Get("from:" + key), To: f.Get("to:" + key), Note: f.Get("note:" + key)}
		switch lv := f.Get("level:" + key); lv {
		case "":
		case "none":
			o.NotObserved = true
		default:
			n, err := strconv.Atoi(lv)
			if err != nil {
				n = -1 // the service says it is not a level
			}
			o.Level = n
		}
		out = append(out, o)
	}
	return out, fe
}

var rowIndex = regexp.MustCompile(`^rows\[(\d+)\](?:\.(\w+))?$`)

// placeRowErrors moves the service's problems, which name the posted rows
// by position (rows[0].level), to the form's fields (level:C1/…/E1), and
// lists them all for the summary.
func placeRowErrors(f *form, rows []observation.Observation) {
	moved := map[string]string{}
	for field, msg := range f.Errors {
		f.Summary = append(f.Summary, msg)
		key := field
		if m := rowIndex.FindStringSubmatch(field); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(rows) {
				name := or(m[2], "level")
				key = name + ":" + rows[i].Row.String()
			}
		}
		if moved[key] != "" {
			moved[key] += "; " + msg
		} else {
			moved[key] = msg
		}
	}
	slices.Sort(f.Summary)
	f.Errors = moved
}

// saveSheet saves the rows of the competence shown; a refusal shows the
// page again with everything typed and each problem beside its row.
func (s *Site) saveSheet(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	eid, student, err := s.sheetOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	seen, _ := strconv.Atoi(r.PostForm.Get("version"))
	var rows []observation.Observation
	v, err := s.platform.Sheets.Sheet(r.Context(), principal(r), eid, student)
	if err == nil {
		var fe attesta.FieldErrors
		rows, fe = observationsOf(r.PostForm, v.Current())
		err = fe.Err()
	}
	if err == nil {
		_, err = s.platform.Sheets.Save(r.Context(), principal(r), eid, student, seen, rows)
	}
	if err != nil {
		f, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		placeRowErrors(f, rows)
		s.sheetPage(w, r, httpstatus.Of(err), sheetData{Form: f})
		return
	}
	q := r.URL.Query()
	q.Set("competence", r.PostForm.Get("competence"))
	q.Set("saved", "1")
	http.Redirect(w, r, "/sheets/"+r.PathValue("id")+"?"+q.Encode(), http.StatusSeeOther)
}

// sheetAct submits, countersigns or reopens a sheet, for the version the
// user saw; a refusal shows the page again with the reason.
func (s *Site) sheetAct(what string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.parsed(w, r) {
			return
		}
		eid, student, err := s.sheetOf(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		seen, _ := strconv.Atoi(r.PostForm.Get("version"))
		svc, ctx, p := s.platform.Sheets, r.Context(), principal(r)
		switch what {
		case "submit":
			_, err = svc.Submit(ctx, p, eid, student, seen)
		case "countersign":
			_, err = svc.Countersign(ctx, p, eid, student, seen)
		default:
			_, err = svc.Reopen(ctx, p, eid, student, seen, r.PostForm.Get("reason"))
		}
		if err != nil {
			f, ok := s.formError(s.newPage(w, r), r, err)
			if !ok {
				s.fail(w, r, err)
				return
			}
			if f.Error == "" && f.E("reason") == "" {
				for _, m := range f.Errors {
					f.Summary = append(f.Summary, m)
				}
			}
			s.sheetPage(w, r, httpstatus.Of(err), sheetData{Action: f})
			return
		}
		q := r.URL.Query()
		if c := r.PostForm.Get("competence"); c != "" {
			q.Set("competence", c)
		}
		http.Redirect(w, r, "/sheets/"+r.PathValue("id")+"?"+q.Encode(), http.StatusSeeOther)
	}
}

// LevelLabel names a level of the sheet's scale.
func (d *sheetData) LevelLabel(p *page, level int) string {
	for _, l := range d.Scale {
		if l.Value == level {
			return p.In(l.Label)
		}
	}
	return strconv.Itoa(level)
}
