package dossier

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/observation"
)

// hours says minutes as hours, as a message argument, with the decimal
// separator of the message's language: "16", "7,5" in Italian, "7.5" in
// English (at most two decimals).
type hours int

// In returns the hours in lang.
func (m hours) In(lang string) string {
	h := strconv.FormatFloat(math.Round(float64(m)/60*100)/100, 'f', -1, 64)
	if lang == "it" {
		h = strings.Replace(h, ".", ",", 1)
	}
	return h
}

// Reader reads dossiers and what they compile inside a transaction.
type Reader interface {
	Experience(ctx context.Context, id string) (*experience.Experience, error)
	Revisions(ctx context.Context, experience string) ([]experience.Revision, error)
	Attendances(ctx context.Context, experience string) ([]experience.Attendance, error)
	Sheets(ctx context.Context, experience string) ([]observation.Sheet, error)
	// Dossier returns the stored dossier, or an error with code
	// attesta.NotFound when nothing was stored for it yet.
	Dossier(ctx context.Context, id string) (*Dossier, error)
	// TestResults lists a student's results at the online tests on a
	// standard's version, released to them, oldest first.
	TestResults(ctx context.Context, student, sector string, version int) ([]TestLine, error)
}

// Writer writes dossiers inside a transaction, with the audit trail and
// the transparency log.
type Writer interface {
	Reader
	Record(ctx context.Context, e *audit.Entry) error
	TouchExperience(ctx context.Context, id string, at time.Time) error
	// PutDossier stores d, inserting it the first time.
	PutDossier(ctx context.Context, d *Dossier) error
	// AppendLog appends an encoded entry to the transparency log, in this
	// transaction, and returns its leaf index.
	AppendLog(ctx context.Context, entry []byte) (int64, error)
}

// Store keeps dossiers; each call is one transaction.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Receipts gives the notarization receipt of a log entry.
type Receipts interface {
	Receipt(ctx context.Context, index int64) (*notary.Receipt, error)
}

// Service is the evidence dossiers' use-cases.
type Service struct {
	store     Store
	receipts  Receipts
	artefacts *artefact.Service
	now       attesta.Clock
}

// NewService returns the service; receipts may be nil (no receipts), and
// artefacts nil (no files).
func NewService(store Store, receipts Receipts, artefacts *artefact.Service, now attesta.Clock) *Service {
	return &Service{store: store, receipts: receipts, artefacts: artefacts, now: now}
}

// The actions of the audit trail.
const (
	actionNotes  = "dossier.notes"
	actionReturn = "dossier.return"
	actionLock   = "dossier.lock"
	actionLink   = "dossier.artefact.link"
	actionDetach = "dossier.artefact.remove"
)

// Limits.
const (
	MaxNotes   = 5000
	MaxMessage = 2000
	MinMessage = 10
)

var idPattern = regexp.MustCompile(`^dos-[a-z2-7]{16}$`)

// View is a dossier with what it compiles now and what is missing.
type View struct {
	Dossier
	// Document is what locking it now would notarize (the locked one, once
	// locked).
	Document Document `json:"document"`
	// Missing says precisely what keeps it from being locked.
	Missing []attesta.Message `json:"-"`
	// MissingIT and MissingEN are Missing in words, for readers of the
	// JSON.
	MissingIT []string `json:"missing_it"`
	MissingEN []string `json:"missing_en"`
	// Coverage is the matrix of the sheet's rows × the artefacts: for each
	// row of the agreed design, the artefacts that support it.
	Coverage []Coverage `json:"coverage"`
}

// Coverage is a row of the sheet and the ids of the artefacts supporting
// it.
type Coverage struct {
	Row       string   `json:"row"`
	Artefacts []string `json:"artefacts"`
}

// compile reads what student's dossier in e holds and what it lacks.
func compile(ctx context.Context, r Reader, e *experience.Experience, student string) (*View, error) {
	id := ID(e.ID, student)
	d, err := r.Dossier(ctx, id)
	if attesta.ErrorCode(err) == attesta.NotFound {
		d, err = &Dossier{ID: id, Experience: e.ID, Student: student, State: Open}, nil
	}
	if err != nil {
		return nil, err
	}
	v := &View{Dossier: *d}
	if d.Lock != nil {
		if err := json.Unmarshal(d.Lock.Document, &v.Document); err != nil {
			return nil, fmt.Errorf("reading the document of dossier %s: %w", id, err)
		}
		return v, nil
	}
	doc := Document{ID: "urn:attesta:dossier:" + id, Type: "EvidenceDossier", Experience: e.ID, School: e.School, Company: e.Company,
		Sector: e.Sector, Version: e.Version, Path: e.Design.Path, Revision: e.Agreed, Learner: student, Notes: d.Notes,
		Hours: Hours{Planned: e.Design.PlannedHours, Records: []HourLine{}}, Sheet: Sheet{Rows: []RowLine{}}}
	revs, err := r.Revisions(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	for _, rv := range revs {
		if rv.Number == e.Agreed {
			doc.Design = rv.Digest
		}
	}
	var missing []attesta.Message
	if e.State != experience.Closed {
		missing = append(missing, attesta.M("err.dossier.missing.closed", e.State.Words()))
	}
	records, err := r.Attendances(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range records {
		if a.Student == student && !a.Superseded {
			doc.Hours.Minutes += a.Minutes
			doc.Hours.Records = append(doc.Hours.Records, HourLine{Day: a.Day, Weekly: a.Weekly, Minutes: a.Minutes, Activity: a.Activity})
		}
	}
	switch {
	case len(doc.Hours.Records) == 0:
		missing = append(missing, attesta.M("err.dossier.missing.hours"))
	case doc.Hours.Minutes < doc.Hours.Planned*60:
		missing = append(missing, attesta.M("err.dossier.missing.planned", hours(doc.Hours.Minutes), doc.Hours.Planned))
	}
	sheets, err := r.Sheets(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	var sheet *observation.Sheet
	for i := range sheets {
		if sheets[i].Student == student {
			sheet = &sheets[i] // the last version
		}
	}
	switch {
	case sheet == nil || sheet.State == observation.Draft && sheet.Version == 1:
		missing = append(missing, attesta.M("err.dossier.missing.sheet"))
	case sheet.State == observation.Draft:
		missing = append(missing, attesta.M("err.dossier.missing.reopened", sheet.Version))
	case sheet.State == observation.Submitted:
		missing = append(missing, attesta.M("err.dossier.missing.countersign", sheet.Version))
	default:
		doc.Sheet = Sheet{ID: sheet.ID, Version: sheet.Version, SubmittedBy: sheet.Submitted.Person, SubmittedAt: stamp(sheet.Submitted.At),
			Countersigned: sheet.Countersigned.Person, CountersignAt: stamp(sheet.Countersigned.At)}
		for _, o := range sheet.Rows {
			doc.Sheet.Rows = append(doc.Sheet.Rows, RowLine{Row: o.Row.String(), Level: o.Level, NotObserved: o.NotObserved, From: o.From, To: o.To, Note: o.Note})
		}
	}
	tests, err := r.TestResults(ctx, student, e.Sector, e.Version)
	if err != nil {
		return nil, err
	}
	doc.Tests = append([]TestLine{}, tests...)
	var agreed *experience.Design
	for i := range revs {
		if revs[i].Number == e.Agreed {
			agreed = &revs[i].Design
		}
	}
	if agreed != nil {
		for _, row := range agreed.Rows() {
			c := Coverage{Row: row.String(), Artefacts: []string{}}
			for _, a := range d.Artefacts {
				if slices.Contains(a.Rows, c.Row) {
					c.Artefacts = append(c.Artefacts, a.ID)
				}
			}
			v.Coverage = append(v.Coverage, c)
		}
	}
	doc.Artefacts = []ArtefactLine{}
	for _, a := range d.Artefacts {
		doc.Artefacts = append(doc.Artefacts, ArtefactLine{SHA256: a.SHA256, Kind: string(a.Kind), Format: a.Format, Size: a.Size, Name: a.Name, Rows: a.Rows})
	}
	v.Document, v.Missing = doc, missing
	for _, m := range missing {
		v.MissingIT, v.MissingEN = append(v.MissingIT, m.In("it")), append(v.MissingEN, m.In("en"))
	}
	return v, nil
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// decide reads experienceID and decides whether p may do a on student's
// dossier: whoever reaches the experience and may do a; a student, their
// own dossier only.
func decide(ctx context.Context, r Reader, p *auth.Principal, a auth.Action, experienceID, student string) (*experience.Experience, error) {
	e, err := r.Experience(ctx, experienceID)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil, attesta.E(attesta.NotFound, "err.experience.notfound", experienceID)
	}
	if err != nil {
		return nil, err
	}
	err = auth.Decide(p, a, e.Object(p))
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil, attesta.E(attesta.NotFound, "err.experience.notfound", experienceID)
	}
	if err != nil {
		return nil, err
	}
	if !slices.Contains(e.Design.Students, student) || p.Role == auth.Student && p.Person != student {
		return nil, attesta.E(attesta.NotFound, "err.dossier.notfound", ID(experienceID, student))
	}
	return e, nil
}

// Get returns student's dossier in experienceID: what it compiles now and
// what is missing, or its locked document.
func (s *Service) Get(ctx context.Context, p *auth.Principal, experienceID, student string) (*View, error) {
	var v *View
	err := s.store.View(ctx, func(r Reader) error {
		e, err := decide(ctx, r, p, auth.DossierView, experienceID, student)
		if err != nil {
			return err
		}
		v, err = compile(ctx, r, e, student)
		return err
	})
	return v, err
}

// Resolve resolves a dossier's id: the experience and student given, when
// the id is theirs (nothing may be stored for it yet), else the stored
// dossier's.
func (s *Service) Resolve(ctx context.Context, id, experienceID, student string) (string, string, error) {
	if experienceID != "" && student != "" && ID(experienceID, student) == id {
		return experienceID, student, nil
	}
	return s.ByID(ctx, id)
}

// ByID resolves a stored dossier's id to its experience and student.
func (s *Service) ByID(ctx context.Context, id string) (experienceID, student string, err error) {
	if !idPattern.MatchString(id) {
		return "", "", attesta.E(attesta.NotFound, "err.dossier.notfound", id)
	}
	err = s.store.View(ctx, func(r Reader) error {
		d, err := r.Dossier(ctx, id)
		if err != nil {
			return err
		}
		experienceID, student = d.Experience, d.Student
		return nil
	})
	return experienceID, student, err
}

// change runs fn on student's dossier in experienceID, read and locked
// for p's action a; a locked dossier no longer changes.
func (s *Service) change(ctx context.Context, p *auth.Principal, a auth.Action, experienceID, student string, fn func(w Writer, e *experience.Experience, v *View) error) (*View, error) {
	var out *View
	err := s.store.Update(ctx, func(w Writer) error {
		e, err := decide(ctx, w, p, a, experienceID, student)
		if err != nil {
			return err
		}
		if err := w.TouchExperience(ctx, experienceID, s.now()); err != nil {
			return err
		}
		v, err := compile(ctx, w, e, student)
		if err != nil {
			return err
		}
		if v.State == Locked {
			return attesta.E(attesta.Conflict, "err.dossier.locked", stamp(v.Lock.At))
		}
		if err := fn(w, e, v); err != nil {
			return err
		}
		out = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("changing dossier %s: %w", ID(experienceID, student), err)
	}
	return out, nil
}

// text checks a free text.
func text(field, v string, min, max int) error {
	var fe attesta.FieldErrors
	switch n := utf8.RuneCountInString(v); {
	case n < min:
		fe.Problem(field, "err.experience.text.short", min)
	case n > max:
		fe.Problem(field, "err.experience.text.long", max)
	case strings.IndexFunc(v, func(r rune) bool { return r < ' ' && r != '\n' && r != '\r' || r == 0x7f }) >= 0:
		fe.Problem(field, "err.experience.text.chars")
	}
	return fe.Err()
}

// SetNotes records the school's notes for the commission. Notes left
// blank are not an erasure: clear says to remove them.
func (s *Service) SetNotes(ctx context.Context, p *auth.Principal, experienceID, student, notes string, clear bool) (*View, error) {
	notes = strings.TrimSpace(notes)
	return s.change(ctx, p, auth.DossierNote, experienceID, student, func(w Writer, e *experience.Experience, v *View) error {
		if sd, ok := experience.SideOf(p, e); !ok || sd != experience.SchoolSide {
			return attesta.E(attesta.Forbidden, "err.dossier.notes.school")
		}
		if notes == "" && !clear {
			return nil
		}
		if err := text("notes", notes, 0, MaxNotes); err != nil {
			return err
		}
		before := v.Notes
		v.Notes, v.Document.Notes = notes, notes
		if v.State == Returned && v.Returns[len(v.Returns)-1].To == string(experience.SchoolSide) {
			v.State = Open
		}
		if err := w.PutDossier(ctx, &v.Dossier); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, s.now(), actionNotes, e.Object(nil), map[string]any{"dossier": v.ID, "notes": before},
			map[string]any{"dossier": v.ID, "student": student, "notes": notes})
	})
}

// Return sends the dossier back to the school or the company for
// revision, with a message; the Chamber does it.
func (s *Service) Return(ctx context.Context, p *auth.Principal, experienceID, student, to, message string) (*View, error) {
	message = strings.TrimSpace(message)
	return s.change(ctx, p, auth.DossierManage, experienceID, student, func(w Writer, e *experience.Experience, v *View) error {
		var fe attesta.FieldErrors
		if to != string(experience.SchoolSide) && to != string(experience.CompanySide) {
			fe.Problem("to", "err.dossier.return.to", to)
		}
		if err := text("message", message, MinMessage, MaxMessage); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		ret := Return{To: to, Message: message, By: p.Person, Name: p.Name, At: s.now()}
		v.Returns, v.State = append(v.Returns, ret), Returned
		if err := w.PutDossier(ctx, &v.Dossier); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, ret.At, actionReturn, e.Object(nil), nil, map[string]any{"dossier": v.ID, "student": student, "return": ret})
	})
}

// Lock locks the dossier for the commission, once nothing is missing: its
// document is fixed, its digest computed, and the lock appended to the
// transparency log (digest only) in the same transaction.
func (s *Service) Lock(ctx context.Context, p *auth.Principal, experienceID, student string) (*View, error) {
	return s.change(ctx, p, auth.DossierManage, experienceID, student, func(w Writer, e *experience.Experience, v *View) error {
		if len(v.Missing) > 0 {
			var fe attesta.FieldErrors
			for _, m := range v.Missing {
				fe.Say("", m)
			}
			return attesta.E(attesta.Conflict, "err.dossier.missing", len(v.Missing), fe)
		}
		at := s.now()
		v.Document.LockedAt, v.Document.LockedBy = stamp(at), p.Person
		doc := v.Document.Marshal()
		leaf, err := w.AppendLog(ctx, Entry(&v.Document, doc, at).Marshal())
		if err != nil {
			return err
		}
		v.State = Locked
		v.Lock = &Lock{By: p.Person, Name: p.Name, Role: p.Role, At: at, Digest: Digest(doc), LogIndex: leaf, Document: doc}
		if err := w.PutDossier(ctx, &v.Dossier); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, at, actionLock, e.Object(nil), nil,
			map[string]any{"dossier": v.ID, "student": student, "digest": v.Lock.Digest, "log_index": leaf})
	})
}

// Receipt returns the notarization receipt of a locked dossier's log
// entry, once a checkpoint covers it.
func (s *Service) Receipt(ctx context.Context, p *auth.Principal, experienceID, student string) (*notary.Receipt, error) {
	v, err := s.Get(ctx, p, experienceID, student)
	if err != nil {
		return nil, err
	}
	if v.Lock == nil {
		return nil, attesta.E(attesta.Conflict, "err.dossier.notlocked", v.ID)
	}
	if s.receipts == nil {
		return nil, attesta.E(attesta.Unavailable, "err.dossier.noreceipts")
	}
	return s.receipts.Receipt(ctx, v.Lock.LogIndex)
}

// rowsOf checks that rows are rows of e's agreed design, and returns them
// without repeats, in the design's order.
func rowsOf(ctx context.Context, r Reader, e *experience.Experience, rows []string) ([]string, error) {
	revs, err := r.Revisions(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	var design []string
	for _, rv := range revs {
		if rv.Number == e.Agreed {
			for _, ref := range rv.Design.Rows() {
				design = append(design, ref.String())
			}
		}
	}
	var fe attesta.FieldErrors
	for i, row := range rows {
		if !slices.Contains(design, row) {
			fe.Problem(fmt.Sprintf("rows[%d]", i), "err.observation.row.unknown", row)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out []string
	for _, row := range design {
		if slices.Contains(rows, row) {
			out = append(out, row)
		}
	}
	return out, nil
}

// Attach adds a file to the student's dossier, supporting the given rows
// of the sheet: the student themselves, or a tutor of either side, while
// the dossier is not locked. The file is checked by its content and
// scanned (package artefact) before anything is kept; a refused file
// leaves nothing behind.
func (s *Service) Attach(ctx context.Context, p *auth.Principal, experienceID, student string, f artefact.File, rows []string) (*View, *artefact.Artefact, error) {
	if s.artefacts == nil {
		return nil, nil, attesta.E(attesta.Unavailable, "err.dossier.noartefacts")
	}
	// Decided, and the rows checked, before the file is read.
	err := s.store.View(ctx, func(r Reader) error {
		e, err := decide(ctx, r, p, auth.ArtefactAdd, experienceID, student)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			var fe attesta.FieldErrors
			fe.Problem("rows", "err.dossier.rows.required")
			return fe.Err()
		}
		if e.Agreed == 0 {
			return attesta.E(attesta.Conflict, "err.observation.notagreed")
		}
		_, err = rowsOf(ctx, r, e, rows)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	a, err := s.artefacts.Receive(ctx, p, f)
	if err != nil {
		return nil, nil, err
	}
	_, err = s.change(ctx, p, auth.ArtefactAdd, experienceID, student, func(w Writer, e *experience.Experience, v *View) error {
		linked, err := rowsOf(ctx, w, e, rows)
		if err != nil {
			return err
		}
		v.Artefacts = append(v.Artefacts, Attached{Artefact: a, Rows: linked})
		if err := w.PutDossier(ctx, &v.Dossier); err != nil {
			return err
		}
		return artefact.RecordUpload(ctx, w, p, a, e.Object(nil))
	})
	if err != nil {
		return nil, nil, err
	}
	v, err := s.Get(ctx, p, experienceID, student)
	return v, &a, err
}

// Link sets the rows an attached file supports.
func (s *Service) Link(ctx context.Context, p *auth.Principal, experienceID, student, artefactID string, rows []string) (*View, error) {
	return s.fresh(ctx, p, experienceID, student)(s.change(ctx, p, auth.ArtefactAdd, experienceID, student, func(w Writer, e *experience.Experience, v *View) error {
		i := slices.IndexFunc(v.Artefacts, func(a Attached) bool { return a.ID == artefactID })
		if i < 0 {
			return unknownFile(artefactID)
		}
		linked, err := rowsOf(ctx, w, e, rows)
		if err != nil {
			return err
		}
		before := v.Artefacts[i].Rows
		v.Artefacts[i].Rows = linked
		if err := w.PutDossier(ctx, &v.Dossier); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, s.now(), actionLink, e.Object(nil), map[string]any{"dossier": v.ID, "artefact": artefactID, "rows": before},
			map[string]any{"dossier": v.ID, "artefact": artefactID, "rows": linked})
	}))
}

// fresh reads the dossier again after a change that succeeded, so that
// what is returned (coverage, document) says the change.
func (s *Service) fresh(ctx context.Context, p *auth.Principal, experienceID, student string) func(*View, error) (*View, error) {
	return func(_ *View, err error) (*View, error) {
		if err != nil {
			return nil, err
		}
		return s.Get(ctx, p, experienceID, student)
	}
}

// Detach removes a file from the dossier, explicitly and audited; its
// content stays in the blob store under its digest.
func (s *Service) Detach(ctx context.Context, p *auth.Principal, experienceID, student, artefactID string) (*View, error) {
	return s.fresh(ctx, p, experienceID, student)(s.change(ctx, p, auth.ArtefactAdd, experienceID, student, func(w Writer, e *experience.Experience, v *View) error {
		i := slices.IndexFunc(v.Artefacts, func(a Attached) bool { return a.ID == artefactID })
		if i < 0 {
			return unknownFile(artefactID)
		}
		removed := v.Artefacts[i]
		v.Artefacts = slices.Delete(v.Artefacts, i, i+1)
		if err := w.PutDossier(ctx, &v.Dossier); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, s.now(), actionDetach, e.Object(nil), map[string]any{"dossier": v.ID, "artefact": removed}, nil)
	}))
}

// unknownFile refuses a change naming a file the dossier does not have:
// the name is the input's, so the input is what is wrong.
func unknownFile(id string) error {
	var fe attesta.FieldErrors
	fe.Problem("artefact", "err.dossier.artefact.unknown", id)
	return fe.Err()
}

// File returns an attached file's content, for whoever may see the
// dossier; the download is in the audit trail.
func (s *Service) File(ctx context.Context, p *auth.Principal, experienceID, student, artefactID string) (*artefact.Artefact, []byte, error) {
	if s.artefacts == nil {
		return nil, nil, attesta.E(attesta.Unavailable, "err.dossier.noartefacts")
	}
	if artefactID == "" {
		var fe attesta.FieldErrors
		fe.Problem("artefact", "err.dossier.artefact.required")
		// Whether the dossier may be seen is said first.
		if _, err := s.Get(ctx, p, experienceID, student); err != nil {
			return nil, nil, err
		}
		return nil, nil, fe.Err()
	}
	var a *artefact.Artefact
	var obj auth.Object
	err := s.store.View(ctx, func(r Reader) error {
		e, err := decide(ctx, r, p, auth.DossierView, experienceID, student)
		if err != nil {
			return err
		}
		obj = e.Object(p)
		d, err := r.Dossier(ctx, ID(experienceID, student))
		if err != nil {
			return attesta.E(attesta.NotFound, "err.artefact.notfound", artefactID)
		}
		for i := range d.Artefacts {
			if d.Artefacts[i].ID == artefactID {
				a = &d.Artefacts[i].Artefact
			}
		}
		if a == nil {
			return attesta.E(attesta.NotFound, "err.artefact.notfound", artefactID)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	content, err := s.artefacts.Download(ctx, p, *a, artefact.Access{Action: auth.DossierView, Object: obj})
	if err != nil {
		return nil, nil, err
	}
	return a, content, nil
}

// MayAttach decides, before a file is read, whether p may attach files to
// the student's dossier.
func (s *Service) MayAttach(ctx context.Context, p *auth.Principal, experienceID, student string) error {
	return s.store.View(ctx, func(r Reader) error {
		_, err := decide(ctx, r, p, auth.ArtefactAdd, experienceID, student)
		return err
	})
}
