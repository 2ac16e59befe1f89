package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/importer"
	"github.com/attesta/attesta/internal/httpstatus"
)

// An import is two steps: the upload is parsed and checked whole, and its
// preview (what each row would create, update or leave) is shown; the
// person then confirms, and the import runs in the background while its
// page shows the progress. Between the two the parsed file waits in
// memory, in a job that only its person can see; jobs are forgotten an
// hour after they end.

// maxImportUpload bounds the multipart request carrying a CSV file.
const maxImportUpload = importer.MaxBytes + 64<<10

// Job limits.
const (
	jobLife      = time.Hour
	maxJobs      = 200 // in the process
	maxJobsEach  = 5   // waiting or running, per person
	applyTimeout = 10 * time.Minute
)

type jobState string

const (
	jobPreview jobState = "preview" // checked, waiting for confirmation
	jobRunning jobState = "running"
	jobDone    jobState = "done"
	jobFailed  jobState = "failed"
)

// job is one import.
type job struct {
	ID     string
	Person string
	Kind   importer.Kind
	School string // for classes
	Back   string // where to go afterwards
	Plan   *importer.Plan

	file    *importer.File
	p       *auth.Principal
	created time.Time

	mu     sync.Mutex
	state  jobState
	done   int
	total  int
	result *importer.Result
	err    error
	ended  time.Time
}

// jobView is a job's state at one moment, for the page.
type jobView struct {
	*job
	State  jobState
	Done   int
	Total  int
	Result *importer.Result
	Errors importer.Errors
	Error  string // in the page's language, set by the page
	err    error
}

func (j *job) view() jobView {
	j.mu.Lock()
	defer j.mu.Unlock()
	v := jobView{job: j, State: j.state, Done: j.done, Total: j.total, Result: j.result}
	if j.err != nil {
		var es importer.Errors
		if errors.As(j.err, &es) {
			v.Errors = es
		} else {
			v.err = j.err
		}
	}
	return v
}

// jobs are the imports of this process.
type jobs struct {
	mu   sync.Mutex
	byID map[string]*job
}

// add registers a new job, forgetting old ones; it refuses a person with
// too many jobs waiting or running.
func (js *jobs) add(j *job) error {
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.byID == nil {
		js.byID = map[string]*job{}
	}
	now := time.Now()
	mine := 0
	for id, o := range js.byID {
		o.mu.Lock()
		ended, state := o.ended, o.state
		o.mu.Unlock()
		if (!ended.IsZero() && now.Sub(ended) > jobLife) || (state == jobPreview && now.Sub(o.created) > jobLife) {
			delete(js.byID, id)
			continue
		}
		if o.Person == j.Person && (state == jobPreview || state == jobRunning) {
			mine++
		}
	}
	if mine >= maxJobsEach {
		return attesta.E(attesta.Conflict, "err.web.import.mine", mine)
	}
	if len(js.byID) >= maxJobs {
		return attesta.E(attesta.Throttled, "err.web.import.busy")
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	j.ID, j.created, j.state = hex.EncodeToString(b), now, jobPreview
	js.byID[j.ID] = j
	return nil
}

// get returns the job id of person, or NotFound: another person's job
// does not exist for them.
func (js *jobs) get(id, person string) (*job, error) {
	js.mu.Lock()
	defer js.mu.Unlock()
	j := js.byID[id]
	if j == nil || j.Person != person {
		return nil, attesta.E(attesta.NotFound, "err.web.import.notfound", id)
	}
	return j, nil
}

// importPage shows the forms to import schools, companies and tutors.
func (s *Site) importPage(w http.ResponseWriter, r *http.Request) {
	if err := s.platform.Imports.May(r.Context(), principal(r), importer.Tutors, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.userPage(w, r, "import.title", crumb{Label: p0(s, w, r, "import.title")})
	p.Data = struct {
		Errors importer.Errors
		Kind   importer.Kind
		School string
		Error  string
	}{}
	s.render(w, r, http.StatusOK, "import", p)
}

// upload parses an uploaded CSV file of kind and previews it; a file with
// problems is shown again with every problem, and nothing is kept.
func (s *Site) upload(w http.ResponseWriter, r *http.Request, kind importer.Kind, school, back string) {
	p := principal(r)
	// Decide before reading the upload: a refused one is not read.
	if err := s.platform.Imports.May(r.Context(), p, kind, school); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.importRefused(w, r, kind, school, attesta.E(attesta.Invalid, "err.web.upload.large", importer.MaxBytes>>20))
			return
		}
		s.importRefused(w, r, kind, school, attesta.E(attesta.Invalid, "err.web.upload.unreadable"))
		return
	}
	defer r.MultipartForm.RemoveAll()
	file, _, err := r.FormFile("file")
	if err != nil {
		s.importRefused(w, r, kind, school, attesta.E(attesta.Invalid, "err.web.import.nofile"))
		return
	}
	defer file.Close()
	f, err := importer.Parse(kind, file)
	if err != nil {
		s.importRefused(w, r, kind, school, err)
		return
	}
	plan, err := s.platform.Imports.Preview(r.Context(), p, kind, school, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := plan.Err(); err != nil {
		s.importRefused(w, r, kind, school, err)
		return
	}
	j := &job{Person: p.Person, Kind: kind, School: school, Back: back, Plan: plan, file: f, p: p}
	if err := s.jobs.add(j); err != nil {
		s.importRefused(w, r, kind, school, err)
		return
	}
	http.Redirect(w, r, "/import/jobs/"+j.ID, http.StatusSeeOther)
}

// importRefused shows the import page with the problems of a file.
func (s *Site) importRefused(w http.ResponseWriter, r *http.Request, kind importer.Kind, school string, err error) {
	p := s.userPage(w, r, "import.title", crumb{Label: p0(s, w, r, "import.title")})
	d := struct {
		Errors importer.Errors
		Kind   importer.Kind
		School string
		Error  string
	}{Kind: kind, School: school}
	if !errors.As(err, &d.Errors) {
		switch attesta.ErrorCode(err) {
		case attesta.Invalid, attesta.Conflict, attesta.Throttled:
			d.Error = attesta.MessageIn(err, p.Lang)
		default:
			s.fail(w, r, err)
			return
		}
	}
	p.Data = d
	s.render(w, r, httpstatus.Of(err), "import", p)
}

func (s *Site) uploadSchools(w http.ResponseWriter, r *http.Request) {
	s.upload(w, r, importer.Schools, "", "/orgs?kind=school")
}

func (s *Site) uploadCompanies(w http.ResponseWriter, r *http.Request) {
	s.upload(w, r, importer.Companies, "", "/orgs?kind=company")
}

func (s *Site) uploadTutors(w http.ResponseWriter, r *http.Request) {
	s.upload(w, r, importer.Tutors, "", "/dashboard")
}

func (s *Site) uploadClasses(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.upload(w, r, importer.Classes, id, "/orgs/"+id+"#classes")
}

// jobPage shows an import: its preview, its progress, or its outcome.
// Asked for JSON (the page's script), it answers the progress alone.
func (s *Site) jobPage(w http.ResponseWriter, r *http.Request) {
	j, err := s.jobs.get(r.PathValue("id"), principal(r).Person)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := j.view()
	if r.Header.Get("Accept") == "application/json" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(map[string]any{"state": v.State, "done": v.Done, "total": v.Total})
		return
	}
	p := s.userPage(w, r, "import.title", crumb{p0(s, w, r, "import.title"), "/import"}, crumb{Label: p0(s, w, r, "import.kind."+string(j.Kind))})
	if v.err != nil {
		v.Error = attesta.MessageIn(v.err, p.Lang)
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "job", p)
}

// applyJob confirms a previewed import and starts it.
func (s *Site) applyJob(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	j, err := s.jobs.get(r.PathValue("id"), p.Person)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The import runs as the person is now: still signed in, in the role
	// that previewed it (Apply decides every row again).
	if p.Org != j.p.Org || p.Role != j.p.Role {
		s.fail(w, r, attesta.E(attesta.Forbidden, "err.web.import.role"))
		return
	}
	j.mu.Lock()
	j.p = p
	if j.state != jobPreview {
		j.mu.Unlock()
		http.Redirect(w, r, "/import/jobs/"+j.ID, http.StatusSeeOther)
		return
	}
	j.state, j.total = jobRunning, j.file.Len()
	j.mu.Unlock()
	go s.runJob(j)
	http.Redirect(w, r, "/import/jobs/"+j.ID, http.StatusSeeOther)
}

func (s *Site) runJob(j *job) {
	ctx, cancel := context.WithTimeout(context.Background(), applyTimeout)
	defer cancel()
	res, err := s.platform.Imports.Apply(ctx, j.p, j.Kind, j.School, j.file, func(done, total int) {
		j.mu.Lock()
		j.done, j.total = done, total
		j.mu.Unlock()
	})
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ended, j.file = time.Now(), nil
	if err != nil {
		j.state, j.err = jobFailed, err
		if attesta.ErrorCode(err) == attesta.Internal {
			s.log.Error("import failed", "kind", j.Kind, "err", err)
		}
		return
	}
	j.state, j.result = jobDone, res
}

// export writes a CSV file of kind.
func (s *Site) export(w http.ResponseWriter, r *http.Request, kind importer.Kind, school, name string) {
	// Written to a buffer first: a refusal must still be an error page.
	var buf bytes.Buffer
	if err := s.platform.Imports.Export(r.Context(), principal(r), kind, school, &buf); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	w.Write(buf.Bytes())
}

func (s *Site) exportSchools(w http.ResponseWriter, r *http.Request) {
	s.export(w, r, importer.Schools, "", "scuole")
}

func (s *Site) exportCompanies(w http.ResponseWriter, r *http.Request) {
	s.export(w, r, importer.Companies, "", "imprese")
}

func (s *Site) exportTutors(w http.ResponseWriter, r *http.Request) {
	s.export(w, r, importer.Tutors, "", "tutor")
}

func (s *Site) exportClasses(w http.ResponseWriter, r *http.Request) {
	s.export(w, r, importer.Classes, r.PathValue("id"), "classi-"+r.PathValue("id"))
}
