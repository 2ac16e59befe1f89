package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/storage/postgres"
	"github.com/attesta/attesta/storage/sqlite"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

// The clock and the randomness of everything attesta makes: records, ids,
// keys, proofs. Only the tests of the command line change them (scriptMain
// in script_test.go), so that their transcripts are exact.
var (
	clock  attesta.Clock = attesta.SystemClock
	random io.Reader     // nil: crypto/rand
)

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

const usage = `attesta certifies competences gained in school–work training as verifiable micro-credentials.

Usage:
  attesta serve [flags]                   start the web server
  attesta migrate [flags]                 bring the database schema up to date
  attesta standards import [flags] FILE   import a standards file (all or nothing)
  attesta standards export [flags] [-o FILE]
                                          write every standard version as a standards file
  attesta standards check [--canonical] FILE
                                          validate a standards file without a database
  attesta issuer list|rotate ID|did ID   list issuers, rotate an issuer's key, print its DID document
  attesta credential issue REQUEST.json   issue the credential of a certified competence
  attesta credential verify [--trust ID|KEY] [--status-list URL=FILE] [--offline] FILE
                                          verify a credential (JSON, JWT, baked PNG or SVG)
  attesta credential revoke|suspend|reinstate --reason R ID
                                          change a credential's status (kept in the audit trail)
  attesta credential bake --image IMG CREDENTIAL, attesta credential extract IMG
                                          bake a credential into a badge image, or extract it
  attesta credential keygen, attesta credential sign --key KEYPAIR FILE
                                          development: sign any credential under did:key
  attesta rdf canonicalize [--hash sha384] FILE.nq|FILE.jsonld
                                          print RDFC-1.0 canonical N-Quads
  attesta log verify-receipt --log-key VKEY [--tsa-root PEM] RECEIPT CREDENTIAL
                                          check a notarization receipt offline
  attesta log audit --log-key VKEY [--state FILE] URL
                                          verify a published log and that it never forked
  attesta bench [--seconds N]             measure issue/verify speed, and the Digital Bazaar stack's
  attesta version                         print the version

Run "attesta COMMAND -h" for a command's flags.
`

// errUsage means the command line was wrong; the message was printed.
var errUsage = errors.New("usage")

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	err := dispatch(ctx, args, stdout, stderr, getenv)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	var ps competence.Problems
	if errors.As(err, &ps) {
		fmt.Fprintf(stderr, "attesta: %s\n", attesta.MessageIn(err, "en"))
		for _, p := range ps {
			fmt.Fprintln(stderr, "  "+p.String())
		}
		fmt.Fprintln(stderr, "nothing was changed")
		return 1
	}
	fmt.Fprintf(stderr, "attesta: %v\n", err)
	return 1
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, rest, stderr, getenv)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr, getenv)
	case "standards":
		if len(rest) == 0 {
			fmt.Fprint(stderr, usage)
			return errUsage
		}
		switch sub := rest[0]; sub {
		case "import":
			return standardsImport(ctx, rest[1:], stdout, stderr, getenv)
		case "export":
			return standardsExport(ctx, rest[1:], stdout, stderr, getenv)
		case "check":
			return standardsCheck(rest[1:], stdout, stderr)
		default:
			fmt.Fprintf(stderr, "attesta standards: unknown command %q\n\n%s", sub, usage)
			return errUsage
		}
	case "credential":
		return credentialCmd(ctx, rest, stdout, stderr, getenv)
	case "issuer":
		return issuerCmd(ctx, rest, stdout, stderr, getenv)
	case "rdf":
		return rdfCmd(rest, stdout, stderr)
	case "log":
		return logCmd(ctx, rest, stdout, stderr)
	case "bench":
		return benchCmd(ctx, rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "attesta %s\n", versionString())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "attesta: unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
}

// parse parses a command's flags, with the configuration flags added, and
// returns the configuration and the remaining arguments.
func parse(name string, args []string, stderr io.Writer, getenv func(string) string, extra func(*flag.FlagSet)) (*Config, []string, error) {
	fs := flag.NewFlagSet("attesta "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	build := bindConfig(fs, getenv)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, err
		}
		return nil, nil, errUsage
	}
	cfg, err := build()
	if err != nil {
		return nil, nil, fmt.Errorf("configuration: %w", err)
	}
	return cfg, fs.Args(), nil
}

// openDB opens the database the configuration names: PostgreSQL when a URL
// is given, otherwise SQLite in the data directory.
func openDB(ctx context.Context, cfg *Config, log *slog.Logger) (server.Database, error) {
	if cfg.DatabaseURL != "" {
		log.Info("using PostgreSQL")
		return postgres.Open(ctx, cfg.DatabaseURL, clock)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data directory: %w", err)
	}
	path := filepath.Join(cfg.DataDir, "attesta.db")
	log.Info("using SQLite", "path", path)
	return sqlite.Open(ctx, path, clock)
}

// openStandards opens and migrates the database for a command that works
// on the standards, and returns the service and a function that closes it.
func openStandards(ctx context.Context, cfg *Config) (*competence.Service, func(), error) {
	db, err := openDB(ctx, cfg, cfg.newLogger(io.Discard))
	if err != nil {
		return nil, nil, err
	}
	if _, _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	return competence.NewService(db.Standards(), clock), func() { db.Close() }, nil
}

func serve(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string) error {
	cfg, rest, err := parse("serve", args, stderr, getenv, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "attesta serve: unexpected arguments %q\n", rest)
		return errUsage
	}
	log := cfg.newLogger(stderr)
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	opts, err := cfg.serverOptions(stderr)
	if err != nil {
		return err
	}
	opts.Log = log
	if err := server.Prepare(ctx, db, opts); err != nil {
		return err
	}
	srv, err := server.New(db, opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	return srv.Run(ctx, ln)
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, _, err := parse("migrate", args, stderr, getenv, nil)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg, cfg.newLogger(stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	from, to, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d → %d\n", from, to)
	return nil
}

// decodeFile reads and validates a standards file; "-" is standard input.
func decodeFile(name string) (*competence.File, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	file, err := competence.Decode(r, name)
	if err != nil {
		var ps competence.Problems
		if errors.As(err, &ps) {
			return nil, attesta.Wrap(ps, attesta.Invalid, "err.cli.standards.invalid", name)
		}
		return nil, err
	}
	return file, nil
}

func standardsImport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var dryRun bool
	cfg, rest, err := parse("standards import", args, stderr, getenv, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "validate the file only; change nothing")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "usage: attesta standards import [flags] FILE")
		return errUsage
	}
	file, err := decodeFile(rest[0])
	if err != nil {
		return err
	}
	if dryRun {
		fmt.Fprintf(stdout, "%s is valid: %d standard version(s)\n", rest[0], len(file.Standards))
		return nil
	}
	standards, closeDB, err := openStandards(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	rep, err := standards.Import(ctx, file)
	if err != nil {
		return err
	}
	for _, l := range []struct {
		what  string
		items []string
	}{{"created", rep.Created}, {"updated", rep.Updated}, {"unchanged", rep.Unchanged}} {
		if len(l.items) > 0 {
			fmt.Fprintf(stdout, "%-9s %s\n", l.what, strings.Join(l.items, ", "))
		}
	}
	return nil
}

func standardsExport(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var out string
	cfg, rest, err := parse("standards export", args, stderr, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "o", "-", "write to this file instead of standard output")
	})
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		fmt.Fprintln(stderr, "usage: attesta standards export [flags] [-o FILE]")
		return errUsage
	}
	standards, closeDB, err := openStandards(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	f, err := standards.Export(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := competence.Encode(&buf, f); err != nil {
		return err
	}
	if out == "-" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	return writeFileAtomic(out, buf.Bytes())
}

func standardsCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("attesta standards check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	canonical := fs.Bool("canonical", false, "print the file in canonical form")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: attesta standards check [--canonical] FILE")
		return errUsage
	}
	file, err := decodeFile(fs.Arg(0))
	if err != nil {
		return err
	}
	if *canonical {
		return competence.Encode(stdout, file)
	}
	fmt.Fprintf(stdout, "%s is valid: %d standard version(s)\n", fs.Arg(0), len(file.Standards))
	return nil
}

// writeFileAtomic writes data to path through a temporary file, so that a
// failure never leaves a half-written export behind.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".attesta-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
