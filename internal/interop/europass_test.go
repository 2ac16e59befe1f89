package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attesta/attesta/europass"
	"github.com/attesta/attesta/internal/conformance"
)

// shaclResult is one validation result of shacl.mjs.
type shaclResult struct {
	Severity    string   `json:"severity"`
	FocusNode   string   `json:"focusNode"`
	Path        string   `json:"path"`
	Value       string   `json:"value"`
	Message     []string `json:"message"`
	SourceShape string   `json:"sourceShape"`
	Constraint  string   `json:"constraint"`
}

// shaclReport is what shacl.mjs says of one file.
type shaclReport struct {
	File     string        `json:"file"`
	Conforms bool          `json:"conforms"`
	Quads    int           `json:"quads"`
	Error    string        `json:"error"`
	Results  []shaclResult `json:"results"`
}

func (r shaclReport) String() string {
	var b strings.Builder
	if r.Error != "" {
		b.WriteString("error: " + r.Error + "\n")
	}
	for _, res := range r.Results {
		b.WriteString("  " + res.Severity + " " + res.FocusNode + " " + res.Path + ": " + strings.Join(res.Message, "; ") +
			" [" + res.SourceShape + ", " + res.Constraint + "]\n")
	}
	return b.String()
}

// validateSHACL runs shacl.mjs (rdf-validate-shacl over jsonld.js, offline)
// on files against the shapes in the conformance vectors' file shapes.
func validateSHACL(t *testing.T, shapes string, files ...string) map[string]shaclReport {
	t.Helper()
	cmd := exec.Command("node", append([]string{"shacl.mjs", "validate", "--shapes", conformance.Path(t, shapes)}, files...)...)
	cmd.Env = append(os.Environ(), "ATTESTA_CONFORMANCE_DIR="+conformance.Dir(t))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
	reports := map[string]shaclReport{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r shaclReport
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("shacl.mjs output %q: %v", sc.Text(), err)
		}
		reports[r.File] = r
	}
	return reports
}

// TestEuropassConformsToEDCShapes: the Europass export of the badge the
// demo's commission issued conforms, by a SHACL validator attesta did not
// write (Zazuko's rdf-validate-shacl, on jsonld.js's RDF), to the shapes
// of the EDC generic application profile: EDC-generic-no-cv (classes,
// properties, cardinalities) and EDC-generic-full (the controlled
// vocabularies, importing the first). And the validator would have said
// otherwise: copies broken on purpose — the awarding body removed, the
// Chamber's legal identifier removed, the ISCED-F field put in another
// scheme — do not conform, each with the shape's own message.
func TestEuropassConformsToEDCShapes(t *testing.T) {
	svc, rec := demoBadge(t)
	var ref struct {
		CredentialSubject struct {
			Achievement struct {
				CompetenceStandard struct {
					Sector          string `json:"sector"`
					StandardVersion int    `json:"standardVersion"`
				} `json:"competenceStandard"`
			} `json:"achievement"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(rec.Body, &ref); err != nil {
		t.Fatal(err)
	}
	cs := ref.CredentialSubject.Achievement.CompetenceStandard
	std, err := svc.Standards.Version(context.Background(), nil, cs.Sector, cs.StandardVersion)
	if err != nil {
		t.Fatal(err)
	}
	export, err := europass.Export(europass.Input{Badge: rec.Body, Standard: std})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	write := func(name string, change func(doc map[string]any)) string {
		t.Helper()
		data := export
		if change != nil {
			var doc map[string]any
			if err := json.Unmarshal(export, &doc); err != nil {
				t.Fatal(err)
			}
			change(doc)
			if data, err = json.Marshal(doc); err != nil {
				t.Fatal(err)
			}
		}
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return file
	}
	claim := func(doc map[string]any) map[string]any {
		return doc["credentialSubject"].(map[string]any)["hasClaim"].([]any)[0].(map[string]any)
	}
	good := write("export.jsonld", nil)
	broken := []struct {
		file  string
		shape string // the shape that must report it, by the name shacl.mjs gives
		cvs   bool   // a controlled vocabulary: only EDC-generic-full checks it
	}{
		{write("no-awarding-body.jsonld", func(doc map[string]any) {
			delete(claim(doc)["awardedBy"].(map[string]any), "awardingBody")
		}), "edc-generic-no-cv/AwardingProcess-elm_awardingBody", false},
		{write("no-legal-identifier.jsonld", func(doc map[string]any) {
			delete(doc["issuer"].(map[string]any), "eIDASIdentifier")
		}), "edc-generic-no-cv/EuropeanDigitalCredential-cred_issuer", false},
		{write("isced-outside-isced.jsonld", func(doc map[string]any) {
			isced := claim(doc)["specifiedBy"].(map[string]any)["thematicArea"].([]any)[0].(map[string]any)
			isced["inScheme"].(map[string]any)["id"] = "urn:attesta:scheme:isced-f"
		}), "edc-generic-full/LearningAchievementSpecificationShapeCV", true},
	}
	// The European Commission's own sample, as sealed by the EDC issuing
	// service (the payload of its JAdES signature), conforms too: the
	// validator, the contexts and the imports are set up as the
	// Commission's credentials need.
	var sealed struct {
		Payload string `json:"payload"`
	}
	if err := json.Unmarshal(conformance.Read(t, "elm-v3/Sample-MC-Annex1-signed.jsonld"), &sealed); err != nil || sealed.Payload == "" {
		t.Fatalf("the signed ELM sample has no payload: %v", err)
	}
	sample := filepath.Join(dir, "Sample-MC-Annex1-sealed-payload.jsonld")
	if err := os.WriteFile(sample, []byte(sealed.Payload), 0o644); err != nil {
		t.Fatal(err)
	}
	// europass's golden file: a badge with every part, exported with a
	// verification page.
	golden, err := filepath.Abs("../../europass/testdata/meccatronica-c1.europass.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	files := []string{good, sample, golden}
	for _, b := range broken {
		files = append(files, b.file)
	}
	for _, shapes := range []string{"elm-v3/EDC-generic-no-cv.ttl", "elm-v3/EDC-generic-full.ttl"} {
		t.Run(filepath.Base(shapes), func(t *testing.T) {
			reports := validateSHACL(t, shapes, files...)
			r, ok := reports[good]
			switch {
			case !ok:
				t.Fatalf("no report for the export")
			case !r.Conforms:
				t.Errorf("the export of the demo's badge does not conform to %s:\n%s", shapes, r)
			default:
				t.Logf("the export of %s (%d quads) conforms to %s", rec.ID, r.Quads, shapes)
			}
			if r := reports[golden]; !r.Conforms {
				t.Errorf("europass's golden export does not conform to %s:\n%s", shapes, r)
			}
			if r := reports[sample]; !r.Conforms {
				t.Errorf("the Commission's sealed sample does not conform to %s:\n%s", shapes, r)
			}
			for _, b := range broken {
				r := reports[b.file]
				name := filepath.Base(b.file)
				checked := !b.cvs || strings.HasSuffix(shapes, "full.ttl")
				if !checked {
					if !r.Conforms {
						t.Errorf("%s: %s checks no vocabulary, yet:\n%s", name, shapes, r)
					}
					continue
				}
				if r.Conforms || r.Error != "" {
					t.Errorf("%s conforms to %s (or was not read): %s", name, shapes, r)
					continue
				}
				found := false
				for _, res := range r.Results {
					found = found || strings.Contains(res.SourceShape, b.shape)
				}
				if !found {
					t.Errorf("%s: no result of %s:\n%s", name, b.shape, r)
				}
				t.Logf("%s does not conform to %s:\n%s", name, shapes, r)
			}
		})
	}
}
