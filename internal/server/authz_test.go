package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/course"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/observation"
	"github.com/attesta/attesta/roundtable"
)

// The authorization matrix: every route of the web and the API × every
// role × an object of the role's own organisation and one of another,
// each request made over HTTP by a signed-in user (a session cookie for
// pages, a personal access token for the API), and its status checked
// against the expectations below, which are written here independently of
// package auth's rules.
//
// A route that declares no action (and is neither public nor the
// deployment's system API) fails the test, and so does an action without
// expectations or a path parameter the fixtures cannot fill:
// TestMatrixRefusesUnruledRoute shows it.

// outcome is what a request must get.
type outcome byte

const (
	allow     outcome = 'Y' // the action runs (2xx, 3xx, or 400/409 for the deliberately incomplete input)
	forbidden outcome = 'F' // 403: in reach, but the role may not
	notFound  outcome = 'N' // 404: out of reach, as if it did not exist
	na        outcome = '.' // the role has no object of this kind of its own
)

// target is what a route's path parameter names.
type target string

const (
	none   target = ""       // no object in the path
	orgT   target = "org"    // an organisation
	school target = "school" // a school (class routes under an organisation)
	class  target = "class"
	person target = "person"
	token  target = "token"
	table  target = "table"
	meet   target = "meeting"
	attach target = "attachment"
	job    target = "job"     // an import waiting or running
	pupil  target = "student" // a student's record
	keys   target = "issuer"  // a Chamber's signing keys (the issuer with its id)
	exper  target = "experience"
	sheet  target = "sheet" // an observation sheet
	dossr  target = "dossier"
	// A sector's competence standard and its draft ({sector}), with a
	// path ({path}) or a competence ({code}) of it. Standards belong to no
	// organisation: there is no other's.
	std target = "standard"
	// An item of the online test's bank: the national bank's, which has
	// no other's (a Chamber's own bank is off in the demo).
	itm target = "item"
	// A sitting of the online test, and an attempt in it: the demo's open
	// sitting at ITIS Feltrinelli, and Davide Marino's attempt there, for
	// the pages (/sittings/{id}, /attempts/{id}) as for the API. There is
	// no other's (the demo has no sitting in Turin).
	sitT target = "sitting"
	// A test of the online test: the demo's, the Milan Chamber's.
	bpT  target = "test"
	attT target = "attempt"
	// The commission: the demo's, the Milan Chamber's, its closed session
	// and the badge it issued. There is no other's (the demo has no
	// commission in Turin); the commission member of the matrix sits on
	// none, and finds none (a member's own are tested in
	// commission_test.go and the browser test).
	comT   target = "commission"
	sesT   target = "commission-session"
	badgeT target = "badge"
	// A training course: the demo's, the Milan Chamber's, closed, which
	// the company tutor of the matrix took (their own as a participant).
	// There is no other's (the demo has no course in Turin); another
	// Chamber's refusal is tested in course_test.go.
	crsT target = "course"
	// A request of erasure: the matrix's student's own, pending, in
	// Milan's territory. There is no other's.
	reqT target = "data-request"
)

// roleOrder is the column order of the expectation strings.
var roleOrder = []auth.Role{auth.NationalAdmin, auth.ChamberOperator, auth.SchoolReferent, auth.SchoolTutor, auth.CompanyTutor, auth.Student, auth.CommissionMember}

// expectOwn is, per action and target, what each role gets on an object of
// its own organisation (or itself, for a person or a token). An object of
// another organisation is always not found, except for the national body,
// which reaches everything and gets what it gets on its own.
var expectOwn = map[auth.Action]map[target]string{
	//                     NA CO SR ST CT S  CM
	auth.OrgList:       {none: "YYYYYYY"},
	auth.OrgView:       {orgT: "YYYYYYY"},
	auth.OrgCreate:     {none: "YYFFFFF"},
	auth.OrgUpdate:     {orgT: "YYYFFFF"},
	auth.PeopleList:    {orgT: "YYYYYFF"},
	auth.MemberAdd:     {orgT: "YYYFFFF"},
	auth.PersonView:    {person: "YYYYYYY"},
	auth.ClassList:     {school: "YYYY.F."},
	auth.ClassManage:   {school: "YYYF.F.", class: "YYYF.N."},
	auth.ClassView:     {class: "YYYY.N."},
	auth.AuditView:     {none: "YYFFFFF"},
	auth.AccountManage: {none: "YYYYYYY", token: "YYYYYYY", job: "YYY...."},
	auth.StudentEdit:   {pupil: "YYYF.F."},
	auth.ImportOrgs:    {none: "YYFFFFF"},
	auth.ImportTutor:   {none: "YYYFFFF"},
	auth.ImportClass:   {school: "YYYF.F."},
	auth.ExportData:    {none: "YYYFFFF", school: "YYYF.F."},
	auth.TableView:     {none: "YYYYYFF", table: "YYYYYNF", attach: "YYYYYNF"},
	auth.TableManage:   {none: "YYFFFFF", table: "YYFFFNF", meet: "YYFFFNF"},
	auth.KeyRotate:     {keys: "YY....F"},
	// A commission member's own experience is one of its Chamber's
	// territory, which it does not reach (it sees none yet).
	auth.ExperienceView:   {none: "YYYYYYF", exper: "YYYYYYN"},
	auth.ExperienceDesign: {none: "FFYYYFF", exper: "FFYYYFN"},
	auth.ExperienceManage: {exper: "FFYYYFN"},
	auth.HoursRecord:      {exper: "FFFYYFN"},
	auth.SheetView:        {sheet: "YYYYYYN"},
	auth.SheetFill:        {sheet: "FFFFYFN"},
	auth.SheetCountersign: {sheet: "FFYYFFN"},
	auth.SheetReopen:      {sheet: "FYFFFFN"},
	auth.DossierView:      {dossr: "YYYYYYN"},
	auth.DossierNote:      {dossr: "FFYYFFN"},
	auth.DossierManage:    {dossr: "FYFFFFN"},
	auth.ArtefactAdd:      {dossr: "FFYYYYN"},
	// A draft does not exist for anyone but the national body: reading
	// one is not found; changing one is forbidden, decided before reading.
	auth.StandardDrafts:  {std: "YNNNNNN"},
	auth.StandardEdit:    {std: "YFFFFFF"},
	auth.StandardPublish: {std: "YFFFFFF"},
	// The bank: the national body writes and reviews it; a Chamber sees
	// its approved items and, keeping no bank of its own, writes nothing.
	// The same on pages and in the API, QTI packages in (item.author: a
	// Chamber is refused before its upload is read) and out (item.view).
	auth.ItemView:   {none: "YYFFFFF", itm: "YYFFFFF"},
	auth.ItemAuthor: {none: "YFFFFFF", itm: "YFFFFFF"},
	auth.ItemReview: {itm: "YFFFFFF"},
	auth.ItemStats:  {none: "YFFFFFF"},
	// The online test. Tests are the staff's; a sitting is seen by the
	// staff in reach and its candidates; the school that opened it and its
	// proctor act on it (the national body and the Chamber see it, and are
	// not in the room); a candidate takes only their own attempt.
	auth.TestView:         {none: "YYYYFFF", sitT: "YYYYFFF", bpT: "YYYYFFF"},
	auth.TestDesign:       {none: "YYFFFFF"},
	auth.SittingView:      {none: "YYYYFYF", sitT: "YYYYFYF", attT: "YYYYFNF"},
	auth.SittingManage:    {none: "YYYFFFF", sitT: "YYFFFFF"},
	auth.SittingProctor:   {sitT: "FFYYFFF", attT: "FFYYFNF"},
	auth.TestTake:         {sitT: "FFFFFYF", attT: "FFFFFNF"},
	auth.AccommodationSet: {pupil: "YYYF.F."},
	// The commission: a Chamber nominates and opens sessions; members sit;
	// the national body sees, and sits on nothing; schools, companies and
	// students do not reach a commission. A learner's outcomes are their
	// own, and those of the people a Chamber reaches.
	auth.CommissionView:     {none: "YYFFFFY", comT: "YYNNNNN", sesT: "YYNNNNN"},
	auth.CommissionNominate: {none: "FYFFFFF", comT: "FYNNNNN", sesT: "FYNNNNN"},
	auth.CommissionSit:      {sesT: "FFNNNNN"},
	auth.BadgeView:          {none: "YYFFFYF", person: "YYFFFYF", badgeT: "YYFFNNN"},
	auth.BadgeStatus:        {badgeT: "FYFFFFF"},
	auth.BadgeStack:         {person: "FYFFFFF"},
	// Only a learner shares their own badge (the matrix's student is not
	// the demo badge's learner; her own link is the browser test's).
	auth.BadgeShare: {badgeT: "FFFFNNN"},
	// A learner's data are theirs to copy and to ask to erase; the
	// Chamber of their territory completes the erasure.
	auth.DataRequest: {none: "FFFFFYF"},
	auth.DataErase:   {none: "FYFFFFF", reqT: "FYFFFFF"},
	// A badge into its learner's wallet: the learner's own (the matrix's
	// student is not the badge's learner), and a new offer by a referent
	// or a tutor of the learner's school; refused before reading to every
	// other role.
	auth.BadgeWallet: {badgeT: "FFYYFNF"},
	// The courses: a Chamber keeps its own; the national body sees them;
	// a school's and a company's people list theirs, and see a course
	// they take part in (the company tutor's); students and commission
	// members take none. A Chamber's settings of the tutor badge
	// (org): its own operators' and the national body's to see, its
	// operators' to change.
	auth.CourseView:   {none: "YYYYYFF", crsT: "YYNNYNN", orgT: "YYFFFFF"},
	auth.CourseManage: {none: "FYFFFFF", crsT: "FYNNFNN", orgT: "FYFFFFF"},
}

// route is one route of either surface, as the matrix sees it.
type route struct {
	pattern string
	api     bool
	action  auth.Action
	public  bool // no sign-in needed
	system  bool // the deployment's API token, not a person's
}

// opsRoutes are registered by the server itself (health, metrics, and
// the answer to addresses no route takes).
var opsRoutes = []string{"GET /healthz", "GET /readyz", "GET /metrics", "/"}

func routesOf(srv *server.Server) []route {
	var out []route
	for _, r := range srv.WebRoutes() {
		out = append(out, route{pattern: r.Pattern, action: r.Action, public: r.Public})
	}
	for _, r := range srv.APIRoutes() {
		out = append(out, route{pattern: r.Pattern, api: true, action: r.Action, public: r.Public, system: r.System})
	}
	for _, p := range opsRoutes {
		out = append(out, route{pattern: p, public: true})
	}
	return out
}

var param = regexp.MustCompile(`\{[a-z.]+\}`)

// stdParams fill the parameters of the standards' routes: the demo's
// published sector, one of its paths and one of its competences.
var stdParams = map[string]string{"{sector}": "meccatronica", "{path}": "progettazione", "{code}": "C1"}

// targetOf says what a route's path parameter names, from its path.
func targetOf(pattern string) (target, error) {
	ps := param.FindAllString(pattern, -1)
	if p := pattern[strings.Index(pattern, " ")+1:]; strings.HasPrefix(p, "/sectors/{sector}/") || strings.HasPrefix(p, "/api/v1/sectors/{sector}/") {
		for _, x := range ps {
			if _, ok := stdParams[x]; !ok {
				return none, fmt.Errorf("no fixture for %s", x)
			}
		}
		return std, nil
	}
	switch {
	case len(ps) == 0:
		return none, nil
	case len(ps) > 1:
		return none, fmt.Errorf("%d path parameters", len(ps))
	}
	path := pattern[strings.Index(pattern, " ")+1:]
	switch {
	case (strings.HasSuffix(path, "/classes")) && (strings.HasPrefix(path, "/orgs/") || strings.HasPrefix(path, "/api/v1/organisations/")):
		return school, nil
	case strings.HasPrefix(path, "/import/jobs/{id}") || strings.HasPrefix(path, "/api/v1/jobs/{id}"):
		return job, nil
	case strings.HasPrefix(path, "/orgs/{id}") || strings.HasPrefix(path, "/api/v1/organisations/{id}"):
		return orgT, nil
	case strings.HasPrefix(path, "/classes/{id}") || strings.HasPrefix(path, "/api/v1/classes/{id}"):
		return class, nil
	case strings.HasSuffix(path, "/consent") || strings.HasSuffix(path, "/accommodation"):
		return pupil, nil
	case strings.HasPrefix(path, "/people/{id}") || strings.HasPrefix(path, "/api/v1/people/{id}"):
		return person, nil
	case strings.HasPrefix(path, "/account/tokens/{id}"):
		return token, nil
	case strings.HasPrefix(path, "/tables/{id}") || strings.HasPrefix(path, "/api/v1/tables/{id}"):
		return table, nil
	case strings.HasPrefix(path, "/meetings/{id}") || strings.HasPrefix(path, "/api/v1/meetings/{id}"):
		return meet, nil
	case strings.HasPrefix(path, "/attachments/{id}") || strings.HasPrefix(path, "/api/v1/attachments/{id}"):
		return attach, nil
	case strings.HasPrefix(path, "/api/v1/issuers/{id}"):
		return keys, nil
	case strings.HasPrefix(path, "/experiences/{id}") || strings.HasPrefix(path, "/api/v1/experiences/{id}"):
		return exper, nil
	case strings.HasPrefix(path, "/sheets/{id}") || strings.HasPrefix(path, "/api/v1/sheets/{id}"):
		return sheet, nil
	case strings.HasPrefix(path, "/dossiers/{id}") || strings.HasPrefix(path, "/api/v1/dossiers/{id}"):
		return dossr, nil
	case strings.HasPrefix(path, "/items/{id}") || strings.HasPrefix(path, "/api/v1/items/{id}"):
		return itm, nil
	case strings.HasPrefix(path, "/api/v1/tests/{id}"):
		return bpT, nil
	case strings.HasPrefix(path, "/sittings/{id}") || strings.HasPrefix(path, "/api/v1/sittings/{id}"):
		return sitT, nil
	case strings.HasPrefix(path, "/attempts/{id}") || strings.HasPrefix(path, "/api/v1/attempts/{id}"):
		return attT, nil
	case strings.HasPrefix(path, "/commissions/{id}") || strings.HasPrefix(path, "/api/v1/commissions/{id}"):
		return comT, nil
	case strings.HasPrefix(path, "/commission-sessions/{id}") || strings.HasPrefix(path, "/api/v1/commission-sessions/{id}"):
		return sesT, nil
	case strings.HasPrefix(path, "/badges/{id}") || strings.HasPrefix(path, "/api/v1/badges/{id}"):
		return badgeT, nil
	case strings.HasPrefix(path, "/courses/{id}") || strings.HasPrefix(path, "/api/v1/courses/{id}"):
		return crsT, nil
	case strings.HasPrefix(path, "/data-requests/{id}"):
		return reqT, nil
	}
	return none, fmt.Errorf("no fixture for the parameter of %s", path)
}

// unruled lists the routes the matrix cannot judge: no declared action,
// an action without expectations, or a parameter without fixtures.
func unruled(routes []route) []string {
	var problems []string
	for _, r := range routes {
		if r.public || r.system {
			continue
		}
		if r.action == "" {
			problems = append(problems, r.pattern+": declares no action")
			continue
		}
		tg, err := targetOf(r.pattern)
		if err != nil {
			problems = append(problems, r.pattern+": "+err.Error())
			continue
		}
		if _, ok := expectOwn[r.action][tg]; !ok {
			problems = append(problems, fmt.Sprintf("%s: action %s on %q has no expectations in the matrix", r.pattern, r.action, tg))
		}
	}
	return problems
}

func TestAuthorizationMatrix(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	routes := routesOf(srv)
	if p := unruled(routes); len(p) > 0 {
		t.Fatalf("routes without rules:\n%s", strings.Join(p, "\n"))
	}
	// Every route the server registered is in the tables the matrix walks.
	var known []string
	for _, r := range routes {
		known = append(known, r.pattern)
	}
	for _, p := range srv.Routes() {
		if !slices.Contains(known, p) {
			t.Errorf("route %s is registered outside the route tables", p)
		}
	}
	ctx := context.Background()
	svc := srv.Services()
	admin, err := svc.People.PrincipalByEmail(ctx, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	if err != nil {
		t.Fatal(err)
	}
	classID := func(school string) string {
		cs, err := svc.People.Classes(ctx, admin, school)
		if err != nil || len(cs) == 0 {
			t.Fatalf("classes of %s: %v", school, err)
		}
		return cs[0].ID
	}
	personID := func(email string) string {
		p, err := svc.People.PrincipalByEmail(ctx, email, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return p.Person
	}
	mecClass, torClass := classID("mitf01000a"), classID("tori03000b")
	studentOf := func(class, family string) string {
		v, err := svc.People.Class(ctx, admin, class)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range v.Students {
			if e.Person.FamilyName == family {
				return e.Person.ID
			}
		}
		t.Fatalf("no student %s in %s", family, class)
		return ""
	}
	marino, romano := studentOf(mecClass, "Marino"), studentOf(torClass, "Romano")
	// The demo's two tables, each with a meeting and an attachment.
	type tableIDs struct{ table, meeting, attachment string }
	tablesOf := map[string]tableIDs{}
	ts2, err := svc.Tables.List(ctx, admin, roundtable.Filter{})
	if err != nil || len(ts2) != 2 {
		t.Fatalf("demo tables: %v %v", ts2, err)
	}
	for _, tb := range ts2 {
		v, err := svc.Tables.Get(ctx, admin, tb.ID)
		if err != nil || len(v.Meetings) == 0 || len(v.Meetings[0].Attachments) == 0 {
			t.Fatalf("demo table %s: %v", tb.ID, err)
		}
		tablesOf[tb.Chamber] = tableIDs{tb.ID, v.Meetings[0].ID, v.Meetings[0].Attachments[0].ID}
	}
	milan, turin := tablesOf["cciaa-milano"], tablesOf["cciaa-torino"]
	// The demo's experience in progress in Milan (the student account's)
	// and the co-designed one in Turin.
	experienceOf := map[string]string{}
	es, err := svc.Experiences.List(ctx, admin, experience.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.State == experience.InProgress || e.State == experience.CoDesigned {
			experienceOf[e.School] = e.ID
		}
	}
	expMI, expTO := experienceOf["mitf01000a"], experienceOf["tori03000b"]
	if expMI == "" || expTO == "" {
		t.Fatalf("demo experiences: %+v", es)
	}
	// The student account's observation sheet there (countersigned), and
	// the Turin student's (a draft).
	sheetMI := observation.SheetID(expMI, personID("studente@feltrinelli.example"))
	sheetTO := observation.SheetID(expTO, romano)
	dossierMI := dossier.ID(expMI, personID("studente@feltrinelli.example"))
	dossierTO := dossier.ID(expTO, romano)

	_, otherToken := newToken(t, srv, "operatore@to.example", "cciaa-torino", auth.ChamberOperator)
	// The demo's open sitting of the online test, and the attempt Davide
	// Marino submitted in it.
	sittingMI, attemptMI := "", ""
	sittings, err := svc.Tests.Sittings(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sittings {
		if st.Ended.IsZero() {
			sittingMI = st.ID
		}
	}
	// The demo's commission, its closed session and its badge.
	commissionMI, sessionMI, badgeMI := "", "", ""
	if cs, err := svc.Commissions.Commissions(ctx, admin); err != nil || len(cs) != 1 {
		t.Fatalf("the demo's commission: %v %v", cs, err)
	} else if cv, err := svc.Commissions.Get(ctx, admin, cs[0].ID); err != nil || len(cv.Sessions) != 1 {
		t.Fatalf("the demo's session: %v", err)
	} else if sv, err := svc.Commissions.GetSession(ctx, admin, cv.Sessions[0].ID); err != nil || len(sv.Badges) != 1 {
		t.Fatalf("the demo's badge: %v", err)
	} else {
		commissionMI, sessionMI, badgeMI = cs[0].ID, sv.ID, sv.Badges[0].Credential
	}
	// The demo's course.
	courseMI := ""
	if cs, err := svc.Courses.List(ctx, admin, course.Filter{}); err != nil || len(cs) != 1 {
		t.Fatalf("the demo's course: %v %v", cs, err)
	} else {
		courseMI = cs[0].ID
	}
	// The matrix's student asks for erasure (never completed: the
	// matrix's forms do not confirm it).
	sara, err := svc.People.PrincipalByEmail(ctx, "studente@feltrinelli.example", "mitf01000a", auth.Student)
	if err != nil {
		t.Fatal(err)
	}
	request, err := svc.Rights.Ask(ctx, sara, "", true)
	if err != nil {
		t.Fatal(err)
	}
	requestMI := request.ID
	blueprintMI := ""
	if sv, err := svc.Tests.GetSitting(ctx, admin, sittingMI); err != nil || len(sv.Attempts) != 1 {
		t.Fatalf("the demo's open sitting %q: %v", sittingMI, err)
	} else {
		attemptMI, blueprintMI = sv.Attempts[0].ID, sv.Blueprint.ID
	}

	type fixture struct {
		email, org      string
		ownSchool       string
		ownClass        string
		otherOrg        string
		otherSchool     string
		otherClass      string
		otherPerson     string
		territoryOfOwns string
	}
	fixtures := map[auth.Role]fixture{
		auth.NationalAdmin:    {"admin@unioncamere.example", "unioncamere", "mitf01000a", mecClass, "tori03000b", "tori03000b", torClass, "tutor@officine-torinesi.example", ""},
		auth.ChamberOperator:  {"operatore@milomb.example", "cciaa-milano", "mitf01000a", mecClass, "tori03000b", "tori03000b", torClass, "tutor@officine-torinesi.example", "MI"},
		auth.SchoolReferent:   {"referente@feltrinelli.example", "mitf01000a", "mitf01000a", mecClass, "tori03000b", "tori03000b", torClass, "tutor@officine-torinesi.example", "MI"},
		auth.SchoolTutor:      {"docente@feltrinelli.example", "mitf01000a", "mitf01000a", mecClass, "tori03000b", "tori03000b", torClass, "tutor@officine-torinesi.example", "MI"},
		auth.CompanyTutor:     {"tutor@meccanica-lombarda.example", "co-09712340562", "", "", "co-05832710965", "tori03000b", torClass, "tutor@officine-torinesi.example", "MI"},
		auth.Student:          {"studente@feltrinelli.example", "mitf01000a", "mitf01000a", mecClass, "tori03000b", "tori03000b", torClass, "tutor@officine-torinesi.example", "MI"},
		auth.CommissionMember: {"docente@feltrinelli.example", "cciaa-torino", "", "", "cciaa-milano", "mitf01000a", mecClass, "tutor@meccanica-lombarda.example", "TO"},
	}
	// Imports waiting for confirmation, of the roles that may import; the
	// other job of everyone is the Chamber's (the Chamber's, the school's).
	jobs := map[auth.Role]string{}
	for _, role := range []auth.Role{auth.NationalAdmin, auth.ChamberOperator, auth.SchoolReferent} {
		f := fixtures[role]
		jobs[role] = startImport(t, ts, signIn(t, ts, f.email, f.org, role))
	}
	checked := 0
	for col, role := range roleOrder {
		f := fixtures[role]
		jar := signIn(t, ts, f.email, f.org, role)
		ownToken, _ := newToken(t, srv, f.email, f.org, role) // revoked by the matrix
		_, apiToken := newToken(t, srv, f.email, f.org, role)
		ownT, otherT := milan, turin
		if role == auth.CommissionMember {
			ownT, otherT = turin, milan
		}
		otherJob := jobs[auth.ChamberOperator]
		if role == auth.ChamberOperator {
			otherJob = jobs[auth.SchoolReferent]
		}
		ownPupil := ""
		switch role {
		case auth.NationalAdmin, auth.ChamberOperator, auth.SchoolReferent, auth.SchoolTutor:
			ownPupil = marino
		case auth.Student:
			ownPupil = personID(f.email)
		}
		otherPupil := romano
		if role == auth.CommissionMember {
			otherPupil = marino
		}
		// A Chamber's keys: the national body's own are Milan's; the
		// other roles, but a Chamber's, have none.
		ownKeys, otherKeys := "", "cciaa-torino"
		switch role {
		case auth.NationalAdmin, auth.ChamberOperator:
			ownKeys = "cciaa-milano"
		case auth.CommissionMember:
			ownKeys, otherKeys = "cciaa-torino", "cciaa-milano"
		}
		ownE, otherE, ownS, otherS, ownD, otherD := expMI, expTO, sheetMI, sheetTO, dossierMI, dossierTO
		if role == auth.CommissionMember {
			ownE, otherE, ownS, otherS, ownD, otherD = expTO, expMI, sheetTO, sheetMI, dossierTO, dossierMI
		}
		own := map[target]string{reqT: requestMI, crsT: courseMI, comT: commissionMI, sesT: sessionMI, badgeT: badgeMI, std: "meccatronica", itm: "MEC-C1-K01", bpT: blueprintMI, sitT: sittingMI, attT: attemptMI, orgT: f.org, school: f.ownSchool, class: f.ownClass, person: personID(f.email), token: ownToken, pupil: ownPupil,
			table: ownT.table, meet: ownT.meeting, attach: ownT.attachment, job: jobs[role], keys: ownKeys, exper: ownE, sheet: ownS, dossr: ownD}
		other := map[target]string{orgT: f.otherOrg, school: f.otherSchool, class: f.otherClass, person: personID(f.otherPerson), token: otherToken, pupil: otherPupil,
			table: otherT.table, meet: otherT.meeting, attach: otherT.attachment, job: otherJob, keys: otherKeys, exper: otherE, sheet: otherS, dossr: otherD}
		for _, r := range routes {
			if r.system || (r.public && r.action == "") {
				continue
			}
			tg, _ := targetOf(r.pattern)
			exp := outcome(expectOwn[r.action][tg][col])
			cases := []struct {
				name string
				id   string
				want outcome
			}{{"own", own[tg], exp}}
			if tg != none && tg != std && tg != itm && tg != sitT && tg != attT && tg != bpT && tg != comT && tg != sesT && tg != badgeT && tg != crsT && tg != reqT {
				wantOther := notFound
				if role == auth.NationalAdmin && tg != token && tg != job {
					wantOther = exp
				}
				cases = append(cases, struct {
					name string
					id   string
					want outcome
				}{"other", other[tg], wantOther})
			}
			for _, c := range cases {
				if c.want == na || (tg != none && c.id == "") {
					continue
				}
				// An invalid address keeps an allowed update from changing
				// anything: a blank field no longer makes it invalid, it
				// keeps the stored value.
				form := url.Values{"kind": {"school"}, "province": {f.territoryOfOwns}, "role": {"school_tutor"}, "email": {"not an address"}}
				if strings.HasSuffix(r.pattern, "/account/switch") {
					form = url.Values{"org": {f.org}, "role": {string(role)}}
				}
				status, body := do(t, ts, r, jar, apiToken, c.id, form)
				if !matches(c.want, status) {
					t.Errorf("%s as %s on %s object %s: status %d, want %c\n%s", r.pattern, role, c.name, c.id, status, c.want, snippet(body))
				}
				checked++
			}
		}
	}
	t.Logf("authorization matrix: %d routes × %d roles × own/other: %d requests checked", len(routes), len(roleOrder), checked)
	if checked < 200 {
		t.Errorf("only %d requests checked", checked)
	}
}

func matches(want outcome, status int) bool {
	switch want {
	case allow:
		return status < 500 && status != 401 && status != 403 && status != 404
	case forbidden:
		return status == 403
	case notFound:
		return status == 404
	}
	return false
}

func snippet(b string) string {
	if i := strings.Index(b, "<main"); i >= 0 {
		b = b[i:]
	}
	if len(b) > 400 {
		b = b[:400]
	}
	return b
}

// do sends the request of route r for id, with a deliberately incomplete
// body for writes (so that an allowed write changes nothing and answers
// 400), placed in the actor's own province where the rule looks at it.
func do(t *testing.T, ts *httptest.Server, r route, jar http.CookieJar, token, id string, form url.Values) (int, string) {
	t.Helper()
	method, path, _ := strings.Cut(r.pattern, " ")
	if strings.HasPrefix(path, "/sectors/{sector}/") || strings.HasPrefix(path, "/api/v1/sectors/{sector}/") {
		for k, v := range stdParams {
			path = strings.ReplaceAll(path, k, v)
		}
	}
	path = param.ReplaceAllString(path, url.PathEscape(id))
	var body io.Reader
	ctype := ""
	if method == "POST" || method == "PUT" {
		if r.api {
			js := `{}`
			switch {
			case strings.HasPrefix(path, "/api/v1/organisations/") && strings.HasSuffix(path, "/members"):
				js = `{"role":"school_tutor"}`
			case strings.HasSuffix(path, "/course-settings"):
				// A Chamber's settings of the tutor badge: {} is no requirement
				// and no expiry, what the demo's Chambers have.
			case strings.HasPrefix(r.pattern, "POST /api/v1/organisations") && !strings.HasSuffix(path, "/classes"),
				strings.HasPrefix(r.pattern, "PUT /api/v1/organisations"):
				js = fmt.Sprintf(`{"kind":"school","province":%q,"email":%q}`, form.Get("province"), form.Get("email"))
			}
			body, ctype = strings.NewReader(js), "application/json"
		} else {
			body, ctype = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
		}
	}
	req, err := http.NewRequest(method, ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}
	if r.api {
		req.Header.Set("Authorization", "Bearer "+token)
	} else {
		client.Jar = jar
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if !r.api && resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		return http.StatusUnauthorized, string(b) // sent to sign in: not signed in
	}
	return resp.StatusCode, string(b)
}

// signIn signs a demo account in over HTTP and switches to the role.
func signIn(t *testing.T, ts *httptest.Server, email, org string, role auth.Role) http.CookieJar {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(ts.URL+"/login", url.Values{"email": {email}, "password": {demo.Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing in as %s: %d", email, resp.StatusCode)
	}
	resp, err = client.PostForm(ts.URL+"/account/switch", url.Values{"org": {org}, "role": {string(role)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("switching %s to %s in %s: %d", email, role, org, resp.StatusCode)
	}
	return jar
}

// newToken makes a read-write personal access token for a demo account in
// a role, and returns its id and secret.
func newToken(t *testing.T, srv *server.Server, email, org string, role auth.Role) (id, secret string) {
	t.Helper()
	ctx := context.Background()
	p, err := srv.Services().People.PrincipalByEmail(ctx, email, org, role)
	if err != nil {
		t.Fatalf("%s as %s: %v", email, role, err)
	}
	tk, secret, err := srv.Services().Accounts.CreateToken(ctx, p, "matrix", []auth.Scope{auth.ScopeRead, auth.ScopeWrite}, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tk.ID, secret
}

// TestMatrixRefusesUnruledRoute: a route added without an action, or with
// an action the matrix has no expectations for, makes the matrix fail.
func TestMatrixRefusesUnruledRoute(t *testing.T) {
	srv := testserver.New(t)
	routes := routesOf(srv)
	if p := unruled(routes); len(p) != 0 {
		t.Fatalf("the real tables are not fully ruled: %v", p)
	}
	for _, extra := range []route{
		{pattern: "GET /orgs/{id}/secrets"},                                 // no action
		{pattern: "POST /api/v1/things", api: true},                         // no action
		{pattern: "GET /orgs/{id}/tables", action: auth.TableView},          // an action the matrix does not know
		{pattern: "GET /widgets/{id}", action: auth.OrgView},                // a parameter without fixtures
		{pattern: "GET /people/{id}/notes/{note}", action: auth.PersonView}, // two parameters
	} {
		p := unruled(append(slices.Clone(routes), extra))
		if len(p) != 1 || !strings.HasPrefix(p[0], extra.pattern) {
			t.Errorf("%s: the matrix reports %v", extra.pattern, p)
		}
	}
}

// verifierDocuments are the routes a verifier fetches without an account
// (an offline verifier's trust bundle and its key, the log's key): the
// matrix requires them public, and each answers a visitor with no cookie
// nor token, and answers a signed-in user the same.
var verifierDocuments = []string{"GET /trust/bundle", "GET /trust/key", "GET /log/key"}

func TestVerifierDocumentsArePublic(t *testing.T) {
	srv := testserver.New(t)
	for _, pattern := range verifierDocuments {
		i := slices.IndexFunc(routesOf(srv), func(r route) bool { return r.pattern == pattern })
		if i < 0 || !routesOf(srv)[i].public {
			t.Errorf("%s is not a public route of the tables", pattern)
			continue
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", pattern[len("GET "):], nil))
		if rec.Code != 200 || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s as a visitor: %d %v", pattern, rec.Code, rec.Header())
		}
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/trust/bundle", nil))
	if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=60" || rec.Header().Get("ETag") == "" {
		t.Errorf("GET /trust/bundle: Cache-Control %q, ETag %q", cc, rec.Header().Get("ETag"))
	}
}

// TestRequestBodiesAreLimited: every route reads at most the server's
// limit (1 MiB) of a body, except the routes that declare their own (the
// minutes' attachments, up to 5 MiB).
func TestRequestBodiesAreLimited(t *testing.T) {
	srv := testserver.New(t)
	big := strings.Repeat("a", 2<<20)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/credentials/verify", strings.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	srv.ServeHTTP(rec, req)
	if rec.Code != 413 || !strings.Contains(rec.Body.String(), "larger than 1048576 bytes") {
		t.Errorf("an oversized body: %d %s", rec.Code, rec.Body.String())
	}
	var limit int64
	for _, r := range srv.WebRoutes() {
		if r.Pattern == "POST /meetings/{id}/attachments" {
			limit = r.MaxBody
		}
	}
	if limit < 5<<20 || limit > 6<<20 {
		t.Errorf("the attachments' route reads up to %d bytes", limit)
	}
}

// startImport uploads a tutors file as the signed-in person and returns the
// id of the import waiting for confirmation.
func startImport(t *testing.T, ts *httptest.Server, jar http.CookieJar) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "tutor.csv")
	io.WriteString(fw, "email,cognome,nome,ruolo,organizzazione\nanna.neri@feltrinelli.example,Neri,Anna,tutor_scolastico,MITF01000A\n")
	mw.Close()
	req, _ := http.NewRequest("POST", ts.URL+"/import/tutors", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/import/jobs/") {
		t.Fatalf("uploading a tutors file: %d %s\n%s", resp.StatusCode, loc, snippet(string(b)))
	}
	return strings.TrimPrefix(loc, "/import/jobs/")
}
