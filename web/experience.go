package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/observation"
)

// The training experiences' pages: the list, the design form (new and
// changed designs), the experience with its revisions, sign-offs, hours
// and trail, and the comparison of two revisions. docs/design/experiences.md
// says why they look as they do.

// --- the list ---

type experiencesData struct {
	Items     []experience.Experience
	States    []experience.State
	State     string
	Year      string
	CanCreate bool
}

func (s *Site) experiences(w http.ResponseWriter, r *http.Request) {
	p := s.userPage(w, r, "experiences.title", crumb{Label: p0(s, w, r, "experiences.title")})
	q := r.URL.Query()
	f := experience.Filter{State: experience.State(q.Get("state")), Year: strings.TrimSpace(q.Get("year"))}
	items, err := s.platform.Experiences.List(r.Context(), p.User, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = experiencesData{Items: items, States: experience.States, State: string(f.State), Year: f.Year,
		CanCreate: p.CanAny(string(auth.ExperienceDesign))}
	s.render(w, r, http.StatusOK, "experiences", p)
}

// --- the design form ---

// designData is what the design form shows: the choices made (school,
// company, class, standard and path), the fields of the design, and the
// standard's rows for the path as nested checkboxes.
type designData struct {
	// Experience is nil for a new design.
	Experience *experience.Experience
	Choices    *experience.Choices
	// Areas are the published sectors' paths, "sector|path", for a new
	// design.
	Areas    []option
	Area     string
	Standard *competence.Standard
	Path     *competence.Path
	Rows     []rowCompetence
	Form     *form
}

// Ready reports whether everything the design needs is chosen, so the
// form can be shown.
func (d *designData) Ready() bool {
	return d.Choices != nil && d.Choices.School != "" && d.Choices.Company != "" && d.Choices.Class != nil && d.Path != nil
}

// The standard's rows for a path, as the form nests them.
type rowCompetence struct {
	Code  string
	Title competence.Text
	ADA   []rowADA
}

type rowADA struct {
	competence.ADA
	Results []rowResult
}

type rowResult struct {
	Code       string
	Title      competence.Text
	Activities []rowActivity
}

type rowActivity struct {
	N         int
	Title     competence.Text
	Key       string // competence|ADA|RA|n: the error key of the activity
	Evidences []rowEvidence
}

type rowEvidence struct {
	N     int
	Text  competence.Text
	Value string // competence|ADA|RA|activity|evidence
}

// rowsOf lists the competences of path that apply to schools of type st,
// with their ADA, expected results, activities and evidences.
func rowsOf(std *competence.Standard, path *competence.Path, st competence.SchoolType) []rowCompetence {
	var out []rowCompetence
	for _, pc := range path.Competences {
		if !slices.Contains(pc.SchoolTypes, st) {
			continue
		}
		c, ok := std.Competence(pc.Code)
		if !ok {
			continue
		}
		rc := rowCompetence{Code: c.Code, Title: c.Title}
		for _, ada := range c.ADA {
			ra := rowADA{ADA: ada}
			for _, res := range ada.Results {
				rr := rowResult{Code: res.Code, Title: res.Title}
				for i, act := range res.Activities {
					key := fmt.Sprintf("%s|%s|%s|%d", c.Code, ada.Code, res.Code, i+1)
					rowA := rowActivity{N: i + 1, Title: act.Title, Key: key}
					for j, ev := range act.Evidences {
						rowA.Evidences = append(rowA.Evidences, rowEvidence{N: j + 1, Text: ev.Text, Value: fmt.Sprintf("%s|%d", key, j+1)})
					}
					rr.Activities = append(rr.Activities, rowA)
				}
				ra.Results = append(ra.Results, rr)
			}
			rc.ADA = append(rc.ADA, ra)
		}
		out = append(out, rc)
	}
	return out
}

// FieldID turns a form key (C1|ADA.10.02.02|RA1|1|2) into an HTML id.
func (d *designData) FieldID(prefix, key string) string {
	return prefix + "-" + idUnsafe.ReplaceAllString(key, "-")
}

var idUnsafe = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// evidenceValue reads a ticked evidence, C1|ADA.10.02.02|RA1|1|2.
func evidenceValue(v string) (experience.EvidenceRef, bool) {
	parts := strings.Split(v, "|")
	if len(parts) != 5 {
		return experience.EvidenceRef{}, false
	}
	a, err1 := strconv.Atoi(parts[3])
	e, err2 := strconv.Atoi(parts[4])
	if err1 != nil || err2 != nil || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return experience.EvidenceRef{}, false
	}
	return experience.EvidenceRef{Competence: parts[0], ADA: parts[1], Result: parts[2], Activity: a, Evidence: e}, true
}

// designOf reads a design from the form: a ticked evidence selects its
// activity and its competence, in the order the form sends them (the
// standard's). An unreadable value is a problem of the field "evidences".
func designOf(f url.Values) (experience.Design, attesta.FieldErrors) {
	hours, err := strconv.Atoi(strings.TrimSpace(f.Get("planned_hours")))
	if err != nil {
		hours = 0 // the domain says the range
	}
	d := experience.Design{Title: f.Get("title"), Path: f.Get("path"), Students: slices.Clone(f["student"]),
		SchoolTutor: f.Get("school_tutor"), CompanyTutor: f.Get("company_tutor"), Start: f.Get("start"), End: f.Get("end"),
		PlannedHours: hours, HoursException: f.Get("hours_exception")}
	var fe attesta.FieldErrors
	for _, v := range f["evidence"] {
		ref, ok := evidenceValue(v)
		if !ok {
			fe.Problem("evidences", "err.web.experience.evidence", v)
			continue
		}
		ci := slices.IndexFunc(d.Competences, func(c experience.PlannedCompetence) bool { return c.Code == ref.Competence })
		if ci < 0 {
			d.Competences = append(d.Competences, experience.PlannedCompetence{Code: ref.Competence})
			ci = len(d.Competences) - 1
		}
		c := &d.Competences[ci]
		ai := slices.IndexFunc(c.Activities, func(a experience.PlannedActivity) bool {
			return a.ADA == ref.ADA && a.Result == ref.Result && a.Activity == ref.Activity
		})
		if ai < 0 {
			c.Activities = append(c.Activities, experience.PlannedActivity{ADA: ref.ADA, Result: ref.Result, Activity: ref.Activity})
			ai = len(c.Activities) - 1
		}
		if a := &c.Activities[ai]; !slices.Contains(a.Evidences, ref.Evidence) {
			a.Evidences = append(a.Evidences, ref.Evidence)
		}
	}
	return d, fe
}

// designValues are the form's values of a design, for a form that
// changes it.
func designValues(d experience.Design) url.Values {
	v := url.Values{"title": {d.Title}, "path": {d.Path}, "student": d.Students, "school_tutor": {d.SchoolTutor},
		"company_tutor": {d.CompanyTutor}, "start": {d.Start}, "end": {d.End}, "planned_hours": {strconv.Itoa(d.PlannedHours)},
		"hours_exception": {d.HoursException}}
	for _, ref := range d.Rows() {
		v.Add("evidence", fmt.Sprintf("%s|%s|%s|%d|%d", ref.Competence, ref.ADA, ref.Result, ref.Activity, ref.Evidence))
	}
	return v
}

var fieldIndex = regexp.MustCompile(`^(students|competences)\[(\d+)\](?:\.activities\[(\d+)\](?:\.evidences\[(\d+)\])?)?$`)

// placeErrors moves the domain's problems, which name the design's
// fields by position (competences[0].activities[1].evidences[0]), to the
// form's fields (evidence:C1|ADA.10.02.02|RA1|1|2), and lists them all
// for the summary at the top of the form.
func placeErrors(f *form, d *experience.Design) {
	moved := map[string]string{}
	for field, msg := range f.Errors {
		f.Summary = append(f.Summary, msg)
		key := field
		if m := fieldIndex.FindStringSubmatch(field); m != nil {
			i, _ := strconv.Atoi(m[2])
			switch {
			case m[1] == "students" && i < len(d.Students):
				key = "student:" + d.Students[i]
			case m[1] == "competences" && i < len(d.Competences):
				c := d.Competences[i]
				key = "competence:" + c.Code
				if m[3] != "" {
					j, _ := strconv.Atoi(m[3])
					if j < len(c.Activities) {
						a := c.Activities[j]
						key = fmt.Sprintf("activity:%s|%s|%s|%d", c.Code, a.ADA, a.Result, a.Activity)
						if m[4] != "" {
							if k, _ := strconv.Atoi(m[4]); k < len(a.Evidences) {
								key = fmt.Sprintf("evidence:%s|%s|%s|%d|%d", c.Code, a.ADA, a.Result, a.Activity, a.Evidences[k])
							}
						}
					}
				}
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

// areas lists the paths of the published standards, as "sector|path".
func (s *Site) areas(p *page) ([]option, error) {
	infos, err := s.standards.Sectors(p.ctx(), nil)
	if err != nil {
		return nil, err
	}
	var out []option
	for _, in := range infos {
		if in.Status != competence.Published {
			continue
		}
		st, err := s.standards.Current(p.ctx(), nil, in.Sector)
		if err != nil {
			return nil, err
		}
		for _, pa := range st.Paths {
			out = append(out, option{in.Sector + "|" + pa.ID, p.In(st.Title) + " · " + p.In(pa.Title)})
		}
	}
	return out, nil
}

// newExperiencePage shows the choices of a new experience and, once they
// are made, the design form. The choices come from the query (the GET
// form of the choices) or from the design form posted back with f.
func (s *Site) newExperiencePage(w http.ResponseWriter, r *http.Request, status int, f *form) {
	p := s.userPage(w, r, "experience.new.title", crumb{p0(s, w, r, "experiences.title"), "/experiences"}, crumb{Label: p0(s, w, r, "experience.new.title")})
	if err := auth.Decide(p.User, auth.ExperienceDesign, auth.Anywhere); err != nil {
		s.fail(w, r, err)
		return
	}
	get := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
	ch, err := s.platform.Experiences.Choices(r.Context(), p.User, get("school"), get("company"), get("class"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := designData{Choices: ch, Form: f}
	if d.Areas, err = s.areas(p); err != nil {
		s.fail(w, r, err)
		return
	}
	area := get("area")
	if area == "" && get("sector") != "" {
		area = get("sector") + "|" + get("path")
	}
	if slices.ContainsFunc(d.Areas, func(o option) bool { return o.Value == area }) {
		d.Area = area
		sector, path, _ := strings.Cut(area, "|")
		if d.Standard, err = s.standards.Current(r.Context(), nil, sector); err != nil {
			s.fail(w, r, err)
			return
		}
		if v, _ := strconv.Atoi(get("version")); v > 0 && v != d.Standard.Version {
			// The form was made for another version: show the rows of the
			// one it was made for, so the ticks still mean the same rows.
			if st, err := s.standards.Version(r.Context(), nil, sector, v); err == nil {
				d.Standard = st
			}
		}
		for i := range d.Standard.Paths {
			if d.Standard.Paths[i].ID == path {
				d.Path = &d.Standard.Paths[i]
			}
		}
	}
	if d.Ready() {
		d.Rows = rowsOf(d.Standard, d.Path, ch.SchoolType)
	}
	if d.Form == nil {
		d.Form = &form{Values: url.Values{}}
	}
	p.Data = &d
	s.render(w, r, status, "design", p)
}

func (s *Site) newExperience(w http.ResponseWriter, r *http.Request) {
	s.newExperiencePage(w, r, http.StatusOK, nil)
}

func (s *Site) createExperience(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	f := r.PostForm
	d, fe := designOf(f)
	version, _ := strconv.Atoi(f.Get("version"))
	var e *experience.Experience
	err := fe.Err()
	if err == nil {
		e, err = s.platform.Experiences.Create(r.Context(), principal(r), experience.New{School: f.Get("school"), Company: f.Get("company"),
			Class: f.Get("class"), Sector: f.Get("sector"), Version: version, Design: d})
	}
	if err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		placeErrors(fm, &d)
		s.newExperiencePage(w, r, httpstatus.Of(err), fm)
		return
	}
	http.Redirect(w, r, "/experiences/"+e.ID, http.StatusSeeOther)
}

// editPage shows the design form for a change of experience id's design.
func (s *Site) editPage(w http.ResponseWriter, r *http.Request, status int, f *form) {
	p := s.userPage(w, r, "experience.edit.title")
	v, err := s.platform.Experiences.Get(r.Context(), p.User, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := auth.Decide(p.User, auth.ExperienceDesign, v.Object(p.User)); err != nil {
		s.fail(w, r, err)
		return
	}
	if _, ok := experience.SideOf(p.User, &v.Experience); !ok {
		s.fail(w, r, attesta.E(attesta.Forbidden, "err.experience.side"))
		return
	}
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{p.T("experiences.title"), "/experiences"}, crumb{v.Design.Title, "/experiences/" + v.ID}, crumb{Label: p.Title})
	ch, err := s.platform.Experiences.Choices(r.Context(), p.User, v.School, v.Company, v.Class)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.standards.Version(r.Context(), nil, v.Sector, v.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if f == nil {
		f = &form{Values: designValues(v.Design)}
	}
	path := f.V("path")
	if q := r.URL.Query().Get("path"); q != "" && r.Method == http.MethodGet {
		path = q
		f.Values.Set("path", q)
	}
	d := designData{Experience: &v.Experience, Choices: ch, Standard: st, Form: f}
	for i := range st.Paths {
		if st.Paths[i].ID == path {
			d.Path = &st.Paths[i]
		}
	}
	if d.Path != nil {
		d.Rows = rowsOf(st, d.Path, ch.SchoolType)
	}
	p.Data = &d
	s.render(w, r, status, "design", p)
}

func (s *Site) editExperience(w http.ResponseWriter, r *http.Request) {
	s.editPage(w, r, http.StatusOK, nil)
}

func (s *Site) saveDesign(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	id := r.PathValue("id")
	d, fe := designOf(r.PostForm)
	seen, _ := strconv.Atoi(r.PostForm.Get("revision"))
	err := fe.Err()
	if err == nil {
		_, err = s.platform.Experiences.Edit(r.Context(), principal(r), id, seen, d)
	}
	if err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		placeErrors(fm, &d)
		s.editPage(w, r, httpstatus.Of(err), fm)
		return
	}
	http.Redirect(w, r, "/experiences/"+id, http.StatusSeeOther)
}

// --- the experience ---

// experienceData is what the experience's page shows.
type experienceData struct {
	View     *experience.View
	Standard *competence.Standard
	Path     *competence.Path
	Planned  []plannedRow
	Side     experience.Side // "" when the user signs for neither side
	// What the user may do now: the forms the page offers.
	SignOff, Edit, Start, Close, Cancel, Record bool
	// Latest is the latest revision; Previous its number minus one.
	Latest    *experience.Revision
	Records   []recordRow
	Trail     []auditRow
	Action    *form            // a refused sign-off, start, close or cancel
	Hours     *form            // a refused record of hours
	Correct   map[string]*form // a refused correction, by record
	Revisions []int
	// Files are each student's observation sheet and evidence dossier,
	// those the user may see.
	Files []studentFiles
}

// studentFiles links a student's observation sheet and dossier, with
// their states; an empty address is one the user may not open.
type studentFiles struct {
	Student      string
	Sheet        string
	SheetState   observation.State
	SheetVersion int
	Dossier      string
	DossierState dossier.State
}

// plannedRow is a planned evidence with the standard's texts.
type plannedRow struct {
	Ref        experience.EvidenceRef
	Competence competence.Text
	Activity   competence.Text
	Evidence   competence.Text
	// First* say where a new competence or activity begins.
	FirstOfCompetence, FirstOfActivity bool
}

// recordRow is a record of hours with who corrected it, if anyone did.
type recordRow struct {
	experience.Attendance
	Student       string
	CorrectedBy   string
	CorrectedRole auth.Role
}

func (s *Site) experiencePage(w http.ResponseWriter, r *http.Request, status int, d experienceData) {
	p := s.userPage(w, r, "experiences.title")
	v, err := s.platform.Experiences.Get(r.Context(), p.User, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title = v.Design.Title
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{p.T("experiences.title"), "/experiences"}, crumb{Label: v.Design.Title})
	d.View = v
	if d.Standard, err = s.standards.Version(r.Context(), nil, v.Sector, v.Version); err != nil {
		s.fail(w, r, err)
		return
	}
	for i := range d.Standard.Paths {
		if d.Standard.Paths[i].ID == v.Design.Path {
			d.Path = &d.Standard.Paths[i]
		}
	}
	var last experience.EvidenceRef
	for i, ref := range v.Design.Rows() {
		row := plannedRow{Ref: ref, FirstOfCompetence: i == 0 || ref.Competence != last.Competence,
			FirstOfActivity: i == 0 || ref.Competence != last.Competence || ref.ADA != last.ADA || ref.Result != last.Result || ref.Activity != last.Activity}
		if c, ok := d.Standard.Competence(ref.Competence); ok {
			row.Competence = c.Title
		}
		if ev, act, ok := experience.Evidence(d.Standard, ref); ok {
			row.Evidence, row.Activity = ev.Text, act.Title
		}
		d.Planned = append(d.Planned, row)
		last = ref
	}
	if n := len(v.Revisions); n > 0 {
		d.Latest = &v.Revisions[n-1]
	}
	for _, rv := range v.Revisions {
		d.Revisions = append(d.Revisions, rv.Number)
	}
	obj := v.Object(p.User)
	if side, ok := experience.SideOf(p.User, &v.Experience); ok {
		d.Side = side
		st := v.State
		signed := d.Latest != nil && (side == experience.SchoolSide && d.Latest.School != nil || side == experience.CompanySide && d.Latest.Company != nil)
		d.SignOff = p.Can(auth.ExperienceDesign, obj) && st.Allows(experience.Approve) == nil && !signed
		d.Edit = p.Can(auth.ExperienceDesign, obj) && st.Allows(experience.Edit) == nil
		manage := p.Can(auth.ExperienceManage, obj)
		d.Start = manage && st.Allows(experience.Start) == nil
		d.Cancel = manage && st.Allows(experience.Cancel) == nil
		allHours := len(v.Totals) > 0 && !slices.ContainsFunc(v.Totals, func(t experience.Total) bool { return t.Minutes == 0 })
		d.Close = manage && st.Allows(experience.Finish) == nil && v.Agreed == v.Revision && allHours
		d.Record = p.Can(auth.HoursRecord, obj) && st.Allows(experience.Record) == nil
	}
	for _, a := range v.Attendances {
		row := recordRow{Attendance: a, Student: v.Names[a.Student]}
		if row.Student == "" {
			row.Student = a.Student
		}
		for _, b := range v.Attendances {
			if b.Supersedes == a.ID {
				row.CorrectedBy, row.CorrectedRole = b.ByName, b.ByRole
			}
		}
		d.Records = append(d.Records, row)
	}
	trail, err := s.platform.Experiences.Trail(r.Context(), p.User, v.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Trail = p.experienceTrail(trail, v.Names)
	if d.Correct == nil {
		d.Correct = map[string]*form{}
	}
	if d.Files, err = s.studentFiles(r, p, v); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = d
	s.render(w, r, status, "experience", p)
}

// studentFiles lists, for each student of the experience the user may
// see, the sheet and the dossier the user may open: a service that
// refuses (not agreed yet, not submitted for a student, out of reach)
// leaves its link out.
func (s *Site) studentFiles(r *http.Request, p *page, v *experience.View) ([]studentFiles, error) {
	var out []studentFiles
	for _, st := range v.Design.Students {
		q := url.Values{"experience": {v.ID}, "student": {st}}.Encode()
		f := studentFiles{Student: or(v.Names[st], st)}
		if s.platform.Sheets != nil {
			sv, err := s.platform.Sheets.Sheet(r.Context(), p.User, v.ID, st)
			switch code := attesta.ErrorCode(err); {
			case err == nil:
				f.Sheet, f.SheetState, f.SheetVersion = "/sheets/"+observation.SheetID(v.ID, st)+"?"+q, sv.Current().State, sv.Current().Version
			case code != attesta.NotFound && code != attesta.Conflict && code != attesta.Forbidden:
				return nil, err
			}
		}
		if s.platform.Dossiers != nil {
			dv, err := s.platform.Dossiers.Get(r.Context(), p.User, v.ID, st)
			switch code := attesta.ErrorCode(err); {
			case err == nil:
				f.Dossier, f.DossierState = "/dossiers/"+dossier.ID(v.ID, st)+"?"+q, dv.State
			case code != attesta.NotFound && code != attesta.Conflict && code != attesta.Forbidden:
				return nil, err
			}
		}
		if f.Sheet != "" || f.Dossier != "" {
			out = append(out, f)
		}
	}
	return out, nil
}

// experienceTrail presents the experience's trail: each entry's change in
// words, persons by name.
func (p *page) experienceTrail(entries []audit.Entry, names map[string]string) []auditRow {
	rows := p.auditRows(entries)
	for i := range rows {
		for j := range rows[i].Changes {
			c := &rows[i].Changes[j]
			if n, ok := names[c.Before]; ok {
				c.Before = n
			}
			if n, ok := names[c.After]; ok {
				c.After = n
			}
		}
	}
	return rows
}

func (s *Site) experienceView(w http.ResponseWriter, r *http.Request) {
	s.experiencePage(w, r, http.StatusOK, experienceData{})
}

// move runs a sign-off or a change of state posted by the page; a refusal
// shows the page again with the reason.
func (s *Site) move(do func(r *http.Request, id string, seen int) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.parsed(w, r) {
			return
		}
		id := r.PathValue("id")
		seen, err := strconv.Atoi(r.PostForm.Get("revision"))
		if err != nil {
			seen = 0 // the service says it is not the latest
		}
		if err := do(r, id, seen); err != nil {
			f, ok := s.formError(s.newPage(w, r), r, err)
			if !ok {
				s.fail(w, r, err)
				return
			}
			if f.Error == "" {
				for _, m := range f.Errors {
					f.Summary = append(f.Summary, m)
				}
			}
			s.experiencePage(w, r, httpstatus.Of(err), experienceData{Action: f})
			return
		}
		http.Redirect(w, r, "/experiences/"+id, http.StatusSeeOther)
	}
}

func (s *Site) signOff(r *http.Request, id string, seen int) error {
	_, err := s.platform.Experiences.SignOff(r.Context(), principal(r), id, seen)
	return err
}

func (s *Site) startExperience(r *http.Request, id string, seen int) error {
	_, err := s.platform.Experiences.Start(r.Context(), principal(r), id, seen)
	return err
}

func (s *Site) closeExperience(r *http.Request, id string, seen int) error {
	_, err := s.platform.Experiences.Close(r.Context(), principal(r), id, seen)
	return err
}

func (s *Site) cancelExperience(r *http.Request, id string, _ int) error {
	_, err := s.platform.Experiences.Cancel(r.Context(), principal(r), id, r.PostForm.Get("reason"))
	return err
}

// minutesOf reads hours as a person writes them: 8, 7,5, 7.5 or 7:30. What
// cannot be read is -1 minutes, which the service refuses with its words.
func minutesOf(s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	if h, m, ok := strings.Cut(s, ":"); ok {
		hh, err1 := strconv.Atoi(h)
		mm, err2 := strconv.Atoi(m)
		if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 {
			return -1
		}
		return hh*60 + mm
	}
	h, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || h < 0 || math.IsInf(h, 0) || math.IsNaN(h) || h > 1e6 {
		return -1
	}
	return int(math.Round(h * 60))
}

func (s *Site) recordHours(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	id, f := r.PathValue("id"), r.PostForm
	in := experience.HoursInput{Student: f.Get("student"), Day: f.Get("day"), Weekly: f.Get("weekly") == "on",
		Minutes: minutesOf(f.Get("hours")), Activity: f.Get("activity"), Corrects: f.Get("corrects")}
	a, err := s.platform.Experiences.RecordHours(r.Context(), principal(r), id, in)
	if err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		d := experienceData{Hours: fm}
		if in.Corrects != "" {
			d.Hours, d.Correct = nil, map[string]*form{in.Corrects: fm}
		}
		s.experiencePage(w, r, httpstatus.Of(err), d)
		return
	}
	http.Redirect(w, r, "/experiences/"+id+"#record-"+a.ID, http.StatusSeeOther)
}

// --- comparing revisions ---

// changeRow is one change between two revisions, in words.
type changeRow struct {
	Field, Before, After string
}

func (s *Site) compareRevisions(w http.ResponseWriter, r *http.Request) {
	p := s.userPage(w, r, "experience.compare.title")
	v, err := s.platform.Experiences.Get(r.Context(), p.User, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	to, err := strconv.Atoi(q.Get("to"))
	if err != nil {
		to = v.Revision
	}
	from, err := strconv.Atoi(q.Get("from"))
	if err != nil {
		from = max(to-1, 1)
	}
	changes, err := s.platform.Experiences.Compare(r.Context(), p.User, v.ID, from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.standards.Version(r.Context(), nil, v.Sector, v.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{p.T("experiences.title"), "/experiences"}, crumb{v.Design.Title, "/experiences/" + v.ID}, crumb{Label: p.Title})
	var rows []changeRow
	for _, c := range changes {
		rows = append(rows, p.changeWords(c, v.Names, st))
	}
	var numbers []int
	for _, rv := range v.Revisions {
		numbers = append(numbers, rv.Number)
	}
	p.Data = struct {
		View      *experience.View
		From, To  int
		Changes   []changeRow
		Revisions []int
	}{v, from, to, rows, numbers}
	s.render(w, r, http.StatusOK, "compare", p)
}

// changeWords says a change of experience.Diff in the page's language:
// the field by name, persons by name, competences with their titles,
// activities with the standard's words.
func (p *page) changeWords(c experience.Change, names map[string]string, st *competence.Standard) changeRow {
	person := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
	comp := func(code string) string {
		if cc, ok := st.Competence(code); ok && code != "" {
			return code + " · " + p.In(cc.Title)
		}
		return code
	}
	out := changeRow{Field: c.Field, Before: c.Before, After: c.After}
	switch field := c.Field; {
	case field == "title" || field == "start" || field == "end" || field == "planned_hours" || field == "hours_exception" || field == "path":
		out.Field = p.Lookup("experience.field.", field)
		if field == "start" || field == "end" {
			out.Before, out.After = p.Day(c.Before), p.Day(c.After)
		}
		if field == "path" {
			for _, pa := range st.Paths {
				if pa.ID == c.Before {
					out.Before = p.In(pa.Title)
				}
				if pa.ID == c.After {
					out.After = p.In(pa.Title)
				}
			}
		}
	case field == "school_tutor" || field == "company_tutor" || field == "students":
		out.Field = p.Lookup("experience.field.", field)
		out.Before, out.After = person(c.Before), person(c.After)
		if c.Before == "" {
			out.Before = ""
		}
		if c.After == "" {
			out.After = ""
		}
	case field == "competences":
		out.Field = p.T("experience.field.competences")
		out.Before, out.After = comp(c.Before), comp(c.After)
	case strings.HasSuffix(field, ".activities"):
		out.Field = p.T("experience.field.activities", comp(strings.TrimSuffix(field, ".activities")))
		out.Before, out.After = activityWords(p, st, strings.TrimSuffix(field, ".activities"), c.Before), activityWords(p, st, strings.TrimSuffix(field, ".activities"), c.After)
	case strings.HasSuffix(field, ".evidences"):
		code, act, _ := strings.Cut(strings.TrimSuffix(field, ".evidences"), "/")
		out.Field = p.T("experience.field.evidences", activityWords(p, st, code, act))
	}
	return out
}

// activityWords says an activity of Diff (ADA.10.02.02/RA1/A2) with the
// standard's title.
func activityWords(p *page, st *competence.Standard, code, key string) string {
	if key == "" {
		return ""
	}
	parts := strings.Split(key, "/")
	if len(parts) != 3 {
		return key
	}
	n, err := strconv.Atoi(strings.TrimPrefix(parts[2], "A"))
	if err != nil {
		return key
	}
	if _, act, ok := experience.Evidence(st, experience.EvidenceRef{Competence: code, ADA: parts[0], Result: parts[1], Activity: n, Evidence: 1}); ok {
		return fmt.Sprintf("%s %s %s · %s", parts[0], parts[1], parts[2], p.In(act.Title))
	}
	return key
}

// Hours says minutes as hours: "7,5 h" ("7.5 h" in English).
func (p *page) Hours(minutes int) string {
	h := strconv.FormatFloat(float64(minutes)/60, 'f', -1, 64)
	if i := strings.Index(h, "."); i >= 0 && len(h) > i+3 {
		h = strconv.FormatFloat(float64(minutes)/60, 'f', 2, 64)
	}
	if p.Lang == "it" {
		h = strings.Replace(h, ".", ",", 1)
	}
	return p.T("experience.hours.value", h)
}

// StateClass is the class of a state's badge (attesta.css gives each a
// colour that keeps white text readable).
func (p *page) StateClass(st experience.State) string { return "state-" + string(st) }
