package interop

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/conformance"
	"github.com/attesta/attesta/internal/testenv"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/issuer"
)

// TestMain runs the tests only when Node.js and the pinned packages are
// installed (CI installs them and sets ATTESTA_REQUIRE_INTEROP=1).
func TestMain(m *testing.M) {
	testenv.Main(m, "ATTESTA_REQUIRE_INTEROP", func() error {
		if _, err := exec.LookPath("node"); err != nil {
			return fmt.Errorf("the interop tests need Node.js: %w", err)
		}
		for _, pkg := range []string{"@digitalbazaar/vc", "rdf-validate-shacl", "@openid4vc/openid4vci"} {
			if _, err := os.Stat("node_modules/" + pkg); err != nil {
				return errors.New("the interop tests need the pinned npm packages (" + pkg + " is missing): run npm ci --prefix internal/interop")
			}
		}
		return nil
	})
}

// node returns a command running vc.mjs on the repository's conformance
// contexts.
func node(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("node", append([]string{"vc.mjs"}, args...)...)
	cmd.Env = append(os.Environ(), "ATTESTA_CONFORMANCE_DIR="+conformance.Dir(t))
	return cmd
}

// result is one line of vc.mjs output.
type result struct {
	File     string `json:"file"`
	Verified bool   `json:"verified"`
	Error    string `json:"error"`
	NQ       string `json:"nq"`
	ProofNQ  any    `json:"proofNq"`
}

func runNode(t *testing.T, cmd *exec.Cmd) map[string]result {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
	res := map[string]result{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("vc.mjs output %q: %v", sc.Text(), err)
		}
		res[r.File] = r
	}
	return res
}

// corpus is the generated set of unsigned credentials: attesta's own
// credentials for every competence of the bundled standard with varied
// learners, results and texts, and OB 3.0 credentials of other shapes with
// dates with offsets and numbers.
type corpus struct {
	dir     string
	files   []string
	issuer  issuer.Issuer
	signer  *issuer.Signer
	didFile string
}

const attestaContextArg = "https://w3id.org/attesta/v1=../../credential/contexts/attesta-v1.jsonld"

func newCorpus(t *testing.T, n int) *corpus {
	t.Helper()
	f, err := competence.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	var std *competence.Standard
	for i := range f.Standards {
		if f.Standards[i].Sector == "meccatronica" && f.Standards[i].Status == competence.Published {
			std = &f.Standards[i]
		}
	}
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	pub := priv.Public().(ed25519.PublicKey)
	c := &corpus{dir: t.TempDir()}
	c.issuer = issuer.Issuer{ID: "cciaa-forli-cesena", DID: "did:web:attesta.example:issuers:cciaa-forli-cesena", Profile: issuer.Profile{
		Name: "Camera di Commercio della Romagna – Forlì-Cesena e Rimini", Email: "certificazioni@romagna.camcom.it",
		Address:     issuer.Address{Street: "Corso della Repubblica 5", Locality: "Forlì", Region: "Emilia-Romagna", PostalCode: "47121", Country: "Italia", CountryCode: "IT"},
		Identifiers: []issuer.Identifier{{Type: "codiceFiscale", Value: "92071290399"}},
	}}
	c.signer = issuer.NewSigner(c.issuer, did.NewMultikey(c.issuer.DID, pub).ID, priv)
	doc, _ := json.Marshal(did.NewDocument(c.issuer.DID, pub))
	c.didFile = filepath.Join(c.dir, "issuer-did.json")
	os.WriteFile(c.didFile, doc, 0o644)

	rnd := rand.New(rand.NewPCG(42, 7))
	// texts go into an award's one-line fields; narratives, into the
	// fields that may hold new lines. Both within the bounds attesta sets
	// on what goes into a credential (controls and bidirectional marks go
	// into the raw credentials, which attesta signs as they are).
	texts := []string{
		"Verbale n. 12/2026", "Commissione d'esame – Meccatronica «Competenza Certificata»",
		"Àèéìòù ÀÉÈ çñß — naïve café, Forlì; 日本語テキスト; 🎓✅", "Zero-width\u200bjoiner and \"quotes\" and \\backslash",
		strings.Repeat("Testo lungo, con accenti: perché sì. ", 5),
	}
	narratives := []string{
		strings.Repeat("Testo lungo della commissione, con accenti: perché sì. ", 35),
		"Newline\nand \"quotes\" and \\backslash\n\nand a blank line", "Àèéìòù — naïve café, Forlì; 日本語テキスト; 🎓✅",
	}
	codes := []string{}
	for _, comp := range std.Competences {
		codes = append(codes, comp.Code)
	}
	for i := range n {
		var data []byte
		if i%4 == 3 {
			data = rawCredential(t, rnd, i)
		} else {
			a := credential.Award{
				ID: fmt.Sprintf("urn:uuid:%08x-0000-4000-8000-%012x", i, rnd.Uint64()&0xffffffffffff), Issuer: c.issuer, Standard: std,
				Competence: codes[i%len(codes)],
				Decision: credential.Decision{ID: fmt.Sprintf("urn:uuid:%08x-1111-4000-8000-000000000000", i),
					Date: time.Date(2026, 6, 1+i%28, 0, 0, 0, 0, time.UTC), Reference: texts[i%len(texts)], Commission: texts[(i+1)%len(texts)]},
				ValidFrom:   time.Date(2026, 6, 30, 10, i%60, i%60, 0, time.UTC),
				TitleHolder: credential.Party{Name: "Unioncamere", URL: "https://www.unioncamere.gov.it/"},
				BaseURL:     "https://attesta.example", Status: credential.Position{List: 1 + i%3, Index: rnd.IntN(131072)},
			}
			if i%2 == 0 {
				a.Learner = credential.Learner{IdentityType: "systemId", Identity: fmt.Sprintf("student-%d", i), Salt: fmt.Sprintf("salt-%016x", rnd.Uint64())}
			} else {
				a.Learner = credential.Learner{DID: fmt.Sprintf("did:key:z6Mk%d", i)}
			}
			if i%5 == 0 {
				a.ValidUntil = a.ValidFrom.AddDate(5, 0, 0)
			}
			for r := range 1 + i%30 {
				a.Results = append(a.Results, credential.Result{Name: fmt.Sprintf("%s %d", texts[r%len(texts)][:10], r), Type: "Percent",
					Min: "0", Max: "100", Value: fmt.Sprint(rnd.IntN(101))})
			}
			if i%3 == 0 {
				a.Evidence = &credential.EvidenceSummary{Name: "Dossier", Narrative: narratives[i%len(narratives)], Digest: [32]byte{byte(i)}}
			}
			var err error
			if data, err = credential.Build(a); err != nil {
				t.Fatalf("corpus %d: %v", i, err)
			}
		}
		name := filepath.Join(c.dir, fmt.Sprintf("c%03d.json", i))
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c.files = append(c.files, name)
	}
	return c
}

// rawCredential is an OB 3.0 credential not built by attesta: dates with
// offsets and fractions, numbers of every shape.
func rawCredential(t *testing.T, rnd *rand.Rand, i int) []byte {
	t.Helper()
	offsets := []string{"Z", "+02:00", "-05:30", "+14:00", ".123Z", ".5+01:00"}
	// Not 1e-7 and the like: jsonld.js writes a small number without a '.'
	// in its JavaScript string form as the integer 0; attesta refuses such
	// a lossy number instead (a test of package jsonld shows it).
	numbers := []any{2.5, 0.1, 3, 1e21, 0.000123, 123456789012, 0, 7.25e3, -1.5}
	doc := map[string]any{
		"@context":  []any{credential.ContextVC, credential.ContextOB},
		"id":        fmt.Sprintf("urn:uuid:%08x-2222-4000-8000-000000000000", i),
		"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":      fmt.Sprintf("Badge n° %d — àèìòù", i),
		"issuer":    map[string]any{"id": "did:web:attesta.example:issuers:cciaa-forli-cesena", "type": []any{"Profile"}, "name": "Camera di Commercio"},
		"validFrom": fmt.Sprintf("2026-0%d-1%dT0%d:30:00%s", 1+i%9, i%10, i%10, offsets[i%len(offsets)]),
		"credentialSubject": map[string]any{
			"id": fmt.Sprintf("did:example:learner-%d", i), "type": []any{"AchievementSubject"},
			"creditsEarned": numbers[i%len(numbers)],
			"achievement": map[string]any{
				"id": fmt.Sprintf("https://attesta.example/achievements/%d", i), "type": []any{"Achievement"},
				"name": "Competenza", "description": strings.Repeat("Descrizione ", 1+rnd.IntN(50)) + "RTL \u202eabc",
				"criteria": map[string]any{"narrative": "Criteri\nsu più righe\tcon una tabulazione"}, "creditsAvailable": numbers[(i+3)%len(numbers)],
			},
		},
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestAttestaCredentialsVerifyInJS signs the corpus with attesta in both
// cryptosuites and has Digital Bazaar's stack verify every credential.
func TestAttestaCredentialsVerifyInJS(t *testing.T) {
	c := newCorpus(t, 240)
	suite, err := credential.NewSuite()
	if err != nil {
		t.Fatal(err)
	}
	var signed []string
	for _, cs := range []string{dataintegrity.EdDSARDFC2022, dataintegrity.EdDSAJCS2022} {
		dir := filepath.Join(c.dir, cs)
		os.Mkdir(dir, 0o755)
		for _, f := range c.files {
			doc, _ := os.ReadFile(f)
			out, err := suite.Sign(doc, c.signer, dataintegrity.Options{Cryptosuite: cs, VerificationMethod: c.signer.VerificationMethod, Created: time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatalf("%s %s: %v", cs, filepath.Base(f), err)
			}
			name := filepath.Join(dir, filepath.Base(f))
			os.WriteFile(name, out, 0o644)
			signed = append(signed, name)
		}
	}
	args := append([]string{"verify", "--now", "2026-12-01T00:00:00Z", "--context", attestaContextArg, "--did", c.didFile}, signed...)
	res := runNode(t, node(t, args...))
	failed := 0
	for _, f := range signed {
		r, ok := res[f]
		if !ok || !r.Verified {
			failed++
			if failed <= 5 {
				t.Errorf("%s: not verified by the JS stack: %s", f, r.Error)
			}
		}
	}
	t.Logf("%d credentials (%d per cryptosuite) verified by @digitalbazaar/vc; %d failed", len(signed), len(c.files), failed)
}

// TestJSCredentialsVerifyInAttesta has the JS stack sign the corpus under a
// did:key and attesta verify every proof.
func TestJSCredentialsVerifyInAttesta(t *testing.T) {
	c := newCorpus(t, 200)
	pub, priv, _ := ed25519.GenerateKey(nil)
	kp, _ := json.Marshal(map[string]string{"publicKeyMultibase": did.EncodePublicKey(pub), "privateKeyMultibase": did.EncodePrivateKey(priv)})
	keyFile := filepath.Join(c.dir, "kp.json")
	os.WriteFile(keyFile, kp, 0o600)
	suite, err := credential.NewSuite()
	if err != nil {
		t.Fatal(err)
	}
	v := &credential.Verifier{Suite: suite, Trust: []credential.Trust{{Key: pub}}, Clock: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }}
	for _, cs := range []string{dataintegrity.EdDSARDFC2022, dataintegrity.EdDSAJCS2022} {
		out := filepath.Join(c.dir, "js-"+cs)
		os.Mkdir(out, 0o755)
		args := append([]string{"sign", "--key", keyFile, "--suite", cs, "--created", "2026-06-30T12:00:00Z", "--context", attestaContextArg, "--out", out}, c.files...)
		res := runNode(t, node(t, args...))
		for _, f := range c.files {
			if r := res[f]; r.Error != "" {
				t.Fatalf("JS stack could not sign %s: %s", f, r.Error)
			}
			data, err := os.ReadFile(filepath.Join(out, filepath.Base(f)))
			if err != nil {
				t.Fatal(err)
			}
			rep := v.Verify(context.Background(), data)
			if pc, _ := rep.Check(credential.CheckProof); pc.Outcome != credential.Pass {
				t.Errorf("%s %s: attesta does not verify the JS proof: %s", cs, filepath.Base(f), pc.Detail)
			}
		}
	}
}

// TestCanonicalNQuadsMatchJS compares attesta's canonical N-Quads with
// jsonld.js + rdf-canonize, byte for byte, for the corpus and for the
// 1EdTech OB 3.0 fixtures.
func TestCanonicalNQuadsMatchJS(t *testing.T) {
	c := newCorpus(t, 200)
	fixtures := conformance.Glob(t, "ob30-fixtures/*.json")
	suite, err := credential.NewSuite()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(c.dir, "canon")
	os.Mkdir(out, 0o755)
	files := append(append([]string{}, c.files...), fixtures...)
	res := runNode(t, node(t, append([]string{"canon", "--context", attestaContextArg, "--out", out}, files...)...))
	matched, bothRejected := 0, []string{}
	for _, f := range files {
		doc, _ := os.ReadFile(f)
		got, goErr := suite.CanonicalDocument(doc, dataintegrity.EdDSARDFC2022)
		base := strings.TrimSuffix(filepath.Base(f), ".json")
		want, jsErr := os.ReadFile(filepath.Join(out, base+".nq"))
		r := res[f]
		if strings.HasPrefix(r.Error, "proof ") && jsErr == nil {
			// Only the proof options failed in the JS stack (for example a
			// verification method that is not an IRI); the document itself
			// was canonicalized and is compared.
			r.Error = ""
		}
		switch {
		case r.Error != "" && goErr != nil:
			bothRejected = append(bothRejected, base)
		case r.Error != "" || jsErr != nil:
			t.Errorf("%s: attesta canonicalizes, the JS stack does not: %s", base, r.Error)
		case goErr != nil:
			t.Errorf("%s: the JS stack canonicalizes, attesta does not: %v", base, goErr)
		case !bytes.Equal(got, want):
			t.Errorf("%s: canonical N-Quads differ\nattesta:\n%s\njs:\n%s", base, got, want)
		default:
			matched++
		}
	}
	sort.Strings(bothRejected)
	t.Logf("%d documents byte-identical; rejected by both: %v", matched, bothRejected)
}
