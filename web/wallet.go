package web

import (
	"html/template"
	"net/http"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/internal/qr"
	"github.com/attesta/attesta/wallet"
)

// The wallet pickup of a badge (package wallet, docs/design/wallet.md):
// the learner, or a referent or tutor of their school, makes a credential
// offer; the page that answers shows it once, as a QR code and a link that
// opens a wallet on the same device, and says where the transaction code
// went — never the code itself.

// walletRoutes are the routes of the wallet pickup's page.
func (s *Site) walletRoutes(user func(string, auth.Action, http.HandlerFunc) Route) []Route {
	return []Route{
		user("GET /badges/{id}/wallet", auth.BadgeWallet, s.walletView),
		user("POST /badges/{id}/wallet", auth.BadgeWallet, s.makeOffer),
	}
}

// walletData is what the wallet pickup's page shows.
type walletData struct {
	View *wallet.View
	// Made is the offer just made, with its QR code and its link; nil
	// otherwise.
	Made *wallet.Made
	QR   template.HTML
	Link template.URL
	// Minutes is how long an offer lasts.
	Minutes int
	Form    *form
}

func (s *Site) walletView(w http.ResponseWriter, r *http.Request) {
	s.walletPage(w, r, http.StatusOK, &walletData{})
}

func (s *Site) walletPage(w http.ResponseWriter, r *http.Request, status int, d *walletData) {
	// The learner's badges are a crumb for whoever may see them (the
	// learner); a school's staff do not.
	crumbs := []crumb{{Label: p0(s, w, r, "wallet.title")}}
	if auth.Can(principal(r), auth.BadgeView, auth.Anywhere) {
		crumbs = append([]crumb{{Label: p0(s, w, r, "badges.title"), Href: "/badges"}}, crumbs...)
	}
	p := s.userPage(w, r, "wallet.title", crumbs...)
	v, err := s.platform.Wallet.Get(r.Context(), p.User, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.View, d.Minutes = v, int(s.platform.Wallet.OfferLifetime().Minutes())
	p.Data = d
	// An offer's code is a live secret: the page that shows it is not kept.
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "wallet", p)
}

func (s *Site) makeOffer(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	made, err := s.platform.Wallet.Make(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.walletPage(w, r, httpstatus.Of(err), &walletData{Form: fm})
		return
	}
	p := s.newPage(w, r)
	svg, err := qr.SVG(made.URI, qr.Medium, 320, p.T("wallet.qr.alt"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Both are made here from the offer: the SVG's only text is its
	// escaped title, and the link's scheme is the specification's.
	s.walletPage(w, r, http.StatusCreated, &walletData{Made: made, QR: template.HTML(svg), Link: template.URL(made.URI)})
}
