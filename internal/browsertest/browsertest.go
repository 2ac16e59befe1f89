// Package browsertest drives Debian's headless Chromium with chromedp for
// tests that must see pages as a person does, and checks them with axe-core
// (vendored in testdata by scripts/vendor-assets).
//
// Tests skip when no Chromium is installed, unless ATTESTA_REQUIRE_BROWSER
// is set (as in CI), which makes a missing browser a failure.
package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

//go:embed testdata/axe.min.js
var axeSource string

// Chromium returns the path of the browser, or skips (or fails) the test.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("ATTESTA_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("ATTESTA_REQUIRE_BROWSER") != "" {
		t.Fatal("ATTESTA_REQUIRE_BROWSER is set but no Chromium was found (apt-get install chromium, or set ATTESTA_CHROMIUM)")
	}
	t.Skip("skipping browser test: no Chromium found (install Debian's chromium, or set ATTESTA_CHROMIUM); set ATTESTA_REQUIRE_BROWSER=1 to make this an error")
	return ""
}

// New starts a headless Chromium for the test and returns a context that
// drives one tab; everything is shut down when the test ends.
func New(t testing.TB) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		// An Italian user: pages negotiate their language from Accept-Language.
		chromedp.Flag("lang", "it-IT"),
		chromedp.Flag("accept-lang", "it-IT,it"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// Violation is one axe-core rule the page breaks.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		HTML   string   `json:"html"`
		Target []string `json:"target"`
	} `json:"nodes"`
}

// Axe runs axe-core on the current page with the WCAG 2.1 A/AA rules and
// best practices, fails the test for every serious or critical violation,
// logs the others, and returns them all.
func Axe(t testing.TB, ctx context.Context) []Violation {
	t.Helper()
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Evaluate[any](axeSource+"\n;true"))
	}
	var raw string
	if err == nil {
		raw, err = chromedp.Run(ctx, chromedp.Evaluate[string](
			`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','best-practice']}}).then(r => JSON.stringify(r.violations))`,
			chromedp.EvalAwaitPromise))
	}
	if err != nil {
		t.Fatalf("running axe-core on %s: %v", url, err)
	}
	var vs []Violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("reading axe-core results: %v", err)
	}
	for _, v := range vs {
		var nodes []string
		for i, n := range v.Nodes {
			if i == 3 {
				break
			}
			nodes = append(nodes, strings.Join(n.Target, " ")+": "+n.HTML)
		}
		msg := "axe %s on %s: %s (%s)\n    %s"
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf(msg, v.Impact, url, v.ID, v.Help, strings.Join(nodes, "\n    "))
		} else {
			t.Logf(msg, v.Impact, url, v.ID, v.Help, strings.Join(nodes, "\n    "))
		}
	}
	t.Logf("axe on %s: %d violation(s), none serious or critical unless reported above", url, len(vs))
	return vs
}
