package competence

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
)

// Store keeps versions of standards. Every use-case runs in one call to View
// or Update, which is one database transaction: if fn returns an error,
// nothing it wrote is kept.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Reader reads versions inside a transaction.
type Reader interface {
	// Infos returns every version of every standard, ordered by sector and
	// version.
	Infos(ctx context.Context) ([]Info, error)
	// Standard returns one version with its content, or an error with code
	// attesta.NotFound.
	Standard(ctx context.Context, sector string, version int) (*Standard, error)
}

// Writer writes versions inside a transaction. It stores what it is given;
// the rules of what may change are the Service's. A write that fails with
// a Conflict leaves the transaction usable.
type Writer interface {
	Reader
	// Record appends an entry to the audit trail (audit.Recorder), in the
	// transaction of the change it records.
	Record(ctx context.Context, e *audit.Entry) error
	// Insert adds a version that does not exist yet; a version that exists
	// is an error with code attesta.Conflict.
	Insert(ctx context.Context, s *Standard) error
	// Replace overwrites the version s.Sector/s.Version, which must
	// currently have status was; otherwise it is an error with code
	// attesta.Conflict (someone else changed it).
	Replace(ctx context.Context, s *Standard, was Status) error
}

// Service is the use-cases of the competence standard.
type Service struct {
	store Store
	now   attesta.Clock
}

// NewService returns a Service storing in store and reading time from now.
func NewService(store Store, now attesta.Clock) *Service {
	return &Service{store: store, now: now}
}

// SeesDrafts reports whether p may see the drafts of the standards: the
// national body, which owns them. Everyone else, signed in or not, sees
// the published and superseded versions only; a draft does not exist for
// them (docs/design/standards.md).
func SeesDrafts(p *auth.Principal) bool {
	return p != nil && auth.Can(p, auth.StandardDrafts, auth.Anywhere)
}

// visible keeps the versions p may see.
func visible(p *auth.Principal, infos []Info) []Info {
	if SeesDrafts(p) {
		return infos
	}
	return slices.DeleteFunc(infos, func(in Info) bool { return in.Status == Draft })
}

// versionNotFound is the refusal of a version that does not exist, or that
// is a draft its reader may not see: the same words as the store's.
func versionNotFound(sector string, version int) error {
	return attesta.E(attesta.NotFound, "err.competence.version.notfound", version, sector)
}

// draftNotFound is the refusal of a sector's draft that does not exist, or
// that its reader may not see.
func draftNotFound(sector string) error {
	return attesta.E(attesta.NotFound, "err.competence.draft.notfound", sector)
}

// Sectors returns the current version of each sector's standard that p
// (nil: a visitor) may see: the published one; for the national body, the
// draft of a sector never published. Ordered by sector.
func (s *Service) Sectors(ctx context.Context, p *auth.Principal) ([]Info, error) {
	var out []Info
	err := s.store.View(ctx, func(r Reader) error {
		infos, err := r.Infos(ctx)
		if err != nil {
			return err
		}
		out = currentOf(visible(p, infos))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing sectors: %w", err)
	}
	return out, nil
}

// currentOf picks, for each sector, its published version or else its
// latest version. infos is ordered by sector and version.
func currentOf(infos []Info) []Info {
	var out []Info
	for _, in := range infos {
		if len(out) > 0 && out[len(out)-1].Sector == in.Sector {
			last := &out[len(out)-1]
			if last.Status != Published {
				*last = in
			}
			continue
		}
		out = append(out, in)
	}
	return out
}

// Versions returns every version of every standard that p (nil: a
// visitor) may see, ordered by sector and version.
func (s *Service) Versions(ctx context.Context, p *auth.Principal) ([]Info, error) {
	var out []Info
	err := s.store.View(ctx, func(r Reader) (err error) {
		out, err = r.Infos(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing versions: %w", err)
	}
	return visible(p, out), nil
}

// Current returns the current version of a sector's standard that p may
// see (see Sectors).
func (s *Service) Current(ctx context.Context, p *auth.Principal, sector string) (*Standard, error) {
	var out *Standard
	err := s.store.View(ctx, func(r Reader) error {
		infos, err := r.Infos(ctx)
		if err != nil {
			return err
		}
		for _, in := range currentOf(visible(p, infos)) {
			if in.Sector == sector {
				out, err = r.Standard(ctx, in.Sector, in.Version)
				return err
			}
		}
		return attesta.E(attesta.NotFound, "err.competence.sector.notfound", sector)
	})
	if err != nil {
		return nil, fmt.Errorf("reading sector %s: %w", sector, err)
	}
	return out, nil
}

// Version returns one version of a sector's standard. A draft is not found
// unless p may see drafts.
func (s *Service) Version(ctx context.Context, p *auth.Principal, sector string, version int) (*Standard, error) {
	var out *Standard
	err := s.store.View(ctx, func(r Reader) (err error) {
		out, err = r.Standard(ctx, sector, version)
		if err == nil && out.Status == Draft && !SeesDrafts(p) {
			return versionNotFound(sector, version)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s version %d: %w", sector, version, err)
	}
	return out, nil
}

// Draft returns the draft of a sector's standard, which only the national
// body sees: to anyone else it is not found, as when there is none.
func (s *Service) Draft(ctx context.Context, p *auth.Principal, sector string) (*Standard, error) {
	if !SeesDrafts(p) {
		return nil, fmt.Errorf("reading the draft of %s: %w", sector, draftNotFound(sector))
	}
	var out *Standard
	err := s.store.View(ctx, func(r Reader) (err error) {
		out, err = draftOf(ctx, r, sector)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the draft of %s: %w", sector, err)
	}
	return out, nil
}

// draftOf reads the draft of sector, or says there is none.
func draftOf(ctx context.Context, r Reader, sector string) (*Standard, error) {
	infos, err := r.Infos(ctx)
	if err != nil {
		return nil, err
	}
	for _, in := range infos {
		if in.Sector == sector && in.Status == Draft {
			return r.Standard(ctx, sector, in.Version)
		}
	}
	return nil, draftNotFound(sector)
}

// Export returns every version of every standard, drafts included, as a
// File. It is the command line's, run by whoever holds the database; no
// surface serves it.
func (s *Service) Export(ctx context.Context) (*File, error) {
	f := &File{Format: FormatV1}
	err := s.store.View(ctx, func(r Reader) error {
		infos, err := r.Infos(ctx)
		if err != nil {
			return err
		}
		for _, in := range infos {
			st, err := r.Standard(ctx, in.Sector, in.Version)
			if err != nil {
				return err
			}
			f.Standards = append(f.Standards, *st)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("exporting standards: %w", err)
	}
	return f, nil
}

// ImportReport says what an import did to each version in the file.
type ImportReport struct {
	Created   []string // "sector vN"
	Updated   []string // drafts replaced, or published
	Unchanged []string // already present with the same content and status
}

// Import stores every version of f, in one transaction: all or nothing. f
// must have been checked by Decode or ValidateFile. A version not yet
// present is created with the status the file gives; a draft is replaced;
// a published or superseded version must be identical to the stored one,
// except that a published version becomes superseded when the file
// publishes a newer one. Any other difference is a conflict and nothing is
// imported.
func (s *Service) Import(ctx context.Context, f *File) (*ImportReport, error) {
	if ps := ValidateFile(f); len(ps) > 0 {
		return nil, attesta.Wrap(ps, attesta.Invalid, "err.competence.file.invalid")
	}
	// Oldest first, so that a newer published version supersedes an older
	// one within the same file.
	todo := slices.Clone(f.Standards)
	slices.SortStableFunc(todo, func(a, b Standard) int {
		return cmp.Or(cmp.Compare(a.Sector, b.Sector), cmp.Compare(a.Version, b.Version))
	})
	publishedIn := map[string]int{} // sector → version the file publishes
	for _, st := range todo {
		if st.Status == Published {
			publishedIn[st.Sector] = st.Version
		}
	}
	rep := &ImportReport{}
	err := s.store.Update(ctx, func(w Writer) error {
		var problems Problems
		// refused records the refusal of a version by admit; any other
		// error ends the import.
		refused := func(name string, err error) error {
			var e *attesta.Error
			if !errors.As(err, &e) || e.Code == attesta.Internal {
				return err
			}
			problems = append(problems, newProblem(name, e.Message))
			return nil
		}
		for i := range todo {
			st := &todo[i]
			if st.Status != Draft && st.Digest == "" {
				st.Digest = ComputeDigest(st)
			}
			name := fmt.Sprintf("%s v%d", st.Sector, st.Version)
			old, err := w.Standard(ctx, st.Sector, st.Version)
			switch {
			case attesta.ErrorCode(err) == attesta.NotFound:
				if err := s.admit(ctx, w, st); err != nil {
					if err := refused(name, err); err != nil {
						return err
					}
					continue
				}
				if err := w.Insert(ctx, st); err != nil {
					return err
				}
				rep.Created = append(rep.Created, name)
			case err != nil:
				return err
			case old.Status == Draft && st.Status == Superseded:
				problems = append(problems, newProblem(name, attesta.M("err.competence.import.draftsuperseded", st.Version, st.Sector)))
			case old.Status == Draft && st.Status == Draft && ComputeDigest(old) == ComputeDigest(st):
				rep.Unchanged = append(rep.Unchanged, name)
			case old.Status == Draft:
				if st.Status == Published {
					if err := s.admit(ctx, w, st); err != nil {
						if err := refused(name, err); err != nil {
							return err
						}
						continue
					}
				}
				if err := w.Replace(ctx, st, Draft); err != nil {
					return err
				}
				rep.Updated = append(rep.Updated, name)
			case old.Digest != st.Digest:
				problems = append(problems, newProblem(name, attesta.M("err.competence.frozen", st.Version, st.Sector, statusName(old.Status))))
			case old.Status == st.Status && old.PublishedAt.Equal(st.PublishedAt):
				rep.Unchanged = append(rep.Unchanged, name)
			case old.Status == Superseded && st.Status == Published:
				// The database already has a newer published version.
				problems = append(problems, newProblem(name, attesta.M("err.competence.import.republish", st.Version, st.Sector)))
			case old.Status == Published && st.Status == Superseded && publishedIn[st.Sector] > st.Version:
				// Superseded by the newer published version of this file,
				// which is imported after it (older first) and supersedes it.
				rep.Updated = append(rep.Updated, name)
			default:
				problems = append(problems, newProblem(name, attesta.M("err.competence.import.differs", st.Version, st.Sector)))
			}
		}
		if len(problems) > 0 {
			return attesta.Wrap(problems, attesta.Conflict, "err.competence.file.conflict")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("importing standards: %w", err)
	}
	return rep, nil
}

// admit checks that the new version st fits with the versions stored for
// its sector, and supersedes the published version when st is a newer
// published one.
func (s *Service) admit(ctx context.Context, w Writer, st *Standard) error {
	infos, err := w.Infos(ctx)
	if err != nil {
		return err
	}
	for _, in := range infos {
		if in.Sector != st.Sector || in.Version == st.Version {
			continue
		}
		switch {
		case st.Status == Draft && in.Status == Draft:
			return attesta.E(attesta.Conflict, "err.competence.draft.exists", st.Sector, in.Version)
		case st.Status == Draft && in.Version > st.Version:
			return attesta.E(attesta.Conflict, "err.competence.draft.older", st.Version, st.Sector, in.Version)
		case st.Status == Published && in.Status == Draft && in.Version < st.Version:
			return attesta.E(attesta.Conflict, "err.competence.publish.olderdraft", st.Version, st.Sector, in.Version)
		case st.Status == Published && in.Version > st.Version && in.Status != Draft:
			return attesta.E(attesta.Conflict, "err.competence.publish.newer", st.Version, st.Sector, in.Version)
		case st.Status == Published && in.Status == Published:
			old, err := w.Standard(ctx, in.Sector, in.Version)
			if err != nil {
				return err
			}
			old.Status = Superseded
			if err := w.Replace(ctx, old, Published); err != nil {
				return err
			}
		case st.Status == Superseded && in.Status == Published && in.Version < st.Version:
			return attesta.E(attesta.Conflict, "err.competence.supersede.older", st.Version, st.Sector, in.Version)
		}
	}
	return nil
}

// statusName names a status in a message: "draft", "published" or
// "superseded", in the reader's language.
func statusName(st Status) attesta.Message {
	switch st {
	case Draft:
		return attesta.M("err.competence.status.draft")
	case Published:
		return attesta.M("err.competence.status.published")
	}
	return attesta.M("err.competence.status.superseded")
}
