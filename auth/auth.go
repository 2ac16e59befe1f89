// Package auth is the one place that decides whether a user may do an
// action on an object. Every domain service calls [Decide] before it reads
// or writes anything on a user's behalf; handlers and SQL never decide.
//
// # The model
//
// A [Principal] is a signed-in person acting in one role of one
// organisation at a time (a teacher who also sits on a commission switches
// between the two). An [Object] says which organisations an object belongs
// to and where they are. Decide answers in two steps:
//
//  1. Reach: may the principal know the object exists? The national body
//     reaches everything; a Chamber reaches the organisations of the
//     provinces it covers; everyone else reaches their own organisation
//     (and a student only their own records). An object out of reach is
//     [attesta.NotFound], exactly as if it did not exist, so that existence
//     does not leak across organisations.
//  2. Permission: may the role do this action? The table in rules.go. A
//     reachable object whose action the role lacks is [attesta.Forbidden].
//
// # Listings
//
// A listing cannot ask Decide about rows it has not read yet, so it reads
// what [ReachOf] says the principal reaches — a [Reach], which storage
// turns into SQL — and then checks each row with [Reaches]. The zero Reach
// reaches nothing: a listing nobody scoped lists nothing.
//
// # Actions
//
// Actions are a closed list of constants. Each route of the web and the API
// declares the action it performs, and the authorization matrix test in
// internal/server enumerates every route × role × own/other organisation
// from that declaration, failing on a route without one.
package auth

import (
	"slices"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/i18n"
)

// Role is what a person does in an organisation.
type Role string

// The roles.
const (
	NationalAdmin    Role = "national_admin"    // the national body (Unioncamere)
	ChamberOperator  Role = "chamber_operator"  // a Chamber of Commerce
	SchoolReferent   Role = "school_referent"   // a school's referent for the programme
	SchoolTutor      Role = "school_tutor"      // a teacher following students
	CompanyTutor     Role = "company_tutor"     // a host company's tutor
	Student          Role = "student"           // a learner, enrolled at a school
	CommissionMember Role = "commission_member" // nominated by a Chamber
)

// Roles lists every role, in the order screens show them.
var Roles = []Role{NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor, CompanyTutor, Student, CommissionMember}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// OrgKind is the kind of an organisation.
type OrgKind string

// The kinds of organisation.
const (
	National    OrgKind = "national"    // the national body
	Chamber     OrgKind = "chamber"     // a Chamber of Commerce
	School      OrgKind = "school"      // a school
	Company     OrgKind = "company"     // a host company or organisation
	Association OrgKind = "association" // an employers' association
)

// OrgKinds lists every kind.
var OrgKinds = []OrgKind{National, Chamber, School, Company, Association}

// Valid reports whether k is one of OrgKinds.
func (k OrgKind) Valid() bool { return slices.Contains(OrgKinds, k) }

// RoleKinds says in which kind of organisation each role is held.
var RoleKinds = map[Role]OrgKind{
	NationalAdmin:    National,
	ChamberOperator:  Chamber,
	SchoolReferent:   School,
	SchoolTutor:      School,
	CompanyTutor:     Company,
	Student:          School,
	CommissionMember: Chamber,
}

// Membership is a role held in an organisation.
type Membership struct {
	Org     string  `json:"org"`
	OrgName string  `json:"org_name"`
	OrgKind OrgKind `json:"org_kind"`
	Role    Role    `json:"role"`
	// Provinces is the organisation's territory: the provinces a Chamber
	// covers, or the one province of any other organisation.
	Provinces []string `json:"provinces"`
}

// OrgPlace is where the membership's organisation is: its id and its
// province, except for a Chamber covering several provinces, whose own
// province a membership does not say (it is then placed by its id alone).
func (m Membership) OrgPlace() Place {
	if len(m.Provinces) == 1 || (m.OrgKind != Chamber && len(m.Provinces) > 0) {
		return Place{Org: m.Org, Province: m.Provinces[0]}
	}
	return Place{Org: m.Org}
}

// OrgObject describes the membership's organisation for authorization:
// what a link to its page is decided on.
func (m Membership) OrgObject() Object {
	return Object{Kind: OrganisationObject, ID: m.Org, Places: []Place{m.OrgPlace()}, OrgKind: m.OrgKind}
}

// Principal is a person acting in one of their memberships.
type Principal struct {
	Person string // the person's id
	Name   string // for the audit trail and the pages
	Membership
	// Scopes, when not nil, restrict what the principal may do (a personal
	// access token's scopes); nil means the role's full permissions.
	Scopes []Scope
}

// Scope restricts a personal access token.
type Scope string

// The scopes of personal access tokens.
const (
	ScopeRead  Scope = "read"  // actions that change nothing
	ScopeWrite Scope = "write" // every action the role may do
)

// Place is an organisation an object belongs to, and where it is.
type Place struct {
	Org      string
	Province string
}

// Object is what an action is done on, as far as authorization is
// concerned.
type Object struct {
	Kind ObjectKind
	ID   string
	// Places are the organisations the object belongs to: an organisation
	// itself, a class's school, every organisation a person is a member of.
	Places []Place
	// Person is the person the object is about, when it is about one (a
	// person, a student's enrolment): a student reaches only their own.
	Person string
	// OrgKind is the kind of organisation the object is or is about: a
	// Chamber may register schools but not other Chambers.
	OrgKind OrgKind
}

// ObjectKind names what an object is.
type ObjectKind string

// The kinds of object.
const (
	OrganisationObject ObjectKind = "organisation"
	PersonObject       ObjectKind = "person"
	ClassObject        ObjectKind = "class"
	TableObject        ObjectKind = "table"
	AuditObject        ObjectKind = "audit"
	TokenObject        ObjectKind = "token"
	CredentialObject   ObjectKind = "credential" // an issued credential, in the audit trail
	IssuerObject       ObjectKind = "issuer"     // a Chamber's signing keys: the issuer with its Chamber's id
	ExperienceObject   ObjectKind = "experience" // a school–company training experience
	StandardObject     ObjectKind = "standard"   // a version of a sector's competence standard, as "meccatronica/2"
	ArtefactObject     ObjectKind = "artefact"   // a file of an evidence dossier, in the audit trail
	ItemObject         ObjectKind = "item"       // an item of the online test's bank; in the audit trail "id/version"
	SittingObject      ObjectKind = "sitting"    // a sitting of the online test (and, in the audit trail, a test)
	CommissionObject   ObjectKind = "commission" // a commission, with its sessions; it belongs to its Chamber
	CourseObject       ObjectKind = "course"     // a Chamber's training course for tutors or teachers
)

// ObjectKinds lists every kind of object.
var ObjectKinds = []ObjectKind{OrganisationObject, PersonObject, ClassObject, TableObject, AuditObject, TokenObject, CredentialObject, IssuerObject, ExperienceObject, StandardObject, ArtefactObject, ItemObject, SittingObject, CommissionObject, CourseObject}

// Valid reports whether k is one of ObjectKinds.
func (k ObjectKind) Valid() bool { return slices.Contains(ObjectKinds, k) }

// Anywhere is an object that belongs to no organisation in particular: a
// list, or something about to be created. Only the permission counts.
var Anywhere = Object{}

// Decide returns nil if p may do a on o; otherwise an error with code
// attesta.Unauthenticated (no principal), attesta.NotFound (o is out of p's
// reach) or attesta.Forbidden (p's role may not do a).
func Decide(p *Principal, a Action, o Object) error {
	if p == nil || p.Person == "" {
		return attesta.E(attesta.Unauthenticated, "err.auth.signin")
	}
	if !Reaches(p, o) {
		return notFound(o)
	}
	if !allowed(p, a, o) {
		return attesta.E(attesta.Forbidden, "err.auth.forbidden", p.Role, a)
	}
	if p.Scopes != nil && !a.ReadOnly() && !slices.Contains(p.Scopes, ScopeWrite) {
		return attesta.E(attesta.Forbidden, "err.auth.readonly")
	}
	return nil
}

// notFound says that o is not found, naming its kind.
func notFound(o Object) error {
	switch o.Kind {
	case OrganisationObject:
		return attesta.E(attesta.NotFound, "err.auth.notfound.organisation", o.ID)
	case PersonObject:
		return attesta.E(attesta.NotFound, "err.auth.notfound.person", o.ID)
	case ClassObject:
		return attesta.E(attesta.NotFound, "err.auth.notfound.class", o.ID)
	case TableObject:
		return attesta.E(attesta.NotFound, "err.auth.notfound.table", o.ID)
	case AuditObject:
		return attesta.E(attesta.NotFound, "err.auth.notfound.audit", o.ID)
	case TokenObject:
		return attesta.E(attesta.NotFound, "err.auth.notfound.token", o.ID)
	case IssuerObject:
		return attesta.E(attesta.NotFound, "err.credential.issuer.notfound", o.ID)
	case ExperienceObject:
		return attesta.E(attesta.NotFound, "err.experience.notfound", o.ID)
	case ItemObject:
		return attesta.E(attesta.NotFound, "err.item.notfound", o.ID)
	case SittingObject:
		return attesta.E(attesta.NotFound, "err.assessment.sitting.notfound", o.ID)
	case CommissionObject:
		return attesta.E(attesta.NotFound, "err.commission.notfound", o.ID)
	case CourseObject:
		return attesta.E(attesta.NotFound, "err.course.notfound", o.ID)
	}
	return attesta.E(attesta.NotFound, "err.auth.notfound.object", o.ID)
}

// Reaches reports whether p may know that o exists.
func Reaches(p *Principal, o Object) bool {
	if len(o.Places) == 0 && o.Person == "" {
		return true // nothing in particular: the permission decides
	}
	if p.Role == Student {
		// A student reaches their own records, and their school.
		if o.Person != "" {
			return o.Person == p.Person
		}
		return o.Kind == OrganisationObject && ReachOrgs(p.Org).includesAny(o.Places)
	}
	r := ReachOf(p)
	return r.All() || r.includesAny(o.Places) || (o.Person != "" && o.Person == p.Person)
}

// Can reports whether Decide would allow p to do a on o.
func Can(p *Principal, a Action, o Object) bool { return Decide(p, a, o) == nil }

// In names the role in lang ("Tutor aziendale"), as a message argument.
func (r Role) In(lang string) string { return words(lang, "role.", string(r)) }

// In names the kind of organisation in lang ("Camera di Commercio").
func (k OrgKind) In(lang string) string { return words(lang, "kind.", string(k)) }

// In says the action in lang, as what one does ("vedere il registro delle
// modifiche").
func (a Action) In(lang string) string { return words(lang, "action.", string(a)) }

// words says a value in lang, or gives it as it is when the catalogue has
// no words for it (a value that is not one of the list, as typed).
func words(lang, prefix, v string) string {
	if !i18n.Has(lang, prefix+v) {
		return v
	}
	return i18n.T(lang, prefix+v)
}
