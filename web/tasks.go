package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/observation"
)

// --- the dashboard's next tasks ---

// maxTaskExperiences bounds the experiences in progress or closed whose
// students' sheets and dossiers the dashboard reads, newest first: the
// services read them one student at a time (two reads a student at most),
// and no list of sheets or dossiers across experiences exists yet. The
// dashboard says when it stopped there. (A variable for the tests.)
var maxTaskExperiences = 50

// tasks are what the user has to do next, each linked to the page where
// it is done.
type tasks struct {
	// Shown: the user's role has tasks of some kind, even if none is
	// waiting now.
	Shown bool
	// SignOffs await the user's side: its latest revision is not signed
	// off by it.
	SignOffs []experience.Experience
	// Hours are the experiences in progress whose hours the user records.
	Hours []experience.Experience
	// Drafts are still being designed (and not in SignOffs).
	Drafts []experience.Experience
	// Fill are the sheets the company fills: their current version is a
	// draft (never saved, being filled, or reopened by the Chamber).
	Fill []fileTask
	// Countersign are the sheets submitted, awaiting the school's
	// countersignature.
	Countersign []fileTask
	// Returned are the dossiers the Chamber returned to the user's side
	// for revision.
	Returned []fileTask
	// Dossiers are, for the Chamber, the dossiers not locked yet of the
	// experiences in progress or closed: the ones ready to lock first.
	Dossiers []fileTask
	// Standards are the open drafts of the competence standards, for the
	// national body to publish.
	Standards []competence.Info
	// Partial: more than maxTaskExperiences experiences could hold sheets
	// or dossiers to see to; the others were not read.
	Partial bool
	// Proctor are the open sittings the user proctors with candidates
	// waiting to be authorized.
	Proctor []sittingTask
	// A candidate's: the open sittings where they are authorized to start,
	// their attempts in progress, and their results released.
	Start, Resume, Results []sittingTask
	// Sessions are a commission member's sessions waiting for them (to
	// declare, to sign); Notices a learner's news from the commissions.
	Sessions []commission.Waiting
	Notices  []commission.Notice
}

// sittingTask is a sitting waiting for the user, and the attempt that is
// the task (a candidate's).
type sittingTask struct {
	Sitting assessment.Sitting
	Test    string
	Waiting int // candidates not yet authorized
	Attempt *assessment.Attempt
}

// fileTask is a student's sheet or dossier waiting for the user.
type fileTask struct {
	Experience experience.Experience
	Student    string // the student's name
	Href       string // the sheet's or dossier's page
	// A sheet's current version, and whether the Chamber reopened it;
	// Rows are its rows still without a value, Submitted who submitted
	// it.
	Version   int
	Reopened  bool
	Rows      int
	Submitted string
	// A dossier's state, what keeps it from being locked (none: it is
	// ready), and its last return.
	State   dossier.State
	Missing int
	Return  *dossier.Return
}

// Any reports whether there is a task.
func (t *tasks) Any() bool {
	return t != nil && len(t.SignOffs)+len(t.Hours)+len(t.Drafts)+len(t.Fill)+len(t.Countersign)+len(t.Returned)+len(t.Dossiers)+len(t.Standards)+
		len(t.Proctor)+len(t.Start)+len(t.Resume)+len(t.Results)+len(t.Sessions)+len(t.Notices) > 0
}

// Bound is how many experiences in progress or closed the dashboard reads
// the sheets and dossiers of.
func (t *tasks) Bound() int { return maxTaskExperiences }

// tasks reads the user's next tasks through the services, as the user:
// what the domain lets the user see is what is listed.
func (s *Site) tasks(r *http.Request, p *page) (*tasks, error) {
	t := &tasks{}
	if s.platform.Standards != nil && p.CanAny(string(auth.StandardDrafts)) {
		t.Shown = true
		infos, err := s.platform.Standards.Versions(r.Context(), p.User)
		if err != nil {
			return nil, err
		}
		for _, in := range infos {
			if in.Status == competence.Draft {
				t.Standards = append(t.Standards, in)
			}
		}
	}
	if s.platform.Tests != nil {
		if err := s.testTasks(r, p, t); err != nil {
			return nil, err
		}
	}
	if c := s.platform.Commissions; c != nil {
		switch p.User.Role {
		case auth.CommissionMember:
			t.Shown = true
			ws, err := c.Waiting(r.Context(), p.User)
			if err != nil {
				return nil, err
			}
			t.Sessions = ws
		case auth.Student:
			t.Shown = true
			rec, err := c.Record(r.Context(), p.User, p.User.Person)
			if err != nil {
				return nil, err
			}
			t.Notices = rec.Notices[:min(len(rec.Notices), 5)]
		}
	}
	design, manage := p.CanAny(string(auth.ExperienceDesign)), p.CanAny(string(auth.DossierManage))
	if s.platform.Experiences == nil || !design && !manage {
		return t, nil
	}
	t.Shown = true
	list, err := s.platform.Experiences.List(r.Context(), p.User, experience.Filter{})
	if err != nil {
		return nil, err
	}
	read := 0
	for _, e := range list {
		if err := s.designTasks(r, p, t, e); err != nil {
			return nil, err
		}
		if e.State != experience.InProgress && e.State != experience.Closed || s.fileRoles(p, &e) == (fileRoles{}) {
			continue
		}
		if read == maxTaskExperiences {
			t.Partial = true
			continue
		}
		read++
		if err := s.fileTasks(r, p, t, e); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(t.Dossiers, func(a, b fileTask) int { return min(a.Missing, 1) - min(b.Missing, 1) })
	return t, nil
}

// designTasks adds e to the sign-offs, hours or drafts of the user's side.
func (s *Site) designTasks(r *http.Request, p *page, t *tasks, e experience.Experience) error {
	side, ok := experience.SideOf(p.User, &e)
	if !ok {
		return nil
	}
	obj := e.Object(p.User)
	if e.State.Allows(experience.Approve) == nil && e.Agreed != e.Revision && p.Can(auth.ExperienceDesign, obj) {
		v, err := s.platform.Experiences.Get(r.Context(), p.User, e.ID)
		if err != nil {
			return err
		}
		latest := v.Revisions[len(v.Revisions)-1]
		if side == experience.SchoolSide && latest.School == nil || side == experience.CompanySide && latest.Company == nil {
			t.SignOffs = append(t.SignOffs, e)
			return nil
		}
	}
	switch {
	case e.State == experience.InProgress && p.Can(auth.HoursRecord, obj):
		t.Hours = append(t.Hours, e)
	case e.State == experience.Draft:
		t.Drafts = append(t.Drafts, e)
	}
	return nil
}

// fileRoles are the tasks the user may have on e's sheets and dossiers.
type fileRoles struct {
	Fill        bool // fill the sheets (the company's side)
	Countersign bool // countersign them (the school's side)
	Returned    bool // revise a dossier returned to the user's side
	Manage      bool // lock the dossiers, or return them (the Chamber)
}

func (s *Site) fileRoles(p *page, e *experience.Experience) fileRoles {
	obj := e.Object(p.User)
	side, ok := experience.SideOf(p.User, e)
	sheets, dossiers := s.platform.Sheets != nil, s.platform.Dossiers != nil
	return fileRoles{
		Fill:        sheets && ok && side == experience.CompanySide && p.Can(auth.SheetFill, obj),
		Countersign: sheets && ok && side == experience.SchoolSide && p.Can(auth.SheetCountersign, obj),
		Returned:    dossiers && ok && p.Can(auth.DossierView, obj),
		Manage:      dossiers && p.Can(auth.DossierManage, obj),
	}
}

// fileTasks reads the sheets and dossiers of e's students the user has
// to see to: a sheet to fill (the company) or to countersign (the
// school), a dossier returned to the user's side, a dossier not locked
// (the Chamber). A service that refuses a student's file (out of reach,
// not for this role) leaves it out, as on the experience's page.
func (s *Site) fileTasks(r *http.Request, p *page, t *tasks, e experience.Experience) error {
	can := s.fileRoles(p, &e)
	side, _ := experience.SideOf(p.User, &e)
	var mine tasks // this experience's, named below
	for _, st := range e.Design.Students {
		q := url.Values{"experience": {e.ID}, "student": {st}}.Encode()
		if can.Fill || can.Countersign {
			v, err := s.platform.Sheets.Sheet(r.Context(), p.User, e.ID, st)
			switch code := attesta.ErrorCode(err); {
			case err == nil:
				cur := v.Current()
				f := fileTask{Experience: e, Student: st, Href: "/sheets/" + observation.SheetID(e.ID, st) + "?" + q, Version: cur.Version}
				switch {
				case can.Fill && cur.State == observation.Draft:
					f.Reopened, f.Rows = cur.Reopened != nil, len(cur.Missing())
					mine.Fill = append(mine.Fill, f)
				case can.Countersign && cur.State == observation.Submitted:
					if cur.Submitted != nil {
						f.Submitted = cur.Submitted.Name
					}
					mine.Countersign = append(mine.Countersign, f)
				}
			case code != attesta.NotFound && code != attesta.Conflict && code != attesta.Forbidden:
				return err
			}
		}
		if can.Manage || can.Returned {
			v, err := s.platform.Dossiers.Get(r.Context(), p.User, e.ID, st)
			switch code := attesta.ErrorCode(err); {
			case err == nil:
				f := fileTask{Experience: e, Student: st, Href: "/dossiers/" + dossier.ID(e.ID, st) + "?" + q, State: v.State, Missing: len(v.Missing)}
				if n := len(v.Returns); n > 0 {
					f.Return = &v.Returns[n-1]
				}
				switch {
				case can.Manage && v.State != dossier.Locked:
					mine.Dossiers = append(mine.Dossiers, f)
				case can.Returned && v.State == dossier.Returned && f.Return != nil && f.Return.To == string(side):
					mine.Returned = append(mine.Returned, f)
				}
			case code != attesta.NotFound && code != attesta.Conflict && code != attesta.Forbidden:
				return err
			}
		}
	}
	if !mine.Any() {
		return nil
	}
	// The students' names, read once for the experience.
	v, err := s.platform.Experiences.Get(r.Context(), p.User, e.ID)
	if err != nil {
		return err
	}
	for _, list := range [][]fileTask{mine.Fill, mine.Countersign, mine.Dossiers, mine.Returned} {
		for i := range list {
			list[i].Student = or(v.Names[list[i].Student], list[i].Student)
		}
	}
	t.Fill = append(t.Fill, mine.Fill...)
	t.Countersign = append(t.Countersign, mine.Countersign...)
	t.Dossiers = append(t.Dossiers, mine.Dossiers...)
	t.Returned = append(t.Returned, mine.Returned...)
	return nil
}

// testTasks adds the online test's tasks: for a proctor, the open sittings
// they proctor with candidates waiting to be authorized; for a candidate,
// a sitting where they may start, an attempt in progress to resume, a
// result released. A candidate's sittings are few, each read whole.
func (s *Site) testTasks(r *http.Request, p *page, t *tasks) error {
	proctor, take := p.CanAny(string(auth.SittingProctor)), p.CanAny(string(auth.TestTake))
	if !proctor && !take {
		return nil
	}
	t.Shown = true
	list, err := s.platform.Tests.Sittings(r.Context(), p.User)
	if err != nil {
		return err
	}
	now := s.now()
	for _, st := range list {
		if proctor && st.Open(now) && st.Proctor(p.User) {
			task := sittingTask{Sitting: st}
			for _, c := range st.Candidates {
				if !c.Authorized() {
					task.Waiting++
				}
			}
			if task.Waiting > 0 {
				t.Proctor = append(t.Proctor, task)
			}
		}
		if !take {
			continue
		}
		v, err := s.platform.Tests.GetSitting(r.Context(), p.User, st.ID)
		if err != nil {
			return err
		}
		task := sittingTask{Sitting: st, Test: v.Blueprint.Title}
		if n := len(v.Attempts); n > 0 {
			task.Attempt = &v.Attempts[n-1]
		}
		switch {
		case task.Attempt != nil && task.Attempt.State != assessment.Submitted:
			t.Resume = append(t.Resume, task)
		case task.Attempt != nil && !st.Released.IsZero():
			t.Results = append(t.Results, task)
		case task.Attempt == nil && st.Open(now) && len(v.Candidates) > 0 && v.Candidates[0].Authorized():
			t.Start = append(t.Start, task)
		}
	}
	return nil
}
