// Package api is attesta's JSON API under /api/v1, described by the OpenAPI
// 3.1 document served at /api/openapi.json. For now it is read-only: the
// national competence standards. Errors are RFC 9457 problem documents.
package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/internal/i18n"
)

//go:embed openapi.json
var openAPI []byte

// Standards is what the API needs of the competence standards. The public
// routes read as a visitor (a nil principal): they never show a draft.
type Standards interface {
	Sectors(ctx context.Context, p *auth.Principal) ([]competence.Info, error)
	Current(ctx context.Context, p *auth.Principal, sector string) (*competence.Standard, error)
	Version(ctx context.Context, p *auth.Principal, sector string, version int) (*competence.Standard, error)
	Versions(ctx context.Context, p *auth.Principal) ([]competence.Info, error)
}

// API is the JSON surface.
type API struct {
	standards Standards
	creds     CredentialOptions
	platform  Platform
	log       *slog.Logger
}

// New returns the API. creds and platform may be zero: the credential and
// platform endpoints are then not served.
func New(standards Standards, creds CredentialOptions, platform Platform, log *slog.Logger) *API {
	return &API{standards: standards, creds: creds, platform: platform, log: log}
}

// Route is one entry of the route table.
type Route struct {
	Pattern string // a ServeMux pattern with method
	Handler http.HandlerFunc
	// Action is what the route does for the holder of a personal access
	// token, as package auth decides it; Public routes need no token, and
	// System routes take the deployment's own API token, not a person's.
	// The authorization matrix test enumerates routes by these.
	Action auth.Action
	Public bool
	System bool
	// MaxBody, when not zero, is the route's limit on request bodies
	// instead of the server's (imports).
	MaxBody int64
}

// Routes returns the whole route table of the API. A test checks it against
// the OpenAPI document.
func (a *API) Routes() []Route {
	pub := func(pattern string, h http.HandlerFunc) Route {
		return Route{Pattern: pattern, Handler: h, Public: true}
	}
	sys := func(pattern string, h http.HandlerFunc) Route {
		return Route{Pattern: pattern, Handler: h, System: true}
	}
	routes := []Route{
		pub("GET /api/openapi.json", a.openAPI),
		pub("GET /api/v1/standards", a.listVersions),
		pub("GET /api/v1/standards/{sector}/versions/{version}", a.getVersion),
		pub("GET /api/v1/sectors", a.listSectors),
		pub("GET /api/v1/sectors/{sector}", a.getSector),
		pub("GET /api/v1/sectors/{sector}/competences/{code}", a.getCompetence),
		pub("GET /api/v1/sectors/{sector}/diff", a.diff),
	}
	if a.platform.Accounts != nil {
		routes = append(routes, a.platformRoutes()...)
	}
	if a.creds.Credentials == nil {
		return routes
	}
	routes = append(routes,
		// VC-API.
		sys("POST /credentials/issue", a.issueVCAPI),
		pub("POST /credentials/verify", a.verifyCredential),
		pub("POST /presentations/verify", a.verifyPresentation),
		// The public verification of what a verifier holds, as JSON
		// (api/verify.go).
		Route{Pattern: "POST /api/v1/verify", Handler: a.verifyUpload, Public: true, MaxBody: MaxVerifyBody + 1},
		// attesta's credential API.
		sys("POST /api/v1/credentials", a.issueCompetence),
		pub("GET /api/v1/credentials/{id}", a.getCredential),
		sys("POST /api/v1/credentials/{id}/status", a.changeStatus),
		pub("GET /api/v1/credentials/{id}/events", a.credentialEvents),
		// Public documents verifiers fetch.
		pub("GET /issuers/{issuer}/did.json", a.didDocument),
		pub("GET /status/{issuer}/{list}/{purpose}", a.statusList),
		pub("GET "+credential.AttestaContextPath, a.attestaContext),
	)
	if a.creds.Log != nil {
		routes = append(routes,
			// The transparency log.
			pub("GET /log/checkpoint", a.logCheckpoint),
			pub("GET /log/tile/{path...}", a.logTile),
			pub("GET /api/v1/log/consistency", a.logConsistency),
			pub("GET /api/v1/credentials/{id}/receipt", a.credentialReceipt),
			pub("GET /log/key", a.logKey),
		)
	}
	if a.creds.Trust != nil {
		routes = append(routes,
			// The trust bundle of offline verifiers.
			pub("GET /trust/bundle", a.trustBundle),
			pub("GET /trust/key", a.trustKey),
		)
	}
	if a.creds.Stored != nil {
		// The public verification of a credential attesta keeps.
		routes = append(routes, pub("GET /api/v1/credentials/{id}/verification", a.storedVerification))
	}
	if a.creds.Wallet != nil {
		routes = append(routes, a.walletRoutes()...)
	}
	if a.creds.Witness != nil {
		routes = append(routes,
			// The witness role (C2SP tlog-witness).
			pub("POST /witness/add-checkpoint", http.StripPrefix("/witness", a.creds.Witness.Handler).ServeHTTP),
			pub("GET /witness/key", a.witnessKey),
		)
	}
	return routes
}

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(openAPI)
}

func (a *API) reply(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		a.log.WarnContext(r.Context(), "writing response", "err", err)
	}
}

// problem is an RFC 9457 problem document. Code (an attesta error code)
// and Key (the message key of the detail) let a client tell problems apart
// without reading the words.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code,omitempty"`
	Key    string `json:"key,omitempty"`
	// Problems are the problems of a standard or a standards file, each
	// with where it is (its path in the standard).
	Problems competence.Problems `json:"problems,omitempty"`
}

// defaultLang is the language of the API's messages when a request asks
// for none (by ?lang=, the language cookie or Accept-Language): English, as
// the API always answered and as the rest of a problem document (its
// title) is.
const defaultLang = "en"

// lang returns the language of the messages for r.
func lang(r *http.Request) string {
	if l, ok := i18n.Asked(r); ok {
		return l
	}
	return defaultLang
}

// newProblem returns the problem document of err with status, its detail
// in the language of r; problems with fields are said with their fields,
// and the problems of a standard or standards file after the message, each
// with where it is.
func newProblem(w http.ResponseWriter, r *http.Request, status int, err error) problem {
	l := lang(r)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Language", l)
	w.Header().Add("Vary", "Accept-Language")
	detail := attesta.MessageIn(err, l)
	var fe attesta.FieldErrors
	var ps competence.Problems
	if errors.As(err, &ps) && len(ps) > 0 {
		detail += ": " + ps.In(l)
	}
	if errors.As(err, &fe) && attesta.ErrorKey(err) == "err.fields" {
		var b strings.Builder
		for i, e := range fe {
			if i > 0 {
				b.WriteString("; ")
			}
			if e.Field != "" {
				b.WriteString(e.Field + ": ")
			}
			b.WriteString(e.In(l))
		}
		detail = b.String()
	}
	return problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail,
		Code: string(attesta.ErrorCode(err)), Key: attesta.ErrorKey(err), Problems: ps}
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := httpstatus.Of(err)
	if status >= 500 {
		a.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
	}
	p := newProblem(w, r, status, err)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

// NotFound answers a request for an address under the API that no route
// has, with a problem document.
func (a *API) NotFound(w http.ResponseWriter, r *http.Request) {
	a.fail(w, r, attesta.E(attesta.NotFound, "err.api.notfound"))
}

func (a *API) listVersions(w http.ResponseWriter, r *http.Request) {
	infos, err := a.standards.Versions(r.Context(), nil)
	a.reply(w, r, list(infos), err)
}

func (a *API) listSectors(w http.ResponseWriter, r *http.Request) {
	infos, err := a.standards.Sectors(r.Context(), nil)
	a.reply(w, r, list(infos), err)
}

func list(infos []competence.Info) any {
	if infos == nil {
		infos = []competence.Info{}
	}
	return struct {
		Items []competence.Info `json:"items"`
	}{infos}
}

func (a *API) getVersion(w http.ResponseWriter, r *http.Request) {
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v < 1 || v > competence.MaxVersion {
		a.fail(w, r, attesta.E(attesta.Invalid, "err.api.version", r.PathValue("version")))
		return
	}
	st, err := a.standards.Version(r.Context(), nil, r.PathValue("sector"), v)
	a.reply(w, r, st, err)
}

func (a *API) getSector(w http.ResponseWriter, r *http.Request) {
	st, err := a.standards.Current(r.Context(), nil, r.PathValue("sector"))
	a.reply(w, r, st, err)
}

// competenceView is a competence with what it inherits from its standard.
type competenceView struct {
	Sector          string                     `json:"sector"`
	Version         int                        `json:"version"`
	Status          competence.Status          `json:"status"`
	Competence      *competence.Competence     `json:"competence"`
	SchoolTypes     []competence.SchoolType    `json:"school_types"`
	Paths           []string                   `json:"paths"`
	MicroCredential competence.MicroCredential `json:"microcredential"`
}

func (a *API) getCompetence(w http.ResponseWriter, r *http.Request) {
	st, err := a.standards.Current(r.Context(), nil, r.PathValue("sector"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	c, ok := st.Competence(r.PathValue("code"))
	if !ok {
		a.fail(w, r, attesta.E(attesta.NotFound, "err.api.competence.notfound", r.PathValue("code"), st.Sector))
		return
	}
	v := competenceView{Sector: st.Sector, Version: st.Version, Status: st.Status, Competence: c,
		SchoolTypes: st.SchoolTypesOf(c.Code), Paths: []string{}, MicroCredential: c.MicroCredential.Effective(st.Defaults)}
	for _, p := range st.PathsOf(c.Code) {
		v.Paths = append(v.Paths, p.ID)
	}
	if v.SchoolTypes == nil {
		v.SchoolTypes = []competence.SchoolType{}
	}
	a.reply(w, r, v, nil)
}
