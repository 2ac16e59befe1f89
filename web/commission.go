package web

import (
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/item"
)

// The commission's pages (issue 15): the Chamber's list of its
// commissions with the nomination form; a commission with its sessions
// and the form that opens one; a session, where the members declare, the
// president or the secretary record attendance, fix the criteria, adopt
// the proposals, and every member present signs the minutes, and where the
// issuance's progress and the badges show once it is closed; a candidate,
// with their evidence, the proposal and the decision form; the minutes as
// a PDF; a learner's outcomes and badges. docs/design/commission.md says
// why they look as they do.

// commissionRoutes are the routes of the commission's pages.
func (s *Site) commissionRoutes(user func(string, auth.Action, http.HandlerFunc) Route) []Route {
	return []Route{
		user("GET /commissions", auth.CommissionView, s.commissions),
		user("POST /commissions", auth.CommissionNominate, s.nominate),
		user("GET /commissions/{id}", auth.CommissionView, s.commissionView),
		user("POST /commissions/{id}/sessions", auth.CommissionNominate, s.openCommissionSession),
		user("GET /commission-sessions/{id}", auth.CommissionView, s.sessionView),
		user("POST /commission-sessions/{id}/attendance", auth.CommissionSit, s.sessionAct("attendance")),
		user("POST /commission-sessions/{id}/declaration", auth.CommissionSit, s.sessionAct("declaration")),
		user("POST /commission-sessions/{id}/recusal", auth.CommissionSit, s.sessionAct("recusal")),
		user("POST /commission-sessions/{id}/criteria", auth.CommissionSit, s.sessionAct("criteria")),
		user("POST /commission-sessions/{id}/proposals", auth.CommissionSit, s.sessionAct("proposals")),
		user("POST /commission-sessions/{id}/signature", auth.CommissionSit, s.sessionAct("signature")),
		user("POST /commission-sessions/{id}/issuance", auth.CommissionNominate, s.sessionAct("issuance")),
		user("GET /commission-sessions/{id}/candidate", auth.CommissionView, s.candidateView),
		user("GET /commission-sessions/{id}/paper", auth.CommissionView, s.paperView),
		user("POST /commission-sessions/{id}/decisions", auth.CommissionSit, s.decideCandidate),
		user("GET /commission-sessions/{id}/minutes.pdf", auth.CommissionView, s.minutesPDF),
		user("GET /badges", auth.BadgeView, s.badges),
		user("GET /badges/{id}", auth.BadgeView, s.badgeFile),
		user("POST /badges/{id}/status", auth.BadgeStatus, s.badgeStatus),
		user("POST /people/{id}/areas", auth.BadgeStack, s.stackArea),
	}
}

// --- the list and the nomination ---

// commissionsData is what the list of commissions shows.
type commissionsData struct {
	Items []commission.Commission
	// Nominate is the nomination form's choices, for a Chamber.
	Nominate *nominateChoices
	Form     *form
}

// nominateChoices are the choices of the nomination form.
type nominateChoices struct {
	Sectors []option
	Roles   []commission.Role
	Rows    []int // the member rows offered
}

// nomineeRows is how many member rows the nomination form offers.
const nomineeRows = 7

func (s *Site) commissions(w http.ResponseWriter, r *http.Request) {
	s.commissionsPage(w, r, http.StatusOK, nil)
}

func (s *Site) commissionsPage(w http.ResponseWriter, r *http.Request, status int, f *form) {
	p := s.userPage(w, r, "commissions.title", crumb{Label: p0(s, w, r, "commissions.title")})
	list, err := s.platform.Commissions.Commissions(r.Context(), p.User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := commissionsData{Items: list, Form: f}
	if p.CanAny(string(auth.CommissionNominate)) {
		infos, err := s.standards.Sectors(r.Context(), nil)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		c := &nominateChoices{Roles: commission.Roles}
		for _, in := range infos {
			if in.Status == competence.Published || in.Status == competence.Superseded {
				if !slices.ContainsFunc(c.Sectors, func(o option) bool { return o.Value == in.Sector }) {
					c.Sectors = append(c.Sectors, option{in.Sector, p.In(in.Title)})
				}
			}
		}
		for i := range nomineeRows {
			c.Rows = append(c.Rows, i)
		}
		d.Nominate = c
	}
	p.Data = &d
	s.render(w, r, status, "commissions", p)
}

func (s *Site) nominate(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	f := r.PostForm
	in := commission.NewCommission{Sector: f.Get("sector"), Title: f.Get("title"), Act: f.Get("act")}
	for i := range nomineeRows {
		n := strconv.Itoa(i)
		email, role := strings.TrimSpace(f.Get("email"+n)), f.Get("role"+n)
		if email == "" && role == "" {
			continue
		}
		in.Members = append(in.Members, commission.Nominee{Email: email, Role: commission.Role(role), GivenName: f.Get("given" + n), FamilyName: f.Get("family" + n)})
	}
	c, err := s.platform.Commissions.Nominate(r.Context(), principal(r), in)
	if err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		// A member's problem is said beside their row.
		for field, msg := range fm.Errors {
			if i, ok := strings.CutPrefix(field, "members["); ok {
				n, _, _ := strings.Cut(i, "]")
				fm.Errors["email"+n] = msg
			}
		}
		s.commissionsPage(w, r, httpstatus.Of(err), fm)
		return
	}
	http.Redirect(w, r, "/commissions/"+c.ID+"?done=nominated", http.StatusSeeOther)
}

// --- a commission ---

// commissionData is what a commission's page shows.
type commissionData struct {
	View *commission.CommissionView
	// Open says the reader may open a session (its Chamber's operators).
	Open bool
	Date string // proposed
	Form *form
	Done string
}

func (s *Site) commissionView(w http.ResponseWriter, r *http.Request) {
	s.commissionPage(w, r, http.StatusOK, r.PathValue("id"), commissionData{Done: r.URL.Query().Get("done")})
}

func (s *Site) commissionPage(w http.ResponseWriter, r *http.Request, status int, id string, d commissionData) {
	p := s.userPage(w, r, "commissions.title", crumb{p0(s, w, r, "commissions.title"), "/commissions"})
	v, err := s.platform.Commissions.Get(r.Context(), p.User, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.View = v
	d.Open = p.User.Role == auth.ChamberOperator && p.User.Org == v.Chamber
	d.Date = s.now().In(attesta.Rome).Format(time.DateOnly)
	if d.Done != "nominated" && d.Done != "" {
		d.Done = ""
	}
	p.Title = v.Title
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{Label: v.Title})
	p.Data = &d
	s.render(w, r, status, "commission", p)
}

func (s *Site) openCommissionSession(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	id := r.PathValue("id")
	f := r.PostForm
	in := commission.NewSession{Quorum: commission.Quorum(f.Get("quorum"))}
	if t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(f.Get("date")), attesta.Rome); err == nil {
		in.Date = t.Add(9 * time.Hour)
	}
	if v := strings.TrimSpace(f.Get("review_days")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1 // said out of bounds by the service
		}
		in.ReviewDays = n
	}
	st, err := s.platform.Commissions.OpenSession(r.Context(), principal(r), id, in)
	if err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.commissionPage(w, r, httpstatus.Of(err), id, commissionData{Form: fm})
		return
	}
	http.Redirect(w, r, "/commission-sessions/"+st.ID+"?done=opened", http.StatusSeeOther)
}

// --- a session ---

// sessionData is what a session's page shows.
type sessionData struct {
	View *commission.SessionView
	// Member is the reader's seat; Chair says they are the president or
	// the secretary; Declared, that they have declared; Signed, that they
	// have signed (or refused).
	Member   *commission.Member
	Chair    bool
	Declared bool
	Signed   bool
	Present  bool
	Rows     []sessionRow
	Grounds  []commission.Ground
	Roles    map[string]commission.Role
	names    map[string]string
	// Minutes is the minutes' PDF, once the reader may read them.
	Minutes bool
	// Resume says the reader may resume the issuance (it ended short).
	Resume bool
	Form   *form
	On     string
	Done   string
}

// sessionRow is a candidate of the session with their competences.
type sessionRow struct {
	commission.Candidate
	Competences []competenceCell
	Recused     bool // the reader takes no part for them
}

// competenceCell is a candidate's competence: the proposal and the
// decision.
type competenceCell struct {
	Code     string
	Proposal commission.Outcome
	Decision *commission.Decision
}

// Name returns a member's or a candidate's name.
func (d *sessionData) Name(person string) string { return or(d.names[person], person) }

// FormOn returns the refused form if it was on what, else nil.
func (d *sessionData) FormOn(what string) *form {
	if d.On == what {
		return d.Form
	}
	return nil
}

func (s *Site) sessionView(w http.ResponseWriter, r *http.Request) {
	done := r.URL.Query().Get("done")
	switch done {
	case "opened", "attendance", "declaration", "recusal", "criteria", "proposals", "signature", "issuance", "decided", "status":
	default:
		done = ""
	}
	s.sessionPage(w, r, http.StatusOK, r.PathValue("id"), sessionData{Done: done})
}

func (s *Site) sessionPage(w http.ResponseWriter, r *http.Request, status int, id string, d sessionData) {
	p := s.userPage(w, r, "commissions.title", crumb{p0(s, w, r, "commissions.title"), "/commissions"})
	v, err := s.platform.Commissions.GetSession(r.Context(), p.User, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.View, d.Member, d.Grounds = v, v.Member, commission.Grounds
	d.names, d.Roles = map[string]string{}, map[string]commission.Role{}
	for _, m := range v.Commission.Members {
		d.names[m.Person], d.Roles[m.Person] = m.Name, m.Role
	}
	for _, c := range v.Candidates {
		d.names[c.Person] = c.Name
	}
	if d.Member != nil {
		d.Chair = d.Member.Role == commission.President || d.Member.Role == commission.Secretary
		d.Declared = v.Declared(p.User.Person)
		d.Present = slices.Contains(v.Present, p.User.Person)
		d.Signed = slices.ContainsFunc(v.Signatures, func(x commission.Signature) bool { return x.Person == p.User.Person })
	}
	d.Minutes = d.Member == nil || d.Declared
	d.Resume = v.Chamber && !v.Closed.IsZero() && v.Progress != nil && v.Progress.State.Ended() && v.Progress.Issued < v.Progress.Total
	for _, c := range v.Candidates {
		row := sessionRow{Candidate: c, Recused: d.Member != nil && v.RecusedFor(p.User.Person, c.Person)}
		for _, code := range c.Competences() {
			row.Competences = append(row.Competences, competenceCell{Code: code, Proposal: v.Proposal(c.Person, code), Decision: v.Decision(c.Person, code)})
		}
		d.Rows = append(d.Rows, row)
	}
	p.Title = p.T("session.title", v.Number, v.Commission.Title)
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{v.Commission.Title, "/commissions/" + v.Commission.ID}, crumb{Label: p.T("session.number", v.Number)})
	p.Data = &d
	s.render(w, r, status, "session", p)
}

// sessionAct is the handler of an act on a session: it runs the act and
// sends the browser back to the page, or shows the page again with the
// form as typed and the problem beside it.
func (s *Site) sessionAct(act string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.parsed(w, r) {
			return
		}
		id, f, ctx, p := r.PathValue("id"), r.PostForm, r.Context(), principal(r)
		svc := s.platform.Commissions
		var err error
		switch act {
		case "attendance":
			_, err = svc.Attend(ctx, p, id, f["present"])
		case "declaration":
			if err = svc.MaySit(ctx, p, id); err != nil {
				break
			}
			if !confirmed(f) {
				var fe attesta.FieldErrors
				fe.Problem("confirm", "err.commission.declare.confirm")
				err = fe.Err()
				break
			}
			_, err = svc.Declare(ctx, p, id, nil)
		case "recusal":
			_, err = svc.Recuse(ctx, p, id, f.Get("candidate"))
		case "criteria":
			var c commission.Criteria
			c.MinLevel, _ = strconv.Atoi(f.Get("min_level"))
			c.LevelShare = percent(f.Get("level_share"))
			c.MaxNotObserved = percent(f.Get("max_not_observed"))
			c.TestRequired = f.Get("test_required") == "yes"
			_, err = svc.FixCriteria(ctx, p, id, c)
		case "proposals":
			_, err = svc.DecideProposals(ctx, p, id)
		case "signature":
			refuse := f.Get("refuse") == "yes"
			if err = svc.MaySit(ctx, p, id); err != nil {
				break
			}
			if !refuse && !confirmed(f) {
				var fe attesta.FieldErrors
				fe.Problem("confirm", "err.commission.sign.confirm")
				err = fe.Err()
				break
			}
			_, err = svc.Sign(ctx, p, id, refuse, f.Get("reason"))
		case "issuance":
			_, err = svc.Resume(ctx, p, id)
		}
		if err != nil {
			fm, ok := s.formError(s.newPage(w, r), r, err)
			if code := attesta.ErrorCode(err); !ok || code == attesta.Forbidden || code == attesta.NotFound {
				s.fail(w, r, err)
				return
			}
			s.sessionPage(w, r, httpstatus.Of(err), id, sessionData{Form: fm, On: act})
			return
		}
		http.Redirect(w, r, "/commission-sessions/"+id+"?done="+act+"#"+act, http.StatusSeeOther)
	}
}

// percent reads a percentage typed as 75 or 75,5 as a share (0.75); what
// is not a number is -1, which the service refuses.
func percent(v string) float64 {
	n, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "%")), ",", ".", 1), 64)
	if err != nil {
		return -1
	}
	return n / 100
}

// --- a candidate ---

// candidatePageData is what a candidate's page shows.
type candidatePageData struct {
	Session *commission.SessionView
	View    *commission.CandidateView
	// Chair says the reader may minute decisions; Outcomes are the
	// choices.
	Chair    bool
	Outcomes []commission.Outcome
	Scale    []competence.ScaleLevel
	names    map[string]string
	Form     *form
	On       string
}

// Name returns a member's name.
func (d *candidatePageData) Name(person string) string { return or(d.names[person], person) }

// Names returns members' names, joined.
func (d *candidatePageData) Names(persons []string) string {
	out := make([]string, len(persons))
	for i, id := range persons {
		out[i] = d.Name(id)
	}
	return strings.Join(out, ", ")
}

// FormOn returns the refused form if it was on what, else nil.
func (d *candidatePageData) FormOn(what string) *form {
	if d.On == what {
		return d.Form
	}
	return nil
}

// Decision returns the decision on a competence, or nil.
func (d *candidatePageData) Decision(code string) *commission.Decision {
	for i := range d.View.Decisions {
		if d.View.Decisions[i].Competence == code {
			return &d.View.Decisions[i]
		}
	}
	return nil
}

// Level names a level of the standard's scale.
func (d *candidatePageData) Level(p *page, level int) string {
	return levelWords(p, d.Scale, level, level == 0)
}

func (s *Site) candidateView(w http.ResponseWriter, r *http.Request) {
	s.candidatePage(w, r, http.StatusOK, r.PathValue("id"), r.URL.Query().Get("person"), candidatePageData{})
}

func (s *Site) candidatePage(w http.ResponseWriter, r *http.Request, status int, id, person string, d candidatePageData) {
	p := s.userPage(w, r, "commissions.title", crumb{p0(s, w, r, "commissions.title"), "/commissions"})
	ctx := r.Context()
	sv, err := s.platform.Commissions.GetSession(ctx, p.User, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.platform.Commissions.Candidate(ctx, p.User, id, person)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Session, d.View, d.Outcomes = sv, v, commission.Outcomes
	d.names = map[string]string{}
	for _, m := range sv.Commission.Members {
		d.names[m.Person] = m.Name
	}
	if m := sv.Member; m != nil {
		d.Chair = (m.Role == commission.President || m.Role == commission.Secretary) && sv.Closed.IsZero()
	}
	if st, err := s.standards.Version(ctx, nil, sv.Commission.Sector, v.Version); err == nil {
		d.Scale = scaleOf(st)
	}
	p.Title = v.Name
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{sv.Commission.Title, "/commissions/" + sv.Commission.ID},
		crumb{p.T("session.number", sv.Number), "/commission-sessions/" + sv.ID}, crumb{Label: v.Name})
	p.Data = &d
	s.render(w, r, status, "candidate", p)
}

func (s *Site) decideCandidate(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	id, f := r.PathValue("id"), r.PostForm
	person, code := f.Get("candidate"), f.Get("competence")
	d := commission.Decision{Candidate: person, Competence: code, Outcome: commission.Outcome(f.Get("outcome")), Reason: f.Get("reason")}
	for _, m := range f["voter"] {
		if f.Get("vote-"+m) == "against" {
			d.Dissent = append(d.Dissent, m)
		} else {
			d.For = append(d.For, m)
		}
	}
	if _, err := s.platform.Commissions.Decide(r.Context(), principal(r), id, d); err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if code := attesta.ErrorCode(err); !ok || code == attesta.Forbidden || code == attesta.NotFound {
			s.fail(w, r, err)
			return
		}
		s.candidatePage(w, r, httpstatus.Of(err), id, person, candidatePageData{Form: fm, On: code})
		return
	}
	http.Redirect(w, r, "/commission-sessions/"+id+"/candidate?"+url.Values{"person": {person}}.Encode()+"#decision-"+code, http.StatusSeeOther)
}

// --- a learner's outcomes ---

// badgesData is what the outcomes page shows.
type badgesData struct {
	Record *commission.Record
	Now    time.Time
	// Areas are the area credentials a Chamber's operator may issue: the
	// paths of the standard versions of the learner's badges.
	Areas []areaChoice
	Form  *form
	Done  bool
	// Cards are the badges and Stacks the area credentials, as issued;
	// Own is true on the learner's own page (they share and download).
	Cards, Stacks []*badgeCard
	Own           bool
}

// areaChoice is a path of a standard version, to stack badges into.
type areaChoice struct {
	Sector  string
	Version int
	Path    string
	Title   string
}

func (s *Site) badges(w http.ResponseWriter, r *http.Request) {
	person := r.URL.Query().Get("person")
	s.badgesPage(w, r, http.StatusOK, person, &badgesData{Done: r.URL.Query().Get("done") == "area"})
}

func (s *Site) badgesPage(w http.ResponseWriter, r *http.Request, status int, person string, d *badgesData) {
	p := s.userPage(w, r, "badges.title", crumb{Label: p0(s, w, r, "badges.title")})
	if person == "" || p.User.Role == auth.Student {
		person = p.User.Person
	}
	rec, err := s.platform.Commissions.Record(r.Context(), p.User, person)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Record, d.Now, d.Own = rec, s.now(), person == p.User.Person
	for _, b := range rec.Badges {
		c, err := s.card(r.Context(), p, b.Credential)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if s.platform.Shares != nil {
			if c.Link, err = s.platform.Shares.Link(r.Context(), p.User, b.Credential); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		d.Cards = append(d.Cards, c)
	}
	for _, st := range rec.Stacks {
		c, err := s.card(r.Context(), p, st.Credential)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Stacks = append(d.Stacks, c)
	}
	if p.CanAny(string(auth.BadgeStack)) && person != p.User.Person {
		seen := map[string]bool{}
		for _, b := range rec.Badges {
			key := b.Sector + "/" + strconv.Itoa(b.Version)
			if seen[key] || b.Issuer != p.User.Org {
				continue
			}
			seen[key] = true
			st, err := s.standards.Version(r.Context(), nil, b.Sector, b.Version)
			if err != nil {
				continue
			}
			for _, pa := range st.Paths {
				d.Areas = append(d.Areas, areaChoice{Sector: b.Sector, Version: b.Version, Path: pa.ID, Title: p.In(st.Title) + " · " + p.In(pa.Title)})
			}
		}
	}
	p.Data = d
	s.render(w, r, status, "badges", p)
}

func (s *Site) stackArea(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	person := r.PathValue("id")
	sector, rest, _ := strings.Cut(r.PostForm.Get("area"), "|")
	v, path, _ := strings.Cut(rest, "|")
	version, _ := strconv.Atoi(v)
	_, err := s.platform.Commissions.Stack(r.Context(), principal(r), s.platform.Areas, person, sector, version, path)
	if err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if code := attesta.ErrorCode(err); !ok || code == attesta.Forbidden || code == attesta.NotFound {
			s.fail(w, r, err)
			return
		}
		s.badgesPage(w, r, httpstatus.Of(err), person, &badgesData{Form: fm})
		return
	}
	http.Redirect(w, r, "/badges?"+url.Values{"person": {person}, "done": {"area"}}.Encode()+"#areas", http.StatusSeeOther)
}

// badgeFile downloads a badge as issued: the credential's JSON (or its
// compact JWT), named after its competence.
func (s *Site) badgeFile(w http.ResponseWriter, r *http.Request) {
	b, body, err := s.platform.Commissions.BadgeFile(r.Context(), principal(r), s.platform.Credentials, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/vc+ld+json")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "badge-" + b.Competence + ".json"}))
	h.Set("Cache-Control", "private, no-store")
	w.Write(body)
}

func (s *Site) badgeStatus(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	f := r.PostForm
	session := f.Get("session")
	_, err := s.platform.Commissions.ChangeBadge(r.Context(), principal(r), s.platform.Badges, r.PathValue("id"),
		credential.Action(f.Get("action")), f.Get("act"), f.Get("reason"))
	if err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if !ok || session == "" {
			s.fail(w, r, err)
			return
		}
		s.sessionPage(w, r, httpstatus.Of(err), session, sessionData{Form: fm, On: "status:" + r.PathValue("id")})
		return
	}
	if session == "" {
		http.Redirect(w, r, "/commissions", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/commission-sessions/"+url.PathEscape(session)+"?done=status#badges", http.StatusSeeOther)
}

// --- a candidate's paper ---

// paperData is a candidate's paper as the commission reads it.
type paperData struct {
	Session *commission.SessionView
	Name    string
	View    *assessment.AttemptView
	Items   []paperItem
}

// paperItem is an item of the paper: the question, the options with the
// candidate's choice and the right one, or the text typed and the texts
// accepted, and the score.
type paperItem struct {
	N          int
	Competence string
	Dimension  item.Dimension
	Prompt     string
	Before     string
	After      string
	Lines      []paperLine
	Typed      string
	Accepted   []string
	Score, Max float64
	Scored     bool
}

// paperLine is an option of an item, or a pair of a matching.
type paperLine struct {
	Text    string
	Chosen  bool
	Correct bool
}

func (s *Site) paperView(w http.ResponseWriter, r *http.Request) {
	p := s.userPage(w, r, "commissions.title", crumb{p0(s, w, r, "commissions.title"), "/commissions"})
	ctx := r.Context()
	id, person := r.PathValue("id"), r.URL.Query().Get("person")
	sv, err := s.platform.Commissions.GetSession(ctx, p.User, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.platform.Commissions.Paper(ctx, p.User, s.platform.Tests, id, person)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &paperData{Session: sv, View: v, Name: person}
	if c := sv.Candidate(person); c != nil {
		d.Name = c.Name
	}
	answers := map[string]item.Response{}
	for _, a := range v.Answers {
		answers[a.Item] = a.Response
	}
	scores := map[string]assessment.ItemResult{}
	if v.Result != nil {
		for _, ir := range v.Result.Items {
			scores[ir.Item] = ir
		}
	}
	items := map[string]item.Item{}
	for _, it := range v.Items {
		items[it.ID] = it
	}
	for n, fi := range v.Form.Items {
		it := items[fi.Item]
		resp := answers[fi.Item]
		pi := paperItem{N: n + 1, Competence: it.Competence, Dimension: it.Dimension, Prompt: it.Prompt, Before: it.Before, After: it.After}
		if ir, ok := scores[fi.Item]; ok {
			pi.Score, pi.Max, pi.Scored = ir.Score, ir.Max, true
		}
		text := func(cs []item.Choice, id string) string {
			for _, c := range cs {
				if c.ID == id {
					return c.Text
				}
			}
			return id
		}
		switch it.Kind {
		case item.Matching:
			pairs := append(slices.Clone(resp), it.Correct...)
			seen := map[string]bool{}
			for _, pr := range pairs {
				if seen[pr] {
					continue
				}
				seen[pr] = true
				src, tg, _ := strings.Cut(pr, " ")
				pi.Lines = append(pi.Lines, paperLine{Text: text(it.Choices, src) + " → " + text(it.Targets, tg),
					Chosen: slices.Contains(resp, pr), Correct: slices.Contains(it.Correct, pr)})
			}
		case item.Ordering:
			for i, id := range resp {
				pi.Lines = append(pi.Lines, paperLine{Text: strconv.Itoa(i+1) + ". " + text(it.Choices, id), Chosen: true,
					Correct: i < len(it.Correct) && it.Correct[i] == id})
			}
		case item.TextEntry:
			if len(resp) > 0 {
				pi.Typed = resp[0]
			}
			pi.Accepted = it.Correct
		default:
			for _, c := range it.Choices {
				pi.Lines = append(pi.Lines, paperLine{Text: c.Text, Chosen: slices.Contains(resp, c.ID), Correct: slices.Contains(it.Correct, c.ID)})
			}
		}
		d.Items = append(d.Items, pi)
	}
	p.Title = p.T("paper.title", d.Name)
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{sv.Commission.Title, "/commissions/" + sv.Commission.ID},
		crumb{p.T("session.number", sv.Number), "/commission-sessions/" + sv.ID},
		crumb{d.Name, "/commission-sessions/" + sv.ID + "/candidate?" + url.Values{"person": {person}}.Encode()}, crumb{Label: p.T("paper.crumb")})
	p.Data = d
	s.render(w, r, http.StatusOK, "paper", p)
}
