package storagetest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/importer"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
)

// platform is the services of the platform backbone on one database.
type platform struct {
	db       DB
	clock    *Clock
	orgs     *org.Service
	people   *people.Service
	accounts *account.Service
	audit    *audit.Service
}

func newPlatform(t *testing.T, open Opener) *platform {
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	return &platform{db: db, clock: clock,
		orgs:     org.NewService(db.Organisations(), clock.Now),
		people:   people.NewService(db.People(), clock.Now, nil),
		accounts: account.NewService(db.Accounts(), clock.Now, nil, "https://attesta.example"),
		audit:    audit.NewService(db.Audit()),
	}
}

var admin = &auth.Principal{Person: "p-admin", Name: "Admin", Membership: auth.Membership{Org: "unioncamere", Role: auth.NationalAdmin, OrgKind: auth.National}}

// seed registers a national body, a Chamber covering TO and AT, a school in
// TO and one in MI, and a company in TO.
func (p *platform) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for _, o := range []org.Organisation{
		{ID: "unioncamere", Kind: auth.National, Name: "Unioncamere"},
		{ID: "cciaa-torino", Kind: auth.Chamber, Name: "Camera di Commercio di Torino", Province: "TO", Provinces: []string{"TO", "AT"}, TaxCode: "80062130010"},
		{ID: "itis-avogadro", Kind: auth.School, Name: "ITIS Amedeo Avogadro", Province: "TO", SchoolCode: "TOTF03000A", SchoolType: org.Tecnico},
		{ID: "itis-feltrinelli", Kind: auth.School, Name: "ITIS Feltrinelli", Province: "MI", SchoolCode: "MITF01000A", SchoolType: org.Tecnico},
		{ID: "meccanica-srl", Kind: auth.Company, Name: "Meccanica Torinese S.r.l.", Province: "TO", TaxCode: "01234567897", REA: "TO-1234567", ATECO: "28.41"},
	} {
		if _, err := p.orgs.Create(ctx, admin, o); err != nil {
			t.Fatalf("creating %s: %v", o.ID, err)
		}
	}
}

func code(t *testing.T, err error, want attesta.Code) {
	t.Helper()
	if err == nil || attesta.ErrorCode(err) != want {
		t.Fatalf("got %v (%s), want %s", err, attesta.ErrorCode(err), want)
	}
}

// fieldKey checks that err is the one problem of a field, said by key.
func fieldKey(t *testing.T, err error, field, key string) {
	t.Helper()
	var fe attesta.FieldErrors
	if !errors.As(err, &fe) || len(fe) != 1 || fe[0].Field != field || fe[0].Key != key {
		t.Fatalf("got %v, want the problem %s of field %s", err, key, field)
	}
}

func testPlatformOrganisations(t *testing.T, open Opener) {
	ctx := context.Background()
	p := newPlatform(t, open)
	p.seed(t)
	got, err := p.orgs.Get(ctx, admin, "meccanica-srl")
	if err != nil {
		t.Fatal(err)
	}
	if got.TaxCode != "01234567897" || got.REA != "TO-1234567" || got.ATECO != "28.41" || !got.CreatedAt.Equal(p.clock.Now()) {
		t.Errorf("round trip: %+v", got)
	}
	chamber, err := p.orgs.Get(ctx, admin, "cciaa-torino")
	if err != nil || strings.Join(chamber.Provinces, ",") != "TO,AT" {
		t.Fatalf("chamber: %+v %v", chamber, err)
	}
	// Natural keys are unique.
	_, err = p.orgs.Create(ctx, admin, org.Organisation{ID: "other", Kind: auth.School, Name: "X", Province: "TO", SchoolCode: "TOTF03000A", SchoolType: org.Tecnico})
	code(t, err, attesta.Conflict)
	fieldKey(t, err, "school_code", "err.storage.org.taken")
	// Invalid input names each field and changes nothing.
	_, err = p.orgs.Create(ctx, admin, org.Organisation{ID: "bad", Kind: auth.Company, Name: "", Province: "ZZ", TaxCode: "01234567890"})
	code(t, err, attesta.Invalid)
	var fe attesta.FieldErrors
	if !errors.As(err, &fe) || len(fe) != 3 {
		t.Fatalf("field errors: %v", err)
	}
	if _, err := p.orgs.Get(ctx, admin, "bad"); attesta.ErrorCode(err) != attesta.NotFound {
		t.Fatalf("invalid organisation stored: %v", err)
	}
	// A Chamber operator sees its territory only.
	op := &auth.Principal{Person: "p-op", Name: "Operatore", Membership: auth.Membership{Org: "cciaa-torino", Role: auth.ChamberOperator, OrgKind: auth.Chamber, Provinces: []string{"TO", "AT"}}}
	list, err := p.orgs.List(ctx, op, org.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range list {
		ids = append(ids, o.ID)
	}
	if strings.Join(ids, " ") != "cciaa-torino itis-avogadro meccanica-srl" {
		t.Errorf("chamber sees %v", ids)
	}
	_, err = p.orgs.Get(ctx, op, "itis-feltrinelli")
	code(t, err, attesta.NotFound)
	list, err = p.orgs.List(ctx, op, org.Filter{Query: "avog"})
	if err != nil || len(list) != 1 {
		t.Errorf("search: %v %v", list, err)
	}
	// It may register a school of its territory, not of another.
	_, err = p.orgs.Create(ctx, op, org.Organisation{ID: "ipsia-asti", Kind: auth.School, Name: "IPSIA Asti", Province: "AT", SchoolCode: "ATRI01000X", SchoolType: org.Professionale})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.orgs.Create(ctx, op, org.Organisation{ID: "ipsia-mi", Kind: auth.School, Name: "IPSIA Milano", Province: "MI", SchoolCode: "MIRI01000X", SchoolType: org.Professionale})
	code(t, err, attesta.Forbidden)
	// A change no one may make (the kind), or that the caller may not (a
	// Chamber's provinces, which only the national body changes), is
	// refused naming the field, not dropped from an update that succeeds.
	p.clock.Advance(time.Hour)
	upd := *got
	upd.Name, upd.Kind = "Meccanica Torinese S.p.A.", auth.School
	_, err = p.orgs.Update(ctx, op, upd)
	code(t, err, attesta.Invalid)
	fieldKey(t, err, "kind", "err.org.kind.fixed")
	wider := *chamber
	wider.Provinces = []string{"TO", "AT", "CN"}
	_, err = p.orgs.Update(ctx, op, wider)
	code(t, err, attesta.Forbidden)
	fieldKey(t, err, "provinces", "err.org.provinces.national")
	if c, _ := p.orgs.Get(ctx, admin, "cciaa-torino"); strings.Join(c.Provinces, ",") != "TO,AT" {
		t.Errorf("the refused change was made: %v", c.Provinces)
	}
	// The same provinces, in another order or left out, are no change.
	renamed := *chamber
	renamed.Name, renamed.Provinces = "Camera di Commercio di Torino e Asti", []string{"AT", "TO"}
	if _, err := p.orgs.Update(ctx, op, renamed); err != nil {
		t.Fatal(err)
	}
	renamed.Provinces = nil
	if _, err := p.orgs.Update(ctx, op, renamed); err != nil {
		t.Fatal(err)
	}
	// The national body changes them.
	if c, err := p.orgs.Update(ctx, admin, wider); err != nil || strings.Join(c.Provinces, ",") != "TO,AT,CN" {
		t.Fatalf("the national body widening a Chamber: %v %v", c, err)
	}
	// Updates keep the id, kind and creation time, and are in the trail.
	upd.Kind = ""
	if _, err := p.orgs.Update(ctx, op, upd); err != nil {
		t.Fatal(err)
	}
	got2, _ := p.orgs.Get(ctx, admin, "meccanica-srl")
	if got2.Name != upd.Name || got2.Kind != auth.Company || !got2.CreatedAt.Equal(got.CreatedAt) || !got2.UpdatedAt.Equal(p.clock.Now()) {
		t.Errorf("after update: %+v", got2)
	}
	entries, err := p.audit.List(ctx, op, audit.Filter{ObjectID: "meccanica-srl"})
	if err != nil || len(entries) != 2 {
		t.Fatalf("trail: %v %v", entries, err)
	}
	if e := entries[0]; e.Action != "organisation.update" || e.Actor != "p-op" || e.ActorRole != auth.ChamberOperator ||
		!bytes.Contains(e.Before, []byte("Meccanica Torinese S.r.l.")) || !bytes.Contains(e.After, []byte("S.p.A.")) {
		t.Errorf("entry: %+v", e)
	}
	// The Chamber does not see the trail of another territory's school.
	if es, _ := p.audit.List(ctx, op, audit.Filter{ObjectID: "itis-feltrinelli"}); len(es) != 0 {
		t.Errorf("chamber sees %d entries of another territory", len(es))
	}
	if es, _ := p.audit.List(ctx, admin, audit.Filter{ObjectID: "itis-feltrinelli"}); len(es) != 1 {
		t.Errorf("admin sees %d entries", len(es))
	}
}

func testPlatformPeople(t *testing.T, open Opener) {
	ctx := context.Background()
	p := newPlatform(t, open)
	p.seed(t)
	ref, err := p.people.AddMember(ctx, admin, "itis-avogadro", people.Person{GivenName: "Laura", FamilyName: "Bianchi", Email: "Laura.Bianchi@Avogadro.example"}, auth.SchoolReferent)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Email != "laura.bianchi@avogadro.example" {
		t.Errorf("email %q", ref.Email)
	}
	// The person's creation is in the trail of the school's Chamber.
	chamberTO := &auth.Principal{Person: "p-op", Membership: auth.Membership{Org: "cciaa-torino", Role: auth.ChamberOperator, OrgKind: auth.Chamber, Provinces: []string{"TO", "AT"}}}
	if es, err := p.audit.List(ctx, chamberTO, audit.Filter{Action: "person.create", ObjectID: ref.ID}); err != nil || len(es) != 1 || es[0].Org != "itis-avogadro" {
		t.Errorf("the Chamber's trail of the new person: %+v %v", es, err)
	}
	// The same person in a second role elsewhere.
	if _, err := p.people.AddMember(ctx, admin, "cciaa-torino", people.Person{GivenName: "L", FamilyName: "B", Email: "laura.bianchi@avogadro.example"}, auth.CommissionMember); err != nil {
		t.Fatal(err)
	}
	var ms []auth.Membership
	p.db.People().View(ctx, func(r people.Reader) (err error) { ms, err = r.Memberships(ctx, ref.ID); return err })
	if len(ms) != 2 || ms[0].Org != "cciaa-torino" || ms[1].Role != auth.SchoolReferent || strings.Join(ms[0].Provinces, ",") != "TO,AT" {
		t.Fatalf("memberships: %+v", ms)
	}
	// A Chamber cannot take over a person registered by another
	// organisation out of its reach by naming their address: linking them
	// would let it see them.
	if _, err := p.people.AddMember(ctx, admin, "itis-feltrinelli", people.Person{GivenName: "Gino", FamilyName: "Riva", Email: "gino@feltrinelli.example"}, auth.SchoolTutor); err != nil {
		t.Fatal(err)
	}
	opTO := &auth.Principal{Person: "p-op", Membership: auth.Membership{Org: "cciaa-torino", Role: auth.ChamberOperator, OrgKind: auth.Chamber, Provinces: []string{"TO", "AT"}}}
	_, err = p.people.AddMember(ctx, opTO, "cciaa-torino", people.Person{GivenName: "Gino", FamilyName: "Riva", Email: "gino@feltrinelli.example"}, auth.CommissionMember)
	code(t, err, attesta.Forbidden)
	var gino []auth.Membership
	p.db.People().View(ctx, func(r people.Reader) error {
		g, err := r.PersonByEmail(ctx, "gino@feltrinelli.example")
		if err == nil {
			gino, err = r.Memberships(ctx, g.ID)
		}
		return err
	})
	if len(gino) != 1 {
		t.Fatalf("a refused link changed the person's roles: %+v", gino)
	}
	// The national body may: a teacher on another province's commission.
	if _, err := p.people.AddMember(ctx, admin, "cciaa-torino", people.Person{Email: "gino@feltrinelli.example", GivenName: "G", FamilyName: "R"}, auth.CommissionMember); err != nil {
		t.Fatal(err)
	}

	// A role that does not belong to the kind of organisation is refused.
	_, err = p.people.AddMember(ctx, admin, "itis-avogadro", people.Person{GivenName: "X", FamilyName: "Y", Email: "x@y.example"}, auth.CompanyTutor)
	code(t, err, attesta.Invalid)

	var principal *auth.Principal
	p.db.People().View(ctx, func(r people.Reader) (err error) {
		principal, err = people.Principal(ctx, r, ref.ID, "itis-avogadro", auth.SchoolReferent)
		return err
	})
	if principal == nil || principal.Role != auth.SchoolReferent || principal.Provinces[0] != "TO" {
		t.Fatalf("principal: %+v", principal)
	}
	class, err := p.people.CreateClass(ctx, principal, people.Class{School: "itis-avogadro", Year: "2026/27", Name: "4a inf"})
	if err != nil {
		t.Fatal(err)
	}
	if class.Name != "4A INF" {
		t.Errorf("class name %q", class.Name)
	}
	_, err = p.people.CreateClass(ctx, principal, people.Class{School: "itis-avogadro", Year: "2026/27", Name: "4A INF"})
	code(t, err, attesta.Conflict)
	fieldKey(t, err, "class", "err.storage.class.taken")
	_, err = p.people.CreateClass(ctx, principal, people.Class{School: "itis-avogadro", Year: "2026/28", Name: "5A"})
	code(t, err, attesta.Invalid)
	_, err = p.people.CreateClass(ctx, principal, people.Class{School: "itis-feltrinelli", Year: "2026/27", Name: "5A"})
	code(t, err, attesta.NotFound)

	in := people.StudentInput{Person: people.Person{GivenName: "Marco", FamilyName: "Rossi"}, Student: people.Student{Number: "2026-001", Contact: "+39 333 1234567", ConsentBy: "Anna Rossi"}}
	e1, err := p.people.Enrol(ctx, principal, class.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	// Again, by the same number: the same person, updated, not a second one.
	in.Person.GivenName = "Marco Maria"
	e2, err := p.people.Enrol(ctx, principal, class.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if e1.Person.ID != e2.Person.ID {
		t.Fatalf("re-enrolment made a new person")
	}
	view, err := p.people.Class(ctx, principal, class.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Students) != 1 || view.Students[0].Person.GivenName != "Marco Maria" || view.Students[0].Student.ConsentBy != "Anna Rossi" ||
		!view.Students[0].Student.ConsentAt.Equal(p.clock.Now()) || view.Students[0].Student.Contact != "+39 333 1234567" {
		t.Fatalf("class view: %+v", view.Students)
	}
	classes, err := p.people.Classes(ctx, principal, "itis-avogadro")
	if err != nil || len(classes) != 1 || classes[0].Students != 1 {
		t.Fatalf("classes: %+v %v", classes, err)
	}
	// A student sees their own profile, with class, and not a classmate's.
	var student *auth.Principal
	p.db.People().View(ctx, func(r people.Reader) (err error) {
		student, err = people.Principal(ctx, r, e1.Person.ID, "", "")
		return err
	})
	pr, err := p.people.Profile(ctx, student, e1.Person.ID)
	if err != nil || pr.Student == nil || len(pr.Classes) != 1 || pr.Classes[0].ID != class.ID {
		t.Fatalf("profile: %+v %v", pr, err)
	}
	other, err := p.people.Enrol(ctx, principal, class.ID, people.StudentInput{Person: people.Person{GivenName: "Giulia", FamilyName: "Verdi"}, Student: people.Student{Number: "2026-002"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.people.Profile(ctx, student, other.Person.ID)
	code(t, err, attesta.NotFound)
	// A company tutor does not reach the school's class.
	tutor, err := p.people.AddMember(ctx, admin, "meccanica-srl", people.Person{GivenName: "Paolo", FamilyName: "Neri", Email: "paolo@meccanica.example"}, auth.CompanyTutor)
	if err != nil {
		t.Fatal(err)
	}
	var tp *auth.Principal
	p.db.People().View(ctx, func(r people.Reader) (err error) { tp, err = people.Principal(ctx, r, tutor.ID, "", ""); return err })
	_, err = p.people.Class(ctx, tp, class.ID)
	code(t, err, attesta.NotFound)
	// A guardian's consent is the school's to record.
	_, err = p.people.RecordConsent(ctx, tp, other.Person.ID, "Carla Verdi")
	code(t, err, attesta.NotFound)
	st, err := p.people.RecordConsent(ctx, principal, other.Person.ID, "Carla Verdi")
	if err != nil || st.ConsentBy != "Carla Verdi" || !st.ConsentAt.Equal(p.clock.Now()) {
		t.Fatalf("consent: %+v %v", st, err)
	}
	_, err = p.people.RecordConsent(ctx, principal, other.Person.ID, " ")
	code(t, err, attesta.Invalid)

	// Bad input names the field; nothing is enrolled.
	_, err = p.people.Enrol(ctx, principal, class.ID, people.StudentInput{Person: people.Person{GivenName: "A", FamilyName: ""}, Student: people.Student{Number: "x y"}})
	code(t, err, attesta.Invalid)
	if view, _ := p.people.Class(ctx, principal, class.ID); len(view.Students) != 2 {
		t.Fatalf("%d students after a refused enrolment", len(view.Students))
	}
}

func testPlatformAccounts(t *testing.T, open Opener) {
	ctx := context.Background()
	p := newPlatform(t, open)
	p.seed(t)
	person, err := p.people.AddMember(ctx, admin, "itis-avogadro", people.Person{GivenName: "Laura", FamilyName: "Bianchi", Email: "laura@avogadro.example"}, auth.SchoolReferent)
	if err != nil {
		t.Fatal(err)
	}
	const pw = "correct horse battery"
	if err := p.accounts.SetPassword(ctx, person.ID, "short"); attesta.ErrorCode(err) != attesta.Invalid {
		t.Fatalf("short password: %v", err)
	}
	if err := p.accounts.SetPassword(ctx, person.ID, pw); err != nil {
		t.Fatal(err)
	}
	_, err = p.accounts.SignIn(ctx, "laura@avogadro.example", "wrong password!", "192.0.2.1")
	code(t, err, attesta.Unauthenticated)
	_, err = p.accounts.SignIn(ctx, "nobody@avogadro.example", pw, "192.0.2.1")
	code(t, err, attesta.Unauthenticated)
	sid, err := p.accounts.SignIn(ctx, "LAURA@avogadro.example ", pw, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	pr, _, err := p.accounts.Authenticate(ctx, sid)
	if err != nil || pr.Person != person.ID || pr.Org != "itis-avogadro" || pr.Role != auth.SchoolReferent {
		t.Fatalf("authenticate: %+v %v", pr, err)
	}
	// A second browser; a password change ends both and opens a new one.
	sid2, err := p.accounts.SignIn(ctx, "laura@avogadro.example", pw, "192.0.2.2")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.accounts.ChangePassword(ctx, pr, "not the password", "another good password")
	code(t, err, attesta.Invalid)
	sid3, err := p.accounts.ChangePassword(ctx, pr, pw, "another good password")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{sid, sid2} {
		_, _, err := p.accounts.Authenticate(ctx, s)
		code(t, err, attesta.Unauthenticated)
	}
	if _, _, err := p.accounts.Authenticate(ctx, sid3); err != nil {
		t.Fatalf("new session: %v", err)
	}
	// Lockout after MaxFailures wrong passwords, even with the right one.
	for range account.MaxFailures {
		_, err := p.accounts.SignIn(ctx, "laura@avogadro.example", "wrong password!", "192.0.2.3")
		code(t, err, attesta.Unauthenticated)
	}
	_, err = p.accounts.SignIn(ctx, "laura@avogadro.example", "another good password", "192.0.2.4")
	code(t, err, attesta.Unauthenticated) // as for an unknown address; the person is told by e-mail
	var notice []account.Mail
	p.accounts.Deliver(ctx, senderFunc(func(m account.Mail) error { notice = append(notice, m); return nil }))
	if len(notice) != 1 || notice[0].To != "laura@avogadro.example" || !strings.Contains(notice[0].Body, "sospeso") {
		t.Errorf("lock notice: %+v", notice)
	}
	p.clock.Advance(account.LockFor + time.Second)
	sid4, err := p.accounts.SignIn(ctx, "laura@avogadro.example", "another good password", "192.0.2.4")
	if err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// Sessions end when idle, and ended ones are purged.
	p.clock.Advance(account.IdleTimeout + time.Second)
	if n, err := p.accounts.PurgeSessions(ctx); err != nil || n != 2 {
		t.Errorf("purged %d sessions (%v), want the 2 left open", n, err)
	}
	_, _, err = p.accounts.Authenticate(ctx, sid4)
	code(t, err, attesta.Unauthenticated)

	// Personal access tokens: hashed, scoped, revocable.
	tk, secret, err := p.accounts.CreateToken(ctx, pr, "registro elettronico", []auth.Scope{auth.ScopeRead}, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var stored *account.Token
	p.db.Accounts().View(ctx, func(r account.Reader) (err error) { stored, err = r.TokenByHash(ctx, account.Hash(secret)); return err })
	if stored == nil || bytes.Contains(stored.Hash, []byte(secret)) || stored.ID != tk.ID {
		t.Fatalf("stored token: %+v", stored)
	}
	tp, err := p.accounts.AuthenticateToken(ctx, secret)
	if err != nil || tp.Person != person.ID || len(tp.Scopes) != 1 {
		t.Fatalf("token principal: %+v %v", tp, err)
	}
	if err := auth.Decide(tp, auth.ClassManage, auth.Anywhere); attesta.ErrorCode(err) != attesta.Forbidden {
		t.Errorf("read-only token may write: %v", err)
	}
	// A password change revokes every token of the person.
	_, secret2, err := p.accounts.CreateToken(ctx, pr, "un altro", []auth.Scope{auth.ScopeRead}, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.accounts.SetPassword(ctx, person.ID, "another good password"); err != nil {
		t.Fatal(err)
	}
	_, err = p.accounts.AuthenticateToken(ctx, secret2)
	code(t, err, attesta.Unauthenticated)
	if err := p.accounts.RevokeToken(ctx, pr, tk.ID); err != nil {
		t.Fatal(err)
	}
	_, err = p.accounts.AuthenticateToken(ctx, secret)
	code(t, err, attesta.Unauthenticated)
	// Wrong current passwords on the account page are limited too.
	for i := range account.MaxFailures + 1 {
		_, err := p.accounts.ChangePassword(ctx, pr, "not it", "yet another password")
		if want := attesta.Invalid; i == account.MaxFailures {
			code(t, err, attesta.Throttled)
		} else {
			code(t, err, want)
		}
	}

	// Invitations: a link in the outbox, usable once.
	tutor, err := p.people.AddMember(ctx, admin, "itis-avogadro", people.Person{GivenName: "Marta", FamilyName: "Gallo", Email: "marta@avogadro.example"}, auth.SchoolTutor)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.accounts.Invite(ctx, admin, tutor.ID); err != nil {
		t.Fatal(err)
	}
	var sent []account.Mail
	n, err := p.accounts.Deliver(ctx, senderFunc(func(m account.Mail) error { sent = append(sent, m); return nil }))
	if err != nil || n != 1 || sent[0].To != "marta@avogadro.example" {
		t.Fatalf("deliver: %d %v %+v", n, err, sent)
	}
	if n, _ := p.accounts.Deliver(ctx, senderFunc(func(account.Mail) error { return nil })); n != 0 {
		t.Errorf("a sent message was sent again")
	}
	i := strings.Index(sent[0].Body, "token=")
	token := strings.Fields(sent[0].Body[i+len("token="):])[0]
	if _, err := p.accounts.UseLink(ctx, "reset", token, "una nuova password lunga"); attesta.ErrorCode(err) != attesta.Invalid {
		t.Errorf("an invitation used as a reset: %v", err)
	}
	if _, err := p.accounts.UseLink(ctx, "invite", token, "una nuova password lunga"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.accounts.UseLink(ctx, "invite", token, "un'altra password lunga"); attesta.ErrorCode(err) != attesta.Invalid {
		t.Errorf("a link used twice: %v", err)
	}
	if _, err := p.accounts.SignIn(ctx, "marta@avogadro.example", "una nuova password lunga", "192.0.2.9"); err != nil {
		t.Fatalf("sign in after the invitation: %v", err)
	}
	// A reset for an unknown address says nothing and sends nothing.
	if err := p.accounts.RequestReset(ctx, "nobody@x.example", "192.0.2.9"); err != nil {
		t.Fatal(err)
	}
	if n, _ := p.accounts.Deliver(ctx, senderFunc(func(account.Mail) error { return nil })); n != 0 {
		t.Errorf("a reset for an unknown address was sent")
	}
	// OpenID identities link by verified address, then by subject.
	if _, err := p.accounts.SignInIdentity(ctx, "https://idp.example", "sub-1", "marta@avogadro.example", false); attesta.ErrorCode(err) != attesta.Unauthenticated {
		t.Errorf("unverified address linked: %v", err)
	}
	if _, err := p.accounts.SignInIdentity(ctx, "https://idp.example", "sub-1", "marta@avogadro.example", true); err != nil {
		t.Fatal(err)
	}
	if _, err := p.accounts.SignInIdentity(ctx, "https://idp.example", "sub-1", "", false); err != nil {
		t.Fatalf("linked identity: %v", err)
	}
}

type senderFunc func(account.Mail) error

func (f senderFunc) Send(_ context.Context, m account.Mail) error { return f(m) }

// testPlatformAllOrNothing: a use-case that fails leaves neither its
// change nor its audit entry.
func testPlatformAllOrNothing(t *testing.T, open Opener) {
	ctx := context.Background()
	p := newPlatform(t, open)
	p.seed(t)
	before, _ := p.audit.List(ctx, admin, audit.Filter{})
	boom := errors.New("boom")
	err := p.db.Organisations().Update(ctx, func(w org.Writer) error {
		o := org.Organisation{ID: "x-srl", Kind: auth.Company, Name: "X", Province: "TO", TaxCode: "12345678903", CreatedAt: p.clock.Now(), UpdatedAt: p.clock.Now()}
		if err := w.InsertOrganisation(ctx, &o); err != nil {
			return err
		}
		if err := audit.Record(ctx, w, admin, p.clock.Now(), "organisation.create", o.Object(), nil, o); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, err := p.orgs.Get(ctx, admin, "x-srl"); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("rolled back organisation kept: %v", err)
	}
	after, _ := p.audit.List(ctx, admin, audit.Filter{})
	if len(after) != len(before) {
		t.Errorf("audit entries %d → %d after a rollback", len(before), len(after))
	}
}

// testPlatformImports: the importer's store (Imports) reads and writes
// organisations and people in one transaction: imports go in whole and
// export back unchanged, and a failed one leaves neither kind of row.
func testPlatformImports(t *testing.T, open Opener) {
	ctx := context.Background()
	p := newPlatform(t, open)
	p.seed(t)
	imp := importer.NewService(p.db.Imports(), p.clock.Now, nil)
	apply := func(kind importer.Kind, text string) importer.Counts {
		t.Helper()
		f, err := importer.Parse(kind, strings.NewReader(text))
		if err != nil {
			t.Fatalf("parsing %s: %v", kind, err)
		}
		res, err := imp.Apply(ctx, admin, kind, "", f, nil)
		if err != nil {
			t.Fatalf("importing %s: %v", kind, err)
		}
		return res.Counts
	}
	if c := apply(importer.Schools, "codice_meccanografico,denominazione,tipo,provincia\nTOIS00100B,IIS Primo Levi,tecnico,TO\n"); c.Created != 1 {
		t.Fatalf("schools: %+v", c)
	}
	if c := apply(importer.Tutors, "email,cognome,nome,ruolo,organizzazione\nlaura.bianchi@levi.example,Bianchi,Laura,referente_scolastico,TOIS00100B\n"); c.Created != 1 {
		t.Fatalf("tutors: %+v", c)
	}
	members, err := p.people.Members(ctx, admin, "tois00100b")
	if err != nil || len(members) != 1 || members[0].Role != auth.SchoolReferent {
		t.Fatalf("members of the imported school: %+v %v", members, err)
	}
	for _, kind := range []importer.Kind{importer.Schools, importer.Tutors} {
		var out bytes.Buffer
		if err := imp.Export(ctx, admin, kind, "", &out); err != nil {
			t.Fatal(err)
		}
		if c := apply(kind, out.String()); c.Created != 0 || c.Updated != 0 || c.Unchanged == 0 {
			t.Errorf("re-importing the export of %s: %+v", kind, c)
		}
	}

	boom := errors.New("boom")
	err = p.db.Imports().Update(ctx, func(w importer.Writer) error {
		o := org.Organisation{ID: "x-srl", Kind: auth.Company, Name: "X", Province: "TO", TaxCode: "12345678903", CreatedAt: p.clock.Now(), UpdatedAt: p.clock.Now()}
		if err := w.InsertOrganisation(ctx, &o); err != nil {
			return err
		}
		pr := people.Person{ID: "p-x", GivenName: "Ada", FamilyName: "X", Email: "ada@x.example", CreatedAt: p.clock.Now(), UpdatedAt: p.clock.Now()}
		if err := w.InsertPerson(ctx, &pr); err != nil {
			return err
		}
		if err := w.AddMembership(ctx, pr.ID, o.ID, auth.CompanyTutor); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, err := p.orgs.Get(ctx, admin, "x-srl"); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("rolled back organisation kept: %v", err)
	}
	p.db.People().View(ctx, func(r people.Reader) error {
		if _, err := r.PersonByEmail(ctx, "ada@x.example"); attesta.ErrorCode(err) != attesta.NotFound {
			t.Errorf("rolled back person kept: %v", err)
		}
		return nil
	})
}

// testPlatformStoreRefusals: the refusals the people's store makes itself,
// each said by its key — a taken address, a taken student number, a
// membership of nobody — and the stores' not-found ones.
func testPlatformStoreRefusals(t *testing.T, open Opener) {
	ctx := context.Background()
	p := newPlatform(t, open)
	p.seed(t)
	now := p.clock.Now()
	update := func(fn func(w people.Writer) error) error { return p.db.People().Update(ctx, fn) }
	err := update(func(w people.Writer) error {
		for _, id := range []string{"p-a", "p-b"} {
			if err := w.InsertPerson(ctx, &people.Person{ID: id, GivenName: "A", FamilyName: "B", Email: id + "@x.example", CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
		}
		return w.PutStudent(ctx, &people.Student{Person: "p-a", School: "itis-avogadro", Number: "2026-001"})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = update(func(w people.Writer) error {
		return w.InsertPerson(ctx, &people.Person{ID: "p-c", GivenName: "C", FamilyName: "D", Email: "p-a@x.example", CreatedAt: now, UpdatedAt: now})
	})
	code(t, err, attesta.Conflict)
	fieldKey(t, err, "email", "err.storage.email.taken")
	err = update(func(w people.Writer) error {
		return w.UpdatePerson(ctx, &people.Person{ID: "p-b", GivenName: "A", FamilyName: "B", Email: "p-a@x.example", UpdatedAt: now})
	})
	fieldKey(t, err, "email", "err.storage.email.taken")
	err = update(func(w people.Writer) error {
		return w.PutStudent(ctx, &people.Student{Person: "p-b", School: "itis-avogadro", Number: "2026-001"})
	})
	code(t, err, attesta.Conflict)
	fieldKey(t, err, "number", "err.storage.student.number.taken")
	err = update(func(w people.Writer) error { return w.AddMembership(ctx, "p-a", "nowhere", auth.SchoolTutor) })
	code(t, err, attesta.NotFound)
	if k := attesta.ErrorKey(err); k != "err.storage.membership.notfound" {
		t.Errorf("membership of nowhere: key %s", k)
	}
	err = update(func(w people.Writer) error {
		return w.UpdatePerson(ctx, &people.Person{ID: "nobody", GivenName: "A", FamilyName: "B", UpdatedAt: now})
	})
	code(t, err, attesta.NotFound)
	if k := attesta.ErrorKey(err); k != "err.auth.notfound.person" {
		t.Errorf("update of nobody: key %s", k)
	}
	err = p.db.People().View(ctx, func(r people.Reader) error {
		_, err := r.Organisation(ctx, "nowhere")
		return err
	})
	code(t, err, attesta.NotFound)
	if k := attesta.ErrorKey(err); k != "err.auth.notfound.organisation" {
		t.Errorf("organisation nowhere: key %s", k)
	}
}
