package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/attesta/attesta"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta/notary"
)

// Log is what the API needs of the transparency log.
type Log interface {
	Checkpoint(ctx context.Context) (notary.StoredCheckpoint, error)
	TileData(ctx context.Context, t tlog.Tile) ([]byte, error)
	EntryBundle(ctx context.Context, t tlog.Tile) ([]byte, error)
	ConsistencyProof(ctx context.Context, oldSize, newSize int64) ([]tlog.Hash, error)
	VerifierKey(ctx context.Context) (string, error)
}

// Witness is the witness role: the C2SP tlog-witness handler, mounted at
// /witness, and the witness's verifier key.
type Witness struct {
	Handler http.Handler // serves POST /add-checkpoint
	Key     string       // cosignature/v1 verifier key
}

// logKey serves the log's verifier key, for those who set up a witness or a
// verifier: pin it out of band, this is a convenience.
func (a *API) logKey(w http.ResponseWriter, r *http.Request) {
	k, err := a.creds.Log.VerifierKey(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	plainText(w, k+"\n")
}

func (a *API) witnessKey(w http.ResponseWriter, r *http.Request) {
	plainText(w, a.creds.Witness.Key+"\n")
}

func plainText(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write([]byte(s))
}

// Receipts gives notarization receipts of credentials.
type Receipts interface {
	Receipt(ctx context.Context, credentialID string) (*notary.Receipt, error)
}

func (a *API) logCheckpoint(w http.ResponseWriter, r *http.Request) {
	cp, err := a.creds.Log.Checkpoint(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(cp.Note)
}

// logTile serves hash tiles and entry bundles (C2SP tlog-tiles). Full tiles
// never change and are cached for a year; partial ones only briefly.
func (a *API) logTile(w http.ResponseWriter, r *http.Request) {
	t, entries, err := notary.ParseTilePath("tile/" + r.PathValue("path"))
	if err != nil {
		a.fail(w, r, attesta.E(attesta.NotFound, "err.api.tile.path", err))
		return
	}
	var data []byte
	if entries {
		data, err = a.creds.Log.EntryBundle(r.Context(), t)
	} else {
		data, err = a.creds.Log.TileData(r.Context(), t)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cache := "public, max-age=31536000, immutable"
	if t.W < 1<<notary.TileHeight {
		cache = "public, max-age=10"
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", cache)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(data)
}

func (a *API) logConsistency(w http.ResponseWriter, r *http.Request) {
	oldSize, err1 := strconv.ParseInt(r.URL.Query().Get("old"), 10, 64)
	newSize, err2 := strconv.ParseInt(r.URL.Query().Get("new"), 10, 64)
	if err1 != nil || err2 != nil {
		a.fail(w, r, attesta.E(attesta.Invalid, "err.api.consistency.sizes"))
		return
	}
	cp, err := a.creds.Log.Checkpoint(r.Context())
	if err == nil && newSize > cp.Size {
		err = attesta.E(attesta.NotFound, "err.api.consistency.size", newSize, cp.Size)
	}
	var proof []tlog.Hash
	if err == nil {
		proof, err = a.creds.Log.ConsistencyProof(r.Context(), oldSize, newSize)
	}
	out := []string{}
	for _, h := range proof {
		out = append(out, base64.StdEncoding.EncodeToString(h[:]))
	}
	a.reply(w, r, map[string]any{"old": oldSize, "new": newSize, "proof": out}, err)
}

func (a *API) credentialReceipt(w http.ResponseWriter, r *http.Request) {
	rec, err := a.creds.Receipts.Receipt(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="receipt.json"`)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(rec)
}
