package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/importer"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/storage/sqlite"
	"github.com/attesta/attesta/storage/storagetest"
)

// env is the platform on a new SQLite database with a national body, a
// Chamber covering TO and AT, a school in TO and one in MI, and a company
// in TO.
type env struct {
	db     *sqlite.DB
	clock  *storagetest.Clock
	orgs   *org.Service
	people *people.Service
	audit  *audit.Service
	imp    *importer.Service
}

var (
	admin = &auth.Principal{Person: "p-admin", Name: "Admin",
		Membership: auth.Membership{Org: "unioncamere", Role: auth.NationalAdmin, OrgKind: auth.National}}
	operator = &auth.Principal{Person: "p-op", Name: "Operatore",
		Membership: auth.Membership{Org: "cciaa-torino", Role: auth.ChamberOperator, OrgKind: auth.Chamber, Provinces: []string{"TO", "AT"}}}
	referent = &auth.Principal{Person: "p-ref", Name: "Referente",
		Membership: auth.Membership{Org: "itis-avogadro", Role: auth.SchoolReferent, OrgKind: auth.School, Provinces: []string{"TO"}}}
	otherReferent = &auth.Principal{Person: "p-ref2", Name: "Referente Milano",
		Membership: auth.Membership{Org: "itis-feltrinelli", Role: auth.SchoolReferent, OrgKind: auth.School, Provinces: []string{"MI"}}}
)

func newEnv(tb testing.TB) *env {
	tb.Helper()
	ctx := context.Background()
	clock := storagetest.NewClock()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "attesta.db"), clock.Now)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, _, err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	e := &env{db: db, clock: clock,
		orgs:   org.NewService(db.Organisations(), clock.Now),
		people: people.NewService(db.People(), clock.Now, nil),
		audit:  audit.NewService(db.Audit()),
		imp:    importer.NewService(db.Imports(), clock.Now, nil),
	}
	for _, o := range []org.Organisation{
		{ID: "unioncamere", Kind: auth.National, Name: "Unioncamere"},
		{ID: "cciaa-torino", Kind: auth.Chamber, Name: "Camera di Commercio di Torino", Province: "TO", Provinces: []string{"TO", "AT"}, TaxCode: "80062130010"},
		{ID: "itis-avogadro", Kind: auth.School, Name: "ITIS Amedeo Avogadro", Province: "TO", SchoolCode: "TOTF03000A", SchoolType: org.Tecnico},
		{ID: "itis-feltrinelli", Kind: auth.School, Name: "ITIS Feltrinelli", Province: "MI", SchoolCode: "MITF01000A", SchoolType: org.Tecnico},
		{ID: "meccanica-srl", Kind: auth.Company, Name: "Meccanica Torinese S.r.l.", Province: "TO", TaxCode: "01234567897", REA: "TO-1234567", ATECO: "28.41"},
	} {
		if _, err := e.orgs.Create(ctx, admin, o); err != nil {
			tb.Fatalf("creating %s: %v", o.ID, err)
		}
	}
	return e
}

// auditCount counts the entries of the audit trail.
func (e *env) auditCount(t *testing.T) int {
	t.Helper()
	n, before := 0, int64(0)
	for {
		es, err := e.audit.List(context.Background(), admin, audit.Filter{Before: before, Limit: audit.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		n += len(es)
		if len(es) < audit.MaxLimit {
			return n
		}
		before = es[len(es)-1].Seq
	}
}

func parse(t *testing.T, kind importer.Kind, text string) *importer.File {
	t.Helper()
	f, err := importer.Parse(kind, strings.NewReader(text))
	if err != nil {
		t.Fatalf("parsing: %v", err)
	}
	return f
}

// problems parses a file that must be refused and returns its problems.
func problems(t *testing.T, kind importer.Kind, text string) importer.Errors {
	t.Helper()
	_, err := importer.Parse(kind, strings.NewReader(text))
	return rowErrors(t, err, attesta.Invalid)
}

func rowErrors(t *testing.T, err error, code attesta.Code) importer.Errors {
	t.Helper()
	if attesta.ErrorCode(err) != code {
		t.Fatalf("got %v (%s), want code %s", err, attesta.ErrorCode(err), code)
	}
	var es importer.Errors
	if !errors.As(err, &es) {
		t.Fatalf("%v does not wrap importer.Errors", err)
	}
	return es
}

// keys lists the problems as "row column code key".
func keys(es importer.Errors) []string {
	var out []string
	for _, e := range es {
		out = append(out, fmt.Sprintf("%d %s %s %s", e.Row, e.Column, e.Code, e.Key))
	}
	return out
}

// where lists the problems as "row column" pairs.
func where(es importer.Errors) string {
	var out []string
	for _, e := range es {
		out = append(out, fmt.Sprintf("%d %s", e.Row, e.Column))
	}
	return strings.Join(out, "; ")
}

func (e *env) apply(t *testing.T, p *auth.Principal, kind importer.Kind, school, text string) *importer.Result {
	t.Helper()
	res, err := e.imp.Apply(context.Background(), p, kind, school, parse(t, kind, text), nil)
	if err != nil {
		t.Fatalf("applying: %v", err)
	}
	return res
}

func (e *env) preview(t *testing.T, p *auth.Principal, kind importer.Kind, school, text string) *importer.Plan {
	t.Helper()
	pl, err := e.imp.Preview(context.Background(), p, kind, school, parse(t, kind, text))
	if err != nil {
		t.Fatalf("previewing: %v", err)
	}
	return pl
}

func (e *env) export(t *testing.T, p *auth.Principal, kind importer.Kind, school string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := e.imp.Export(context.Background(), p, kind, school, &buf); err != nil {
		t.Fatalf("exporting %s: %v", kind, err)
	}
	return buf.String()
}

func counts(c importer.Counts) string {
	return fmt.Sprintf("%d created, %d updated, %d unchanged", c.Created, c.Updated, c.Unchanged)
}

const badClasses = `anno_scolastico,classe,matricola,cognome,nome,recapito,consenso_di
2026/27,4A,1001,Rossi,Marco,+39 333 1234567,"Rossi, Anna"
2026/27,4A,1002,Verdi,Giulia,giulia.verdi@example.it,
2026/27,4A,1003,,Luca,,
2026/27,4B,1004,Bianchi,Sara,,
2026/28,4B,1005,Neri,Paolo,,
2026/27,4b,1006,D'Amico,Niccolò,,
`

const goodClasses = `anno_scolastico,classe,matricola,cognome,nome,recapito,consenso_di
2026/27,4A,1001,Rossi,Marco,+39 333 1234567,"Rossi, Anna"
2026/27,4A,1002,Verdi,Giulia,giulia.verdi@example.it,
2026/27,4A,1003,Esposito,Luca,,
2026/27,4B,1004,Bianchi,Sara,,
2026/27,4B,1005,Neri,Paolo,,
2026/27,4b,1006,D'Amico,Niccolò,,
`

// The same file as goodClasses as a spreadsheet set to Italian saves it.
const excelClasses = "\uFEFFAnno_Scolastico;Classe;Matricola;Cognome;Nome;Recapito;Consenso_di\r\n" +
	"2026/27;4A;1001;Rossi;Marco;+39 333 1234567;Rossi, Anna\r\n" +
	"2026/27;4A;1002;Verdi;Giulia;giulia.verdi@example.it;\r\n" +
	"2026/27;4A;1003;Esposito;Luca;;\r\n" +
	"\r\n" +
	"2026/27;4B;1004;Bianchi;Sara;;\r\n" +
	"2026/27;4B;1005;Neri;Paolo;;\r\n" +
	"\"2026/27\";\"4B\";\"1006\";\"D'Amico\";\"Niccolò\";\"\";\"\"\r\n"

func TestClasses(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)

	// One bad row and nothing can be imported: each problem names its
	// row and column, with a message said in Italian and English.
	es := problems(t, importer.Classes, badClasses)
	want := []string{"4 cognome invalid err.people.name.required", "6 anno_scolastico invalid err.people.year.form"}
	if got := keys(es); !slices.Equal(got, want) {
		t.Fatalf("problems:\n got %q\nwant %q", got, want)
	}
	for _, e := range es {
		if e.IT == "" || e.EN == "" || e.IT == e.EN {
			t.Errorf("not said in Italian and English: %+v", e)
		}
	}
	before := e.auditCount(t)

	// Fixed, it enrols every student, creating the classes.
	pl := e.preview(t, referent, importer.Classes, "itis-avogadro", goodClasses)
	if counts(pl.Counts) != "6 created, 0 updated, 0 unchanged" || len(pl.Errors) != 0 {
		t.Fatalf("preview: %s %v", counts(pl.Counts), pl.Errors)
	}
	var calls [][2]int
	res, err := e.imp.Apply(ctx, referent, importer.Classes, "itis-avogadro", parse(t, importer.Classes, goodClasses),
		func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	if counts(res.Counts) != "6 created, 0 updated, 0 unchanged" {
		t.Errorf("apply: %s", counts(res.Counts))
	}
	if len(calls) == 0 || calls[len(calls)-1] != [2]int{6, 6} {
		t.Errorf("progress: %v", calls)
	}
	classes, err := e.people.Classes(ctx, referent, "itis-avogadro")
	if err != nil || len(classes) != 2 || classes[0].Name != "4A" || classes[0].Students != 3 || classes[1].Students != 3 {
		t.Fatalf("classes: %+v %v", classes, err)
	}
	view, err := e.people.Class(ctx, referent, classes[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := view.Students[1]; s.Person.FamilyName != "Rossi" || s.Student.ConsentBy != "Rossi, Anna" || !s.Student.ConsentAt.Equal(e.clock.Now()) {
		t.Errorf("student: %+v", s)
	}
	created := e.auditCount(t)
	if created <= before {
		t.Fatalf("no audit entries")
	}

	// Again: nothing changes, nothing is recorded.
	e.clock.Advance(time.Hour)
	res = e.apply(t, referent, importer.Classes, "itis-avogadro", goodClasses)
	if counts(res.Counts) != "0 created, 0 updated, 6 unchanged" || e.auditCount(t) != created {
		t.Errorf("re-import: %s, %d audit entries after %d", counts(res.Counts), e.auditCount(t), created)
	}
	// The same data saved by a spreadsheet: semicolons, BOM, CRLF, quotes,
	// a blank line, a header in another case.
	res = e.apply(t, referent, importer.Classes, "itis-avogadro", excelClasses)
	if counts(res.Counts) != "0 created, 0 updated, 6 unchanged" {
		t.Errorf("spreadsheet file: %s", counts(res.Counts))
	}

	// A changed name updates one student, with its before and after.
	changed := strings.Replace(goodClasses, "Verdi,Giulia", "Verdi,Giulia Maria", 1)
	pl = e.preview(t, referent, importer.Classes, "itis-avogadro", changed)
	if counts(pl.Counts) != "0 created, 1 updated, 5 unchanged" || pl.Rows[1].Row != 3 || !slices.Equal(pl.Rows[1].Columns, []string{"nome"}) {
		t.Fatalf("preview of a change: %s %+v", counts(pl.Counts), pl.Rows[1])
	}
	res = e.apply(t, referent, importer.Classes, "itis-avogadro", changed)
	if counts(res.Counts) != "0 created, 1 updated, 5 unchanged" || e.auditCount(t) != created+1 {
		t.Fatalf("change: %s, %d audit entries after %d", counts(res.Counts), e.auditCount(t), created)
	}
	last, _ := e.audit.List(ctx, admin, audit.Filter{Limit: 1})
	if a := last[0]; a.Action != "person.update" || a.Actor != referent.Person || !bytes.Contains(a.Before, []byte(`"Giulia"`)) || !bytes.Contains(a.After, []byte(`"Giulia Maria"`)) {
		t.Errorf("audit entry: %+v", a)
	}

	// A new school year: the same students in new classes, kept in the
	// old ones; a student of 4A moved to 4B of the same year is refused.
	next := strings.ReplaceAll(strings.ReplaceAll(changed, "2026/27", "2027/28"), ",4", ",5")
	res = e.apply(t, referent, importer.Classes, "itis-avogadro", next)
	if counts(res.Counts) != "0 created, 6 updated, 0 unchanged" {
		t.Errorf("next year: %s", counts(res.Counts))
	}
	moved := strings.Replace(changed, "2026/27,4A,1001", "2026/27,4B,1001", 1)
	_, err = e.imp.Apply(ctx, referent, importer.Classes, "itis-avogadro", parse(t, importer.Classes, moved), nil)
	if es := rowErrors(t, err, attesta.Conflict); where(es) != "2 classe" {
		t.Errorf("moved student: %v", es)
	}

	// Another school's referent reaches neither the school nor its classes.
	_, err = e.imp.Preview(ctx, otherReferent, importer.Classes, "itis-avogadro", parse(t, importer.Classes, goodClasses))
	if attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("other school: %v", err)
	}
	var buf bytes.Buffer
	if err := e.imp.Export(ctx, otherReferent, importer.Classes, "itis-avogadro", &buf); attesta.ErrorCode(err) != attesta.NotFound || buf.Len() != 0 {
		t.Errorf("other school's export: %v %q", err, buf.String())
	}
}

func TestSchoolsOutsideTerritory(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	before := e.auditCount(t)
	schools := `codice_meccanografico;denominazione;tipo;provincia;email
TOIS00100B;IIS Primo Levi;tecnico;TO;segreteria@levi.example
ATPS01000C;"Liceo
Vercelli";liceo;AT;
MIPS02000D;Liceo Manzoni;liceo;MI;
`
	pl := e.preview(t, operator, importer.Schools, "", schools)
	if counts(pl.Counts) != "2 created, 0 updated, 0 unchanged" || where(pl.Errors) != "5 provincia" || pl.Errors[0].Code != attesta.Forbidden {
		t.Fatalf("preview: %s %+v", counts(pl.Counts), pl.Errors)
	}
	_, err := e.imp.Apply(ctx, operator, importer.Schools, "", parse(t, importer.Schools, schools), nil)
	if es := rowErrors(t, err, attesta.Forbidden); where(es) != "5 provincia" || es[0].Key != "err.import.province.outside" {
		t.Fatalf("apply: %+v", es)
	}
	if list, _ := e.orgs.List(ctx, admin, org.Filter{Kind: auth.School}); len(list) != 2 || e.auditCount(t) != before {
		t.Fatalf("written despite the refusal: %d schools, %d audit entries", len(list), e.auditCount(t))
	}
	// A school registered in another territory is out of reach, even when
	// the row places it in the Chamber's.
	stolen := "codice_meccanografico,denominazione,tipo,provincia\nMITF01000A,ITIS Feltrinelli,tecnico,TO\n"
	_, err = e.imp.Apply(ctx, operator, importer.Schools, "", parse(t, importer.Schools, stolen), nil)
	if es := rowErrors(t, err, attesta.NotFound); where(es) != "2 codice_meccanografico" {
		t.Errorf("another territory's school: %+v", es)
	}
	// Without the row out of territory, it goes in; the national body may
	// import everywhere.
	ok := strings.Replace(schools, "MIPS02000D;Liceo Manzoni;liceo;MI;\n", "", 1)
	if res := e.apply(t, operator, importer.Schools, "", ok); res.Created != 2 {
		t.Fatalf("apply: %s", counts(res.Counts))
	}
	levi, err := e.orgs.Get(ctx, operator, "tois00100b")
	if err != nil || levi.Email != "segreteria@levi.example" || levi.SchoolType != org.Tecnico {
		t.Fatalf("imported school: %+v %v", levi, err)
	}
	if o, err := e.orgs.Get(ctx, operator, "atps01000c"); err != nil || o.Name != "Liceo Vercelli" {
		t.Fatalf("quoted name on two lines: %+v %v", o, err)
	}
	if res := e.apply(t, admin, importer.Schools, "", schools); counts(res.Counts) != "1 created, 0 updated, 2 unchanged" {
		t.Fatalf("admin: %s", counts(res.Counts))
	}
	// A file without the optional email column keeps the stored addresses.
	rename := "codice_meccanografico,denominazione,tipo,provincia\nTOIS00100B,IIS Primo Levi Torino,tecnico,to\n"
	pl = e.preview(t, operator, importer.Schools, "", rename)
	if pl.Updated != 1 || !slices.Equal(pl.Rows[0].Columns, []string{"denominazione"}) {
		t.Fatalf("rename: %+v", pl.Rows)
	}
	e.apply(t, operator, importer.Schools, "", rename)
	if levi, _ := e.orgs.Get(ctx, operator, "tois00100b"); levi.Name != "IIS Primo Levi Torino" || levi.Email != "segreteria@levi.example" {
		t.Errorf("renamed: %+v", levi)
	}
	// A school referent imports no organisations.
	_, err = e.imp.Preview(ctx, referent, importer.Schools, "", parse(t, importer.Schools, ok))
	if attesta.ErrorCode(err) != attesta.Forbidden {
		t.Errorf("referent: %v", err)
	}
}

func TestCompanies(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	companies := `codice_fiscale,denominazione,tipo,provincia,rea,ateco,email
IT 01234567897,Meccanica Torinese S.p.A.,impresa,TO,TO-1234567,28.41,
09876543217,Confartigianato Asti,associazione,AT,,,info@confartigianato.example
05555555555,Officine Astigiane,Impresa,at,AT-7654321,25.62.0,
`
	pl := e.preview(t, operator, importer.Companies, "", companies)
	if counts(pl.Counts) != "2 created, 1 updated, 0 unchanged" || !slices.Equal(pl.Rows[0].Columns, []string{"denominazione"}) {
		t.Fatalf("preview: %s %+v", counts(pl.Counts), pl.Rows)
	}
	e.apply(t, operator, importer.Companies, "", companies)
	if o, err := e.orgs.Get(ctx, operator, "as-09876543217"); err != nil || o.Kind != auth.Association || o.Email != "info@confartigianato.example" {
		t.Fatalf("association: %+v %v", o, err)
	}
	if o, _ := e.orgs.Get(ctx, operator, "meccanica-srl"); o.Name != "Meccanica Torinese S.p.A." {
		t.Errorf("update: %+v", o)
	}
	if res := e.apply(t, operator, importer.Companies, "", companies); res.Unchanged != 3 {
		t.Errorf("re-import: %s", counts(res.Counts))
	}
	// The domain's checks, with their own messages; the type does not change.
	bad := `codice_fiscale,denominazione,tipo,provincia,rea
01234567890,X,impresa,TO,
12345678903,Y,cooperativa,TO,MI-1
01234567897,Meccanica,associazione,TO,
80062130010,Camera,impresa,TO,
`
	es := problems(t, importer.Companies, bad)
	if where(es) != "2 codice_fiscale; 3 tipo" || es[0].Key != "err.fiscal.piva.check" {
		t.Fatalf("problems: %+v", es)
	}
	bad = strings.Replace(strings.Replace(bad, "cooperativa", "impresa", 1), "01234567890,X,impresa,TO,\n", "", 1)
	pl = e.preview(t, operator, importer.Companies, "", bad)
	if where(pl.Errors) != "3 tipo; 4 codice_fiscale" || pl.Errors[1].Code != attesta.Conflict {
		t.Fatalf("preview: %+v", pl.Errors)
	}
}

func TestTutors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	tutors := `email,cognome,nome,ruolo,organizzazione
Laura.Bianchi@avogadro.example,Bianchi,Laura,referente_scolastico,TOTF03000A
marta.gallo@avogadro.example,Gallo,Marta,tutor_scolastico,totf03000a
paolo.neri@meccanica.example,Neri,Paolo,tutor_aziendale,01234567897
marta.gallo@avogadro.example,Gallo,Marta,tutor_aziendale,IT01234567897
`
	res := e.apply(t, operator, importer.Tutors, "", tutors)
	if counts(res.Counts) != "4 created, 0 updated, 0 unchanged" {
		t.Fatalf("apply: %s", counts(res.Counts))
	}
	members, err := e.people.Members(ctx, operator, "meccanica-srl")
	if err != nil || len(members) != 2 || members[0].Person.Email != "marta.gallo@avogadro.example" || members[0].Role != auth.CompanyTutor {
		t.Fatalf("members: %+v %v", members, err)
	}
	n := e.auditCount(t)
	if res := e.apply(t, operator, importer.Tutors, "", tutors); res.Unchanged != 4 || e.auditCount(t) != n {
		t.Errorf("re-import: %s", counts(res.Counts))
	}
	// A new name is an update of the person, once.
	renamed := strings.ReplaceAll(tutors, "Gallo,Marta", "Gallo,Marta Maria")
	pl := e.preview(t, operator, importer.Tutors, "", renamed)
	if counts(pl.Counts) != "0 created, 1 updated, 3 unchanged" {
		t.Fatalf("rename: %s %+v", counts(pl.Counts), pl.Rows)
	}
	e.apply(t, operator, importer.Tutors, "", renamed)
	if e.auditCount(t) != n+1 {
		t.Errorf("rename: %d audit entries after %d", e.auditCount(t), n)
	}
	// A school referent adds teachers to their school, nothing elsewhere:
	// a company and another territory's school are out of reach, an
	// unknown school does not exist.
	mixed := `email,cognome,nome,ruolo,organizzazione
anna.ferri@avogadro.example,Ferri,Anna,tutor_scolastico,TOTF03000A
paolo.neri@meccanica.example,Neri,Paolo,tutor_aziendale,01234567897
gino.riva@feltrinelli.example,Riva,Gino,tutor_scolastico,MITF01000A
ugo.sala@x.example,Sala,Ugo,tutor_scolastico,TOTF09000X
`
	pl = e.preview(t, referent, importer.Tutors, "", mixed)
	if where(pl.Errors) != "3 organizzazione; 4 organizzazione; 5 organizzazione" || pl.Errors[0].Code != attesta.NotFound || pl.Created != 1 {
		t.Fatalf("referent: %s %+v", counts(pl.Counts), pl.Errors)
	}
	// A person who holds a role out of the referent's reach cannot be
	// linked by the referent (that would let them see the person), with or
	// without another name; the national body can.
	e.apply(t, admin, importer.Tutors, "", "email,cognome,nome,ruolo,organizzazione\ngino.riva@feltrinelli.example,Riva,Gino,tutor_scolastico,MITF01000A\n")
	other := "email,cognome,nome,ruolo,organizzazione\ngino.riva@feltrinelli.example,Riva,Luigi,tutor_scolastico,TOTF03000A\n"
	for _, file := range []string{other, strings.Replace(other, "Luigi", "Gino", 1)} {
		pl = e.preview(t, referent, importer.Tutors, "", file)
		if where(pl.Errors) != "2 email" || pl.Errors[0].Code != attesta.Forbidden {
			t.Errorf("linking a person out of reach: %+v", pl.Errors)
		}
	}
	if res := e.apply(t, admin, importer.Tutors, "", strings.Replace(other, "Luigi", "Gino", 1)); res.Created != 1 {
		t.Errorf("the national body links them: %s", counts(res.Counts))
	}
	// Problems of form are the parser's.
	es := problems(t, importer.Tutors, "email,cognome,nome,ruolo,organizzazione\nnot-an-address,X,Y,preside,TOTF03000A\nz@z.example,Z,Z,tutor_aziendale,TOTF03000A\n")
	if where(es) != "2 email; 2 ruolo; 3 organizzazione" {
		t.Errorf("problems: %+v", es)
	}
}

func TestDuplicates(t *testing.T) {
	for _, tc := range []struct {
		kind       importer.Kind
		text       string
		where, key string
	}{
		{importer.Schools, "codice_meccanografico,denominazione,tipo,provincia\nTOIS00100B,A,liceo,TO\nTOTF03000A,B,liceo,TO\ntois00100b,C,liceo,TO\n",
			"4 codice_meccanografico", "err.import.dup.schoolcode"},
		{importer.Companies, "codice_fiscale,denominazione,tipo,provincia\n01234567897,A,impresa,TO\nIT01234567897,B,associazione,TO\n",
			"3 codice_fiscale", "err.import.dup.taxcode"},
		{importer.Classes, "anno_scolastico,classe,matricola,cognome,nome\n2026/27,4A,1,A,B\n2026/27,4A,1,A,B\n",
			"3 matricola", "err.import.dup.number"},
		{importer.Classes, "anno_scolastico,classe,matricola,cognome,nome\n2026/27,4A,1,A,B\n2026/27,4B,1,A,B\n",
			"3 matricola", "err.import.dup.numberclass"},
		{importer.Classes, "anno_scolastico,classe,matricola,cognome,nome\n2026/27,4A,1,A,B\n2027/28,5A,1,A,C\n",
			"3 matricola", "err.import.dup.numberdetails"},
		{importer.Tutors, "email,cognome,nome,ruolo,organizzazione\na@b.example,A,B,tutor_scolastico,TOTF03000A\nA@b.example,A,B,tutor_scolastico,totf03000a\n",
			"3 email", "err.import.dup.tutor"},
		{importer.Tutors, "email,cognome,nome,ruolo,organizzazione\na@b.example,A,B,tutor_scolastico,TOTF03000A\na@b.example,A,C,tutor_aziendale,01234567897\n",
			"3 email", "err.import.dup.tutorname"},
	} {
		es := problems(t, tc.kind, tc.text)
		if where(es) != tc.where || es[0].Code != attesta.Invalid || es[0].Key != tc.key || es[0].IT == "" {
			t.Errorf("%s %q:\n got %s %s %q\nwant %s %q", tc.kind, tc.text, where(es), es[0].Code, es[0].Key, tc.where, tc.key)
		}
	}
	// A student in two years, with the same details, is fine.
	parse(t, importer.Classes, "anno_scolastico,classe,matricola,cognome,nome\n2026/27,4A,1,A,B\n2027/28,5A,1,A,B\n")
}

func TestFormatAndLimits(t *testing.T) {
	header := "anno_scolastico,classe,matricola,cognome,nome\n"
	row := func(i int) string { return fmt.Sprintf("2026/27,4A,%d,Rossi,Marco\n", i) }
	var many strings.Builder
	many.WriteString(header)
	for i := range importer.MaxRows + 1 {
		many.WriteString(row(i))
	}
	huge := header + "2026/27,4A,1,Rossi," + strings.Repeat("x", importer.MaxBytes) + "\n"
	for _, tc := range []struct {
		name, text, where, key string
	}{
		{"too many rows", many.String(), fmt.Sprintf("%d ", importer.MaxRows+2), "err.import.file.rows"},
		{"too long a field", header + "2026/27,4A,1,Rossi," + strings.Repeat("è", importer.MaxField+1) + "\n", "2 nome", "err.import.field.long"},
		{"too big a file", huge, "0 ", "err.import.file.large"},
		{"unknown column", "anno_scolastico,classe,matricola,cognome,nome,codice_fiscale\n", "1 codice_fiscale", "err.import.column.unknown"},
		{"missing column", "anno_scolastico;classe;matricola;nome\n", "1 cognome", "err.import.column.missing"},
		{"twice a column", "anno_scolastico,classe,matricola,cognome,nome,Nome\n", "1 nome", "err.import.column.twice"},
		{"empty", "\uFEFF\r\n", "1 ", "err.import.file.empty"},
		{"fields", header + "2026/27,4A,1,Rossi\n", "2 ", "err.import.row.fields"},
		{"quotes", header + "2026/27,4A,1,Ro\"ssi,Marco\n", "2 ", "err.import.row.csv"},
		{"not UTF-8", header + "2026/27,4A,1,Rossi,Niccol\xf2\n", "2 nome", "err.import.field.utf8"},
		{"UTF-16", "\xff\xfea\x00", "0 ", "err.import.file.utf16"},
	} {
		es := problems(t, importer.Classes, tc.text)
		if where(es[:1]) != tc.where || es[0].Code != attesta.Invalid || es[0].Key != tc.key || es[0].IT == "" {
			t.Errorf("%s: got %s %s %q, want %s %q", tc.name, where(es[:1]), es[0].Code, es[0].Key, tc.where, tc.key)
		}
	}
	// Problems are listed up to MaxErrors, then counted.
	var bad strings.Builder
	bad.WriteString(header)
	for i := range 300 {
		fmt.Fprintf(&bad, "2026/27,4A,%d,,Marco\n", i)
	}
	es := problems(t, importer.Classes, bad.String())
	if len(es) != importer.MaxErrors+1 || es[len(es)-1].Key != "err.import.more" || es[len(es)-1].Args[0] != 100 {
		t.Errorf("%d problems, last %+v", len(es), es[len(es)-1])
	}
	// A file of the maximum size is read.
	if f := parse(t, importer.Classes, strings.TrimSuffix(many.String(), row(importer.MaxRows))); f.Len() != importer.MaxRows {
		t.Errorf("%d rows", f.Len())
	}
}

// TestExportReimport: what one exports, imported again, changes nothing,
// for every kind; and one exports only what one reaches.
func TestExportReimport(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.apply(t, admin, importer.Schools, "", "codice_meccanografico,denominazione,tipo,provincia,email\nTOIS00100B,\"IIS \"\"Primo\"\" Levi\",tecnico,TO,a@levi.example\nMIPS02000D,Liceo Manzoni,liceo,MI,\n")
	e.apply(t, admin, importer.Companies, "", "codice_fiscale,denominazione,tipo,provincia\n09876543217,\"Confartigianato, Asti\",associazione,AT\n05555555555,Officine Milanesi,impresa,MI\n")
	e.apply(t, referent, importer.Classes, "itis-avogadro", goodClasses)
	e.apply(t, operator, importer.Tutors, "", "email,cognome,nome,ruolo,organizzazione\nl@avogadro.example,Bianchi,Laura,referente_scolastico,TOTF03000A\np@meccanica.example,Neri,Paolo,tutor_aziendale,01234567897\n")
	e.apply(t, admin, importer.Tutors, "", "email,cognome,nome,ruolo,organizzazione\ng@feltrinelli.example,Riva,Gino,tutor_scolastico,MITF01000A\n")
	n := e.auditCount(t)

	for _, tc := range []struct {
		p      *auth.Principal
		kind   importer.Kind
		school string
		rows   int
	}{
		{admin, importer.Schools, "", 4},
		{operator, importer.Schools, "", 2},
		{admin, importer.Companies, "", 3},
		{operator, importer.Companies, "", 2},
		{referent, importer.Classes, "itis-avogadro", 6},
		{operator, importer.Tutors, "", 2},
		{admin, importer.Tutors, "", 3},
		{referent, importer.Tutors, "itis-avogadro", 1},
	} {
		out := e.export(t, tc.p, tc.kind, tc.school)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if lines[0] != strings.Join(names(importer.Columns(tc.kind)), ",") || len(lines) != tc.rows+1 {
			t.Errorf("%s export of %s: %d rows\n%s", tc.p.Role, tc.kind, len(lines)-1, out)
			continue
		}
		res, err := e.imp.Apply(ctx, tc.p, tc.kind, tc.school, parse(t, tc.kind, out), nil)
		if err != nil || res.Unchanged != tc.rows || res.Created+res.Updated != 0 {
			t.Errorf("%s re-import of %s: %v %v", tc.p.Role, tc.kind, res, err)
		}
	}
	if e.auditCount(t) != n {
		t.Errorf("re-imports recorded %d audit entries", e.auditCount(t)-n)
	}
	if out := e.export(t, operator, importer.Schools, ""); strings.Contains(out, "MIPS02000D") || !strings.Contains(out, `"IIS ""Primo"" Levi"`) {
		t.Errorf("operator's schools:\n%s", out)
	}
	var buf bytes.Buffer
	tutor := &auth.Principal{Person: "p-t", Membership: auth.Membership{Org: "meccanica-srl", Role: auth.CompanyTutor, OrgKind: auth.Company}}
	if err := e.imp.Export(ctx, tutor, importer.Companies, "", &buf); attesta.ErrorCode(err) != attesta.Forbidden {
		t.Errorf("company tutor's export: %v", err)
	}
}

func names(cs []importer.Column) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// FuzzParse: no input makes Parse panic or run long, as any kind of file;
// what it accepts is within the limits, what it refuses is explained.
func FuzzParse(f *testing.F) {
	for _, s := range []string{badClasses, goodClasses, excelClasses,
		"codice_meccanografico;denominazione;tipo;provincia;email\nTOIS00100B;IIS Primo Levi;tecnico;TO;a@b.example\n",
		"codice_fiscale,denominazione,tipo,provincia,rea,ateco,email\n01234567897,\"A, \"\"B\"\"\",impresa,TO,TO-1,28.41,\n",
		"email,cognome,nome,ruolo,organizzazione\nA@b.example,A,B,tutor_aziendale,IT01234567897\n",
		"\uFEFF\"a\nb\";c\r\n\"", "a,b\n\"x", ",,,\n;;;\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, kind := range importer.Kinds {
			start := time.Now()
			file, err := importer.Parse(kind, bytes.NewReader(data))
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("%s: %v to parse %d bytes", kind, d, len(data))
			}
			if err == nil {
				if file.Kind != kind || file.Len() > importer.MaxRows {
					t.Errorf("%s: %d rows", kind, file.Len())
				}
				continue
			}
			var es importer.Errors
			if !errors.As(err, &es) || len(es) == 0 || len(es) > importer.MaxErrors+1 || attesta.ErrorCode(err) != attesta.Invalid {
				t.Errorf("%s: %v", kind, err)
			}
			for _, e := range es {
				if e.Row < 0 || e.Key == "" || e.IT == "" || e.EN == "" {
					t.Errorf("%s: %+v", kind, e)
				}
			}
		}
	})
}

// TestExportNeutralisesFormulas: a value a spreadsheet would run as a
// formula (one starting with =, +, -, @, a tab or a carriage return)
// leaves the export with an apostrophe before it, as does one starting with
// an apostrophe the import would take away; the import takes that
// apostrophe away, so export → import → export is byte-identical and the
// re-import changes nothing. An apostrophe of the value's own ('t Hooft)
// stays, on the way in and out.
func TestExportNeutralisesFormulas(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	// An import reads a leading apostrophe before a formula's character
	// or another apostrophe as the export's mark; any other is the value's.
	e.apply(t, admin, importer.Schools, "", "codice_meccanografico,denominazione,tipo,provincia\n"+
		"TOIS00100B,\"=HYPERLINK(\"\"https://evil.example\"\",\"\"Apri\"\")\",tecnico,TO\n"+
		"TOIS00200C,'@SUM(1+1),tecnico,TO\n"+
		"TOIS00300D,''=Apostrofo,tecnico,TO\n"+
		"TOIS00400E,'t Hooft,tecnico,TO\n")
	e.apply(t, admin, importer.Companies, "", "codice_fiscale,denominazione,tipo,provincia\n09876543217,-2+3+cmd|' /C calc'!A0,associazione,AT\n")
	e.apply(t, referent, importer.Classes, "itis-avogadro", "anno_scolastico,classe,matricola,cognome,nome,recapito,consenso_di\n"+
		"2026/27,4A,1001,=1+1,@Marco,+39 333 1234567,-Anna Rossi\n")
	e.apply(t, operator, importer.Tutors, "", "email,cognome,nome,ruolo,organizzazione\n=x@avogadro.example,+Bianchi,-Laura,referente_scolastico,TOTF03000A\n")
	if o, err := e.orgs.Get(ctx, admin, "tois00300d"); err != nil || o.Name != "'=Apostrofo" {
		t.Errorf("the name imported from ''=Apostrofo: %+v %v", o, err)
	}
	if o, err := e.orgs.Get(ctx, admin, "tois00400e"); err != nil || o.Name != "'t Hooft" {
		t.Errorf("the name imported from 't Hooft: %+v %v", o, err)
	}
	if o, err := e.orgs.Get(ctx, admin, "tois00200c"); err != nil || o.Name != "@SUM(1+1)" {
		t.Errorf("the name imported from '@SUM(1+1): %+v %v", o, err)
	}

	for _, tc := range []struct {
		p      *auth.Principal
		kind   importer.Kind
		school string
		want   []string // cells the export must hold
	}{
		{admin, importer.Schools, "", []string{`'=HYPERLINK("https://evil.example","Apri")`, "'@SUM(1+1)", "''=Apostrofo", "'t Hooft"}},
		{admin, importer.Companies, "", []string{"'-2+3+cmd|' /C calc'!A0"}},
		{referent, importer.Classes, "itis-avogadro", []string{"'=1+1", "'@Marco", "'+39 333 1234567", "'-Anna Rossi"}},
		{operator, importer.Tutors, "", []string{"'=x@avogadro.example", "'+Bianchi", "'-Laura"}},
	} {
		out := e.export(t, tc.p, tc.kind, tc.school)
		cells, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", tc.kind, err)
		}
		var all []string
		for _, row := range cells {
			for _, c := range row {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					t.Errorf("%s export: the cell %q would run as a formula", tc.kind, c)
				}
				all = append(all, c)
			}
		}
		for _, w := range tc.want {
			if !slices.Contains(all, w) {
				t.Errorf("%s export: no cell %q in\n%s", tc.kind, w, out)
			}
		}
		n := e.auditCount(t)
		res, err := e.imp.Apply(ctx, tc.p, tc.kind, tc.school, parse(t, tc.kind, out), nil)
		if err != nil || res.Created+res.Updated != 0 || e.auditCount(t) != n {
			t.Errorf("%s re-import of the export: %+v %v", tc.kind, res, err)
		}
		if again := e.export(t, tc.p, tc.kind, tc.school); again != out {
			t.Errorf("%s: export → import → export differs:\n%s\n%s", tc.kind, out, again)
		}
	}
}

// TestNeutraliseCell: the cells an export neutralises, and how an import
// reads them back.
func TestNeutraliseCell(t *testing.T) {
	for _, v := range []string{"", "Rossi", "=1+1", "+39 333", "-x", "@x", "\tx", "\rx", "\x00x", "'", "'t Hooft", "'=x", "''x", "'''", " =x", "a=b"} {
		out := importer.NeutraliseCell(v)
		if out != "" && strings.ContainsRune("=+-@\t\r\x00", rune(out[0])) {
			t.Errorf("NeutraliseCell(%q) = %q: still a formula", v, out)
		}
		if back := importer.ReadCell(out); back != v {
			t.Errorf("ReadCell(NeutraliseCell(%q)) = %q", v, back)
		}
	}
	// An apostrophe that is the value's own is kept, on the way out and in.
	for _, v := range []string{"'t Hooft", "'", "'a'"} {
		if importer.NeutraliseCell(v) != v || importer.ReadCell(v) != v {
			t.Errorf("%q: exported %q, imported %q", v, importer.NeutraliseCell(v), importer.ReadCell(v))
		}
	}
}

// FuzzNeutraliseCell: every value comes back from its exported cell as it
// was, and no exported cell starts as a formula.
func FuzzNeutraliseCell(f *testing.F) {
	for _, s := range []string{"", "=1+1", "'", "''=", "'t Hooft", "+39 333 1234567", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		out := importer.NeutraliseCell(v)
		if out != "" && strings.ContainsRune("=+-@\t\r\x00", rune(out[0])) {
			t.Errorf("NeutraliseCell(%q) = %q: a formula", v, out)
		}
		if back := importer.ReadCell(out); back != v {
			t.Errorf("ReadCell(NeutraliseCell(%q)) = %q", v, back)
		}
	})
}
