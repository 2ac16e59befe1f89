package roundtable

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
)

// Filter narrows a listing of tables. Zero fields do not filter, except
// Reach: the zero Reach lists nothing.
type Filter struct {
	Sector string
	Year   string
	Status Status
	// Reach, set by the Service from the principal: the tables whose
	// Chamber, or one of whose members, is an organisation Reach names by
	// id (every table if it reaches everything). Its provinces do not
	// count. Its zero value lists none.
	Reach         auth.Reach
	Limit, Offset int
}

// MaxLimit bounds a page of tables.
const MaxLimit = 1000

// check normalizes f as Table.Normalize does a table, and refuses a filter
// whose sector, year or status is not written as a table's are: it would
// match nothing, or be taken for no filter.
func (f *Filter) check() error {
	t := Table{Sector: f.Sector, Year: f.Year, Status: f.Status}
	t.Normalize()
	f.Sector, f.Year, f.Status = t.Sector, t.Year, t.Status
	var fe attesta.FieldErrors
	if f.Sector != "" && !sectorPattern.MatchString(f.Sector) {
		fe.Problem("sector", "err.roundtable.sector.form")
	}
	if f.Year != "" && !people.ValidYear(f.Year) {
		fe.Problem("year", "err.roundtable.year.form")
	}
	if f.Status != "" && !f.Status.Valid() {
		fe.Problem("status", "err.roundtable.status.form")
	}
	return fe.Err()
}

// Reader reads tables inside a transaction.
type Reader interface {
	// Table returns one with its members, or an error with code
	// attesta.NotFound.
	Table(ctx context.Context, id string) (*Table, error)
	// Tables lists those matching f with their members, newest school year
	// first, then by sector, title and id.
	Tables(ctx context.Context, f Filter) ([]Table, error)
	// TableMeeting returns one with its attachments (without content), or
	// NotFound.
	TableMeeting(ctx context.Context, id string) (*Meeting, error)
	// TableMeetings lists a table's meetings with their attachments
	// (without content), by date.
	TableMeetings(ctx context.Context, table string) ([]Meeting, error)
	// TableAttachment returns an attachment without its content, or
	// NotFound.
	TableAttachment(ctx context.Context, id string) (*Attachment, error)
	// TableAttachmentContent returns an attachment's content, or NotFound.
	TableAttachmentContent(ctx context.Context, id string) ([]byte, error)
}

// Writer writes tables inside a transaction, with the audit trail; it
// reads organisations to check the members.
type Writer interface {
	Reader
	// Organisation returns the organisation that would sit at a table, or
	// an error with code attesta.NotFound.
	Organisation(ctx context.Context, id string) (*org.Organisation, error)
	// Record appends an entry to the audit trail (audit.Recorder).
	Record(ctx context.Context, e *audit.Entry) error
	// InsertTable adds one (its members are not written); a Chamber's
	// second table for the same sector and year is a Conflict.
	InsertTable(ctx context.Context, t *Table) error
	// UpdateTable writes a table's title, status and update time.
	UpdateTable(ctx context.Context, t *Table) error
	// TouchTable sets a table's update time. As the first write of a
	// change it also queues concurrent changes of the same table behind
	// this one, on engines that lock rows.
	TouchTable(ctx context.Context, id string, at time.Time) error
	// AddTableMember puts an organisation at a table; being there already
	// is a Conflict.
	AddTableMember(ctx context.Context, table, org string, at time.Time) error
	// RemoveTableMember takes an organisation off a table; not being
	// there is NotFound.
	RemoveTableMember(ctx context.Context, table, org string) error
	// InsertTableMeeting adds a meeting (its attachments are not written).
	InsertTableMeeting(ctx context.Context, m *Meeting) error
	// UpdateTableMeeting writes a meeting's date, agenda, minutes and
	// update time.
	UpdateTableMeeting(ctx context.Context, m *Meeting) error
	// InsertTableAttachment adds an attachment with its content.
	InsertTableAttachment(ctx context.Context, a *Attachment, content []byte) error
}

// Store keeps tables; each call is one transaction.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Service is the territorial tables' use-cases.
type Service struct {
	store Store
	now   attesta.Clock
	rand  io.Reader
}

// NewService returns the service; rnd nil means crypto/rand.
func NewService(store Store, now attesta.Clock, rnd io.Reader) *Service {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Service{store: store, now: now, rand: rnd}
}

// The actions of the audit trail.
const (
	actionCreate       = "table.create"
	actionUpdate       = "table.update"
	actionMemberAdd    = "table.member.add"
	actionMemberRemove = "table.member.remove"
	actionMeetingAdd   = "table.meeting.add"
	actionMeetingEdit  = "table.meeting.update"
	actionAttach       = "table.attachment.add"
)

// reach is what p's listings of tables read: the tables of the
// organisations that run them or sit at them, every table for the national
// body. A Chamber's provinces do not list the tables of other Chambers.
func reach(p *auth.Principal) auth.Reach { return auth.ReachOf(p).WithoutProvinces() }

// notFound says that what ("table", "meeting" or "attachment") of id does
// not exist.
func notFound(what, id string) error {
	switch what {
	case "meeting":
		return attesta.E(attesta.NotFound, "err.roundtable.meeting.notfound", id)
	case "attachment":
		return attesta.E(attesta.NotFound, "err.roundtable.attachment.notfound", id)
	}
	return attesta.E(attesta.NotFound, "err.roundtable.table.notfound", id)
}

// decide is auth.Decide on t, where an object out of reach is said to be
// what of id (the table, or the meeting or attachment asked for).
func decide(p *auth.Principal, a auth.Action, t *Table, what, id string) error {
	err := auth.Decide(p, a, t.Object())
	if attesta.ErrorCode(err) == attesta.NotFound {
		return notFound(what, id)
	}
	return err
}

// mayManage decides whether p may change t: a Chamber changes its own
// tables only.
func mayManage(p *auth.Principal, t *Table, what, id string) error {
	if err := decide(p, auth.TableManage, t, what, id); err != nil {
		return err
	}
	if p.Role == auth.ChamberOperator && p.Org != t.Chamber {
		return attesta.E(attesta.Forbidden, "err.roundtable.chamber.other", t.Chamber)
	}
	return nil
}

// open reads table id for a change by p, decides, and locks it: it
// returns the table as it is once the change may go ahead. A closed table
// is a Conflict unless reopening is allowed.
func (s *Service) open(ctx context.Context, w Writer, p *auth.Principal, id, what, whatID string, closedOK bool) (*Table, error) {
	if !validID(id) {
		return nil, notFound(what, whatID)
	}
	t, err := w.Table(ctx, id)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil, notFound(what, whatID)
	}
	if err != nil {
		return nil, err
	}
	if err := mayManage(p, t, what, whatID); err != nil {
		return nil, err
	}
	if err := w.TouchTable(ctx, id, s.now()); err != nil {
		return nil, err
	}
	if t, err = w.Table(ctx, id); err != nil {
		return nil, err
	}
	if t.Status == Closed && !closedOK {
		return nil, attesta.E(attesta.Conflict, "err.roundtable.closed", t.Title)
	}
	return t, nil
}

// Create activates a table. A Chamber operator who names no Chamber
// activates it for their own.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in Table) (*Table, error) {
	if err := auth.Decide(p, auth.TableManage, auth.Anywhere); err != nil {
		return nil, err
	}
	in.Normalize()
	if in.Chamber == "" && p.Role == auth.ChamberOperator {
		in.Chamber = p.Org
	}
	if in.Status == "" {
		in.Status = Active
	}
	var fe attesta.FieldErrors
	in.Validate(&fe)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	id, err := people.NewID(s.rand, "tbl")
	if err != nil {
		return nil, err
	}
	in.ID, in.Members, in.CreatedAt, in.UpdatedAt = id, nil, s.now(), s.now()
	err = s.store.Update(ctx, func(w Writer) error {
		chamber, err := w.Organisation(ctx, in.Chamber)
		if attesta.ErrorCode(err) == attesta.NotFound || (err == nil && chamber.Kind != auth.Chamber) {
			fe.Problem("chamber", "err.roundtable.chamber.unknown", in.Chamber)
			return fe.Err()
		}
		if err != nil {
			return err
		}
		in.Province = chamber.Province
		err = mayManage(p, &in, "table", in.ID)
		if attesta.ErrorCode(err) == attesta.NotFound {
			return attesta.E(attesta.Forbidden, "err.roundtable.chamber.own")
		}
		if err != nil {
			return err
		}
		if err := w.InsertTable(ctx, &in); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, in.CreatedAt, actionCreate, in.Object(), nil, in)
	})
	if err != nil {
		return nil, fmt.Errorf("activating the %s table %s: %w", in.Sector, in.Year, err)
	}
	return &in, nil
}

// Update replaces a table's title and status with in.Title and in.Status
// (in.ID names the table). A blank one keeps the stored value. Its Chamber,
// sector and year do not change: in may leave them empty, and one that
// differs from the table's is refused (Invalid, naming the field) rather
// than ignored. An update that changes nothing writes and records nothing.
// Reopening a closed table is an update.
func (s *Service) Update(ctx context.Context, p *auth.Principal, in Table) (*Table, error) {
	in.Normalize()
	var out *Table
	err := s.store.Update(ctx, func(w Writer) error {
		old, err := s.open(ctx, w, p, in.ID, "table", in.ID, true)
		if err != nil {
			return err
		}
		var fe attesta.FieldErrors
		for _, f := range []struct{ field, in, old string }{{"chamber", in.Chamber, old.Chamber}, {"sector", in.Sector, old.Sector}, {"year", in.Year, old.Year}} {
			if f.in != "" && f.in != f.old {
				fe.Problem(f.field, "err.roundtable.fixed", f.old)
			}
		}
		t := *old
		t.Title, t.Status, t.UpdatedAt = cmp.Or(in.Title, old.Title), cmp.Or(in.Status, old.Status), s.now()
		t.Validate(&fe)
		if err := fe.Err(); err != nil {
			return err
		}
		if t.Title == old.Title && t.Status == old.Status {
			out = old // nothing changes: nothing is written, nor recorded
			return nil
		}
		if err := w.UpdateTable(ctx, &t); err != nil {
			return err
		}
		out = &t
		return audit.Record(ctx, w, p, t.UpdatedAt, actionUpdate, t.Object(), old, t)
	})
	if err != nil {
		return nil, fmt.Errorf("updating table %s: %w", in.ID, err)
	}
	return out, nil
}

// AddMember puts a school, association or company of the Chamber's
// provinces at a table.
func (s *Service) AddMember(ctx context.Context, p *auth.Principal, tableID, orgID string) (*Table, error) {
	var out *Table
	err := s.store.Update(ctx, func(w Writer) error {
		t, err := s.open(ctx, w, p, tableID, "table", tableID, false)
		if err != nil {
			return err
		}
		o, err := s.candidate(ctx, w, p, t, orgID)
		if err != nil {
			return err
		}
		if _, ok := t.Member(o.ID); ok {
			return attesta.E(attesta.Conflict, "err.roundtable.member.already", o.Name)
		}
		if err := w.AddTableMember(ctx, t.ID, o.ID, s.now()); err != nil {
			return err
		}
		obj := t.Object()
		if out, err = w.Table(ctx, t.ID); err != nil {
			return err
		}
		m, _ := out.Member(o.ID)
		return audit.Record(ctx, w, p, s.now(), actionMemberAdd, obj, nil, m)
	})
	if err != nil {
		return nil, fmt.Errorf("adding %s to table %s: %w", orgID, tableID, err)
	}
	return out, nil
}

// candidate returns the organisation orgID if it may sit at t: a school,
// association or company in a province of t's Chamber that p reaches.
// Anything else is invalid input; an organisation out of p's reach reads
// as one that does not exist.
func (s *Service) candidate(ctx context.Context, w Writer, p *auth.Principal, t *Table, orgID string) (*org.Organisation, error) {
	var fe attesta.FieldErrors
	unknown := func() error {
		fe.Problem("org", "err.roundtable.member.unknown", orgID)
		return fe.Err()
	}
	if !validID(orgID) {
		return nil, unknown()
	}
	chamber, err := w.Organisation(ctx, t.Chamber)
	if err != nil {
		return nil, err
	}
	o, err := w.Organisation(ctx, orgID)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil, unknown()
	}
	if err != nil {
		return nil, err
	}
	if !auth.Reaches(p, o.Object()) || !slices.Contains(chamber.Provinces, o.Province) {
		return nil, unknown()
	}
	if !slices.Contains(MemberKinds, o.Kind) {
		fe.Problem("org", "err.roundtable.member.kind", o.Name)
		return nil, fe.Err()
	}
	return o, nil
}

// RemoveMember takes an organisation off a table.
func (s *Service) RemoveMember(ctx context.Context, p *auth.Principal, tableID, orgID string) (*Table, error) {
	var out *Table
	err := s.store.Update(ctx, func(w Writer) error {
		t, err := s.open(ctx, w, p, tableID, "table", tableID, false)
		if err != nil {
			return err
		}
		m, ok := t.Member(orgID)
		if !ok {
			return attesta.E(attesta.NotFound, "err.roundtable.member.notfound", orgID)
		}
		if err := w.RemoveTableMember(ctx, t.ID, orgID); err != nil {
			return err
		}
		if err := audit.Record(ctx, w, p, s.now(), actionMemberRemove, t.Object(), m, nil); err != nil {
			return err
		}
		out, err = w.Table(ctx, t.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("removing %s from table %s: %w", orgID, tableID, err)
	}
	return out, nil
}

// List returns the tables p may see that match f.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]Table, error) {
	if err := auth.Decide(p, auth.TableView, auth.Anywhere); err != nil {
		return nil, err
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	f.Reach = reach(p)
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = MaxLimit
	}
	var out []Table
	err := s.store.View(ctx, func(r Reader) (err error) {
		out, err = r.Tables(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	// The filter above is the scope; this is the decision, kept in one place.
	return slices.DeleteFunc(out, func(t Table) bool { return !auth.Reaches(p, t.Object()) }), nil
}

// Get returns a table with its members and meetings, if p may see it.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id string) (*View, error) {
	var out *View
	err := s.store.View(ctx, func(r Reader) error {
		if !validID(id) {
			return notFound("table", id)
		}
		t, err := r.Table(ctx, id)
		if err != nil {
			return err
		}
		if err := decide(p, auth.TableView, t, "table", id); err != nil {
			return err
		}
		v := &View{Table: *t}
		if v.Meetings, err = r.TableMeetings(ctx, id); err != nil {
			return err
		}
		out = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading table %s: %w", id, err)
	}
	return out, nil
}

// AddMeeting records a meeting of the table in.Table.
func (s *Service) AddMeeting(ctx context.Context, p *auth.Principal, in Meeting) (*Meeting, error) {
	in.Normalize()
	err := s.store.Update(ctx, func(w Writer) error {
		t, err := s.open(ctx, w, p, in.Table, "table", in.Table, false)
		if err != nil {
			return err
		}
		var fe attesta.FieldErrors
		in.Validate(&fe)
		if err := fe.Err(); err != nil {
			return err
		}
		if in.ID, err = people.NewID(s.rand, "mtg"); err != nil {
			return err
		}
		in.Attachments, in.CreatedAt, in.UpdatedAt = nil, s.now(), s.now()
		if err := w.InsertTableMeeting(ctx, &in); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, in.CreatedAt, actionMeetingAdd, t.Object(), nil, in)
	})
	if err != nil {
		return nil, fmt.Errorf("adding a meeting to table %s: %w", in.Table, err)
	}
	return &in, nil
}

// meeting reads meeting id and its table for a change by p, decides and
// locks the table; it returns them as they are once the change may go
// ahead.
func (s *Service) meeting(ctx context.Context, w Writer, p *auth.Principal, id string) (*Meeting, *Table, error) {
	if !validID(id) {
		return nil, nil, notFound("meeting", id)
	}
	m, err := w.TableMeeting(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.open(ctx, w, p, m.Table, "meeting", id, false)
	if err != nil {
		return nil, nil, err
	}
	if m, err = w.TableMeeting(ctx, id); err != nil {
		return nil, nil, err
	}
	return m, t, nil
}

// UpdateMeeting changes a meeting's date, agenda and minutes (in.ID names
// the meeting). Its table does not change: in.Table may be empty, and
// another table is refused (Invalid) rather than ignored. A blank field
// keeps the stored value: a blank is not a removal. clear may name
// "minutes", to remove them; the audit trail records the meeting before
// and after. An update that changes nothing writes and records nothing.
func (s *Service) UpdateMeeting(ctx context.Context, p *auth.Principal, in Meeting, clear ...string) (*Meeting, error) {
	in.Normalize()
	var out *Meeting
	err := s.store.Update(ctx, func(w Writer) error {
		old, t, err := s.meeting(ctx, w, p, in.ID)
		if err != nil {
			return err
		}
		var fe attesta.FieldErrors
		if in.Table != "" && in.Table != old.Table {
			fe.Problem("table", "err.roundtable.fixed", old.Table)
		}
		m := *old
		m.Date, m.Agenda, m.UpdatedAt = cmp.Or(in.Date, old.Date), cmp.Or(in.Agenda, old.Agenda), s.now()
		switch {
		case !slices.Contains(clear, "minutes"):
			m.Minutes = cmp.Or(in.Minutes, old.Minutes)
		case in.Minutes != "":
			fe.Problem("minutes", "err.roundtable.clear.given")
		default:
			m.Minutes = ""
		}
		for _, c := range clear {
			if c != "minutes" {
				fe.Problem("clear", "err.roundtable.clear.unknown", c)
			}
		}
		m.Validate(&fe)
		if err := fe.Err(); err != nil {
			return err
		}
		if m.Date == old.Date && m.Agenda == old.Agenda && m.Minutes == old.Minutes {
			out = old // nothing changes: nothing is written, nor recorded
			return nil
		}
		if err := w.UpdateTableMeeting(ctx, &m); err != nil {
			return err
		}
		out = &m
		return audit.Record(ctx, w, p, m.UpdatedAt, actionMeetingEdit, t.Object(), old, m)
	})
	if err != nil {
		return nil, fmt.Errorf("updating meeting %s: %w", in.ID, err)
	}
	return out, nil
}

// AddAttachment attaches a file to a meeting's minutes. The content must
// be one of ContentTypes, whatever its name says.
func (s *Service) AddAttachment(ctx context.Context, p *auth.Principal, meetingID, name string, content []byte) (*Attachment, error) {
	name = FileName(name)
	var out *Attachment
	err := s.store.Update(ctx, func(w Writer) error {
		m, t, err := s.meeting(ctx, w, p, meetingID)
		if err != nil {
			return err
		}
		var fe attesta.FieldErrors
		ct := checkAttachment(&fe, name, content)
		if err := fe.Err(); err != nil {
			return err
		}
		if len(m.Attachments) >= MaxAttachments {
			return attesta.E(attesta.Conflict, "err.roundtable.attachments.toomany", MaxAttachments)
		}
		sum := sha256.Sum256(content)
		a := Attachment{Meeting: m.ID, Name: name, ContentType: ct, Size: int64(len(content)),
			SHA256: hex.EncodeToString(sum[:]), CreatedAt: s.now()}
		if a.ID, err = people.NewID(s.rand, "att"); err != nil {
			return err
		}
		if err := w.InsertTableAttachment(ctx, &a, content); err != nil {
			return err
		}
		out = &a
		return audit.Record(ctx, w, p, a.CreatedAt, actionAttach, t.Object(), nil, a)
	})
	if err != nil {
		return nil, fmt.Errorf("attaching %q to meeting %s: %w", name, meetingID, err)
	}
	return out, nil
}

// Attachment returns an attachment with its content, if p may see its
// table.
func (s *Service) Attachment(ctx context.Context, p *auth.Principal, id string) (*Attachment, []byte, error) {
	var (
		out     *Attachment
		content []byte
	)
	err := s.store.View(ctx, func(r Reader) error {
		if !validID(id) {
			return notFound("attachment", id)
		}
		a, err := r.TableAttachment(ctx, id)
		if err != nil {
			return err
		}
		m, err := r.TableMeeting(ctx, a.Meeting)
		if err != nil {
			return err
		}
		t, err := r.Table(ctx, m.Table)
		if err != nil {
			return err
		}
		if err := decide(p, auth.TableView, t, "attachment", id); err != nil {
			return err
		}
		if content, err = r.TableAttachmentContent(ctx, id); err != nil {
			return err
		}
		if sum := sha256.Sum256(content); hex.EncodeToString(sum[:]) != a.SHA256 {
			return fmt.Errorf("the content of attachment %s does not match its SHA-256", id)
		}
		out = a
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("reading attachment %s: %w", id, err)
	}
	return out, content, nil
}

// MayChangeMeeting reports whether p may change meeting id, as AddAttachment
// and UpdateMeeting will decide: a surface asks before it reads an upload,
// so that a refused one is not read at all.
func (s *Service) MayChangeMeeting(ctx context.Context, p *auth.Principal, id string) error {
	if !validID(id) {
		return notFound("meeting", id)
	}
	return s.store.View(ctx, func(r Reader) error {
		m, err := r.TableMeeting(ctx, id)
		if err != nil {
			return err
		}
		t, err := r.Table(ctx, m.Table)
		if err != nil {
			return err
		}
		return mayManage(p, t, "meeting", id)
	})
}
