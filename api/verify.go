package api

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/credential"
)

// The public verification as JSON: of a credential attesta keeps, by its
// id (what the QR code of a printout and a shared page link to), and of
// whatever a verifier uploads — a credential as JSON or JWT, a baked PNG
// or SVG, the attestato's PDF. The answer is the verifier's report, the
// checks said in Italian and English.
//
// A stored credential's report is reused for a short while
// (credential.StoredReports): that makes the endpoint cheap enough for a
// crowd of verifiers (README, "The learner's badges, sharing and public
// verification").

// MaxVerifyBody bounds an uploaded credential, picture or printout.
const MaxVerifyBody = 4 << 20

func (a *API) storedVerification(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if len(id) > 200 {
		a.fail(w, r, attesta.E(attesta.NotFound, "err.credential.notfound", id))
		return
	}
	rep, _, err := a.creds.Stored.Verify(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.report(w, r, rep)
}

// verifyUpload verifies the request's body as it is.
func (a *API) verifyUpload(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxVerifyBody+1))
	if err != nil {
		a.fail(w, r, attesta.E(attesta.TooLarge, "err.verify.large", MaxVerifyBody>>20))
		return
	}
	if len(body) > MaxVerifyBody {
		a.fail(w, r, attesta.E(attesta.TooLarge, "err.verify.large", MaxVerifyBody>>20))
		return
	}
	if len(body) == 0 {
		a.fail(w, r, attesta.E(attesta.Invalid, "err.verify.empty"))
		return
	}
	a.report(w, r, a.creds.Verifier.Verify(r.Context(), body))
}

// report answers with a verifier's report: 200 whatever it found (the
// verdict is in it), so that a revoked credential's report reads as one.
func (a *API) report(w http.ResponseWriter, r *http.Request, rep *credential.Report) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(rep)
}
