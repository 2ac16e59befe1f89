package auth

import "slices"

// Action is something a principal does. The list is closed: a new action
// needs a rule here, and the matrix test an expectation.
type Action string

// The actions.
const (
	// Organisations.
	OrgList   Action = "organisation.list"   // list the organisations in reach
	OrgView   Action = "organisation.view"   // see one
	OrgCreate Action = "organisation.create" // register one (a Chamber: schools, companies, associations of its provinces)
	OrgUpdate Action = "organisation.update" // change its details
	// People and their roles.
	PeopleList  Action = "people.list"   // list an organisation's members
	PersonView  Action = "person.view"   // see a person's profile
	MemberAdd   Action = "member.add"    // give a person a role in an organisation (an invitation)
	StudentEdit Action = "student.edit"  // change a student's record, guardian consent included
	ClassList   Action = "class.list"    // list a school's classes
	ClassView   Action = "class.view"    // see a class with its students and teachers
	ClassManage Action = "class.manage"  // create a class, enrol students, assign teachers
	ImportOrgs  Action = "import.orgs"   // import schools, companies or associations (CSV)
	ImportClass Action = "import.class"  // import a school's classes with their students (CSV)
	ImportTutor Action = "import.tutors" // import tutors (CSV)
	ExportData  Action = "export.data"   // export what one may import
	// Territorial tables.
	TableView   Action = "table.view"
	TableManage Action = "table.manage"
	// The audit trail.
	AuditView Action = "audit.view"
	// One's own account: password, personal access tokens, sessions.
	AccountManage Action = "account.manage"
	// A Chamber's signing keys: a new key, the current one retired (and,
	// for a compromise, ended in the past).
	KeyRotate Action = "issuer.rotate"
	// The national competence standards: seeing their drafts, editing a
	// draft (making one from a published version, changing any of its
	// parts), publishing one. Published versions are public and need no
	// action.
	StandardDrafts  Action = "standard.drafts"
	StandardEdit    Action = "standard.edit"
	StandardPublish Action = "standard.publish"
	// Training experiences.
	ExperienceView   Action = "experience.view"   // see an experience, its revisions and hours
	ExperienceDesign Action = "experience.design" // create one, change its design, sign a revision off
	ExperienceManage Action = "experience.manage" // start, close or cancel one
	HoursRecord      Action = "hours.record"      // record or correct a student's hours
	// Observation sheets.
	SheetView        Action = "sheet.view"        // see a student's observation sheet (a student: their own, once submitted)
	SheetFill        Action = "sheet.fill"        // fill and submit it (the company)
	SheetCountersign Action = "sheet.countersign" // countersign it (the school)
	SheetReopen      Action = "sheet.reopen"      // reopen a submitted sheet for a correction (the Chamber)
	// Evidence dossiers.
	DossierView   Action = "dossier.view"   // see a candidate's dossier (a student: their own)
	DossierNote   Action = "dossier.note"   // write the school's notes
	DossierManage Action = "dossier.manage" // return it for revision, lock it (the Chamber)
	ArtefactAdd   Action = "artefact.add"   // attach a file to a dossier, link it to rows, remove it
	// The online test's item bank: seeing its items (a Chamber: the
	// national bank's approved ones and its own bank's), writing them (a
	// draft, a new version, submitting for review), reviewing them
	// (approving, sending back, retiring). Which bank one writes is the
	// item package's rule.
	ItemView   Action = "item.view"
	ItemAuthor Action = "item.author"
	ItemReview Action = "item.review"
	ItemStats  Action = "item.stats" // the item analysis of a standard's version (the national body's)
	// The online test: seeing tests, sittings and results (the staff);
	// designing a test; opening, ending a sitting and releasing its
	// results; proctoring one (a proctor named in it, or its owner);
	// taking a test (a candidate, their own attempts); recording a
	// student's accommodation for timed tests.
	TestView         Action = "test.view"
	SittingView      Action = "sitting.view" // a sitting and its attempts (a candidate: their own)
	TestDesign       Action = "test.design"
	SittingManage    Action = "sitting.manage"
	SittingProctor   Action = "sitting.proctor"
	TestTake         Action = "test.take"
	AccommodationSet Action = "accommodation.set"

	// The commission (package commission): a Chamber nominates it and
	// opens its sessions; its members sit (declare, decide, sign the
	// minutes), each only on the commissions they are members of; a
	// Chamber revokes or suspends a badge in the workflow; a learner sees
	// the decisions about them and their badges.
	CommissionView     Action = "commission.view"
	CommissionNominate Action = "commission.nominate"
	CommissionSit      Action = "commission.sit"
	BadgeView          Action = "badge.view"
	BadgeStatus        Action = "badge.status"
	BadgeStack         Action = "badge.stack" // issue an area credential over a learner's competence badges
	// A learner's own: their badges' public links (package share), their
	// data (a copy of it, and the erasure they ask for); a Chamber
	// completes an erasure of a learner of its territory.
	BadgeShare  Action = "badge.share"
	DataRequest Action = "data.request"
	DataErase   Action = "data.erase"
	// Take a badge into the learner's wallet (OpenID4VCI): the learner
	// their own; a referent or a tutor of their school makes a new offer
	// for them (package wallet).
	BadgeWallet Action = "badge.wallet"
	// Training courses for company tutors and teachers: seeing a course
	// (a participant: their own participation), and keeping one — its
	// programme, lessons, participants and attendance, its closing, which
	// issues the tutor badges — and the Chamber's settings of the badge.
	CourseView   Action = "course.view"
	CourseManage Action = "course.manage"
)

// Actions lists every action.
var Actions = []Action{OrgList, OrgView, OrgCreate, OrgUpdate, PeopleList, PersonView, MemberAdd, StudentEdit,
	ClassList, ClassView, ClassManage, ImportOrgs, ImportClass, ImportTutor, ExportData, TableView, TableManage,
	AuditView, AccountManage, KeyRotate, StandardDrafts, StandardEdit, StandardPublish, ExperienceView, ExperienceDesign, ExperienceManage, HoursRecord,
	SheetView, SheetFill, SheetCountersign, SheetReopen, DossierView, DossierNote, DossierManage, ArtefactAdd,
	ItemView, ItemAuthor, ItemReview, ItemStats, TestView, SittingView, TestDesign, SittingManage, SittingProctor, TestTake, AccommodationSet,
	CommissionView, CommissionNominate, CommissionSit, BadgeView, BadgeStatus, BadgeStack, BadgeShare, DataRequest, DataErase, BadgeWallet,
	CourseView, CourseManage}

// readOnly are the actions that change nothing: a token with only the read
// scope may do these.
var readOnly = map[Action]bool{OrgList: true, OrgView: true, PeopleList: true, PersonView: true, ClassList: true,
	ClassView: true, ExportData: true, TableView: true, AuditView: true, StandardDrafts: true, ExperienceView: true, SheetView: true, DossierView: true, ItemView: true, ItemStats: true, TestView: true, SittingView: true, CommissionView: true, BadgeView: true,
	CourseView: true}

// ReadOnly reports whether a changes nothing.
func (a Action) ReadOnly() bool { return readOnly[a] }

// rules says which roles may do each action on an object in reach.
var rules = map[Action][]Role{
	OrgList:       {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor, CompanyTutor, Student, CommissionMember},
	OrgView:       {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor, CompanyTutor, Student, CommissionMember},
	OrgCreate:     {NationalAdmin, ChamberOperator},
	OrgUpdate:     {NationalAdmin, ChamberOperator, SchoolReferent},
	PeopleList:    {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor, CompanyTutor},
	PersonView:    {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor, CompanyTutor, Student, CommissionMember},
	MemberAdd:     {NationalAdmin, ChamberOperator, SchoolReferent},
	StudentEdit:   {NationalAdmin, ChamberOperator, SchoolReferent},
	ClassList:     {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor},
	ClassView:     {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor},
	ClassManage:   {NationalAdmin, ChamberOperator, SchoolReferent},
	ImportOrgs:    {NationalAdmin, ChamberOperator},
	ImportClass:   {NationalAdmin, ChamberOperator, SchoolReferent},
	ImportTutor:   {NationalAdmin, ChamberOperator, SchoolReferent},
	ExportData:    {NationalAdmin, ChamberOperator, SchoolReferent},
	TableView:     {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor, CompanyTutor},
	TableManage:   {NationalAdmin, ChamberOperator},
	AuditView:     {NationalAdmin, ChamberOperator},
	AccountManage: {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor, CompanyTutor, Student, CommissionMember},
	KeyRotate:     {NationalAdmin, ChamberOperator},
	// Only the national body, which owns the standards, sees and changes
	// their drafts (docs/design/standards.md).
	StandardDrafts:  {NationalAdmin},
	StandardEdit:    {NationalAdmin},
	StandardPublish: {NationalAdmin},
	// A student sees the experiences they are in (the object names them);
	// a commission member sees none yet (that comes with the commission).
	ExperienceView:   {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor, CompanyTutor, Student},
	ExperienceDesign: {SchoolReferent, SchoolTutor, CompanyTutor},
	ExperienceManage: {SchoolReferent, SchoolTutor, CompanyTutor},
	HoursRecord:      {SchoolTutor, CompanyTutor},
	SheetView:        {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor, CompanyTutor, Student},
	SheetFill:        {CompanyTutor},
	SheetCountersign: {SchoolReferent, SchoolTutor},
	SheetReopen:      {ChamberOperator},
	DossierView:      {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor, CompanyTutor, Student},
	DossierNote:      {SchoolReferent, SchoolTutor},
	DossierManage:    {ChamberOperator},
	// The student (their own dossier) and the tutors of either side.
	ArtefactAdd: {SchoolReferent, SchoolTutor, CompanyTutor, Student},
	// Candidates, their schools and companies never see the bank (nor its
	// answer keys); a Chamber writes only when it keeps a bank.
	ItemView:   {NationalAdmin, ChamberOperator},
	ItemAuthor: {NationalAdmin, ChamberOperator},
	ItemReview: {NationalAdmin, ChamberOperator},
	ItemStats:  {NationalAdmin},
	// A school opens sittings for its classes, a Chamber for its
	// territory's; a school's tutors proctor; commission members see
	// results with the commission (later).
	TestView:         {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor},
	SittingView:      {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor, Student},
	TestDesign:       {NationalAdmin, ChamberOperator},
	SittingManage:    {NationalAdmin, ChamberOperator, SchoolReferent},
	SittingProctor:   {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor},
	TestTake:         {Student},
	AccommodationSet: {NationalAdmin, ChamberOperator, SchoolReferent},
	// A commission member reaches their Chamber; the service lets them
	// see only the commissions they sit on, and a candidate only once
	// declared and not recused.
	CommissionView:     {NationalAdmin, ChamberOperator, CommissionMember},
	CommissionNominate: {ChamberOperator},
	CommissionSit:      {CommissionMember},
	BadgeView:          {NationalAdmin, ChamberOperator, Student},
	BadgeStatus:        {ChamberOperator},
	BadgeStack:         {ChamberOperator},
	BadgeShare:         {Student},
	DataRequest:        {Student},
	DataErase:          {ChamberOperator},
	BadgeWallet:        {SchoolReferent, SchoolTutor, Student},
	// A Chamber keeps its own courses; the national body sees them all;
	// a tutor or a teacher sees the courses they take part in (the
	// object names them).
	CourseView:   {NationalAdmin, ChamberOperator, SchoolReferent, SchoolTutor, CompanyTutor},
	CourseManage: {ChamberOperator},
}

// allowed applies the rules, and the few that depend on the object.
func allowed(p *Principal, a Action, o Object) bool {
	ok := false
	for _, r := range rules[a] {
		if r == p.Role {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	switch a {
	case OrgCreate, OrgUpdate, ImportOrgs:
		// Only the national body registers Chambers and itself; a Chamber
		// changes its own details but registers no other Chamber; a school
		// referent changes only a school's.
		switch p.Role {
		case ChamberOperator:
			if o.OrgKind == National || (o.OrgKind == Chamber && (a != OrgUpdate || !ReachOrgs(p.Org).includesAny(o.Places))) {
				return false
			}
		case SchoolReferent:
			return o.OrgKind == School
		}
	case PersonView:
		// A commission member sees only themselves for now (their
		// commissions come with the commission's issue).
		if p.Role == CommissionMember || p.Role == Student {
			return o.Person == p.Person
		}
	case AccountManage:
		return o.Person == p.Person
	case CourseView, CourseManage:
		// A Chamber's operators see and keep the courses of their own
		// Chamber only; anyone else but the national body sees a course
		// they take part in.
		switch p.Role {
		case NationalAdmin:
		case ChamberOperator:
			return slices.ContainsFunc(o.Places, func(pl Place) bool { return pl.Org == p.Org }) || len(o.Places) == 0 && o.Person == ""
		default:
			return a == CourseView && (o.Person == p.Person || len(o.Places) == 0 && o.Person == "")
		}
	case KeyRotate:
		// A Chamber's operators rotate its own keys, not those of another
		// Chamber, even one of the provinces it reaches.
		if p.Role == ChamberOperator {
			return slices.ContainsFunc(o.Places, func(pl Place) bool { return pl.Org == p.Org })
		}
	}
	return true
}
