// Package server assembles attesta's HTTP server from the storage, the
// domain services and the web and API surfaces: the route table, the
// middleware, health and readiness, metrics, and graceful shutdown.
package server

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/api"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/metrics"
	"github.com/attesta/attesta/internal/oidc"
	"github.com/attesta/attesta/internal/rfc3161"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/job"
	"github.com/attesta/attesta/notary"
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
	// OIDC, if set, offers sign-in with an OpenID Connect provider.
	OIDC *oidc.Config
	// Mail delivers the outbox (invitations, password resets); nil prints
	// the messages to the log, for development.
	Mail account.Sender
	// Jobs configure the runner of jobs (RunJobs); zero values take the
	// defaults of package job, the worker's name is the host and process
	// id, and running jobs get ShutdownTimeout to end when it stops.
	Jobs job.RunOptions
}

// datasetKey records in the database's meta table that the first-start
// dataset was dealt with, so it is loaded only into a new database.
const datasetKey = "first_start_dataset"

// Prepare migrates the database, refuses opts.KEK unless it opens every key
// sealed in it (CheckKEK) and, when the database is new, loads the
// first-start dataset (unless opts.NoDemo). Nothing but the schema is
// changed before the key is checked.
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
	_, done, err := db.Meta(ctx, datasetKey)
	if err != nil || done {
		return err
	}
	value := "none"
	if !opts.NoDemo {
		svc, err := NewServices(db, opts)
		if err != nil {
			return err
		}
		if err := demo.Load(ctx, demo.Services{Standards: svc.Standards, Issuers: svc.Issuers, Credentials: svc.Credentials,
			Orgs: svc.Orgs, People: svc.People, Accounts: svc.Accounts, Tables: svc.Tables}); err != nil {
			return err
		}
		value = "demo"
		opts.Log.Info("new database: loaded the bundled standards and demo data")
	}
	return db.SetMeta(ctx, datasetKey, value)
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

// New builds the server's handler. The database must be prepared.
func New(db Database, opts Options) (*Server, error) {
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
	platform := web.Platform{Orgs: svc.Orgs, People: svc.People, Accounts: svc.Accounts, Audit: svc.Audit, Tables: svc.Tables, Imports: svc.Imports, Jobs: svc.Jobs,
		SecureCookies: strings.HasPrefix(opts.PublicURL, "https://")}
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
	s.api = api.New(standards, api.CredentialOptions{
		Credentials: svc.Credentials, Verifier: svc.Verifier, Issuers: svc.Issuers,
		TokenSHA256: opts.APITokenSHA256, Context: credential.AttestaContext(),
		Log: svc.Log, Receipts: svc.Receipts, Witness: svc.Witness,
	}, api.Platform{Orgs: svc.Orgs, People: svc.People, Accounts: svc.Accounts, Audit: svc.Audit, Tables: svc.Tables, Imports: svc.Imports, Jobs: svc.Jobs,
		Keys: svc.Issuers}, opts.Log).Routes()
	for _, r := range s.api {
		handle(r.Pattern, r.Handler, r.MaxBody)
	}
	handle("GET /healthz", http.HandlerFunc(s.healthz), 0)
	handle("GET /readyz", http.HandlerFunc(s.readyz), 0)
	handle("GET /metrics", s.metrics, 0)
	s.handler = s.metrics.Middleware(s.recover(s.secure(s.logRequests(mux))))
	return s, nil
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
	go func() { errc <- srv.Serve(ln) }()
	// The sequencer integrates new log entries every second.
	seqCtx, stopSeq := context.WithCancel(context.Background())
	defer stopSeq()
	go s.log.Run(seqCtx, time.Second, func(err error) { s.opts.Log.Error("sequencing the log", "err", err) })
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
	// The outbox is delivered every few seconds: by SMTP when configured,
	// else into the log (development).
	var mail account.Sender = account.LogSender{Log: s.opts.Log}
	if s.opts.Mail != nil {
		mail = s.opts.Mail
	}
	go s.svc.Accounts.RunOutbox(seqCtx, mail, 5*time.Second, s.opts.Log)
	s.opts.Log.Info("serving", "addr", ln.Addr().String())
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
