package main

import (
	"os"
	"strings"
	"testing"
)

// Every command reads its command line the same way: -h and --help print
// its usage line first on standard output and exit 0; an unknown flag or an
// argument too many, before or after its flags, is refused with the usage
// line on standard error, exit 2; none of them opens, makes or writes
// anything.
func TestEveryCommandLine(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, c := range commands {
		if c.name == "help" {
			continue
		}
		words := strings.Fields(c.name)
		usage := "usage: " + strings.TrimSpace("attesta "+c.name+" "+c.syntax) + "\n"
		t.Run(c.name, func(t *testing.T) {
			for _, help := range []string{"-h", "--help"} {
				code, out, errOut := cli(t, append(words, help)...)
				if code != 0 || !strings.HasPrefix(out, usage) || errOut != "" {
					t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 0 and %q first on stdout", help, code, out, errOut, usage)
				}
			}
			if code, out, _ := cli(t, append([]string{"help"}, words...)...); code != 0 || !strings.HasPrefix(out, usage) {
				t.Errorf("attesta help %s: exit %d, stdout %q", c.name, code, out)
			}
			for _, args := range [][]string{{"--frobnicate"}, {"a", "b", "c"}, {"a", "b", "c", "--data-dir", "x"}, {"--data-dir", "x", "a", "b", "c"}} {
				code, out, errOut := cli(t, append(words, args...)...)
				if code != 2 || out != "" || !strings.HasPrefix(errOut, "attesta "+c.name+": ") || !strings.Contains(errOut, "\n"+usage) {
					t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and the usage line on stderr", args, code, out, errOut)
				}
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("refused command lines left %v", entries)
	}
}

// Each group of commands, asked for help or for nothing, lists its
// commands, each with its usage line.
func TestGroupUsage(t *testing.T) {
	for _, group := range []string{"standards", "issuer", "credential", "rdf", "log", "scale"} {
		code, out, _ := cli(t, group, "-h")
		if code != 0 {
			t.Errorf("%s -h: exit %d", group, code)
		}
		code, _, errOut := cli(t, group)
		if code != 2 || errOut != out {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", group, code, errOut, out)
		}
		for _, c := range commands {
			if line := "  attesta " + c.name + " " + c.syntax; strings.HasPrefix(c.name, group+" ") && !strings.Contains(out, line) {
				t.Errorf("%s -h does not list %q:\n%s", group, line, out)
			}
		}
	}
}
