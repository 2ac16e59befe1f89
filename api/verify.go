package api

import (
	lru "container/list"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/credential"
)

// The public verification as JSON: of a credential attesta keeps, by its
// id (what the QR code of a printout and a shared page link to), and of
// whatever a verifier uploads — a credential as JSON or JWT, a baked PNG
// or SVG, the attestato's PDF. The answer is the verifier's report, the
// checks said in Italian and English.
//
// A stored credential's report is kept for a short while: its bytes never
// change, and its status is read for every request from its record, so a
// revocation shows at once; what the cache may hold back, for at most
// storedTTL, is a key ended meanwhile or a notarization pending until the
// next checkpoint. That makes the endpoint cheap enough for a crowd of
// verifiers (README, "Public verification").

// MaxVerifyBody bounds an uploaded credential, picture or printout.
const MaxVerifyBody = 4 << 20

// storedTTL is how long a stored credential's report is reused.
const storedTTL = time.Minute

// storedCacheSize bounds the reports kept.
const storedCacheSize = 4096

// reportCache keeps recent reports of stored credentials, least recently
// used out first.
type reportCache struct {
	mu    sync.Mutex
	order *lru.List
	items map[string]*lru.Element
}

type cachedReport struct {
	key     string
	report  *credential.Report
	expires time.Time
}

func newReportCache() *reportCache {
	return &reportCache{order: lru.New(), items: map[string]*lru.Element{}}
}

func (c *reportCache) get(key string, now time.Time) *credential.Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil
	}
	cr := e.Value.(*cachedReport)
	if !now.Before(cr.expires) {
		c.order.Remove(e)
		delete(c.items, key)
		return nil
	}
	c.order.MoveToFront(e)
	return cr.report
}

func (c *reportCache) put(key string, r *credential.Report, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.order.Remove(e)
	}
	c.items[key] = c.order.PushFront(&cachedReport{key: key, report: r, expires: expires})
	for c.order.Len() > storedCacheSize {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.items, old.Value.(*cachedReport).key)
	}
}

// storedReport verifies a stored credential, or reuses its recent report
// while its record says the same status.
func (a *API) storedReport(ctx context.Context, id string) (*credential.Report, error) {
	rec, err := a.creds.Credentials.Record(ctx, credential.Actor{Name: "verify"}, id)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	key := rec.ID + "|" + rec.Digest + "|" + rec.ChangedAt.String()
	if rec.Revoked {
		key += "|revoked"
	}
	if rec.Suspended {
		key += "|suspended"
	}
	if r := a.reports.get(key, now); r != nil {
		return r, nil
	}
	r := a.creds.Verifier.Verify(ctx, rec.Body)
	expires := now.Add(storedTTL)
	if !rec.ValidUntil.IsZero() && rec.ValidUntil.Before(expires) {
		expires = rec.ValidUntil
	}
	if r.Verified || r.Revoked || r.Suspended {
		a.reports.put(key, r, expires)
	}
	return r, nil
}

func (a *API) storedVerification(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if len(id) > 200 {
		a.fail(w, r, attesta.E(attesta.NotFound, "err.credential.notfound", id))
		return
	}
	rep, err := a.storedReport(r.Context(), id)
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
