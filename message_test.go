package attesta_test

import (
	"fmt"
	"github.com/attesta/attesta/commission"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/course"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/importer"
	"github.com/attesta/attesta/internal/fiscal"
	"github.com/attesta/attesta/internal/i18n"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/observation"
)

// keyFunc is a function or method that takes a message key: arg is the
// index of the key among its arguments, and the arguments after it are
// the message's.
type keyFunc struct {
	dir    string // the package's directory ("." the root), or "" for any
	pkg    string // called as pkg.name from other packages
	name   string // the function or method
	method bool
	arg    int
	more   bool // the arguments after the key are not the message's
}

// keyFuncs are the functions that take a message key. A key given to one
// must be a string literal: the test can then check it is in every
// catalogue, with as many verbs as the call gives arguments. A function of
// this list may pass on its own key parameter (page.T gives its key to
// i18n.T); its callers are checked.
var keyFuncs = []keyFunc{
	{dir: ".", pkg: "attesta", name: "E", arg: 1},
	{dir: ".", pkg: "attesta", name: "Wrap", arg: 2},
	{dir: ".", pkg: "attesta", name: "M", arg: 0},
	{name: "Problem", method: true, arg: 1}, // attesta.FieldErrors
	{dir: "internal/i18n", pkg: "i18n", name: "T", arg: 1},
	{dir: "web", name: "T", method: true, arg: 0}, // the page's
	{dir: "web", name: "p0", arg: 3},
	{dir: "web", name: "userPage", method: true, arg: 2, more: true},
	{dir: "importer", name: "invalid", method: true, arg: 2}, // errorList
	{dir: "importer", name: "problem", method: true, arg: 3},
	{dir: "credential", name: "msg", arg: 0},                  // a check's reason
	{dir: "europass", name: "words", arg: 0},                  // a text of the export, in Italian and English
	{dir: "competence", name: "add", method: true, arg: 1},    // validator: a problem at a path
	{dir: "competence", name: "report", method: true, arg: 2}, // decoder: a problem at a node
	// validator.code: the key when a code is missing; the key when it is
	// malformed follows, with the code as its argument (competence's
	// TestEveryProblemSaid says both).
	{dir: "competence", name: "code", method: true, arg: 3, more: true},
}

// dynamic are the functions that make keys at run time, and how those keys
// are checked.
var dynamic = map[string]string{
	".:Message.In":                  "says a message whose key was checked where it was made",
	".:Error.Error":                 "says a message whose key was checked where it was made",
	"org:fiscalMessage":             "err.fiscal.<key> for each of fiscal.Keys: TestDynamicKeys",
	"web:Site.fail":                 "error.<page>.title: TestDynamicKeys",
	"web:Site.loginPost":            "login.failed.<code>: TestDynamicKeys",
	"web:Site.linkPage":             "password.<purpose>.title: TestDynamicKeys",
	"web:Site.jobPage":              "import.kind.<kind>: TestDynamicKeys",
	".:Date.In":                     "month.<1–12>: TestDynamicKeys",
	"web:page.auditRows":            "audit.action.<action>, guarded by i18n.Has: web's TestAuditActionsHaveWords",
	"web:page.auditActions":         "the audit.action. keys of the catalogue itself",
	"web:page.fieldLabel":           "audit.field.<field>, guarded by i18n.Has",
	"web:page.Lookup":               "the templates' Lookup: web's TestTemplatesHaveNoText",
	"web:page.Known":                "the templates' Known: web's TestTemplatesHaveNoText",
	"importer:Kind.In":              "import.file.<kind> for each of importer.Kinds: TestDynamicKeys",
	"experience:State.Words":        "experience.state.<state> for each of experience.States: TestDynamicKeys",
	"experience:Action.Words":       "experience.action.<action> for each of experience.Actions: TestDynamicKeys",
	"experience:schoolTypeWords":    "schooltype.<type> for each of competence.SchoolTypes: TestDynamicKeys",
	"observation:State.Words":       "observation.state.<state> for each of observation.States: TestDynamicKeys",
	"item:Status.Words":             "item.status.<status> for each of item.Statuses: TestDynamicKeys",
	"item:Act.Words":                "item.act.<act> for each of item.Acts: TestDynamicKeys",
	"item:Dimension.Words":          "item.dimension.<dimension> for each of item.Dimensions: TestDynamicKeys",
	"assessment:EventKind.Words":    "assessment.event.<kind> for each of assessment.EventKinds: TestDynamicKeys",
	"assessment:Irregularity.Words": "assessment.irregularity.<category> for each of assessment.Irregularities: TestDynamicKeys",
	"web:noticeWords":               "notice.<kind>, written by package commission: commission.NoticeKeys, TestDynamicKeys",
	"course:State.Words":            "course.state.<state> for each of course.States: TestDynamicKeys",
	"course:Audience.Words":         "course.audience.<audience> for each of course.Audiences: TestDynamicKeys",
	"auth:words":                    "role.<role>, kind.<kind>, action.<action> for each of auth.Roles, OrgKinds, Actions (TestDynamicKeys), guarded by i18n.Has",
}

// dynamicKeys are the keys the dynamic functions make.
func dynamicKeys() []string {
	var keys []string
	for _, k := range fiscal.Keys() {
		keys = append(keys, "err.fiscal."+k)
	}
	for _, page := range []string{"internal", "notfound", "invalid", "forbidden", "unauthenticated", "throttled"} {
		keys = append(keys, "error."+page+".title", "error."+page+".text")
	}
	// The codes of the refusals the sign-in form shows (web's formError).
	for _, c := range []attesta.Code{attesta.Invalid, attesta.Conflict, attesta.Forbidden, attesta.Unauthenticated, attesta.Throttled} {
		keys = append(keys, "login.failed."+string(c))
	}
	keys = append(keys, "password.invite.title", "password.reset.title")
	keys = append(keys, commission.NoticeKeys...)
	for m := 1; m <= 12; m++ {
		keys = append(keys, "month."+strconv.Itoa(m))
	}
	for _, k := range importer.Kinds {
		keys = append(keys, "import.kind."+string(k), "import.file."+string(k))
	}
	for _, r := range auth.Roles {
		keys = append(keys, "role."+string(r))
	}
	for _, k := range auth.OrgKinds {
		keys = append(keys, "kind."+string(k))
	}
	for _, a := range auth.Actions {
		keys = append(keys, "action."+string(a))
	}
	for _, s := range experience.States {
		keys = append(keys, "experience.state."+string(s))
	}
	for _, a := range experience.Actions {
		keys = append(keys, "experience.action."+string(a))
	}
	for _, s := range observation.States {
		keys = append(keys, "observation.state."+string(s))
	}
	for _, t := range competence.SchoolTypes {
		keys = append(keys, "schooltype."+string(t))
	}
	for _, s := range item.Statuses {
		keys = append(keys, "item.status."+string(s))
	}
	for _, a := range item.Acts {
		keys = append(keys, "item.act."+string(a))
	}
	for _, d := range item.Dimensions {
		keys = append(keys, "item.dimension."+string(d))
	}
	for _, k := range assessment.EventKinds {
		keys = append(keys, "assessment.event."+string(k))
	}
	for _, c := range assessment.Irregularities {
		keys = append(keys, "assessment.irregularity."+string(c))
	}
	for _, s := range course.States {
		keys = append(keys, "course.state."+string(s))
	}
	for _, a := range course.Audiences {
		keys = append(keys, "course.audience."+string(a))
	}
	return keys
}

// TestDynamicKeys: the keys made at run time are in every catalogue; a
// refusal of package fiscal is said with the verbs of its English text.
func TestDynamicKeys(t *testing.T) {
	for _, k := range dynamicKeys() {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("key %q is missing in %s", k, lang)
			}
		}
	}
	for _, k := range fiscal.Keys() {
		if got, want := verbs(i18n.T("en", "err.fiscal."+k)), verbs(fiscal.English(k)); !slices.Equal(got, want) {
			t.Errorf("err.fiscal.%s: verbs %v, package fiscal says %v", k, got, want)
		}
	}
}

// TestMessageKeys reads the module's Go code (tests aside) and checks that
// every message key it gives is in every catalogue, with as many verbs as
// arguments; that a key is a string literal, except in the few functions
// of dynamic; that every literal of the domain's namespaces (errors, the
// verifier's reasons) is a key; and that every key of those namespaces is
// used.
func TestMessageKeys(t *testing.T) {
	used := map[string]bool{}
	for _, k := range dynamicKeys() {
		used[k] = true
	}
	makers := map[string]bool{} // the functions of dynamic that make a key
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		checkFile(t, fset, filepath.ToSlash(filepath.Dir(path)), f, used, makers)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range i18n.Keys(i18n.Default) {
		if domainKey(k) && !used[k] {
			t.Errorf("key %q is in the catalogues but no code says it", k)
		}
	}
	for where := range dynamic {
		if !makers[where] {
			t.Errorf("%s is listed in dynamic but makes no key: take it out", where)
		}
	}
}

func checkFile(t *testing.T, fset *token.FileSet, dir string, f *ast.File, used, makers map[string]bool) {
	t.Helper()
	imported := map[string]bool{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		imported[name] = true
	}
	for _, decl := range f.Decls {
		fn, _ := decl.(*ast.FuncDecl)
		where, params, forwards := "", map[string]bool{}, false
		if fn != nil {
			where = dir + ":" + funcName(fn)
			for _, field := range fn.Type.Params.List {
				for _, n := range field.Names {
					params[n.Name] = true
				}
			}
			for _, kf := range keyFuncs {
				if (kf.dir == "" || kf.dir == dir) && kf.name == fn.Name.Name && kf.method == (fn.Recv != nil) {
					forwards = true
				}
			}
		}
		ast.Inspect(decl, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if s, err := strconv.Unquote(n.Value); n.Kind == token.STRING && err == nil && domainKey(s) && !strings.HasSuffix(s, ".") {
					used[s] = true
					for _, lang := range i18n.Languages {
						if !i18n.Has(lang, s) {
							t.Errorf("%s: key %q is missing in %s", fset.Position(n.Pos()), s, lang)
						}
					}
				}
			case *ast.CallExpr:
				kf, ok := keyFuncOf(dir, imported, n)
				if !ok || len(n.Args) <= kf.arg {
					return true
				}
				pos := fset.Position(n.Pos())
				switch key := n.Args[kf.arg].(type) {
				case *ast.BasicLit:
					s, err := strconv.Unquote(key.Value)
					if key.Kind != token.STRING || err != nil {
						t.Errorf("%s: key %s is not a string", pos, key.Value)
						return true
					}
					used[s] = true
					checkKey(t, pos, s, n, kf)
				case *ast.Ident:
					if forwards && params[key.Name] {
						break
					}
					makers[where] = true
					if dynamic[where] == "" {
						t.Errorf("%s: the key %s is not a string literal (in %s)", pos, key.Name, where)
					}
				default:
					makers[where] = true
					if dynamic[where] == "" {
						t.Errorf("%s: the key is not a string literal (in %s)", pos, where)
					}
				}
			}
			return true
		})
	}
}

// keyFuncOf returns the keyFunc call calls, if any.
func keyFuncOf(dir string, imported map[string]bool, call *ast.CallExpr) (keyFunc, bool) {
	for _, kf := range keyFuncs {
		if kf.dir != "" && kf.dir != dir && kf.pkg == "" {
			continue
		}
		switch fun := call.Fun.(type) {
		case *ast.Ident:
			if !kf.method && kf.dir == dir && fun.Name == kf.name {
				return kf, true
			}
		case *ast.SelectorExpr:
			x, isIdent := fun.X.(*ast.Ident)
			isPkg := isIdent && imported[x.Name]
			if fun.Sel.Name != kf.name {
				continue
			}
			if kf.pkg != "" && isPkg && x.Name == kf.pkg {
				return kf, true
			}
			if kf.method && !isPkg && (kf.dir == "" || kf.dir == dir) {
				return kf, true
			}
		}
	}
	return keyFunc{}, false
}

// checkKey checks that key is in every catalogue, with as many verbs as
// call gives arguments after it.
func checkKey(t *testing.T, pos token.Position, key string, call *ast.CallExpr, kf keyFunc) {
	t.Helper()
	for _, lang := range i18n.Languages {
		if !i18n.Has(lang, key) {
			if !domainKey(key) { // those are said missing as literals
				t.Errorf("%s: key %q is missing in %s", pos, key, lang)
			}
			return
		}
	}
	if call.Ellipsis.IsValid() || kf.more {
		return
	}
	if n, v := len(call.Args)-kf.arg-1, verbs(i18n.T(i18n.Default, key)); n != len(v) {
		t.Errorf("%s: key %q has %d verbs %v, given %d arguments", pos, key, len(v), v, n)
	}
}

// domainKey reports whether k is in the namespaces of the domain's
// messages: errors ("err.") and the verifier's reasons ("verify.").
func domainKey(k string) bool {
	return strings.HasPrefix(k, "err.") || strings.HasPrefix(k, "verify.")
}

// funcName is "Recv.Name" for a method, else "Name".
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	typ := fn.Recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fmt.Sprint(typ) + "." + fn.Name.Name
}

// verbs returns the printf verbs of s, %% aside.
func verbs(s string) []string { return i18n.Verbs(s) }
