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
	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/job"
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

// jobRunner are the options of attesta serve's runner of jobs (zero: its
// defaults). Only the crash tests change them, in the child process they
// kill (main_test.go's TestMain): a short lease, so that the restarted
// server takes up at once the job the killed one held.
var jobRunner job.RunOptions

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

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
		fmt.Fprint(stderr, usageOf(""))
		return errUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr, getenv)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr, getenv)
	case "backup":
		return backup(ctx, rest, stdout, stderr, getenv)
	case "standards":
		sub, rest, err := subcommand("standards", rest, stdout, stderr)
		if err != nil {
			return err
		}
		switch sub {
		case "import":
			return standardsImport(ctx, rest, stdout, stderr, getenv)
		case "export":
			return standardsExport(ctx, rest, stdout, stderr, getenv)
		case "check":
			return standardsCheck(rest, stdout, stderr)
		}
		return unknownCommand("standards", sub, stderr)
	case "credential":
		return credentialCmd(ctx, rest, stdout, stderr, getenv)
	case "issuer":
		return issuerCmd(ctx, rest, stdout, stderr, getenv)
	case "trust":
		return trustCmd(ctx, rest, stdout, stderr, getenv)
	case "rdf":
		return rdfCmd(rest, stdout, stderr)
	case "log":
		return logCmd(ctx, rest, stdout, stderr, getenv)
	case "bench":
		return benchCmd(ctx, rest, stdout, stderr)
	case "scale":
		return scaleCmd(ctx, rest, stdout, stderr, getenv)
	case "version", "--version", "-version":
		if _, err := newCommand("version", stdout, stderr).parse(rest, 0); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "attesta %s\n", versionString())
		return nil
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 && cmd == "help" {
			// attesta help COMMAND…: that command's -h.
			return dispatch(ctx, append(rest[:len(rest):len(rest)], "-h"), stdout, stderr, getenv)
		}
		fmt.Fprint(stdout, usageOf(""))
		return flag.ErrHelp
	default:
		fmt.Fprintf(stderr, "attesta: unknown command %q\n\n%s", cmd, usageOf(""))
		return errUsage
	}
}

// parseConfig parses the command line of a command that takes the
// configuration (config.go's settings) besides its own flags: n arguments.
func (c *command) parseConfig(args []string, n int, getenv func(string) string) (*Config, []string, error) {
	build := bindConfig(c.fs, getenv)
	rest, err := c.parse(args, n)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := build()
	if err != nil {
		return nil, nil, fmt.Errorf("configuration: %w", err)
	}
	return cfg, rest, nil
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

// migrateDB brings the schema of db up to date, and logs it when it was not.
func migrateDB(ctx context.Context, db server.Database, log *slog.Logger) error {
	from, to, err := db.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrating the database: %w", err)
	}
	if from != to {
		log.Info("database migrated", "from", from, "to", to)
	}
	return nil
}

// openChecked opens and migrates the database for the server or the
// services, and sets opts.KEK to the key-encryption key checked against the
// keys sealed in it (Config.openKEK): nothing is written before.
func openChecked(ctx context.Context, cfg *Config, opts *server.Options, warn io.Writer) (server.Database, error) {
	db, err := openDB(ctx, cfg, opts.Log)
	if err != nil {
		return nil, err
	}
	if err := migrateDB(ctx, db, opts.Log); err != nil {
		db.Close()
		return nil, err
	}
	if opts.KEK, err = cfg.openKEK(ctx, db, opts.KEK, warn); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
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

// serve checks the configuration, listens, then opens the database, checks
// the key-encryption key against it and prepares it: a port in use is found
// before the database is touched, a wrong key before anything is written.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, _, err := newCommand("serve", stdout, stderr).parseConfig(args, 0, getenv)
	if err != nil {
		return err
	}
	opts, err := cfg.serverOptions(stderr)
	if err != nil {
		return err
	}
	if cfg.Production && opts.Mail == nil {
		return errProductionMail
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	defer ln.Close()
	db, err := openChecked(ctx, cfg, &opts, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := server.Prepare(ctx, db, opts); err != nil {
		return err
	}
	srv, err := server.New(db, opts)
	if err != nil {
		return err
	}
	if _, ok := opts.Mail.(*account.MailDir); ok {
		opts.Log.Info("no SMTP server configured: mail is written to files, not sent", "dir", cfg.mailDir())
	}
	return srv.Run(ctx, ln)
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, _, err := newCommand("migrate", stdout, stderr).parseConfig(args, 0, getenv)
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
	c := newCommand("standards import", stdout, stderr)
	dryRun := c.fs.Bool("dry-run", false, "validate the file only; change nothing")
	cfg, rest, err := c.parseConfig(args, 1, getenv)
	if err != nil {
		return err
	}
	file, err := decodeFile(rest[0])
	if err != nil {
		return err
	}
	if *dryRun {
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
	c := newCommand("standards export", stdout, stderr)
	out := c.fs.String("o", "-", "write to this file instead of standard output")
	cfg, _, err := c.parseConfig(args, 0, getenv)
	if err != nil {
		return err
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
	if *out == "-" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	return writeFileAtomic(*out, buf.Bytes())
}

func standardsCheck(args []string, stdout, stderr io.Writer) error {
	c := newCommand("standards check", stdout, stderr)
	canonical := c.fs.Bool("canonical", false, "print the file in canonical form")
	rest, err := c.parse(args, 1)
	if err != nil {
		return err
	}
	file, err := decodeFile(rest[0])
	if err != nil {
		return err
	}
	if *canonical {
		return competence.Encode(stdout, file)
	}
	fmt.Fprintf(stdout, "%s is valid: %d standard version(s)\n", rest[0], len(file.Standards))
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
