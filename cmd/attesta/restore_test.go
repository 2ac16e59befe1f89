package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRestoreReusesNothing restores, under a running attesta, a copy of its
// database taken before more credentials were issued and one was revoked,
// and shows that nothing is reused and no forked checkpoint is signed: the
// restarted server refuses to issue (503, naming the sizes and `attesta log
// recover`) and shows no checkpoint; the recovery re-reads the lost entries
// from the published tiles, re-applies the revocation, lists the three lost
// credentials and shows their positions as suspended; then a new credential
// gets a position none of them had, and the auditor, who saw the log
// before the restore, finds the log consistent with it.
//
// On attesta before the blob store, the restored server issued at once:
// the new credential took the status position of the first credential
// issued after the copy, and the sequencer signed a tree that forked from
// the one published.
func TestRestoreReusesNothing(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	args := []string{"--data-dir", data, "--public-url", "https://cciaa-milano.example", "--api-token", "tok"}
	a := serveChild(t, args...)
	logKey := strings.TrimSpace(get(t, a.URL+"/log/key"))
	var before []issued
	for i := range 3 {
		before = append(before, issueOne(t, a.URL, fmt.Sprintf("prima-%d", i)))
	}
	waitPublished(t, a.URL, 0)
	a.stop(t)
	// A copy of the stopped server's database: a cold backup, as a
	// snapshot of the disk would be.
	backup := filepath.Join(t.TempDir(), "backup.db")
	copyFile(t, filepath.Join(data, "attesta.db"), backup)

	a = serveChild(t, args...)
	var after []issued
	for i := range 3 {
		after = append(after, issueOne(t, a.URL, fmt.Sprintf("dopo-%d", i)))
	}
	changeStatus(t, a.URL, before[0].ID, "revoke")
	published := waitPublished(t, a.URL, 0)
	auditState := filepath.Join(t.TempDir(), "audit.json")
	if code, out, errOut := cli(t, "log", "audit", "--log-key", logKey, "--state", auditState, a.URL); code != 0 {
		t.Fatalf("audit before the restore: %s%s", out, errOut)
	}
	a.stop(t)

	// The restore: the copy replaces the database (its write-ahead log
	// files with it).
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(data, "attesta.db"+suffix))
	}
	copyFile(t, backup, filepath.Join(data, "attesta.db"))
	a = serveChildUntil(t, "/healthz", args...)
	resp, body := post(t, a.URL+"/api/v1/credentials", issueBody("dopo-il-ripristino"))
	if resp.StatusCode == http.StatusCreated {
		var rec struct {
			ID         string          `json:"id"`
			Credential json.RawMessage `json:"credential"`
		}
		json.Unmarshal(body, &rec)
		pos := positionOf(t, rec.Credential)
		for _, c := range after {
			if c.Pos == pos {
				t.Errorf("status position %s of %s, issued after the copy, was given again to %s: revoking one revokes the other", pos, c.ID, rec.ID)
			}
		}
		time.Sleep(2500 * time.Millisecond) // a sequencing pass
		if code, out, errOut := cli(t, "log", "audit", "--log-key", logKey, "--state", auditState, a.URL); code != 0 {
			t.Errorf("the restored log forked from the one published:\n%s%s", out, errOut)
		}
		t.Fatalf("the restored database issued a credential (201) instead of refusing")
	}
	if resp.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(body, []byte("attesta log recover")) ||
		!bytes.Contains(body, []byte(strconv.FormatInt(published, 10))) {
		t.Fatalf("issue on the restored database: %d %s", resp.StatusCode, body)
	}
	if r, err := http.Get(a.URL + "/readyz"); err != nil || r.StatusCode != 503 {
		t.Fatalf("readyz of the halted server: %v %v", r, err)
	}
	if r, err := http.Get(a.URL + "/log/checkpoint"); err != nil || r.StatusCode != 503 {
		t.Fatalf("checkpoint of the halted server: %v %v", r, err)
	}

	code, out, errOut := cli(t, "log", "recover", "--data-dir", data, "--public-url", "https://cciaa-milano.example")
	if code != 0 {
		t.Fatalf("recover: %d\n%s%s", code, out, errOut)
	}
	t.Logf("attesta log recover:\n%s", out)
	for _, want := range []string{"credentials issued after the copy and lost, to issue again: 3",
		"status changes re-applied from the log: 1", "revoke    " + before[0].ID} {
		if !strings.Contains(out, want) {
			t.Errorf("the recovery does not say %q", want)
		}
	}
	// The running server resumes at its next sequencing pass.
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := http.Get(a.URL + "/readyz")
		if err == nil && r.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not resume after the recovery")
		}
		time.Sleep(100 * time.Millisecond)
	}
	suspended := suspendedPositions(t, a.URL, after[0].Pos)
	for _, c := range after {
		if !suspended[c.Pos] {
			t.Errorf("the lost credential %s at %s does not show as suspended", c.ID, c.Pos)
		}
	}
	var rec struct {
		Revoked bool `json:"revoked"`
	}
	json.Unmarshal([]byte(getAuth(t, a.URL+"/api/v1/credentials/"+before[0].ID)), &rec)
	if !rec.Revoked {
		t.Errorf("%s, revoked after the copy, came back to life", before[0].ID)
	}
	fresh := issueOne(t, a.URL, "dopo-il-recupero")
	for _, c := range append(before, after...) {
		if c.Pos == fresh.Pos {
			t.Errorf("status position %s of %s given again to %s", c.Pos, c.ID, fresh.ID)
		}
	}
	waitPublished(t, a.URL, published)
	if code, out, errOut := cli(t, "log", "audit", "--log-key", logKey, "--state", auditState, a.URL); code != 0 || !strings.Contains(out, "CONSISTENT") {
		t.Errorf("audit after the recovery: %s%s", out, errOut)
	}
	a.stop(t)
}

type issued struct {
	ID  string
	Pos string // list#index
}

func issueBody(learner string) string {
	return `{"issuer":"cciaa-milano","sector":"meccatronica","version":1,"competence":"C1",
	  "learner":{"identity":"` + learner + `"},"decision":{"date":"2026-06-25T00:00:00Z","reference":"Verbale n. 5/2026"}}`
}

func post(t *testing.T, url, body string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer tok")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

func getAuth(t *testing.T, url string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer tok")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return string(data)
}

func issueOne(t *testing.T, base, learner string) issued {
	t.Helper()
	resp, body := post(t, base+"/api/v1/credentials", issueBody(learner))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("issue: %d %s", resp.StatusCode, body)
	}
	var rec struct {
		ID         string          `json:"id"`
		Credential json.RawMessage `json:"credential"`
	}
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	return issued{ID: rec.ID, Pos: positionOf(t, rec.Credential)}
}

func changeStatus(t *testing.T, base, id, action string) {
	t.Helper()
	resp, body := post(t, base+"/api/v1/credentials/"+id+"/status", `{"action":"`+action+`","reason":"errore materiale"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", action, id, resp.StatusCode, body)
	}
}

// positionOf returns "list#index" of a credential's status entry.
func positionOf(t *testing.T, cred []byte) string {
	t.Helper()
	var c struct {
		Status []struct {
			URL   string `json:"statusListCredential"`
			Index string `json:"statusListIndex"`
		} `json:"credentialStatus"`
	}
	if err := json.Unmarshal(cred, &c); err != nil || len(c.Status) == 0 {
		t.Fatalf("no status in %s: %v", cred, err)
	}
	list := strings.TrimSuffix(c.Status[0].URL, "/revocation")
	return list[strings.LastIndexByte(list, '/')+1:] + "#" + c.Status[0].Index
}

// suspendedPositions reads the suspension list of the list of pos.
func suspendedPositions(t *testing.T, base, pos string) map[string]bool {
	t.Helper()
	list, _, _ := strings.Cut(pos, "#")
	var doc struct {
		Subject struct {
			EncodedList string `json:"encodedList"`
		} `json:"credentialSubject"`
	}
	json.Unmarshal([]byte(get(t, base+"/status/cciaa-milano/"+list+"/suspension")), &doc)
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(doc.Subject.EncodedList, "u"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	bits, _ := io.ReadAll(zr)
	out := map[string]bool{}
	for i := range len(bits) * 8 {
		if bits[i/8]&(0x80>>(i%8)) != 0 {
			out[list+"#"+strconv.Itoa(i)] = true
		}
	}
	return out
}

// waitPublished waits until the published checkpoint is larger than
// after and every appended entry is in it, and returns its size.
func waitPublished(t *testing.T, base string, after int64) int64 {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var last int64
	for time.Now().Before(deadline) {
		if r, err := http.Get(base + "/log/checkpoint"); err == nil {
			data, _ := io.ReadAll(r.Body)
			r.Body.Close()
			lines := strings.SplitN(string(data), "\n", 3)
			if r.StatusCode == 200 && len(lines) == 3 {
				size, _ := strconv.ParseInt(lines[1], 10, 64)
				if size > after && size == last {
					return size // two reads a sequencing pass apart agree
				}
				last = size
			}
		}
		time.Sleep(1200 * time.Millisecond)
	}
	t.Fatalf("no checkpoint larger than %d was published", after)
	return 0
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
