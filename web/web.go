// Package web is attesta's server-rendered site: the public catalogue of
// the national competence standards, and the signed-in platform
// (organisations, people and classes, imports, territorial tables, the
// audit trail, one's account). Pages are html/template files embedded in
// the binary, styled with Bootstrap Italia, in Italian by default with an
// English switch, and they work without JavaScript.
//
// Handlers are thin: they decode the request, call a domain service and
// render a page. Every string a page shows comes from package i18n.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/importer"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/internal/i18n"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/roundtable"
	"github.com/attesta/attesta/territory"
)

//go:embed templates
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Standards is what the catalogue needs of the competence standards. A
// read is made as the signed-in principal (nil for a visitor): a draft
// exists for the national body only.
type Standards interface {
	Sectors(ctx context.Context, p *auth.Principal) ([]competence.Info, error)
	Current(ctx context.Context, p *auth.Principal, sector string) (*competence.Standard, error)
	Version(ctx context.Context, p *auth.Principal, sector string, version int) (*competence.Standard, error)
	Versions(ctx context.Context, p *auth.Principal) ([]competence.Info, error)
}

// Site is the web surface.
type Site struct {
	standards Standards
	platform  Platform
	log       *slog.Logger
	pages     map[string]*template.Template
	etags     map[string]string // static file path → ETag
}

// noticeWords says a notice in the page's language, a date among its
// arguments as a reader of the language writes it.
func noticeWords(p *page, n commission.Notice) string {
	args := make([]any, len(n.Args))
	for i, a := range n.Args {
		args[i] = a
		if t, err := time.Parse(time.DateOnly, a); err == nil {
			args[i] = p.Date(t)
		}
	}
	return p.T(n.Key, args...)
}

// Route is one entry of the route table.
type Route struct {
	Pattern string // a net/http ServeMux pattern with method, e.g. "GET /sectors/{sector}"
	Handler http.HandlerFunc
	// Action is what the route does, as package auth decides it; the
	// authorization matrix test enumerates routes by it. Public routes
	// (the catalogue, signing in) have none.
	Action auth.Action
	Public bool
	// MaxBody, when not zero, is the route's limit on request bodies
	// instead of the server's (uploads).
	MaxBody int64
}

// New returns the site. The signed-in pages are served when platform has
// its services.
func New(standards Standards, platform Platform, log *slog.Logger) (*Site, error) {
	s := &Site{standards: standards, platform: platform, log: log, pages: map[string]*template.Template{}, etags: map[string]string{}}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("parsing layout: %w", err)
	}
	for _, name := range []string{"home", "sector", "competence", "error", "login", "reset", "password", "dashboard", "account",
		"orgs", "org", "class", "person", "audit", "tables", "table", "import", "job", "draft", "draftpath", "draftcompetence", "diff",
		"experiences", "design", "experience", "compare", "sheet", "dossier",
		"items", "item", "itemimport", "sittings", "sitting", "attempt", "tests", "analysis",
		"commissions", "commission", "session", "candidate", "badges", "paper", "courses", "course", "share", "shared", "verify", "mydata", "datarequests",
		"wallet"} {
		t, err := template.Must(layout.Clone()).ParseFS(templateFiles, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", name, err)
		}
		s.pages[name] = t
	}
	err = fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		s.etags[strings.TrimPrefix(p, "static")] = `"` + hex.EncodeToString(sum[:8]) + `"`
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("indexing static files: %w", err)
	}
	return s, nil
}

// Routes returns the whole route table of the site.
func (s *Site) Routes() []Route {
	public := func(pattern string, h http.HandlerFunc) Route {
		return Route{Pattern: pattern, Handler: s.withUser(false, h), Public: true}
	}
	user := func(pattern string, a auth.Action, h http.HandlerFunc) Route {
		return Route{Pattern: pattern, Handler: s.withUser(true, h), Action: a}
	}
	upload := func(pattern string, a auth.Action, h http.HandlerFunc) Route {
		return Route{Pattern: pattern, Handler: s.withUser(true, h), Action: a, MaxBody: maxImportUpload}
	}
	routes := []Route{
		public("GET /{$}", s.home),
		public("GET /sectors/{sector}", s.sector),
		public("GET /sectors/{sector}/competences/{code}", s.competence),
		public("GET /sectors/{sector}/diff", s.diff),
		{Pattern: "GET /static/", Handler: s.static, Public: true},
	}
	if s.platform.Accounts == nil {
		return routes
	}
	routes = append(routes,
		public("GET /login", s.login),
		public("POST /login", s.loginPost),
		public("POST /logout", s.logout),
		public("GET /login/oidc", s.oidcStart),
		public("GET /login/oidc/callback", s.oidcCallback),
		public("GET /account/password/reset", s.resetRequest),
		public("POST /account/password/reset", s.resetRequestPost),
		public("GET /account/password/{purpose}/set", s.linkPage),
		public("POST /account/password/{purpose}/set", s.linkPage),
		user("GET /dashboard", auth.OrgList, s.dashboard),
		user("POST /account/switch", auth.AccountManage, s.switchRole),
		user("GET /account", auth.AccountManage, s.account),
		user("POST /account/password", auth.AccountManage, s.changePassword),
		user("POST /account/tokens", auth.AccountManage, s.createToken),
		user("POST /account/tokens/{id}/revoke", auth.AccountManage, s.revokeToken),
		user("GET /orgs", auth.OrgList, s.orgs),
		user("POST /orgs", auth.OrgCreate, s.createOrg),
		user("GET /orgs/{id}", auth.OrgView, s.orgView),
		user("POST /orgs/{id}", auth.OrgUpdate, s.updateOrg),
		user("POST /orgs/{id}/members", auth.MemberAdd, s.addMember),
		user("POST /orgs/{id}/classes", auth.ClassManage, s.createClass),
		user("GET /classes/{id}", auth.ClassView, s.classView),
		user("POST /classes/{id}/students", auth.ClassManage, s.enrol),
		user("POST /classes/{id}/teachers", auth.ClassManage, s.assignTeacher),
		user("GET /people/{id}", auth.PersonView, s.personView),
		user("POST /people/{id}/consent", auth.StudentEdit, s.recordConsent),
		user("POST /people/{id}/accommodation", auth.AccommodationSet, s.setAccommodation),
		user("GET /audit", auth.AuditView, s.auditView),
		user("GET /tables", auth.TableView, s.tablesList),
		user("POST /tables", auth.TableManage, s.createTable),
		user("GET /tables/{id}", auth.TableView, s.tableView),
		user("POST /tables/{id}", auth.TableManage, s.updateTable),
		user("POST /tables/{id}/members", auth.TableManage, s.tableMember),
		user("POST /tables/{id}/meetings", auth.TableManage, s.addMeeting),
		user("POST /meetings/{id}", auth.TableManage, s.updateMeeting),
		Route{Pattern: "POST /meetings/{id}/attachments", Handler: s.withUser(true, s.uploadAttachment), Action: auth.TableManage, MaxBody: maxUpload},
		user("GET /attachments/{id}", auth.TableView, s.attachment),
		user("GET /import", auth.ImportTutor, s.importPage),
		upload("POST /import/schools", auth.ImportOrgs, s.uploadSchools),
		upload("POST /import/companies", auth.ImportOrgs, s.uploadCompanies),
		upload("POST /import/tutors", auth.ImportTutor, s.uploadTutors),
		upload("POST /orgs/{id}/import/classes", auth.ImportClass, s.uploadClasses),
		user("GET /import/jobs/{id}", auth.AccountManage, s.jobPage),
		user("POST /import/jobs/{id}/apply", auth.AccountManage, s.applyJob),
		user("POST /import/jobs/{id}/cancel", auth.AccountManage, s.cancelJob),
		user("GET /export/schools", auth.ExportData, s.exportSchools),
		user("GET /export/companies", auth.ExportData, s.exportCompanies),
		user("GET /export/tutors", auth.ExportData, s.exportTutors),
		user("GET /orgs/{id}/export/classes", auth.ExportData, s.exportClasses),
		// The editor of the standards: the national body's.
		user("POST /sectors/{sector}/drafts", auth.StandardEdit, s.createDraft),
		user("GET /sectors/{sector}/draft", auth.StandardDrafts, s.draftView),
		user("POST /sectors/{sector}/draft", auth.StandardEdit, s.saveHeader),
		user("POST /sectors/{sector}/draft/paths", auth.StandardEdit, s.changePaths),
		user("GET /sectors/{sector}/draft/paths/{path}", auth.StandardDrafts, s.pathView),
		user("POST /sectors/{sector}/draft/paths/{path}", auth.StandardEdit, s.savePart("path")),
		user("POST /sectors/{sector}/draft/competences", auth.StandardEdit, s.changeCompetences),
		user("GET /sectors/{sector}/draft/competences/{code}", auth.StandardDrafts, s.competenceView),
		user("POST /sectors/{sector}/draft/competences/{code}", auth.StandardEdit, s.savePart("competence")),
		user("POST /sectors/{sector}/draft/publish", auth.StandardPublish, s.publishDraft),
	)
	if s.platform.Items != nil {
		// The online test's item bank: its editor, its pages, QTI.
		routes = append(routes, s.itemRoutes(user)...)
	}
	if s.platform.Tests != nil {
		// The online test: sittings, their proctoring, and the candidate's
		// attempt (sitting.go, attempt.go).
		routes = append(routes,
			user("GET /statistics/items", auth.ItemStats, s.itemAnalysis),
			user("GET /tests", auth.TestView, s.tests),
			user("POST /tests", auth.TestDesign, s.designTest),
			user("GET /sittings", auth.SittingView, s.sittings),
			user("POST /sittings", auth.SittingManage, s.openSitting),
			user("GET /sittings/{id}", auth.SittingView, s.sittingView),
			user("POST /sittings/{id}/authorize", auth.SittingProctor, s.authorizeCandidate),
			user("POST /sittings/{id}/irregularities", auth.SittingProctor, s.recordIrregularity),
			user("POST /sittings/{id}/end", auth.SittingProctor, s.endSitting),
			user("POST /sittings/{id}/release", auth.SittingManage, s.releaseSitting),
			user("POST /sittings/{id}/attempts", auth.TestTake, s.startAttempt),
			user("GET /attempts/{id}", auth.SittingView, s.attemptView),
			user("GET /attempts/{id}/review", auth.SittingView, s.attemptReview),
			user("POST /attempts/{id}/answer", auth.TestTake, s.answer),
			user("POST /attempts/{id}/events", auth.TestTake, s.noteEvent),
			user("POST /attempts/{id}/submit", auth.TestTake, s.submitAttempt),
			user("POST /attempts/{id}/pause", auth.SittingProctor, s.proctorAttempt(assessment.PausedEvent)),
			user("POST /attempts/{id}/resume", auth.SittingProctor, s.proctorAttempt(assessment.Resumed)),
			user("POST /attempts/{id}/end", auth.SittingProctor, s.proctorAttempt(assessment.EndedAttempt)),
		)
	}
	if s.platform.Commissions != nil {
		routes = append(routes, s.commissionRoutes(user)...)
		routes = append(routes, s.badgeRoutes(user, public)...)
	}
	if s.platform.Rights != nil {
		routes = append(routes, s.rightsRoutes(user)...)
	}
	if s.platform.Verifier != nil && s.platform.Credentials != nil {
		routes = append(routes,
			public("GET /verify", s.verifyPage),
			Route{Pattern: "POST /verify", Handler: s.withUser(false, s.verifyPost), Public: true, MaxBody: MaxVerifyUpload + 1<<20},
		)
	}
	if s.platform.Courses != nil {
		routes = append(routes, s.courseRoutes(user)...)
	}
	if s.platform.Wallet != nil {
		routes = append(routes, s.walletRoutes(user)...)
	}
	if s.platform.Experiences == nil {
		return routes
	}
	routes = append(routes,
		user("GET /experiences", auth.ExperienceView, s.experiences),
		user("GET /experiences/new", auth.ExperienceDesign, s.newExperience),
		user("POST /experiences", auth.ExperienceDesign, s.createExperience),
		user("GET /experiences/{id}", auth.ExperienceView, s.experienceView),
		user("GET /experiences/{id}/design", auth.ExperienceDesign, s.editExperience),
		user("POST /experiences/{id}/design", auth.ExperienceDesign, s.saveDesign),
		user("POST /experiences/{id}/sign-off", auth.ExperienceDesign, s.move(s.signOff)),
		user("GET /experiences/{id}/compare", auth.ExperienceView, s.compareRevisions),
		user("POST /experiences/{id}/start", auth.ExperienceManage, s.move(s.startExperience)),
		user("POST /experiences/{id}/close", auth.ExperienceManage, s.move(s.closeExperience)),
		user("POST /experiences/{id}/cancel", auth.ExperienceManage, s.move(s.cancelExperience)),
		user("POST /experiences/{id}/hours", auth.HoursRecord, s.recordHours),
	)
	if s.platform.Sheets != nil {
		routes = append(routes,
			user("GET /sheets/{id}", auth.SheetView, s.sheetView),
			user("GET /sheets/{id}/pdf", auth.SheetView, s.sheetPDF),
			user("POST /sheets/{id}", auth.SheetFill, s.saveSheet),
			user("POST /sheets/{id}/submit", auth.SheetFill, s.sheetAct("submit")),
			user("POST /sheets/{id}/countersign", auth.SheetCountersign, s.sheetAct("countersign")),
			user("POST /sheets/{id}/reopen", auth.SheetReopen, s.sheetAct("reopen")),
		)
	}
	if s.platform.Dossiers != nil {
		routes = append(routes,
			user("GET /dossiers/{id}", auth.DossierView, s.dossierView),
			user("GET /dossiers/{id}/pdf", auth.DossierView, s.dossierPDF),
			user("POST /dossiers/{id}/notes", auth.DossierNote, s.dossierAct("notes")),
			user("POST /dossiers/{id}/return", auth.DossierManage, s.dossierAct("return")),
			user("POST /dossiers/{id}/lock", auth.DossierManage, s.dossierAct("lock")),
			user("GET /dossiers/{id}/receipt", auth.DossierView, s.dossierReceipt),
			user("GET /dossiers/{id}/document", auth.DossierView, s.dossierDocument),
		)
		if s.platform.MaxArtefact > 0 {
			routes = append(routes,
				Route{Pattern: "POST /dossiers/{id}/files", Handler: s.withUser(true, s.attachFile), Action: auth.ArtefactAdd, MaxBody: s.platform.MaxArtefact + 64<<10},
				user("POST /dossiers/{id}/files/remove", auth.ArtefactAdd, s.removeFile),
				user("GET /dossiers/{id}/file", auth.DossierView, s.dossierFile),
			)
		}
	}
	return routes
}

var funcs = template.FuncMap{
	// tutorsOf gives the tutors' choices by the field of the design form.
	"taskLists": func(t *tasks) map[string][]experience.Experience {
		return map[string][]experience.Experience{"signoffs": t.SignOffs, "hours": t.Hours, "drafts": t.Drafts}
	},
	"minus": func(a, b int) int { return a - b },
	// cardOn is the argument of the badge-card partial.
	"cardOn": func(p *page, c *badgeCard, own bool) map[string]any {
		return map[string]any{"Page": p, "Card": c, "Own": own}
	},
	// has reports whether a list holds a value.
	"has": func(list []string, v string) bool { return slices.Contains(list, v) },
	// criteria says a commission's criteria in words.
	"criteria": criteriaWords,
	// testWords says a dossier's test results.
	"testWords": testWords,
	// notice says a notice in the page's language.
	"notice": noticeWords,
	// signOffs are a revision's sign-offs, the school's then the company's.
	"signOffs": func(r experience.Revision) []*experience.SignOff { return []*experience.SignOff{r.School, r.Company} },
	"tutorsOf": func(c *experience.Choices) map[string][]experience.Choice {
		return map[string][]experience.Choice{"school_tutor": c.SchoolTutors, "company_tutor": c.CompanyTutors}
	},
	"fields": func(names ...string) []string { return names },
	// seconds is a duration in whole seconds.
	"seconds": func(d time.Duration) int { return int(d.Round(time.Second) / time.Second) },
	// minutesOf is a duration in whole minutes.
	"minutesOf": func(d time.Duration) int { return int(d / time.Minute) },
	// dict makes the argument of a partial template from pairs of a name
	// and a value.
	"dict": func(pairs ...any) (map[string]any, error) {
		if len(pairs)%2 != 0 {
			return nil, errors.New("dict: an odd number of arguments")
		}
		m := make(map[string]any, len(pairs)/2)
		for i := 0; i < len(pairs); i += 2 {
			k, ok := pairs[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: name %v is not a string", pairs[i])
			}
			m[k] = pairs[i+1]
		}
		return m, nil
	},
	"fid": fieldID,
	"inc": func(i int) int { return i + 1 },
	"chamberObject": func(t roundtable.Table) auth.Object {
		return auth.Object{Kind: auth.OrganisationObject, ID: t.Chamber, Places: []auth.Place{{Org: t.Chamber, Province: t.Province}}, OrgKind: auth.Chamber}
	},
	"personObject": func(pr *people.Profile) auth.Object { return people.PersonObject(pr.Person.ID, pr.Memberships) },
	"importForm": func(p *page, action, kind string) any {
		return struct {
			Page         *page
			Action, Kind string
		}{p, action, kind}
	},
	"errorTable": func(p *page, es importer.Errors) any {
		return struct {
			Page   *page
			Errors importer.Errors
		}{p, es}
	},
	"meetingForm": func(p *page, f *form, m any) any {
		d := struct {
			Page    *page
			Form    *form
			Meeting *roundtable.Meeting
		}{Page: p, Form: f}
		if mm, ok := m.(roundtable.Meeting); ok {
			d.Meeting = &mm
		}
		return d
	},
	"orgForm": func(p *page, f *form, o *org.Organisation, provinces []territory.Province, types []org.SchoolType) any {
		return struct {
			Page      *page
			Form      *form
			Org       *org.Organisation
			Provinces []territory.Province
			Types     []org.SchoolType
		}{p, f, o, provinces, types}
	},
	// clearable: whether an organisation's field may be removed (with a
	// ticked box: a field left empty keeps its value).
	"clearable": func(field string) bool { return slices.Contains(org.Clearable, field) },
	"orgValue": func(o *org.Organisation, field string) string {
		if o == nil {
			return ""
		}
		switch field {
		case "name":
			return o.Name
		case "province":
			return o.Province
		case "provinces":
			return strings.Join(o.Provinces, " ")
		case "school_code":
			return o.SchoolCode
		case "school_type":
			return string(o.SchoolType)
		case "tax_code":
			return o.TaxCode
		case "rea":
			return o.REA
		case "ateco":
			return o.ATECO
		case "email":
			return o.Email
		}
		return ""
	},
	"sectorCard": func(p *page, in competence.Info) any {
		return struct {
			Page *page
			Info competence.Info
		}{p, in}
	},
	"competenceOf": func(s *competence.Standard, code string) competence.Competence {
		if c, ok := s.Competence(code); ok {
			return *c
		}
		return competence.Competence{Code: code}
	},
}

// page is what every template gets.
type page struct {
	User        *auth.Principal // nil on public pages for visitors
	Lang        string
	Title       string
	Breadcrumbs []crumb
	Languages   []langLink
	Data        any
	// Path is the page's address, for the navigation to mark where the
	// reader is.
	Path string

	site    *Site
	context context.Context
	sectors map[string]string // code → name, read on first use
}

type crumb struct {
	Label, Href string
}

type langLink struct {
	Code, Label, Href string
	Current           bool
}

// T returns a message in the page's language.
func (p *page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// In returns a text of the standard in the page's language.
func (p *page) In(t competence.Text) string { return t.In(p.Lang) }

// Lookup returns the message for a key built from parts, e.g. the label of
// a school type: Lookup "schooltype." .Code.
func (p *page) Lookup(prefix string, value any) string { return p.T(prefix + fmt.Sprint(value)) }

// Known is like Lookup but returns "" when the catalogue has no such key.
func (p *page) Known(prefix string, value any) string {
	if key := prefix + fmt.Sprint(value); i18n.Has(p.Lang, key) {
		return p.T(key)
	}
	return ""
}

func (s *Site) newPage(w http.ResponseWriter, r *http.Request) *page {
	lang := i18n.Negotiate(r)
	if q := r.URL.Query().Get("lang"); q == lang {
		http.SetCookie(w, &http.Cookie{Name: i18n.CookieName, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	}
	p := &page{Lang: lang, site: s, context: r.Context(), Path: r.URL.Path}
	for _, l := range i18n.Languages {
		u := *r.URL
		q := u.Query()
		q.Set("lang", l)
		u.RawQuery = q.Encode()
		p.Languages = append(p.Languages, langLink{Code: l, Label: i18n.T(l, "lang.name"), Href: (&url.URL{Path: u.Path, RawQuery: u.RawQuery}).String(), Current: l == lang})
	}
	return p
}

func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.log.ErrorContext(r.Context(), "rendering page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", p.Lang)
	h.Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail renders the error page for err, with the status its code maps to.
func (s *Site) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := httpstatus.Of(err)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
	}
	p := s.newPage(w, r)
	p.User = principal(r)
	key := "error.internal"
	switch attesta.ErrorCode(err) {
	case attesta.NotFound:
		key = "error.notfound"
	case attesta.Invalid:
		key = "error.invalid"
	case attesta.Forbidden:
		key = "error.forbidden"
	case attesta.Unauthenticated:
		key = "error.unauthenticated"
	case attesta.Throttled:
		key = "error.throttled"
	}
	p.Title = p.T(key + ".title")
	detail := ""
	switch attesta.ErrorCode(err) {
	case attesta.Invalid, attesta.Forbidden, attesta.Conflict, attesta.Throttled:
		detail = messageIn(err, p.Lang)
	}
	p.Data = struct {
		Status int
		Key    string
		Detail string
	}{status, key, detail}
	s.render(w, r, status, "error", p)
}

// messageIn returns what people are told of err in lang: its message
// (attesta.MessageIn), followed by the problems of a standard or standards
// file it lists, each with where it is.
func messageIn(err error, lang string) string {
	msg := attesta.MessageIn(err, lang)
	var ps competence.Problems
	if errors.As(err, &ps) && len(ps) > 0 {
		msg += ": " + ps.In(lang)
	}
	return msg
}

// versionParam reads the optional ?version=N; 0 means the current version.
func versionParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("version")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > competence.MaxVersion {
		return 0, attesta.E(attesta.Invalid, "err.web.version", v)
	}
	return n, nil
}

func (s *Site) standard(r *http.Request) (*competence.Standard, error) {
	v, err := versionParam(r)
	if err != nil {
		return nil, err
	}
	if v == 0 {
		return s.standards.Current(r.Context(), principal(r), r.PathValue("sector"))
	}
	return s.standards.Version(r.Context(), principal(r), r.PathValue("sector"), v)
}

func (s *Site) home(w http.ResponseWriter, r *http.Request) {
	sectors, err := s.standards.Sectors(r.Context(), principal(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var data struct{ Active, Preparing []competence.Info }
	for _, in := range sectors {
		if in.Status == competence.Published {
			data.Active = append(data.Active, in)
		} else {
			data.Preparing = append(data.Preparing, in)
		}
	}
	p := s.newPage(w, r)
	p.User = principal(r)
	p.Title = p.T("home.title")
	p.Data = data
	s.render(w, r, http.StatusOK, "home", p)
}

// sectorData is what the sector page shows.
type sectorData struct {
	Standard *competence.Standard
	Versions []competence.Info
	Query    string // "?version=N" when not the current version
	Draft    int    // the version of the sector's draft, for the national body
}

func (s *Site) sector(w http.ResponseWriter, r *http.Request) {
	st, err := s.standard(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	all, err := s.standards.Versions(r.Context(), principal(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := sectorData{Standard: st}
	for _, in := range all {
		if in.Sector == st.Sector {
			data.Versions = append(data.Versions, in)
			if in.Status == competence.Draft {
				data.Draft = in.Version
			}
		}
	}
	if r.URL.Query().Has("version") {
		data.Query = "?version=" + strconv.Itoa(st.Version)
	}
	p := s.newPage(w, r)
	p.User = principal(r)
	p.Title = p.In(st.Title)
	p.Breadcrumbs = []crumb{{p.T("nav.home"), "/"}, {p.In(st.Title), ""}}
	p.Data = data
	s.render(w, r, http.StatusOK, "sector", p)
}

// competenceData is what the competence page shows.
type competenceData struct {
	Standard    *competence.Standard
	Competence  *competence.Competence
	Paths       []pathPlace
	Metadata    competence.MicroCredential
	SchoolTypes []competence.SchoolType
	Query       string
}

type pathPlace struct {
	Path        competence.Path
	SchoolTypes []competence.SchoolType
}

func (s *Site) competence(w http.ResponseWriter, r *http.Request) {
	st, err := s.standard(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, ok := st.Competence(r.PathValue("code"))
	if !ok {
		s.fail(w, r, attesta.E(attesta.NotFound, "err.web.competence.notfound", r.PathValue("code"), st.Sector))
		return
	}
	data := competenceData{Standard: st, Competence: c, Metadata: c.MicroCredential.Effective(st.Defaults), SchoolTypes: st.SchoolTypesOf(c.Code)}
	for _, pa := range st.PathsOf(c.Code) {
		for _, pc := range pa.Competences {
			if pc.Code == c.Code {
				data.Paths = append(data.Paths, pathPlace{Path: pa, SchoolTypes: pc.SchoolTypes})
			}
		}
	}
	if r.URL.Query().Has("version") {
		data.Query = "?version=" + strconv.Itoa(st.Version)
	}
	p := s.newPage(w, r)
	p.User = principal(r)
	p.Title = c.Code + " · " + p.In(c.Title)
	p.Breadcrumbs = []crumb{{p.T("nav.home"), "/"}, {p.In(st.Title), "/sectors/" + st.Sector + data.Query}, {c.Code, ""}}
	p.Data = data
	s.render(w, r, http.StatusOK, "competence", p)
}

// NotFound answers a request for an address no page has: the error page,
// styled and in the reader's language, showing who is signed in.
func (s *Site) NotFound(w http.ResponseWriter, r *http.Request) {
	s.withUser(false, s.notFound)(w, r)
}

func (s *Site) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, attesta.E(attesta.NotFound, "err.web.page.notfound"))
}

func (s *Site) static(w http.ResponseWriter, r *http.Request) {
	name := path.Clean("/" + strings.TrimPrefix(r.URL.Path, "/static"))
	etag, ok := s.etags[name]
	if !ok {
		s.notFound(w, r)
		return
	}
	f, err := staticFiles.Open("static" + name)
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		s.fail(w, r, errors.New("static file is not seekable"))
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, name, time.Time{}, rs)
}
