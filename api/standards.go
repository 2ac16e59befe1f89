package api

import (
	"net/http"
	"strconv"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
)

// The standards' drafts, for the national body: a draft is made from the
// published version, read, replaced whole (validated as a standards file
// is: a draft with problems changes nothing, and the problem document lists
// each problem with its path) and published. The difference between two
// versions is public for published ones; with a token of the national body
// it reaches drafts too.

// standardRoutes are the routes of the drafts, each with its action.
func (a *API) standardRoutes(t func(string, auth.Action, http.HandlerFunc) Route) []Route {
	return []Route{
		t("POST /api/v1/sectors/{sector}/draft", auth.StandardEdit, a.createDraft),
		t("GET /api/v1/sectors/{sector}/draft", auth.StandardDrafts, a.getDraft),
		t("PUT /api/v1/sectors/{sector}/draft", auth.StandardEdit, a.replaceDraft),
		t("POST /api/v1/sectors/{sector}/draft/publish", auth.StandardPublish, a.publishDraft),
	}
}

func (a *API) createDraft(w http.ResponseWriter, r *http.Request) {
	var in struct {
		From int `json:"from"`
	}
	if r.ContentLength != 0 || r.Header.Get("Content-Type") != "" {
		if err := readJSON(r, &in); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	if in.From < 0 || in.From > competence.MaxVersion {
		a.fail(w, r, attesta.E(attesta.Invalid, "err.api.version", strconv.Itoa(in.From)))
		return
	}
	d, err := a.platform.Standards.NewDraft(r.Context(), who(r), r.PathValue("sector"), in.From)
	if err == nil {
		w.Header().Set("Location", "/api/v1/sectors/"+d.Sector+"/draft")
		created(w)
	}
	a.reply(w, r, d, err)
}

func (a *API) getDraft(w http.ResponseWriter, r *http.Request) {
	d, err := a.platform.Standards.Draft(r.Context(), who(r), r.PathValue("sector"))
	a.reply(w, r, d, err)
}

// replaceDraft replaces the content of the sector's draft with the
// standard in the body; its version, if given, must be the draft's.
func (a *API) replaceDraft(w http.ResponseWriter, r *http.Request) {
	var st competence.Standard
	if err := readJSON(r, &st); err != nil {
		a.fail(w, r, err)
		return
	}
	if st.Sector != "" && st.Sector != r.PathValue("sector") {
		a.fail(w, r, attesta.E(attesta.Invalid, "err.api.draft.sector", st.Sector, r.PathValue("sector")))
		return
	}
	st.Sector = r.PathValue("sector")
	d, err := a.platform.Standards.UpdateDraft(r.Context(), who(r), &st)
	a.reply(w, r, d, err)
}

// publishDraft publishes the sector's draft; ?version=N publishes it only
// if it is still version N.
func (a *API) publishDraft(w http.ResponseWriter, r *http.Request) {
	version := 0
	if v := r.URL.Query().Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > competence.MaxVersion {
			a.fail(w, r, attesta.E(attesta.Invalid, "err.api.version", v))
			return
		}
		version = n
	}
	st, err := a.platform.Standards.Publish(r.Context(), who(r), r.PathValue("sector"), version)
	a.reply(w, r, st, err)
}

// diffView is the difference between two versions of a sector's standard.
type diffView struct {
	Sector  string              `json:"sector"`
	From    int                 `json:"from"`
	To      int                 `json:"to"`
	Changes []competence.Change `json:"changes"`
}

// diff compares ?from= with ?to=. Without a token, or with one that is
// not the national body's, a draft is not found.
func (a *API) diff(w http.ResponseWriter, r *http.Request) {
	var p *auth.Principal // a visitor, unless a token says who
	if r.Header.Get("Authorization") != "" && a.platform.Accounts != nil {
		tok, _ := bearer(r)
		var err error
		if p, err = a.platform.Accounts.AuthenticateToken(r.Context(), tok); err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="attesta", error="invalid_token"`)
			a.fail(w, r, err)
			return
		}
	}
	v := diffView{Sector: r.PathValue("sector")}
	for _, q := range []struct {
		name string
		n    *int
	}{{"from", &v.From}, {"to", &v.To}} {
		s := r.URL.Query().Get(q.name)
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > competence.MaxVersion {
			a.fail(w, r, attesta.E(attesta.Invalid, "err.api.diff.version", q.name, s))
			return
		}
		*q.n = n
	}
	from, err := a.standards.Version(r.Context(), p, v.Sector, v.From)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	to, err := a.standards.Version(r.Context(), p, v.Sector, v.To)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v.Changes = competence.Diff(from, to)
	if v.Changes == nil {
		v.Changes = []competence.Change{}
	}
	w.Header().Set("Cache-Control", "no-store")
	a.reply(w, r, v, nil)
}
