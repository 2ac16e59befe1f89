package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/attesta/attesta/internal/i18n"
)

// dynamicActions are the audited actions whose name is built at run time,
// by the source text of the expression, with every value it can take.
var dynamicActions = map[string][]string{
	`"account."+purpose`:           {"account.invite", "account.reset"},
	`"credential."+string(action)`: {"credential.revoke", "credential.suspend", "credential.reinstate"},
	`action`:                       {"experience.edit", "experience.revise"},                                                               // experience.Service.Edit
	`auditAction`:                  {"experience.start", "experience.close", "experience.cancel"},                                          // experience.Service.transition
	`walletAction`:                 {"wallet.offer", "wallet.replace", "wallet.redeem", "wallet.exhaust", "wallet.replay", "wallet.issue"}, // wallet.Service.audit
}

// TestAuditActionsHaveWords finds every action the code records in the
// audit trail (the action argument of audit.Record and audit.New, followed
// through constants) and checks that the trail can say it in Italian and
// English.
func TestAuditActionsHaveWords(t *testing.T) {
	const module = "github.com/attesta/attesta"
	fset := token.NewFileSet()
	type file struct {
		dir string
		f   *ast.File
	}
	var files []file
	consts := map[string]string{} // dir + "." + name → value
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && d.Name() != "..") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		files = append(files, file{dir, f})
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							v, _ := strconv.Unquote(lit.Value)
							consts[dir+"."+name.Name] = v
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]string{} // action → where
	for _, fl := range files {
		imports := map[string]string{} // local name → dir
		for _, imp := range fl.f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			rel, ok := strings.CutPrefix(p, module+"/")
			if !ok {
				continue
			}
			name := filepath.Base(rel)
			if imp.Name != nil {
				name = imp.Name.Name
			}
			imports[name] = "../" + rel
		}
		var eval func(e ast.Expr) (string, bool)
		eval = func(e ast.Expr) (string, bool) {
			switch e := e.(type) {
			case *ast.BasicLit:
				if e.Kind == token.STRING {
					v, err := strconv.Unquote(e.Value)
					return v, err == nil
				}
			case *ast.CallExpr: // string(auth.OrgCreate)
				if id, ok := e.Fun.(*ast.Ident); ok && id.Name == "string" && len(e.Args) == 1 {
					return eval(e.Args[0])
				}
			case *ast.Ident:
				v, ok := consts[fl.dir+"."+e.Name]
				return v, ok
			case *ast.SelectorExpr:
				if x, ok := e.X.(*ast.Ident); ok {
					v, ok := consts[imports[x.Name]+"."+e.Sel.Name]
					return v, ok
				}
			}
			return "", false
		}
		ast.Inspect(fl.f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok || imports[pkg.Name] != "../audit" {
				return true
			}
			arg := map[string]int{"Record": 4, "New": 2}[sel.Sel.Name]
			if arg == 0 || len(call.Args) <= arg {
				return true
			}
			where := fset.Position(call.Pos()).String()
			if v, ok := eval(call.Args[arg]); ok {
				actions[v] = where
				return true
			}
			start, end := fset.Position(call.Args[arg].Pos()), fset.Position(call.Args[arg].End())
			src, _ := os.ReadFile(start.Filename)
			text := string(src[start.Offset:end.Offset])
			vs, ok := dynamicActions[text]
			if !ok {
				t.Errorf("%s: action %s is not a constant; add its values to dynamicActions", where, text)
			}
			for _, v := range vs {
				actions[v] = where
			}
			return true
		})
	}
	if len(actions) < 20 {
		t.Fatalf("found only %d audited actions: %v", len(actions), actions)
	}
	for a, where := range actions {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, "audit.action."+a) {
				t.Errorf("%s: action %q has no words in %s (key audit.action.%s)", where, a, lang, a)
			}
		}
	}
}
