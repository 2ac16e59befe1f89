package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/item"
)

// The candidate's attempt: one item a page, with the list of all items
// (answered or not) and the time left as the server counts it; a form per
// item that saves its answer and goes on; a review of every item before
// the submission, which is confirmed; after it, the result per competence
// and dimension once the sitting's results are released. Everything shown
// comes from the server, so a reload or another browser loses nothing; a
// small script (static/attempt.js) counts the time down and reports when
// the page loses focus or text is pasted, and the page works without it.
// The staff see the attempt's summary, its events and, once submitted, its
// result item by item.

// attemptData is what an attempt's pages show.
type attemptData struct {
	View    *assessment.AttemptView
	Sitting *assessment.SittingView
	// Candidate says the reader is the candidate; Name is the candidate's
	// name (for the staff).
	Candidate bool
	Name      string
	// Mode is "item" (one item and its form), "review" (every item, and
	// the submission) or "summary" (submitted, or the staff's view).
	Mode string
	// N is the item shown, from 1; Item and FormItem are it.
	N        int
	Item     *item.Item
	FormItem assessment.FormItem
	// Nav lists every item, answered or not; Answered counts them.
	Nav      []attemptNav
	Answered int
	// Result is the result with the competences' titles, when shown.
	Result []competenceResult
	// Events counts the events recorded by kind (the staff's view).
	Events map[string]int
	Form   *form  // a refused answer or submission: what was sent, and why
	Done   string // the page follows an act: "submitted"
	// responses are the answers saved, by item.
	responses map[string]item.Response
}

// attemptNav is an item of the attempt's list.
type attemptNav struct {
	N        int
	Answered bool
	Prompt   string // the prompt's start, for the review
}

// competenceResult is a competence's result, with its title.
type competenceResult struct {
	assessment.CompetenceResult
	Title competence.Text
}

// Href is the address of item n.
func (d *attemptData) Href(n int) string {
	return "/attempts/" + d.View.ID + "?item=" + strconv.Itoa(n)
}

// Last is the number of items.
func (d *attemptData) Last() int { return len(d.View.Form.Items) }

// Options are the item's options in the order of the candidate's form
// (the item's own order is not the one shown: options may be shuffled).
func (d *attemptData) Options() []item.Choice { return inOrder(d.Item.Choices, d.FormItem.Choices) }

// Targets are a matching's targets in the order of the form.
func (d *attemptData) Targets() []item.Choice { return inOrder(d.Item.Targets, d.FormItem.Targets) }

func inOrder(cs []item.Choice, order []string) []item.Choice {
	out := make([]item.Choice, 0, len(cs))
	for _, id := range order {
		if i := slices.IndexFunc(cs, func(c item.Choice) bool { return c.ID == id }); i >= 0 {
			out = append(out, cs[i])
		}
	}
	for _, c := range cs { // an option the form does not order: after the others
		if !slices.Contains(order, c.ID) {
			out = append(out, c)
		}
	}
	return out
}

// response is the item's response shown: what was sent, when the form
// came back refused, else the answer saved.
func (d *attemptData) response() item.Response { return d.responses[d.Item.ID] }

// Chosen reports whether option id is chosen (a radio or a checkbox).
func (d *attemptData) Chosen(id string) bool {
	if d.Form != nil {
		return d.Form.Checked("response", id)
	}
	return slices.Contains(d.response(), id)
}

// Typed is the text of a text entry.
func (d *attemptData) Typed() string {
	if d.Form != nil {
		return d.Form.V("response")
	}
	if r := d.response(); len(r) > 0 {
		return r[0]
	}
	return ""
}

// Position is the position given to option id of an ordering, "" if none.
func (d *attemptData) Position(id string) string {
	if d.Form != nil {
		return d.Form.V("pos:" + id)
	}
	if i := slices.Index(d.response(), id); i >= 0 {
		return strconv.Itoa(i + 1)
	}
	return ""
}

// Positions are the positions an ordering's options may take.
func (d *attemptData) Positions() []string {
	out := make([]string, len(d.Item.Choices))
	for i := range out {
		out[i] = strconv.Itoa(i + 1)
	}
	return out
}

// Target is the target matched to source, "" if none.
func (d *attemptData) Target(source string) string {
	if d.Form != nil {
		return d.Form.V("match:" + source)
	}
	for _, v := range d.response() {
		if s, t, ok := strings.Cut(v, " "); ok && s == source {
			return t
		}
	}
	return ""
}

// Paragraphs splits a prompt into its paragraphs (apart by a blank line).
func (d *attemptData) Paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Limited says the attempt has a time limit.
func (d *attemptData) Limited() bool { return d.View.Limit > 0 }

// Clock is the time left as a clock: 29:05, or 1:02:05.
func (d *attemptData) Clock() string { return clock(time.Duration(d.View.Remaining) * time.Second) }

// Clock writes a duration as a clock: 29:05, or 1:02:05.
func (p *page) Clock(d time.Duration) string { return clock(d) }

func clock(d time.Duration) string {
	r := int64(d / time.Second)
	h, m, sec := r/3600, r/60%60, r%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%d:%02d", m, sec)
}

// Duration is the time left as an HTML duration (PT1745S).
func (d *attemptData) Duration() string { return fmt.Sprintf("PT%dS", d.View.Remaining) }

// Minutes is the attempt's time limit in minutes.
func (d *attemptData) Minutes() int { return int(d.View.Limit / time.Minute) }

// TimeOfDay is t's time of day in Rome: 10:30.
func (p *page) TimeOfDay(t time.Time) string { return t.In(attesta.Rome).Format("15:04") }

// Percent writes a percentage (a float64 or an int) as the page's
// language does: 66,6 % or 66.6%.
func (p *page) Percent(v any) string {
	var s string
	switch v := v.(type) {
	case float64:
		s = p.Number(v)
	default:
		s = fmt.Sprint(v)
	}
	if p.Lang == "it" {
		return s + " %"
	}
	return s + "%"
}

// Minutes is a duration in whole minutes.
func (p *page) Minutes(d time.Duration) int { return int(d / time.Minute) }

// Points writes a score.
func (p *page) Points(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if p.Lang == "it" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func (s *Site) attemptView(w http.ResponseWriter, r *http.Request) {
	d := attemptData{Mode: "item", Done: doneOf(r)}
	if v := r.URL.Query().Get("item"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.fail(w, r, attesta.E(attesta.Invalid, "err.web.attempt.item", v))
			return
		}
		d.N = n
	}
	s.attemptPage(w, r, http.StatusOK, d)
}

func (s *Site) attemptReview(w http.ResponseWriter, r *http.Request) {
	s.attemptPage(w, r, http.StatusOK, attemptData{Mode: "review"})
}

// attemptPage shows attempt r's {id}: to its candidate, the item asked
// (d.N; the first without an answer when none is asked) or the review,
// while it is open; else, and to the staff, its summary.
func (s *Site) attemptPage(w http.ResponseWriter, r *http.Request, status int, d attemptData) {
	p := s.userPage(w, r, "sittings.title", crumb{p0(s, w, r, "sittings.title"), "/sittings"})
	ctx := r.Context()
	v, err := s.platform.Tests.GetAttempt(ctx, p.User, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sv, err := s.platform.Tests.GetSitting(ctx, p.User, v.Sitting)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.View, d.Sitting = v, sv
	d.Candidate = p.User.Role == auth.Student && v.Candidate == p.User.Person
	for _, c := range sv.Candidates {
		if c.Person == v.Candidate {
			d.Name = c.Name
		}
	}
	d.responses = map[string]item.Response{}
	for _, a := range v.Answers {
		d.responses[a.Item] = a.Response
	}
	prompts := map[string]string{}
	for _, it := range v.Items {
		prompts[it.ID] = it.Prompt
	}
	first := 0
	for i, fi := range v.Form.Items {
		_, ok := d.responses[fi.Item]
		d.Nav = append(d.Nav, attemptNav{N: i + 1, Answered: ok, Prompt: excerpt(prompts[fi.Item], 120)})
		if ok {
			d.Answered++
		} else if first == 0 {
			first = i + 1
		}
	}
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{sv.Title, "/sittings/" + sv.ID})
	if !d.Candidate || v.State == assessment.Submitted {
		d.Mode = "summary"
	}
	switch d.Mode {
	case "item":
		if d.N == 0 && first == 0 {
			http.Redirect(w, r, "/attempts/"+v.ID+"/review", http.StatusSeeOther)
			return
		}
		if d.N == 0 {
			d.N = first
		}
		if d.N > len(v.Form.Items) {
			s.fail(w, r, attesta.E(attesta.NotFound, "err.web.attempt.item", strconv.Itoa(d.N)))
			return
		}
		d.FormItem = v.Form.Items[d.N-1]
		for i := range v.Items {
			if v.Items[i].ID == d.FormItem.Item {
				d.Item = &v.Items[i]
			}
		}
		if d.Item == nil {
			s.fail(w, r, fmt.Errorf("attempt %s: item %s of its form is not shown", v.ID, d.FormItem.Item))
			return
		}
		p.Title = p.T("attempt.item.of", d.N, len(v.Form.Items))
		p.Breadcrumbs = append(p.Breadcrumbs, crumb{Label: p.Title})
	case "review":
		p.Title = p.T("attempt.review")
		p.Breadcrumbs = append(p.Breadcrumbs, crumb{p.T("attempt.title"), "/attempts/" + v.ID}, crumb{Label: p.Title})
	default:
		p.Title = p.T("attempt.title")
		if !d.Candidate {
			p.Title = p.T("attempt.title.of", d.Name)
		}
		p.Breadcrumbs = append(p.Breadcrumbs, crumb{Label: p.Title})
		d.Events = map[string]int{}
		for _, e := range v.Events {
			d.Events[e.Kind]++
		}
		if v.Result != nil {
			st, _ := s.standards.Version(ctx, nil, sv.Blueprint.Sector, sv.Blueprint.Standard) // a test's standard is published
			for _, c := range v.Result.Competences {
				cr := competenceResult{CompetenceResult: c}
				if st != nil {
					if comp, ok := st.Competence(c.Competence); ok {
						cr.Title = comp.Title
					}
				}
				d.Result = append(d.Result, cr)
			}
		}
	}
	p.Data = &d
	s.render(w, r, status, "attempt", p)
}

// excerpt is the start of a text, at most n characters, on a word's end.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) <= n {
		return s
	}
	cut := string([]rune(s)[:n])
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

// responseOf reads the response to it a form sends, by its kind: the
// option chosen, those ticked, a position per option of an ordering, a
// target per source of a matching, the text typed. Nothing given is no
// response (an answer given before is withdrawn).
func responseOf(it *item.Item, f url.Values) (item.Response, error) {
	var r item.Response
	switch it.Kind {
	case item.TextEntry:
		if v := f.Get("response"); strings.TrimSpace(v) != "" {
			r = item.Response{v}
		}
	case item.Ordering:
		n := len(it.Choices)
		at := make([]string, n)
		given := 0
		for _, c := range it.Choices {
			v := f.Get("pos:" + c.ID)
			if v == "" {
				continue
			}
			given++
			i, err := strconv.Atoi(v)
			if err != nil || i < 1 || i > n || at[i-1] != "" {
				given = -1
				break
			}
			at[i-1] = c.ID
		}
		switch given {
		case 0:
		case n:
			r = at
		default:
			var fe attesta.FieldErrors
			fe.Problem("response", "err.web.attempt.positions", n)
			return nil, fe.Err()
		}
	case item.Matching:
		for _, c := range it.Choices {
			if t := f.Get("match:" + c.ID); t != "" {
				r = append(r, item.Pair(c.ID, t))
			}
		}
	default:
		for _, v := range f["response"] {
			if v != "" {
				r = append(r, v)
			}
		}
	}
	return r, nil
}

// answer saves the answer to the item shown and goes on (go: next, prev,
// review, stay); a refusal shows the item again with what was sent and
// why: after the deadline, the time is up and the answers saved before
// are kept.
func (s *Site) answer(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	ctx, p, id := r.Context(), principal(r), r.PathValue("id")
	v, err := s.platform.Tests.GetAttempt(ctx, p, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	itemID := r.PostForm.Get("item")
	n := slices.IndexFunc(v.Form.Items, func(fi assessment.FormItem) bool { return fi.Item == itemID }) + 1
	var resp item.Response
	// The items' texts are shown only while the attempt is open: once it
	// is submitted the service refuses the answer, and says why.
	if i := slices.IndexFunc(v.Items, func(it item.Item) bool { return it.ID == itemID }); n > 0 && i >= 0 {
		resp, err = responseOf(&v.Items[i], r.PostForm)
	}
	if err == nil {
		_, err = s.platform.Tests.AnswerRemaining(ctx, p, id, itemID, resp)
	}
	if err != nil {
		f, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		if e := f.E("response"); e != "" && f.Error == "" {
			f.Error = e
		}
		s.attemptPage(w, r, httpstatus.Of(err), attemptData{Mode: "item", N: max(n, 1), Form: f})
		return
	}
	next := "/attempts/" + id + "?item="
	switch r.PostForm.Get("go") {
	case "prev":
		next += strconv.Itoa(max(n-1, 1))
	case "stay":
		next += strconv.Itoa(n)
	case "review":
		next = "/attempts/" + id + "/review"
	default:
		if n >= len(v.Form.Items) {
			next = "/attempts/" + id + "/review"
		} else {
			next += strconv.Itoa(n + 1)
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// submitAttempt submits the candidate's attempt, when the box that
// confirms it is ticked.
func (s *Site) submitAttempt(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	ctx, p, id := r.Context(), principal(r), r.PathValue("id")
	var err error
	if confirmed(r.PostForm) {
		err = s.platform.Tests.Submit(ctx, p, id)
	} else if err = auth.Decide(p, auth.TestTake, auth.Anywhere); err == nil {
		// The service's Submit asks for no confirmation; the page does,
		// once the action is the user's (the review then reads the
		// attempt as theirs, or not at all).
		var fe attesta.FieldErrors
		fe.Problem("confirm", "err.assessment.confirm")
		err = fe.Err()
	}
	if err != nil {
		f, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.attemptPage(w, r, httpstatus.Of(err), attemptData{Mode: "review", Form: f})
		return
	}
	http.Redirect(w, r, "/attempts/"+id+"?done=submitted", http.StatusSeeOther)
}

// noteEvent records what the page's script reports: the page lost or took
// the focus, text was pasted.
func (s *Site) noteEvent(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	if err := s.platform.Tests.Note(r.Context(), principal(r), r.PathValue("id"), r.PostForm.Get("kind"), r.PostForm.Get("item")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
