package storagetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/course"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
)

// CoursesSuite runs the training courses' behaviour tests.
func CoursesSuite(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Lifecycle", testCourseLifecycle},
		{"CloseRetries", testCourseCloseRetries},
		{"WhoSees", testCourseWhoSees},
		{"Refusals", testCourseRefusals},
		{"ConcurrentAttendance", testCourseConcurrentAttendance},
		{"TutorRequirement", testCourseTutorRequirement},
		{"EnrolByEmail", testCourseEnrolByEmail},
		{"DecidedFirst", testCourseDecidedFirst},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// faultyBadges issues through the credential service, counting the
// issuances asked, and fails those of the people in fail.
type faultyBadges struct {
	creds *credential.Service
	mu    sync.Mutex
	asked map[string]int
	fail  map[string]bool
}

func (b *faultyBadges) IssueTutor(ctx context.Context, actor credential.Actor, req credential.TutorRequest) (credential.Record, error) {
	b.mu.Lock()
	b.asked[req.Learner.Identity]++
	fail := b.fail[req.Learner.Identity]
	b.mu.Unlock()
	if fail {
		return credential.Record{}, errors.New("the signing service is down")
	}
	return b.creds.IssueTutor(ctx, actor, req)
}

// courseWorld is the platform with the Turin Chamber (an issuer of
// badges), its operator and the Milan Chamber's, three company tutors of
// Meccanica Torinese and a teacher of ITIS Avogadro.
type courseWorld struct {
	*platform
	svc                   *course.Service
	creds                 *credential.Service
	badges                *faultyBadges
	chamber, otherChamber *auth.Principal
	tutors                []*auth.Principal
	teacher               *auth.Principal
	operatorActor         credential.Actor
	now                   func() time.Time
}

func newCourseWorld(t *testing.T, open Opener) *courseWorld {
	t.Helper()
	ctx := context.Background()
	p := newPlatform(t, open)
	p.seed(t)
	if _, err := p.orgs.Create(ctx, admin, org.Organisation{ID: "cciaa-milano", Kind: auth.Chamber, Name: "Camera di Commercio di Milano",
		Province: "MI", Provinces: []string{"MI"}, TaxCode: "80050050154"}); err != nil {
		t.Fatal(err)
	}
	kek, _, err := issuer.GenerateKeyEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	issuers, err := issuer.NewService(p.db.Issuers(), issuer.Options{PublicURL: "https://attesta.example", KEK: kek, Clock: p.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := issuers.Create(ctx, "cciaa-torino", issuer.Profile{Name: "Camera di Commercio di Torino",
		Address: issuer.Address{Region: "Piemonte", CountryCode: "IT"}}); err != nil {
		t.Fatal(err)
	}
	suite, err := credential.NewSuite()
	if err != nil {
		t.Fatal(err)
	}
	creds := credential.NewService(p.db.Credentials(), issuers, competence.NewService(p.db.Standards(), p.clock.Now),
		credential.ServiceOptions{Suite: suite, BaseURL: "https://attesta.example", TitleHolder: credential.Party{Name: "Unioncamere"}, Clock: p.clock.Now})
	w := &courseWorld{platform: p, creds: creds, now: p.clock.Now,
		badges: &faultyBadges{creds: creds, asked: map[string]int{}, fail: map[string]bool{}}}
	w.svc = course.NewService(p.db.Courses(), w.badges, p.clock.Now, nil)
	member := func(orgID, given, family string, role auth.Role) *auth.Principal {
		t.Helper()
		person, err := p.people.AddMember(ctx, admin, orgID, people.Person{GivenName: given, FamilyName: family,
			Email: strings.ToLower(given+"."+family) + "@" + orgID + ".example"}, role)
		if err != nil {
			t.Fatal(err)
		}
		var pr *auth.Principal
		err = p.db.People().View(ctx, func(r people.Reader) (err error) {
			pr, err = people.Principal(ctx, r, person.ID, orgID, role)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return pr
	}
	w.chamber = member("cciaa-torino", "Chiara", "Camera", auth.ChamberOperator)
	w.otherChamber = member("cciaa-milano", "Mario", "Milano", auth.ChamberOperator)
	for _, name := range []string{"Carlo Officina", "Dario Reparto", "Elena Collaudo"} {
		given, family, _ := strings.Cut(name, " ")
		w.tutors = append(w.tutors, member("meccanica-srl", given, family, auth.CompanyTutor))
	}
	w.teacher = member("itis-avogadro", "Sara", "Docente", auth.SchoolTutor)
	w.operatorActor = credential.Actor{Name: w.chamber.Name, Issuers: []string{"cciaa-torino"}}
	return w
}

// coursePlan is a 16-hour course for company tutors: two modules, four
// lessons of four hours.
func coursePlan() course.Plan {
	return course.Plan{
		Audience: course.CompanyTutors,
		Title:    competence.Text{IT: "Il tutor aziendale nei percorsi di Competenza Certificata", EN: "The company tutor in Competenza Certificata"},
		Modules: []course.Module{{Title: competence.Text{IT: "Coprogettazione con la scuola"}, Hours: 8},
			{Title: competence.Text{IT: "La scheda di osservazione"}, Hours: 8}},
		Lessons: []course.Lesson{{Day: "2026-02-02", Minutes: 240}, {Day: "2026-02-09", Minutes: 240},
			{Day: "2026-02-16", Minutes: 240}, {Day: "2026-02-23", Minutes: 240}},
	}
}

// running creates the course, enrols the three tutors and starts it.
func (w *courseWorld) running(t *testing.T) *course.Course {
	t.Helper()
	ctx := context.Background()
	c, err := w.svc.Create(ctx, w.chamber, coursePlan())
	if err != nil {
		t.Fatal(err)
	}
	for _, tu := range w.tutors {
		if c, err = w.svc.Enrol(ctx, w.chamber, c.ID, tu.Person, auth.CompanyTutor, "meccanica-srl"); err != nil {
			t.Fatal(err)
		}
	}
	if c, err = w.svc.Start(ctx, w.chamber, c.ID); err != nil {
		t.Fatal(err)
	}
	return c
}

// attend records four lessons: the first tutor attends all, the second
// exactly three quarters (12 of 16 hours), the third half.
func (w *courseWorld) attend(t *testing.T, id string) *course.Course {
	t.Helper()
	var c *course.Course
	var err error
	for lesson := 1; lesson <= 4; lesson++ {
		m := map[string]int{w.tutors[0].Person: 240, w.tutors[1].Person: 240, w.tutors[2].Person: 240}
		if lesson == 4 {
			m[w.tutors[1].Person] = 0
		}
		if lesson >= 3 {
			m[w.tutors[2].Person] = 0
		}
		if c, err = w.svc.Attend(context.Background(), w.chamber, id, lesson, m); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func participantOf(t *testing.T, c *course.Course, person string) course.Participant {
	t.Helper()
	for _, p := range c.Participants {
		if p.Person == person {
			return p
		}
	}
	t.Fatalf("%s does not take part in %s", person, c.ID)
	return course.Participant{}
}

// The whole life of a course: planned, tutors enrolled, started,
// attendance recorded (and corrected), closed with each participant's
// outcome; the completers' badges issued, verifiable, valid for the
// Chamber's period; closing again issues nothing more; every change in
// the audit trail.
func testCourseLifecycle(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newCourseWorld(t, open)
	if _, err := w.svc.SetSettings(ctx, w.chamber, course.Settings{ValidityMonths: 24}); err != nil {
		t.Fatal(err)
	}
	c := w.running(t)
	if c.State != course.Running || c.Hours != 16 || c.Rule.MinShare != 75 || len(c.Participants) != 3 || c.Participants[0].Name != "Carlo Officina" {
		t.Fatalf("running course: %+v", c)
	}
	// A lesson's attendance corrected: the last record is what counts.
	if _, err := w.svc.Attend(ctx, w.chamber, c.ID, 1, map[string]int{w.tutors[0].Person: 120}); err != nil {
		t.Fatal(err)
	}
	c = w.attend(t, c.ID)
	if got := c.Attended(w.tutors[0].Person); got != 960 {
		t.Errorf("the corrected lesson: %d minutes, want 960", got)
	}
	got, err := w.svc.Get(ctx, w.chamber, c.ID)
	if err != nil || got.Attended(w.tutors[1].Person) != 720 || len(got.Attendance) != 12 {
		t.Fatalf("read back: %+v, %v", got, err)
	}
	w.clock.Advance(24 * time.Hour)
	closedAt := w.now()
	c, err = w.svc.Close(ctx, w.chamber, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != course.Closed || !c.ClosedAt.Equal(closedAt) {
		t.Fatalf("closed: %s at %s", c.State, c.ClosedAt)
	}
	for i, want := range []struct {
		outcome course.Outcome
		minutes int
	}{{course.Completed, 960}, {course.Completed, 720}, {course.NotCompleted, 480}} {
		pt := participantOf(t, c, w.tutors[i].Person)
		if pt.Outcome != want.outcome || pt.Minutes != want.minutes {
			t.Errorf("tutor %d: %s with %d minutes, want %s with %d", i, pt.Outcome, pt.Minutes, want.outcome, want.minutes)
		}
		if want.outcome == course.Completed {
			if pt.Credential != course.BadgeID(c.ID, pt.Person) || !pt.CompletedAt.Equal(closedAt) || !pt.ValidUntil.Equal(closedAt.AddDate(2, 0, 0)) {
				t.Errorf("tutor %d's badge: %+v", i, pt)
			}
			rec, err := w.creds.Record(ctx, w.operatorActor, pt.Credential)
			if err != nil || rec.Achievement != "course/"+c.ID || !rec.ValidUntil.Equal(pt.ValidUntil) {
				t.Errorf("tutor %d's credential: %+v, %v", i, rec, err)
			}
		} else if pt.Credential != "" || !pt.CompletedAt.IsZero() {
			t.Errorf("tutor %d did not complete and has a badge: %+v", i, pt)
		}
	}
	// Closing again issues nothing more.
	if _, err := w.svc.Close(ctx, w.chamber, c.ID); err != nil {
		t.Fatal(err)
	}
	for i, tu := range w.tutors {
		if want := map[int]int{0: 1, 1: 1, 2: 0}[i]; w.badges.asked[tu.Person] != want {
			t.Errorf("tutor %d: %d issuances asked, want %d", i, w.badges.asked[tu.Person], want)
		}
	}
	// Validity: from the closing, for 24 months; not for the one who did
	// not complete; not once revoked.
	for _, tt := range []struct {
		person string
		at     time.Time
		want   bool
	}{
		{w.tutors[0].Person, closedAt.AddDate(1, 0, 0), true},
		{w.tutors[1].Person, closedAt, true},
		{w.tutors[0].Person, closedAt.Add(-time.Hour), false},
		{w.tutors[0].Person, closedAt.AddDate(2, 0, 1), false},
		{w.tutors[2].Person, closedAt.AddDate(0, 1, 0), false},
		{w.teacher.Person, closedAt, false},
	} {
		if ok, err := w.svc.HoldsValidBadge(ctx, tt.person, tt.at); err != nil || ok != tt.want {
			t.Errorf("%s at %s: %t, %v; want %t", tt.person, tt.at, ok, err, tt.want)
		}
	}
	if _, err := w.creds.ChangeStatus(ctx, w.operatorActor, course.BadgeID(c.ID, w.tutors[1].Person), credential.Revoke, "Frequenza registrata per errore"); err != nil {
		t.Fatal(err)
	}
	if ok, err := w.svc.HoldsValidBadge(ctx, w.tutors[1].Person, closedAt.AddDate(0, 1, 0)); err != nil || ok {
		t.Errorf("a revoked badge is valid: %t, %v", ok, err)
	}
	// A closed course no longer changes.
	_, err = w.svc.Attend(ctx, w.chamber, c.ID, 1, map[string]int{w.tutors[2].Person: 240})
	problem(t, err, attesta.Conflict, "", "err.course.state")
	_, err = w.svc.Cancel(ctx, w.chamber, c.ID, "Annullato per errore")
	problem(t, err, attesta.Conflict, "", "err.course.state")
	// The trail.
	entries, err := w.audit.List(ctx, admin, audit.Filter{ObjectKind: auth.CourseObject, ObjectID: c.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if e.Org != "cciaa-torino" || e.Actor != w.chamber.Person {
			t.Errorf("entry %s: %+v", e.Action, e)
		}
	}
	slices.Reverse(actions)
	want := "course.create course.enrol course.enrol course.enrol course.start course.attend course.attend course.attend course.attend course.attend course.close course.badge course.badge"
	if strings.Join(actions, " ") != want {
		t.Errorf("the trail says\n%s\nwant\n%s", strings.Join(actions, " "), want)
	}
	// The Chamber sees its course's entries; another Chamber does not.
	if es, err := w.audit.List(ctx, w.chamber, audit.Filter{ObjectKind: auth.CourseObject}); err != nil || len(es) != len(entries) {
		t.Errorf("the Chamber sees %d entries: %v", len(es), err)
	}
	if es, err := w.audit.List(ctx, w.otherChamber, audit.Filter{ObjectKind: auth.CourseObject}); err != nil || len(es) != 0 {
		t.Errorf("another Chamber sees %d entries: %v", len(es), err)
	}
}

// Closing issues every badge it can; one that fails is issued by closing
// again, and the others are not issued twice. A badge issued whose record
// was lost (a crash between the two) is recognised by its fixed id and
// recorded, not issued again.
func testCourseCloseRetries(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newCourseWorld(t, open)
	c := w.running(t)
	w.attend(t, c.ID)
	// The first tutor's badge was issued before, and its record lost.
	lost, err := w.creds.IssueTutor(ctx, w.operatorActor, credential.TutorRequest{ID: course.BadgeID(c.ID, w.tutors[0].Person),
		IssuerID: "cciaa-torino", Course: credential.TutorCourse{ID: c.ID, Title: c.Title.IT, Audience: string(c.Audience), Hours: 16, MinShare: 75,
			Modules: []credential.TutorModule{{Title: "Modulo", Hours: 16}}},
		Learner: credential.Learner{Identity: w.tutors[0].Person}, Role: "company_tutor", Minutes: 960})
	if err != nil {
		t.Fatal(err)
	}
	w.badges.fail[w.tutors[1].Person] = true
	c, err = w.svc.Close(ctx, w.chamber, c.ID)
	problem(t, err, attesta.Unavailable, "", "err.course.badges.failed")
	if c == nil || c.State != course.Closed {
		t.Fatalf("the course is not closed: %+v", c)
	}
	if pt := participantOf(t, c, w.tutors[0].Person); pt.Credential != lost.ID {
		t.Errorf("the lost badge is not recorded: %+v", pt)
	}
	if pt := participantOf(t, c, w.tutors[1].Person); pt.Credential != "" || pt.Outcome != course.Completed {
		t.Errorf("the failed badge: %+v", pt)
	}
	delete(w.badges.fail, w.tutors[1].Person)
	if c, err = w.svc.Close(ctx, w.chamber, c.ID); err != nil {
		t.Fatal(err)
	}
	if pt := participantOf(t, c, w.tutors[1].Person); pt.Credential != course.BadgeID(c.ID, pt.Person) {
		t.Errorf("the retried badge: %+v", pt)
	}
	if w.badges.asked[w.tutors[0].Person] != 1 || w.badges.asked[w.tutors[1].Person] != 2 {
		t.Errorf("issuances asked: %v", w.badges.asked)
	}
	ids, err := w.db.Credentials().CredentialIDs(ctx)
	if err != nil || len(ids) != 2 {
		t.Errorf("%d credentials issued, want 2: %v", len(ids), err)
	}
	// A recorded badge is kept: the engine refuses to change it.
	err = w.db.Courses().Update(ctx, func(wr course.Writer) error {
		c.Participants[0].Credential = "urn:uuid:00000000-0000-4000-8000-000000000000"
		return wr.UpdateCourse(ctx, c)
	})
	if err == nil {
		t.Error("a recorded badge was changed")
	}
}

// Who sees a course: its Chamber and the national body all of it, a
// participant their own part, nobody else anything; only its Chamber
// keeps it.
func testCourseWhoSees(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newCourseWorld(t, open)
	c := w.running(t)
	w.attend(t, c.ID)
	if got, err := w.svc.Get(ctx, admin, c.ID); err != nil || len(got.Participants) != 3 {
		t.Errorf("the national body: %+v, %v", got, err)
	}
	got, err := w.svc.Get(ctx, w.tutors[1], c.ID)
	if err != nil || len(got.Participants) != 1 || got.Participants[0].Person != w.tutors[1].Person || len(got.Attendance) != 4 {
		t.Errorf("a participant: %+v, %v", got, err)
	}
	for _, p := range []*auth.Principal{w.otherChamber, w.teacher} {
		_, err := w.svc.Get(ctx, p, c.ID)
		problem(t, err, attesta.NotFound, "", "err.course.notfound")
		if list, err := w.svc.List(ctx, p, course.Filter{}); err != nil || len(list) != 0 {
			t.Errorf("%s lists %d courses: %v", p.Person, len(list), err)
		}
	}
	_, err = w.svc.Attend(ctx, w.otherChamber, c.ID, 1, map[string]int{w.tutors[0].Person: 0})
	problem(t, err, attesta.NotFound, "", "err.course.notfound")
	for _, p := range []*auth.Principal{admin, w.tutors[0]} {
		_, err := w.svc.Attend(ctx, p, c.ID, 1, map[string]int{w.tutors[0].Person: 0})
		problem(t, err, attesta.Forbidden, "", "err.auth.forbidden")
	}
	_, err = w.svc.Create(ctx, admin, coursePlan())
	problem(t, err, attesta.Forbidden, "", "err.auth.forbidden")
	// Listings.
	other, err := w.svc.Create(ctx, w.otherChamber, coursePlan())
	if err != nil {
		t.Fatal(err)
	}
	ids := func(cs []course.Course) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		slices.Sort(out)
		return out
	}
	all := []string{c.ID, other.ID}
	slices.Sort(all)
	for _, tt := range []struct {
		p    *auth.Principal
		f    course.Filter
		want []string
	}{
		{admin, course.Filter{}, all},
		{admin, course.Filter{State: course.Planned}, []string{other.ID}},
		{w.chamber, course.Filter{}, []string{c.ID}},
		{w.chamber, course.Filter{All: true}, []string{c.ID}}, // the Service sets who is listed
		{w.otherChamber, course.Filter{}, []string{other.ID}},
		{w.tutors[2], course.Filter{}, []string{c.ID}},
		{w.teacher, course.Filter{Audience: course.Teachers}, nil},
	} {
		list, err := w.svc.List(ctx, tt.p, tt.f)
		if err != nil || !slices.Equal(ids(list), tt.want) {
			t.Errorf("%s lists %v (%v), want %v", tt.p.Person, ids(list), err, tt.want)
		}
		if tt.p == w.tutors[2] && len(list) == 1 && len(list[0].Participants) != 1 {
			t.Errorf("a participant's listing shows the others: %+v", list[0].Participants)
		}
	}
	_, err = w.svc.List(ctx, admin, course.Filter{State: "open"})
	problem(t, err, attesta.Invalid, "state", "err.course.state.unknown")
	// Settings: the Chamber's own and the national body's to see; the
	// Chamber's to change.
	if _, err := w.svc.Settings(ctx, admin, "cciaa-torino"); err != nil {
		t.Error(err)
	}
	_, err = w.svc.Settings(ctx, w.otherChamber, "cciaa-torino")
	problem(t, err, attesta.NotFound, "", "err.auth.notfound.organisation")
	_, err = w.svc.Settings(ctx, w.tutors[0], "cciaa-torino")
	problem(t, err, attesta.NotFound, "", "err.auth.notfound.organisation")
	_, err = w.svc.SetSettings(ctx, admin, course.Settings{Chamber: "cciaa-torino", RequireTutorBadge: true})
	problem(t, err, attesta.Forbidden, "", "err.auth.forbidden")
	_, err = w.svc.SetSettings(ctx, w.otherChamber, course.Settings{Chamber: "cciaa-torino", RequireTutorBadge: true})
	problem(t, err, attesta.NotFound, "", "err.auth.notfound.organisation")
}

// Refusals name their field and change nothing.
func testCourseRefusals(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newCourseWorld(t, open)
	bad := coursePlan()
	bad.Modules[0].Hours = 0
	_, err := w.svc.Create(ctx, w.chamber, bad)
	problem(t, err, attesta.Invalid, "modules[0].hours", "err.course.module.hours")
	if list, _ := w.svc.List(ctx, w.chamber, course.Filter{}); len(list) != 0 {
		t.Errorf("a refused course was stored: %+v", list)
	}
	plan := coursePlan()
	plan.Lessons = plan.Lessons[:3]
	c, err := w.svc.Create(ctx, w.chamber, plan)
	if err != nil {
		t.Fatal(err)
	}
	// Not ready: 12 hours of lessons for 16 of programme, nobody enrolled.
	_, err = w.svc.Start(ctx, w.chamber, c.ID)
	var fe attesta.FieldErrors
	if attesta.ErrorCode(err) != attesta.Conflict || !errors.As(err, &fe) || len(fe) != 2 || fe[0].Key != "err.course.lessons.hours" ||
		fe[1].Key != "err.course.participants.required" || !strings.Contains(fe[0].IT, "12 ore") {
		t.Fatalf("starting an unready course: %v", err)
	}
	tutor := w.tutors[0].Person
	_, err = w.svc.Enrol(ctx, w.chamber, c.ID, w.teacher.Person, auth.SchoolTutor, "itis-avogadro")
	problem(t, err, attesta.Invalid, "role", "err.course.participant.role")
	_, err = w.svc.Enrol(ctx, w.chamber, c.ID, "p-nobody", auth.CompanyTutor, "meccanica-srl")
	problem(t, err, attesta.Invalid, "person", "err.course.participant.person")
	_, err = w.svc.Enrol(ctx, w.chamber, c.ID, w.teacher.Person, auth.CompanyTutor, "meccanica-srl")
	problem(t, err, attesta.Invalid, "org", "err.course.participant.membership")
	if _, err := w.svc.Enrol(ctx, w.chamber, c.ID, tutor, auth.CompanyTutor, "meccanica-srl"); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Enrol(ctx, w.chamber, c.ID, tutor, auth.CompanyTutor, "meccanica-srl")
	problem(t, err, attesta.Conflict, "person", "err.course.participant.taken")
	// The audience stays once someone is enrolled; the plan changes.
	teachers := coursePlan()
	teachers.Audience = course.Teachers
	_, err = w.svc.Replan(ctx, w.chamber, c.ID, teachers)
	problem(t, err, attesta.Conflict, "audience", "err.course.audience.enrolled")
	if c, err = w.svc.Replan(ctx, w.chamber, c.ID, coursePlan()); err != nil || len(c.Lessons) != 4 || len(c.Participants) != 1 {
		t.Fatalf("replanned: %+v, %v", c, err)
	}
	_, err = w.svc.Attend(ctx, w.chamber, c.ID, 1, map[string]int{tutor: 240})
	problem(t, err, attesta.Conflict, "", "err.course.state")
	if c, err = w.svc.Start(ctx, w.chamber, c.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Replan(ctx, w.chamber, c.ID, coursePlan())
	problem(t, err, attesta.Conflict, "", "err.course.state")
	_, err = w.svc.Attend(ctx, w.chamber, c.ID, 5, map[string]int{tutor: 240})
	problem(t, err, attesta.Invalid, "lesson", "err.course.lesson.unknown")
	_, err = w.svc.Attend(ctx, w.chamber, c.ID, 1, map[string]int{tutor: 241})
	problem(t, err, attesta.Invalid, "minutes["+tutor+"]", "err.course.attendance.minutes")
	_, err = w.svc.Attend(ctx, w.chamber, c.ID, 1, map[string]int{w.tutors[1].Person: 60})
	problem(t, err, attesta.Invalid, "minutes["+w.tutors[1].Person+"]", "err.course.participant.unknown")
	_, err = w.svc.Attend(ctx, w.chamber, c.ID, 1, nil)
	problem(t, err, attesta.Invalid, "minutes", "err.course.attendance.required")
	_, err = w.svc.Attend(ctx, w.chamber, c.ID, 1, map[string]int{tutor: 60, w.tutors[1].Person: 60})
	problem(t, err, attesta.Invalid, "minutes", "err.course.attendance.many")
	_, err = w.svc.Attend(ctx, w.chamber, c.ID, 1, map[string]int{strings.Repeat("p", 5000): 60})
	problem(t, err, attesta.Invalid, "minutes", "err.course.participant.unknown")
	if _, err := w.svc.Get(ctx, w.chamber, "crs-../../x"); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a malformed id: %v", err)
	}
	// A participant withdrawn takes their attendance with them.
	if _, err := w.svc.Attend(ctx, w.chamber, c.ID, 1, map[string]int{tutor: 240}); err != nil {
		t.Fatal(err)
	}
	if c, err = w.svc.Withdraw(ctx, w.chamber, c.ID, tutor); err != nil || len(c.Participants) != 0 || len(c.Attendance) != 0 {
		t.Fatalf("withdrawn: %+v, %v", c, err)
	}
	_, err = w.svc.Cancel(ctx, w.chamber, c.ID, " ")
	problem(t, err, attesta.Invalid, "reason", "err.course.text.required")
	if c, err = w.svc.Cancel(ctx, w.chamber, c.ID, "Nessun iscritto"); err != nil || c.State != course.Cancelled {
		t.Fatalf("cancelled: %+v, %v", c, err)
	}
	_, err = w.svc.Close(ctx, w.chamber, c.ID)
	problem(t, err, attesta.Conflict, "", "err.course.state")
	_, err = w.svc.SetSettings(ctx, w.chamber, course.Settings{ValidityMonths: course.MaxValidity + 1})
	problem(t, err, attesta.Invalid, "tutor_badge_validity", "err.course.validity")
}

// A Chamber that requires the tutor badge refuses, as company tutor of a
// new experience in its territory, whoever holds no valid one.
func testCourseTutorRequirement(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newCourseWorld(t, open)
	c := w.running(t)
	w.attend(t, c.ID)
	if _, err := w.svc.Close(ctx, w.chamber, c.ID); err != nil {
		t.Fatal(err)
	}
	now := w.now()
	// No requirement: anyone.
	if err := w.svc.CheckTutor(ctx, w.tutors[2].Person, now, "TO"); err != nil {
		t.Errorf("without the requirement: %v", err)
	}
	set, err := w.svc.SetSettings(ctx, w.chamber, course.Settings{RequireTutorBadge: true, ValidityMonths: 12})
	if err != nil || set.Chamber != "cciaa-torino" {
		t.Fatalf("settings: %+v, %v", set, err)
	}
	if got, err := w.svc.Settings(ctx, w.chamber, "cciaa-torino"); err != nil || !got.RequireTutorBadge || got.ValidityMonths != 12 {
		t.Errorf("settings read back: %+v, %v", got, err)
	}
	err = w.svc.CheckTutor(ctx, w.tutors[2].Person, now, "TO")
	problem(t, err, attesta.Conflict, "", "err.course.badge.required")
	// Asti is the Turin Chamber's too; Milan requires nothing.
	problem(t, w.svc.CheckTutor(ctx, w.tutors[2].Person, now, "AT", "MI"), attesta.Conflict, "", "err.course.badge.required")
	if err := w.svc.CheckTutor(ctx, w.tutors[2].Person, now, "MI"); err != nil {
		t.Errorf("in Milan: %v", err)
	}
	if err := w.svc.CheckTutor(ctx, w.tutors[0].Person, now, "TO"); err != nil {
		t.Errorf("a tutor with a badge: %v", err)
	}
	// The course's badges were issued forever, before the setting: a new
	// period does not reach them.
	if err := w.svc.CheckTutor(ctx, w.tutors[0].Person, now.AddDate(5, 0, 0), "TO"); err != nil {
		t.Errorf("a badge issued forever, five years on: %v", err)
	}
}

// Attendance of every lesson recorded at once, each by its own request:
// none is lost.
func testCourseConcurrentAttendance(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newCourseWorld(t, open)
	c := w.running(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(w.tutors))
	for lesson := 1; lesson <= 4; lesson++ {
		for i, tu := range w.tutors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.svc.Attend(ctx, w.chamber, c.ID, lesson, map[string]int{tu.Person: 60 * (i + 1)})
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := w.svc.Get(ctx, w.chamber, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Attendance) != 12 {
		t.Fatalf("%d attendance records, want 12: %+v", len(got.Attendance), got.Attendance)
	}
	for i, tu := range w.tutors {
		if m := got.Attended(tu.Person); m != 4*60*(i+1) {
			t.Errorf("tutor %d: %d minutes, want %d", i, m, 4*60*(i+1))
		}
	}
}

// testCourseEnrolByEmail: a participant named by their address, written
// in any case, is enrolled where they hold the role; an unknown address,
// or one whose person holds the role nowhere, is said of its field.
func testCourseEnrolByEmail(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newCourseWorld(t, open)
	c, err := w.svc.Create(ctx, w.chamber, coursePlan())
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.EnrolByEmail(ctx, w.chamber, c.ID, "nessuno@example.org", auth.CompanyTutor, "")
	problem(t, err, attesta.Invalid, "email", "err.course.participant.email")
	_, err = w.svc.EnrolByEmail(ctx, w.chamber, c.ID, "sara.docente@itis-avogadro.example", auth.CompanyTutor, "")
	problem(t, err, attesta.Invalid, "org", "err.course.participant.membership")
	c, err = w.svc.EnrolByEmail(ctx, w.chamber, c.ID, "  Dario.Reparto@Meccanica-SRL.example ", auth.CompanyTutor, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Participants) != 1 || c.Participants[0].Person != w.tutors[1].Person || c.Participants[0].Org != "meccanica-srl" {
		t.Fatalf("enrolled by address: %+v", c.Participants)
	}
	_, err = w.svc.EnrolByEmail(ctx, w.chamber, c.ID, "dario.reparto@meccanica-srl.example", auth.CompanyTutor, "meccanica-srl")
	problem(t, err, attesta.Conflict, "person", "err.course.participant.taken")
}

// testCourseDecidedFirst: one who may not change a course learns nothing
// of its rules nor of the platform's people: another Chamber's changes are
// not found, whatever their input.
func testCourseDecidedFirst(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newCourseWorld(t, open)
	c, err := w.svc.Create(ctx, w.chamber, coursePlan())
	if err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func() error{
		"replan": func() error { _, err := w.svc.Replan(ctx, w.otherChamber, c.ID, course.Plan{}); return err },
		"cancel": func() error { _, err := w.svc.Cancel(ctx, w.otherChamber, c.ID, ""); return err },
		"enrol": func() error {
			_, err := w.svc.EnrolByEmail(ctx, w.otherChamber, c.ID, "nessuno@example.org", auth.CompanyTutor, "")
			return err
		},
		"may manage": func() error { return w.svc.MayManage(ctx, w.otherChamber, c.ID) },
		"settings": func() error {
			_, err := w.svc.SetSettings(ctx, w.otherChamber, course.Settings{Chamber: "cciaa-torino", ValidityMonths: -1})
			return err
		},
	} {
		if err := change(); attesta.ErrorCode(err) != attesta.NotFound {
			t.Errorf("%s by another Chamber: %v", name, err)
		}
	}
	if err := w.svc.MayManage(ctx, w.chamber, c.ID); err != nil {
		t.Errorf("the Chamber may manage its course: %v", err)
	}
}
