package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/importer"
	"github.com/attesta/attesta/job"
)

// An import asked for with "Prefer: respond-async" (RFC 7240) runs as a
// job (package job), as the web's imports do: the file is checked and
// previewed at once (its problems are a 400, as for a synchronous
// import), then imported in the background by any attesta process on the
// database, while GET /api/v1/jobs/{id} follows it.

// jobDoc is a job as the API shows it to its owner.
type jobDoc struct {
	ID      string          `json:"id"`
	Kind    job.Kind        `json:"kind"`
	State   job.State       `json:"state"`
	Done    int             `json:"done"`
	Total   int             `json:"total"`
	Created time.Time       `json:"created"`
	Ended   *time.Time      `json:"ended,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Failure *jobFailure     `json:"failure,omitempty"`
}

// jobFailure is why a job failed: its code, its message key and the
// message in the request's language, and an import's problems.
type jobFailure struct {
	Code   attesta.Code    `json:"code"`
	Key    string          `json:"key"`
	Detail string          `json:"detail"`
	Errors importer.Errors `json:"errors,omitempty"`
}

func docOf(r *http.Request, j *job.Job) jobDoc {
	d := jobDoc{ID: j.ID, Kind: j.Kind, State: j.State, Done: j.Done, Total: j.Total, Created: j.Created, Result: j.Result}
	if !j.Ended.IsZero() {
		d.Ended = &j.Ended
	}
	if f := j.Failure; f != nil {
		d.Failure = &jobFailure{Code: f.Code, Key: f.Key, Detail: attesta.MessageIn(f.Err(), lang(r))}
		if iv, err := importer.ViewJob(j); err == nil {
			d.Failure.Errors = iv.Errors
		}
	}
	return d
}

// async reports whether a request prefers an asynchronous answer.
func async(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "respond-async") {
				return true
			}
		}
	}
	return false
}

// importJob checks and previews data, a file of kind, then imports it as
// a job of the token's holder, confirmed at once: 202 with the job, and
// its address in Location.
func (a *API) importJob(w http.ResponseWriter, r *http.Request, p *auth.Principal, kind importer.Kind, school string, data []byte) {
	spec, _, err := a.platform.Imports.PrepareJob(r.Context(), p, kind, school, data, "")
	if err != nil {
		a.failImport(w, r, err)
		return
	}
	j, err := a.platform.Jobs.Create(r.Context(), p, spec)
	if err == nil {
		j, err = a.platform.Jobs.Confirm(r.Context(), p, j.ID)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/jobs/"+j.ID)
	w.Header().Set("Preference-Applied", "respond-async")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	a.reply(w, r, docOf(r, j), nil)
}

// getJob answers one of the token holder's jobs.
func (a *API) getJob(w http.ResponseWriter, r *http.Request) {
	j, err := a.platform.Jobs.Get(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.reply(w, r, docOf(r, j), nil)
}
