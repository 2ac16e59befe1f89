// Command attesta certifies the competences students gain in school–work
// training and issues them as verifiable micro-credentials.
//
// Usage:
//
//	attesta serve [flags]                  start the web server
//	attesta migrate [flags]                bring the database schema up to date
//	attesta standards|issuer|credential|rdf|log COMMAND [flags] ARGS…
//	attesta bench [flags]
//	attesta scale session [flags]          testing: a closed session of many candidates
//	attesta version
//	attesta help [COMMAND]
//
// "attesta help" lists every command (cmdline.go's commands), and "attesta
// COMMAND -h" the flags of one, which may come before or after its
// arguments; README.md lists the configuration.
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
