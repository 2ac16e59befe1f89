package rights

import (
	"context"
	"encoding/json"
	"time"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/share"
)

// ExportFormat names the export's shape; a change of shape is a new one.
const ExportFormat = "attesta-data-export/1"

// Export is everything attesta holds about a learner that they may read,
// machine-readable (GDPR articles 15 and 20): their person and roles,
// their student record and classes, their experiences, the commissions'
// decisions about them, their badges and area credentials as issued, with
// their links, their notices and their pending request of erasure.
type Export struct {
	Format      string                  `json:"format"`
	Generated   time.Time               `json:"generated"`
	Person      people.Person           `json:"person"`
	Memberships []auth.Membership       `json:"memberships"`
	Student     *people.Student         `json:"student,omitempty"`
	Classes     []people.Class          `json:"classes,omitempty"`
	Experiences []experience.Experience `json:"experiences"`
	Decisions   []commission.Decided    `json:"decisions"`
	Badges      []ExportedBadge         `json:"badges"`
	Areas       []ExportedBadge         `json:"areas"`
	Notices     []commission.Notice     `json:"notices"`
	Erasure     *Request                `json:"erasure_request,omitempty"`
}

// ExportedBadge is a badge with its credential as issued and its link.
type ExportedBadge struct {
	Credential string          `json:"credential_id"`
	Competence string          `json:"competence"`
	Sector     string          `json:"sector"`
	IssuedAt   time.Time       `json:"issued_at"`
	Revoked    bool            `json:"revoked"`
	Suspended  bool            `json:"suspended"`
	Signed     json.RawMessage `json:"credential"`
	Link       *share.Link     `json:"link,omitempty"`
}

// Sources are where an export reads from, each deciding what p may read.
type Sources struct {
	People interface {
		Profile(ctx context.Context, p *auth.Principal, id string) (*people.Profile, error)
	}
	Outcomes interface {
		Record(ctx context.Context, p *auth.Principal, person string) (*commission.Record, error)
	}
	Credentials commission.CredentialReader
	Links       interface {
		Link(ctx context.Context, p *auth.Principal, credential string) (*share.Link, error)
	}
	Experiences interface {
		List(ctx context.Context, p *auth.Principal, f experience.Filter) ([]experience.Experience, error)
	}
}

// Export gathers p's own data (a learner's: data.request).
func (s *Service) Export(ctx context.Context, p *auth.Principal, src Sources) (*Export, error) {
	if err := auth.Decide(p, auth.DataRequest, people.PersonObject(p.Person, nil)); err != nil {
		return nil, err
	}
	prof, err := src.People.Profile(ctx, p, p.Person)
	if err != nil {
		return nil, err
	}
	out := &Export{Format: ExportFormat, Generated: s.now(), Person: prof.Person, Memberships: prof.Memberships,
		Student: prof.Student, Classes: prof.Classes, Experiences: []experience.Experience{}, Decisions: []commission.Decided{},
		Badges: []ExportedBadge{}, Areas: []ExportedBadge{}, Notices: []commission.Notice{}}
	if src.Experiences != nil {
		es, err := src.Experiences.List(ctx, p, experience.Filter{Limit: 1000})
		if err != nil {
			return nil, err
		}
		out.Experiences = append(out.Experiences, es...)
	}
	rec, err := src.Outcomes.Record(ctx, p, p.Person)
	if err != nil {
		return nil, err
	}
	out.Decisions = append(out.Decisions, rec.Decisions...)
	out.Notices = append(out.Notices, rec.Notices...)
	exported := func(id, competence, sector string, issued time.Time, revoked, suspended bool) (ExportedBadge, error) {
		e := ExportedBadge{Credential: id, Competence: competence, Sector: sector, IssuedAt: issued, Revoked: revoked, Suspended: suspended}
		cr, err := src.Credentials.Record(ctx, credential.Actor{Name: p.Name}, id)
		if err != nil {
			return e, err
		}
		e.Signed = cr.Body
		if cr.Format == credential.JWT {
			e.Signed, _ = json.Marshal(string(cr.Body))
		}
		e.Revoked, e.Suspended = cr.Revoked, cr.Suspended
		if src.Links != nil {
			if e.Link, err = src.Links.Link(ctx, p, id); err != nil {
				return e, err
			}
		}
		return e, nil
	}
	for _, b := range rec.Badges {
		e, err := exported(b.Credential, b.Competence, b.Sector, b.IssuedAt, b.Revoked, b.Suspended)
		if err != nil {
			return nil, err
		}
		out.Badges = append(out.Badges, e)
	}
	for _, st := range rec.Stacks {
		e, err := exported(st.Credential, st.Path, st.Sector, st.IssuedAt, false, false)
		if err != nil {
			return nil, err
		}
		out.Areas = append(out.Areas, e)
	}
	if out.Erasure, err = s.Mine(ctx, p); err != nil {
		return nil, err
	}
	return out, nil
}
