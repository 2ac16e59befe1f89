package observation

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/experience"
)

// Reader reads sheets inside a transaction.
type Reader interface {
	// Experience returns one, or an error with code attesta.NotFound.
	Experience(ctx context.Context, id string) (*experience.Experience, error)
	// Revisions lists an experience's revisions, by number.
	Revisions(ctx context.Context, experience string) ([]experience.Revision, error)
	// Standard returns one version with its content, or NotFound.
	Standard(ctx context.Context, sector string, version int) (*competence.Standard, error)
	// Sheets lists every version of the sheets of an experience, by
	// student and version.
	Sheets(ctx context.Context, experience string) ([]Sheet, error)
	// SheetExperience returns the experience and student of a sheet that
	// has been saved, or NotFound.
	SheetExperience(ctx context.Context, id string) (experienceID, student string, err error)
}

// Writer writes sheets inside a transaction, with the audit trail.
type Writer interface {
	Reader
	// Record appends an entry to the audit trail.
	Record(ctx context.Context, e *audit.Entry) error
	// TouchExperience queues concurrent changes of an experience's sheets
	// behind this one, on engines that lock rows.
	TouchExperience(ctx context.Context, id string, at time.Time) error
	// InsertSheet adds a version of a sheet; a version that exists is a
	// Conflict.
	InsertSheet(ctx context.Context, s *Sheet) error
	// UpdateSheet writes a version's state, rows and signatures; the
	// storage refuses to change the rows of a version once submitted.
	UpdateSheet(ctx context.Context, s *Sheet) error
}

// Store keeps sheets; each call is one transaction.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Service is the observation sheets' use-cases.
type Service struct {
	store Store
	now   attesta.Clock
}

// NewService returns the service.
func NewService(store Store, now attesta.Clock) *Service { return &Service{store: store, now: now} }

// The actions of the audit trail.
const (
	actionSave        = "observation.save"
	actionSubmit      = "observation.submit"
	actionCountersign = "observation.countersign"
	actionReopen      = "observation.reopen"
	maxRowsPerSave    = 2000
)

var sheetIDPattern = regexp.MustCompile(`^sht-[a-z2-7]{16}$`)

func notFound(id string) error { return attesta.E(attesta.NotFound, "err.observation.notfound", id) }

// View is a student's sheet, every version, with what a page needs.
type View struct {
	Experience experience.Experience `json:"experience"`
	// Versions are the sheet's versions, oldest first; the last is the
	// current one (a blank draft when nothing was saved yet).
	Versions []Sheet `json:"versions"`
	// Scale is the standard's observation scale.
	Scale []competence.ScaleLevel `json:"scale"`
	// Standard is the pinned version, for the rows' texts.
	Standard *competence.Standard `json:"-"`
}

// Current returns the current version.
func (v *View) Current() *Sheet { return &v.Versions[len(v.Versions)-1] }

// load reads the experience of a sheet and its versions, and the agreed
// design's rows for a sheet never saved. It decides nothing.
func load(ctx context.Context, r Reader, experienceID, student string) (*View, *experience.Design, error) {
	e, err := r.Experience(ctx, experienceID)
	if err != nil {
		return nil, nil, err
	}
	st, err := r.Standard(ctx, e.Sector, e.Version)
	if err != nil {
		return nil, nil, err
	}
	v := &View{Experience: *e, Scale: st.Scale, Standard: st}
	all, err := r.Sheets(ctx, experienceID)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range all {
		if s.Student == student {
			v.Versions = append(v.Versions, s)
		}
	}
	var agreed *experience.Design
	if e.Agreed > 0 {
		revs, err := r.Revisions(ctx, experienceID)
		if err != nil {
			return nil, nil, err
		}
		for i := range revs {
			if revs[i].Number == e.Agreed {
				agreed = &revs[i].Design
			}
		}
	}
	if len(v.Versions) == 0 && agreed != nil {
		v.Versions = []Sheet{Blank(e, agreed, student)}
	}
	return v, agreed, nil
}

// mayView decides whether p may see student's sheet in e: whoever may see
// the experience, but a student sees only their own, once submitted.
func mayView(p *auth.Principal, e *experience.Experience, student string) error {
	err := auth.Decide(p, auth.SheetView, e.Object(p))
	if attesta.ErrorCode(err) == attesta.NotFound {
		return attesta.E(attesta.NotFound, "err.experience.notfound", e.ID)
	}
	if err != nil {
		return err
	}
	if !slices.Contains(e.Design.Students, student) {
		return attesta.E(attesta.NotFound, "err.observation.student", student)
	}
	if p.Role == auth.Student && p.Person != student {
		return attesta.E(attesta.NotFound, "err.observation.student", student)
	}
	return nil
}

// Sheet returns the sheet id (SheetID of an experience and a student) with
// every version, as p may see it: a student sees the versions submitted.
func (s *Service) Sheet(ctx context.Context, p *auth.Principal, experienceID, student string) (*View, error) {
	var v *View
	err := s.store.View(ctx, func(r Reader) error {
		e, err := r.Experience(ctx, experienceID)
		if attesta.ErrorCode(err) == attesta.NotFound {
			return attesta.E(attesta.NotFound, "err.experience.notfound", experienceID)
		}
		if err != nil {
			return err
		}
		if err := mayView(p, e, student); err != nil {
			return err
		}
		if v, _, err = load(ctx, r, experienceID, student); err != nil {
			return err
		}
		if len(v.Versions) == 0 {
			return attesta.E(attesta.Conflict, "err.observation.notagreed")
		}
		if p.Role == auth.Student {
			v.Versions = slices.DeleteFunc(v.Versions, func(sh Sheet) bool { return !sh.Locked() })
			if len(v.Versions) == 0 {
				return attesta.E(attesta.NotFound, "err.observation.notsubmitted")
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Resolve resolves a sheet's id: the experience and student given, when
// the id is theirs (a sheet never saved has no row yet), else the stored
// sheet's.
func (s *Service) Resolve(ctx context.Context, id, experienceID, student string) (string, string, error) {
	if experienceID != "" && student != "" && SheetID(experienceID, student) == id {
		return experienceID, student, nil
	}
	return s.ByID(ctx, id)
}

// ByID resolves a sheet's id to its experience and student.
func (s *Service) ByID(ctx context.Context, id string) (experienceID, student string, err error) {
	if !sheetIDPattern.MatchString(id) {
		return "", "", notFound(id)
	}
	err = s.store.View(ctx, func(r Reader) error {
		experienceID, student, err = r.SheetExperience(ctx, id)
		return err
	})
	return experienceID, student, err
}

// change runs a change of student's sheet in experienceID by p: it reads
// and locks the experience, decides with act and the side, and gives fn
// the view; version is the version p saw (the current one).
func (s *Service) change(ctx context.Context, p *auth.Principal, experienceID, student string, version int, act auth.Action, side experience.Side,
	fn func(w Writer, v *View, agreed *experience.Design) error) (*Sheet, error) {
	var out *Sheet
	err := s.store.Update(ctx, func(w Writer) error {
		e, err := w.Experience(ctx, experienceID)
		if attesta.ErrorCode(err) == attesta.NotFound {
			return attesta.E(attesta.NotFound, "err.experience.notfound", experienceID)
		}
		if err != nil {
			return err
		}
		if err := mayView(p, e, student); err != nil {
			return err
		}
		err = auth.Decide(p, act, e.Object(p))
		if attesta.ErrorCode(err) == attesta.NotFound {
			return attesta.E(attesta.NotFound, "err.experience.notfound", e.ID)
		}
		if err != nil {
			return err
		}
		if side != "" {
			if sd, ok := experience.SideOf(p, e); !ok || sd != side {
				if side == experience.SchoolSide {
					return attesta.E(attesta.Forbidden, "err.observation.side.school")
				}
				return attesta.E(attesta.Forbidden, "err.observation.side.company")
			}
		}
		if e.State != experience.InProgress && e.State != experience.Closed {
			return attesta.E(attesta.Conflict, "err.observation.state", e.State.Words())
		}
		if err := w.TouchExperience(ctx, experienceID, s.now()); err != nil {
			return err
		}
		v, agreed, err := load(ctx, w, experienceID, student)
		if err != nil {
			return err
		}
		if len(v.Versions) == 0 {
			return attesta.E(attesta.Conflict, "err.observation.notagreed")
		}
		if cur := v.Current(); version != cur.Version {
			return attesta.E(attesta.Conflict, "err.observation.stale", version, cur.Version)
		}
		if err := fn(w, v, agreed); err != nil {
			return err
		}
		out = v.Current()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("changing sheet %s: %w", SheetID(experienceID, student), err)
	}
	return out, nil
}

func (s *Service) sign(p *auth.Principal) *Signature {
	return &Signature{Person: p.Person, Name: p.Name, Role: p.Role, At: s.now()}
}

// write inserts the version if it was never saved, else updates it.
func write(ctx context.Context, w Writer, sh *Sheet, saved bool) error {
	if saved {
		return w.UpdateSheet(ctx, sh)
	}
	return w.InsertSheet(ctx, sh)
}

// Save records rows of the current version of a student's sheet as the
// company tutor fills it: a draft, changed as often as needed. Rows it
// does not name keep their values.
func (s *Service) Save(ctx context.Context, p *auth.Principal, experienceID, student string, version int, rows []Observation) (*Sheet, error) {
	if len(rows) > maxRowsPerSave {
		return nil, attesta.E(attesta.Invalid, "err.observation.rows.many", maxRowsPerSave)
	}
	return s.change(ctx, p, experienceID, student, version, auth.SheetFill, experience.CompanySide, func(w Writer, v *View, _ *experience.Design) error {
		cur := v.Current()
		if cur.Locked() {
			return attesta.E(attesta.Conflict, "err.observation.locked", cur.Version, cur.State.Words())
		}
		var fe attesta.FieldErrors
		before, after := cur.Apply(rows, v.Scale, v.Experience.Design.Start, v.Experience.Design.End, &fe)
		if err := fe.Err(); err != nil {
			return err
		}
		if len(after) == 0 {
			return nil
		}
		saved := !cur.SavedAt.IsZero() || cur.Version > 1
		cur.SavedBy, cur.SavedName, cur.SavedAt = p.Person, p.Name, s.now()
		if err := write(ctx, w, cur, saved); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, cur.SavedAt, actionSave, v.Experience.Object(nil),
			map[string]any{"sheet": cur.ID, "student": student, "version": cur.Version, "rows": before},
			map[string]any{"sheet": cur.ID, "student": student, "version": cur.Version, "rows": after})
	})
}

// Submit locks the current version of a student's sheet, once every row
// has a value, attributed to the company tutor who submits it.
func (s *Service) Submit(ctx context.Context, p *auth.Principal, experienceID, student string, version int) (*Sheet, error) {
	return s.change(ctx, p, experienceID, student, version, auth.SheetFill, experience.CompanySide, func(w Writer, v *View, _ *experience.Design) error {
		cur := v.Current()
		if cur.Locked() {
			return attesta.E(attesta.Conflict, "err.observation.locked", cur.Version, cur.State.Words())
		}
		if missing := cur.Missing(); len(missing) > 0 {
			names := make([]string, len(missing))
			for i, m := range missing {
				names[i] = m.String()
			}
			return attesta.E(attesta.Invalid, "err.observation.missing", len(missing), strings.Join(names, ", "))
		}
		saved := !cur.SavedAt.IsZero() || cur.Version > 1
		cur.State, cur.Submitted = Submitted, s.sign(p)
		if err := write(ctx, w, cur, saved); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, cur.Submitted.At, actionSubmit, v.Experience.Object(nil),
			map[string]any{"sheet": cur.ID, "state": Draft}, map[string]any{"sheet": cur.ID, "student": student, "version": cur.Version, "state": Submitted})
	})
}

// Countersign records the school tutor's countersignature of the current,
// submitted version of a student's sheet.
func (s *Service) Countersign(ctx context.Context, p *auth.Principal, experienceID, student string, version int) (*Sheet, error) {
	return s.change(ctx, p, experienceID, student, version, auth.SheetCountersign, experience.SchoolSide, func(w Writer, v *View, _ *experience.Design) error {
		cur := v.Current()
		if cur.State != Submitted {
			return attesta.E(attesta.Conflict, "err.observation.countersign", cur.State.Words())
		}
		cur.State, cur.Countersigned = Countersigned, s.sign(p)
		if err := w.UpdateSheet(ctx, cur); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, cur.Countersigned.At, actionCountersign, v.Experience.Object(nil),
			map[string]any{"sheet": cur.ID, "state": Submitted}, map[string]any{"sheet": cur.ID, "student": student, "version": cur.Version, "state": Countersigned})
	})
}

// Reopen lets the company tutor correct a student's sheet: the Chamber,
// for a reason, starts a new version, a draft with the values of the
// current one, which stays as it was.
func (s *Service) Reopen(ctx context.Context, p *auth.Principal, experienceID, student string, version int, reason string) (*Sheet, error) {
	reason = strings.TrimSpace(reason)
	return s.change(ctx, p, experienceID, student, version, auth.SheetReopen, "", func(w Writer, v *View, _ *experience.Design) error {
		cur := v.Current()
		if !cur.Locked() {
			return attesta.E(attesta.Conflict, "err.observation.reopen.draft")
		}
		if n := len([]rune(reason)); n < MinReason || n > experience.MaxReason {
			var fe attesta.FieldErrors
			fe.Problem("reason", "err.experience.text.short", MinReason)
			return fe.Err()
		}
		next := *cur
		next.Rows = slices.Clone(cur.Rows)
		next.Version++
		next.State, next.Submitted, next.Countersigned = Draft, nil, nil
		next.SavedBy, next.SavedName, next.SavedAt = p.Person, p.Name, s.now()
		next.Reopened, next.Reason = s.sign(p), reason
		if err := w.InsertSheet(ctx, &next); err != nil {
			return err
		}
		v.Versions = append(v.Versions, next)
		return audit.Record(ctx, w, p, next.Reopened.At, actionReopen, v.Experience.Object(nil),
			map[string]any{"sheet": cur.ID, "version": cur.Version, "state": cur.State},
			map[string]any{"sheet": cur.ID, "student": student, "version": next.Version, "state": Draft, "reason": reason})
	})
}
