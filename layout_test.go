package attesta_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/attesta/attesta"

// edges are the root directories that adapt the domain to the outside
// world; every other root package is a domain package.
var edges = []string{"api", "web", "storage", "cmd"}

// libraries are the standards libraries: they know nothing of attesta.
var libraries = []string{"internal/vc/", "internal/tlog/", "internal/rfc3161", "internal/s3", "internal/oidc", "internal/oid4vci", "internal/fiscal", "internal/i18n", "internal/metrics"}

// TestImportsPointOneWay checks docs/design/layout.md: a domain package
// imports only the root package, other domain packages and the standards
// libraries; a standards library imports only other standards libraries;
// no adapter imports the command.
func TestImportsPointOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	isLibrary := func(rel string) bool {
		return slices.ContainsFunc(libraries, func(l string) bool { return rel == strings.TrimSuffix(l, "/") || strings.HasPrefix(rel, l) })
	}
	domains := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		rel, ok := strings.CutPrefix(fields[0], module+"/")
		if fields[0] == module {
			rel, ok = "", true
		}
		if !ok {
			continue
		}
		top, _, _ := strings.Cut(rel, "/")
		for _, imp := range fields[1:] {
			irel, ok := strings.CutPrefix(imp, module+"/")
			if imp == module {
				irel, ok = "", true
			}
			if !ok {
				continue
			}
			itop, _, _ := strings.Cut(irel, "/")
			switch {
			case isLibrary(rel):
				if !isLibrary(irel) {
					t.Errorf("standards library %s imports %s", rel, irel)
				}
			case rel == "" || (top != "internal" && !slices.Contains(edges, top)):
				if irel != "" && (itop == "internal" && !isLibrary(irel) || slices.Contains(edges, itop)) {
					t.Errorf("domain package %q imports %s", rel, irel)
				}
			case slices.Contains(edges, top) && top != "cmd":
				if itop == "cmd" || irel == "internal/server" {
					t.Errorf("adapter %s imports %s", rel, irel)
				}
			}
		}
		if rel != "" && top != "internal" && !slices.Contains(edges, top) {
			domains++
		}
	}
	if domains < 10 {
		t.Errorf("found %d domain packages; is the module path right?", domains)
	}
}

// TestRootHoldsDomainAndEdges keeps the root directory to the domain
// packages, the edges, internal/ and the project's own folders: a new
// library belongs under internal/.
func TestRootHoldsDomainAndEdges(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		if rel, ok := strings.CutPrefix(p, module+"/"); ok && !strings.Contains(rel, "/") {
			pkgs[rel] = true
		}
	}
	other := []string{"internal", "docs", "scripts", "storage", "cmd", "testdata"}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, ".") || path.Base(name) != name {
			continue
		}
		if !pkgs[name] && !slices.Contains(other, name) && name != "attesta-data" && name != "node_modules" {
			t.Errorf("root directory %s/ is neither a domain package, an edge nor one of %v", name, other)
		}
	}
}
