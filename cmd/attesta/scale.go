package main

import (
	"context"
	"fmt"
	"io"

	"github.com/attesta/attesta/internal/scale"
	"github.com/attesta/attesta/internal/server"
)

// scaleCmd runs the scale commands: data for measurements and crash
// tests, never for a deployment's real candidates.
func scaleCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	sub, rest, err := subcommand("scale", args, stdout, stderr)
	if err != nil {
		return err
	}
	switch sub {
	case "session":
		return scaleSession(ctx, rest, stdout, stderr, getenv)
	}
	return unknownCommand("scale", sub, stderr)
}

// scaleSession writes a closed commission session of many candidates on
// the first-start dataset (internal/scale), its issuance queued for the
// server's job runner, and prints its id and how many credentials it
// will issue.
func scaleSession(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	c := newCommand("scale session", stdout, stderr)
	candidates := c.fs.Int("candidates", 1000, fmt.Sprintf("how many candidates, each certified for %d competences (at most %d)", len(scale.Competences), scale.MaxCandidates))
	cfg, _, err := c.parseConfig(args, 0, getenv)
	if err != nil {
		return err
	}
	if *candidates < 1 || *candidates > scale.MaxCandidates {
		return c.usageError(fmt.Sprintf("--candidates %d: between 1 and %d", *candidates, scale.MaxCandidates))
	}
	opts, err := cfg.serverOptions(stderr)
	if err != nil {
		return err
	}
	opts.Log = cfg.newLogger(io.Discard)
	db, err := openChecked(ctx, cfg, &opts, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	// As attesta serve prepares it: the first-start dataset, whose demo
	// dossier the candidates' are cloned from, is loaded if it is not.
	if err := server.Prepare(ctx, db, opts); err != nil {
		return err
	}
	svc, err := server.NewServices(db, opts)
	if err != nil {
		return err
	}
	id, certified, err := scale.Session(ctx, svc, db, clock(), *candidates)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "session %s closed: %d candidates, %d credentials to issue (its job is queued for attesta serve)\n", id, *candidates, certified)
	return nil
}
