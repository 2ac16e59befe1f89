package auth

import "slices"

// Reach is the part of the directory a listing may return, as a filter
// that SQL can apply: every organisation ([ReachAll]), or some
// organisations by id and those located in some provinces ([ReachOrgs],
// [ReachProvinces], [Reach.Or]).
//
// The zero value reaches nothing. A listing whose filter nobody scoped
// lists nothing, and an empty list of organisations is never read as
// "all": everything is said only by [ReachAll].
//
// [ReachOf] makes the reach of a principal, the one place where a role
// decides what its listings show. Storage turns a Reach into SQL in one
// helper that every listing shares. A Reach narrows what is read; each row
// read is still decided by [Reaches].
type Reach struct {
	all       bool
	orgs      []string
	provinces []string
}

// ReachAll reaches every organisation: the national body's reach.
func ReachAll() Reach { return Reach{all: true} }

// ReachOrgs reaches the organisations with these ids (none: nothing).
func ReachOrgs(ids ...string) Reach { return Reach{orgs: nonEmpty(ids)} }

// ReachProvinces reaches the organisations located in these provinces, by
// their sigla (none: nothing).
func ReachProvinces(siglas ...string) Reach { return Reach{provinces: nonEmpty(siglas)} }

// nonEmpty copies values without the empty ones: "" names no organisation
// and no province, so it reaches nothing.
func nonEmpty(values []string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Or reaches what r or s reaches.
func (r Reach) Or(s Reach) Reach {
	if r.all || s.all {
		return ReachAll()
	}
	return Reach{orgs: slices.Concat(r.orgs, s.orgs), provinces: slices.Concat(r.provinces, s.provinces)}
}

// WithoutProvinces reaches the organisations r names by id, or everything
// if r does.
func (r Reach) WithoutProvinces() Reach { return Reach{all: r.all, orgs: r.orgs} }

// ReachOf returns what p's listings may show: everything for the national
// body; a Chamber's own organisation and those of the provinces it covers;
// anyone else's own organisation. Nobody (nil) reaches nothing.
func ReachOf(p *Principal) Reach {
	if p == nil || p.Person == "" {
		return Reach{}
	}
	switch p.Role {
	case NationalAdmin:
		return ReachAll()
	case ChamberOperator:
		return ReachOrgs(p.Org).Or(ReachProvinces(p.Provinces...))
	}
	return ReachOrgs(p.Org)
}

// All reports whether r reaches every organisation.
func (r Reach) All() bool { return r.all }

// Orgs returns the ids of the organisations r names (none when r reaches
// everything: see All).
func (r Reach) Orgs() []string { return slices.Clone(r.orgs) }

// Provinces returns the provinces whose organisations r reaches (none when
// r reaches everything: see All).
func (r Reach) Provinces() []string { return slices.Clone(r.provinces) }

// Includes reports whether r reaches the organisation at pl. Reaches
// decides with it, and the listings' SQL says the same of each row
// (storage/internal/sqlstore, within).
func (r Reach) Includes(pl Place) bool {
	return r.all || (pl.Org != "" && slices.Contains(r.orgs, pl.Org)) ||
		(pl.Province != "" && slices.Contains(r.provinces, pl.Province))
}

// includesAny reports whether r reaches one of places.
func (r Reach) includesAny(places []Place) bool {
	return slices.ContainsFunc(places, r.Includes)
}
