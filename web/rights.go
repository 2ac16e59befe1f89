package web

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/rights"
)

// A learner's data: a copy of it in JSON, and the erasure they ask for;
// the Chamber's list of requests of its territory, and their completion.

type myData struct {
	Pending *rights.Request
	Form    *form
	Done    string
}

func (s *Site) myData(w http.ResponseWriter, r *http.Request) {
	s.renderMyData(w, r, http.StatusOK, &myData{Done: r.URL.Query().Get("done")})
}

func (s *Site) renderMyData(w http.ResponseWriter, r *http.Request, status int, d *myData) {
	p := s.userPage(w, r, "rights.title", crumb{Label: p0(s, w, r, "rights.title")})
	if err := auth.Decide(p.User, auth.DataRequest, auth.Anywhere); err != nil {
		s.fail(w, r, err)
		return
	}
	var err error
	if d.Pending, err = s.platform.Rights.Mine(r.Context(), p.User); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = d
	s.render(w, r, status, "mydata", p)
}

// myDataExport is the copy of the learner's data, as a JSON download.
func (s *Site) myDataExport(w http.ResponseWriter, r *http.Request) {
	out, err := s.platform.Rights.Export(r.Context(), principal(r), s.platform.RightsSources)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "attesta-my-data.json"}))
	h.Set("Cache-Control", "private, no-store")
	w.Write(append(body, '\n'))
}

func (s *Site) askErasure(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	_, err := s.platform.Rights.Ask(r.Context(), principal(r), r.PostForm.Get("reason"), r.PostForm.Get("confirm") == "1")
	if err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if code := attesta.ErrorCode(err); !ok || code == attesta.Forbidden || code == attesta.Unauthenticated {
			s.fail(w, r, err)
			return
		}
		s.renderMyData(w, r, httpstatus.Of(err), &myData{Form: fm})
		return
	}
	http.Redirect(w, r, "/my-data?done=asked", http.StatusSeeOther)
}

type dataRequests struct {
	Requests []rights.Request
	Form     *form
	On       string
	Done     string
}

func (s *Site) dataRequests(w http.ResponseWriter, r *http.Request) {
	s.renderRequests(w, r, http.StatusOK, &dataRequests{Done: r.URL.Query().Get("done")})
}

func (s *Site) renderRequests(w http.ResponseWriter, r *http.Request, status int, d *dataRequests) {
	p := s.userPage(w, r, "rights.requests.title", crumb{Label: p0(s, w, r, "rights.requests.title")})
	var err error
	if d.Requests, err = s.platform.Rights.Requests(r.Context(), p.User); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = d
	s.render(w, r, status, "datarequests", p)
}

func (s *Site) completeErasure(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	id := r.PathValue("id")
	_, err := s.platform.Rights.Complete(r.Context(), principal(r), id, r.PostForm.Get("note"), r.PostForm.Get("confirm") == "1")
	if err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if code := attesta.ErrorCode(err); !ok || code == attesta.NotFound || code == attesta.Forbidden {
			s.fail(w, r, err)
			return
		}
		s.renderRequests(w, r, httpstatus.Of(err), &dataRequests{Form: fm, On: id})
		return
	}
	http.Redirect(w, r, "/data-requests?done="+url.QueryEscape("completed")+"#request-"+url.PathEscape(id), http.StatusSeeOther)
}

// rightsRoutes are the learners' data pages and the Chamber's requests.
func (s *Site) rightsRoutes(user func(string, auth.Action, http.HandlerFunc) Route) []Route {
	return []Route{
		user("GET /my-data", auth.DataRequest, s.myData),
		user("GET /my-data/export.json", auth.DataRequest, s.myDataExport),
		user("POST /my-data/erasure", auth.DataRequest, s.askErasure),
		user("GET /data-requests", auth.DataErase, s.dataRequests),
		user("POST /data-requests/{id}/complete", auth.DataErase, s.completeErasure),
	}
}
