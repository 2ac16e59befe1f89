package web

import (
	"net/http"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/experience"
)

// --- the dashboard's next tasks ---

// tasks are what the user's side has to do next in its experiences.
type tasks struct {
	// SignOffs await the user's side: its latest revision is not signed
	// off by it.
	SignOffs []experience.Experience
	// Hours are the experiences in progress whose hours the user records.
	Hours []experience.Experience
	// Drafts are still being designed (and not in SignOffs).
	Drafts []experience.Experience
}

// Any reports whether there is a task.
func (t *tasks) Any() bool {
	return t != nil && len(t.SignOffs)+len(t.Hours)+len(t.Drafts) > 0
}

// tasks reads the user's next tasks; nil for a role that designs or runs
// no experience.
func (s *Site) tasks(r *http.Request, p *page) (*tasks, error) {
	if s.platform.Experiences == nil || !p.CanAny(string(auth.ExperienceDesign)) {
		return &tasks{}, nil
	}
	list, err := s.platform.Experiences.List(r.Context(), p.User, experience.Filter{})
	if err != nil {
		return nil, err
	}
	t := &tasks{}
	for _, e := range list {
		side, ok := experience.SideOf(p.User, &e)
		if !ok {
			continue
		}
		obj := e.Object(p.User)
		if e.State.Allows(experience.Approve) == nil && e.Agreed != e.Revision && p.Can(auth.ExperienceDesign, obj) {
			v, err := s.platform.Experiences.Get(r.Context(), p.User, e.ID)
			if err != nil {
				return nil, err
			}
			latest := v.Revisions[len(v.Revisions)-1]
			if side == experience.SchoolSide && latest.School == nil || side == experience.CompanySide && latest.Company == nil {
				t.SignOffs = append(t.SignOffs, e)
				continue
			}
		}
		switch {
		case e.State == experience.InProgress && p.Can(auth.HoursRecord, obj):
			t.Hours = append(t.Hours, e)
		case e.State == experience.Draft:
			t.Drafts = append(t.Drafts, e)
		}
	}
	return t, nil
}
