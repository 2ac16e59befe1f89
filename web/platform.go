package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/course"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/importer"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/job"
	"github.com/attesta/attesta/observation"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/rights"
	"github.com/attesta/attesta/roundtable"
	"github.com/attesta/attesta/share"
	"github.com/attesta/attesta/territory"
	"github.com/attesta/attesta/wallet"
)

// Platform is the services behind the signed-in pages.
type Platform struct {
	Orgs     *org.Service
	People   *people.Service
	Accounts *account.Service
	Audit    *audit.Service
	Tables   *roundtable.Service
	Imports  *importer.Service
	// Jobs keep imports between their preview and their end, and run
	// them.
	Jobs *job.Service
	// Standards is the editor of the competence standards' drafts.
	Standards *competence.Service
	// Experiences are the co-designed training experiences.
	Experiences *experience.Service
	// Sheets are the observation sheets of the experiences, and Dossiers
	// their evidence dossiers; each needs Experiences.
	Sheets   *observation.Service
	Dossiers *dossier.Service
	// Items is the online test's item bank.
	Items *item.Service
	// Tests are the online test's sittings and attempts.
	Tests *assessment.Service
	// Commissions are the commissions, their sessions and the badges
	// they issue; Badges changes a badge's status.
	Commissions *commission.Service
	Badges      commission.StatusChanger
	Areas       commission.AreaIssuer
	Credentials commission.CredentialReader
	// Courses are the Chambers' training courses for tutors and teachers;
	// nil: not served.
	Courses *course.Service
	// Shares are the learners' public links to their badges, Verifier the
	// public verification's; nil: not served.
	Shares   *share.Service
	Verifier Verifier
	// Rights are the learners' copies of their data and requests of
	// erasure, with where a copy reads from; nil: not served.
	Rights        *rights.Service
	RightsSources rights.Sources
	// Stored verifies the credentials attesta keeps, by id, reusing
	// recent reports: the verification a printout's QR code opens.
	Stored *credential.StoredReports
	// Forms makes a badge's form as a JWT: *credential.Service is one.
	Forms interface {
		JWTForm(ctx context.Context, actor credential.Actor, id string) (credential.Record, error)
	}
	// MarkOwner is the national owner of the "Competenza Certificata"
	// mark, whom every badge names as its title holder.
	MarkOwner string
	// PublicURL is where attesta is reached, for the links and QR codes
	// it hands out; "": the address of the request.
	PublicURL string
	// Wallet takes a learner's badges into their wallet; nil: not served.
	Wallet *wallet.Service
	// Clock is the server's clock, which says whether a sitting is open
	// now (nil: time.Now); an attempt's time left is the service's.
	Clock attesta.Clock
	// MaxArtefact is the largest file a dossier accepts; 0: no files.
	MaxArtefact int64
	// SecureCookies marks cookies Secure (attesta is served over HTTPS).
	SecureCookies bool
	// OIDC, if set, offers sign-in with an OpenID Connect provider.
	OIDC OIDC
}

// OIDC is what the sign-in pages need of an OpenID Connect provider.
type OIDC interface {
	Name() string
	// Begin returns where to send the browser and the state to keep.
	Begin() (authURL string, state string, err error)
	// Complete checks the callback and returns the session id.
	Complete(ctx context.Context, state string, query url.Values) (string, error)
}

// SessionCookie is the name of the session cookie.
const SessionCookie = "attesta_session"

// userKey is the request context key of the signed-in principal.
type userKey struct{}

// principal returns the signed-in principal of r, or nil.
func principal(r *http.Request) *auth.Principal {
	p, _ := r.Context().Value(userKey{}).(*auth.Principal)
	return p
}

// withUser resolves the session cookie; a page that needs a user and has
// none sends the browser to the sign-in page, and back afterwards.
func (s *Site) withUser(needed bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.platform.Accounts != nil {
			if c, err := r.Cookie(SessionCookie); err == nil {
				p, _, err := s.platform.Accounts.Authenticate(r.Context(), c.Value)
				switch {
				case err == nil:
					r = r.WithContext(context.WithValue(r.Context(), userKey{}, p))
				case attesta.ErrorCode(err) == attesta.Unauthenticated:
					s.clearSession(w)
				default:
					s.fail(w, r, err)
					return
				}
			}
		}
		if needed && principal(r) == nil {
			next := r.URL.Path
			if r.Method != http.MethodGet {
				next = "/dashboard"
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r)
	}
}

func (s *Site) setSession(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: s.platform.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(account.MaxAge / time.Second)})
}

func (s *Site) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.platform.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// clientAddr is the address sign-in attempts are throttled by.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// safeNext keeps a post-sign-in redirect on this site.
// Only a path of this site, without control characters or backslashes
// (which browsers may drop or read as slashes, turning "/\t/evil.example"
// into "//evil.example"), is followed.
func safeNext(next string) string {
	const home = "/dashboard"
	if next == "" || len(next) > 2000 || strings.ContainsAny(next, "\\") || strings.IndexFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.HasPrefix(next, "//") {
		return home
	}
	return next
}

// form is what a page with a form gets back after a refused submission:
// the values entered (nothing a user typed is lost) and the problems.
type form struct {
	Values url.Values
	Errors map[string]string // field → message in the page's language
	Error  string            // a problem not tied to a field
	Done   string            // a message after a successful action
	// Summary lists every problem, for the top of a long form.
	Summary []string
}

// V returns the value entered for a field.
func (f *form) V(field string) string {
	if f == nil || f.Values == nil {
		return ""
	}
	return f.Values.Get(field)
}

// Checked reports whether a checkbox field was sent with value.
func (f *form) Checked(field, value string) bool {
	return f != nil && f.Values != nil && slices.Contains(f.Values[field], value)
}

// E returns the problem with a field.
func (f *form) E(field string) string {
	if f == nil {
		return ""
	}
	return f.Errors[field]
}

// formError turns a refused action into a form to show again, or returns
// false when err is not the user's to fix.
func (s *Site) formError(p *page, r *http.Request, err error) (*form, bool) {
	f := &form{Values: r.PostForm, Errors: map[string]string{}}
	var fe attesta.FieldErrors
	switch {
	case errors.As(err, &fe):
		for _, e := range fe {
			if f.Errors[e.Field] == "" {
				f.Errors[e.Field] = e.In(p.Lang)
			} else {
				f.Errors[e.Field] += "; " + e.In(p.Lang)
			}
		}
	case attesta.ErrorCode(err) == attesta.Conflict || attesta.ErrorCode(err) == attesta.Invalid ||
		attesta.ErrorCode(err) == attesta.Unauthenticated || attesta.ErrorCode(err) == attesta.Throttled ||
		attesta.ErrorCode(err) == attesta.Forbidden:
		f.Error = messageIn(err, p.Lang)
	default:
		return nil, false
	}
	return f, true
}

// parsed reads a request's form; an unreadable one is answered here.
func (s *Site) parsed(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, attesta.E(attesta.Invalid, "err.web.form.unreadable"))
		return false
	}
	return true
}

// submit runs the change a form asks for. change returns where to send the
// browser afterwards. A refusal the user can fix shows the page again
// through refused, with the form (what was typed and the problems) and the
// status of the refusal; any other error is the error page.
func (s *Site) submit(w http.ResponseWriter, r *http.Request, change func(f url.Values) (string, error), refused func(f *form, status int)) {
	if !s.parsed(w, r) {
		return
	}
	next, err := change(r.PostForm)
	if err != nil {
		f, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		refused(f, httpstatus.Of(err))
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// userPage is a page for a signed-in user.
func (s *Site) userPage(w http.ResponseWriter, r *http.Request, title string, crumbs ...crumb) *page {
	p := s.newPage(w, r)
	p.User = principal(r)
	p.Title = p.T(title)
	p.Breadcrumbs = append([]crumb{{p.T("nav.dashboard"), "/dashboard"}}, crumbs...)
	return p
}

// Can reports whether the page's user may do an action on an object:
// pages show only the links and forms their user may use.
func (p *page) Can(a auth.Action, obj auth.Object) bool {
	return p.User != nil && auth.Can(p.User, a, obj)
}

// CanAny is Can on no object in particular.
func (p *page) CanAny(a string) bool { return p.Can(auth.Action(a), auth.Anywhere) }

// --- sign-in ---

type loginData struct {
	Next string
	OIDC string // the provider's name, if any
	Form *form
}

func (s *Site) loginPage(w http.ResponseWriter, r *http.Request, status int, f *form) {
	p := s.newPage(w, r)
	p.User = principal(r)
	p.Title = p.T("login.title")
	d := loginData{Next: safeNext(r.FormValue("next")), Form: f}
	if s.platform.OIDC != nil {
		d.OIDC = s.platform.OIDC.Name()
	}
	p.Data = d
	s.render(w, r, status, "login", p)
}

func (s *Site) login(w http.ResponseWriter, r *http.Request) { s.loginPage(w, r, http.StatusOK, nil) }

func (s *Site) loginPost(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	id, err := s.platform.Accounts.SignIn(r.Context(), r.PostForm.Get("email"), r.PostForm.Get("password"), clientAddr(r))
	if err != nil {
		p := s.newPage(w, r)
		f, ok := s.formError(p, r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		f.Values.Del("password")
		f.Error = p.T("login.failed." + string(attesta.ErrorCode(err)))
		s.loginPage(w, r, httpstatus.Of(err), f)
		return
	}
	s.setSession(w, id)
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

func (s *Site) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := s.platform.Accounts.SignOut(r.Context(), c.Value); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.clearSession(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Site) oidcStart(w http.ResponseWriter, r *http.Request) {
	if s.platform.OIDC == nil {
		s.fail(w, r, attesta.E(attesta.NotFound, "err.web.oidc.none"))
		return
	}
	u, state, err := s.platform.OIDC.Begin()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "attesta_oidc", Value: state, Path: "/login/oidc", HttpOnly: true,
		Secure: s.platform.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: 600})
	http.Redirect(w, r, u, http.StatusSeeOther)
}

func (s *Site) oidcCallback(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("attesta_oidc")
	if s.platform.OIDC == nil || err != nil {
		s.fail(w, r, attesta.E(attesta.Invalid, "err.web.oidc.nosignin"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "attesta_oidc", Value: "", Path: "/login/oidc", MaxAge: -1, HttpOnly: true, Secure: s.platform.SecureCookies})
	id, err := s.platform.OIDC.Complete(r.Context(), c.Value, r.URL.Query())
	if err != nil {
		if attesta.ErrorCode(err) == attesta.Internal {
			s.fail(w, r, err)
			return
		}
		p := s.newPage(w, r)
		s.log.InfoContext(r.Context(), "OpenID sign-in refused", "err", err)
		s.loginPage(w, r, httpstatus.Of(err), &form{Error: p.T("login.oidc.failed") + " " + attesta.MessageIn(err, p.Lang)})
		return
	}
	s.setSession(w, id)
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

// --- password links ---

func (s *Site) resetRequest(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r)
	p.Title = p.T("reset.title")
	p.Data = (*form)(nil)
	s.render(w, r, http.StatusOK, "reset", p)
}

func (s *Site) resetRequestPost(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r)
	p.Title = p.T("reset.title")
	if !s.parsed(w, r) {
		return
	}
	err := s.platform.Accounts.RequestReset(r.Context(), r.PostForm.Get("email"), clientAddr(r))
	if err != nil {
		f, ok := s.formError(p, r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		p.Data = f
		s.render(w, r, httpstatus.Of(err), "reset", p)
		return
	}
	p.Data = &form{Done: p.T("reset.sent")}
	s.render(w, r, http.StatusOK, "reset", p)
}

func (s *Site) linkPage(w http.ResponseWriter, r *http.Request) {
	purpose := r.PathValue("purpose")
	p := s.newPage(w, r)
	p.Title = p.T("password." + purpose + ".title")
	token := r.FormValue("token")
	if purpose != "invite" && purpose != "reset" {
		s.fail(w, r, attesta.E(attesta.NotFound, "err.web.page.notfound"))
		return
	}
	d := struct {
		Purpose, Token string
		Form           *form
	}{purpose, token, nil}
	status := http.StatusOK
	var err error
	if r.Method == http.MethodPost {
		var id string
		if id, err = s.platform.Accounts.UseLink(r.Context(), purpose, token, r.PostForm.Get("password")); err == nil {
			s.setSession(w, id)
			http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
			return
		}
	} else {
		err = s.platform.Accounts.CheckLink(r.Context(), purpose, token)
	}
	if err != nil {
		f, ok := s.formError(p, r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		d.Form, status = f, httpstatus.Of(err)
	}
	p.Data = d
	s.render(w, r, status, "password", p)
}

// --- dashboard and account ---

func (s *Site) dashboard(w http.ResponseWriter, r *http.Request) {
	p := s.userPage(w, r, "dashboard.title")
	p.Breadcrumbs = nil
	ms, err := s.platform.People.Memberships(r.Context(), p.User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	todo, err := s.tasks(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = struct {
		Memberships []auth.Membership
		Tasks       *tasks
	}{ms, todo}
	s.render(w, r, http.StatusOK, "dashboard", p)
}

func (s *Site) switchRole(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if !s.parsed(w, r) {
		return
	}
	if err := s.platform.Accounts.Switch(r.Context(), c.Value, r.PostForm.Get("org"), auth.Role(r.PostForm.Get("role"))); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

type accountData struct {
	Tokens   []account.Token
	NewToken string
	Password *form
	Token    *form
}

func (s *Site) accountPage(w http.ResponseWriter, r *http.Request, status int, d accountData) {
	p := s.userPage(w, r, "account.title", crumb{Label: p0(s, w, r, "account.title")})
	ts, err := s.platform.Accounts.Tokens(r.Context(), p.User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Tokens = ts
	p.Data = d
	s.render(w, r, status, "account", p)
}

// p0 returns a message in the request's language.
func p0(s *Site, w http.ResponseWriter, r *http.Request, key string) string {
	return s.newPage(w, r).T(key)
}

func (s *Site) account(w http.ResponseWriter, r *http.Request) {
	s.accountPage(w, r, http.StatusOK, accountData{})
}

func (s *Site) changePassword(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	if r.PostForm.Get("password") != r.PostForm.Get("confirm") {
		p := s.newPage(w, r)
		s.accountPage(w, r, http.StatusBadRequest, accountData{Password: &form{Errors: map[string]string{"confirm": p.T("account.password.mismatch")}}})
		return
	}
	id, err := s.platform.Accounts.ChangePassword(r.Context(), principal(r), r.PostForm.Get("current"), r.PostForm.Get("password"))
	if err != nil {
		f, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		f.Values = nil // passwords are not shown again
		s.accountPage(w, r, httpstatus.Of(err), accountData{Password: f})
		return
	}
	s.setSession(w, id)
	s.accountPage(w, r, http.StatusOK, accountData{Password: &form{Done: p0(s, w, r, "account.password.changed")}})
}

func (s *Site) createToken(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	days, _ := strconv.Atoi(r.PostForm.Get("days"))
	scopes := []auth.Scope{auth.ScopeRead}
	if r.PostForm.Get("write") == "on" {
		scopes = append(scopes, auth.ScopeWrite)
	}
	_, secret, err := s.platform.Accounts.CreateToken(r.Context(), principal(r), r.PostForm.Get("name"), scopes, time.Duration(days)*24*time.Hour)
	if err != nil {
		f, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.accountPage(w, r, httpstatus.Of(err), accountData{Token: f})
		return
	}
	s.accountPage(w, r, http.StatusCreated, accountData{NewToken: secret})
}

func (s *Site) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := s.platform.Accounts.RevokeToken(r.Context(), principal(r), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// --- organisations ---

type orgsData struct {
	Items     []org.Organisation
	Kind      string
	Query     string
	Kinds     []auth.OrgKind
	Types     []org.SchoolType
	Provinces []territory.Province
	Form      *form
}

func (s *Site) orgsPage(w http.ResponseWriter, r *http.Request, status int, f *form) {
	p := s.userPage(w, r, "orgs.title", crumb{Label: p0(s, w, r, "orgs.title")})
	q := r.URL.Query()
	filter := org.Filter{Kind: auth.OrgKind(q.Get("kind")), Query: strings.TrimSpace(q.Get("q"))}
	if filter.Kind != "" && !filter.Kind.Valid() {
		s.fail(w, r, attesta.E(attesta.Invalid, "err.web.orgs.kind", filter.Kind))
		return
	}
	if len(filter.Query) > 100 {
		s.fail(w, r, attesta.E(attesta.Invalid, "err.web.orgs.search", 100))
		return
	}
	items, err := s.platform.Orgs.List(r.Context(), p.User, filter)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = orgsData{Items: items, Kind: string(filter.Kind), Query: filter.Query, Kinds: auth.OrgKinds, Types: org.SchoolTypes,
		Provinces: territory.Provinces(), Form: f}
	s.render(w, r, status, "orgs", p)
}

func (s *Site) orgs(w http.ResponseWriter, r *http.Request) { s.orgsPage(w, r, http.StatusOK, nil) }

// orgFromForm reads an organisation's fields from a form.
func orgFromForm(r *http.Request) org.Organisation {
	f := r.PostForm
	o := org.Organisation{ID: f.Get("id"), Kind: auth.OrgKind(f.Get("kind")), Name: f.Get("name"), Province: f.Get("province"),
		SchoolCode: f.Get("school_code"), SchoolType: org.SchoolType(f.Get("school_type")), TaxCode: f.Get("tax_code"),
		REA: f.Get("rea"), ATECO: f.Get("ateco"), Email: f.Get("email")}
	if v := strings.Fields(strings.ReplaceAll(f.Get("provinces"), ",", " ")); len(v) > 0 {
		o.Provinces = v
	}
	if o.ID == "" {
		o.ID = org.SuggestID(o)
	}
	return o
}

func (s *Site) createOrg(w http.ResponseWriter, r *http.Request) {
	s.submit(w, r, func(url.Values) (string, error) {
		o, err := s.platform.Orgs.Create(r.Context(), principal(r), orgFromForm(r))
		if err != nil {
			return "", err
		}
		return "/orgs/" + o.ID, nil
	}, func(f *form, status int) { s.orgsPage(w, r, status, f) })
}

type orgData struct {
	Org       *org.Organisation
	Members   []people.Member
	Classes   []people.Class
	Roles     []auth.Role
	Types     []org.SchoolType
	Provinces []territory.Province
	Edit      *form
	Member    *form
	Class     *form
}

func (s *Site) orgPage(w http.ResponseWriter, r *http.Request, status int, d orgData) {
	p := s.userPage(w, r, "orgs.title")
	o, err := s.platform.Orgs.Get(r.Context(), p.User, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title = o.Name
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{p.T("orgs.title"), "/orgs"}, crumb{Label: o.Name})
	d.Org, d.Types, d.Provinces = o, org.SchoolTypes, territory.Provinces()
	if p.Can(auth.PeopleList, o.Object()) {
		if d.Members, err = s.platform.People.Members(r.Context(), p.User, o.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if o.Kind == auth.School && p.Can(auth.ClassList, o.Object()) {
		if d.Classes, err = s.platform.People.Classes(r.Context(), p.User, o.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	for _, role := range auth.Roles {
		if auth.RoleKinds[role] == o.Kind && role != auth.Student {
			d.Roles = append(d.Roles, role)
		}
	}
	p.Data = d
	s.render(w, r, status, "org", p)
}

func (s *Site) orgView(w http.ResponseWriter, r *http.Request) {
	s.orgPage(w, r, http.StatusOK, orgData{})
}

func (s *Site) updateOrg(w http.ResponseWriter, r *http.Request) {
	s.submit(w, r, func(url.Values) (string, error) {
		o := orgFromForm(r)
		o.ID = r.PathValue("id")
		// A field left empty keeps its value; a ticked "remove" removes it.
		_, err := s.platform.Orgs.Update(r.Context(), principal(r), o, r.PostForm["clear"]...)
		return "/orgs/" + o.ID, err
	}, func(f *form, status int) { s.orgPage(w, r, status, orgData{Edit: f}) })
}

func (s *Site) addMember(w http.ResponseWriter, r *http.Request) {
	s.submit(w, r, func(f url.Values) (string, error) {
		in := people.Person{GivenName: f.Get("given_name"), FamilyName: f.Get("family_name"), Email: f.Get("email")}
		p := principal(r)
		person, err := s.platform.People.AddMember(r.Context(), p, r.PathValue("id"), in, auth.Role(f.Get("role")))
		if err == nil && f.Get("invite") == "on" {
			err = s.platform.Accounts.Invite(r.Context(), p, person.ID)
		}
		return "/orgs/" + r.PathValue("id") + "#members", err
	}, func(f *form, status int) { s.orgPage(w, r, status, orgData{Member: f}) })
}

func (s *Site) createClass(w http.ResponseWriter, r *http.Request) {
	s.submit(w, r, func(f url.Values) (string, error) {
		c, err := s.platform.People.CreateClass(r.Context(), principal(r), people.Class{School: r.PathValue("id"), Year: f.Get("year"), Name: f.Get("class")})
		if err != nil {
			return "", err
		}
		return "/classes/" + c.ID, nil
	}, func(f *form, status int) { s.orgPage(w, r, status, orgData{Class: f}) })
}

// --- classes and people ---

func (s *Site) classPage(w http.ResponseWriter, r *http.Request, status int, f *form) {
	p := s.userPage(w, r, "class.title")
	v, err := s.platform.People.Class(r.Context(), p.User, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title = p.T("class.heading", v.Class.Name, v.Class.Year)
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{p.T("orgs.title"), "/orgs"}, crumb{v.School.Name, "/orgs/" + v.School.ID}, crumb{Label: v.Class.Name + " " + v.Class.Year})
	var tutors []people.Member
	if p.Can(auth.ClassManage, v.School.Object()) {
		ms, err := s.platform.People.Members(r.Context(), p.User, v.School.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, m := range ms {
			if m.Role == auth.SchoolTutor {
				tutors = append(tutors, m)
			}
		}
	}
	p.Data = struct {
		View   *people.ClassView
		Form   *form
		Tutors []people.Member
	}{v, f, tutors}
	s.render(w, r, status, "class", p)
}

func (s *Site) classView(w http.ResponseWriter, r *http.Request) {
	s.classPage(w, r, http.StatusOK, nil)
}

func (s *Site) enrol(w http.ResponseWriter, r *http.Request) {
	s.submit(w, r, func(f url.Values) (string, error) {
		in := people.StudentInput{Person: people.Person{GivenName: f.Get("given_name"), FamilyName: f.Get("family_name")},
			Student: people.Student{Number: f.Get("number"), Contact: f.Get("contact"), ConsentBy: f.Get("consent_by")}}
		var err error
		if in.Clear, err = people.ClearOf(f["clear"]); err != nil {
			return "", err
		}
		_, err = s.platform.People.Enrol(r.Context(), principal(r), r.PathValue("id"), in)
		return "/classes/" + r.PathValue("id"), err
	}, func(f *form, status int) { s.classPage(w, r, status, f) })
}

func (s *Site) personView(w http.ResponseWriter, r *http.Request) {
	s.personPage(w, r, http.StatusOK, nil)
}

func (s *Site) personPage(w http.ResponseWriter, r *http.Request, status int, f *form) {
	s.personPageWith(w, r, status, f, nil)
}

// personPageWith is the person's page, with the form of consent (f) or of
// the accommodation (af) refused.
func (s *Site) personPageWith(w http.ResponseWriter, r *http.Request, status int, f, af *form) {
	p := s.userPage(w, r, "person.title")
	pr, err := s.platform.People.Profile(r.Context(), p.User, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title = pr.Person.Name()
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{Label: pr.Person.Name()})
	// A student's accommodation for timed tests, to those who record it.
	var acc *assessment.Accommodation
	if pr.Student != nil && s.platform.Tests != nil && p.CanAny(string(auth.AccommodationSet)) {
		if a, err := s.platform.Tests.AccommodationOf(r.Context(), p.User, pr.Person.ID); err == nil {
			acc = &a
		}
	}
	p.Data = struct {
		*people.Profile
		Form          *form
		Accommodation *assessment.Accommodation
		AccForm       *form
		Saved         bool
	}{pr, f, acc, af, r.URL.Query().Get("saved") == "accommodation" && af == nil}
	s.render(w, r, status, "person", p)
}

// setAccommodation records a student's accommodation; a refusal shows the
// page again with what was typed.
func (s *Site) setAccommodation(w http.ResponseWriter, r *http.Request) {
	s.submit(w, r, func(f url.Values) (string, error) {
		id := r.PathValue("id")
		a := assessment.Accommodation{Unlimited: f.Get("unlimited") != "", Reason: f.Get("reason")}
		if v := f.Get("multiplier"); v != "" {
			m, err := strconv.ParseFloat(v, 64)
			if err != nil {
				m = -1 // the service says it is out of range
			}
			a.Multiplier = m
		}
		if v := strings.TrimSpace(f.Get("extra")); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				n = -1
			}
			a.Extra = time.Duration(n) * time.Minute
		}
		return "/people/" + id + "?saved=accommodation", s.platform.Tests.SetAccommodation(r.Context(), principal(r), id, a)
	}, func(f *form, status int) { s.personPageWith(w, r, status, nil, f) })
}

// --- audit trail ---

func (s *Site) auditView(w http.ResponseWriter, r *http.Request) {
	p := s.userPage(w, r, "audit.title", crumb{Label: p0(s, w, r, "audit.title")})
	q := r.URL.Query()
	f := audit.Filter{Actor: q.Get("actor"), ObjectKind: auth.ObjectKind(q.Get("kind")), ObjectID: q.Get("object"), Action: q.Get("action")}
	if v := q.Get("since"); v != "" && !f.SinceDay(v) {
		s.fail(w, r, attesta.E(attesta.Invalid, "err.web.audit.since"))
		return
	}
	if v := q.Get("until"); v != "" && !f.UntilDay(v) {
		s.fail(w, r, attesta.E(attesta.Invalid, "err.web.audit.until"))
		return
	}
	var err error
	if v := q.Get("before"); v != "" {
		if f.Before, err = strconv.ParseInt(v, 10, 64); err != nil || f.Before < 1 {
			s.fail(w, r, attesta.E(attesta.Invalid, "err.web.audit.before"))
			return
		}
	}
	f.Limit = 100
	entries, err := s.platform.Audit.List(r.Context(), p.User, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	more := ""
	if len(entries) == f.Limit {
		q.Set("before", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		more = "/audit?" + q.Encode()
	}
	rows := p.auditRows(entries)
	orgNames := map[string]string{}
	for i := range rows {
		id := rows[i].ActorOrg
		if _, ok := orgNames[id]; !ok && id != "" {
			if o, err := s.platform.Orgs.Get(r.Context(), p.User, id); err == nil {
				orgNames[id] = o.Name
			} else {
				orgNames[id] = ""
			}
		}
		rows[i].ActorOrgName = orgNames[id]
	}
	p.Data = struct {
		Entries []auditRow
		Query   url.Values
		More    string
		Actions []option
		Kinds   []auth.ObjectKind
	}{rows, r.URL.Query(), more, p.auditActions(), []auth.ObjectKind{auth.OrganisationObject, auth.PersonObject, auth.ClassObject, auth.TableObject, auth.TokenObject, auth.CredentialObject, auth.IssuerObject, auth.StandardObject}}
	s.render(w, r, http.StatusOK, "audit", p)
}

func (s *Site) assignTeacher(w http.ResponseWriter, r *http.Request) {
	s.submit(w, r, func(f url.Values) (string, error) {
		id := r.PathValue("id")
		return "/classes/" + id, s.platform.People.AssignTeacher(r.Context(), principal(r), id, f.Get("person"))
	}, func(f *form, status int) { s.classPage(w, r, status, f) })
}

func (s *Site) recordConsent(w http.ResponseWriter, r *http.Request) {
	s.submit(w, r, func(f url.Values) (string, error) {
		id := r.PathValue("id")
		var err error
		if f.Get("withdraw") != "" {
			_, err = s.platform.People.WithdrawConsent(r.Context(), principal(r), id)
		} else {
			_, err = s.platform.People.RecordConsent(r.Context(), principal(r), id, f.Get("consent_by"))
		}
		return "/people/" + id, err
	}, func(f *form, status int) { s.personPage(w, r, status, f) })
}

// navLink is a link of the header's navigation.
type navLink struct {
	Href, Label string
	Current     bool
}

// NavLinks are the header's links for the signed-in user: only the pages
// the user's role may open.
func (p *page) NavLinks() []navLink {
	if p.User == nil {
		return nil
	}
	var out []navLink
	add := func(href, label string, a auth.Action) {
		if a != "" && !p.CanAny(string(a)) {
			return
		}
		current := p.Path == href || strings.HasPrefix(p.Path, href+"/")
		out = append(out, navLink{Href: href, Label: label, Current: current})
	}
	add("/dashboard", p.T("nav.dashboard"), "")
	if p.site.platform.Experiences != nil {
		add("/experiences", p.T("experiences.title"), auth.ExperienceView)
	}
	if p.site.platform.Tests != nil {
		add("/sittings", p.T("sittings.title"), auth.SittingView)
		add("/tests", p.T("tests.title"), auth.TestDesign)
		add("/statistics/items", p.T("analysis.title"), auth.ItemStats)
	}
	if p.site.platform.Commissions != nil {
		add("/commissions", p.T("commissions.title"), auth.CommissionView)
		if p.User.Role == auth.Student {
			add("/badges", p.T("badges.title"), auth.BadgeView)
		}
	}
	if p.site.platform.Courses != nil {
		add("/courses", p.T("courses.title"), auth.CourseView)
	}
	add("/orgs", p.T("orgs.title"), auth.OrgList)
	if p.User.Role == auth.SchoolReferent || p.User.Role == auth.SchoolTutor {
		// A school's people reach their classes from their school's page.
		out = append(out, navLink{Href: "/orgs/" + p.User.Org + "#classes", Label: p.T("nav.classes")})
	}
	add("/tables", p.T("tables.title"), auth.TableView)
	if p.site.platform.Items != nil {
		add("/items", p.T("items.title"), auth.ItemView)
	}
	add("/import", p.T("import.title"), auth.ImportTutor)
	add("/audit", p.T("audit.title"), auth.AuditView)
	if p.site.platform.Rights != nil {
		add("/my-data", p.T("rights.title"), auth.DataRequest)
		add("/data-requests", p.T("rights.requests.title"), auth.DataErase)
	}
	add("/account", p.T("account.title"), "")
	return out
}
