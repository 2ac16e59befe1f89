package api

import (
	"net/http"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/credential"
)

// commissionRoutes are the commission's routes: nomination, sessions and
// their sitting (attendance, declarations, criteria, decisions, the
// minutes' signatures), the issuance's progress, a learner's outcomes and
// a badge's status in the workflow (docs/design/commission.md). A
// commission's session is a "commission-session": a session is also a
// sign-in.
func (a *API) commissionRoutes(t func(string, auth.Action, http.HandlerFunc) Route) []Route {
	if a.platform.Commissions == nil {
		return nil
	}
	return []Route{
		t("GET /api/v1/commissions", auth.CommissionView, a.listCommissions),
		t("POST /api/v1/commissions", auth.CommissionNominate, a.nominate),
		t("GET /api/v1/commissions/{id}", auth.CommissionView, a.getCommission),
		t("POST /api/v1/commissions/{id}/sessions", auth.CommissionNominate, a.openSession),
		t("GET /api/v1/commission-sessions/{id}", auth.CommissionView, a.getSession),
		t("PUT /api/v1/commission-sessions/{id}/attendance", auth.CommissionSit, a.attend),
		t("POST /api/v1/commission-sessions/{id}/declarations", auth.CommissionSit, a.declare),
		t("PUT /api/v1/commission-sessions/{id}/criteria", auth.CommissionSit, a.fixCriteria),
		t("POST /api/v1/commission-sessions/{id}/decisions", auth.CommissionSit, a.decide),
		t("POST /api/v1/commission-sessions/{id}/proposals", auth.CommissionSit, a.adoptProposals),
		t("POST /api/v1/commission-sessions/{id}/signatures", auth.CommissionSit, a.sign),
		t("POST /api/v1/commission-sessions/{id}/issuance", auth.CommissionNominate, a.resumeIssuance),
		t("GET /api/v1/commission-sessions/{id}/candidate", auth.CommissionView, a.getCandidate),
		t("GET /api/v1/commission-sessions/{id}/minutes", auth.CommissionView, a.getMinutes),
		t("GET /api/v1/people/{id}/outcomes", auth.BadgeView, a.outcomes),
		t("POST /api/v1/badges/{id}/status", auth.BadgeStatus, a.badgeStatus),
		t("POST /api/v1/people/{id}/areas", auth.BadgeStack, a.stack),
	}
}

func (a *API) listCommissions(w http.ResponseWriter, r *http.Request) {
	cs, err := a.platform.Commissions.Commissions(r.Context(), who(r))
	a.reply(w, r, items(cs), err)
}

func (a *API) nominate(w http.ResponseWriter, r *http.Request) {
	var in commission.NewCommission
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.platform.Commissions.Nominate(r.Context(), who(r), in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/commissions/"+c.ID)
		created(w)
	}
	a.reply(w, r, c, err)
}

func (a *API) getCommission(w http.ResponseWriter, r *http.Request) {
	v, err := a.platform.Commissions.Get(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, v, err)
}

func (a *API) openSession(w http.ResponseWriter, r *http.Request) {
	var in commission.NewSession
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	st, err := a.platform.Commissions.OpenSession(r.Context(), who(r), r.PathValue("id"), in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/commission-sessions/"+st.ID)
	created(w)
	v, err := a.platform.Commissions.GetSession(r.Context(), who(r), st.ID)
	a.reply(w, r, v, err)
}

func (a *API) getSession(w http.ResponseWriter, r *http.Request) {
	v, err := a.platform.Commissions.GetSession(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, v, err)
}

// replySession answers a change of a session with the session as p sees
// it now.
func (a *API) replySession(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.platform.Commissions.GetSession(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, v, err)
}

func (a *API) attend(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Present []string `json:"present"`
	}
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	_, err := a.platform.Commissions.Attend(r.Context(), who(r), r.PathValue("id"), in.Present)
	a.replySession(w, r, err)
}

func (a *API) declare(w http.ResponseWriter, r *http.Request) {
	var in struct {
		// Recused are the candidates the member declares a conflict with.
		Recused []string `json:"recused"`
	}
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	_, err := a.platform.Commissions.Declare(r.Context(), who(r), r.PathValue("id"), in.Recused)
	a.replySession(w, r, err)
}

func (a *API) fixCriteria(w http.ResponseWriter, r *http.Request) {
	var in commission.Criteria
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	_, err := a.platform.Commissions.FixCriteria(r.Context(), who(r), r.PathValue("id"), in)
	a.replySession(w, r, err)
}

func (a *API) decide(w http.ResponseWriter, r *http.Request) {
	var in commission.Decision
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	_, err := a.platform.Commissions.Decide(r.Context(), who(r), r.PathValue("id"), in)
	a.replySession(w, r, err)
}

func (a *API) adoptProposals(w http.ResponseWriter, r *http.Request) {
	_, err := a.platform.Commissions.DecideProposals(r.Context(), who(r), r.PathValue("id"))
	a.replySession(w, r, err)
}

func (a *API) sign(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Refuse bool   `json:"refuse"`
		Reason string `json:"reason"`
	}
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	_, err := a.platform.Commissions.Sign(r.Context(), who(r), r.PathValue("id"), in.Refuse, in.Reason)
	a.replySession(w, r, err)
}

func (a *API) resumeIssuance(w http.ResponseWriter, r *http.Request) {
	_, err := a.platform.Commissions.Resume(r.Context(), who(r), r.PathValue("id"))
	if err == nil {
		w.WriteHeader(http.StatusAccepted)
	}
	a.replySession(w, r, err)
}

func (a *API) getCandidate(w http.ResponseWriter, r *http.Request) {
	v, err := a.platform.Commissions.Candidate(r.Context(), who(r), r.PathValue("id"), r.URL.Query().Get("person"))
	a.reply(w, r, v, err)
}

func (a *API) getMinutes(w http.ResponseWriter, r *http.Request) {
	m, _, err := a.platform.Commissions.Minutes(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, m, err)
}

func (a *API) outcomes(w http.ResponseWriter, r *http.Request) {
	v, err := a.platform.Commissions.Record(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, v, err)
}

func (a *API) badgeStatus(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Action credential.Action `json:"action"`
		Act    string            `json:"act"`
		Reason string            `json:"reason"`
	}
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	b, err := a.platform.Commissions.ChangeBadge(r.Context(), who(r), a.platform.Badges, r.PathValue("id"), in.Action, in.Act, in.Reason)
	a.reply(w, r, b, err)
}

func (a *API) stack(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Sector  string `json:"sector"`
		Version int    `json:"version"`
		Path    string `json:"path"`
	}
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	st, err := a.platform.Commissions.Stack(r.Context(), who(r), a.platform.Areas, r.PathValue("id"), in.Sector, in.Version, in.Path)
	if err == nil {
		created(w)
	}
	a.reply(w, r, st, err)
}
