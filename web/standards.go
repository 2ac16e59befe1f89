package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/internal/httpstatus"
)

// The editor of the national competence standards: the national body edits
// a sector's draft one part at a time — the header (title, description,
// levels, observation scale, micro-credential defaults), a path, a
// competence — each part a server-rendered form that posts the whole part.
//
// A form's field names are the paths competence.Validate gives its
// problems, relative to the part ("ada[0].results[1].code",
// "microcredential.eqf_level"), so each problem lands beside its field. Rows
// are added, removed and moved up by submit buttons named "op", which
// change the values as typed and show the form again without saving:
// nothing typed is lost, with or without JavaScript. A save with problems
// changes nothing and shows the form again with what was typed.

// editForm is a form of one part of a draft.
type editForm struct {
	Values  url.Values
	Errors  map[string]string // field → its problems, in the page's language
	General []string          // problems that belong to no field of the form
}

// newEditForm returns a form showing values.
func newEditForm(values url.Values) *editForm {
	return &editForm{Values: values, Errors: map[string]string{}}
}

// V returns the value of a field.
func (f *editForm) V(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// E returns the problems of a field.
func (f *editForm) E(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Checked reports whether a box of a group of checkboxes is ticked.
func (f *editForm) Checked(name, value string) bool {
	return f != nil && slices.Contains(f.Values[name], value)
}

// Failed reports whether the form shows problems.
func (f *editForm) Failed() bool { return f != nil && (len(f.Errors) > 0 || len(f.General) > 0) }

// Items returns the names of the rows of a list ("ada" → "ada[0]",
// "ada[1]"…), as many as the values have.
func (f *editForm) Items(list string) []string {
	if f == nil {
		return nil
	}
	n := 0
	for k := range f.Values {
		if i, _, ok := itemOf(k, list); ok {
			n = max(n, i+1)
		}
	}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s[%d]", list, i)
	}
	return out
}

// itemOf reads the row of list that field name is in: "ada[2].code" is
// row 2 of "ada", with the rest ".code".
func itemOf(name, list string) (int, string, bool) {
	rest, ok := strings.CutPrefix(name, list+"[")
	if !ok {
		return 0, "", false
	}
	end := strings.IndexByte(rest, ']')
	if end < 1 {
		return 0, "", false
	}
	i, err := strconv.Atoi(rest[:end])
	if err != nil || i < 0 || i > maxRows {
		return 0, "", false
	}
	return i, rest[end+1:], true
}

// maxRows bounds a list of a form.
const maxRows = 500

// fieldID is the HTML id of a field: "f-ada-0-code".
func fieldID(name string) string {
	return "f-" + strings.Trim(nonWord.ReplaceAllString(name, "-"), "-")
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

// place puts each problem beside the field it is about: the field named by
// its path, or by the nearest part of it the form has (a value, or one of
// groups: a group of checkboxes, a fieldset). The rest are General.
func (f *editForm) place(ps competence.Problems, lang string, groups ...string) {
	known := func(name string) bool { return f.Values.Has(name) || slices.Contains(groups, name) }
	for _, p := range ps {
		name := p.Path
		for name != "" && !known(name) {
			if strings.HasSuffix(name, "]") {
				name = name[:strings.LastIndexByte(name, '[')]
			} else if i := strings.LastIndexByte(name, '.'); i >= 0 {
				name = name[:i]
			} else {
				name = ""
			}
		}
		if name == "" {
			f.General = append(f.General, strings.TrimPrefix(p.Where(lang)+": ", ": ")+p.In(lang))
			continue
		}
		if f.Errors[name] != "" {
			f.Errors[name] += "; "
		}
		f.Errors[name] += p.In(lang)
	}
}

// placeFields puts field errors (of the form's own reading) beside their
// fields.
func (f *editForm) placeFields(fe attesta.FieldErrors, lang string) {
	for _, e := range fe {
		if f.Errors[e.Field] != "" {
			f.Errors[e.Field] += "; "
		}
		f.Errors[e.Field] += e.In(lang)
	}
}

// firstFields are the field that makes a new row of each kind of list.
var firstFields = map[string]string{
	"ada": ".code", "results": ".code", "activities": ".title.it", "evidences": ".text.it",
	"esco": ".uri", "competences": ".code",
}

// applyOp changes the rows of values as op asks — "add:LIST",
// "remove:LIST[i]", "up:LIST[i]" — and reports whether op was one.
func applyOp(values url.Values, op string) bool {
	verb, target, ok := strings.Cut(op, ":")
	if !ok || target == "" {
		return false
	}
	if verb == "add" {
		last := target[strings.LastIndexByte(target, '.')+1:]
		first, ok := firstFields[last]
		if !ok {
			return false
		}
		n := len((&editForm{Values: values}).Items(target))
		if n >= maxRows {
			return true
		}
		values.Set(fmt.Sprintf("%s[%d]%s", target, n, first), "")
		return true
	}
	open := strings.LastIndexByte(target, '[')
	if open < 1 || !strings.HasSuffix(target, "]") {
		return false
	}
	list := target[:open]
	i, err := strconv.Atoi(target[open+1 : len(target)-1])
	if err != nil || i < 0 {
		return false
	}
	switch verb {
	case "remove":
		renumber(values, list, func(j int) int {
			switch {
			case j == i:
				return -1
			case j > i:
				return j - 1
			}
			return j
		})
	case "up":
		if i == 0 {
			return true
		}
		renumber(values, list, func(j int) int {
			switch j {
			case i:
				return i - 1
			case i - 1:
				return i
			}
			return j
		})
	default:
		return false
	}
	return true
}

// renumber moves the rows of list: row j becomes row to(j), or goes when
// to(j) is -1.
func renumber(values url.Values, list string, to func(int) int) {
	moved := url.Values{}
	for k, v := range values {
		j, rest, ok := itemOf(k, list)
		if !ok {
			continue
		}
		delete(values, k)
		if n := to(j); n >= 0 {
			moved[fmt.Sprintf("%s[%d]%s", list, n, rest)] = v
		}
	}
	for k, v := range moved {
		values[k] = v
	}
}

// --- from a part of a standard to a form, and back ---

func putText(v url.Values, name string, t competence.Text) {
	v.Set(name+".it", t.IT)
	v.Set(name+".en", t.EN)
}

func putNumber[N int | float64](v url.Values, name string, n N) {
	if n == 0 {
		v.Set(name, "")
		return
	}
	v.Set(name, strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(float64(n), 'f', 2, 64), "0"), "."))
}

func putMicroCredential(v url.Values, p string, m competence.MicroCredential) {
	putNumber(v, p+".eqf_level", m.EQFLevel)
	putNumber(v, p+".qnq_level", m.QNQLevel)
	v.Set(p+".isced_f", m.ISCEDF)
	putNumber(v, p+".workload_hours", m.WorkloadHours)
	putNumber(v, p+".credits", m.Credits)
	putText(v, p+".workload", m.Workload)
	for _, mode := range m.LearningModes {
		v.Add(p+".learning_modes", string(mode))
	}
	putText(v, p+".assessment", m.Assessment)
	putText(v, p+".quality_assurance", m.QualityAssurance)
	for i, e := range m.ESCO {
		ep := fmt.Sprintf("%s.esco[%d]", p, i)
		v.Set(ep+".uri", e.URI)
		putText(v, ep+".title", e.Title)
	}
	putText(v, p+".prerequisites", m.Prerequisites)
}

func headerValues(s *competence.Standard) url.Values {
	v := url.Values{}
	putText(v, "title", s.Title)
	putText(v, "description", s.Description)
	for _, l := range s.Levels {
		v.Add("levels", string(l))
	}
	for i := range competence.ScaleLevels {
		var l competence.ScaleLevel
		if i < len(s.Scale) {
			l = s.Scale[i]
		}
		putText(v, fmt.Sprintf("observation_scale[%d].label", i), l.Label)
		putText(v, fmt.Sprintf("observation_scale[%d].description", i), l.Description)
	}
	putMicroCredential(v, "microcredential", s.Defaults)
	return v
}

func pathValues(pa *competence.Path) url.Values {
	v := url.Values{}
	putText(v, "title", pa.Title)
	putText(v, "description", pa.Description)
	for i, pc := range pa.Competences {
		cp := fmt.Sprintf("competences[%d]", i)
		v.Set(cp+".code", pc.Code)
		for _, t := range pc.SchoolTypes {
			v.Add(cp+".school_types", string(t))
		}
	}
	return v
}

func competenceValues(c *competence.Competence) url.Values {
	v := url.Values{}
	putText(v, "title", c.Title)
	putText(v, "description", c.Description)
	for i, a := range c.ADA {
		ap := fmt.Sprintf("ada[%d]", i)
		v.Set(ap+".code", a.Code)
		v.Set(ap+".former_code", a.FormerCode)
		putText(v, ap+".title", a.Title)
		for j, r := range a.Results {
			rp := fmt.Sprintf("%s.results[%d]", ap, j)
			v.Set(rp+".code", r.Code)
			putText(v, rp+".title", r.Title)
			for k, act := range r.Activities {
				acp := fmt.Sprintf("%s.activities[%d]", rp, k)
				putText(v, acp+".title", act.Title)
				for e, ev := range act.Evidences {
					putText(v, fmt.Sprintf("%s.evidences[%d].text", acp, e), ev.Text)
				}
			}
		}
	}
	putMicroCredential(v, "microcredential", c.MicroCredential)
	return v
}

// reader reads a part of a standard from a form. Texts are trimmed and
// their line ends made "\n"; a number that is not one is a problem of its
// field.
type reader struct {
	f  *editForm
	fe attesta.FieldErrors
}

func (r *reader) str(name string) string {
	return strings.TrimSpace(strings.ReplaceAll(r.f.V(name), "\r\n", "\n"))
}

func (r *reader) text(name string) competence.Text {
	return competence.Text{IT: r.str(name + ".it"), EN: r.str(name + ".en")}
}

func (r *reader) int(name string) int {
	s := r.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		r.fe.Problem(name, "err.web.standard.integer", s)
	}
	return n
}

func (r *reader) float(name string) float64 {
	s := r.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil {
		r.fe.Problem(name, "err.web.standard.number", s)
	}
	return n
}

func (r *reader) microCredential(p string) competence.MicroCredential {
	m := competence.MicroCredential{
		EQFLevel: r.int(p + ".eqf_level"), QNQLevel: r.int(p + ".qnq_level"), ISCEDF: r.str(p + ".isced_f"),
		WorkloadHours: r.int(p + ".workload_hours"), Credits: r.float(p + ".credits"), Workload: r.text(p + ".workload"),
		Assessment: r.text(p + ".assessment"), QualityAssurance: r.text(p + ".quality_assurance"), Prerequisites: r.text(p + ".prerequisites"),
	}
	for _, mode := range r.f.Values[p+".learning_modes"] {
		m.LearningModes = append(m.LearningModes, competence.LearningMode(mode))
	}
	for _, ep := range r.f.Items(p + ".esco") {
		m.ESCO = append(m.ESCO, competence.ESCOAlignment{URI: r.str(ep + ".uri"), Title: r.text(ep + ".title")})
	}
	return m
}

func (r *reader) header() competence.Header {
	h := competence.Header{Title: r.text("title"), Description: r.text("description"), Defaults: r.microCredential("microcredential")}
	for _, l := range r.f.Values["levels"] {
		h.Levels = append(h.Levels, competence.Level(l))
	}
	for i := range competence.ScaleLevels {
		lp := fmt.Sprintf("observation_scale[%d]", i)
		h.Scale = append(h.Scale, competence.ScaleLevel{Value: i + 1, Label: r.text(lp + ".label"), Description: r.text(lp + ".description")})
	}
	return h
}

func (r *reader) path(id string) competence.Path {
	pa := competence.Path{ID: id, Title: r.text("title"), Description: r.text("description")}
	for _, cp := range r.f.Items("competences") {
		pc := competence.PathCompetence{Code: r.str(cp + ".code")}
		for _, t := range r.f.Values[cp+".school_types"] {
			pc.SchoolTypes = append(pc.SchoolTypes, competence.SchoolType(t))
		}
		pa.Competences = append(pa.Competences, pc)
	}
	return pa
}

func (r *reader) competence(code string) competence.Competence {
	c := competence.Competence{Code: code, Title: r.text("title"), Description: r.text("description"),
		MicroCredential: r.microCredential("microcredential")}
	for _, ap := range r.f.Items("ada") {
		a := competence.ADA{Code: r.str(ap + ".code"), FormerCode: r.str(ap + ".former_code"), Title: r.text(ap + ".title")}
		for _, rp := range r.f.Items(ap + ".results") {
			res := competence.Result{Code: r.str(rp + ".code"), Title: r.text(rp + ".title")}
			for _, acp := range r.f.Items(rp + ".activities") {
				act := competence.Activity{Title: r.text(acp + ".title")}
				for _, ep := range r.f.Items(acp + ".evidences") {
					act.Evidences = append(act.Evidences, competence.Evidence{Text: r.text(ep + ".text")})
				}
				res.Activities = append(res.Activities, act)
			}
			a.Results = append(a.Results, res)
		}
		c.ADA = append(c.ADA, a)
	}
	return c
}

// --- pages ---

// draftData is what the draft's page shows: the header's form, the paths
// and competences with the forms that add one, and what the draft lacks
// to be published.
type draftData struct {
	Draft     *competence.Standard
	Published *competence.Standard // nil if the sector has none
	Header    *editForm
	AddPath   *editForm
	AddComp   *editForm
	Publish   *editForm
	Ready     []readyItem
	Levels    []competence.Level
	Modes     []competence.LearningMode
	Saved     bool // the header was just saved
}

// readyItem is one thing the draft lacks to be published, with a link to
// the part to fix.
type readyItem struct {
	Message, Where, Href string
}

// partData is what the page of a path or a competence shows.
type partData struct {
	Draft      *competence.Standard
	Path       *competence.Path
	Competence *competence.Competence
	Form       *editForm
	Inherited  competence.MicroCredential // a competence's defaults
	Types      []competence.SchoolType
	Modes      []competence.LearningMode
	Saved      bool
}

// draftVersion reads the version a form was made for; 0 (absent) means
// the sector's draft as it is now.
func draftVersion(f url.Values) int {
	v, err := strconv.Atoi(f.Get("version"))
	if err != nil || v < 0 {
		return 0
	}
	return v
}

// editRefused says whether err is for a form to show again (problems the
// user can fix); otherwise the error page says it.
func editRefused(err error) bool {
	var ps competence.Problems
	var fe attesta.FieldErrors
	switch attesta.ErrorCode(err) {
	case attesta.Invalid:
		return errors.As(err, &ps) || errors.As(err, &fe)
	case attesta.Conflict:
		return true
	}
	return false
}

// problemsOf returns the problems an error wraps.
func problemsOf(err error) competence.Problems {
	var ps competence.Problems
	errors.As(err, &ps)
	return ps
}

func (s *Site) draftCrumbs(p *page, d *competence.Standard, last string) {
	p.Breadcrumbs = []crumb{{p.T("nav.home"), "/"}, {p.In(d.Title), "/sectors/" + d.Sector}}
	if last == "" {
		p.Breadcrumbs = append(p.Breadcrumbs, crumb{Label: p.T("draft.crumb", d.Version)})
		return
	}
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{p.T("draft.crumb", d.Version), "/sectors/" + d.Sector + "/draft"}, crumb{Label: last})
}

// draftPage shows the draft of a sector, with the forms given (nil: as
// stored).
func (s *Site) draftPage(w http.ResponseWriter, r *http.Request, status int, data draftData) {
	p := s.newPage(w, r)
	p.User = principal(r)
	d, err := s.platform.Standards.Draft(r.Context(), p.User, r.PathValue("sector"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data.Draft, data.Levels, data.Modes = d, []competence.Level{competence.Tecnico, competence.Professional}, competence.LearningModes
	data.Saved = data.Header == nil && data.Publish == nil && r.URL.Query().Get("saved") != ""
	if pub, err := s.platform.Standards.Current(r.Context(), nil, d.Sector); err == nil {
		data.Published = pub
	}
	if data.Header == nil {
		data.Header = newEditForm(headerValues(d))
	}
	if data.AddPath == nil {
		data.AddPath = newEditForm(url.Values{})
	}
	if data.AddComp == nil {
		data.AddComp = newEditForm(url.Values{})
	}
	for _, pr := range competence.ReadyToPublish(d) {
		it := readyItem{Message: pr.In(p.Lang), Where: pr.Where(p.Lang), Href: "#header-title"}
		if i, _, ok := itemOf(pr.Path, "competences"); ok && i < len(d.Competences) {
			it.Href = "/sectors/" + d.Sector + "/draft/competences/" + url.PathEscape(d.Competences[i].Code)
		} else if i, _, ok := itemOf(pr.Path, "paths"); ok && i < len(d.Paths) {
			it.Href = "/sectors/" + d.Sector + "/draft/paths/" + url.PathEscape(d.Paths[i].ID)
		} else if pr.Path == "paths" || pr.Path == "competences" {
			it.Href = "#" + pr.Path + "-title"
		}
		data.Ready = append(data.Ready, it)
	}
	p.Title = p.T("draft.title", p.In(d.Title), d.Version)
	s.draftCrumbs(p, d, "")
	p.Data = data
	s.render(w, r, status, "draft", p)
}

func (s *Site) draftView(w http.ResponseWriter, r *http.Request) {
	s.draftPage(w, r, http.StatusOK, draftData{})
}

// createDraft makes a new draft from the version the form names (none: the
// published one).
func (s *Site) createDraft(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	from, _ := strconv.Atoi(r.PostForm.Get("from"))
	d, err := s.platform.Standards.NewDraft(r.Context(), principal(r), r.PathValue("sector"), max(from, 0))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/sectors/"+d.Sector+"/draft", http.StatusSeeOther)
}

// saveHeader saves the header of the draft, or changes its rows.
func (s *Site) saveHeader(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	f := newEditForm(r.PostForm)
	if op := f.Values.Get("op"); op != "" {
		f.Values.Del("op")
		applyOp(f.Values, op)
		s.draftPage(w, r, http.StatusOK, draftData{Header: f})
		return
	}
	p := s.newPage(w, r)
	rd := &reader{f: f}
	h := rd.header()
	if len(rd.fe) > 0 {
		f.placeFields(rd.fe, p.Lang)
		s.draftPage(w, r, http.StatusBadRequest, draftData{Header: f})
		return
	}
	_, err := s.platform.Standards.EditHeader(r.Context(), principal(r), r.PathValue("sector"), draftVersion(f.Values), h)
	if err != nil {
		if !editRefused(err) {
			s.fail(w, r, err)
			return
		}
		in, out := problemsOf(err).Under("")
		f.place(in, p.Lang, "levels", "observation_scale", "microcredential.learning_modes", "microcredential.esco")
		f.place(out, p.Lang)
		if len(in)+len(out) == 0 {
			f.General = append(f.General, messageIn(err, p.Lang))
		}
		s.draftPage(w, r, httpstatus.Of(err), draftData{Header: f})
		return
	}
	http.Redirect(w, r, "/sectors/"+r.PathValue("sector")+"/draft?saved=header#header-title", http.StatusSeeOther)
}

// changePaths adds a path (its id and title), or removes the one named by
// "remove".
func (s *Site) changePaths(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	f := newEditForm(r.PostForm)
	sector, version, p := r.PathValue("sector"), draftVersion(f.Values), principal(r)
	if id := f.V("remove"); id != "" {
		if _, err := s.platform.Standards.RemovePath(r.Context(), p, sector, version, id); err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/sectors/"+sector+"/draft#paths-title", http.StatusSeeOther)
		return
	}
	rd := &reader{f: f}
	pa := competence.Path{ID: rd.str("id"), Title: rd.text("title")}
	d, err := s.platform.Standards.AddPath(r.Context(), p, sector, version, pa)
	if err != nil {
		if !editRefused(err) {
			s.fail(w, r, err)
			return
		}
		s.refusedAdd(w, r, err, f, "paths", func(data *draftData) { data.AddPath = f })
		return
	}
	http.Redirect(w, r, "/sectors/"+d.Sector+"/draft/paths/"+url.PathEscape(pa.ID), http.StatusSeeOther)
}

// changeCompetences adds a competence (its code and title), or removes the
// one named by "remove".
func (s *Site) changeCompetences(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	f := newEditForm(r.PostForm)
	sector, version, p := r.PathValue("sector"), draftVersion(f.Values), principal(r)
	if code := f.V("remove"); code != "" {
		if _, err := s.platform.Standards.RemoveCompetence(r.Context(), p, sector, version, code); err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/sectors/"+sector+"/draft#competences-title", http.StatusSeeOther)
		return
	}
	rd := &reader{f: f}
	c := competence.Competence{Code: rd.str("code"), Title: rd.text("title")}
	d, err := s.platform.Standards.AddCompetence(r.Context(), p, sector, version, c)
	if err != nil {
		if !editRefused(err) {
			s.fail(w, r, err)
			return
		}
		s.refusedAdd(w, r, err, f, "competences", func(data *draftData) { data.AddComp = f })
		return
	}
	http.Redirect(w, r, "/sectors/"+d.Sector+"/draft/competences/"+url.PathEscape(c.Code), http.StatusSeeOther)
}

// refusedAdd shows the draft again with the refused form of a new path or
// competence: the problems of the new row (the last of list) beside its
// fields.
func (s *Site) refusedAdd(w http.ResponseWriter, r *http.Request, err error, f *editForm, list string, set func(*draftData)) {
	p := s.newPage(w, r)
	d, derr := s.platform.Standards.Draft(r.Context(), principal(r), r.PathValue("sector"))
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	n := len(d.Paths)
	if list == "competences" {
		n = len(d.Competences)
	}
	in, out := problemsOf(err).Under(fmt.Sprintf("%s[%d]", list, n))
	f.place(in, p.Lang)
	f.place(out, p.Lang)
	if len(in)+len(out) == 0 {
		f.General = append(f.General, messageIn(err, p.Lang))
	}
	data := draftData{}
	set(&data)
	s.draftPage(w, r, httpstatus.Of(err), data)
}

// partPage shows the page of a path (kind "path") or a competence of the
// draft, with the form given (nil: as stored).
func (s *Site) partPage(w http.ResponseWriter, r *http.Request, kind string, status int, f *editForm) {
	p := s.newPage(w, r)
	p.User = principal(r)
	d, err := s.platform.Standards.Draft(r.Context(), p.User, r.PathValue("sector"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := partData{Draft: d, Form: f, Types: competence.SchoolTypes, Modes: competence.LearningModes, Inherited: d.Defaults,
		Saved: r.URL.Query().Get("saved") != "" && f == nil}
	name := "draftcompetence"
	if kind == "path" {
		name = "draftpath"
		id := r.PathValue("path")
		i := slices.IndexFunc(d.Paths, func(pa competence.Path) bool { return pa.ID == id })
		if i < 0 {
			s.fail(w, r, attesta.E(attesta.NotFound, "err.competence.path.notfound", id, d.Sector))
			return
		}
		data.Path = &d.Paths[i]
		if data.Form == nil {
			data.Form = newEditForm(pathValues(data.Path))
		}
		p.Title = p.T("draft.path.title", p.In(data.Path.Title))
	} else {
		c, ok := d.Competence(r.PathValue("code"))
		if !ok {
			s.fail(w, r, attesta.E(attesta.NotFound, "err.competence.competence.notfound", r.PathValue("code"), d.Sector))
			return
		}
		data.Competence = c
		if data.Form == nil {
			data.Form = newEditForm(competenceValues(c))
		}
		p.Title = p.T("draft.competence.title", c.Code, p.In(c.Title))
	}
	s.draftCrumbs(p, d, p.Title)
	p.Data = data
	s.render(w, r, status, name, p)
}

func (s *Site) pathView(w http.ResponseWriter, r *http.Request) {
	s.partPage(w, r, "path", http.StatusOK, nil)
}

func (s *Site) competenceView(w http.ResponseWriter, r *http.Request) {
	s.partPage(w, r, "competence", http.StatusOK, nil)
}

// savePart saves a path or a competence of the draft, or changes the rows
// of its form.
func (s *Site) savePart(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.parsed(w, r) {
			return
		}
		f := newEditForm(r.PostForm)
		if op := f.Values.Get("op"); op != "" {
			f.Values.Del("op")
			applyOp(f.Values, op)
			s.partPage(w, r, kind, http.StatusOK, f)
			return
		}
		lang := s.newPage(w, r).Lang
		ctx, p, sector, version := r.Context(), principal(r), r.PathValue("sector"), draftVersion(f.Values)
		rd := &reader{f: f}
		var err error
		var prefix, next string
		var groups []string
		if kind == "path" {
			id := r.PathValue("path")
			pa := rd.path(id)
			if len(rd.fe) == 0 {
				var d *competence.Standard
				if d, err = s.platform.Standards.EditPath(ctx, p, sector, version, id, pa); err == nil {
					next = "/sectors/" + d.Sector + "/draft/paths/" + url.PathEscape(id) + "?saved=1"
				}
			}
			prefix = "paths[" + strconv.Itoa(s.indexIn(r, func(d *competence.Standard) int {
				return slices.IndexFunc(d.Paths, func(x competence.Path) bool { return x.ID == id })
			})) + "]"
			groups = []string{"competences"}
			for _, cp := range f.Items("competences") {
				groups = append(groups, cp+".school_types")
			}
		} else {
			code := r.PathValue("code")
			c := rd.competence(code)
			if len(rd.fe) == 0 {
				var d *competence.Standard
				if d, err = s.platform.Standards.EditCompetence(ctx, p, sector, version, code, c); err == nil {
					next = "/sectors/" + d.Sector + "/draft/competences/" + url.PathEscape(code) + "?saved=1"
				}
			}
			prefix = "competences[" + strconv.Itoa(s.indexIn(r, func(d *competence.Standard) int {
				return slices.IndexFunc(d.Competences, func(x competence.Competence) bool { return x.Code == code })
			})) + "]"
			groups = []string{"ada", "microcredential.learning_modes", "microcredential.esco"}
		}
		switch {
		case len(rd.fe) > 0:
			f.placeFields(rd.fe, lang)
			s.partPage(w, r, kind, http.StatusBadRequest, f)
		case err == nil:
			http.Redirect(w, r, next, http.StatusSeeOther)
		case !editRefused(err):
			s.fail(w, r, err)
		default:
			in, out := problemsOf(err).Under(prefix)
			f.place(in, lang, groups...)
			f.place(out, lang)
			if len(in)+len(out) == 0 {
				f.General = append(f.General, messageIn(err, lang))
			}
			s.partPage(w, r, kind, httpstatus.Of(err), f)
		}
	}
}

// indexIn returns the index that find gives in the sector's draft as it is
// now, or -1.
func (s *Site) indexIn(r *http.Request, find func(*competence.Standard) int) int {
	d, err := s.platform.Standards.Draft(r.Context(), principal(r), r.PathValue("sector"))
	if err != nil {
		return -1
	}
	return find(d)
}

// publishDraft publishes the draft; what it lacks is shown on its page.
func (s *Site) publishDraft(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	st, err := s.platform.Standards.Publish(r.Context(), principal(r), r.PathValue("sector"), draftVersion(r.PostForm))
	if err != nil {
		if !editRefused(err) {
			s.fail(w, r, err)
			return
		}
		lang := s.newPage(w, r).Lang
		f := newEditForm(url.Values{})
		f.General = append(f.General, attesta.MessageIn(err, lang))
		f.place(problemsOf(err), lang)
		s.draftPage(w, r, httpstatus.Of(err), draftData{Publish: f})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/sectors/%s?version=%d", st.Sector, st.Version), http.StatusSeeOther)
}

// --- the difference between two versions ---

type diffData struct {
	Sector   string
	Title    competence.Text
	Versions []competence.Info
	From, To int
	Changes  []competence.Change
}

// diffVersions reads the versions to compare from ?from= and ?to=; by
// default the sector's draft against its published version for the
// national body, otherwise the current version against the one before.
func (s *Site) diffVersions(r *http.Request, versions []competence.Info) (from, to int, err error) {
	q := r.URL.Query()
	for _, v := range []struct {
		name string
		n    *int
	}{{"from", &from}, {"to", &to}} {
		if s := q.Get(v.name); s != "" {
			if *v.n, err = strconv.Atoi(s); err != nil || *v.n < 1 || *v.n > competence.MaxVersion {
				return 0, 0, attesta.E(attesta.Invalid, "err.web.version", s)
			}
		}
	}
	if from != 0 && to != 0 {
		return from, to, nil
	}
	cur, prev := 0, 0
	for _, in := range versions {
		switch in.Status {
		case competence.Draft:
			to = cmp.Or(to, in.Version)
		case competence.Published:
			cur = in.Version
		}
	}
	for _, in := range versions {
		if in.Version < cmp.Or(to, cur) {
			prev = max(prev, in.Version)
		}
	}
	if to == 0 {
		to = cur
	}
	if from == 0 {
		from = prev
		if to != cur && cur != 0 {
			from = cur
		}
	}
	return from, to, nil
}

func (s *Site) diff(w http.ResponseWriter, r *http.Request) {
	ctx, who, sector := r.Context(), principal(r), r.PathValue("sector")
	all, err := s.standards.Versions(ctx, who)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := diffData{Sector: sector}
	for _, in := range all {
		if in.Sector == sector {
			data.Versions = append(data.Versions, in)
			data.Title = in.Title
		}
	}
	if len(data.Versions) == 0 {
		s.fail(w, r, attesta.E(attesta.NotFound, "err.competence.sector.notfound", sector))
		return
	}
	if data.From, data.To, err = s.diffVersions(r, data.Versions); err != nil {
		s.fail(w, r, err)
		return
	}
	if data.From != 0 && data.To != 0 {
		a, err := s.standards.Version(ctx, who, sector, data.From)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		b, err := s.standards.Version(ctx, who, sector, data.To)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data.Changes = competence.Diff(a, b)
	}
	p := s.newPage(w, r)
	p.User = who
	p.Title = p.T("diff.title", p.In(data.Title))
	p.Breadcrumbs = []crumb{{p.T("nav.home"), "/"}, {p.In(data.Title), "/sectors/" + sector}, {Label: p.T("diff.crumb")}}
	p.Data = data
	s.render(w, r, http.StatusOK, "diff", p)
}

// Place says where a change is, in words: "C1 › ADA.10.02.02 › RA1 ›
// attività 1 › evidenza 2".
func (p *page) Place(c competence.Change) string {
	if c.Path == "" {
		return p.T("diff.place.sector")
	}
	var parts []string
	for _, seg := range strings.Split(c.Path, ".") {
		name, key, _ := strings.Cut(strings.TrimSuffix(seg, "]"), "[")
		switch name {
		case "competences":
			parts = append(parts, cmp.Or(key, p.T("diff.place.competences")))
		case "paths":
			if key == "" {
				parts = append(parts, p.T("diff.place.paths"))
			} else {
				parts = append(parts, p.T("diff.place.path", key))
			}
		case "ada":
			parts = append(parts, cmp.Or(key, p.T("diff.place.adas")))
		case "results":
			parts = append(parts, cmp.Or(key, p.T("diff.place.results")))
		case "activities":
			n, _ := strconv.Atoi(key)
			parts = append(parts, p.T("diff.place.activity", n+1))
		case "evidences":
			n, _ := strconv.Atoi(key)
			parts = append(parts, p.T("diff.place.evidence", n+1))
		case "observation_scale":
			parts = append(parts, p.T("diff.place.scale", key))
		case "microcredential":
			parts = append(parts, p.T("diff.place.microcredential"))
		default:
			parts = append(parts, seg)
		}
	}
	return strings.Join(parts, " › ")
}

// Value says a value of a change in the page's language.
func (p *page) Value(v any) string {
	list := func(xs []string) string {
		if len(xs) == 0 {
			return "—"
		}
		return strings.Join(xs, ", ")
	}
	text := func(t competence.Text) string {
		switch {
		case t.IsZero():
			return "—"
		case t.EN == "":
			return t.IT
		}
		return t.IT + " / " + t.EN
	}
	switch v := v.(type) {
	case nil:
		return "—"
	case competence.Text:
		return text(v)
	case string:
		if v == "" {
			return "—"
		}
		return v
	case int:
		if v == 0 {
			return "—"
		}
		return strconv.Itoa(v)
	case float64:
		if v == 0 {
			return "—"
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []string:
		return list(v)
	case []competence.Level:
		var xs []string
		for _, l := range v {
			xs = append(xs, p.Lookup("level.", l))
		}
		return list(xs)
	case []competence.SchoolType:
		var xs []string
		for _, t := range v {
			xs = append(xs, p.Lookup("schooltype.", t))
		}
		return list(xs)
	case []competence.LearningMode:
		var xs []string
		for _, m := range v {
			xs = append(xs, p.Lookup("mode.", m))
		}
		return list(xs)
	case []competence.ESCOAlignment:
		var xs []string
		for _, e := range v {
			xs = append(xs, p.In(e.Title)+" <"+e.URI+">")
		}
		return list(xs)
	case competence.ScaleLevel:
		return fmt.Sprintf("%d · %s", v.Value, text(v.Label))
	case competence.Path:
		return v.ID + " · " + text(v.Title)
	case competence.PathCompetence:
		return v.Code + " (" + p.Value(v.SchoolTypes) + ")"
	case competence.Competence:
		return v.Code + " · " + text(v.Title)
	case competence.ADA:
		return v.Code + " · " + text(v.Title)
	case competence.Result:
		return v.Code + " · " + text(v.Title)
	case competence.Activity:
		return text(v.Title) + " " + p.T("diff.evidences", len(v.Evidences))
	case competence.Evidence:
		return text(v.Text)
	}
	return fmt.Sprint(v)
}

// MCValue says the value of a micro-credential element of m by the name
// of its field: what a competence inherits when it leaves it blank.
func (p *page) MCValue(m competence.MicroCredential, field string) string {
	switch field {
	case "eqf_level":
		return p.Value(m.EQFLevel)
	case "qnq_level":
		return p.Value(m.QNQLevel)
	case "isced_f":
		return p.Value(m.ISCEDF)
	case "workload_hours":
		return p.Value(m.WorkloadHours)
	case "credits":
		return p.Value(m.Credits)
	case "workload":
		return p.Value(m.Workload)
	case "learning_modes":
		return p.Value(m.LearningModes)
	case "assessment":
		return p.Value(m.Assessment)
	case "quality_assurance":
		return p.Value(m.QualityAssurance)
	case "esco":
		return p.Value(m.ESCO)
	case "prerequisites":
		return p.Value(m.Prerequisites)
	}
	return ""
}

// EditsStandards reports whether the page's user may edit the standards:
// the catalogue's pages then link to the drafts.
func (p *page) EditsStandards() bool {
	return p.User != nil && auth.Can(p.User, auth.StandardEdit, auth.Anywhere)
}
