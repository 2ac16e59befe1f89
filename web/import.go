package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/importer"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/job"
)

// An import is two steps: the upload is parsed and checked whole, and its
// preview (what each row would create, update or leave) is shown; the
// person then confirms, and the import runs in the background while its
// page shows the progress. Between the two the file waits in the
// database, in a job (package job) that only its person sees, for an
// hour; any attesta process on the database shows it, confirms it and
// runs it.

// maxImportUpload bounds the multipart request carrying a CSV file.
const maxImportUpload = importer.MaxBytes + 64<<10

// jobView is an import job as its page shows it.
type jobView struct {
	ID    string
	State job.State
	Done  int
	Total int
	*importer.JobView
	Error string // why it failed or ended, in the page's language
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
	data, err := io.ReadAll(io.LimitReader(file, importer.MaxBytes+1))
	if err != nil {
		s.importRefused(w, r, kind, school, attesta.E(attesta.Invalid, "err.web.upload.unreadable"))
		return
	}
	spec, _, err := s.platform.Imports.PrepareJob(r.Context(), p, kind, school, data, back)
	if err != nil {
		s.importRefused(w, r, kind, school, err)
		return
	}
	j, err := s.platform.Jobs.Create(r.Context(), p, spec)
	if err != nil {
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
	j, err := s.platform.Jobs.Get(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.Header.Get("Accept") == "application/json" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(map[string]any{"state": j.State, "done": j.Done, "total": j.Total})
		return
	}
	iv, err := importer.ViewJob(j)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.userPage(w, r, "import.title", crumb{p0(s, w, r, "import.title"), "/import"}, crumb{Label: p0(s, w, r, "import.kind."+string(iv.Kind))})
	v := jobView{ID: j.ID, State: j.State, Done: j.Done, Total: j.Total, JobView: iv}
	switch {
	case j.State == job.Expired:
		v.Error = attesta.MessageIn(attesta.E(attesta.Conflict, "err.job.expired"), p.Lang)
	case j.Failure != nil && len(iv.Errors) == 0:
		v.Error = attesta.MessageIn(j.Failure.Err(), p.Lang)
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "job", p)
}

// applyJob confirms a previewed import and starts it. The import runs as
// the person is then, in the role that previewed it: the job refuses
// another role, and the import decides every row again.
func (s *Site) applyJob(w http.ResponseWriter, r *http.Request) {
	j, err := s.platform.Jobs.Confirm(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/import/jobs/"+j.ID, http.StatusSeeOther)
}

// cancelJob cancels an import waiting for confirmation, which forgets its
// file, and goes back to where it started.
func (s *Site) cancelJob(w http.ResponseWriter, r *http.Request) {
	j, err := s.platform.Jobs.Cancel(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := "/import"
	if iv, err := importer.ViewJob(j); err == nil && iv.Back != "" {
		back = iv.Back
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
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
