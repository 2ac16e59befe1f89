package dataintegrity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// The W3C vc-di-eddsa proof set and chain vectors: every proof of a set
// and of a chain verifies, a chained proof signing the document with the
// proofs its previousProof names; a chain whose previous proof is missing,
// altered, or named by something other than an id does not.
func TestW3CProofSetsAndChains(t *testing.T) {
	s := suite(t)
	ctx := context.Background()
	for _, name := range []string{"signedProofSet1.json", "signedProofSet2.json", "signedProofChain1.json", "signedProofChain2.json"} {
		doc := read(t, "vc-di-eddsa-testvectors/proof-set-chain/"+name)
		results, err := s.Verify(ctx, doc, resolver{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(results) < 1 {
			t.Fatalf("%s: %d proofs", name, len(results))
		}
		for i, r := range results {
			if r.Err != nil {
				t.Errorf("%s: proof %d: %v", name, i, r.Err)
			}
		}
	}

	chain := read(t, "vc-di-eddsa-testvectors/proof-set-chain/signedProofChain2.json")
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"previous proof missing", `"previousProof": "urn:uuid:d94f792a`, `"previousProof": "urn:uuid:00000000`, "is not among the document's proofs"},
		{"previous proof in a list missing", `"urn:uuid:8cc9022b-6b14-4cf3-8571-74972c5feb54"
      ]`, `"urn:uuid:00000000-6b14-4cf3-8571-74972c5feb54"
      ]`, "is not among the document's proofs"},
		{"previous proof not a string", `"previousProof": "urn:uuid:d94f792a-c546-4d06-b38a-da070ab56c23"`, `"previousProof": 456321`, "a string or a list of strings"},
		// The last proof signs the one before it: changing that one's
		// creation time breaks both.
		{"previous proof altered", `"created": "2023-02-26T22:06:38Z"`, `"created": "2023-02-26T22:06:39Z"`, "signature"},
	} {
		doc := []byte(strings.Replace(string(chain), tc.old, tc.new, 1))
		if bytes.Equal(doc, chain) {
			t.Fatalf("%s: the vector did not change", tc.name)
		}
		results, err := s.Verify(ctx, doc, resolver{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		found := false
		for _, r := range results {
			found = found || r.Err != nil && strings.Contains(r.Err.Error(), tc.want)
		}
		if !found {
			t.Errorf("%s: %+v, want a proof failing with %q", tc.name, results, tc.want)
		}
	}

	// Without chain support the last proof would be checked against the
	// document alone: it is not.
	var v map[string]any
	json.Unmarshal(chain, &v)
	proofs := v["proof"].([]any)
	v["proof"] = proofs[len(proofs)-1]
	alone, _ := json.Marshal(v)
	results, err := s.Verify(ctx, alone, resolver{})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Err == nil || !strings.Contains(results[0].Err.Error(), "not among") {
		t.Errorf("a chained proof without the proof it follows: %v", results[0].Err)
	}
}
