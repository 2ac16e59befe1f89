package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/trust"
)

// cliEnv runs a command in-process with the environment env.
func cliEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, func(k string) string { return env[k] })
	return code, stdout.String(), stderr.String()
}

// httpGet returns the body of a GET of u, which must answer 200.
func httpGet(t *testing.T, u, token string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	return body
}

// Offline verification with no server running: the bundle, the demo's
// badge (issued by its commission) and the badge's receipt are fetched
// from a running server, the server is stopped, and the badge verifies
// with the bundle alone — the issuer from its registry, the status from
// its snapshot, the notarization against its log key — saying how old the
// status is. The badge is then revoked on the server, a new bundle is
// fetched (pinned by the first fetch), and offline the badge is revoked,
// with the reason. A tampered bundle, one signed by another key and an
// unpinned one are refused; an old snapshot is warned about.
func TestOfflineVerificationWithBundle(t *testing.T) {
	var mu sync.Mutex
	now := testserver.Clock()
	clk := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	advance := func(d time.Duration) {
		mu.Lock()
		now = now.Add(d)
		mu.Unlock()
	}
	srv := testserver.NewWith(t, func(o *server.Options) { o.Clock = clk })
	ctx := context.Background()
	svc := srv.Services()
	id := testserver.DemoBadge(t, srv)

	dir := t.TempDir()
	env := map[string]string{"ATTESTA_CONFIG_DIR": filepath.Join(dir, "config")}
	ts := httptest.NewServer(srv)
	var rec struct {
		Credential json.RawMessage `json:"credential"`
	}
	if err := json.Unmarshal(httpGet(t, ts.URL+"/api/v1/credentials/"+id, testserver.APIToken), &rec); err != nil {
		t.Fatal(err)
	}
	badge := writeFile(t, dir, "badge.json", string(rec.Credential))
	receipt := writeFile(t, dir, "receipt.json", string(httpGet(t, ts.URL+"/api/v1/credentials/"+id+"/receipt", "")))
	key := strings.TrimSpace(string(httpGet(t, ts.URL+"/trust/key", "")))
	if k, err := svc.Trust.Key(ctx); err != nil || key != k || !strings.HasPrefix(key, "did:key:z6Mk") {
		t.Fatalf("GET /trust/key: %q, the publisher's %q %v", key, k, err)
	}
	bundle := filepath.Join(dir, "bundle.json")
	code, out, errOut := cliEnv(t, env, "trust", "fetch", "--url", ts.URL, "--pin", key, "--out", bundle)
	if code != 0 || !strings.Contains(out, "saved the trust bundle of "+testserver.PublicURL+" to "+bundle) ||
		!strings.Contains(out, "status of ") || !strings.Contains(out, "as of 2026-11-02 10:00 UTC") {
		t.Fatalf("trust fetch: %d\n%s%s", code, out, errOut)
	}
	t.Logf("attesta trust fetch:\n%s", out)
	ts.Close() // no server from here on

	// Three hours later, with the bundle, the receipt and the badge only.
	verify := func(at string, args ...string) (int, string) {
		t.Helper()
		code, out, errOut := cliEnv(t, env, append([]string{"credential", "verify", "--now", at, "--bundle", bundle}, args...)...)
		return code, out + errOut
	}
	code, out = verify("2026-11-02T13:00:00Z", "--receipt", receipt, badge)
	if code != 0 || !strings.HasPrefix(out, "VERIFIED  "+id) {
		t.Fatalf("offline verification: %d\n%s", code, out)
	}
	for _, want := range []string{"pass proof", "pass issuer       Registered issuer: Camera di Commercio", "pass validity", "pass status",
		"pass notarization Notarized in the transparency log", "status as of 2026-11-02 10:00 UTC, 3 h ago (trust bundle of " + testserver.PublicURL + ")"} {
		if !strings.Contains(out, want) {
			t.Errorf("offline verification does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "warning") || strings.Contains(out, "fail") || strings.Contains(out, "skip") {
		t.Errorf("offline verification:\n%s", out)
	}
	t.Logf("offline verification, no server running:\n%s", out)
	code, out = verify("2026-11-02T13:00:00Z", "--json", "--receipt", receipt, badge)
	var rep struct {
		Verified bool `json:"verified"`
		Checks   []struct {
			ID      string `json:"id"`
			Outcome string `json:"outcome"`
		} `json:"checks"`
		Snapshot struct {
			Taken      time.Time `json:"taken"`
			AgeSeconds int64     `json:"age_seconds"`
			Stale      bool      `json:"stale"`
		} `json:"status_snapshot"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || !rep.Verified || rep.Snapshot.AgeSeconds != 3*3600 ||
		!rep.Snapshot.Taken.Equal(testserver.Clock()) || rep.Snapshot.Stale || len(rep.Checks) < 7 {
		t.Errorf("--json: %d %v\n%s", code, err, out)
	}
	// The same badge baked into its image.
	svg := writeFile(t, dir, "badge.svg", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>C1</title><circle r="4"/></svg>`)
	baked := filepath.Join(dir, "baked.svg")
	if code, _, errOut := cliEnv(t, env, "credential", "bake", "--image", svg, "-o", baked, badge); code != 0 {
		t.Fatalf("bake: %s", errOut)
	}
	if code, out = verify("2026-11-02T13:00:00Z", "--receipt", receipt, baked); code != 0 || !strings.HasPrefix(out, "VERIFIED  "+id+" (svg)") ||
		!strings.Contains(out, "pass notarization") || !strings.Contains(out, "3 h ago") {
		t.Errorf("the baked badge offline: %d\n%s", code, out)
	}
	// A day and more later, the status is said to be old.
	code, out = verify("2026-11-03T11:00:00Z", "--receipt", receipt, badge)
	if code != 0 || !strings.Contains(out, "25 h ago") || !strings.Contains(out, "warning: the status is more than 24 h old") {
		t.Errorf("an old snapshot: %d\n%s", code, out)
	}
	code, out = verify("2026-11-02T13:00:00Z", "--max-status-age", "1h", badge)
	if code != 0 || !strings.Contains(out, "warning: the status is more than 1 h old") {
		t.Errorf("--max-status-age 1h: %d\n%s", code, out)
	}

	// The Chamber revokes the badge; the server, started again, serves a
	// new bundle once the one it made is a minute old.
	advance(2 * time.Minute)
	ts = httptest.NewServer(srv)
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/credentials/"+id+"/status",
		strings.NewReader(`{"action":"revoke","reason":"Verbale annullato dalla Camera"}`))
	req.Header.Set("Authorization", "Bearer "+testserver.APIToken)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("revoke: %v %v", resp, err)
	}
	revoked := filepath.Join(dir, "revoked-bundle.json")
	// No --pin: the key the first fetch recorded for the deployment.
	if code, out, errOut := cliEnv(t, env, "trust", "fetch", "--url", ts.URL, "--out", revoked); code != 0 || !strings.Contains(out, "as of 2026-11-02 10:02 UTC") {
		t.Fatalf("trust fetch with the recorded key: %d\n%s%s", code, out, errOut)
	}
	ts.Close()
	code, out, errOut = cliEnv(t, env, "credential", "verify", "--now", "2026-11-02T13:00:00Z", "--bundle", revoked, "--receipt", receipt, badge)
	if code != 1 || !strings.HasPrefix(out, "NOT VERIFIED") || !strings.Contains(out, "fail status       Credential revoked: Verbale annullato dalla Camera") ||
		!strings.Contains(out, "pass notarization") || !strings.Contains(out, "status as of 2026-11-02 10:02 UTC, 2 h ago") {
		t.Errorf("the revoked badge offline: %d\n%s%s", code, out, errOut)
	}
	t.Logf("the revoked badge, offline:\n%s", out)

	// A bundle altered after it was signed.
	data, _ := os.ReadFile(bundle)
	if !strings.Contains(string(data), "Camera di Commercio") {
		t.Fatal("the bundle names no Chamber")
	}
	tampered := writeFile(t, dir, "tampered.json", strings.Replace(string(data), "Camera di Commercio", "Camera di Commerci0", 1))
	code, out, errOut = cliEnv(t, env, "credential", "verify", "--bundle", tampered, badge)
	if code != 1 || !strings.Contains(errOut, "the signature of the trust bundle (key "+key+") does not verify: it was altered after it was signed") {
		t.Errorf("a tampered bundle: %d\n%s%s", code, out, errOut)
	}
	// A bundle of the same deployment signed by another key.
	var env1 trust.Envelope
	if err := json.Unmarshal(data, &env1); err != nil {
		t.Fatal(err)
	}
	var b trust.Bundle
	if err := json.Unmarshal(env1.Bundle, &b); err != nil {
		t.Fatal(err)
	}
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	forged, err := trust.Sign(&b, other)
	if err != nil {
		t.Fatal(err)
	}
	forgedFile := writeFile(t, dir, "forged.json", string(forged))
	code, out, errOut = cliEnv(t, env, "credential", "verify", "--bundle", forgedFile, badge)
	if code != 1 || !strings.Contains(errOut, "the trust bundle is signed with "+trust.KeyID(other.Public().(ed25519.PublicKey))+", not with the trusted key "+key) {
		t.Errorf("a bundle signed by another key: %d\n%s%s", code, out, errOut)
	}
	// And served as the deployment's: trust fetch refuses it too.
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(forged) }))
	defer fake.Close()
	if code, out, errOut := cliEnv(t, env, "trust", "fetch", "--url", fake.URL, "--out", filepath.Join(dir, "x.json")); code != 1 ||
		!strings.Contains(errOut, "not with the trusted key "+key) {
		t.Errorf("fetching a bundle signed by another key: %d\n%s%s", code, out, errOut)
	}
	// A verifier who pinned nothing is shown the key, and refused.
	fresh := map[string]string{"ATTESTA_CONFIG_DIR": filepath.Join(dir, "fresh")}
	if code, out, errOut := cliEnv(t, fresh, "trust", "fetch", "--url", fake.URL, "--out", filepath.Join(dir, "x.json")); code != 1 ||
		!strings.Contains(errOut, "is signed with the key "+trust.KeyID(other.Public().(ed25519.PublicKey))+", which is not trusted") {
		t.Errorf("fetching with no pin: %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := cliEnv(t, fresh, "credential", "verify", "--bundle", bundle, badge); code != 1 || !strings.Contains(errOut, "no trusted key for "+testserver.PublicURL) {
		t.Errorf("verifying with no pin: %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := cliEnv(t, fresh, "credential", "verify", "--pin", key, "--bundle", bundle, badge); code != 0 || !strings.HasPrefix(out, "VERIFIED") {
		t.Errorf("verifying with --pin: %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := cliEnv(t, fresh, "credential", "verify", "--bundle", bundle, "--log-key", "x", badge); code != 2 || !strings.Contains(errOut, "come from the bundle") {
		t.Errorf("--bundle with --log-key: %d %s", code, errOut)
	}
}
