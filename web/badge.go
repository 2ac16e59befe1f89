package web

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/europass"
	"github.com/attesta/attesta/internal/badgeimage"
	"github.com/attesta/attesta/internal/vc/bake"
	"github.com/attesta/attesta/share"
)

// A learner's badge as their pages show it: the badge row, the credential
// as issued read into its summary, the competence and sector said in the
// page's language from the standard the badge pins, and its public link.

// badgeCard is one badge on a page.
type badgeCard struct {
	Badge   commission.Badge
	Sum     *credential.Summary
	Title   string // the competence's (or area's) title in the page's language
	Sector  string // the sector's name in the page's language
	Link    *share.Link
	Revoked bool
	// Suspended and Reason: the credential's status now.
	Suspended bool
	Reason    string
	Body      []byte // the credential as issued
	// Std, Comp and MC are the standard the badge pins, its competence
	// (nil for an area) and the competence's micro-credential elements,
	// when the standard is known here.
	Std  *competence.Standard
	Comp *competence.Competence
	MC   competence.MicroCredential
}

// Picture is the badge's picture in lang.
func (c *badgeCard) Picture(lang string) badgeimage.Badge {
	return badgeimage.Badge{Sector: c.Sum.Sector, SectorName: c.Sector, Code: c.Sum.Code, Title: c.Title,
		Chamber: c.Sum.Issuer.Name, Area: c.Sum.Area, Tutor: c.Sum.Tutor, Lang: lang}
}

// Name is a file name for the badge's downloads: badge-C1.
func (c *badgeCard) Name() string {
	code := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, c.Sum.Code)
	return "badge-" + code
}

// card reads one badge for p: who may see it (the service decides), the
// credential, its status, the standard's words.
func (s *Site) card(ctx context.Context, p *page, credentialID string) (*badgeCard, error) {
	b, body, err := s.platform.Commissions.BadgeFile(ctx, p.User, s.platform.Credentials, credentialID)
	if err != nil {
		return nil, err
	}
	return s.cardOf(ctx, p, *b, body)
}

// cardOf reads a badge whose credential is at hand.
func (s *Site) cardOf(ctx context.Context, p *page, b commission.Badge, body []byte) (*badgeCard, error) {
	sum, err := credential.ReadSummary(body)
	if err != nil {
		return nil, err
	}
	c := &badgeCard{Badge: b, Sum: sum, Title: sum.Name, Sector: sum.Field, Body: body, Revoked: b.Revoked, Suspended: b.Suspended}
	if sum.Area {
		c.Title = strings.TrimSuffix(sum.Name, " – "+sum.Field)
	}
	if sum.Sector != "" && sum.Version > 0 {
		if st, err := s.standards.Version(ctx, nil, sum.Sector, sum.Version); err == nil {
			c.Std, c.Sector, c.Title = st, p.In(st.Title), localTitle(p, st, sum)
			if comp, ok := st.Competence(sum.Code); ok && !sum.Area {
				c.Comp, c.MC = comp, comp.MicroCredential.Effective(st.Defaults)
			}
		}
	}
	return c, nil
}

// localTitle is the competence's or the area's title in the page's
// language, from the standard; the credential's own words if the standard
// does not have it.
func localTitle(p *page, st *competence.Standard, sum *credential.Summary) string {
	if sum.Area {
		for _, pa := range st.Paths {
			if pa.ID == sum.Code {
				return p.In(pa.Title)
			}
		}
		return sum.Name
	}
	if c, ok := st.Competence(sum.Code); ok {
		return p.In(c.Title)
	}
	return sum.Name
}

// --- downloads ---

// badgePicture serves the badge's picture (not baked): for pages and
// previews.
func (s *Site) badgePicture(w http.ResponseWriter, r *http.Request) {
	p := s.pageFor(w, r)
	c, err := s.card(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendFile(w, "image/svg+xml", "", c.Picture(p.Lang).SVG())
}

// bakedBadge serves the badge as a baked picture, PNG or SVG: the
// picture with the credential as issued inside, which a verifier reads.
func (s *Site) bakedBadge(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := s.pageFor(w, r)
		c, err := s.card(r.Context(), p, r.PathValue("id"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		pic := c.Picture(p.Lang)
		var img []byte
		var mediaType string
		if format == "png" {
			if img, err = pic.PNG(); err == nil {
				img, err = bake.BakePNG(img, c.Body)
			}
			mediaType = "image/png"
		} else {
			img, err = bake.BakeSVG(pic.SVG(), c.Body)
			mediaType = "image/svg+xml"
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		sendFile(w, mediaType, c.Name()+"."+format, img)
	}
}

// jwtForm serves the badge as a JWT (VC-JOSE-COSE): its form made once,
// a copy whose status follows the badge's.
func (s *Site) jwtForm(w http.ResponseWriter, r *http.Request) {
	p := s.pageFor(w, r)
	c, err := s.card(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rec, err := s.platform.Forms.JWTForm(r.Context(), credential.Actor{Name: p.User.Name}, c.Badge.Credential)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendFile(w, "application/vc+jwt", c.Name()+".jwt", rec.Body)
}

// europassExport serves the badge as a European Learning Model v3
// credential (EDC generic profile), unsigned (docs/design/europass.md):
// with its picture and the link to its verification.
func (s *Site) europassExport(w http.ResponseWriter, r *http.Request) {
	p := s.pageFor(w, r)
	c, err := s.card(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	img, err := c.Picture(p.Lang).PNG()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, err := europass.Export(europass.Input{Badge: c.Body, Standard: c.Std, Image: img, Revoked: c.Revoked, Suspended: c.Suspended, VerifyURL: VerifyURL(s.publicURL(r), c.Sum.ID)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendFile(w, "application/ld+json", "europass-"+strings.TrimPrefix(c.Name(), "badge-")+".jsonld", out)
}

// sendFile writes a download (name "" for inline), kept out of shared
// caches.
func sendFile(w http.ResponseWriter, mediaType, name string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", mediaType)
	if name != "" {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if mediaType == "image/svg+xml" {
		// An SVG opened on its own runs nothing.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	}
	w.Write(body)
}

// pageFor is a page for a handler that serves a file: the language and
// the signed-in user.
func (s *Site) pageFor(w http.ResponseWriter, r *http.Request) *page {
	p := s.newPage(w, r)
	p.User = principal(r)
	return p
}

// --- sharing ---

// shareData is the page of a badge's public link.
type shareData struct {
	Card *badgeCard
	Form *form
	Done string
	URL  string // the public link, when on
	Now  time.Time
}

func (s *Site) sharePage(w http.ResponseWriter, r *http.Request) {
	s.renderShare(w, r, http.StatusOK, &shareData{Done: r.URL.Query().Get("done")})
}

func (s *Site) renderShare(w http.ResponseWriter, r *http.Request, status int, d *shareData) {
	p := s.userPage(w, r, "share.title", crumb{Label: p0(s, w, r, "badges.title"), Href: "/badges"}, crumb{Label: p0(s, w, r, "share.title")})
	c, err := s.card(r.Context(), p, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if c.Link, err = s.platform.Shares.Link(r.Context(), p.User, c.Badge.Credential); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Card, d.Now = c, s.now()
	if c.Link.Open(d.Now) {
		d.URL = s.publicURL(r) + "/s/" + c.Link.Token
	}
	p.Data = d
	s.render(w, r, status, "share", p)
}

func (s *Site) shareBadge(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	f := r.PostForm
	set := share.Settings{On: f.Get("on") == "1", Expires: f.Get("expires"),
		Fields:   share.Fields{Name: f.Get("name") == "1", Results: f.Get("results") == "1", Credential: f.Get("credential") == "1"},
		Adult:    f.Get("consent") == "adult",
		Guardian: f.Get("guardian"),
	}
	if f.Get("consent") != "guardian" {
		set.Guardian = ""
	}
	_, err := s.platform.Shares.Share(r.Context(), principal(r), r.PathValue("id"), set)
	if err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if code := attesta.ErrorCode(err); !ok || code == attesta.Forbidden || code == attesta.NotFound {
			s.fail(w, r, err)
			return
		}
		s.renderShare(w, r, http.StatusUnprocessableEntity, &shareData{Form: fm})
		return
	}
	done := "off"
	if set.On {
		done = "on"
	}
	http.Redirect(w, r, "/badges/"+url.PathEscape(r.PathValue("id"))+"/share?done="+done, http.StatusSeeOther)
}

// publicURL is the server's address as the request reached it: where
// public links and QR codes point.
func (s *Site) publicURL(r *http.Request) string {
	if s.platform.PublicURL != "" {
		return strings.TrimSuffix(s.platform.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// sharedData is the public page of a shared badge.
type sharedData struct {
	Card     *badgeCard
	Link     *share.Link
	Name     string // the learner's, if shared
	URL      string
	Image    string
	LinkedIn string
	Now      time.Time
}

// shared is the public page of a badge: what its learner chose to show,
// with the badge's status now — a revoked or suspended badge says so.
func (s *Site) shared(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r)
	p.User = principal(r)
	d, err := s.sharedCard(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title = d.Card.Title
	p.Data = d
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Robots-Tag", "noindex")
	s.render(w, r, http.StatusOK, "shared", p)
}

func (s *Site) sharedCard(r *http.Request, p *page) (*sharedData, error) {
	ctx := r.Context()
	l, err := s.platform.Shares.Public(ctx, r.PathValue("token"))
	if err != nil {
		return nil, err
	}
	rec, err := s.platform.Credentials.Record(ctx, credential.Actor{Name: "share"}, l.Credential)
	if err != nil {
		return nil, err
	}
	c, err := s.cardOf(ctx, p, commission.Badge{Credential: rec.ID, Candidate: l.Person, IssuedAt: rec.IssuedAt, Issuer: rec.IssuerID,
		Revoked: rec.Revoked, Suspended: rec.Suspended}, rec.Body)
	if err != nil {
		return nil, err
	}
	c.Reason, c.Link = rec.Reason, l
	d := &sharedData{Card: c, Link: l, Now: s.now()}
	base := s.publicURL(r)
	d.URL = base + "/s/" + l.Token
	d.Image = d.URL + "/picture.png"
	d.Name = l.Name
	if !c.Revoked && !c.Suspended {
		d.LinkedIn = linkedIn(c, d.URL)
	}
	return d, nil
}

// linkedIn is LinkedIn's "add to profile" address for a certification:
// its name, the organisation, the month it was issued, its id and URL.
func linkedIn(c *badgeCard, link string) string {
	issued := c.Sum.ValidFrom.In(attesta.Rome)
	q := url.Values{
		"startTask":        {"CERTIFICATION_NAME"},
		"name":             {c.Title},
		"organizationName": {c.Sum.Issuer.Name},
		"issueYear":        {strconv.Itoa(issued.Year())},
		"issueMonth":       {strconv.Itoa(int(issued.Month()))},
		"certUrl":          {link},
		"certId":           {c.Sum.ID},
	}
	if !c.Sum.ValidUntil.IsZero() {
		until := c.Sum.ValidUntil.In(attesta.Rome)
		q.Set("expirationYear", strconv.Itoa(until.Year()))
		q.Set("expirationMonth", strconv.Itoa(int(until.Month())))
	}
	return "https://www.linkedin.com/profile/add?" + q.Encode()
}

// sharedPicture is the shared badge's picture as PNG: the OpenGraph
// image of its page.
func (s *Site) sharedPicture(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r)
	d, err := s.sharedCard(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	img, err := d.Card.Picture(p.Lang).PNG()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendFile(w, "image/png", "", img)
}

// sharedCredential is the shared badge's credential, if its learner chose
// to share it.
func (s *Site) sharedCredential(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r)
	d, err := s.sharedCard(r, p)
	if err == nil && !d.Link.Fields.Credential {
		err = attesta.E(attesta.NotFound, "err.share.notfound")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendFile(w, "application/vc+ld+json", d.Card.Name()+".json", d.Card.Body)
}

// badgeRoutes are the learner's badges' pages and downloads, their public
// links and the public verification.
func (s *Site) badgeRoutes(user func(string, auth.Action, http.HandlerFunc) Route, public func(string, http.HandlerFunc) Route) []Route {
	routes := []Route{
		user("GET /badges/{id}/picture.svg", auth.BadgeView, s.badgePicture),
		user("GET /badges/{id}/badge.png", auth.BadgeView, s.bakedBadge("png")),
		user("GET /badges/{id}/badge.svg", auth.BadgeView, s.bakedBadge("svg")),
		user("GET /badges/{id}/attestato.pdf", auth.BadgeView, s.attestato),
		user("GET /badges/{id}/europass.jsonld", auth.BadgeView, s.europassExport),
		user("GET /badges/{id}/badge.jwt", auth.BadgeView, s.jwtForm),
	}
	if s.platform.Shares != nil {
		routes = append(routes,
			user("GET /badges/{id}/share", auth.BadgeView, s.sharePage),
			user("POST /badges/{id}/share", auth.BadgeShare, s.shareBadge),
			public("GET /s/{token}", s.shared),
			public("GET /s/{token}/picture.png", s.sharedPicture),
			public("GET /s/{token}/credential.json", s.sharedCredential),
		)
	}
	return routes
}

// Now is the server's time, for the pages' templates.
func (p *page) Now() time.Time { return p.site.now() }

// WalletOn reports whether the wallet pickup is served.
func (p *page) WalletOn() bool { return p.site.platform.Wallet != nil }

// ShareOn reports whether learners' links are served.
func (p *page) ShareOn() bool { return p.site.platform.Shares != nil }
