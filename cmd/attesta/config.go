package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/api"
	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/blob"
	"github.com/attesta/attesta/internal/oidc"
	"github.com/attesta/attesta/internal/rfc3161"
	"github.com/attesta/attesta/internal/s3"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
)

// Config is attesta's whole configuration. Every field is set by a flag
// and, when the flag is not given, by an environment variable; the table in
// settings() is the manual (README, "Configuration", is checked against
// it by a test).
type Config struct {
	Addr            string                // where the server listens
	DataDir         string                // where the embedded SQLite database lives
	DatabaseURL     string                // a postgres:// URL; when set, PostgreSQL is used instead of SQLite
	BlobStore       string                // where the log's tiles, the status reservations and the dossier's artefacts are kept apart from the database, a directory or an s3:// bucket; "" is DataDir/blobs
	ArtefactLimits  artefact.Limits       // the largest artefacts accepted, by class
	Clamd           *artefact.Clamd       // scans every artefact uploaded; nil: no scan
	NoDemo          bool                  // leave a new database empty instead of loading the first-start dataset
	ChamberBanks    bool                  // each Chamber may keep an item bank of its own for the online test
	LogLevel        slog.Level            // debug, info, warn or error
	LogFormat       string                // text or json
	ShutdownTimeout time.Duration         // how long in-flight requests get on SIGTERM
	WalletOffer     time.Duration         // how long an offer of a badge to a learner's wallet may be redeemed
	PublicURL       string                // the address attesta is reached at; issuer DIDs and credential URLs derive from it
	KEK             string                // base64 key-encryption key sealing issuer keys at rest
	Production      bool                  // refuse development conveniences (a generated key-encryption key, mail in files, the demo data)
	APIToken        string                // bearer token that may issue and change credential status over the API
	VCAPIIssuer     string                // id of the issuer of the VC-API's generic credentials; empty: none issued
	DIDWebLocal     []string              // origins whose did:web documents may be fetched from loopback or private addresses
	TLSCert         string                // PEM certificate chain: when set, attesta serves HTTPS itself
	TLSKey          string                // PEM private key of TLSCert
	Witnesses       []notary.Witness      // asked to cosign each checkpoint of the log
	WitnessQuorum   int                   // cosignatures a checkpoint needs to be published; -1: a majority
	WitnessFor      []checkpoint.Verifier // keys of the logs this attesta witnesses (the witness role)
	TSAURL          string                // RFC 3161 timestamp authority for the checkpoints
	TSARoots        string                // PEM file of the TSA's roots, to verify its tokens
	OIDC            oidc.Config           // sign-in with an OpenID Connect provider, when Issuer is set
	SMTP            account.SMTP          // delivery of invitations and resets, when Addr is set; else, outside production, files in DataDir/mail
}

// setting is one configuration entry: its flag, environment variable,
// default and meaning.
type setting struct {
	flag, env, def, usage string
	set                   func(c *Config, v string) error
}

// secretSettings are the settings whose values are never printed, not even
// in a refusal: keys, tokens, passwords, and the database URL, which may
// hold a password.
var secretSettings = map[string]bool{
	"database-url": true, "key-encryption-key": true, "api-token": true, "oidc-client-secret": true, "smtp-password": true,
}

func settings() []setting {
	return []setting{
		{"addr", "ATTESTA_ADDR", ":8080", "address the server listens on",
			func(c *Config, v string) error { c.Addr = v; return nil }},
		{"data-dir", "ATTESTA_DATA_DIR", "./attesta-data", "directory of the embedded SQLite database (created if missing)",
			func(c *Config, v string) error { c.DataDir = v; return nil }},
		{"database-url", "ATTESTA_DATABASE_URL", "", "PostgreSQL URL (postgres://user@host:5432/db); when set, PostgreSQL is used instead of SQLite",
			func(c *Config, v string) error {
				if v != "" && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
					return fmt.Errorf("must start with postgres:// or postgresql://")
				}
				c.DatabaseURL = v
				return nil
			}},
		{"blob-store", "ATTESTA_BLOB_STORE", "", "directory, or s3://BUCKET/PREFIX?endpoint=URL&region=R bucket (credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), kept apart from the database, holding the published log (C2SP tiles and checkpoint), the status reservations and the evidence dossier's artefacts; a restored database is checked against it (default: blobs in the data directory; never restore it from a backup)",
			func(c *Config, v string) error { c.BlobStore = v; return nil }},
		{"artefact-limit-image", "ATTESTA_ARTEFACT_LIMIT_IMAGE", "20", "largest photo or SVG drawing accepted in the evidence dossier, in MiB",
			func(c *Config, v string) error { return setMiB(&c.ArtefactLimits.Image, v) }},
		{"artefact-limit-document", "ATTESTA_ARTEFACT_LIMIT_DOCUMENT", "30", "largest document (PDF, OpenDocument, OOXML, text) or CAD drawing (DXF, DWG) accepted in the evidence dossier, in MiB",
			func(c *Config, v string) error { return setMiB(&c.ArtefactLimits.Document, v) }},
		{"artefact-limit-video", "ATTESTA_ARTEFACT_LIMIT_VIDEO", "200", "largest video accepted in the evidence dossier, in MiB",
			func(c *Config, v string) error { return setMiB(&c.ArtefactLimits.Video, v) }},
		{"clamd", "ATTESTA_CLAMD", "", "ClamAV's clamd (host:port, tcp://host:port or unix:///path) that scans every artefact uploaded before it is kept; its StreamMaxLength must reach the largest limit; empty: no scan",
			func(c *Config, v string) (err error) {
				c.Clamd = nil
				if v != "" {
					c.Clamd, err = artefact.ParseClamd(v)
				}
				return err
			}},
		{"chamber-item-banks", "ATTESTA_CHAMBER_ITEM_BANKS", "false", "let each Chamber of Commerce keep an item bank of its own for the online test, written and reviewed by its operators, beside the national body's",
			func(c *Config, v string) (err error) { c.ChamberBanks, err = strconv.ParseBool(v); return err }},
		{"no-demo", "ATTESTA_NO_DEMO", "false", "leave a new database empty: no bundled standards, no demo data (always so with --production)",
			func(c *Config, v string) (err error) { c.NoDemo, err = strconv.ParseBool(v); return err }},
		{"log-level", "ATTESTA_LOG_LEVEL", "info", "log level: debug, info, warn or error",
			func(c *Config, v string) error { return c.LogLevel.UnmarshalText([]byte(v)) }},
		{"log-format", "ATTESTA_LOG_FORMAT", "text", "log format: text or json",
			func(c *Config, v string) error {
				if v != "text" && v != "json" {
					return fmt.Errorf("must be text or json")
				}
				c.LogFormat = v
				return nil
			}},
		{"shutdown-timeout", "ATTESTA_SHUTDOWN_TIMEOUT", "15s", "how long in-flight requests may run after SIGTERM",
			func(c *Config, v string) (err error) {
				c.ShutdownTimeout, err = time.ParseDuration(v)
				if err == nil && c.ShutdownTimeout < 0 {
					err = fmt.Errorf("must not be negative")
				}
				return err
			}},
		{"wallet-offer-lifetime", "ATTESTA_WALLET_OFFER_LIFETIME", "10m", "how long an offer of a badge to a learner's wallet (OpenID4VCI, with a transaction code) may be redeemed; a new offer replaces it",
			func(c *Config, v string) (err error) {
				c.WalletOffer, err = time.ParseDuration(v)
				if err == nil && (c.WalletOffer < time.Minute || c.WalletOffer > 24*time.Hour) {
					err = fmt.Errorf("must be between 1m and 24h")
				}
				return err
			}},
		{"public-url", "ATTESTA_PUBLIC_URL", "", "address attesta is reached at, e.g. https://attesta.example (default http://localhost and the port of --addr; for the commands other than serve, the one serve recorded in the database); issuer did:web identifiers derive from it",
			func(c *Config, v string) error {
				if v != "" && !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
					return fmt.Errorf("must start with https:// or http://")
				}
				c.PublicURL = strings.TrimSuffix(v, "/")
				return nil
			}},
		{"key-encryption-key", "ATTESTA_KEY_ENCRYPTION_KEY", "", "base64 of 32 random bytes sealing issuer keys at rest; required with --production, otherwise generated into the data directory",
			func(c *Config, v string) error { c.KEK = v; return nil }},
		{"production", "ATTESTA_PRODUCTION", "false", "production mode: the key-encryption key and an SMTP server must be configured; no demo data, no demo password",
			func(c *Config, v string) (err error) { c.Production, err = strconv.ParseBool(v); return err }},
		{"api-token", "ATTESTA_API_TOKEN", "", "bearer token that may issue and revoke credentials over the API; empty disables those endpoints",
			func(c *Config, v string) error { c.APIToken = v; return nil }},
		{"vcapi-issuer", "ATTESTA_VCAPI_ISSUER", "", "id of the issuer that signs the VC-API's generic credentials (POST /credentials/issue): attesta creates it, not a Chamber, if there is none; naming a Chamber signs them with its badge key; empty: none are issued",
			func(c *Config, v string) error {
				if v != "" {
					if err := issuer.ValidateID(v); err != nil {
						return errors.New("must be an issuer id: lower-case letters, digits and dashes")
					}
				}
				c.VCAPIIssuer = v
				return nil
			}},
		{"did-web-local", "ATTESTA_DID_WEB_LOCAL", "", "origins (https://host:port, comma-separated) whose did:web documents the VC-API verifier may fetch from loopback or private addresses, for tests and intranets; others only from public addresses",
			func(c *Config, v string) error {
				c.DIDWebLocal = nil
				for _, item := range splitList(v) {
					u, err := url.Parse(item)
					if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
						return fmt.Errorf("%q is not an origin https://host[:port]", item)
					}
					c.DIDWebLocal = append(c.DIDWebLocal, "https://"+u.Host)
				}
				return nil
			}},
		{"tls-cert", "ATTESTA_TLS_CERT", "", "PEM file of the server's certificate chain: attesta serves HTTPS itself (with --tls-key); empty: plain HTTP, for a TLS proxy in front",
			func(c *Config, v string) error { c.TLSCert = v; return nil }},
		{"tls-key", "ATTESTA_TLS_KEY", "", "PEM file of the private key of --tls-cert",
			func(c *Config, v string) error { c.TLSKey = v; return nil }},
		{"witnesses", "ATTESTA_WITNESSES", "", "witnesses asked to cosign each checkpoint of the log, comma-separated, each as its URL, a space and its verifier key",
			func(c *Config, v string) error {
				c.Witnesses = nil
				for _, item := range splitList(v) {
					w, err := notary.ParseWitness(item)
					if err != nil {
						return err
					}
					c.Witnesses = append(c.Witnesses, w)
				}
				return nil
			}},
		{"witness-quorum", "ATTESTA_WITNESS_QUORUM", "majority", "how many of the witnesses must cosign a checkpoint before it is published: a number or majority",
			func(c *Config, v string) error {
				if v == "majority" {
					c.WitnessQuorum = -1
					return nil
				}
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 {
					return fmt.Errorf("must be a number of witnesses or majority")
				}
				c.WitnessQuorum = n
				return nil
			}},
		{"witness-for", "ATTESTA_WITNESS_FOR", "", "verifier keys of the logs this attesta witnesses, comma-separated; serves POST /witness/add-checkpoint",
			func(c *Config, v string) error {
				c.WitnessFor = nil
				for _, item := range splitList(v) {
					k, err := checkpoint.ParseVerifierKey(item)
					if err != nil {
						return err
					}
					c.WitnessFor = append(c.WitnessFor, k)
				}
				return nil
			}},
		{"tsa-url", "ATTESTA_TSA_URL", "", "RFC 3161 timestamp authority that timestamps each checkpoint of the log",
			func(c *Config, v string) error {
				if v != "" && !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
					return fmt.Errorf("must start with https:// or http://")
				}
				c.TSAURL = v
				return nil
			}},
		{"tsa-roots", "ATTESTA_TSA_ROOTS", "", "PEM file of the timestamp authority's root certificates; its tokens are verified before they are stored",
			func(c *Config, v string) error { c.TSARoots = v; return nil }},
		{"oidc-issuer", "ATTESTA_OIDC_ISSUER", "", "OpenID Connect provider (issuer URL) people may sign in with, e.g. a SPID/CIE gateway or an enterprise IdP; empty: local accounts only",
			func(c *Config, v string) error { c.OIDC.Issuer = strings.TrimSuffix(v, "/"); return nil }},
		{"oidc-client-id", "ATTESTA_OIDC_CLIENT_ID", "", "attesta's client id at the OpenID provider",
			func(c *Config, v string) error { c.OIDC.ClientID = v; return nil }},
		{"oidc-client-secret", "ATTESTA_OIDC_CLIENT_SECRET", "", "attesta's client secret at the OpenID provider (prefer the environment variable)",
			func(c *Config, v string) error { c.OIDC.ClientSecret = v; return nil }},
		{"oidc-name", "ATTESTA_OIDC_NAME", "SPID/CIE", "the provider's name on the sign-in button",
			func(c *Config, v string) error { c.OIDC.Name = v; return nil }},
		{"smtp-addr", "ATTESTA_SMTP_ADDR", "", "SMTP server (host:port) delivering invitations and password resets, required with --production; empty: messages are written to files in the data directory's mail folder, never to the log",
			func(c *Config, v string) error { c.SMTP.Addr = v; return nil }},
		{"smtp-from", "ATTESTA_SMTP_FROM", "", "sender address of attesta's messages",
			func(c *Config, v string) error { c.SMTP.From = v; return nil }},
		{"smtp-user", "ATTESTA_SMTP_USER", "", "SMTP user name (PLAIN authentication); empty: none",
			func(c *Config, v string) error { c.SMTP.User = v; return nil }},
		{"smtp-password", "ATTESTA_SMTP_PASSWORD", "", "SMTP password (prefer the environment variable)",
			func(c *Config, v string) error { c.SMTP.Password = v; return nil }},
	}
}

// setMiB sets a size given in MiB: a whole number from 1 to 4096.
func setMiB(dst *int64, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || n > 4096 {
		return fmt.Errorf("must be a whole number of MiB from 1 to 4096")
	}
	*dst = n << 20
	return nil
}

// splitList splits a comma-separated setting, dropping empty items.
func splitList(v string) []string {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// publicURL is the configured public URL or, by default, localhost at the
// port the server listens on.
func (c *Config) publicURL() string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	port := "8080"
	if i := strings.LastIndexByte(c.Addr, ':'); i >= 0 && i+1 < len(c.Addr) {
		port = c.Addr[i+1:]
	}
	if c.TLSCert != "" {
		return "https://localhost:" + port
	}
	return "http://localhost:" + port
}

// blobs is the blob store the configuration names: the --blob-store
// directory or s3:// bucket, or blobs in the data directory.
func (c *Config) blobs() (blob.Store, error) {
	if c.BlobStore != "" {
		return openBlobs(c.BlobStore, os.Getenv)
	}
	return blob.Dir(filepath.Join(c.DataDir, "blobs")), nil
}

// openBlobs opens the blob store at address: an s3://BUCKET/PREFIX
// address (package s3, with its credentials from getenv) or a directory.
func openBlobs(address string, getenv func(string) string) (blob.Store, error) {
	if strings.HasPrefix(address, "s3:") {
		b, err := s3.Parse(address, getenv)
		if err != nil {
			return nil, fmt.Errorf("--blob-store: %w", err)
		}
		return b, nil
	}
	if strings.Contains(address, "://") {
		return nil, fmt.Errorf("--blob-store: %q is neither a directory nor an s3://BUCKET/PREFIX address", address)
	}
	return blob.Dir(address), nil
}

// mailDir is where development mail is written, when no SMTP server is
// configured.
func (c *Config) mailDir() string { return filepath.Join(c.DataDir, "mail") }

// errProductionMail refuses to serve in production without an SMTP server.
var errProductionMail = errors.New("production mode needs mail delivery: set ATTESTA_SMTP_ADDR and ATTESTA_SMTP_FROM (--smtp-addr, --smtp-from); invitations and password resets carry live links, which are never written to the log")

// kekFile is where a development key-encryption key is kept.
const kekFile = "key-encryption-key"

// openKEK returns the key-encryption key of db, which must be migrated:
// the one given (the server options'), or else the development key in the
// data directory, or else a new one, saved there (mode 0600, with a
// warning) only when db holds no sealed key, since a new key opens none.
// Whichever it is, it is refused unless it opens every key sealed in db
// (server.CheckKEK); it writes nothing but a new development key.
func (c *Config) openKEK(ctx context.Context, db server.Database, given *issuer.KeyEncryptionKey, warn io.Writer) (*issuer.KeyEncryptionKey, error) {
	if given != nil {
		if err := server.CheckKEK(ctx, db, given); err != nil {
			return nil, err
		}
		return given, nil
	}
	path := filepath.Join(c.DataDir, kekFile)
	if data, err := os.ReadFile(path); err == nil {
		k, err := issuer.ParseKeyEncryptionKey(string(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := server.CheckKEK(ctx, db, k); err != nil {
			return nil, fmt.Errorf("the development key-encryption key in %s: %w", path, err)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading the development key-encryption key: %w", err)
	}
	k, text, err := issuer.GenerateKeyEncryptionKey()
	if err != nil {
		return nil, err
	}
	if err := server.CheckKEK(ctx, db, k); err != nil {
		if attesta.ErrorCode(err) == attesta.Invalid {
			return nil, attesta.E(attesta.Invalid, "err.cli.kek.missing", path)
		}
		return nil, err
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data directory: %w", err)
	}
	if err := writeNewFile(path, []byte(text+"\n"), 0o600); errors.Is(err, fs.ErrExist) {
		return c.openKEK(ctx, db, nil, warn) // another attesta made it first
	} else if err != nil {
		return nil, fmt.Errorf("writing the development key-encryption key: %w", err)
	}
	fmt.Fprintf(warn, "attesta: generated a development key-encryption key in %s; in production set ATTESTA_KEY_ENCRYPTION_KEY instead\n", path)
	return k, nil
}

// writeNewFile writes data to a new file, which must not exist: a key is
// never written over another.
func writeNewFile(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// serverOptions builds the server options the configuration describes,
// and checks them without touching any file but --tsa-roots: their KEK is
// the one given, or nil for openKEK to find.
func (c *Config) serverOptions(stderr io.Writer) (server.Options, error) {
	opts := server.Options{
		Version: versionString(), Log: c.newLogger(stderr), Clock: clock, Rand: random, NoDemo: c.NoDemo || c.Production,
		ShutdownTimeout: c.ShutdownTimeout, PublicURL: c.publicURL(), Production: c.Production, Jobs: jobRunner,
	}
	var err error
	switch {
	case c.KEK != "":
		if opts.KEK, err = issuer.ParseKeyEncryptionKey(c.KEK); err != nil {
			return server.Options{}, err
		}
	case c.Production:
		return server.Options{}, fmt.Errorf("production mode needs a key-encryption key: set ATTESTA_KEY_ENCRYPTION_KEY to base64 of 32 random bytes (e.g. `openssl rand -base64 32`) and keep it apart from the database")
	}
	if c.APIToken != "" {
		opts.APITokenSHA256 = api.HashToken(c.APIToken)
	}
	opts.GenericIssuer, opts.DIDWebLocal = c.VCAPIIssuer, c.DIDWebLocal
	opts.ChamberBanks = c.ChamberBanks
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return server.Options{}, fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if c.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
		if err != nil {
			return server.Options{}, fmt.Errorf("--tls-cert, --tls-key: %w", err)
		}
		opts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if opts.Blobs, err = c.blobs(); err != nil {
		return server.Options{}, err
	}
	// Artefacts share the blob store, under their own prefix; a bucket
	// must read back the largest of them.
	opts.ArtefactLimits = c.ArtefactLimits
	opts.WalletOfferLifetime = c.WalletOffer
	if b, ok := opts.Blobs.(*s3.Bucket); ok && c.ArtefactLimits.Max() > s3.DefaultMaxObject {
		b.MaxObject = c.ArtefactLimits.Max()
	}
	if c.Clamd != nil {
		opts.Scanner = c.Clamd
	}
	opts.Witnesses, opts.WitnessFor = c.Witnesses, c.WitnessFor
	opts.WitnessQuorum = c.WitnessQuorum
	if opts.WitnessQuorum == -1 {
		opts.WitnessQuorum = len(c.Witnesses)/2 + min(len(c.Witnesses), 1)
	}
	if opts.WitnessQuorum > len(c.Witnesses) {
		return server.Options{}, fmt.Errorf("a witness quorum of %d with %d witnesses", opts.WitnessQuorum, len(c.Witnesses))
	}
	if c.TSAURL != "" {
		opts.TSA = &rfc3161.Client{URL: c.TSAURL, HTTP: &http.Client{Timeout: 30 * time.Second}}
	}
	if c.TSARoots != "" {
		if c.TSAURL == "" {
			return server.Options{}, fmt.Errorf("--tsa-roots without --tsa-url")
		}
		if opts.TSARootCerts, err = readRootCerts(c.TSARoots); err != nil {
			return server.Options{}, fmt.Errorf("--tsa-roots: %w", err)
		}
		opts.TSARoots = x509.NewCertPool()
		for _, cert := range opts.TSARootCerts {
			opts.TSARoots.AddCert(cert)
		}
	}
	if c.OIDC.Issuer != "" {
		cfg := c.OIDC
		cfg.RedirectURL = opts.PublicURL + "/login/oidc/callback"
		opts.OIDC = &cfg
	}
	switch {
	case c.SMTP.Addr != "":
		if c.SMTP.From == "" {
			return server.Options{}, fmt.Errorf("--smtp-addr needs --smtp-from")
		}
		smtp := c.SMTP
		opts.Mail = &smtp
	case !c.Production:
		// Development: each message in a file, which the log names. Its
		// link is a live secret: never in the log.
		opts.Mail = &account.MailDir{Dir: c.mailDir(), Log: opts.Log}
	}
	return opts, nil
}

// bindConfig registers every setting on fs and returns a function that,
// after fs.Parse, builds the Config from the flags given, then the
// environment, then the defaults.
func bindConfig(fs *flag.FlagSet, getenv func(string) string) func() (*Config, error) {
	values := map[string]*string{}
	for _, s := range settings() {
		v := s.def
		values[s.flag] = &v
		if s.def == "false" || s.def == "true" {
			// A switch: --production alone means true.
			fs.Var((*boolString)(&v), s.flag, s.usage+" (env "+s.env+")")
			continue
		}
		fs.StringVar(&v, s.flag, s.def, s.usage+" (env "+s.env+")")
	}
	return func() (*Config, error) {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		c := &Config{}
		for _, s := range settings() {
			v, source := *values[s.flag], "--"+s.flag
			if !given[s.flag] {
				if e := getenv(s.env); e != "" {
					v, source = e, s.env
				}
			}
			if err := s.set(c, v); err != nil {
				if secretSettings[s.flag] {
					// Never said back: it may hold a password or a key.
					return nil, fmt.Errorf("%s: %w", source, err)
				}
				return nil, fmt.Errorf("%s=%q: %w", source, v, err)
			}
		}
		return c, nil
	}
}

// newLogger returns the logger the configuration asks for, writing to w.
func (c *Config) newLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// boolString is a string setting that the flag package treats as a switch.
type boolString string

func (b *boolString) String() string     { return string(*b) }
func (b *boolString) Set(v string) error { *b = boolString(v); return nil }
func (b *boolString) IsBoolFlag() bool   { return true }
