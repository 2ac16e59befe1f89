package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/observation"
)

// The evidence dossier's page: what it compiles, what is missing, the
// returns, the school's notes, the Chamber's return and lock, and once
// locked its digest, log index, document and receipt.

// dossierData is what the dossier's page shows.
type dossierData struct {
	View       *dossier.View
	Experience *experience.View
	Student    string
	Query      string
	// Missing is View.Missing in the page's language.
	Missing []string
	// SheetHref links the observation sheet, when the user may see it.
	SheetHref string
	// Receipt says whether the lock's receipt can be downloaded yet.
	Receipt bool
	// What the user may do now.
	Notes, Manage bool
	// Files says that the user may attach files and link them to rows.
	Files bool
	// Rows are the sheet's rows with their evidence's text and the files
	// supporting each (the coverage matrix).
	Rows []fileRow
	// Standard is the pinned version of the standard, for the rows' texts.
	Standard *competence.Standard
	Form     *form  // a refused change
	FormOf   string // which: "notes", "return", "lock" or "files"
	Saved    string // the page follows a change: "notes", "return" or "file"
}

// To is the address of the dossier, or of a route under it, that
// resolves it even before anything is stored for it.
func (d *dossierData) To(what string) string {
	u := "/dossiers/" + d.View.ID
	if what != "" {
		u += "/" + what
	}
	return u + "?" + d.Query
}

// dossierOf resolves a dossier's id: a stored one by its row, else the
// experience and student the query names (?experience=…&student=…).
func (s *Site) dossierOf(r *http.Request) (experienceID, student string, err error) {
	q := r.URL.Query()
	return s.platform.Dossiers.Resolve(r.Context(), r.PathValue("id"), q.Get("experience"), q.Get("student"))
}

// loadDossier reads the dossier the request names and its experience into
// d, with what is missing and the coverage matrix in the page's language,
// for the page and for the printout.
func (s *Site) loadDossier(r *http.Request, p *page, d *dossierData) error {
	eid, student, err := s.dossierOf(r)
	if err != nil {
		return err
	}
	v, err := s.platform.Dossiers.Get(r.Context(), p.User, eid, student)
	if err != nil {
		return err
	}
	ev, err := s.platform.Experiences.Get(r.Context(), p.User, eid)
	if err != nil {
		return err
	}
	d.View, d.Experience = v, ev
	d.Student = or(ev.Names[student], student)
	d.Query = url.Values{"experience": {eid}, "student": {student}}.Encode()
	for _, m := range v.Missing {
		d.Missing = append(d.Missing, m.In(p.Lang))
	}
	names := map[string]string{}
	for _, a := range v.Artefacts {
		names[a.ID] = a.Name
	}
	st, _ := s.standards.Version(r.Context(), nil, ev.Sector, ev.Version) // the pinned version is published
	d.Standard = st
	for _, c := range v.Coverage {
		fr := fileRow{Row: c.Row, Text: d.RowText(p, c.Row)}
		for _, id := range c.Artefacts {
			fr.Files = append(fr.Files, names[id])
		}
		d.Rows = append(d.Rows, fr)
	}
	return nil
}

// RowText is the text of a row's evidence in the page's language, "" when
// the standard does not have it.
func (d *dossierData) RowText(p *page, row string) string {
	if d.Standard == nil {
		return ""
	}
	if ref, ok := parseRow(row); ok {
		if e, _, ok := experience.Evidence(d.Standard, ref); ok {
			return e.Text.In(p.Lang)
		}
	}
	return ""
}

func (s *Site) dossierPage(w http.ResponseWriter, r *http.Request, status int, d dossierData) {
	p := s.userPage(w, r, "dossier.title")
	if err := s.loadDossier(r, p, &d); err != nil {
		s.fail(w, r, err)
		return
	}
	v, ev := d.View, d.Experience
	eid, student := ev.ID, v.Student
	if sv := r.URL.Query().Get("saved"); d.Form == nil && (sv == "notes" || sv == "return" || sv == "file") {
		d.Saved = sv
	}
	if s.platform.Sheets != nil {
		if _, err := s.platform.Sheets.Sheet(r.Context(), p.User, eid, student); err == nil {
			d.SheetHref = "/sheets/" + observation.SheetID(eid, student) + "?" + d.Query
		}
	}
	if v.Lock != nil {
		_, err := s.platform.Dossiers.Receipt(r.Context(), p.User, eid, student)
		d.Receipt = err == nil
	}
	p.Title = p.T("dossier.title.of", d.Student)
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{p.T("experiences.title"), "/experiences"}, crumb{ev.Design.Title, "/experiences/" + ev.ID}, crumb{Label: p.Title})
	obj := ev.Object(p.User)
	open := v.State != dossier.Locked
	side, _ := experience.SideOf(p.User, &ev.Experience)
	d.Notes = open && side == experience.SchoolSide && p.Can(auth.DossierNote, obj)
	d.Manage = open && p.Can(auth.DossierManage, obj)
	d.Files = open && s.platform.MaxArtefact > 0 && s.platform.Dossiers.MayAttach(r.Context(), p.User, eid, student) == nil
	p.Data = &d
	s.render(w, r, status, "dossier", p)
}

// fileRow is a row of the coverage matrix.
type fileRow struct {
	Row, Text string
	Files     []string
}

// parseRow reads C1/ADA.10.02.02/RA1/A2/E1.
func parseRow(s string) (experience.EvidenceRef, bool) {
	parts := strings.Split(s, "/")
	if len(parts) != 5 {
		return experience.EvidenceRef{}, false
	}
	var r experience.EvidenceRef
	r.Competence, r.ADA, r.Result = parts[0], parts[1], parts[2]
	if _, err := fmt.Sscanf(parts[3], "A%d", &r.Activity); err != nil {
		return r, false
	}
	if _, err := fmt.Sscanf(parts[4], "E%d", &r.Evidence); err != nil {
		return r, false
	}
	return r, r.String() == s
}

// attachFile receives a file for the dossier, with the rows it supports;
// who may attach is decided before the body is read.
func (s *Site) attachFile(w http.ResponseWriter, r *http.Request) {
	eid, student, err := s.dossierOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.platform.Dossiers.MayAttach(r.Context(), principal(r), eid, student); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.fail(w, r, attesta.E(attesta.TooLarge, "err.web.upload.large", s.platform.MaxArtefact>>20))
			return
		}
		s.fail(w, r, attesta.E(attesta.Invalid, "err.web.upload.unreadable"))
		return
	}
	defer r.MultipartForm.RemoveAll()
	file, header, err := r.FormFile("file")
	if err != nil {
		s.dossierPage(w, r, http.StatusBadRequest, dossierData{Form: &form{Values: r.PostForm, Error: s.newPage(w, r).T("err.web.upload.nofile")}, FormOf: "files"})
		return
	}
	defer file.Close()
	_, _, err = s.platform.Dossiers.Attach(r.Context(), principal(r), eid, student,
		artefact.File{Content: file, Name: header.Filename, Media: header.Header.Get("Content-Type")}, r.MultipartForm.Value["row"])
	if err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.dossierPage(w, r, httpstatus.Of(err), dossierData{Form: fm, FormOf: "files"})
		return
	}
	q := r.URL.Query()
	q.Set("saved", "file")
	http.Redirect(w, r, "/dossiers/"+r.PathValue("id")+"?"+q.Encode(), http.StatusSeeOther)
}

// removeFile takes a file off the dossier, explicitly.
func (s *Site) removeFile(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	eid, student, err := s.dossierOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.platform.Dossiers.Detach(r.Context(), principal(r), eid, student, r.PostForm.Get("artefact")); err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.dossierPage(w, r, httpstatus.Of(err), dossierData{Form: fm, FormOf: "files"})
		return
	}
	http.Redirect(w, r, "/dossiers/"+r.PathValue("id")+"?"+r.URL.Query().Encode(), http.StatusSeeOther)
}

// dossierFile serves a dossier's file as an attachment, never inline.
func (s *Site) dossierFile(w http.ResponseWriter, r *http.Request) {
	eid, student, err := s.dossierOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, content, err := s.platform.Dossiers.File(r.Context(), principal(r), eid, student, r.URL.Query().Get("artefact"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	artefact.Headers(w.Header(), *a)
	w.Write(content)
}

func (s *Site) dossierView(w http.ResponseWriter, r *http.Request) {
	s.dossierPage(w, r, http.StatusOK, dossierData{})
}

// dossierAct records the school's notes, returns the dossier or locks it;
// a refusal shows the page again with what was typed and the reason.
func (s *Site) dossierAct(what string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.parsed(w, r) {
			return
		}
		eid, student, err := s.dossierOf(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		svc, ctx, p, f := s.platform.Dossiers, r.Context(), principal(r), r.PostForm
		switch what {
		case "notes":
			_, err = svc.SetNotes(ctx, p, eid, student, f.Get("notes"), f.Get("clear") == "on")
		case "return":
			_, err = svc.Return(ctx, p, eid, student, f.Get("to"), f.Get("message"))
		default:
			_, err = svc.Lock(ctx, p, eid, student)
		}
		if err != nil {
			fm, ok := s.formError(s.newPage(w, r), r, err)
			if !ok {
				s.fail(w, r, err)
				return
			}
			if fm.Error == "" && what == "lock" {
				for _, m := range fm.Errors {
					fm.Summary = append(fm.Summary, m)
				}
			}
			s.dossierPage(w, r, httpstatus.Of(err), dossierData{Form: fm, FormOf: what})
			return
		}
		q := r.URL.Query()
		if what != "lock" {
			q.Set("saved", what)
		}
		http.Redirect(w, r, "/dossiers/"+r.PathValue("id")+"?"+q.Encode(), http.StatusSeeOther)
	}
}

// dossierReceipt serves the notarization receipt of a locked dossier to a
// signed-in user who may see it: with the document, `attesta log
// verify-receipt` checks it offline.
func (s *Site) dossierReceipt(w http.ResponseWriter, r *http.Request) {
	eid, student, err := s.dossierOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rec, err := s.platform.Dossiers.Receipt(r.Context(), principal(r), eid, student)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="dossier-receipt.json"`)
	w.Write(append(b, '\n'))
}

// dossierDocument serves a locked dossier's document, byte for byte as it
// was notarized.
func (s *Site) dossierDocument(w http.ResponseWriter, r *http.Request) {
	eid, student, err := s.dossierOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.platform.Dossiers.Get(r.Context(), principal(r), eid, student)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Lock == nil {
		s.fail(w, r, attesta.E(attesta.Conflict, "err.dossier.notlocked", v.ID))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="dossier.json"`)
	w.Write(v.Lock.Document)
}
