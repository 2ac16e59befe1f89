package auth

import (
	"testing"

	"github.com/attesta/attesta"
)

func principal(role Role, org string, provinces ...string) *Principal {
	return &Principal{Person: "p-" + string(role), Membership: Membership{Org: org, Role: role, OrgKind: RoleKinds[role], Provinces: provinces}}
}

func TestDecide(t *testing.T) {
	school := Object{Kind: OrganisationObject, ID: "s1", Places: []Place{{"s1", "TO"}}, OrgKind: School}
	otherSchool := Object{Kind: OrganisationObject, ID: "s2", Places: []Place{{"s2", "MI"}}, OrgKind: School}
	chamberTO := Object{Kind: OrganisationObject, ID: "cciaa-to", Places: []Place{{"cciaa-to", "TO"}}, OrgKind: Chamber}
	studentSelf := Object{Kind: PersonObject, ID: "p-student", Places: []Place{{"s1", "TO"}}, Person: "p-student"}
	studentOther := Object{Kind: PersonObject, ID: "p-x", Places: []Place{{"s1", "TO"}}, Person: "p-x"}
	newSchoolMI := Object{Kind: OrganisationObject, Places: []Place{{"", "MI"}}, OrgKind: School}
	tests := []struct {
		name string
		p    *Principal
		a    Action
		o    Object
		want attesta.Code // "" is allowed
	}{
		{"nobody", nil, OrgView, school, attesta.Unauthenticated},
		{"admin anywhere", principal(NationalAdmin, "uc"), OrgUpdate, otherSchool, ""},
		{"admin registers a chamber", principal(NationalAdmin, "uc"), OrgCreate, chamberTO, ""},
		{"chamber in its province", principal(ChamberOperator, "cciaa-to", "TO"), OrgUpdate, school, ""},
		{"chamber outside", principal(ChamberOperator, "cciaa-to", "TO"), OrgView, otherSchool, attesta.NotFound},
		{"chamber creates outside", principal(ChamberOperator, "cciaa-to", "TO"), OrgCreate, newSchoolMI, attesta.NotFound},
		{"chamber updates itself", principal(ChamberOperator, "cciaa-to", "TO"), OrgUpdate, chamberTO, ""},
		{"chamber may not register a chamber", principal(ChamberOperator, "cciaa-to", "TO"), OrgCreate, Object{Places: []Place{{"", "TO"}}, OrgKind: Chamber}, attesta.Forbidden},
		{"referent own school", principal(SchoolReferent, "s1", "TO"), ClassManage, school, ""},
		{"referent other school", principal(SchoolReferent, "s1", "TO"), ClassView, otherSchool, attesta.NotFound},
		{"tutor cannot manage", principal(SchoolTutor, "s1", "TO"), ClassManage, school, attesta.Forbidden},
		{"company tutor and a school", principal(CompanyTutor, "c1", "TO"), ClassView, school, attesta.NotFound},
		{"student self", principal(Student, "s1", "TO"), PersonView, studentSelf, ""},
		{"student classmate", principal(Student, "s1", "TO"), PersonView, studentOther, attesta.NotFound},
		{"student own school", principal(Student, "s1", "TO"), OrgView, school, ""},
		{"student may not list people", principal(Student, "s1", "TO"), PeopleList, school, attesta.Forbidden},
		{"audit for chambers", principal(ChamberOperator, "cciaa-to", "TO"), AuditView, Anywhere, ""},
		{"audit not for schools", principal(SchoolReferent, "s1", "TO"), AuditView, Anywhere, attesta.Forbidden},
		{"own account", principal(SchoolTutor, "s1", "TO"), AccountManage, Object{Kind: TokenObject, Person: "p-school_tutor"}, ""},
		{"another's account", principal(NationalAdmin, "uc"), AccountManage, Object{Kind: TokenObject, Person: "p-x"}, attesta.Forbidden},
		{"read-only token", &Principal{Person: "p", Membership: Membership{Org: "s1", Role: SchoolReferent}, Scopes: []Scope{ScopeRead}}, ClassManage, school, attesta.Forbidden},
		{"national body edits standards", principal(NationalAdmin, "uc"), StandardEdit, Anywhere, ""},
		{"national body publishes", principal(NationalAdmin, "uc"), StandardPublish, Anywhere, ""},
		{"a chamber sees no drafts", principal(ChamberOperator, "cciaa-to", "TO"), StandardDrafts, Anywhere, attesta.Forbidden},
		{"a chamber edits no standard", principal(ChamberOperator, "cciaa-to", "TO"), StandardEdit, Anywhere, attesta.Forbidden},
		{"a referent publishes nothing", principal(SchoolReferent, "s1", "TO"), StandardPublish, Anywhere, attesta.Forbidden},
		{"read-only token sees drafts", &Principal{Person: "p", Membership: Membership{Org: "uc", Role: NationalAdmin}, Scopes: []Scope{ScopeRead}}, StandardDrafts, Anywhere, ""},
		{"read-only token edits no draft", &Principal{Person: "p", Membership: Membership{Org: "uc", Role: NationalAdmin}, Scopes: []Scope{ScopeRead}}, StandardEdit, Anywhere, attesta.Forbidden},
		{"read-only token reads", &Principal{Person: "p", Membership: Membership{Org: "s1", Role: SchoolReferent}, Scopes: []Scope{ScopeRead}}, ClassView, school, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Decide(tc.p, tc.a, tc.o)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("denied: %v", err)
				}
				return
			}
			if got := attesta.ErrorCode(err); err == nil || got != tc.want {
				t.Fatalf("got %v (%s), want %s", err, got, tc.want)
			}
		})
	}
}

func TestEveryActionHasARule(t *testing.T) {
	for _, a := range Actions {
		if len(rules[a]) == 0 {
			t.Errorf("action %s has no rule", a)
		}
	}
	if len(rules) != len(Actions) {
		t.Errorf("%d rules for %d actions", len(rules), len(Actions))
	}
	for _, r := range Roles {
		if !RoleKinds[r].Valid() {
			t.Errorf("role %s is held in no kind of organisation", r)
		}
	}
}

// A refusal names the role and the action in words, in each language.
func TestRefusalSaidInWords(t *testing.T) {
	p := principal(CompanyTutor, "o-1")
	err := Decide(p, AuditView, Anywhere)
	if got, want := attesta.MessageIn(err, "it"), "con il ruolo «Tutor aziendale» non è consentito vedere il registro delle modifiche"; got != want {
		t.Errorf("it: %q, want %q", got, want)
	}
	if got, want := attesta.MessageIn(err, "en"), "the role “Company tutor” may not see the audit trail"; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
}
