// Command attesta certifies the competences students gain in school–work
// training and issues them as verifiable micro-credentials.
//
// Usage:
//
//	attesta serve [flags]                  start the web server
//	attesta migrate [flags]                bring the database schema up to date
//	attesta standards import [flags] FILE  import a standards file (all or nothing)
//	attesta standards export [flags] [-o FILE]
//	attesta standards check [--canonical] FILE
//	attesta version
//
// Run "attesta COMMAND -h" for the flags of a command; README.md lists the
// configuration.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
