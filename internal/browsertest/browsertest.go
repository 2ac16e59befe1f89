// Package browsertest drives Debian's headless Chromium with chromedp for
// tests that must see pages as a person does, and checks them with axe-core
// (vendored in testdata by scripts/vendor-assets).
//
// A test starts the browser with [New], drives it with chromedp actions, and
// calls [Axe] on every page it reaches. The harness fails the test on any
// uncaught JavaScript exception, and logs the other errors of the browser
// console, such as a refused Content-Security-Policy or a missing resource;
// [Console] returns them to a test that wants none.
//
// The package's TestMain runs its tests only when [Find] finds Chromium;
// otherwise go test ./... reports the package with "[no tests to run]" (see
// internal/testenv), or fails it when ATTESTA_REQUIRE_BROWSER is set, as in
// CI. ATTESTA_CHROMIUM names another browser binary. When
// ATTESTA_SCREENSHOTS names a directory, [Screenshot] writes full-page PNGs
// there, and so does every failed test for its last page.
package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Timeout bounds each test's use of the browser, from its start: generous,
// for CI machines running every package at once under the race detector.
const Timeout = 3 * time.Minute

//go:embed testdata/axe.min.js
var axeSource string

// Find returns the path of the browser: $ATTESTA_CHROMIUM, or Debian's
// chromium, or another Chromium on PATH.
func Find() (string, error) {
	if p := os.Getenv("ATTESTA_CHROMIUM"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("ATTESTA_CHROMIUM=%s: %w", p, err)
		}
		return path, nil
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found (install Debian's chromium, or set ATTESTA_CHROMIUM to the browser binary)")
}

// Chromium returns the path of the browser, or fails the test.
func Chromium(t testing.TB) string {
	t.Helper()
	p, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// New starts a headless Chromium for the test and returns a context that
// drives one tab, with a deadline of [Timeout]. The browser speaks Italian
// (Accept-Language it-IT), as the catalogue's first users do. Everything is
// shut down when the test ends; start the test server before calling New, so
// that the browser goes first.
func New(t testing.TB) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("lang", "it-IT"),
		chromedp.Flag("accept-lang", "it-IT,it"),
		// Bootstrap scrolls smoothly unless reduced motion is preferred: a
		// click computed while the page still scrolls to its target (after
		// typing in a field, say) would land beside it.
		chromedp.Flag("force-prefers-reduced-motion", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, Timeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })

	w := &watcher{}
	ctx = context.WithValue(ctx, watcherKey{}, w)
	// Listen calls w.note before the command that follows the event returns,
	// so what a page did is known by the next action of the test.
	if err := chromedp.Listen(ctx, w.note); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	// Runs before the cancellations above.
	t.Cleanup(func() {
		Console(t, ctx)
		if t.Failed() && os.Getenv("ATTESTA_SCREENSHOTS") != "" {
			Screenshot(t, ctx, "failed-"+t.Name())
		}
	})
	return ctx
}

// Incognito returns a context that drives a tab in a new browser context of
// ctx's browser: its own cookies and storage, as an incognito window has,
// and its console watched as ctx's is ([Console] and [Axe] take it). done
// closes the tab and discards the browser context, as a person closes the
// window; the end of the test does it too.
func Incognito(t testing.TB, ctx context.Context) (ictx context.Context, done func()) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Location()); err != nil { // the browser runs before a context is made in it
		t.Fatalf("incognito: %v", err)
	}
	ictx, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	w := &watcher{}
	ictx = context.WithValue(ictx, watcherKey{}, w)
	if err := chromedp.Listen(ictx, w.note); err != nil {
		cancel()
		t.Fatalf("incognito: %v", err)
	}
	var once sync.Once
	done = func() {
		once.Do(func() {
			Console(t, ictx)
			if err := chromedp.Cancel(ictx); err != nil && ctx.Err() == nil {
				t.Errorf("closing the incognito tab: %v", err)
			}
			cancel()
		})
	}
	t.Cleanup(done)
	return ictx, done
}

// watcher collects what went wrong in the pages of one browser.
type watcher struct {
	mu       sync.Mutex
	page     string    // URL of the main frame
	problems []problem // not yet reported
}

type problem struct {
	exception bool
	page      string // URL of the main frame then
	text      string
}

type watcherKey struct{}

func (w *watcher) note(ev any) {
	var p problem
	switch ev := ev.(type) {
	case *page.EventFrameNavigated:
		if ev.Frame != nil && ev.Frame.ParentID == "" {
			w.mu.Lock()
			w.page = ev.Frame.URL
			w.mu.Unlock()
		}
		return
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		if d == nil {
			return
		}
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			desc, _, _ := strings.Cut(d.Exception.Description, "\n")
			text += " " + desc
		}
		p = problem{exception: true, text: fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, text)}
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var args []string
		for _, a := range ev.Args {
			if len(a.Value) > 0 {
				args = append(args, string(a.Value))
			} else {
				args = append(args, a.Description)
			}
		}
		p = problem{text: fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " "))}
	case *log.EventEntryAdded:
		e := ev.Entry
		if e == nil || e.Level != log.EntryLevelError {
			return
		}
		w.mu.Lock()
		current := w.page
		w.mu.Unlock()
		// An error status of the page itself is for the test to check: it
		// may well be visiting a page that does not exist on purpose.
		if e.Source == log.EntrySourceNetwork && e.URL == current {
			return
		}
		p = problem{text: fmt.Sprintf("console error (%s) %s: %s", e.Source, e.URL, e.Text)}
	default:
		return
	}
	w.mu.Lock()
	p.page = w.page
	w.problems = append(w.problems, p)
	w.mu.Unlock()
}

// Console returns the uncaught exceptions and console errors of the pages
// since the last call, and fails the test for each: attesta's pages keep a
// clean console (a blocked resource, a CSP violation or a missing file all
// show there). A network error for the page itself is left to the test,
// which may visit a missing page on purpose. [Axe] and the end of the test
// call it too.
func Console(t testing.TB, ctx context.Context) []string {
	t.Helper()
	w, ok := ctx.Value(watcherKey{}).(*watcher)
	if !ok {
		t.Fatal("browsertest.Console needs a context from browsertest.New")
	}
	w.mu.Lock()
	ps := w.problems
	w.problems = nil
	w.mu.Unlock()
	var texts []string
	for _, p := range ps {
		text := longData.ReplaceAllStringFunc(p.text, func(s string) string { return s[:40] + "…" })
		texts = append(texts, text)
		t.Errorf("browser on %s: %s", p.page, text)
	}
	return texts
}

// longData matches a long data: URL, which a message need not repeat whole.
var longData = regexp.MustCompile(`data:[^'"\s)]{60,}`)

// Violation is one axe-core rule that the page breaks.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"` // minor, moderate, serious or critical
	Help   string `json:"help"`
	Nodes  []Node `json:"nodes"`
}

// Node is one element that breaks a rule.
type Node struct {
	HTML string `json:"html"`
	// Target is axe's selector path; an element inside a shadow root or a
	// frame has a nested path, so it stays as JSON.
	Target json.RawMessage `json:"target"`
}

// Serious reports whether the violation fails a test.
func (v Violation) Serious() bool { return v.Impact == "serious" || v.Impact == "critical" }

const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})
	.then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.map(n => ({html: n.html, target: n.target}))}))))`

// Axe runs axe-core on the current page with the WCAG 2.1 A/AA rules and
// best practices, fails the test for every serious or critical violation,
// logs the others, and returns them all. It injects axe-core through the
// DevTools protocol, which the page's Content-Security-Policy does not
// govern, and only once per page. It first reports the page's [Console].
func Axe(t testing.TB, ctx context.Context) []Violation {
	t.Helper()
	Console(t, ctx)
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("axe-core: reading the location: %v", err)
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object'`))
	if err == nil && !loaded {
		_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeSource+"\n;undefined"))
	}
	if err != nil {
		t.Fatalf("injecting axe-core into %s: %v", url, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("running axe-core on %s: %v", url, err)
	}
	var vs []Violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("reading axe-core results: %v", err)
	}
	counts := map[string]int{}
	for _, v := range vs {
		counts[v.Impact]++
		msg := fmt.Sprintf("axe on %s: %s violation %s: %s (%d element(s))", url, v.Impact, v.ID, v.Help, len(v.Nodes))
		for i, n := range v.Nodes {
			if i == 3 {
				msg += fmt.Sprintf("\n    … and %d more", len(v.Nodes)-i)
				break
			}
			msg += fmt.Sprintf("\n    %s\n        %s", n.Target, n.HTML)
		}
		if v.Serious() {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
	t.Logf("axe on %s: %d critical, %d serious, %d moderate, %d minor violation(s)",
		url, counts["critical"], counts["serious"], counts["moderate"], counts["minor"])
	return vs
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Screenshot writes a full-page PNG of the current page as name.png in the
// directory that ATTESTA_SCREENSHOTS names, and does nothing when it is unset.
func Screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("ATTESTA_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(dir, unsafeName.ReplaceAllString(strings.TrimSuffix(name, ".png"), "_")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot: %s", path)
}
