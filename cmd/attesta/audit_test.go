package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/notary"
)

// The auditor verifies a running server's log, then again after it grew,
// and reports a fork when the tree it saw before is not a prefix.
func TestLogAudit(t *testing.T) {
	srv := testserver.New(t)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	ctx := context.Background()
	vkey, err := srv.LogKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "audit.json")
	code, out, errOut := cli(t, "log", "audit", "--log-key", vkey, "--state", state, ts.URL)
	if code != 0 || !strings.Contains(out, "CONSISTENT  attesta.example/log: 10 entries (10 new)") {
		t.Fatalf("first audit: %d %s %s", code, out, errOut)
	}
	for i := range 280 {
		body := fmt.Sprintf(`{"issuer":"cciaa-milano","sector":"meccatronica","version":1,"competence":"C1",
		  "learner":{"identity":"s-%d"},"decision":{"date":"2026-06-25T00:00:00Z","reference":"Verbale n. 4/2026"}}`, i)
		r := httptest.NewRequest("POST", "/api/v1/credentials", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+testserver.APIToken)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != 201 {
			t.Fatalf("issue: %d %s", w.Code, w.Body)
		}
	}
	if _, err := srv.SequenceLog(ctx); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := cli(t, "log", "audit", "--log-key", vkey, "--state", state, ts.URL); code != 0 || !strings.Contains(out, "290 entries (280 new)") {
		t.Fatalf("second audit: %d %s %s", code, out, errOut)
	}
	// A remembered tree the log does not contain: a fork.
	var st notary.AuditState
	data, _ := os.ReadFile(state)
	json.Unmarshal(data, &st)
	st.Size, st.Root = 100, bytes.Repeat([]byte{7}, 32)
	data, _ = json.Marshal(st)
	os.WriteFile(state, data, 0o644)
	if code, _, errOut := cli(t, "log", "audit", "--log-key", vkey, "--state", state, ts.URL); code != 1 || !strings.Contains(errOut, "INCONSISTENT") || !strings.Contains(errOut, "fork") {
		t.Errorf("forked log: %d %s", code, errOut)
	}
	st.Size = 1000
	data, _ = json.Marshal(st)
	os.WriteFile(state, data, 0o644)
	if code, _, errOut := cli(t, "log", "audit", "--log-key", vkey, "--state", state, ts.URL); code != 1 || !strings.Contains(errOut, "shrank") {
		t.Errorf("shrunk log: %d %s", code, errOut)
	}
	other := strings.Replace(vkey, "+", "+0", 1)
	if code, _, _ := cli(t, "log", "audit", "--log-key", other, "--state", filepath.Join(t.TempDir(), "s.json"), ts.URL); code == 0 {
		t.Error("audit with a wrong log key succeeded")
	}
}
