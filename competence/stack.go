package competence

import (
	"slices"

	"github.com/attesta/attesta"
)

// Stacking: the micro-credential element "stackability" of a standard
// version. A learner who holds certified every competence that makes an area
// may be awarded the area credential, which references the competence
// badges. Which competences make an area is data of the version, a path's
// [Path.Stack]; the machine checks it with [Standard.StackMissing].

// Path returns the path with the given id, or false.
func (s *Standard) Path(id string) (*Path, bool) {
	for i := range s.Paths {
		if s.Paths[i].ID == id {
			return &s.Paths[i], true
		}
	}
	return nil, false
}

// StackCodes returns the codes of the competences that make the path's area
// credential: its Stack when it has one, else every competence of the path,
// in the order of the path.
func (p *Path) StackCodes() []string {
	if len(p.Stack) > 0 {
		return slices.Clone(p.Stack)
	}
	out := make([]string, 0, len(p.Competences))
	for _, pc := range p.Competences {
		out = append(out, pc.Code)
	}
	return out
}

// StackMissing returns the competences of the path's stacking rule that are
// not among held, the codes of the competences a learner holds certified, in
// the order of the rule; none when the area credential may be awarded. A
// path the version does not have is a NotFound error, a path without
// competences (only a draft has one) an Invalid one: no area is awarded for
// nothing.
func (s *Standard) StackMissing(pathID string, held []string) (missing []string, err error) {
	p, ok := s.Path(pathID)
	if !ok {
		return nil, attesta.E(attesta.NotFound, "err.competence.path.notfound", pathID, s.Sector)
	}
	rule := p.StackCodes()
	if len(rule) == 0 {
		return nil, attesta.E(attesta.Invalid, "err.competence.stack.empty", pathID, s.Sector, s.Version)
	}
	for _, code := range rule {
		if !slices.Contains(held, code) {
			missing = append(missing, code)
		}
	}
	return missing, nil
}
