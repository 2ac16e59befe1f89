package web

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/qti"
)

// The item bank of the online test (docs/design/items.md): the list of
// its items, the editor of a draft, the page of an item with its versions,
// a preview as the candidate sees it and the key, the acts of its life,
// and QTI 3.0 packages in and out.
//
// The editor is one server-rendered form that posts the whole item. Its
// fields are named as item.Validate names its problems ("choices[1].id",
// "correct", "map"), except where a form shows a thing otherwise: an
// option's row keeps its place when blank rows are left out
// ("choices[3]" of the form may be choices[1] of the item), a correct
// response is a row ticked, an ordering's is a position per row, a
// matching's a target per source, and the points of partial credit sit
// beside their option ("choices[2].points") or accepted answer
// ("answers[0].text"). itemReader keeps the correspondence, and a problem
// lands beside the field the author typed. Changing the kind, the
// standard or the competence is a submit button ("op" = "refresh") that
// shows the form again for them, keeping everything typed: no JavaScript.

// itemRoutes are the item bank's pages, each with its action.
func (s *Site) itemRoutes(user func(string, auth.Action, http.HandlerFunc) Route) []Route {
	return []Route{
		user("GET /items", auth.ItemView, s.itemsPage),
		user("GET /items/new", auth.ItemAuthor, s.newItem),
		user("POST /items", auth.ItemAuthor, s.createItem),
		user("GET /items/import", auth.ItemAuthor, s.itemImportPage),
		{Pattern: "POST /items/import", Handler: s.withUser(true, s.importItems), Action: auth.ItemAuthor, MaxBody: maxPackageUpload},
		user("GET /items/export", auth.ItemView, s.exportItems),
		user("GET /items/{id}", auth.ItemView, s.itemPage),
		user("POST /items/{id}", auth.ItemAuthor, s.saveItem),
		user("POST /items/{id}/submit", auth.ItemAuthor, s.itemAct(item.Submit)),
		user("POST /items/{id}/approve", auth.ItemReview, s.itemAct(item.Approve)),
		user("POST /items/{id}/send-back", auth.ItemReview, s.itemAct(item.SendBack)),
		user("POST /items/{id}/retire", auth.ItemReview, s.itemAct(item.Retire)),
		user("POST /items/{id}/versions", auth.ItemAuthor, s.itemAct(item.Revise)),
	}
}

// maxPackageUpload bounds the request of a QTI package's upload: the
// package and the form around it.
const maxPackageUpload = qti.MaxPackageSize + 64<<10

// --- the bank ---

// itemsData is what the bank's page shows.
type itemsData struct {
	Items    []item.Version
	Filter   url.Values
	Sectors  []option // "sector" and "sector/version"
	Kinds    []item.Kind
	Statuses []item.Status
	Dims     []item.Dimension
	Writes   bool // the user writes a bank: new items, imports, exports of every status
	Full     bool // the list stops at item.MaxLimit
	Query    string
	Imported int
	Tests    int
}

// itemFilter reads the bank's filter from a query: sector or
// "sector/version", competence, status, kind, dimension, language.
func itemFilter(q url.Values) item.Filter {
	f := item.Filter{Competence: strings.TrimSpace(q.Get("competence")), Status: item.Status(q.Get("status")),
		Kind: item.Kind(q.Get("kind")), Dimension: item.Dimension(q.Get("dimension")), Lang: q.Get("lang")}
	sector, version, _ := strings.Cut(q.Get("standard"), "/")
	f.Sector = sector
	f.Standard, _ = strconv.Atoi(version)
	return f
}

// filterQuery keeps the filter's own fields of a query.
func filterQuery(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range []string{"standard", "competence", "status", "kind", "dimension", "lang"} {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

// standardOptions are the standards items may be written for (published
// and superseded versions), as "sector/version", and, with sectors, each
// sector whole.
func (s *Site) standardOptions(p *page, sectors bool) ([]option, error) {
	infos, err := s.standards.Versions(p.context, p.User)
	if err != nil {
		return nil, err
	}
	var out []option
	last := ""
	for _, in := range infos {
		if in.Status == competence.Draft {
			continue
		}
		if sectors && in.Sector != last {
			out = append(out, option{in.Sector, p.In(in.Title)})
		}
		last = in.Sector
		out = append(out, option{fmt.Sprintf("%s/%d", in.Sector, in.Version), p.T("items.standard.version", p.In(in.Title), in.Version, p.Lookup("status.", in.Status))})
	}
	return out, nil
}

func (s *Site) itemsPage(w http.ResponseWriter, r *http.Request) {
	p := s.userPage(w, r, "items.title", crumb{Label: p0(s, w, r, "items.title")})
	q := r.URL.Query()
	f := itemFilter(q)
	vs, err := s.platform.Items.List(r.Context(), p.User, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sectors, err := s.standardOptions(p, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, werr := s.platform.Items.Bank(p.User)
	d := itemsData{Items: vs, Filter: filterQuery(q), Sectors: sectors, Kinds: item.Kinds, Statuses: item.Statuses, Dims: item.Dimensions,
		Writes: werr == nil, Full: len(vs) >= item.MaxLimit}
	d.Query = d.Filter.Encode()
	d.Imported, _ = strconv.Atoi(q.Get("imported"))
	d.Tests, _ = strconv.Atoi(q.Get("tests"))
	p.Data = d
	s.render(w, r, http.StatusOK, "items", p)
}

// --- the editor's form ---

// choiceRows is how many option rows the editor shows at least.
const choiceRows = 8

// rowsFor is how many rows a list of the form shows: at least min, two
// more than the rows filled, and every row typed.
func rowsFor(f *editForm, list string, min int) []int {
	n, filled := min, 0
	for k, v := range f.Values {
		if i, _, ok := itemOf(k, list); ok {
			n = max(n, i+1)
			if strings.TrimSpace(strings.Join(v, "")) != "" {
				filled = max(filled, i+1)
			}
		}
	}
	n = max(n, filled+2)
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// rowName is the name of a field of row i of list.
func rowName(list string, i int, field string) string {
	return fmt.Sprintf("%s[%d].%s", list, i, field)
}

// defaultID is the identifier of an option whose row leaves it blank: its
// row's letter.
func defaultID(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return "O" + strconv.Itoa(i+1)
}

// trueFalse are the two options of a true/false item, in a language.
func trueFalse(lang string) []item.Choice {
	if lang == "en" {
		return []item.Choice{{ID: "true", Text: "True"}, {ID: "false", Text: "False"}}
	}
	return []item.Choice{{ID: "true", Text: "Vero"}, {ID: "false", Text: "Falso"}}
}

func putPoints(v url.Values, name string, x float64) {
	v.Set(name, strconv.FormatFloat(x, 'f', -1, 64))
}

func putBound(v url.Values, name string, x *float64) {
	if x != nil {
		putPoints(v, name, *x)
	}
}

// itemValues is an item as the editor's form shows it; lost reports a
// points table the form cannot show whole (a matching's points for pairs
// that are not correct).
func itemValues(it *item.Item) (v url.Values, lost bool) {
	v = url.Values{}
	if it.Sector != "" {
		v.Set("standard", fmt.Sprintf("%s/%d", it.Sector, it.Standard))
	}
	for k, x := range map[string]string{"competence": it.Competence, "ada": it.ADA, "result": it.Result, "dimension": string(it.Dimension),
		"difficulty": string(it.Difficulty), "lang": it.Lang, "kind": string(it.Kind), "title": it.Title, "prompt": it.Prompt,
		"before": it.Before, "after": it.After, "scoring": string(it.Scoring)} {
		v.Set(k, x)
	}
	if it.Shuffle {
		v.Set("shuffle", "on")
	}
	if it.ExpectedLength > 0 {
		v.Set("expected_length", strconv.Itoa(it.ExpectedLength))
	}
	points := map[string]float64{}
	if it.Map != nil {
		for _, e := range it.Map.Entries {
			points[e.Key] = e.Points
		}
		if it.Map.Default != 0 {
			putPoints(v, "map.default", it.Map.Default)
		}
		putBound(v, "map.lower", it.Map.Lower)
		putBound(v, "map.upper", it.Map.Upper)
		if it.Map.CaseSensitive {
			v.Set("map.case_sensitive", "on")
		}
	}
	shown := 0
	for i, c := range it.Choices {
		v.Set(rowName("choices", i, "id"), c.ID)
		v.Set(rowName("choices", i, "text"), c.Text)
		if it.Kind == item.Ordering {
			if j := slices.Index(it.Correct, c.ID); j >= 0 {
				v.Set(rowName("choices", i, "position"), strconv.Itoa(j+1))
			}
		}
		key := c.ID
		if it.Kind == item.Matching {
			for _, pair := range it.Correct {
				if src, tgt, _ := strings.Cut(pair, " "); src == c.ID {
					if t := slices.IndexFunc(it.Targets, func(x item.Choice) bool { return x.ID == tgt }); t >= 0 {
						v.Set(rowName("choices", i, "target"), strconv.Itoa(t))
					}
					key = pair
				}
			}
		} else if it.Kind != item.Ordering && slices.Contains(it.Correct, c.ID) {
			v.Add("correct", strconv.Itoa(i))
		}
		if x, ok := points[key]; ok {
			putPoints(v, rowName("choices", i, "points"), x)
			shown++
		}
	}
	for i, t := range it.Targets {
		v.Set(rowName("targets", i, "id"), t.ID)
		v.Set(rowName("targets", i, "text"), t.Text)
	}
	if it.Kind == item.TextEntry {
		v.Set("correct", strings.Join(it.Correct, ""))
		if it.Map != nil {
			for i, e := range it.Map.Entries {
				v.Set(rowName("answers", i, "text"), e.Key)
				putPoints(v, rowName("answers", i, "points"), e.Points)
			}
		}
	} else if it.Map != nil {
		lost = shown < len(it.Map.Entries)
	}
	return v, lost
}

// itemReader reads an item from the editor's form, and says where each of
// the item's fields is in the form.
type itemReader struct {
	f  *editForm
	fe attesta.FieldErrors // what the form itself cannot read
	// rows: the form's row of each option and target of the item, and the
	// form's field of each entry of its points table.
	choices, targets []int
	entries          []string
}

func (r *itemReader) str(name string) string {
	return strings.TrimSpace(strings.ReplaceAll(r.f.V(name), "\r\n", "\n"))
}

// number reads a number of points or a bound; blank is nil.
func (r *itemReader) number(name string) *float64 {
	s := r.str(name)
	if s == "" {
		return nil
	}
	x, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || x != x || x > 1e6 || x < -1e6 {
		r.fe.Problem(name, "err.web.item.number", s)
		return nil
	}
	return &x
}

// options reads the rows of list that say something, each with its
// identifier (the row's letter when left blank).
func (r *itemReader) options(list string) (cs []item.Choice, rows []int) {
	for _, i := range rowsFor(r.f, list, 0) {
		id, text := r.str(rowName(list, i, "id")), r.str(rowName(list, i, "text"))
		if id == "" && text == "" {
			continue
		}
		if id == "" {
			id = defaultID(i)
			if list == "targets" {
				id = "T" + id
			}
		}
		cs = append(cs, item.Choice{ID: id, Text: text})
		rows = append(rows, i)
	}
	return cs, rows
}

// idOfRow returns the identifier of the option on row of list, or "".
func idOfRow(cs []item.Choice, rows []int, row string) string {
	n, err := strconv.Atoi(row)
	if err != nil {
		return ""
	}
	if i := slices.Index(rows, n); i >= 0 {
		return cs[i].ID
	}
	return ""
}

// read returns the item the form describes.
func (r *itemReader) read() item.Item {
	it := item.Item{ID: r.str("id"), Competence: r.str("competence"), ADA: r.str("ada"), Result: r.str("result"),
		Dimension: item.Dimension(r.str("dimension")), Difficulty: item.Difficulty(r.str("difficulty")), Lang: r.str("lang"),
		Kind: item.Kind(r.str("kind")), Title: r.str("title"), Prompt: r.str("prompt"), Scoring: item.Scoring(r.str("scoring")),
		Shuffle: r.f.V("shuffle") != ""}
	if sector, version, ok := strings.Cut(r.str("standard"), "/"); ok {
		it.Sector = sector
		it.Standard, _ = strconv.Atoi(version)
	}
	if it.Kind == item.InlineChoice || it.Kind == item.TextEntry {
		it.Before, it.After = r.str("before"), r.str("after")
	}
	var m item.Map
	m.Lower, m.Upper = r.number("map.lower"), r.number("map.upper")
	if d := r.number("map.default"); d != nil {
		m.Default = *d
	}
	entry := func(key string, field string) {
		if x := r.number(field); x != nil {
			m.Entries = append(m.Entries, item.MapEntry{Key: key, Points: *x})
			r.entries = append(r.entries, field)
		}
	}
	switch it.Kind {
	case item.TrueFalse:
		it.Choices = trueFalse(cmp.Or(it.Lang, "it"))
		r.choices = []int{0, 1}
		for i := range it.Choices {
			if t := r.str(rowName("choices", i, "text")); t != "" {
				it.Choices[i].Text = t
			}
		}
	case item.TextEntry:
	default:
		it.Choices, r.choices = r.options("choices")
	}
	switch it.Kind {
	case item.SingleChoice, item.MultipleChoice, item.TrueFalse, item.InlineChoice:
		for _, row := range r.f.Values["correct"] {
			if id := idOfRow(it.Choices, r.choices, row); id != "" {
				it.Correct = append(it.Correct, id)
			}
		}
		for i, c := range it.Choices {
			entry(c.ID, rowName("choices", r.choices[i], "points"))
		}
	case item.Ordering:
		it.Scoring = item.MatchCorrect
		at := map[int]string{}
		for i, c := range it.Choices {
			name := rowName("choices", r.choices[i], "position")
			n, err := strconv.Atoi(r.str(name))
			switch {
			case err != nil || n < 1 || n > len(it.Choices):
				r.fe.Problem(name, "err.web.item.position", len(it.Choices))
			case at[n] != "":
				r.fe.Problem(name, "err.web.item.position.twice", n)
			default:
				at[n] = c.ID
			}
		}
		for n := 1; n <= len(it.Choices); n++ {
			if at[n] != "" {
				it.Correct = append(it.Correct, at[n])
			}
		}
	case item.Matching:
		it.Targets, r.targets = r.options("targets")
		for i, c := range it.Choices {
			t := idOfRow(it.Targets, r.targets, r.f.V(rowName("choices", r.choices[i], "target")))
			if t == "" {
				continue
			}
			it.Correct = append(it.Correct, item.Pair(c.ID, t))
			entry(item.Pair(c.ID, t), rowName("choices", r.choices[i], "points"))
		}
	case item.TextEntry:
		it.Scoring = item.MapResponse
		it.Correct = []string{r.str("correct")}
		m.CaseSensitive = r.f.V("map.case_sensitive") != ""
		for _, i := range rowsFor(r.f, "answers", 0) {
			if text := r.str(rowName("answers", i, "text")); text != "" {
				name := rowName("answers", i, "points")
				x := r.number(name)
				if x == nil {
					r.fe.Problem(name, "err.web.item.points")
					continue
				}
				m.Entries = append(m.Entries, item.MapEntry{Key: text, Points: *x})
				r.entries = append(r.entries, rowName("answers", i, "text"))
			}
		}
		it.ExpectedLength, _ = strconv.Atoi(r.str("expected_length"))
		if s := r.str("expected_length"); s != "" && strconv.Itoa(it.ExpectedLength) != s {
			r.fe.Problem("expected_length", "err.web.item.integer", s)
		}
	}
	if it.Scoring == item.MapResponse {
		it.Map = &m
	}
	return it
}

// field is the form's field of a field of the item: the row an option is
// on, the field that gives an entry of the points table its points.
func (r *itemReader) field(name string) string {
	for _, l := range []struct {
		list string
		rows []int
	}{{"choices", r.choices}, {"targets", r.targets}} {
		if i, rest, ok := itemOf(name, l.list); ok && i < len(l.rows) {
			return fmt.Sprintf("%s[%d]%s", l.list, l.rows[i], rest)
		}
	}
	if i, _, ok := itemOf(name, "map.entries"); ok && i < len(r.entries) {
		return r.entries[i]
	}
	return name
}

// place puts each of the domain's problems beside the form's field for
// it, or the nearest part of the form that shows problems (the options,
// the correct response, the points); the rest are General.
func (r *itemReader) place(fe attesta.FieldErrors, lang string) {
	groups := []string{"choices", "targets", "correct", "map", "answers", "standard", "scoring", "before", "kind", "expected_length"}
	known := func(name string) bool { return r.f.Values.Has(name) || slices.Contains(groups, name) }
	for _, e := range fe {
		name := r.field(e.Field)
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
			r.f.General = append(r.f.General, e.In(lang))
			continue
		}
		if r.f.Errors[name] != "" {
			r.f.Errors[name] += "; "
		}
		r.f.Errors[name] += e.In(lang)
	}
}

// editorData is what the editor's form offers: the standards, the rows of
// the standard chosen, the kinds and bands, and the rows of each list.
type editorData struct {
	Form        *editForm
	Standards   []option
	Competences []option
	ADAs        []option
	Results     []option
	Kinds       []option
	Dims        []option
	Diffs       []option
	Langs       []option
	Scorings    []option
	Kind        item.Kind
	Choices     []int
	Targets     []int
	Answers     []int
	// TargetOptions are a matching's targets as typed, for the selects of
	// its sources: the value is the target's row.
	TargetOptions []option
	// Lost: the item's points table has entries the form cannot show.
	Lost bool
	// Version is the draft's version (0: a new item).
	Version int
}

// strs are values as strings.
func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// withValue adds v to opts when it is not one of them, so that a value
// typed (or stored) is never lost by a select that does not offer it.
func withValue(opts []option, v string) []option {
	if v == "" || slices.ContainsFunc(opts, func(o option) bool { return o.Value == v }) {
		return opts
	}
	return append(opts, option{v, v})
}

// editor returns what the form f offers.
func (s *Site) editor(p *page, f *editForm, version int, lost bool) (*editorData, error) {
	d := &editorData{Form: f, Kind: item.Kind(f.V("kind")), Lost: lost, Version: version}
	words := func(prefix string, values ...string) []option {
		out := make([]option, len(values))
		for i, v := range values {
			out[i] = option{v, p.Lookup(prefix, v)}
		}
		return out
	}
	d.Kinds = withValue(words("item.kind.", strs(item.Kinds)...), f.V("kind"))
	d.Dims = withValue(words("item.dimension.", strs(item.Dimensions)...), f.V("dimension"))
	d.Diffs = withValue(words("item.difficulty.", strs(item.Difficulties)...), f.V("difficulty"))
	d.Langs = withValue(words("item.lang.", "it", "en"), f.V("lang"))
	d.Scorings = withValue(words("item.scoring.", string(item.MatchCorrect), string(item.MapResponse)), f.V("scoring"))
	var err error
	if d.Standards, err = s.standardOptions(p, false); err != nil {
		return nil, err
	}
	d.Standards = withValue(d.Standards, f.V("standard"))
	if sector, version, ok := strings.Cut(f.V("standard"), "/"); ok {
		n, _ := strconv.Atoi(version)
		if st, err := s.standards.Version(p.context, p.User, sector, n); err == nil && st.Status != competence.Draft {
			for _, c := range st.Competences {
				d.Competences = append(d.Competences, option{c.Code, c.Code + " · " + p.In(c.Title)})
				if c.Code != f.V("competence") {
					continue
				}
				for _, a := range c.ADA {
					d.ADAs = append(d.ADAs, option{a.Code, a.Code + " · " + p.In(a.Title)})
					if a.Code != f.V("ada") {
						continue
					}
					for _, r := range a.Results {
						d.Results = append(d.Results, option{r.Code, r.Code + " · " + p.In(r.Title)})
					}
				}
			}
		}
	}
	d.Competences = withValue(d.Competences, f.V("competence"))
	d.ADAs = withValue(d.ADAs, f.V("ada"))
	d.Results = withValue(d.Results, f.V("result"))
	d.Choices = rowsFor(f, "choices", choiceRows)
	d.Targets = rowsFor(f, "targets", choiceRows)
	d.Answers = rowsFor(f, "answers", 4)
	for _, i := range d.Targets {
		id, text := strings.TrimSpace(f.V(rowName("targets", i, "id"))), strings.TrimSpace(f.V(rowName("targets", i, "text")))
		if id == "" && text == "" {
			continue
		}
		d.TargetOptions = append(d.TargetOptions, option{strconv.Itoa(i), cmp.Or(id, "T"+defaultID(i)) + " · " + text})
	}
	return d, nil
}

// newItemValues are the form of a new item: the first standard offered,
// in the page's language, a single choice scored whole.
func newItemValues(p *page, standards []option) url.Values {
	v := url.Values{"lang": {p.Lang}, "dimension": {string(item.Knowledge)}, "difficulty": {string(item.Medium)},
		"kind": {string(item.SingleChoice)}, "scoring": {string(item.MatchCorrect)}}
	if len(standards) > 0 {
		v.Set("standard", standards[len(standards)-1].Value)
		for _, o := range standards {
			if strings.Contains(o.Label, p.Lookup("status.", competence.Published)) {
				v.Set("standard", o.Value)
				break
			}
		}
	}
	return v
}

// --- the page of an item ---

// itemData is what an item's page shows.
type itemData struct {
	// New: the form of a new item, and nothing else.
	New      bool
	Versions []item.Version
	Latest   *item.Version
	// Shown is the version read (?version=N; the latest by default).
	Shown  *shownItem
	Editor *editorData // the draft's form, for its bank's authors
	// Act is a refused act: its problem, and the comment typed.
	Act  *form
	Acts struct{ Submit, Review, Retire, Revise bool }
	// Wrote: the user wrote the version in review (and may not approve
	// it).
	Wrote bool
	Done  string
}

// itemPageFor shows item id's page; editor is the draft's form as typed
// (nil: as stored), act a refused act.
func (s *Site) itemPageFor(w http.ResponseWriter, r *http.Request, status int, f *editForm, act *form) {
	p := s.newPage(w, r)
	p.User = principal(r)
	id := r.PathValue("id")
	vs, err := s.platform.Items.Get(r.Context(), p.User, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := itemData{Versions: vs, Latest: &vs[len(vs)-1], Act: act, Done: r.URL.Query().Get("done")}
	d.Shown = &shownItem{d.Latest.Item}
	if n, err := strconv.Atoi(r.URL.Query().Get("version")); err == nil {
		if i := slices.IndexFunc(vs, func(v item.Version) bool { return v.Version == n }); i >= 0 {
			d.Shown = &shownItem{vs[i].Item}
		}
	}
	owner, berr := s.platform.Items.Bank(p.User)
	mine := berr == nil && owner == d.Latest.Owner
	obj := item.Object(id)
	st := d.Latest.Status
	d.Acts.Submit = mine && st == item.Draft && p.Can(auth.ItemAuthor, obj)
	d.Acts.Review = mine && st == item.Review && p.Can(auth.ItemReview, obj)
	d.Acts.Retire = mine && st == item.Approved && p.Can(auth.ItemReview, obj)
	d.Acts.Revise = mine && (st == item.Approved || st == item.Retired) && p.Can(auth.ItemAuthor, obj)
	d.Wrote = d.Latest.Author == p.User.Person
	if d.Acts.Submit {
		lost := false
		if f == nil {
			var v url.Values
			v, lost = itemValues(&d.Latest.Item)
			f = newEditForm(v)
		}
		if d.Editor, err = s.editor(p, f, d.Latest.Version, lost); err != nil {
			s.fail(w, r, err)
			return
		}
	} else if f != nil && f.Failed() {
		// A save refused for a version that is no longer a draft.
		act = &form{Error: strings.Join(f.General, "; ")}
		d.Act = act
	}
	p.Title = p.T("item.title", id, d.Latest.Title)
	p.Breadcrumbs = []crumb{{p.T("nav.dashboard"), "/dashboard"}, {p.T("items.title"), "/items"}, {Label: id}}
	p.Data = d
	s.render(w, r, status, "item", p)
}

func (s *Site) itemPage(w http.ResponseWriter, r *http.Request) {
	s.itemPageFor(w, r, http.StatusOK, nil, nil)
}

// newItemPage shows the form of a new item (f nil: the defaults).
func (s *Site) newItemPage(w http.ResponseWriter, r *http.Request, status int, f *editForm) {
	p := s.userPage(w, r, "item.new.title")
	if _, err := s.platform.Items.Bank(p.User); err != nil {
		s.fail(w, r, err)
		return
	}
	if f == nil {
		standards, err := s.standardOptions(p, false)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f = newEditForm(newItemValues(p, standards))
	}
	ed, err := s.editor(p, f, 0, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{p.T("items.title"), "/items"}, crumb{Label: p.Title})
	p.Data = itemData{New: true, Editor: ed}
	s.render(w, r, status, "item", p)
}

func (s *Site) newItem(w http.ResponseWriter, r *http.Request) {
	s.newItemPage(w, r, http.StatusOK, nil)
}

// readItemForm reads the editor's form of a request, after checking that
// its user writes a bank; refresh says the form is only to be shown again.
func (s *Site) readItemForm(w http.ResponseWriter, r *http.Request) (f *editForm, refresh bool, ok bool) {
	if _, err := s.platform.Items.Bank(principal(r)); err != nil {
		s.fail(w, r, err)
		return nil, false, false
	}
	if !s.parsed(w, r) {
		return nil, false, false
	}
	f = newEditForm(r.PostForm)
	if f.Values.Get("op") != "" {
		f.Values.Del("op")
		if item.Kind(f.V("kind")) == item.TrueFalse && (f.V(rowName("choices", 0, "id")) != "true" || f.V(rowName("choices", 1, "id")) != "false") {
			// The options typed move down, kept for another kind; the
			// first two rows are true and false.
			if strings.TrimSpace(f.V(rowName("choices", 0, "text"))+f.V(rowName("choices", 1, "text"))) != "" {
				renumber(f.Values, "choices", func(j int) int { return j + 2 })
			}
			f.Values.Del("correct")
			for i, c := range trueFalse(cmp.Or(f.V("lang"), "it")) {
				f.Values.Set(rowName("choices", i, "id"), c.ID)
				f.Values.Set(rowName("choices", i, "text"), c.Text)
			}
		}
		return f, true, true
	}
	return f, false, true
}

// refused shows problems of a save beside their fields: the form's own
// (rd.fe), or the domain's.
func refusedItem(rd *itemReader, err error, lang string) {
	var fe attesta.FieldErrors
	switch {
	case len(rd.fe) > 0:
		rd.place(rd.fe, lang)
	case errors.As(err, &fe):
		rd.place(fe, lang)
	default:
		rd.f.General = append(rd.f.General, messageIn(err, lang))
	}
}

// itemRefusal says whether err is a refusal the form shows again.
func itemRefusal(err error) bool {
	switch attesta.ErrorCode(err) {
	case attesta.Invalid, attesta.Conflict, attesta.Forbidden:
		return true
	}
	return false
}

func (s *Site) createItem(w http.ResponseWriter, r *http.Request) {
	f, refresh, ok := s.readItemForm(w, r)
	if !ok {
		return
	}
	if refresh {
		s.newItemPage(w, r, http.StatusOK, f)
		return
	}
	rd := &itemReader{f: f}
	it := rd.read()
	var err error = attesta.E(attesta.Invalid, "err.web.form.unreadable")
	var v *item.Version
	if len(rd.fe) == 0 {
		v, err = s.platform.Items.Create(r.Context(), principal(r), it)
	}
	if err != nil {
		if !itemRefusal(err) {
			s.fail(w, r, err)
			return
		}
		refusedItem(rd, err, s.newPage(w, r).Lang)
		s.newItemPage(w, r, httpstatus.Of(err), f)
		return
	}
	http.Redirect(w, r, "/items/"+url.PathEscape(v.ID)+"?done=created", http.StatusSeeOther)
}

func (s *Site) saveItem(w http.ResponseWriter, r *http.Request) {
	f, refresh, ok := s.readItemForm(w, r)
	if !ok {
		return
	}
	if refresh {
		s.itemPageFor(w, r, http.StatusOK, f, nil)
		return
	}
	rd := &itemReader{f: f}
	it := rd.read()
	var err error = attesta.E(attesta.Invalid, "err.web.form.unreadable")
	if len(rd.fe) == 0 {
		version, _ := strconv.Atoi(f.V("version"))
		_, err = s.platform.Items.Edit(r.Context(), principal(r), r.PathValue("id"), version, it)
	}
	if err != nil {
		if !itemRefusal(err) {
			s.fail(w, r, err)
			return
		}
		refusedItem(rd, err, s.newPage(w, r).Lang)
		s.itemPageFor(w, r, httpstatus.Of(err), f, nil)
		return
	}
	http.Redirect(w, r, "/items/"+url.PathEscape(r.PathValue("id"))+"?done=saved", http.StatusSeeOther)
}

// itemAct does an act of an item's life on the version the page showed;
// a refusal shows the page again with its reason (and the comment typed).
func (s *Site) itemAct(act item.Act) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.parsed(w, r) {
			return
		}
		svc, ctx, p, id := s.platform.Items, r.Context(), principal(r), r.PathValue("id")
		version, _ := strconv.Atoi(r.PostForm.Get("version"))
		var v *item.Version
		var err error
		switch act {
		case item.Submit:
			v, err = svc.SubmitForReview(ctx, p, id, version)
		case item.Approve:
			v, err = svc.Review(ctx, p, id, version, true, "")
		case item.SendBack:
			v, err = svc.Review(ctx, p, id, version, false, r.PostForm.Get("comment"))
		case item.Retire:
			v, err = svc.RetireItem(ctx, p, id, version)
		default:
			v, err = svc.NewVersion(ctx, p, id, version)
		}
		if err != nil {
			if !itemRefusal(err) {
				s.fail(w, r, err)
				return
			}
			f, _ := s.formError(s.newPage(w, r), r, err)
			if f.Error == "" && len(f.Errors) == 0 {
				f.Error = messageIn(err, s.newPage(w, r).Lang)
			}
			s.itemPageFor(w, r, httpstatus.Of(err), nil, f)
			return
		}
		http.Redirect(w, r, "/items/"+url.PathEscape(v.ID)+"?done="+string(act), http.StatusSeeOther)
	}
}

// --- QTI packages ---

// importData is what the import page shows: the problems of a package
// refused, either QTI's (where in the package) or the bank's (which item).
type importData struct {
	Error    string
	Package  qti.Problems
	Items    []itemProblem
	FileName string
}

// itemProblem is a problem of an item of a package.
type itemProblem struct {
	Item, Title, Field, Message string
}

func (s *Site) itemImportPage(w http.ResponseWriter, r *http.Request) {
	s.importItemsPage(w, r, http.StatusOK, importData{})
}

func (s *Site) importItemsPage(w http.ResponseWriter, r *http.Request, status int, d importData) {
	p := s.userPage(w, r, "items.import.title")
	if _, err := s.platform.Items.Bank(p.User); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{p.T("items.title"), "/items"}, crumb{Label: p.Title})
	p.Data = d
	s.render(w, r, status, "itemimport", p)
}

// importItems imports a QTI package's items as drafts of the user's
// bank, all or none: the package is read whole, then every item checked
// against its standard, and only then written.
func (s *Site) importItems(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if _, err := s.platform.Items.Bank(p); err != nil {
		s.fail(w, r, err)
		return
	}
	lang := s.newPage(w, r).Lang
	file, hdr, err := r.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		m := attesta.M("err.web.item.import.nofile")
		if errors.As(err, &tooBig) {
			m = attesta.M("err.web.item.import.large", qti.MaxPackageSize>>20)
		}
		s.importItemsPage(w, r, http.StatusBadRequest, importData{Error: m.In(lang)})
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, qti.MaxPackageSize+1))
	if err != nil {
		s.fail(w, r, fmt.Errorf("reading the package: %w", err))
		return
	}
	d := importData{FileName: hdr.Filename}
	pkg, err := qti.Import(data)
	if err != nil {
		if !errors.As(err, &d.Package) {
			s.fail(w, r, err)
			return
		}
		d.Error = messageIn(err, lang)
		s.importItemsPage(w, r, httpstatus.Of(err), d)
		return
	}
	_, err = s.platform.Items.Import(r.Context(), p, pkg.Items)
	if err != nil {
		var fe attesta.FieldErrors
		if !itemRefusal(err) {
			s.fail(w, r, err)
			return
		}
		d.Error = attesta.M("err.web.item.import.refused").In(lang)
		if errors.As(err, &fe) {
			for _, e := range fe {
				ip := itemProblem{Field: e.Field, Message: e.In(lang)}
				if i, rest, ok := itemOf(e.Field, "items"); ok && i < len(pkg.Items) {
					ip.Item, ip.Title, ip.Field = pkg.Items[i].ID, pkg.Items[i].Title, strings.TrimPrefix(rest, ".")
				}
				d.Items = append(d.Items, ip)
			}
		} else {
			d.Error = messageIn(err, lang)
		}
		s.importItemsPage(w, r, httpstatus.Of(err), d)
		return
	}
	q := url.Values{"status": {string(item.Draft)}, "imported": {strconv.Itoa(len(pkg.Items))}}
	if len(pkg.Tests) > 0 {
		q.Set("tests", strconv.Itoa(len(pkg.Tests)))
	}
	http.Redirect(w, r, "/items?"+q.Encode(), http.StatusSeeOther)
}

// exportItems writes the items the bank's filter selects as a QTI 3.0
// package: of every status for the bank's writers, approved only for the
// others.
func (s *Site) exportItems(w http.ResponseWriter, r *http.Request) {
	its, err := s.platform.Items.Export(r.Context(), principal(r), itemFilter(r.URL.Query()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data, err := qti.Export(its, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "attesta-items-qti.zip"}))
	w.Write(data)
}

// --- showing an item ---

// ItemStatusClass is the class of a status's badge.
func (p *page) ItemStatusClass(st item.Status) string { return "item-" + string(st) }

// Paras splits a text into paragraphs (apart by a blank line), each a list
// of lines.
func (p *page) Paras(s string) [][]string {
	var out [][]string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			out = append(out, strings.Split(para, "\n"))
		}
	}
	return out
}

// shownItem is a version as its page shows it, with what its preview and
// key ask of it.
type shownItem struct{ item.Item }

// Correctly reports whether option id is in the correct response.
func (v *shownItem) Correctly(id string) bool { return slices.Contains(v.Correct, id) }

// Points says what the points table gives key, or "" (none, or scored
// whole).
func (v *shownItem) Points(key string) string {
	if v.Map == nil {
		return ""
	}
	for _, e := range v.Map.Entries {
		if e.Key == key {
			return strconv.FormatFloat(e.Points, 'f', -1, 64)
		}
	}
	return ""
}

// Number says a number of points.
func (v *shownItem) Number(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// Max is the most a response scores.
func (v *shownItem) Max() string { return v.Number(v.MaxScore()) }

// textOf is the text of option id among cs.
func textOf(cs []item.Choice, id string) string {
	if i := slices.IndexFunc(cs, func(c item.Choice) bool { return c.ID == id }); i >= 0 {
		return cs[i].Text
	}
	return id
}

// Ordered are the options in the correct order.
func (v *shownItem) Ordered() []item.Choice {
	out := make([]item.Choice, len(v.Correct))
	for i, id := range v.Correct {
		out[i] = item.Choice{ID: id, Text: textOf(v.Choices, id)}
	}
	return out
}

// pairView is a pair of a matching's key.
type pairView struct {
	Source, Target item.Choice
	Points         string
}

// Pairs are a matching's correct pairs, with their points.
func (v *shownItem) Pairs() []pairView {
	var out []pairView
	for _, pr := range v.Correct {
		s, t, _ := strings.Cut(pr, " ")
		out = append(out, pairView{item.Choice{ID: s, Text: textOf(v.Choices, s)}, item.Choice{ID: t, Text: textOf(v.Targets, t)}, v.Points(pr)})
	}
	return out
}
