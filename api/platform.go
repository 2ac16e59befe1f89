package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/course"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/importer"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/job"
	"github.com/attesta/attesta/observation"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/roundtable"
)

// Platform is the services behind the platform's API: organisations,
// people, classes and the audit trail, for holders of personal access
// tokens (made on the account page, bound to one role, hashed at rest,
// scoped read or read-write, revocable).
type Platform struct {
	Orgs     *org.Service
	People   *people.Service
	Accounts *account.Service
	Audit    *audit.Service
	Tables   *roundtable.Service
	// Experiences are the training experiences; nil: not served.
	Experiences *experience.Service
	// Sheets are the observation sheets; nil: not served.
	Sheets *observation.Service
	// Dossiers are the evidence dossiers; nil: not served.
	Dossiers *dossier.Service
	// Items are the online test's item bank; nil: not served.
	Items *item.Service
	// Tests are the online test's tests, sittings and attempts; nil: not
	// served.
	Tests *assessment.Service
	// Commissions are the commissions and their sessions; Badges changes
	// the status of the badges they issued; nil: not served.
	Commissions *commission.Service
	Badges      commission.StatusChanger
	Areas       commission.AreaIssuer
	// Courses are the Chambers' training courses for tutors and teachers;
	// nil: not served.
	Courses *course.Service
	// MaxArtefact is the largest file a dossier accepts; 0: files are not
	// served.
	MaxArtefact int64
	Imports     *importer.Service
	Jobs        *job.Service
	// Keys rotates the Chambers' signing keys; nil: not served.
	Keys Keys
	// Standards edits and publishes the competence standards' drafts.
	Standards *competence.Service
}

type principalKey struct{}

// bearer returns the token of a request's Authorization header, whose
// scheme's name is case-insensitive (RFC 9110, section 11.1).
func bearer(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// withToken authenticates the personal access token of a request; the
// domain services then decide what its holder may do.
func (a *API) withToken(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="attesta"`)
			a.fail(w, r, attesta.E(attesta.Unauthenticated, "err.api.pat.required"))
			return
		}
		p, err := a.platform.Accounts.AuthenticateToken(r.Context(), tok)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="attesta", error="invalid_token"`)
			a.fail(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

func who(r *http.Request) *auth.Principal {
	p, _ := r.Context().Value(principalKey{}).(*auth.Principal)
	return p
}

// platformRoutes are the platform's routes, each with the action it does.
func (a *API) platformRoutes() []Route {
	t := func(pattern string, act auth.Action, h http.HandlerFunc) Route {
		return Route{Pattern: pattern, Handler: a.withToken(h), Action: act}
	}
	var keys []Route
	if a.platform.Keys != nil {
		keys = append(keys, t("POST /api/v1/issuers/{id}/keys", auth.KeyRotate, a.rotateKey))
	}
	keys = append(keys, a.experienceRoutes(t)...)
	keys = append(keys, a.itemRoutes(t)...)
	keys = append(keys, a.testRoutes(t)...)
	keys = append(keys, a.commissionRoutes(t)...)
	keys = append(keys, a.courseRoutes(t)...)
	keys = append(keys, a.sheetRoutes(t)...)
	keys = append(keys, a.dossierRoutes(t)...)
	keys = append(keys, a.dossierFileRoutes(t)...)
	keys = append(keys, a.standardRoutes(t)...)
	return append(keys, []Route{
		t("GET /api/v1/me", auth.OrgList, a.me),
		t("GET /api/v1/organisations", auth.OrgList, a.listOrgs),
		t("POST /api/v1/organisations", auth.OrgCreate, a.createOrg),
		t("GET /api/v1/organisations/{id}", auth.OrgView, a.getOrg),
		t("PUT /api/v1/organisations/{id}", auth.OrgUpdate, a.updateOrg),
		t("GET /api/v1/organisations/{id}/members", auth.PeopleList, a.listMembers),
		t("POST /api/v1/organisations/{id}/members", auth.MemberAdd, a.addMember),
		t("GET /api/v1/organisations/{id}/classes", auth.ClassList, a.listClasses),
		t("POST /api/v1/organisations/{id}/classes", auth.ClassManage, a.createClass),
		t("GET /api/v1/classes/{id}", auth.ClassView, a.getClass),
		t("POST /api/v1/classes/{id}/students", auth.ClassManage, a.enrol),
		t("GET /api/v1/people/{id}", auth.PersonView, a.getPerson),
		t("POST /api/v1/people/{id}/consent", auth.StudentEdit, a.recordConsent),
		t("GET /api/v1/audit", auth.AuditView, a.listAudit),
		t("GET /api/v1/tables", auth.TableView, a.listTables),
		t("POST /api/v1/tables", auth.TableManage, a.createTable),
		t("GET /api/v1/tables/{id}", auth.TableView, a.getTable),
		t("PUT /api/v1/tables/{id}", auth.TableManage, a.updateTable),
		t("POST /api/v1/tables/{id}/members", auth.TableManage, a.tableMember),
		t("POST /api/v1/tables/{id}/meetings", auth.TableManage, a.addMeeting),
		t("PUT /api/v1/meetings/{id}", auth.TableManage, a.updateMeeting),
		t("GET /api/v1/attachments/{id}", auth.TableView, a.getAttachment),
		{Pattern: "POST /api/v1/import/schools", Handler: a.withToken(a.importer(importer.Schools)), Action: auth.ImportOrgs, MaxBody: maxImport},
		{Pattern: "POST /api/v1/import/companies", Handler: a.withToken(a.importer(importer.Companies)), Action: auth.ImportOrgs, MaxBody: maxImport},
		{Pattern: "POST /api/v1/import/tutors", Handler: a.withToken(a.importer(importer.Tutors)), Action: auth.ImportTutor, MaxBody: maxImport},
		{Pattern: "POST /api/v1/organisations/{id}/import/classes", Handler: a.withToken(a.importer(importer.Classes)), Action: auth.ImportClass, MaxBody: maxImport},
		t("GET /api/v1/jobs/{id}", auth.AccountManage, a.getJob),
		t("GET /api/v1/export/schools", auth.ExportData, a.exporter(importer.Schools)),
		t("GET /api/v1/export/companies", auth.ExportData, a.exporter(importer.Companies)),
		t("GET /api/v1/export/tutors", auth.ExportData, a.exporter(importer.Tutors)),
		t("GET /api/v1/organisations/{id}/export/classes", auth.ExportData, a.exporter(importer.Classes)),
	}...)
}

// created starts a 201 response with a JSON body.
func created(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
}

func items[T any](v []T) any {
	if v == nil {
		v = []T{}
	}
	return struct {
		Items []T `json:"items"`
	}{v}
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	p := who(r)
	ms, err := a.platform.People.Memberships(r.Context(), p)
	a.reply(w, r, struct {
		Person      string            `json:"person"`
		Name        string            `json:"name"`
		Acting      auth.Membership   `json:"acting"`
		Scopes      []auth.Scope      `json:"scopes"`
		Memberships []auth.Membership `json:"memberships"`
	}{p.Person, p.Name, p.Membership, p.Scopes, ms}, err)
}

func (a *API) listOrgs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := org.Filter{Kind: auth.OrgKind(q.Get("kind")), Query: q.Get("q")}
	if f.Kind != "" && !f.Kind.Valid() || len(f.Query) > 100 {
		a.fail(w, r, attesta.E(attesta.Invalid, "err.api.orgs.filter"))
		return
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > org.MaxLimit {
			a.fail(w, r, attesta.E(attesta.Invalid, "err.api.limit", org.MaxLimit))
			return
		}
		f.Limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			a.fail(w, r, attesta.E(attesta.Invalid, "err.api.offset"))
			return
		}
		f.Offset = n
	}
	list, err := a.platform.Orgs.List(r.Context(), who(r), f)
	a.reply(w, r, items(list), err)
}

func (a *API) createOrg(w http.ResponseWriter, r *http.Request) {
	var o org.Organisation
	if err := readJSON(r, &o); err != nil {
		a.fail(w, r, err)
		return
	}
	if o.ID == "" {
		o.ID = org.SuggestID(o)
	}
	out, err := a.platform.Orgs.Create(r.Context(), who(r), o)
	if err == nil {
		w.Header().Set("Location", "/api/v1/organisations/"+out.ID)
		created(w)
	}
	a.reply(w, r, out, err)
}

func (a *API) getOrg(w http.ResponseWriter, r *http.Request) {
	o, err := a.platform.Orgs.Get(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, o, err)
}

// orgUpdate is an organisation's new details: a field left out or empty
// keeps its value; Clear names the fields to remove (org.Clearable).
type orgUpdate struct {
	org.Organisation
	Clear []string `json:"clear"`
}

func (a *API) updateOrg(w http.ResponseWriter, r *http.Request) {
	var in orgUpdate
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	in.ID = r.PathValue("id")
	out, err := a.platform.Orgs.Update(r.Context(), who(r), in.Organisation, in.Clear...)
	a.reply(w, r, out, err)
}

func (a *API) listMembers(w http.ResponseWriter, r *http.Request) {
	ms, err := a.platform.People.Members(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, items(ms), err)
}

// memberInput is a person to add with a role.
type memberInput struct {
	people.Person
	Role   auth.Role `json:"role"`
	Invite bool      `json:"invite"`
}

func (a *API) addMember(w http.ResponseWriter, r *http.Request) {
	var in memberInput
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.platform.People.AddMember(r.Context(), who(r), r.PathValue("id"), in.Person, in.Role)
	if err == nil && in.Invite {
		err = a.platform.Accounts.Invite(r.Context(), who(r), p.ID)
	}
	if err == nil {
		created(w)
	}
	a.reply(w, r, p, err)
}

func (a *API) listClasses(w http.ResponseWriter, r *http.Request) {
	cs, err := a.platform.People.Classes(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, items(cs), err)
}

func (a *API) createClass(w http.ResponseWriter, r *http.Request) {
	var c people.Class
	if err := readJSON(r, &c); err != nil {
		a.fail(w, r, err)
		return
	}
	c.School = r.PathValue("id")
	out, err := a.platform.People.CreateClass(r.Context(), who(r), c)
	if err == nil {
		w.Header().Set("Location", "/api/v1/classes/"+out.ID)
		created(w)
	}
	a.reply(w, r, out, err)
}

func (a *API) getClass(w http.ResponseWriter, r *http.Request) {
	v, err := a.platform.People.Class(r.Context(), who(r), r.PathValue("id"))
	if v != nil {
		if v.Students == nil {
			v.Students = []people.Enrolment{}
		}
		if v.Teachers == nil {
			v.Teachers = []people.Person{}
		}
	}
	a.reply(w, r, v, err)
}

// studentInput is a student to enrol. For a student already recorded, a
// contact or consent left out or empty keeps its value; Clear names those
// to remove ("contact", "consent_by").
type studentInput struct {
	GivenName  string   `json:"given_name"`
	FamilyName string   `json:"family_name"`
	Number     string   `json:"number"`
	Contact    string   `json:"contact"`
	ConsentBy  string   `json:"consent_by"`
	Clear      []string `json:"clear"`
}

func (a *API) enrol(w http.ResponseWriter, r *http.Request) {
	var in studentInput
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	clear, err := people.ClearOf(in.Clear)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	e, err := a.platform.People.Enrol(r.Context(), who(r), r.PathValue("id"), people.StudentInput{
		Person:  people.Person{GivenName: in.GivenName, FamilyName: in.FamilyName},
		Student: people.Student{Number: in.Number, Contact: in.Contact, ConsentBy: in.ConsentBy}, Clear: clear})
	if err == nil {
		created(w)
	}
	a.reply(w, r, e, err)
}

func (a *API) getPerson(w http.ResponseWriter, r *http.Request) {
	pr, err := a.platform.People.Profile(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, pr, err)
}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := audit.Filter{Actor: q.Get("actor"), ObjectKind: auth.ObjectKind(q.Get("kind")), ObjectID: q.Get("object"), Action: q.Get("action")}
	if v := q.Get("since"); v != "" && !f.SinceDay(v) {
		a.fail(w, r, attesta.E(attesta.Invalid, "err.api.audit.day", "since"))
		return
	}
	if v := q.Get("until"); v != "" && !f.UntilDay(v) {
		a.fail(w, r, attesta.E(attesta.Invalid, "err.api.audit.day", "until"))
		return
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			a.fail(w, r, attesta.E(attesta.Invalid, "err.api.audit.before"))
			return
		}
		f.Before = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > audit.MaxLimit {
			a.fail(w, r, attesta.E(attesta.Invalid, "err.api.limit", audit.MaxLimit))
			return
		}
		f.Limit = n
	}
	es, err := a.platform.Audit.List(r.Context(), who(r), f)
	a.reply(w, r, items(es), err)
}

func (a *API) listTables(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := roundtable.Filter{Sector: q.Get("sector"), Year: q.Get("year"), Status: roundtable.Status(q.Get("status"))}
	ts, err := a.platform.Tables.List(r.Context(), who(r), f)
	a.reply(w, r, items(ts), err)
}

func (a *API) createTable(w http.ResponseWriter, r *http.Request) {
	var in roundtable.Table
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.platform.Tables.Create(r.Context(), who(r), in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/tables/"+t.ID)
		created(w)
	}
	a.reply(w, r, t, err)
}

func (a *API) getTable(w http.ResponseWriter, r *http.Request) {
	v, err := a.platform.Tables.Get(r.Context(), who(r), r.PathValue("id"))
	if v != nil && v.Meetings == nil {
		v.Meetings = []roundtable.Meeting{}
	}
	a.reply(w, r, v, err)
}

func (a *API) updateTable(w http.ResponseWriter, r *http.Request) {
	var in roundtable.Table
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	in.ID = r.PathValue("id")
	t, err := a.platform.Tables.Update(r.Context(), who(r), in)
	a.reply(w, r, t, err)
}

// memberChange adds or removes an organisation at a table.
type memberChange struct {
	Org    string `json:"org"`
	Remove bool   `json:"remove"`
}

func (a *API) tableMember(w http.ResponseWriter, r *http.Request) {
	var in memberChange
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	var t *roundtable.Table
	var err error
	if in.Remove {
		t, err = a.platform.Tables.RemoveMember(r.Context(), who(r), r.PathValue("id"), in.Org)
	} else {
		t, err = a.platform.Tables.AddMember(r.Context(), who(r), r.PathValue("id"), in.Org)
	}
	a.reply(w, r, t, err)
}

func (a *API) addMeeting(w http.ResponseWriter, r *http.Request) {
	var in roundtable.Meeting
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	in.Table = r.PathValue("id")
	m, err := a.platform.Tables.AddMeeting(r.Context(), who(r), in)
	if err == nil {
		created(w)
	}
	a.reply(w, r, m, err)
}

// meetingUpdate is a meeting's new date, agenda and minutes: a field left
// out or empty keeps its value; Clear may name "minutes", to remove them.
type meetingUpdate struct {
	roundtable.Meeting
	Clear []string `json:"clear"`
}

func (a *API) updateMeeting(w http.ResponseWriter, r *http.Request) {
	var in meetingUpdate
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	in.ID = r.PathValue("id")
	m, err := a.platform.Tables.UpdateMeeting(r.Context(), who(r), in.Meeting, in.Clear...)
	a.reply(w, r, m, err)
}

func (a *API) getAttachment(w http.ResponseWriter, r *http.Request) {
	at, content, err := a.platform.Tables.Attachment(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", at.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": at.Name}))
	w.Write(content)
}

// maxImport bounds an import's request body: the CSV file itself.
const maxImport = importer.MaxBytes + 1

// importer imports a CSV file sent as the request body (text/csv): the
// whole file is checked first and nothing is written if any row has a
// problem (400, with every problem); ?dry_run=true only previews; with
// "Prefer: respond-async" the file is imported as a job (job.go).
func (a *API) importer(kind importer.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, school := who(r), r.PathValue("id")
		if err := a.platform.Imports.May(r.Context(), p, kind, school); err != nil {
			a.fail(w, r, err)
			return
		}
		dryRun := false
		if v := r.URL.Query().Get("dry_run"); v != "" {
			var err error
			if dryRun, err = strconv.ParseBool(v); err != nil {
				a.fail(w, r, attesta.E(attesta.Invalid, "err.api.import.dryrun", v))
				return
			}
		}
		if async(r) && !dryRun {
			// As Parse reads it: a byte more than a file may have.
			data, err := io.ReadAll(io.LimitReader(r.Body, importer.MaxBytes+1))
			if err != nil {
				a.fail(w, r, fmt.Errorf("reading the %s file: %w", kind, err))
				return
			}
			a.importJob(w, r, p, kind, school, data)
			return
		}
		f, err := importer.Parse(kind, r.Body)
		if err != nil {
			a.failImport(w, r, err)
			return
		}
		if dryRun {
			plan, err := a.platform.Imports.Preview(r.Context(), p, kind, school, f)
			if err == nil {
				err = plan.Err()
			}
			if err != nil {
				a.failImport(w, r, err)
				return
			}
			a.reply(w, r, plan, nil)
			return
		}
		res, err := a.platform.Imports.Apply(r.Context(), p, kind, school, f, nil)
		if err != nil {
			a.failImport(w, r, err)
			return
		}
		a.reply(w, r, res, nil)
	}
}

// importProblem is a problem document with the problems of a file.
type importProblem struct {
	problem
	Errors importer.Errors `json:"errors"`
}

func (a *API) failImport(w http.ResponseWriter, r *http.Request, err error) {
	var es importer.Errors
	if !errors.As(err, &es) {
		a.fail(w, r, err)
		return
	}
	status := httpstatus.Of(err)
	p := newProblem(w, r, status, attesta.Wrap(es, attesta.ErrorCode(err), "err.api.import.problems", len(es)))
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(importProblem{p, es})
}

// exporter writes the CSV file of kind.
func (a *API) exporter(kind importer.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		if err := a.platform.Imports.Export(r.Context(), who(r), kind, r.PathValue("id"), &buf); err != nil {
			a.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Write(buf.Bytes())
	}
}

func (a *API) recordConsent(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ConsentBy string `json:"consent_by"`
		// Withdraw removes the consent recorded: an empty consent_by
		// never does.
		Withdraw bool `json:"withdraw"`
	}
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	var st *people.Student
	var err error
	switch {
	case in.Withdraw && in.ConsentBy != "":
		var fe attesta.FieldErrors
		fe.Problem("consent_by", "err.people.clear.given")
		err = fe.Err()
	case in.Withdraw:
		st, err = a.platform.People.WithdrawConsent(r.Context(), who(r), r.PathValue("id"))
	default:
		st, err = a.platform.People.RecordConsent(r.Context(), who(r), r.PathValue("id"), in.ConsentBy)
	}
	a.reply(w, r, st, err)
}
