package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/wallet"
)

// Credentials is what the API needs of the credential service.
type Credentials interface {
	Issue(ctx context.Context, actor credential.Actor, req credential.IssueRequest) (credential.Record, error)
	IssueDocument(ctx context.Context, actor credential.Actor, doc []byte, format credential.Format) (credential.Record, error)
	Record(ctx context.Context, actor credential.Actor, id string) (credential.Record, error)
	Events(ctx context.Context, actor credential.Actor, id string) ([]credential.StatusEvent, error)
	ChangeStatus(ctx context.Context, actor credential.Actor, id string, action credential.Action, reason string) (credential.Record, error)
	StatusListCredential(ctx context.Context, issuerID string, list int, purpose statuslist.Purpose) (credential.SignedList, error)
}

// Verifier verifies credentials and presentations.
type Verifier interface {
	Verify(ctx context.Context, input []byte) *credential.Report
	VerifyPresentation(ctx context.Context, input []byte, challenge, domain string) *credential.PresentationReport
}

// Issuers gives the issuers' DID documents.
type Issuers interface {
	Document(ctx context.Context, issuerID string) (did.Document, error)
}

// CredentialOptions connect the credential endpoints. Without them the API
// serves only the standards.
type CredentialOptions struct {
	Credentials Credentials
	Verifier    Verifier
	// Stored verifies the credentials attesta keeps, by id, reusing
	// recent reports; nil: GET /api/v1/credentials/{id}/verification is
	// not served.
	Stored  *credential.StoredReports
	Issuers Issuers
	// TokenSHA256 is the SHA-256 of the bearer token that may issue and
	// change status; nil disables those endpoints.
	TokenSHA256 []byte
	// Context is attesta's JSON-LD extension context, served as is.
	Context []byte
	// Log is the transparency log and Receipts its receipts; nil: not served.
	Log      Log
	Receipts Receipts
	// Witness is the witness role; nil: not served.
	Witness *Witness
	// Trust is the deployment's signed trust bundle; nil: not served.
	Trust TrustBundle
	// Wallet is the wallet pickup (OpenID4VCI); nil: not served.
	Wallet *wallet.Service
}

// HashToken returns the SHA-256 of an API token, the only form the server
// keeps.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// actor authenticates the request by its bearer token: the deployment's
// API token. A person's personal access token does not act on credentials
// (yet): it is refused as such, not as a wrong token.
func (a *API) actor(r *http.Request) (credential.Actor, error) {
	tok, ok := bearer(r)
	if ok && strings.HasPrefix(tok, account.TokenPrefix) {
		return credential.Actor{}, attesta.E(attesta.Forbidden, "err.api.token.personal")
	}
	if a.creds.TokenSHA256 == nil {
		return credential.Actor{}, attesta.E(attesta.Unauthenticated, "err.api.token.disabled")
	}
	if !ok || subtle.ConstantTimeCompare(HashToken(tok), a.creds.TokenSHA256) != 1 {
		return credential.Actor{}, attesta.E(attesta.Unauthenticated, "err.api.token.required")
	}
	return credential.Actor{Name: "api-token"}, nil
}

// vcapiIssue is the VC-API issue request.
type vcapiIssue struct {
	Credential json.RawMessage `json:"credential"`
	Options    struct {
		Cryptosuite string `json:"cryptosuite,omitempty"` // eddsa-rdfc-2022 (default), eddsa-jcs-2022, or "vc-jwt"
	} `json:"options"`
}

func (a *API) issueVCAPI(w http.ResponseWriter, r *http.Request) {
	actor, err := a.actor(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var req vcapiIssue
	if err := readJSON(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if len(req.Credential) == 0 {
		a.fail(w, r, attesta.E(attesta.Invalid, "err.api.body.required", "credential"))
		return
	}
	rec, err := a.creds.Credentials.IssueDocument(r.Context(), actor, req.Credential, credential.Format(req.Options.Cryptosuite))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"verifiableCredential":%s}`, vcValue(rec))
}

// vcValue is a record's credential as a JSON value: the object, or for a JWT
// the enveloped form of VC 2.0.
func vcValue(rec credential.Record) []byte {
	if rec.Format == credential.JWT {
		v, _ := json.Marshal(map[string]any{
			"@context": []string{credential.ContextVC}, "type": "EnvelopedVerifiableCredential",
			"id": "data:application/vc+jwt," + string(rec.Body),
		})
		return v
	}
	return rec.Body
}

func (a *API) issueCompetence(w http.ResponseWriter, r *http.Request) {
	actor, err := a.actor(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var req credential.IssueRequest
	if err := readJSON(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	rec, err := a.creds.Credentials.Issue(r.Context(), actor, req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/credentials/"+rec.ID)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	a.writeRecord(w, rec)
}

func (a *API) writeRecord(w http.ResponseWriter, rec credential.Record) {
	out := map[string]any{
		"id": rec.ID, "issuer": rec.IssuerID, "format": rec.Format, "digest": rec.Digest, "achievement": rec.Achievement,
		"issued_at": rec.IssuedAt, "revoked": rec.Revoked, "suspended": rec.Suspended,
		"status":     map[string]any{"list": rec.List, "index": rec.Index},
		"credential": json.RawMessage(vcValue(rec)),
	}
	if rec.Reason != "" {
		out["reason"], out["changed_at"] = rec.Reason, rec.ChangedAt
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}

func (a *API) getCredential(w http.ResponseWriter, r *http.Request) {
	actor, err := a.actor(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	rec, err := a.creds.Credentials.Record(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	a.writeRecord(w, rec)
}

func (a *API) changeStatus(w http.ResponseWriter, r *http.Request) {
	actor, err := a.actor(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var req struct {
		Action credential.Action `json:"action"`
		Reason string            `json:"reason"`
	}
	if err := readJSON(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	rec, err := a.creds.Credentials.ChangeStatus(r.Context(), actor, r.PathValue("id"), req.Action, req.Reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	a.writeRecord(w, rec)
}

func (a *API) credentialEvents(w http.ResponseWriter, r *http.Request) {
	actor, err := a.actor(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	evs, err := a.creds.Credentials.Events(r.Context(), actor, r.PathValue("id"))
	type event struct {
		Action credential.Action `json:"action"`
		Reason string            `json:"reason"`
		Actor  string            `json:"actor"`
		At     any               `json:"at"`
	}
	out := []event{}
	for _, e := range evs {
		out = append(out, event{e.Action, e.Reason, e.Actor, e.At})
	}
	a.reply(w, r, map[string]any{"events": out}, err)
}

// verifyResponse is the VC-API verification response, with attesta's report.
type verifyResponse struct {
	Verified bool     `json:"verified"`
	Checks   []string `json:"checks"`
	Warnings []string `json:"warnings"`
	Errors   []string `json:"errors"`
	Report   any      `json:"report"`
}

func (a *API) verifyCredential(w http.ResponseWriter, r *http.Request) {
	var req struct {
		VerifiableCredential json.RawMessage `json:"verifiableCredential"`
		Options              json.RawMessage `json:"options,omitempty"`
	}
	if err := readJSON(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if len(req.VerifiableCredential) == 0 {
		a.fail(w, r, attesta.E(attesta.Invalid, "err.api.body.required", "verifiableCredential"))
		return
	}
	rep := a.creds.Verifier.Verify(r.Context(), credential.Unwrap(req.VerifiableCredential))
	a.verifyReply(w, r, rep.Verified, rep.Checks, rep)
}

func (a *API) verifyPresentation(w http.ResponseWriter, r *http.Request) {
	var req struct {
		VerifiablePresentation json.RawMessage `json:"verifiablePresentation"`
		Options                struct {
			Challenge string `json:"challenge,omitempty"`
			Domain    string `json:"domain,omitempty"`
		} `json:"options"`
	}
	if err := readJSON(r, &req); err != nil {
		a.fail(w, r, err)
		return
	}
	if len(req.VerifiablePresentation) == 0 {
		a.fail(w, r, attesta.E(attesta.Invalid, "err.api.body.required", "verifiablePresentation"))
		return
	}
	rep := a.creds.Verifier.VerifyPresentation(r.Context(), req.VerifiablePresentation, req.Options.Challenge, req.Options.Domain)
	checks := rep.Checks
	for _, c := range rep.Credentials {
		checks = append(checks, c.Checks...)
	}
	a.verifyReply(w, r, rep.Verified, checks, rep)
}

func (a *API) verifyReply(w http.ResponseWriter, r *http.Request, verified bool, checks []credential.Check, report any) {
	resp := verifyResponse{Verified: verified, Checks: []string{}, Warnings: []string{}, Errors: []string{}, Report: report}
	l := lang(r)
	for _, c := range checks {
		switch c.Outcome {
		case credential.Pass:
			resp.Checks = append(resp.Checks, string(c.ID))
		case credential.Skip, credential.Warn:
			resp.Warnings = append(resp.Warnings, fmt.Sprintf("%s: %s", c.ID, c.Reason.In(l)))
		default:
			resp.Errors = append(resp.Errors, fmt.Sprintf("%s: %s", c.ID, c.Reason.In(l)))
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Language", l)
	w.Header().Add("Vary", "Accept-Language")
	if !verified {
		w.WriteHeader(http.StatusBadRequest)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(resp)
}

func (a *API) didDocument(w http.ResponseWriter, r *http.Request) {
	doc, err := a.creds.Issuers.Document(r.Context(), r.PathValue("issuer"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	body, _ := json.MarshalIndent(doc, "", "  ")
	ct := negotiated(w, r, didDocumentTypes...)
	a.cacheable(w, r, ct, body, "public, max-age=300")
}

func (a *API) statusList(w http.ResponseWriter, r *http.Request) {
	list, err := strconv.Atoi(r.PathValue("list"))
	if err != nil || list < 1 {
		a.fail(w, r, attesta.E(attesta.NotFound, "err.api.statuslist.notfound", r.PathValue("list")))
		return
	}
	sl, err := a.creds.Credentials.StatusListCredential(r.Context(), r.PathValue("issuer"), list, statuslist.Purpose(r.PathValue("purpose")))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ct := negotiated(w, r, statusListTypes...)
	// Verifiers may cache a list briefly; a change is visible within a minute.
	a.cacheable(w, r, ct, sl.Body, "public, max-age=60")
}

// The media types a status list credential and a DID document are served
// as, the first by default: a client that reads only JSON (as some
// verifiers' HTTP clients do, by the type's name) asks for and gets one it
// reads, and the bytes are the same.
var (
	statusListTypes  = []string{"application/vc", "application/vc+ld+json", "application/ld+json", "application/json"}
	didDocumentTypes = []string{"application/did+json", "application/did+ld+json", "application/did", "application/ld+json", "application/json"}
)

// negotiated returns the type to answer r with among offers: the first
// when r accepts none of them (RFC 9110 lets a server disregard Accept
// rather than answer 406; the document is the same).
func negotiated(w http.ResponseWriter, r *http.Request, offers ...string) string {
	w.Header().Add("Vary", "Accept")
	if ct := negotiate(r, offers...); ct != "" {
		return ct
	}
	return offers[0]
}

func (a *API) attestaContext(w http.ResponseWriter, r *http.Request) {
	// The context is pinned by hash: it never changes under this URL.
	a.cacheable(w, r, "application/ld+json", a.creds.Context, "public, max-age=31536000, immutable")
}

// cacheable writes body with an ETag and answers If-None-Match with 304.
func (a *API) cacheable(w http.ResponseWriter, r *http.Request, contentType string, body []byte, cacheControl string) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", cacheControl)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Write(body)
}
