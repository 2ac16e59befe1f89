package api

import (
	"net/http"
	"strconv"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/item"
)

// itemRoutes are the item bank's routes: the items, their versions, and
// the acts of their life (docs/design/items.md).
func (a *API) itemRoutes(t func(string, auth.Action, http.HandlerFunc) Route) []Route {
	if a.platform.Items == nil {
		return nil
	}
	return []Route{
		t("GET /api/v1/items", auth.ItemView, a.listItems),
		t("POST /api/v1/items", auth.ItemAuthor, a.createItem),
		t("GET /api/v1/items/{id}", auth.ItemView, a.getItem),
		t("PUT /api/v1/items/{id}", auth.ItemAuthor, a.editItem),
		t("POST /api/v1/items/{id}/submit", auth.ItemAuthor, a.itemAct("submit")),
		t("POST /api/v1/items/{id}/versions", auth.ItemAuthor, a.itemAct("revise")),
		t("POST /api/v1/items/{id}/approve", auth.ItemReview, a.itemAct("approve")),
		t("POST /api/v1/items/{id}/send-back", auth.ItemReview, a.itemAct("send-back")),
		t("POST /api/v1/items/{id}/retire", auth.ItemReview, a.itemAct("retire")),
	}
}

func (a *API) listItems(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := item.Filter{Sector: q.Get("sector"), Competence: q.Get("competence"), Status: item.Status(q.Get("status")),
		Kind: item.Kind(q.Get("kind")), Dimension: item.Dimension(q.Get("dimension")), Lang: q.Get("lang")}
	f.Standard, _ = strconv.Atoi(q.Get("standard"))
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	vs, err := a.platform.Items.List(r.Context(), who(r), f)
	a.reply(w, r, items(vs), err)
}

func (a *API) createItem(w http.ResponseWriter, r *http.Request) {
	var in item.Item
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.platform.Items.Create(r.Context(), who(r), in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/items/"+v.ID)
		created(w)
	}
	a.reply(w, r, v, err)
}

func (a *API) getItem(w http.ResponseWriter, r *http.Request) {
	vs, err := a.platform.Items.Get(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, items(vs), err)
}

// itemChange is a change of an item's draft: the version the author saw
// and the new content.
type itemChange struct {
	Version int       `json:"version"`
	Item    item.Item `json:"item"`
}

func (a *API) editItem(w http.ResponseWriter, r *http.Request) {
	var in itemChange
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.platform.Items.Edit(r.Context(), who(r), r.PathValue("id"), in.Version, in.Item)
	a.reply(w, r, v, err)
}

// itemActInput is an act on the version the person saw, with the
// reviewer's comment when sending it back.
type itemActInput struct {
	Version int    `json:"version"`
	Comment string `json:"comment"`
}

func (a *API) itemAct(what string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in itemActInput
		if err := readJSON(r, &in); err != nil {
			a.fail(w, r, err)
			return
		}
		svc, ctx, p, id := a.platform.Items, r.Context(), who(r), r.PathValue("id")
		var v *item.Version
		var err error
		switch what {
		case "submit":
			v, err = svc.SubmitForReview(ctx, p, id, in.Version)
		case "revise":
			v, err = svc.NewVersion(ctx, p, id, in.Version)
			if err == nil {
				created(w)
			}
		case "approve":
			v, err = svc.Review(ctx, p, id, in.Version, true, "")
		case "send-back":
			v, err = svc.Review(ctx, p, id, in.Version, false, in.Comment)
		default:
			v, err = svc.RetireItem(ctx, p, id, in.Version)
		}
		a.reply(w, r, v, err)
	}
}
