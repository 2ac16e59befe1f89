package auth

import (
	"slices"
	"testing"
)

// places are organisations of several kinds and provinces, and the empty
// place.
var places = []Place{{"uc", "RM"}, {"cciaa-to", "TO"}, {"s1", "TO"}, {"s-at", "AT"}, {"s2", "MI"}, {"c1", "TO"}, {"", ""}, {"", "TO"}, {"s1", ""}}

// TestReachZeroSeesNothing: a Reach nobody set reaches no organisation,
// and neither does one made of empty lists: "empty" never means "all".
func TestReachZeroSeesNothing(t *testing.T) {
	for name, r := range map[string]Reach{
		"zero value":          {},
		"no ids":              ReachOrgs(),
		"no provinces":        ReachProvinces(),
		"empty strings":       ReachOrgs("").Or(ReachProvinces("")),
		"nobody's":            ReachOf(nil),
		"an unsigned-in one":  ReachOf(&Principal{Membership: Membership{Role: NationalAdmin}}),
		"nothing or nothing":  Reach{}.Or(Reach{}),
		"nothing by province": ReachProvinces("TO").WithoutProvinces(),
	} {
		if r.All() || len(r.Orgs()) != 0 || len(r.Provinces()) != 0 {
			t.Errorf("%s: %+v is not nothing", name, r)
		}
		for _, pl := range places {
			if r.Includes(pl) {
				t.Errorf("%s includes %v", name, pl)
			}
		}
	}
}

func TestReachAll(t *testing.T) {
	for name, r := range map[string]Reach{
		"all":                       ReachAll(),
		"all or some":               ReachOrgs("s1").Or(ReachAll()),
		"all without its provinces": ReachAll().WithoutProvinces(),
		"the national body":         ReachOf(principal(NationalAdmin, "uc")),
	} {
		if !r.All() {
			t.Errorf("%s: %+v is not everything", name, r)
		}
		for _, pl := range places {
			if !r.Includes(pl) {
				t.Errorf("%s does not include %v", name, pl)
			}
		}
	}
}

func TestReachOf(t *testing.T) {
	for _, tc := range []struct {
		p               *Principal
		orgs, provinces []string
	}{
		{principal(ChamberOperator, "cciaa-to", "TO", "AT"), []string{"cciaa-to"}, []string{"TO", "AT"}},
		{principal(CommissionMember, "cciaa-to", "TO", "AT"), []string{"cciaa-to"}, nil},
		{principal(SchoolReferent, "s1", "TO"), []string{"s1"}, nil},
		{principal(SchoolTutor, "s1", "TO"), []string{"s1"}, nil},
		{principal(CompanyTutor, "c1", "TO"), []string{"c1"}, nil},
		{principal(Student, "s1", "TO"), []string{"s1"}, nil},
	} {
		r := ReachOf(tc.p)
		if r.All() || !slices.Equal(r.Orgs(), tc.orgs) || !slices.Equal(r.Provinces(), tc.provinces) {
			t.Errorf("%s: orgs %v provinces %v, want %v %v", tc.p.Role, r.Orgs(), r.Provinces(), tc.orgs, tc.provinces)
		}
	}
}

// TestReachAgreesWithReaches: for organisations, what a principal's
// listings read is exactly what Reaches decides, for every role.
func TestReachAgreesWithReaches(t *testing.T) {
	for _, p := range []*Principal{
		principal(NationalAdmin, "uc"),
		principal(ChamberOperator, "cciaa-to", "TO", "AT"),
		principal(CommissionMember, "cciaa-to", "TO", "AT"),
		principal(SchoolReferent, "s1", "TO"),
		principal(SchoolTutor, "s1", "TO"),
		principal(CompanyTutor, "c1", "TO"),
		principal(Student, "s1", "TO"),
	} {
		r := ReachOf(p)
		for _, pl := range places {
			if pl.Org == "" {
				continue // not an organisation
			}
			o := Object{Kind: OrganisationObject, ID: pl.Org, Places: []Place{pl}}
			if got, want := r.Includes(pl), Reaches(p, o); got != want {
				t.Errorf("%s and %v: Reach includes = %v, Reaches = %v", p.Role, pl, got, want)
			}
		}
	}
}

// TestReachCopies: a Reach cannot be changed through what it was made of
// or what it returns.
func TestReachCopies(t *testing.T) {
	ids := []string{"s1"}
	r := ReachOrgs(ids...)
	ids[0] = "s2"
	r.Orgs()[0] = "s3"
	if got := r.Orgs(); !slices.Equal(got, []string{"s1"}) {
		t.Errorf("orgs %v", got)
	}
}
