package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/httpstatus"
)

// The public verification page: anyone pastes a credential (JSON or a
// JWT), uploads a baked PNG or SVG or the PDF printout, or opens the link
// of a printout's QR code; attesta's one verifier runs and the page says
// every check in plain words, then explains the badge in terms of the
// national standard. It is a plain form: it works without JavaScript.
// What is uploaded is read in memory and never stored.

// Verifier verifies credentials: *credential.Verifier is one.
type Verifier interface {
	Verify(ctx context.Context, input []byte) *credential.Report
}

// MaxVerifyUpload bounds what the verification page reads: a baked
// picture, a printout or a pasted credential.
const MaxVerifyUpload = 4 << 20

// verifyData is the verification page.
type verifyData struct {
	Report *credential.Report
	Card   *badgeCard // the badge explained, when the credential reads as one
	Pasted string     // what was pasted, shown again
	Error  string
	// Status is the reason of a revocation or suspension, when the
	// credential is one attesta issued.
	Reason string
	// Minutes are the minutes the badge rests on, when attesta issued it;
	// MinutesMatch says the badge cites them and its Chamber holds them.
	Minutes      *commission.MinutesRef
	MinutesMatch bool
	// Owner says whether the badge names the national owner of the mark.
	Owner bool
}

// Verdict is the report's one word: valid, revoked, suspended, not valid.
func (d *verifyData) Verdict() string {
	switch r := d.Report; {
	case r == nil:
		return ""
	case r.Revoked:
		return "revoked"
	case r.Suspended:
		return "suspended"
	case r.Verified:
		return "valid"
	}
	return "invalid"
}

func (s *Site) verifyPage(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r)
	p.User = principal(r)
	p.Title = p.T("verification.title")
	d := &verifyData{}
	if id := r.URL.Query().Get("credential"); id != "" {
		s.verifyStored(r, p, d, id)
	}
	p.Data = d
	status := http.StatusOK
	if d.Error != "" {
		status = http.StatusNotFound
	}
	s.render(w, r, status, "verify", p)
}

// verifyStored verifies a credential attesta keeps, by its id: the QR
// code of a printout.
func (s *Site) verifyStored(r *http.Request, p *page, d *verifyData, id string) {
	if len(id) > 200 {
		d.Error = p.T("verification.page.unknown")
		return
	}
	if s.platform.Stored == nil {
		rec, err := s.platform.Credentials.Record(r.Context(), credential.Actor{Name: "verify"}, id)
		if err != nil {
			d.Error = p.T("verification.page.unknown")
			return
		}
		s.runVerify(r.Context(), p, d, rec.Body)
		return
	}
	rep, rec, err := s.platform.Stored.Verify(r.Context(), id)
	if err != nil {
		d.Error = p.T("verification.page.unknown")
		return
	}
	s.explain(r.Context(), p, d, rep)
	if rep.Revoked || rep.Suspended {
		d.Reason = rec.Reason
	}
}

// verifyPost verifies what was pasted or uploaded.
func (s *Site) verifyPost(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r)
	p.User = principal(r)
	p.Title = p.T("verification.title")
	d := &verifyData{}
	p.Data = d
	input, err := verifyInput(r)
	if err == nil {
		d.Pasted = r.PostFormValue("credential")
		if len(strings.TrimSpace(string(input))) == 0 {
			err = attesta.E(attesta.Invalid, "err.verify.empty")
		}
	}
	if err != nil {
		d.Error = attesta.MessageIn(err, p.Lang)
		s.render(w, r, httpstatus.Of(err), "verify", p)
		return
	}
	s.runVerify(r.Context(), p, d, input)
	s.render(w, r, http.StatusOK, "verify", p)
}

// verifyInput reads the uploaded file, or else the pasted text: in memory
// only (the multipart form's whole limit is memory), bounded.
func verifyInput(r *http.Request) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "multipart/form-data") {
		if err := r.ParseMultipartForm(MaxVerifyUpload + 1<<20); err != nil {
			if errors.As(err, new(*http.MaxBytesError)) {
				return nil, attesta.E(attesta.TooLarge, "err.verify.large", MaxVerifyUpload>>20)
			}
			return nil, attesta.E(attesta.Invalid, "err.web.form.unreadable")
		}
		defer r.MultipartForm.RemoveAll()
		if f, _, err := r.FormFile("file"); err == nil {
			defer f.Close()
			data, err := io.ReadAll(io.LimitReader(f, MaxVerifyUpload+1))
			if err != nil {
				return nil, attesta.E(attesta.Invalid, "err.web.form.unreadable")
			}
			if len(data) > MaxVerifyUpload {
				return nil, attesta.E(attesta.TooLarge, "err.verify.large", MaxVerifyUpload>>20)
			}
			if len(data) > 0 {
				return data, nil
			}
		}
	} else if err := r.ParseForm(); err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return nil, attesta.E(attesta.TooLarge, "err.verify.large", MaxVerifyUpload>>20)
		}
		return nil, attesta.E(attesta.Invalid, "err.web.form.unreadable")
	}
	return []byte(r.PostFormValue("credential")), nil
}

// runVerify verifies input and reads the badge it carries for the
// explanation.
func (s *Site) runVerify(ctx context.Context, p *page, d *verifyData, input []byte) {
	rep := s.platform.Verifier.Verify(ctx, input)
	s.explain(ctx, p, d, rep)
	if rep.Revoked || rep.Suspended {
		if rec, err := s.platform.Credentials.Record(ctx, credential.Actor{Name: "verify"}, rep.CredentialID); err == nil {
			d.Reason = rec.Reason
		}
	}
}

// explain reads the badge a report verified: the standard's words, the
// minutes in the log, the owner of the mark.
func (s *Site) explain(ctx context.Context, p *page, d *verifyData, rep *credential.Report) {
	d.Report = rep
	if len(rep.Credential) == 0 {
		return
	}
	c, err := s.cardOf(ctx, p, commission.Badge{Credential: rep.CredentialID, Revoked: rep.Revoked, Suspended: rep.Suspended}, rep.Credential)
	if err == nil {
		d.Card = c
	}
	d.Owner = c != nil && s.platform.MarkOwner != "" && c.Sum.TitleHolder == s.platform.MarkOwner
	if c != nil && s.platform.Commissions != nil && !c.Sum.Area {
		if m, err := s.platform.Commissions.MinutesOf(ctx, rep.CredentialID); err == nil {
			d.Minutes = m
			d.MinutesMatch = m.Cited(c.Sum.Decision.Reference, rep.Issuer)
		}
	}
}

// CheckWords is a check's reason in the page's language.
func (p *page) CheckWords(c credential.Check) string {
	if p.Lang == "en" {
		return c.Reason.EN
	}
	return c.Reason.IT
}
