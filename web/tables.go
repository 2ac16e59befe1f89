package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/roundtable"
)

// maxUpload bounds a multipart request carrying one attachment.
const maxUpload = roundtable.MaxAttachmentSize + 64<<10

type tablesData struct {
	Items    []roundtable.Table
	Sectors  []string
	Chambers []org.Organisation
	Form     *form
}

func (s *Site) tablesPage(w http.ResponseWriter, r *http.Request, status int, f *form) {
	p := s.userPage(w, r, "tables.title", crumb{Label: p0(s, w, r, "tables.title")})
	items, err := s.platform.Tables.List(r.Context(), p.User, roundtable.Filter{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := tablesData{Items: items, Form: f}
	if p.CanAny(string(auth.TableManage)) {
		infos, err := s.standards.Sectors(r.Context(), p.User)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, in := range infos {
			d.Sectors = append(d.Sectors, in.Sector)
		}
		if p.User.Role == auth.NationalAdmin {
			if d.Chambers, err = s.platform.Orgs.List(r.Context(), p.User, org.Filter{Kind: auth.Chamber}); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	p.Data = d
	s.render(w, r, status, "tables", p)
}

func (s *Site) tablesList(w http.ResponseWriter, r *http.Request) {
	s.tablesPage(w, r, http.StatusOK, nil)
}

func (s *Site) createTable(w http.ResponseWriter, r *http.Request) {
	s.submit(w, r, func(f url.Values) (string, error) {
		t, err := s.platform.Tables.Create(r.Context(), principal(r), roundtable.Table{Chamber: f.Get("chamber"), Sector: f.Get("sector"), Year: f.Get("year"), Title: f.Get("title")})
		if err != nil {
			return "", err
		}
		return "/tables/" + t.ID, nil
	}, func(f *form, status int) { s.tablesPage(w, r, status, f) })
}

type tableData struct {
	View       *roundtable.View
	Candidates []org.Organisation
	Edit       *form
	Member     *form
	Meeting    *form
	Minutes    map[string]*form // by meeting id
	Upload     map[string]*form // by meeting id
}

// tableForms are the forms of a table page that a refused submission
// shows again.
type tableForms struct {
	edit, member, meeting *form
	meetingID             string
	minutes, upload       *form
}

func (s *Site) tablePage(w http.ResponseWriter, r *http.Request, id string, status int, fs tableForms) {
	p := s.userPage(w, r, "tables.title")
	v, err := s.platform.Tables.Get(r.Context(), p.User, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title = v.Table.Title
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{p.T("tables.title"), "/tables"}, crumb{Label: v.Table.Title})
	d := tableData{View: v, Edit: fs.edit, Member: fs.member, Meeting: fs.meeting, Minutes: map[string]*form{}, Upload: map[string]*form{}}
	if fs.meetingID != "" {
		d.Minutes[fs.meetingID], d.Upload[fs.meetingID] = fs.minutes, fs.upload
	}
	if p.Can(auth.TableManage, v.Table.Object()) {
		all, err := s.platform.Orgs.List(r.Context(), p.User, org.Filter{})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		in := map[string]bool{v.Table.Chamber: true}
		for _, m := range v.Table.Members {
			in[m.Org] = true
		}
		for _, o := range all {
			if !in[o.ID] && (o.Kind == auth.School || o.Kind == auth.Company || o.Kind == auth.Association) {
				d.Candidates = append(d.Candidates, o)
			}
		}
	}
	p.Data = d
	s.render(w, r, status, "table", p)
}

func (s *Site) tableView(w http.ResponseWriter, r *http.Request) {
	s.tablePage(w, r, r.PathValue("id"), http.StatusOK, tableForms{})
}

func (s *Site) updateTable(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.submit(w, r, func(f url.Values) (string, error) {
		_, err := s.platform.Tables.Update(r.Context(), principal(r), roundtable.Table{ID: id, Title: f.Get("title"), Status: roundtable.Status(f.Get("status"))})
		return "/tables/" + id, err
	}, func(f *form, status int) { s.tablePage(w, r, id, status, tableForms{edit: f}) })
}

func (s *Site) tableMember(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.submit(w, r, func(f url.Values) (string, error) {
		var err error
		if f.Get("remove") != "" {
			_, err = s.platform.Tables.RemoveMember(r.Context(), principal(r), id, f.Get("remove"))
		} else {
			_, err = s.platform.Tables.AddMember(r.Context(), principal(r), id, f.Get("org"))
		}
		return "/tables/" + id, err
	}, func(f *form, status int) { s.tablePage(w, r, id, status, tableForms{member: f}) })
}

func (s *Site) addMeeting(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.submit(w, r, func(f url.Values) (string, error) {
		_, err := s.platform.Tables.AddMeeting(r.Context(), principal(r), roundtable.Meeting{Table: id, Date: f.Get("date"), Agenda: f.Get("agenda"), Minutes: f.Get("minutes")})
		return "/tables/" + id, err
	}, func(f *form, status int) { s.tablePage(w, r, id, status, tableForms{meeting: f}) })
}

func (s *Site) updateMeeting(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	id := r.PathValue("id")
	m, err := s.platform.Tables.UpdateMeeting(r.Context(), principal(r), roundtable.Meeting{ID: id, Date: r.PostForm.Get("date"), Agenda: r.PostForm.Get("agenda"), Minutes: r.PostForm.Get("minutes")},
		r.PostForm["clear"]...)
	if err != nil {
		f, ok := s.formError(s.newPage(w, r), r, err)
		if !ok || r.PostForm.Get("table") == "" {
			s.fail(w, r, err)
			return
		}
		s.tablePage(w, r, r.PostForm.Get("table"), httpstatus.Of(err), tableForms{meetingID: id, minutes: f})
		return
	}
	http.Redirect(w, r, "/tables/"+m.Table+"#meeting-"+m.ID, http.StatusSeeOther)
}

func (s *Site) uploadAttachment(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.platform.Tables.MayChangeMeeting(r.Context(), principal(r), id); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.fail(w, r, attesta.E(attesta.Invalid, "err.web.upload.large", roundtable.MaxAttachmentSize>>20))
			return
		}
		s.fail(w, r, attesta.E(attesta.Invalid, "err.web.upload.unreadable"))
		return
	}
	defer r.MultipartForm.RemoveAll()
	file, header, err := r.FormFile("file")
	if err != nil {
		s.fail(w, r, attesta.E(attesta.Invalid, "err.web.upload.nofile"))
		return
	}
	defer file.Close()
	content, err := io.ReadAll(io.LimitReader(file, roundtable.MaxAttachmentSize+1))
	if err != nil {
		s.fail(w, r, attesta.E(attesta.Invalid, "err.web.upload.unreadable"))
		return
	}
	a, err := s.platform.Tables.AddAttachment(r.Context(), principal(r), id, header.Filename, content)
	if err != nil {
		f, ok := s.formError(s.newPage(w, r), r, err)
		table := r.FormValue("table")
		if !ok || table == "" {
			s.fail(w, r, err)
			return
		}
		s.tablePage(w, r, table, httpstatus.Of(err), tableForms{meetingID: id, upload: f})
		return
	}
	table := r.FormValue("table")
	if table == "" {
		http.Redirect(w, r, "/tables", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/tables/"+table+"#attachment-"+a.ID, http.StatusSeeOther)
}

func (s *Site) attachment(w http.ResponseWriter, r *http.Request) {
	a, content, err := s.platform.Tables.Attachment(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(content)))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Write(content)
}
