package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/internal/rfc3161/tsatest"
)

// The whole notarization, with real processes: Chamber A's attesta has its
// checkpoints cosigned by Chamber B's attesta (the witness role) and
// timestamped by OpenSSL's TSA; a credential's receipt, downloaded from A, is
// verified offline once both servers are stopped, and tampering with it or
// with the credential is caught with a precise reason.
func TestNotarizationEndToEnd(t *testing.T) {
	tsa := tsatest.Start(t)
	roots := tsa.RootsFile(t)
	dirA, dirB := t.TempDir(), t.TempDir()

	// A's log key exists once A has run.
	a := serveChild(t, "--data-dir", dirA, "--public-url", "https://cciaa-milano.example")
	logKey := strings.TrimSpace(get(t, a.URL+"/log/key"))
	a.stop(t)

	b := serveChild(t, "--data-dir", dirB, "--public-url", "https://cciaa-torino.example", "--witness-for", logKey)
	witnessKey := strings.TrimSpace(get(t, b.URL+"/witness/key"))
	if !strings.HasPrefix(witnessKey, "cciaa-torino.example/witness+") {
		t.Fatalf("witness key %q", witnessKey)
	}

	a = serveChild(t, "--data-dir", dirA, "--public-url", "https://cciaa-milano.example", "--api-token", "tok",
		"--witnesses", b.URL+"/witness "+witnessKey, "--witness-quorum", "1", "--tsa-url", tsa.URL, "--tsa-roots", roots)
	req, _ := http.NewRequest("POST", a.URL+"/api/v1/credentials", strings.NewReader(`{"issuer":"cciaa-milano","sector":"meccatronica",
		"version":1,"competence":"C1","learner":{"identity":"studente-e2e"},"decision":{"date":"2026-06-25T00:00:00Z","reference":"Verbale n. 9/2026"}}`))
	req.Header.Set("Authorization", "Bearer tok")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var issued struct {
		ID         string          `json:"id"`
		Credential json.RawMessage `json:"credential"`
	}
	json.NewDecoder(resp.Body).Decode(&issued)
	resp.Body.Close()
	if resp.StatusCode != 201 || issued.ID == "" {
		t.Fatalf("issue: %d", resp.StatusCode)
	}
	// The sequencer runs every second; the receipt comes once the checkpoint
	// is cosigned and timestamped.
	var receipt string
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(a.URL + "/api/v1/credentials/" + issued.ID + "/receipt")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			receipt = string(body)
			break
		}
		if resp.StatusCode != 404 || time.Now().After(deadline) {
			t.Fatalf("receipt: %d %s", resp.StatusCode, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The auditor reads A's cosigned checkpoint and tiles with x/mod.
	if code, out, errOut := cli(t, "log", "audit", "--log-key", logKey, "--state", filepath.Join(t.TempDir(), "audit.json"), a.URL); code != 0 || !strings.Contains(out, "CONSISTENT") {
		t.Errorf("audit of the witnessed log: %d %s %s", code, out, errOut)
	}
	a.stop(t)
	b.stop(t)

	dir := t.TempDir()
	receiptFile := writeFile(t, dir, "receipt.json", receipt)
	credFile := writeFile(t, dir, "credential.json", string(issued.Credential))
	verify := func(args ...string) (int, string) {
		code, out, errOut := cli(t, append([]string{"log", "verify-receipt", "--log-key", logKey}, args...)...)
		return code, out + errOut
	}
	code, out := verify("--witness", witnessKey, "--tsa-root", roots, receiptFile, credFile)
	if code != 0 || !strings.HasPrefix(out, "VERIFIED  "+issued.ID) || !strings.Contains(out, "cosigned by cciaa-torino.example/witness (1 required)") ||
		!strings.Contains(out, "checkpoint timestamped") {
		t.Fatalf("offline verification: %d\n%s", code, out)
	}
	t.Logf("offline verification after both servers stopped:\n%s", out)
	// The credential verifier reports the notarization the receipt proves.
	code, out, errOut := cli(t, "credential", "verify", "--data-dir", dirA, "--receipt", receiptFile, "--log-key", logKey,
		"--witness", witnessKey, "--tsa-root", roots, credFile)
	if code != 0 || !strings.Contains(out, "Notarized in the transparency log") || !strings.Contains(out, "cosigned by cciaa-torino.example/witness") {
		t.Errorf("credential verify --receipt: %d\n%s%s", code, out, errOut)
	}
	altered := writeFile(t, dir, "altered-credential.json", strings.Replace(string(issued.Credential), "Verbale n. 9/2026", "Verbale n. 7/2026", 1))
	code, out, _ = cli(t, "credential", "verify", "--data-dir", dirA, "--receipt", receiptFile, "--log-key", logKey, altered)
	if code != 1 || !strings.Contains(out, "does not match its record in the transparency log") {
		t.Errorf("an altered credential with the receipt: %d\n%s", code, out)
	}

	// Tampering, each caught by its check.
	var r map[string]any
	json.Unmarshal([]byte(receipt), &r)
	tampered := func(name string, change func(map[string]any)) string {
		c := map[string]any{}
		for k, v := range r {
			c[k] = v
		}
		change(c)
		data, _ := json.Marshal(c)
		return writeFile(t, dir, name, string(data))
	}
	otherWitness := strings.Replace(witnessKey, "cciaa-torino", "cciaa-bari", 1)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"altered credential", []string{"--witness", witnessKey, receiptFile,
			writeFile(t, dir, "altered.json", strings.Replace(string(issued.Credential), "Verbale n. 9/2026", "Verbale n. 8/2026", 1))},
			"entry: it does not record this credential"},
		{"another leaf index", []string{tampered("leaf.json", func(c map[string]any) { c["leaf_index"] = c["leaf_index"].(float64) - 1 }), credFile},
			"inclusion: the entry is not in the checkpoint's tree"},
		{"cosignature removed", []string{"--witness", witnessKey, tampered("nocosig.json", func(c map[string]any) {
			cp := c["checkpoint"].(string)
			c["checkpoint"] = cp[:strings.Index(cp, "— cciaa-torino.example/witness")]
		}), credFile}, "checkpoint: cosigned by 0 of the 1 trusted witnesses, 1 required"},
		{"untrusted witness", []string{"--witness", otherWitness, receiptFile, credFile}, "witness key"},
		{"timestamp removed", []string{"--tsa-root", roots, tampered("nots.json", func(c map[string]any) { delete(c, "timestamp") }), credFile},
			"timestamp: the receipt has none"},
		{"checkpoint size changed", []string{tampered("size.json", func(c map[string]any) {
			c["checkpoint"] = strings.Replace(c["checkpoint"].(string), "\n", "\n1", 1)
		}), credFile}, "checkpoint: "},
	}
	for _, tc := range cases {
		code, out := verify(tc.args...)
		if code == 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%s: %d %s, want %q", tc.name, code, out, tc.want)
		}
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return string(body)
}
