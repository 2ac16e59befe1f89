// Package rights is a learner's rights over their data (GDPR articles 15,
// 17 and 20): a copy of everything attesta holds about them, in JSON, and
// the erasure they ask for, which the Chamber of their territory completes.
//
// # What erasure does, and what it keeps
//
// Asking closes the learner's public links at once. Completing it, the
// Chamber pseudonymises the person (name, e-mail address, the student
// record's contact and guardian), removes what lets anyone sign in as them
// (password, sessions, access tokens, one-time links, sign-in identities),
// closes their links and deletes their notices. It keeps what the
// certification must keep under the Chamber's legal obligations — the
// commission's minutes and decisions, the dossier, the sheet, the test
// attempts, the audit trail — now naming a pseudonym where they are read
// through the person; and the badges already issued stay valid and
// verifiable by whoever holds them: a badge names its learner only by a
// salted hash, and the transparency log holds digests, never personal data.
// docs/design/rights.md says it at length.
package rights

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
)

// State is where a request is.
type State string

// The states of a request.
const (
	Requested State = "requested"
	Completed State = "completed"
)

// Request is a learner's request of erasure.
type Request struct {
	ID     string `json:"id"`
	Person string `json:"person"`
	// Name is the learner's name when they asked, for the Chamber's list;
	// School and Province say whose territory it is in.
	Name        string    `json:"name"`
	School      string    `json:"school"`
	Province    string    `json:"province"`
	State       State     `json:"state"`
	Reason      string    `json:"reason,omitempty"` // the learner's words, if any
	RequestedAt time.Time `json:"requested_at"`
	CompletedAt time.Time `json:"completed_at,omitzero"`
	CompletedBy string    `json:"completed_by,omitempty"`
	Note        string    `json:"note,omitempty"` // the Chamber's, on completing
}

// Object is a request for authorization: the learner's, in their school's
// province.
func (r *Request) Object() auth.Object {
	return auth.Object{Kind: auth.PersonObject, ID: r.Person, Person: r.Person,
		Places: []auth.Place{{Org: r.School, Province: r.Province}}}
}

// Pseudonym is the name an erased person is shown by.
var Pseudonym = people.Person{GivenName: "Persona", FamilyName: "cancellata"}

// Reader reads requests.
type Reader interface {
	DataRequest(ctx context.Context, id string) (*Request, error)
	// DataRequests lists the requests of the provinces (all, if nil),
	// pending first, newest first, at most limit.
	DataRequests(ctx context.Context, provinces []string, limit int) ([]Request, error)
	// PendingRequest returns person's request not yet completed, or
	// NotFound.
	PendingRequest(ctx context.Context, person string) (*Request, error)
	Person(ctx context.Context, id string) (*people.Person, error)
	Memberships(ctx context.Context, person string) ([]auth.Membership, error)
	Student(ctx context.Context, person string) (*people.Student, error)
	Organisation(ctx context.Context, id string) (*org.Organisation, error)
}

// Writer changes requests and erases.
type Writer interface {
	Reader
	audit.Recorder
	InsertDataRequest(ctx context.Context, r *Request) error
	UpdateDataRequest(ctx context.Context, r *Request) error
	// CloseLinks turns off every public link of person.
	CloseLinks(ctx context.Context, person string, at time.Time) (int, error)
	// Erase pseudonymises person and removes their means of signing in
	// and their notices (package doc).
	Erase(ctx context.Context, person string, pseudonym people.Person, at time.Time) error
}

// Store runs transactions.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Service is the learners' rights.
type Service struct {
	store Store
	now   func() time.Time
	rand  io.Reader
}

// NewService returns the service.
func NewService(store Store, clock func() time.Time, rnd io.Reader) *Service {
	if clock == nil {
		clock = time.Now
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Service{store: store, now: clock, rand: rnd}
}

// maxReason bounds the learner's and the Chamber's words.
const maxReason = 2000

func checkWords(field, s string, fe *attesta.FieldErrors) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxReason {
		fe.Problem(field, "err.rights.long", maxReason)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f }) {
		fe.Problem(field, "err.rights.chars")
	}
	return s
}

// Ask records p's request of erasure of their own data, which they
// confirmed knowing what it means, and closes their public links at once.
// A learner with a request pending is told so (Conflict), and nothing
// changes.
func (s *Service) Ask(ctx context.Context, p *auth.Principal, reason string, confirmed bool) (*Request, error) {
	if p == nil {
		return nil, attesta.E(attesta.Unauthenticated, "err.auth.signin")
	}
	if err := auth.Decide(p, auth.DataRequest, people.PersonObject(p.Person, nil)); err != nil {
		return nil, err
	}
	var fe attesta.FieldErrors
	reason = checkWords("reason", reason, &fe)
	if !confirmed {
		fe.Problem("confirm", "err.rights.confirm")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	var out *Request
	err := s.store.Update(ctx, func(w Writer) error {
		req, err := s.newRequest(ctx, w, p.Person, reason, now)
		if err != nil {
			return err
		}
		if _, err := w.PendingRequest(ctx, p.Person); err == nil {
			return attesta.E(attesta.Conflict, "err.rights.pending")
		} else if attesta.ErrorCode(err) != attesta.NotFound {
			return err
		}
		if err := w.InsertDataRequest(ctx, req); err != nil {
			return err
		}
		if _, err := w.CloseLinks(ctx, p.Person, now); err != nil {
			return err
		}
		out = req
		// The trail keeps that it was asked, not the name nor the words:
		// it outlives the erasure.
		logged := *req
		logged.Name, logged.Reason = "", ""
		return audit.Record(ctx, w, p, now, string(auth.DataRequest), req.Object(), nil, &logged)
	})
	if err != nil {
		return nil, fmt.Errorf("asking for erasure: %w", err)
	}
	return out, nil
}

func (s *Service) newRequest(ctx context.Context, r Reader, person, reason string, now time.Time) (*Request, error) {
	pe, err := r.Person(ctx, person)
	if err != nil {
		return nil, err
	}
	st, err := r.Student(ctx, person)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil, attesta.E(attesta.Conflict, "err.rights.notstudent")
	}
	if err != nil {
		return nil, err
	}
	school, err := r.Organisation(ctx, st.School)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 12)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return nil, err
	}
	return &Request{ID: "dr-" + hex.EncodeToString(b), Person: person, Name: pe.Name(), School: school.ID, Province: school.Province,
		State: Requested, Reason: reason, RequestedAt: now}, nil
}

// Mine returns p's pending request, or nil.
func (s *Service) Mine(ctx context.Context, p *auth.Principal) (*Request, error) {
	var out *Request
	err := s.store.View(ctx, func(r Reader) error {
		req, err := r.PendingRequest(ctx, p.Person)
		if attesta.ErrorCode(err) == attesta.NotFound {
			return nil
		}
		out = req
		return err
	})
	return out, err
}

// Requests lists the requests p completes: a Chamber's operators, those of
// their territory; the national body, all.
func (s *Service) Requests(ctx context.Context, p *auth.Principal) ([]Request, error) {
	if err := auth.Decide(p, auth.DataErase, auth.Anywhere); err != nil {
		return nil, err
	}
	var out []Request
	err := s.store.View(ctx, func(r Reader) error {
		rs, err := r.DataRequests(ctx, p.Provinces, 500)
		out = rs
		return err
	})
	return out, err
}

// Complete erases the data of a request's learner, as p (an operator of
// the Chamber of the learner's territory) completes it, confirmed, with a
// note.
func (s *Service) Complete(ctx context.Context, p *auth.Principal, id, note string, confirmed bool) (*Request, error) {
	if err := auth.Decide(p, auth.DataErase, auth.Anywhere); err != nil {
		return nil, err
	}
	var fe attesta.FieldErrors
	note = checkWords("note", note, &fe)
	if !confirmed {
		fe.Problem("confirm", "err.rights.confirm.erase")
	}
	now := s.now()
	var out *Request
	err := s.store.Update(ctx, func(w Writer) error {
		req, err := w.DataRequest(ctx, id)
		if err != nil {
			return err
		}
		if err := auth.Decide(p, auth.DataErase, req.Object()); err != nil {
			if attesta.ErrorCode(err) == attesta.NotFound {
				return attesta.E(attesta.NotFound, "err.rights.notfound", id)
			}
			return err
		}
		if req.State == Completed {
			return attesta.E(attesta.Conflict, "err.rights.completed", attesta.DateTime(req.CompletedAt))
		}
		if err := fe.Err(); err != nil {
			return err
		}
		old := *req
		if err := w.Erase(ctx, req.Person, Pseudonym, now); err != nil {
			return err
		}
		if _, err := w.CloseLinks(ctx, req.Person, now); err != nil {
			return err
		}
		req.State, req.CompletedAt, req.CompletedBy, req.Note = Completed, now, p.Name, note
		req.Name, req.Reason = Pseudonym.Name(), ""
		if err := w.UpdateDataRequest(ctx, req); err != nil {
			return err
		}
		out = req
		// The trail says that it was done, by whom and when; not whose
		// name it was.
		old.Name, old.Reason = "", ""
		return audit.Record(ctx, w, p, now, string(auth.DataErase), req.Object(), &old, req)
	})
	if err != nil {
		return nil, fmt.Errorf("completing erasure %s: %w", id, err)
	}
	return out, nil
}
