package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/qti"
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
		// QTI 3.0 content packages in and out (docs/design/qti.md).
		{Pattern: "POST /api/v1/items/import", Handler: a.withToken(a.importItems), Action: auth.ItemAuthor, MaxBody: qti.MaxPackageSize + 1},
		t("GET /api/v1/items/export", auth.ItemView, a.exportItems),
	}
}

// itemFilter reads the bank's filter from a query.
func itemFilter(r *http.Request) item.Filter {
	q := r.URL.Query()
	f := item.Filter{Sector: q.Get("sector"), Competence: q.Get("competence"), Status: item.Status(q.Get("status")),
		Kind: item.Kind(q.Get("kind")), Dimension: item.Dimension(q.Get("dimension")), Lang: q.Get("lang")}
	f.Standard, _ = strconv.Atoi(q.Get("standard"))
	return f
}

// importItems imports a QTI 3.0 content package (the request body,
// application/zip) into the token holder's bank, all or none: 201 with
// the drafts made; 400 with every problem of the package (where it is)
// or of its items (items[i].field), and nothing written.
func (a *API) importItems(w http.ResponseWriter, r *http.Request) {
	p := who(r)
	if _, err := a.platform.Items.Bank(p); err != nil {
		a.fail(w, r, err)
		return
	}
	pkg, ok := a.readPackage(w, r)
	if !ok {
		return
	}
	vs, err := a.platform.Items.Import(r.Context(), p, pkg.Items)
	if err == nil {
		created(w)
	}
	a.reply(w, r, items(vs), err)
}

// packageProblem is a problem document with the problems of a QTI
// package, each with its file, line, column and element.
type packageProblem struct {
	problem
	Package qti.Problems `json:"package_problems"`
}

// exportItems writes the items the filter selects as a QTI 3.0 content
// package: of every status for the bank's writers, approved only for the
// others.
func (a *API) exportItems(w http.ResponseWriter, r *http.Request) {
	its, err := a.platform.Items.Export(r.Context(), who(r), itemFilter(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	data, err := qti.Export(its, nil)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "attesta-items-qti.zip"}))
	w.Write(data)
}

func (a *API) listItems(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := itemFilter(r)
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

// readPackage reads a QTI content package, the request's application/zip
// body; a refusal is answered here (the package's problems each with its
// file, line and column).
func (a *API) readPackage(w http.ResponseWriter, r *http.Request) (qti.Package, bool) {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/zip" {
		a.fail(w, r, attesta.E(attesta.MediaType, "err.api.body.type", ct))
		return qti.Package{}, false
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			a.fail(w, r, attesta.E(attesta.TooLarge, "err.api.body.large", tooBig.Limit))
			return qti.Package{}, false
		}
		a.fail(w, r, attesta.E(attesta.Invalid, "err.api.body.unreadable", err))
		return qti.Package{}, false
	}
	pkg, err := qti.Import(data)
	if err != nil {
		var ps qti.Problems
		if !errors.As(err, &ps) {
			a.fail(w, r, err)
			return qti.Package{}, false
		}
		status := httpstatus.Of(err)
		doc := packageProblem{newProblem(w, r, status, err), ps}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(doc)
		return qti.Package{}, false
	}
	return pkg, true
}
