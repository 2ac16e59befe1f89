package sqlstore

import (
	"strings"

	"github.com/attesta/attesta/auth"
)

// within appends the values of r to a and returns the condition that keeps
// the rows r reaches: those whose organisation id (in any of the columns
// orgs) is one r names, or whose province (in the column province, ""
// for none) is one of r's. Every listing of the directory filters by it,
// always:
//
//   - r reaches everything: "1 = 1";
//   - r reaches nothing, as the zero auth.Reach does: "1 = 0", so that no
//     query can read an empty list as "all";
//   - without a province column, r's provinces do not count: narrower,
//     never wider.
func (a *args) within(r auth.Reach, province string, orgs ...string) string {
	if r.All() {
		return `1 = 1`
	}
	var or []string
	if ids := r.Orgs(); len(ids) > 0 && len(orgs) > 0 {
		in := a.in(ids)
		for _, col := range orgs {
			or = append(or, col+` IN `+in)
		}
	}
	if siglas := r.Provinces(); len(siglas) > 0 && province != "" {
		or = append(or, province+` IN `+a.in(siglas))
	}
	if len(or) == 0 {
		return `1 = 0`
	}
	return `(` + strings.Join(or, ` OR `) + `)`
}
