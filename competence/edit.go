package competence

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
)

// The actions of the audit trail.
const (
	actionDraft   = "standard.draft.create"
	actionEdit    = "standard.edit"
	actionPublish = "standard.publish"
)

// ScaleLevels is the number of levels of the observation scale a standard
// is published with: the three boxes per evidence of the observation sheet.
const ScaleLevels = 3

// Object describes a version for authorization and the audit trail: a
// standard belongs to no organisation, and its id is "sector/version".
func (s *Standard) Object() auth.Object {
	return auth.Object{Kind: auth.StandardObject, ID: fmt.Sprintf("%s/%d", s.Sector, s.Version)}
}

// NewDraft makes a new draft of a sector's standard from one of its
// published or superseded versions (from; 0 is the published one),
// numbered after the latest version. Only the national body makes drafts,
// and a sector has at most one.
func (s *Service) NewDraft(ctx context.Context, p *auth.Principal, sector string, from int) (*Standard, error) {
	if err := auth.Decide(p, auth.StandardEdit, auth.Anywhere); err != nil {
		return nil, err
	}
	var out *Standard
	err := s.store.Update(ctx, func(w Writer) error {
		infos, err := w.Infos(ctx)
		if err != nil {
			return err
		}
		latest, published := 0, 0
		for _, in := range infos {
			if in.Sector != sector {
				continue
			}
			if in.Status == Draft {
				return attesta.E(attesta.Conflict, "err.competence.draft.exists", sector, in.Version)
			}
			if in.Status == Published {
				published = in.Version
			}
			latest = max(latest, in.Version)
		}
		if latest == 0 {
			return attesta.E(attesta.NotFound, "err.competence.sector.notfound", sector)
		}
		if from == 0 {
			from = published
		}
		src, err := w.Standard(ctx, sector, from)
		if err != nil {
			return err
		}
		d := *src
		d.Version, d.Status, d.PublishedAt, d.Digest = latest+1, Draft, time.Time{}, ""
		if err := w.Insert(ctx, &d); err != nil {
			return err
		}
		out = &d
		return audit.Record(ctx, w, p, s.now(), actionDraft, d.Object(), nil,
			map[string]any{"sector": sector, "version": d.Version, "from": from})
	})
	if err != nil {
		return nil, fmt.Errorf("making a draft of %s from version %d: %w", sector, from, err)
	}
	return out, nil
}

// UpdateDraft replaces the whole content of the sector's draft version
// st.Version with st's. A published or superseded version cannot be
// modified (Conflict); content with problems changes nothing (Invalid,
// wrapping the [Problems]).
func (s *Service) UpdateDraft(ctx context.Context, p *auth.Principal, st *Standard) (*Standard, error) {
	return s.edit(ctx, p, st.Sector, st.Version, func(d *Standard) error {
		c := *st
		c.Sector, c.Version, c.Status, c.PublishedAt, c.Digest = d.Sector, d.Version, Draft, time.Time{}, ""
		*d = c
		return nil
	})
}

// Header is the part of a standard that is the sector's own: its title,
// description and levels, the observation scale and the micro-credential
// elements every competence inherits.
type Header struct {
	Title       Text
	Description Text
	Levels      []Level
	Scale       []ScaleLevel
	Defaults    MicroCredential
}

// EditHeader replaces the header of the sector's draft version. The scale
// must have exactly [ScaleLevels] levels, valued 1, 2, 3.
func (s *Service) EditHeader(ctx context.Context, p *auth.Principal, sector string, version int, h Header) (*Standard, error) {
	if len(h.Scale) != ScaleLevels {
		ps := Problems{newProblem("observation_scale", attesta.M("err.competence.scale.three", ScaleLevels, len(h.Scale)))}
		return nil, attesta.Wrap(ps, attesta.Invalid, "err.competence.standard.invalid")
	}
	return s.edit(ctx, p, sector, version, func(d *Standard) error {
		d.Title, d.Description, d.Levels, d.Scale, d.Defaults = h.Title, h.Description, h.Levels, h.Scale, h.Defaults
		return nil
	})
}

// EditPath replaces the path id of the sector's draft version with pa,
// whose id is id.
func (s *Service) EditPath(ctx context.Context, p *auth.Principal, sector string, version int, id string, pa Path) (*Standard, error) {
	return s.edit(ctx, p, sector, version, func(d *Standard) error {
		i := slices.IndexFunc(d.Paths, func(x Path) bool { return x.ID == id })
		if i < 0 {
			return attesta.E(attesta.NotFound, "err.competence.path.notfound", id, sector)
		}
		pa.ID = id
		d.Paths[i] = pa
		return nil
	})
}

// AddPath adds pa at the end of the paths of the sector's draft version.
func (s *Service) AddPath(ctx context.Context, p *auth.Principal, sector string, version int, pa Path) (*Standard, error) {
	return s.edit(ctx, p, sector, version, func(d *Standard) error {
		d.Paths = append(d.Paths, pa)
		return nil
	})
}

// RemovePath removes the path id of the sector's draft version; its
// competences stay in the standard.
func (s *Service) RemovePath(ctx context.Context, p *auth.Principal, sector string, version int, id string) (*Standard, error) {
	return s.edit(ctx, p, sector, version, func(d *Standard) error {
		i := slices.IndexFunc(d.Paths, func(x Path) bool { return x.ID == id })
		if i < 0 {
			return attesta.E(attesta.NotFound, "err.competence.path.notfound", id, sector)
		}
		d.Paths = slices.Delete(d.Paths, i, i+1)
		return nil
	})
}

// EditCompetence replaces the competence code of the sector's draft
// version with c, whose code is code.
func (s *Service) EditCompetence(ctx context.Context, p *auth.Principal, sector string, version int, code string, c Competence) (*Standard, error) {
	return s.edit(ctx, p, sector, version, func(d *Standard) error {
		i := slices.IndexFunc(d.Competences, func(x Competence) bool { return x.Code == code })
		if i < 0 {
			return attesta.E(attesta.NotFound, "err.competence.competence.notfound", code, sector)
		}
		c.Code = code
		d.Competences[i] = c
		return nil
	})
}

// AddCompetence adds c at the end of the competences of the sector's
// draft version; it belongs to no path until one of them places it.
func (s *Service) AddCompetence(ctx context.Context, p *auth.Principal, sector string, version int, c Competence) (*Standard, error) {
	return s.edit(ctx, p, sector, version, func(d *Standard) error {
		d.Competences = append(d.Competences, c)
		return nil
	})
}

// RemoveCompetence removes the competence code of the sector's draft
// version, its places in the paths and in their stacking rules.
func (s *Service) RemoveCompetence(ctx context.Context, p *auth.Principal, sector string, version int, code string) (*Standard, error) {
	return s.edit(ctx, p, sector, version, func(d *Standard) error {
		i := slices.IndexFunc(d.Competences, func(x Competence) bool { return x.Code == code })
		if i < 0 {
			return attesta.E(attesta.NotFound, "err.competence.competence.notfound", code, sector)
		}
		d.Competences = slices.Delete(d.Competences, i, i+1)
		for j := range d.Paths {
			d.Paths[j].Competences = slices.DeleteFunc(d.Paths[j].Competences, func(pc PathCompetence) bool { return pc.Code == code })
			d.Paths[j].Stack = slices.DeleteFunc(d.Paths[j].Stack, func(c string) bool { return c == code })
		}
		return nil
	})
}

// edit is every change of a draft: p must be allowed to edit standards;
// version must be the sector's draft (0: whichever version it is); change is applied to a copy of it,
// which must pass [Validate] (otherwise nothing changes, and the error,
// Invalid, wraps the Problems with their paths in the standard). A change
// that changes nothing writes and records nothing. The change is recorded
// in the audit trail with every field that changed, before and after.
func (s *Service) edit(ctx context.Context, p *auth.Principal, sector string, version int, change func(d *Standard) error) (*Standard, error) {
	if err := auth.Decide(p, auth.StandardEdit, auth.Anywhere); err != nil {
		return nil, err
	}
	var out *Standard
	err := s.store.Update(ctx, func(w Writer) error {
		old, err := openDraft(ctx, w, sector, version)
		if err != nil {
			return err
		}
		if !old.Editable() {
			return attesta.E(attesta.Conflict, "err.competence.frozen", old.Version, old.Sector, statusName(old.Status))
		}
		d, err := clone(old)
		if err != nil {
			return err
		}
		if err := change(d); err != nil {
			return err
		}
		if ps := Validate(d, ""); len(ps) > 0 {
			return attesta.Wrap(ps, attesta.Invalid, "err.competence.standard.invalid")
		}
		changes := Diff(old, d)
		if len(changes) == 0 {
			out = old // nothing changes: nothing is written, nor recorded
			return nil
		}
		if err := w.Replace(ctx, d, Draft); err != nil {
			return err
		}
		out = d
		before, after := Record(changes)
		return audit.Record(ctx, w, p, s.now(), actionEdit, d.Object(), before, after)
	})
	if err != nil {
		return nil, fmt.Errorf("editing %s version %d: %w", sector, version, err)
	}
	return out, nil
}

// openDraft reads the version of sector that an edit or a publication is
// about: version, or the sector's draft when version is 0. A version that
// does not exist is the draft not found.
func openDraft(ctx context.Context, r Reader, sector string, version int) (*Standard, error) {
	if version == 0 {
		return draftOf(ctx, r, sector)
	}
	st, err := r.Standard(ctx, sector, version)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil, draftNotFound(sector)
	}
	return st, err
}

// Record returns what the audit trail keeps of changes: for each place
// that changed ([Change.Where]), its value before and after (null where
// there was or is nothing), so that every previous value can be restored.
func Record(changes []Change) (before, after map[string]any) {
	before, after = map[string]any{}, map[string]any{}
	for _, c := range changes {
		before[c.Where()], after[c.Where()] = c.Before, c.After
	}
	return before, after
}

// clone returns a deep copy of s.
func clone(s *Standard) (*Standard, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("copying %s v%d: %w", s.Sector, s.Version, err)
	}
	var c Standard
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("copying %s v%d: %w", s.Sector, s.Version, err)
	}
	c.PublishedAt = s.PublishedAt
	return &c, nil
}

// Publish publishes the sector's draft version (0: whichever version it
// is): its content is frozen, its
// digest computed, and the previously published version of the sector
// becomes superseded, its content unchanged. The draft must have no
// problem at all ([Validate] and [ReadyToPublish]) and must differ from
// the published version.
func (s *Service) Publish(ctx context.Context, p *auth.Principal, sector string, version int) (*Standard, error) {
	if err := auth.Decide(p, auth.StandardPublish, auth.Anywhere); err != nil {
		return nil, err
	}
	var out *Standard
	err := s.store.Update(ctx, func(w Writer) error {
		st, err := openDraft(ctx, w, sector, version)
		if err != nil {
			return err
		}
		version = st.Version
		if st.Status != Draft {
			return attesta.E(attesta.Conflict, "err.competence.publish.already", version, sector, statusName(st.Status))
		}
		if ps := append(Validate(st, ""), ReadyToPublish(st)...); len(ps) > 0 {
			return attesta.Wrap(ps, attesta.Invalid, "err.competence.publish.notready", version, sector)
		}
		infos, err := w.Infos(ctx)
		if err != nil {
			return err
		}
		superseded := 0
		for _, in := range infos {
			if in.Sector != sector || in.Status != Published {
				continue
			}
			pub, err := w.Standard(ctx, sector, in.Version)
			if err != nil {
				return err
			}
			if len(Diff(pub, st)) == 0 {
				return attesta.E(attesta.Conflict, "err.competence.publish.unchanged", version, sector, in.Version)
			}
			superseded = in.Version
		}
		st.Status, st.PublishedAt = Published, s.now().UTC().Truncate(time.Microsecond)
		st.Digest = ComputeDigest(st)
		if err := s.admit(ctx, w, st); err != nil {
			return err
		}
		if err := w.Replace(ctx, st, Draft); err != nil {
			return err
		}
		out = st
		after := map[string]any{"state": Published, "published_at": st.PublishedAt, "digest": st.Digest}
		if superseded > 0 {
			after["supersedes"] = superseded
		}
		return audit.Record(ctx, w, p, st.PublishedAt, actionPublish, st.Object(), map[string]any{"state": Draft}, after)
	})
	if err != nil {
		return nil, fmt.Errorf("publishing %s version %d: %w", sector, version, err)
	}
	return out, nil
}

// Under splits problems into those at prefix or inside it, with their
// paths made relative to it ("competences[2].title.it" under
// "competences[2]" is "title.it"), and the others, as they are: what a form
// of one part of a standard shows beside its fields, and what it shows
// above them.
func (ps Problems) Under(prefix string) (in, out Problems) {
	for _, p := range ps {
		rest, ok := strings.CutPrefix(p.Path, prefix)
		switch {
		case prefix == "":
			in = append(in, p)
		case ok && rest == "":
			p.Path = ""
			in = append(in, p)
		case ok && rest[0] == '.':
			p.Path = rest[1:]
			in = append(in, p)
		case ok && rest[0] == '[':
			p.Path = rest
			in = append(in, p)
		default:
			out = append(out, p)
		}
	}
	return in, out
}
