package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/attesta/attesta"
)

// commands are attesta's command lines, in the order of the usage: each
// command's name, the syntax of its flags and arguments, and what it does.
// The usage, a group's usage ("attesta credential") and a command's usage
// line (its -h, its refusals) all say them from here.
var commands = []struct{ name, syntax, summary string }{
	{"serve", "[flags]", "start the web server"},
	{"migrate", "[flags]", "bring the database schema up to date"},
	{"backup", "[flags] FILE", "write a consistent copy of the running SQLite database"},
	{"standards import", "[flags] FILE", "import a standards file (all or nothing)"},
	{"standards export", "[flags]", "write every standard version as a standards file"},
	{"standards check", "[--canonical] FILE", "validate a standards file without a database"},
	{"issuer list", "[flags]", "list the issuers"},
	{"issuer rotate", "--reason R [flags] ID", "give an issuer a new signing key"},
	{"issuer did", "[flags] ID", "print an issuer's DID document"},
	{"credential issue", "[flags] REQUEST.json", "issue the credential of a certified competence"},
	{"credential verify", "[flags] FILE", "verify a credential (JSON, JWT, baked PNG or SVG)"},
	{"credential revoke", "--reason R [flags] ID", "revoke a credential, for good"},
	{"credential suspend", "--reason R [flags] ID", "suspend a credential"},
	{"credential reinstate", "--reason R [flags] ID", "reinstate a suspended credential"},
	{"credential bake", "--image IMG [flags] CREDENTIAL", "bake a credential into a badge image"},
	{"credential extract", "[-o OUT] IMG", "print the credential a badge image carries"},
	{"credential keygen", "[-o FILE]", "development: make a key pair, print its did:key"},
	{"credential sign", "--key KEYPAIR [flags] FILE", "development: sign any credential under did:key"},
	{"trust fetch", "--url URL [flags]", "fetch a deployment's signed trust bundle, to verify offline"},
	{"trust key", "[flags]", "print the key that signs the trust bundle"},
	{"rdf canonicalize", "[flags] FILE", "print RDFC-1.0 canonical N-Quads of N-Quads or JSON-LD"},
	{"log verify-receipt", "--log-key VKEY [flags] RECEIPT CREDENTIAL", "check a notarization receipt offline"},
	{"log audit", "--log-key VKEY [flags] URL|DIR|s3://BUCKET/PREFIX", "verify a published log (URL or blob store) and that it never forked"},
	{"log recover", "[flags]", "bring a restored database up to the published log"},
	{"bench", "[flags]", "measure issue/verify speed, and the Digital Bazaar stack's"},
	{"scale session", "[flags]", "testing: a closed session of many demo candidates, to issue"},
	{"version", "", "print the version"},
	{"help", "[COMMAND]", "print this, or a command's usage and flags"},
}

// hidden are the commands the usage of all commands leaves out, for
// newcomers: those that write test data. Their group's usage ("attesta
// scale") and the README list them.
var hidden = map[string]bool{"scale session": true}

// summaryColumn is where the usage says what each command does.
const summaryColumn = 44

// usageOf returns the usage of the commands of group ("" for all of them,
// "credential" for the credential commands).
func usageOf(group string) string {
	var b strings.Builder
	if group == "" {
		b.WriteString("attesta certifies competences gained in school–work training as verifiable micro-credentials.\n\n")
	}
	b.WriteString("Usage:\n")
	for _, c := range commands {
		if group != "" && !strings.HasPrefix(c.name, group+" ") || group == "" && hidden[c.name] {
			continue
		}
		line := strings.TrimRight("  attesta "+c.name+" "+c.syntax, " ")
		if n := utf8.RuneCountInString(line); n+2 <= summaryColumn {
			fmt.Fprintf(&b, "%s%s%s\n", line, strings.Repeat(" ", summaryColumn-n), c.summary)
		} else {
			fmt.Fprintf(&b, "%s\n%s%s\n", line, strings.Repeat(" ", summaryColumn), c.summary)
		}
	}
	if group == "" {
		b.WriteString("\nFlags may come before or after a command's arguments (\"--\" ends them), and a FILE \"-\" is\n")
		b.WriteString("standard input. Run \"attesta COMMAND -h\" or \"attesta help COMMAND\" for a command's flags.\n")
	} else {
		fmt.Fprintf(&b, "\nRun \"attesta %s COMMAND -h\" for a command's flags.\n", group)
	}
	return b.String()
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// subcommand returns the command a group's command line names and its
// arguments. With none, the group's usage goes to stderr (errUsage); asked
// for help, to stdout (flag.ErrHelp: exit 0).
func subcommand(group string, args []string, stdout, stderr io.Writer) (string, []string, error) {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageOf(group))
		return "", nil, errUsage
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, usageOf(group))
		return "", nil, flag.ErrHelp
	}
	return args[0], args[1:], nil
}

// unknownCommand refuses a command that group does not have.
func unknownCommand(group, name string, stderr io.Writer) error {
	fmt.Fprintf(stderr, "attesta %s: unknown command %q\n\n%s", group, name, usageOf(group))
	return errUsage
}

// A command is the command line of one command: its flags and the syntax
// of its arguments (from commands).
type command struct {
	name            string // "credential sign"
	syntax, summary string
	fs              *flag.FlagSet
	stdout          io.Writer // help goes there
	stderr          io.Writer // refusals go there
}

func newCommand(name string, stdout, stderr io.Writer) *command {
	c := &command{name: name, fs: flag.NewFlagSet("attesta "+name, flag.ContinueOnError), stdout: stdout, stderr: stderr}
	for _, cmd := range commands {
		if cmd.name == name {
			c.syntax, c.summary = cmd.syntax, cmd.summary
		}
	}
	if c.summary == "" {
		panic("attesta: command " + name + " is not in commands")
	}
	// The flag package's own messages go through parse, which says them
	// with the usage line.
	c.fs.SetOutput(io.Discard)
	c.fs.Usage = func() {}
	return c
}

// parse parses a command line of n arguments and its flags, which may come
// before, between or after the arguments ("--" ends them), and returns the
// arguments. -h prints the usage and the flags on stdout (flag.ErrHelp:
// exit 0); a wrong command line is said, with the usage line, on stderr
// (errUsage: exit 2).
func (c *command) parse(args []string, n int) ([]string, error) {
	var pos []string
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, c.help()
			}
			return nil, c.usageError(err.Error())
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			break
		}
		if k := len(args) - len(rest); k > 0 && args[k-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	switch {
	case len(pos) > n:
		return nil, c.usageError(attesta.M("err.cli.args.unexpected", pos[n]).In("en"))
	case len(pos) < n:
		words := strings.Fields(c.syntax)
		return nil, c.usageError(attesta.M("err.cli.args.missing", strings.Join(words[len(words)-n+len(pos):], " ")).In("en"))
	}
	return pos, nil
}

// required refuses the command line when the flag name, which the command
// needs, was not given.
func (c *command) required(name, value string) error {
	if value != "" {
		return nil
	}
	return c.usageError(attesta.M("err.cli.flag.required", "--"+name).In("en"))
}

// usageError says problem, then the usage line: errUsage.
func (c *command) usageError(problem string) error {
	fmt.Fprintf(c.stderr, "attesta %s: %s\n", c.name, problem)
	fmt.Fprintf(c.stderr, "usage: %s\n", c.usageLine())
	if c.hasFlags() {
		fmt.Fprintf(c.stderr, "Run \"attesta %s -h\" for its flags.\n", c.name)
	}
	return errUsage
}

// help prints the usage line, what the command does and its flags on
// stdout: flag.ErrHelp.
func (c *command) help() error {
	fmt.Fprintf(c.stdout, "usage: %s\n", c.usageLine())
	fmt.Fprintf(c.stdout, "\n%s.\n", strings.ToUpper(c.summary[:1])+c.summary[1:])
	if c.hasFlags() {
		if args := strings.Fields(c.syntax); len(args) > 0 && !strings.HasSuffix(args[len(args)-1], "]") {
			fmt.Fprint(c.stdout, "\nFlags (before or after the arguments):\n")
		} else {
			fmt.Fprint(c.stdout, "\nFlags:\n")
		}
		c.fs.SetOutput(c.stdout)
		c.fs.PrintDefaults()
		c.fs.SetOutput(io.Discard)
	}
	return flag.ErrHelp
}

func (c *command) hasFlags() bool {
	has := false
	c.fs.VisitAll(func(*flag.Flag) { has = true })
	return has
}

func (c *command) usageLine() string {
	return strings.TrimSpace("attesta " + c.name + " " + c.syntax)
}
