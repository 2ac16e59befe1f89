package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/conformance"
	"github.com/attesta/attesta/internal/server"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The development path: a did:key pair, a credential signed with it,
// verified offline with --trust, baked and extracted.
func TestCLISignVerifyBake(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key.json")
	if code, _, errOut := cli(t, "credential", "keygen", "-o", key); code != 0 {
		t.Fatalf("keygen: %d %s", code, errOut)
	}
	if st, _ := os.Stat(key); st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	var kp keyPair
	data, _ := os.ReadFile(key)
	json.Unmarshal(data, &kp)
	issuerDID := "did:key:" + kp.PublicKeyMultibase
	unsigned := writeFile(t, dir, "unsigned.json", `{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
  "id": "urn:uuid:1b0c4f1e-0000-4000-8000-000000000001",
  "type": ["VerifiableCredential", "OpenBadgeCredential"],
  "name": "Competenza di prova — àèìòù",
  "issuer": {"id": "`+issuerDID+`", "type": ["Profile"], "name": "Camera di prova"},
  "validFrom": "2026-06-30T12:00:00+02:00",
  "credentialSubject": {"id": "did:example:studente", "type": ["AchievementSubject"],
    "achievement": {"id": "urn:uuid:1b0c4f1e-0000-4000-8000-000000000002", "type": ["Achievement"], "name": "C1",
      "description": "Descrizione", "criteria": {"narrative": "Criteri"}}}
}`)
	for _, suite := range []string{"eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt"} {
		signed := filepath.Join(dir, suite+".json")
		if code, _, errOut := cli(t, "credential", "sign", "--key", key, "--suite", suite, "--created", "2026-06-30T12:00:00Z", "-o", signed, unsigned); code != 0 {
			t.Fatalf("sign %s: %d %s", suite, code, errOut)
		}
		code, out, _ := cli(t, "credential", "verify", "--offline", signed)
		if code != 1 || !strings.Contains(out, "not in the registry of trusted issuers") || !strings.Contains(out, "pass proof") {
			t.Errorf("%s without --trust: %d\n%s", suite, code, out)
		}
		code, out, _ = cli(t, "credential", "verify", "--offline", "--trust", issuerDID, signed)
		if code != 0 || !strings.HasPrefix(out, "VERIFIED") {
			t.Errorf("%s with --trust: %d\n%s", suite, code, out)
		}
	}

	// Bake into an SVG, extract, verify the image; tampering is caught.
	svg := writeFile(t, dir, "badge.svg", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4"/></svg>`)
	baked := filepath.Join(dir, "baked.svg")
	signed := filepath.Join(dir, "eddsa-rdfc-2022.json")
	if code, _, errOut := cli(t, "credential", "bake", "--image", svg, "-o", baked, signed); code != 0 {
		t.Fatalf("bake: %d %s", code, errOut)
	}
	if code, out, _ := cli(t, "credential", "verify", "--offline", "--json", "--trust", kp.PublicKeyMultibase, baked); code != 0 || !strings.Contains(out, `"input": "svg"`) {
		t.Errorf("verify baked SVG: %d %s", code, out)
	}
	code, out, _ := cli(t, "credential", "extract", baked)
	orig, _ := os.ReadFile(signed)
	if code != 0 || strings.TrimSpace(out) != strings.TrimSpace(string(orig)) {
		t.Errorf("extract: %d, differs from the signed credential", code)
	}
	tampered := writeFile(t, dir, "tampered.json", strings.Replace(string(orig), "Criteri", "Criteri falsi", 1))
	if code, out, _ := cli(t, "credential", "verify", "--offline", "--trust", issuerDID, tampered); code != 1 || !strings.Contains(out, "altered") {
		t.Errorf("tampered: %d\n%s", code, out)
	}
	if code, _, errOut := cli(t, "credential", "bake", "--image", baked, signed); code != 1 || !strings.Contains(errOut, "already") {
		t.Errorf("baking twice: %d %s", code, errOut)
	}
}

// attesta rdf canonicalize runs the RDFC-1.0 suite from outside: a test of
// it with SHA-384 (test075) and the reference credential as JSON-LD.
func TestCLIRDFCanonicalize(t *testing.T) {
	in := conformance.Path(t, "rdf-canon-tests/rdfc10/test075-in.nq")
	want := conformance.Read(t, "rdf-canon-tests/rdfc10/test075-rdfc10.nq")
	if code, out, errOut := cli(t, "rdf", "canonicalize", "--hash", "sha384", in); code != 0 || out != string(want) {
		t.Errorf("test075: %d %s\n%s", code, errOut, out)
	}
	ref := conformance.Path(t, "reference/ob3-reference-credential.json")
	wantRef := conformance.Read(t, "reference/ob3-reference-credential.canonical.nq")
	if code, out, errOut := cli(t, "rdf", "canonicalize", ref); code != 0 || !bytes.Equal([]byte(out), wantRef) {
		t.Errorf("reference credential: %d %s", code, errOut)
	}
	if code, _, errOut := cli(t, "rdf", "canonicalize", "--hash", "md5", in); code != 1 || !strings.Contains(errOut, "sha256 or sha384") {
		t.Errorf("bad hash: %d %s", code, errOut)
	}
	if code, _, errOut := cli(t, "rdf", "canonicalize", conformance.Path(t, "rdf-canon-tests/rdfc10/test074-in.nq")); code != 1 || !strings.Contains(errOut, "work limit") {
		t.Errorf("test074: %d %s", code, errOut)
	}
}

// Issue, revoke and verify through the command line on a database.
func TestCLIIssueRevoke(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	req := writeFile(t, dir, "req.json", `{"issuer":"cciaa-milano","sector":"meccatronica","version":1,"competence":"C1",
	  "learner":{"identity":"studente-7"},"decision":{"date":"2026-06-25T00:00:00Z","reference":"Verbale n. 1/2026"}}`)
	// A first server start loads the demo issuers: run migrate + the demo via Prepare.
	if code, _, errOut := cli(t, "migrate", "--data-dir", data); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	code, _, errOut := cli(t, "credential", "issue", "--data-dir", data, req)
	if code != 1 || !strings.Contains(errOut, "no issuer") && !strings.Contains(errOut, "not found") {
		t.Errorf("issuing for an issuer that does not exist: %d %s", code, errOut)
	}
	// Load the demo dataset the way serve does on a new database.
	if err := prepareForTest(data); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "cred.json")
	if code, _, errOut := cli(t, "credential", "issue", "--data-dir", data, "-o", out, req); code != 0 {
		t.Fatalf("issue: %d %s", code, errOut)
	}
	if code, stdout, _ := cli(t, "credential", "verify", "--data-dir", data, out); code != 0 {
		t.Fatalf("verify: %d\n%s", code, stdout)
	}
	var cred struct{ ID string }
	body, _ := os.ReadFile(out)
	json.Unmarshal(body, &cred)
	if code, _, errOut := cli(t, "credential", "revoke", "--data-dir", data, cred.ID); code != 2 || !strings.Contains(errOut, "--reason is required") {
		t.Errorf("revoke without reason: %d %s", code, errOut)
	}
	if code, _, errOut := cli(t, "credential", "revoke", "--data-dir", data, "--reason", "Errore", cred.ID); code != 0 {
		t.Fatalf("revoke: %s", errOut)
	}
	if code, stdout, _ := cli(t, "credential", "verify", "--data-dir", data, out); code != 1 || !strings.Contains(stdout, "Credential revoked: Errore") {
		t.Errorf("verify after revoke: %d\n%s", code, stdout)
	}
	if code, stdout, _ := cli(t, "issuer", "list", "--data-dir", data); code != 0 || !strings.Contains(stdout, "cciaa-milano") {
		t.Errorf("issuer list: %s", stdout)
	}
}

// prepareForTest loads the first-start dataset into the database of the
// data directory, as the first "attesta serve" does.
func prepareForTest(dataDir string) error {
	db, opts, err := openForTest(dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	return server.Prepare(context.Background(), db, opts)
}

// openForTest opens the database of the data directory as attesta serve
// does, with the development key-encryption key.
func openForTest(dataDir string) (server.Database, server.Options, error) {
	cfg, _, err := newCommand("serve", io.Discard, os.Stderr).parseConfig([]string{"--data-dir", dataDir}, 0, noEnv)
	if err != nil {
		return nil, server.Options{}, err
	}
	opts, err := cfg.serverOptions(io.Discard)
	if err != nil {
		return nil, server.Options{}, err
	}
	opts.Log = cfg.newLogger(io.Discard)
	db, err := openChecked(context.Background(), cfg, &opts, io.Discard)
	return db, opts, err
}

// Production mode refuses to start without a key-encryption key; a wrong
// key cannot unseal the issuers' keys; neither key nor token is printed.
func TestKeyEncryptionKeyConfiguration(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := cli(t, "serve", "--production", "--data-dir", dir, "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "production mode needs a key-encryption key") {
		t.Errorf("production without a key: %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, kekFile)); err == nil {
		t.Error("production mode generated a key-encryption key")
	}

	data := filepath.Join(dir, "data")
	if err := prepareForTest(data); err != nil { // generates the development key, issues the demo credentials
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(data, kekFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("development key file: %v %v", st, err)
	}
	req := writeFile(t, dir, "req.json", `{"issuer":"cciaa-milano","sector":"meccatronica","version":1,"competence":"C1",
	  "learner":{"identity":"studente-8"},"decision":{"date":"2026-06-25T00:00:00Z","reference":"Verbale n. 2/2026"}}`)
	const otherKEK = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq8M="
	const token = "api-token-never-printed"
	var stdout, stderr bytes.Buffer
	env := map[string]string{"ATTESTA_KEY_ENCRYPTION_KEY": otherKEK, "ATTESTA_API_TOKEN": token, "ATTESTA_LOG_LEVEL": "debug"}
	code = run(context.Background(), []string{"credential", "issue", "--data-dir", data, req}, &stdout, &stderr, func(k string) string { return env[k] })
	if code != 1 || !strings.Contains(stderr.String(), "wrong key-encryption key") {
		t.Errorf("issuing with another key-encryption key: %d %s", code, stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), otherKEK) || strings.Contains(stdout.String()+stderr.String(), token) {
		t.Error("a secret was printed")
	}
	if code, _, errOut := cli(t, "serve", "--key-encryption-key", "c2hvcnQ=", "--data-dir", data); code != 1 || !strings.Contains(errOut, "want 32") {
		t.Errorf("short key: %d %s", code, errOut)
	}
}

// A notarization receipt verifies offline with the CLI, and names the check
// that fails when the credential or the key is not the right one.
func TestCLIVerifyReceipt(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := prepareForTest(data); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, opts, err := openForTest(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc, err := server.NewServices(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := svc.Credentials.Issue(ctx, credential.Actor{Name: "test"}, credential.IssueRequest{
		IssuerID: "cciaa-milano", Sector: "meccatronica", Version: 1, Competence: "C1",
		Learner:  credential.Learner{Identity: "studente-r"},
		Decision: credential.Decision{Date: time.Date(2026, 6, 25, 0, 0, 0, 0, time.UTC), Reference: "Verbale n. 3/2026"},
	})
	if err != nil {
		t.Fatal(err)
	}
	log := svc.Log
	logKey, err := log.VerifierKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := log.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	idx, err := db.Credentials().LogIndex(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	receipt, err := log.Receipt(ctx, idx)
	if err != nil {
		t.Fatal(err)
	}
	rj, _ := json.Marshal(receipt)
	receiptFile := writeFile(t, dir, "receipt.json", string(rj))
	credFile := writeFile(t, dir, "cred.json", string(rec.Body))
	if code, out, errOut := cli(t, "log", "verify-receipt", "--log-key", logKey, receiptFile, credFile); code != 0 || !strings.HasPrefix(out, "VERIFIED") {
		t.Errorf("verify-receipt: %d %s %s", code, out, errOut)
	}
	other := writeFile(t, dir, "other.json", strings.Replace(string(rec.Body), "Verbale", "Verbali", 1))
	if code, out, _ := cli(t, "log", "verify-receipt", "--log-key", logKey, receiptFile, other); code != 1 || !strings.Contains(out, "does not record this credential") {
		t.Errorf("altered credential: %d %s", code, out)
	}
	otherLog, _, _ := strings.Cut(logKey, "+")
	wrongKey := otherLog + "+01020304+AQ" + strings.Repeat("A", 42) + "="
	if code, out, errOut := cli(t, "log", "verify-receipt", "--log-key", wrongKey, receiptFile, credFile); code != 1 || !strings.Contains(out+errOut, "NOT VERIFIED") && !strings.Contains(out+errOut, "log key") {
		t.Errorf("wrong log key: %d %s %s", code, out, errOut)
	}
}
