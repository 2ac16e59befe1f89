// Package server assembles attesta's HTTP server from the storage, the
// domain services and the web and API surfaces: the route table, the
// middleware, health and readiness, metrics, and graceful shutdown.
package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/api"
	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/blob"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/metrics"
	"github.com/attesta/attesta/internal/oidc"
	"github.com/attesta/attesta/internal/rfc3161"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/job"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/rights"
	"github.com/attesta/attesta/storage"
	"github.com/attesta/attesta/web"
)

// Database is what the server needs of a storage engine: storage.DB, whose
// one declaration the behaviour suite (storage/storagetest) shares.
type Database = storage.DB

// Options configure the server. cmd/attesta builds them from its Config.
type Options struct {
	Version         string        // reported by /metrics and attesta version
	Log             *slog.Logger  //
	Clock           attesta.Clock //
	NoDemo          bool          // do not load the first-start dataset
	ShutdownTimeout time.Duration // how long in-flight requests get on SIGTERM
	MaxBodyBytes    int64         // limit on any request body
	// PublicURL is the address attesta is reached at (scheme, host, port):
	// issuers' did:web identifiers and the URLs in credentials derive from it.
	PublicURL string
	// KEK seals the issuers' private keys at rest.
	KEK *issuer.KeyEncryptionKey
	// APITokenSHA256 is the hash of the bearer token that may issue and
	// change credential status over the API; nil disables those endpoints.
	APITokenSHA256 []byte
	// GenericIssuer is the id of the issuer that signs the VC-API's generic
	// credentials: a service issuer attesta creates under that id if there
	// is none, or a Chamber when the deployment names one. Empty: the VC-API
	// issues nothing.
	GenericIssuer string
	// ChamberBanks lets each Chamber keep an item bank of its own.
	ChamberBanks bool
	// DIDWebLocal lists the origins (https://host:port) whose did:web
	// documents the VC-API verifier may fetch although they resolve to
	// loopback or private addresses: tests and intranets. Others are
	// fetched only from public addresses.
	DIDWebLocal []string
	// TLS, when set, makes Run serve HTTPS with its certificates.
	TLS *tls.Config
	// Rand is the source of identifiers, salts and keys; nil means crypto/rand.
	Rand io.Reader
	// Witnesses are asked to cosign each checkpoint of the log; a checkpoint
	// is published once WitnessQuorum of them have.
	Witnesses     []notary.Witness
	WitnessQuorum int
	// WitnessFor are the keys of the logs this attesta witnesses; none
	// means the witness role is off.
	WitnessFor []checkpoint.Verifier
	// TSA, if set, timestamps each checkpoint; TSARoots, if set, verify its
	// tokens before they are stored.
	TSA      *rfc3161.Client
	TSARoots *x509.CertPool
	// TSARootCerts are the certificates of TSARoots, which the trust
	// bundle publishes (a pool cannot list them).
	TSARootCerts []*x509.Certificate
	// TrustMaxAge is how long a trust bundle is served before a new one is
	// made; 0 means trust.DefaultMaxAge.
	TrustMaxAge time.Duration
	// OIDC, if set, offers sign-in with an OpenID Connect provider.
	OIDC *oidc.Config
	// Mail delivers the outbox (invitations, password resets); nil
	// delivers nothing: the messages wait in the outbox. Their links are
	// live secrets, so no Sender may print them to the log (cmd/attesta
	// gives an account.SMTP, or in development an account.MailDir).
	Mail account.Sender
	// OutboxInterval is how often the outbox is delivered; 0 means 5 s.
	OutboxInterval time.Duration
	// Production refuses the conveniences of development: New refuses to
	// run without Mail, Prepare never loads the first-start dataset (whose
	// demo accounts share a published password) and refuses a database
	// where a demo account still has that password.
	Production bool
	// Jobs configure the runner of jobs (RunJobs); zero values take the
	// defaults of package job, the worker's name is the host and process
	// id, and running jobs get ShutdownTimeout to end when it stops.
	Jobs job.RunOptions
	// Blobs keeps, apart from the database, the log as C2SP tlog-tiles
	// (the lock a restored database is checked against) and the
	// reservations of status positions, and, under their own prefix, the
	// evidence dossier's artefacts; nil: none (tests).
	Blobs blob.Store
	// ArtefactLimits are the largest artefacts accepted (zero fields: the
	// defaults of package artefact); Scanner scans each one uploaded
	// (nil: no scan).
	ArtefactLimits artefact.Limits
	Scanner        artefact.Scanner
	// WalletOfferLifetime is how long a credential offer to a learner's
	// wallet may be redeemed; 0: 10 minutes (package wallet).
	WalletOfferLifetime time.Duration
}

// datasetKey records in the database's meta table that the first-start
// dataset was dealt with, so it is loaded only into a new database.
const datasetKey = "first_start_dataset"

// publicURLKey records in the meta table the public URL the server was last
// prepared with: the command line, on the same database, derives the same
// issuer DIDs, credential URLs and log origin from it without being told
// it again (RecordedPublicURL).
const publicURLKey = "public_url"

// RecordedPublicURL returns the public URL the server recorded in db when
// it was last prepared, if it was.
func RecordedPublicURL(ctx context.Context, db Database) (string, bool, error) {
	u, ok, err := db.Meta(ctx, publicURLKey)
	if err != nil {
		return "", false, fmt.Errorf("reading the recorded public URL: %w", err)
	}
	return u, ok && u != "", nil
}

// Prepare migrates the database, refuses opts.KEK unless it opens every key
// sealed in it (CheckKEK), records opts.PublicURL and, when the database is
// new, loads the first-start dataset (unless opts.NoDemo or
// opts.Production). In production it refuses a database that holds the
// demo dataset while one of its accounts still has the published demo
// password. Nothing but the
// schema is changed before the key is checked.
func Prepare(ctx context.Context, db Database, opts Options) error {
	from, to, err := db.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrating the database: %w", err)
	}
	if from != to {
		opts.Log.Info("database migrated", "from", from, "to", to)
	}
	if err := CheckKEK(ctx, db, opts.KEK); err != nil {
		return err
	}
	if err := db.SetMeta(ctx, publicURLKey, opts.PublicURL); err != nil {
		return fmt.Errorf("recording the public URL: %w", err)
	}
	dataset, done, err := db.Meta(ctx, datasetKey)
	if err != nil {
		return err
	}
	if done {
		if opts.Production && dataset == "demo" {
			if err := refuseDemoPasswords(ctx, db, opts); err != nil {
				return err
			}
		}
	} else if err := loadDataset(ctx, db, opts); err != nil {
		return err
	}
	return prepareGenericIssuer(ctx, db, opts)
}

// loadDataset loads the first-start dataset into a new database, unless
// opts.NoDemo or opts.Production, and records that it did.
func loadDataset(ctx context.Context, db Database, opts Options) error {
	value := "none"
	if !opts.NoDemo && !opts.Production {
		svc, err := NewServices(db, opts)
		if err != nil {
			return err
		}
		if err := demo.Load(ctx, demo.Services{Standards: svc.Standards, Issuers: svc.Issuers, Credentials: svc.Credentials,
			Orgs: svc.Orgs, People: svc.People, Accounts: svc.Accounts, Tables: svc.Tables, Experiences: svc.Experiences, Sheets: svc.Sheets, Dossiers: svc.Dossiers, Items: svc.Items, Tests: svc.Tests, Commissions: svc.Commissions, Courses: svc.Courses, Clock: opts.Clock}); err != nil {
			return err
		}
		value = "demo"
		opts.Log.Info("new database: loaded the bundled standards and demo data")
	}
	return db.SetMeta(ctx, datasetKey, value)
}

// refuseDemoPasswords refuses a database whose demo accounts still sign in
// with the demo password, which the README publishes: in production it
// would let anyone in as the national body.
func refuseDemoPasswords(ctx context.Context, db Database, opts Options) error {
	svc, err := NewServices(db, opts)
	if err != nil {
		return err
	}
	var open []string
	for _, a := range demo.AllAccounts() {
		if slices.Contains(open, a.Email) {
			continue
		}
		ok, err := svc.Accounts.PasswordIs(ctx, a.Email, demo.Password)
		if err != nil {
			return err
		}
		if ok {
			open = append(open, a.Email)
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("production mode refuses this database: it holds the demo dataset, and the demo accounts %s still have the published demo password; start production on a new database, or change their passwords first", strings.Join(open, ", "))
	}
	return nil
}

// Server is attesta's HTTP server.
type Server struct {
	db      Database
	opts    Options
	metrics *metrics.Registry
	handler http.Handler
	routes  []string
	log     *notary.Log
	svc     *Services
	web     []web.Route
	api     []api.Route
}

// ErrNoMail refuses a server in production mode that has no mail delivery.
var ErrNoMail = errors.New("production mode needs mail delivery (an SMTP server): invitations and password resets carry live links, which are never written to the log")

// New builds the server's handler. The database must be prepared.
func New(db Database, opts Options) (*Server, error) {
	if opts.Production && opts.Mail == nil {
		return nil, ErrNoMail
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	svc, err := NewServices(db, opts)
	if err != nil {
		return nil, err
	}
	if svc.Witness != nil {
		opts.Log.Info("witness role on", "key", svc.Witness.Key, "logs", len(opts.WitnessFor))
	}
	standards := svc.Standards
	platform := web.Platform{Orgs: svc.Orgs, People: svc.People, Accounts: svc.Accounts, Audit: svc.Audit, Tables: svc.Tables, Imports: svc.Imports, Jobs: svc.Jobs, Experiences: svc.Experiences,
		Sheets: svc.Sheets, Dossiers: svc.Dossiers, Tests: svc.Tests, Commissions: svc.Commissions, Courses: svc.Courses, Wallet: svc.Wallet, Badges: svc.Credentials, Areas: svc.Credentials, Credentials: svc.Credentials, Shares: svc.Shares, Verifier: svc.Verifier, PublicURL: opts.PublicURL, MarkOwner: TitleHolder.Name, Forms: svc.Credentials, Stored: svc.Stored,
		Rights: svc.Rights, RightsSources: rights.Sources{People: svc.People, Outcomes: svc.Commissions, Credentials: svc.Credentials, Links: svc.Shares, Experiences: svc.Experiences}, Clock: opts.Clock, Items: svc.Items, Standards: svc.Standards, SecureCookies: strings.HasPrefix(opts.PublicURL, "https://"), MaxArtefact: maxArtefact(svc)}
	if opts.OIDC != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		p, err := oidc.New(ctx, *opts.OIDC)
		if err != nil {
			return nil, fmt.Errorf("OpenID provider: %w", err)
		}
		platform.OIDC = &oidcSignIn{provider: p, accounts: svc.Accounts, kek: opts.KEK, now: opts.Clock}
	}
	site, err := web.New(standards, platform, opts.Log)
	if err != nil {
		return nil, err
	}
	// The database against the log it published: a restored, older one
	// halts issuing and sequencing until `attesta log recover`.
	if err := svc.Log.Check(context.Background()); attesta.ErrorCode(err) == attesta.Unavailable {
		opts.Log.Error("the log is halted: not ready", "err", attesta.MessageIn(err, "en"))
	} else if err != nil {
		return nil, fmt.Errorf("checking the database against the published log: %w", err)
	}
	s := &Server{db: db, opts: opts, metrics: metrics.New(opts.Version, opts.Clock()), log: svc.Log, svc: svc}
	mux := http.NewServeMux()
	// Every route limits its request bodies: the server's limit, or the
	// route's own (uploads).
	handle := func(pattern string, h http.Handler, maxBody int64) {
		if maxBody == 0 {
			maxBody = opts.MaxBodyBytes
		}
		mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
			h.ServeHTTP(w, r)
		}))
		s.routes = append(s.routes, pattern)
	}
	// Pages are protected against cross-site requests (CSRF) by the
	// browser's Sec-Fetch-Site and Origin headers; the API takes bearer
	// tokens, which a cross-site form cannot send.
	csrf := http.NewCrossOriginProtection()
	s.web = site.Routes()
	for _, r := range s.web {
		handle(r.Pattern, csrf.Handler(r.Handler), r.MaxBody)
	}
	jsonAPI := api.New(standards, api.CredentialOptions{
		Credentials: svc.Credentials, Verifier: svc.VCAPIVerifier, Issuers: svc.Issuers,
		TokenSHA256: opts.APITokenSHA256, Context: credential.AttestaContext(),
		Log: svc.Log, Receipts: svc.Receipts, Witness: svc.Witness, Trust: svc.Trust, Wallet: svc.Wallet, Stored: svc.Stored,
	}, api.Platform{Orgs: svc.Orgs, People: svc.People, Accounts: svc.Accounts, Audit: svc.Audit, Tables: svc.Tables, Experiences: svc.Experiences, Sheets: svc.Sheets, Dossiers: svc.Dossiers, Items: svc.Items, Tests: svc.Tests, Commissions: svc.Commissions, Courses: svc.Courses, Badges: svc.Credentials, Areas: svc.Credentials, Imports: svc.Imports, Jobs: svc.Jobs,
		Keys: svc.Issuers, Standards: svc.Standards, MaxArtefact: maxArtefact(svc)}, opts.Log)
	s.api = jsonAPI.Routes()
	for _, r := range s.api {
		handle(r.Pattern, r.Handler, r.MaxBody)
	}
	handle("GET /healthz", http.HandlerFunc(s.healthz), 0)
	handle("GET /readyz", http.HandlerFunc(s.readyz), 0)
	handle("GET /metrics", s.metrics, 0)
	handle("/", notFound(mux, s.web, s.api, site.NotFound, jsonAPI.NotFound), 0)
	s.handler = s.metrics.Middleware(s.recover(s.secure(s.logRequests(mux))))
	return s, nil
}

// notFound answers the requests no route takes. An address that a route
// serves with another method is answered 405 with the methods it allows,
// as net/http's mux would; any other is not found, said by the surface it
// is under: the API (a problem document) when its first segment is one only
// the API's routes have (/api, /credentials, /issuers, /status, /log, …),
// else the site (the styled page, in the reader's language).
func notFound(mux *http.ServeMux, pages []web.Route, apis []api.Route, page, problem http.HandlerFunc) http.Handler {
	first := func(path string) string {
		seg, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
		return seg
	}
	pathOf := func(pattern string) string {
		_, path, _ := strings.Cut(pattern, " ")
		return path
	}
	apiOnly := map[string]bool{}
	for _, r := range apis {
		apiOnly[first(pathOf(r.Pattern))] = true
	}
	for _, r := range pages {
		delete(apiOnly, first(pathOf(r.Pattern)))
	}
	methods := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range methods {
			if _, pattern := mux.Handler(&http.Request{Method: m, URL: r.URL, Host: r.Host}); pattern != "" && pattern != "/" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		if apiOnly[first(r.URL.Path)] {
			problem(w, r)
			return
		}
		page(w, r)
	})
}

// SequenceLog integrates every appended log entry now, without waiting for
// the sequencer's next round (tests, and commands that need a checkpoint).
func (s *Server) SequenceLog(ctx context.Context) (int64, error) { return s.log.SequenceAll(ctx) }

// LogKey is the verifier key of the log's checkpoints.
func (s *Server) LogKey(ctx context.Context) (string, error) { return s.log.VerifierKey(ctx) }

// RunJobs runs this process's share of the jobs kept in the database
// (imports) until ctx ends; then it gives running jobs the shutdown
// timeout to end before it cancels them and gives them back, to be run
// again here after a restart or by another process. Run calls it; tests
// that serve the handler themselves call it too.
func (s *Server) RunJobs(ctx context.Context) error {
	o := s.opts.Jobs
	if o.Worker == "" {
		host, _ := os.Hostname()
		o.Worker = fmt.Sprintf("%s/%d", host, os.Getpid())
	}
	if o.Log == nil {
		o.Log = s.opts.Log
	}
	if o.Grace == 0 {
		o.Grace = s.opts.ShutdownTimeout
	}
	return s.svc.Jobs.Run(ctx, s.svc.JobHandlers(), o)
}

// Routes lists the patterns of every route, for tests.
func (s *Server) Routes() []string { return s.routes }

// WebRoutes and APIRoutes are the route tables of the two surfaces, with
// the action each route performs: the authorization matrix test walks them.
func (s *Server) WebRoutes() []web.Route { return s.web }

// APIRoutes: see WebRoutes.
func (s *Server) APIRoutes() []api.Route { return s.api }

// Services are the domain services the server runs on.
func (s *Server) Services() *Services { return s.svc }

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// readyz answers whether the server can serve: its database answers, and
// its key-encryption key still opens every key sealed in it. The key was
// checked at the start; a key sealed since by another process with another
// key-encryption key (a second server on the same PostgreSQL database,
// configured apart) would make every signature of that issuer fail, so the
// server says it is not ready rather than answer 500 to each issuance.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.db.Ready(ctx); err != nil {
		s.opts.Log.WarnContext(r.Context(), "not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready\n"))
		return
	}
	if err := s.log.Writable(ctx); err != nil {
		// Said in full: it names the sizes and the command that recovers.
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "not ready: %s\n", attesta.MessageIn(err, "en"))
		return
	}
	if err := CheckKEK(ctx, s.db, s.opts.KEK); err != nil {
		s.opts.Log.ErrorContext(r.Context(), "not ready: the key-encryption key", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready: the key-encryption key does not open every key sealed in the database\n"))
		return
	}
	w.Write([]byte("ready\n"))
}

// secure sets the headers every response carries and limits request bodies.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// recover turns a panic into a 500 and a log entry with the stack.
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.opts.Log.ErrorContext(r.Context(), "panic serving request", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// logRequests logs each request at debug level, without its query string
// (which may one day carry tokens).
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &metrics.StatusWriter{ResponseWriter: w, Status: http.StatusOK}
		next.ServeHTTP(sw, r)
		s.opts.Log.DebugContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
			"route", r.Pattern, "status", sw.Status, "duration", time.Since(start))
	})
}

// onceEach returns a reporter of the errors of a loop that logs an error
// once, not again at each round while it lasts (a halted log says why once,
// not every second).
func (s *Server) onceEach(what string) func(error) {
	var mu sync.Mutex
	last := ""
	return func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if msg := err.Error(); msg != last {
			last = msg
			s.opts.Log.Error(what, "err", msg)
		}
	}
}

// settleAttempts runs the online test's sweeper every interval until ctx
// is done.
func (s *Server) settleAttempts(ctx context.Context, interval time.Duration) {
	report := s.onceEach("settling attempts past their deadline")
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := s.svc.Tests.SettleDue(ctx); err != nil && ctx.Err() == nil {
			report(err)
		} else if n > 0 {
			s.opts.Log.Info("submitted attempts at their deadline", "attempts", n)
		}
	}
}

// Run serves on ln until ctx is done, then shuts down gracefully: it stops
// accepting connections and gives in-flight requests ShutdownTimeout.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.opts.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	if s.opts.TLS != nil {
		srv.TLSConfig = s.opts.TLS.Clone()
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	// The sequencer integrates new log entries every second.
	seqCtx, stopSeq := context.WithCancel(context.Background())
	defer stopSeq()
	go s.log.Run(seqCtx, time.Second, s.onceEach("sequencing the log"))
	// Attempts of the online test left open past their deadline are
	// submitted as of it, with their saved answers, every few seconds (by
	// every process: each attempt is finished once).
	go s.settleAttempts(seqCtx, 5*time.Second)
	// The runner takes the jobs of the database (imports); it is stopped
	// after the requests in flight, which may have started a job, and
	// before the caller closes the database.
	jobsCtx, stopJobs := context.WithCancel(context.Background())
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		if err := s.RunJobs(jobsCtx); err != nil {
			s.opts.Log.Error("running jobs", "err", err)
		}
	}()
	defer func() {
		stopJobs()
		<-jobsDone
	}()
	// The outbox is delivered every few seconds, if anything delivers it.
	if s.opts.Mail != nil {
		interval := s.opts.OutboxInterval
		if interval == 0 {
			interval = 5 * time.Second
		}
		go s.svc.Accounts.RunOutbox(seqCtx, s.opts.Mail, interval, s.opts.Log)
	} else {
		s.opts.Log.Warn("no mail delivery configured: invitations and password resets wait in the outbox")
	}
	if s.opts.TLS != nil {
		s.opts.Log.Info("serving", "addr", ln.Addr().String(), "tls", true)
	} else {
		s.opts.Log.Info("serving", "addr", ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.opts.Log.Info("shutting down", "timeout", s.opts.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.opts.Log.Info("stopped")
	return nil
}

// maxArtefact is the largest file a dossier accepts, or 0 without a blob
// store.
func maxArtefact(svc *Services) int64 {
	if svc.Artefacts == nil {
		return 0
	}
	return svc.Artefacts.Limits().Max()
}
