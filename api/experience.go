package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/observation"
)

// experienceRoutes are the training experiences' routes: the design and
// its revisions, the sign-offs, the state, the hours.
func (a *API) experienceRoutes(t func(string, auth.Action, http.HandlerFunc) Route) []Route {
	if a.platform.Experiences == nil {
		return nil
	}
	return []Route{
		t("GET /api/v1/experiences", auth.ExperienceView, a.listExperiences),
		t("POST /api/v1/experiences", auth.ExperienceDesign, a.createExperience),
		t("GET /api/v1/experiences/{id}", auth.ExperienceView, a.getExperience),
		t("PUT /api/v1/experiences/{id}/design", auth.ExperienceDesign, a.editExperience),
		t("POST /api/v1/experiences/{id}/sign-off", auth.ExperienceDesign, a.signOffExperience),
		t("GET /api/v1/experiences/{id}/compare", auth.ExperienceView, a.compareExperience),
		t("POST /api/v1/experiences/{id}/start", auth.ExperienceManage, a.moveExperience(experience.Start)),
		t("POST /api/v1/experiences/{id}/close", auth.ExperienceManage, a.moveExperience(experience.Finish)),
		t("POST /api/v1/experiences/{id}/cancel", auth.ExperienceManage, a.moveExperience(experience.Cancel)),
		t("POST /api/v1/experiences/{id}/hours", auth.HoursRecord, a.recordHours),
	}
}

func (a *API) listExperiences(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	es, err := a.platform.Experiences.List(r.Context(), who(r), experience.Filter{State: experience.State(q.Get("state")), Year: q.Get("year")})
	a.reply(w, r, items(es), err)
}

func (a *API) createExperience(w http.ResponseWriter, r *http.Request) {
	var in experience.New
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	e, err := a.platform.Experiences.Create(r.Context(), who(r), in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/experiences/"+e.ID)
		created(w)
	}
	a.reply(w, r, e, err)
}

func (a *API) getExperience(w http.ResponseWriter, r *http.Request) {
	v, err := a.platform.Experiences.Get(r.Context(), who(r), r.PathValue("id"))
	if v != nil && v.Attendances == nil {
		v.Attendances = []experience.Attendance{}
	}
	a.reply(w, r, v, err)
}

// designChange is a new design for the revision the editor saw.
type designChange struct {
	Revision int               `json:"revision"`
	Design   experience.Design `json:"design"`
}

func (a *API) editExperience(w http.ResponseWriter, r *http.Request) {
	var in designChange
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	e, err := a.platform.Experiences.Edit(r.Context(), who(r), r.PathValue("id"), in.Revision, in.Design)
	a.reply(w, r, e, err)
}

func (a *API) signOffExperience(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Revision int `json:"revision"`
	}
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	e, err := a.platform.Experiences.SignOff(r.Context(), who(r), r.PathValue("id"), in.Revision)
	a.reply(w, r, e, err)
}

func (a *API) compareExperience(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, err1 := strconv.Atoi(q.Get("from"))
	to, err2 := strconv.Atoi(q.Get("to"))
	if err1 != nil || err2 != nil {
		// Whether the experience may be seen is said first.
		if _, err := a.platform.Experiences.Get(r.Context(), who(r), r.PathValue("id")); err != nil {
			a.fail(w, r, err)
			return
		}
		a.fail(w, r, attesta.E(attesta.Invalid, "err.api.experience.compare"))
		return
	}
	changes, err := a.platform.Experiences.Compare(r.Context(), who(r), r.PathValue("id"), from, to)
	a.reply(w, r, items(changes), err)
}

// move is a change of state: start or close (confirming the latest
// revision, as the person acting saw it), or cancel (with a reason).
type move struct {
	Revision int    `json:"revision"`
	Reason   string `json:"reason"`
}

// moveExperience starts, closes or cancels an experience.
func (a *API) moveExperience(to experience.Action) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in move
		if err := readJSON(r, &in); err != nil {
			a.fail(w, r, err)
			return
		}
		id, svc := r.PathValue("id"), a.platform.Experiences
		var e *experience.Experience
		var err error
		switch to {
		case experience.Start:
			e, err = svc.Start(r.Context(), who(r), id, in.Revision)
		case experience.Finish:
			e, err = svc.Close(r.Context(), who(r), id, in.Revision)
		default:
			e, err = svc.Cancel(r.Context(), who(r), id, in.Reason)
		}
		a.reply(w, r, e, err)
	}
}

func (a *API) recordHours(w http.ResponseWriter, r *http.Request) {
	var in experience.HoursInput
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	h, err := a.platform.Experiences.RecordHours(r.Context(), who(r), r.PathValue("id"), in)
	if err == nil {
		created(w)
	}
	a.reply(w, r, h, err)
}

// sheetRoutes are the observation sheets' routes; a sheet is named by its
// id (observation.SheetID), known before it is first saved.
func (a *API) sheetRoutes(t func(string, auth.Action, http.HandlerFunc) Route) []Route {
	if a.platform.Sheets == nil {
		return nil
	}
	return []Route{
		t("GET /api/v1/sheets/{id}", auth.SheetView, a.getSheet),
		t("PUT /api/v1/sheets/{id}", auth.SheetFill, a.sheetChange(auth.SheetFill)),
		t("POST /api/v1/sheets/{id}/submit", auth.SheetFill, a.sheetChange("submit")),
		t("POST /api/v1/sheets/{id}/countersign", auth.SheetCountersign, a.sheetChange(auth.SheetCountersign)),
		t("POST /api/v1/sheets/{id}/reopen", auth.SheetReopen, a.sheetChange(auth.SheetReopen)),
	}
}

// sheetOf resolves a sheet's id: a sheet saved once by its rows, else the
// experience and student the query names (?experience=…&student=…).
func (a *API) sheetOf(r *http.Request) (experienceID, student string, err error) {
	q := r.URL.Query()
	return a.platform.Sheets.Resolve(r.Context(), r.PathValue("id"), q.Get("experience"), q.Get("student"))
}

func (a *API) getSheet(w http.ResponseWriter, r *http.Request) {
	e, s, err := a.sheetOf(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.platform.Sheets.Sheet(r.Context(), who(r), e, s)
	a.reply(w, r, v, err)
}

// sheetInput is a change of a sheet: the version the person saw, and the
// rows (a save) or the reason (a reopening).
type sheetInput struct {
	Version int                       `json:"version"`
	Rows    []observation.Observation `json:"rows"`
	Reason  string                    `json:"reason"`
}

// sheetChange saves, submits, countersigns or reopens a sheet.
func (a *API) sheetChange(what auth.Action) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in sheetInput
		if err := readJSON(r, &in); err != nil {
			a.fail(w, r, err)
			return
		}
		e, s, err := a.sheetOf(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		svc, ctx, p := a.platform.Sheets, r.Context(), who(r)
		var sh *observation.Sheet
		switch what {
		case auth.SheetFill:
			sh, err = svc.Save(ctx, p, e, s, in.Version, in.Rows)
		case "submit":
			sh, err = svc.Submit(ctx, p, e, s, in.Version)
		case auth.SheetCountersign:
			sh, err = svc.Countersign(ctx, p, e, s, in.Version)
		default:
			sh, err = svc.Reopen(ctx, p, e, s, in.Version, in.Reason)
		}
		a.reply(w, r, sh, err)
	}
}

// dossierRoutes are the evidence dossiers' routes; a dossier is named by
// its id (dossier.ID), known before anything is stored for it.
func (a *API) dossierRoutes(t func(string, auth.Action, http.HandlerFunc) Route) []Route {
	if a.platform.Dossiers == nil {
		return nil
	}
	return []Route{
		t("GET /api/v1/dossiers/{id}", auth.DossierView, a.getDossier),
		t("PUT /api/v1/dossiers/{id}/notes", auth.DossierNote, a.dossierChange(auth.DossierNote)),
		t("POST /api/v1/dossiers/{id}/return", auth.DossierManage, a.dossierChange("return")),
		t("POST /api/v1/dossiers/{id}/lock", auth.DossierManage, a.dossierChange("lock")),
		t("GET /api/v1/dossiers/{id}/receipt", auth.DossierView, a.dossierReceipt),
	}
}

// dossierOf resolves a dossier's id: a stored one by its row, else the
// experience and student the query names (?experience=…&student=…).
func (a *API) dossierOf(r *http.Request) (experienceID, student string, err error) {
	q := r.URL.Query()
	return a.platform.Dossiers.Resolve(r.Context(), r.PathValue("id"), q.Get("experience"), q.Get("student"))
}

func (a *API) getDossier(w http.ResponseWriter, r *http.Request) {
	e, s, err := a.dossierOf(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.platform.Dossiers.Get(r.Context(), who(r), e, s)
	a.reply(w, r, v, err)
}

// dossierInput is a change of a dossier: the school's notes (clear: remove
// them), or a return (to "school" or "company", with a message).
type dossierInput struct {
	Notes   string `json:"notes"`
	Clear   bool   `json:"clear"`
	To      string `json:"to"`
	Message string `json:"message"`
}

func (a *API) dossierChange(what auth.Action) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in dossierInput
		if err := readJSON(r, &in); err != nil {
			a.fail(w, r, err)
			return
		}
		e, s, err := a.dossierOf(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		svc, ctx, p := a.platform.Dossiers, r.Context(), who(r)
		var v *dossier.View
		switch what {
		case auth.DossierNote:
			v, err = svc.SetNotes(ctx, p, e, s, in.Notes, in.Clear)
		case "return":
			v, err = svc.Return(ctx, p, e, s, in.To, in.Message)
		default:
			v, err = svc.Lock(ctx, p, e, s)
		}
		a.reply(w, r, v, err)
	}
}

// dossierReceipt answers the notarization receipt of a locked dossier:
// with its document, `attesta log verify-receipt` checks it offline.
func (a *API) dossierReceipt(w http.ResponseWriter, r *http.Request) {
	e, s, err := a.dossierOf(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rec, err := a.platform.Dossiers.Receipt(r.Context(), who(r), e, s)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="dossier-receipt.json"`)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(rec)
}

// dossierFileRoutes are the routes of a dossier's files; uploads are raw
// bodies (the file's name and the rows it supports in the query), bounded
// by the largest artefact limit.
func (a *API) dossierFileRoutes(t func(string, auth.Action, http.HandlerFunc) Route) []Route {
	if a.platform.Dossiers == nil || a.platform.MaxArtefact == 0 {
		return nil
	}
	upload := t("POST /api/v1/dossiers/{id}/artefacts", auth.ArtefactAdd, a.attachFile)
	upload.MaxBody = a.platform.MaxArtefact + 1
	return []Route{
		upload,
		t("POST /api/v1/dossiers/{id}/links", auth.ArtefactAdd, a.fileChange(false)),
		t("POST /api/v1/dossiers/{id}/remove", auth.ArtefactAdd, a.fileChange(true)),
		t("GET /api/v1/dossiers/{id}/file", auth.DossierView, a.getFile),
	}
}

func (a *API) attachFile(w http.ResponseWriter, r *http.Request) {
	e, s, err := a.dossierOf(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := artefact.File{Content: r.Body, Name: q.Get("name"), Media: r.Header.Get("Content-Type"), Kind: artefact.Kind(q.Get("kind"))}
	v, _, err := a.platform.Dossiers.Attach(r.Context(), who(r), e, s, f, q["row"])
	if err == nil {
		created(w)
	}
	a.reply(w, r, v, err)
}

// fileChange links a file to rows, or removes it.
func (a *API) fileChange(remove bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Artefact string   `json:"artefact"`
			Rows     []string `json:"rows"`
		}
		if err := readJSON(r, &in); err != nil {
			a.fail(w, r, err)
			return
		}
		e, s, err := a.dossierOf(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		var v *dossier.View
		if remove {
			v, err = a.platform.Dossiers.Detach(r.Context(), who(r), e, s, in.Artefact)
		} else {
			v, err = a.platform.Dossiers.Link(r.Context(), who(r), e, s, in.Artefact, in.Rows)
		}
		a.reply(w, r, v, err)
	}
}

// getFile serves a dossier's file as an attachment, never inline.
func (a *API) getFile(w http.ResponseWriter, r *http.Request) {
	e, s, err := a.dossierOf(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f, content, err := a.platform.Dossiers.File(r.Context(), who(r), e, s, r.URL.Query().Get("artefact"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	artefact.Headers(w.Header(), *f)
	w.Write(content)
}
