package credential

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"os"
	"testing"
	"time"

	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/issuer"
)

// goldenKey signs the golden credentials: the issuer key of testAward's
// Chamber, from a fixed seed.
func goldenKey() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x0c}, 32)) }

// TestSignedGolden secures testAward's credential (the unsigned golden
// file) in each of the three forms, as Service.Issue does, with a fixed key
// and the award's time, and compares the result byte for byte with
// testdata/meccatronica-c1.*: Ed25519 is deterministic, so any change to the
// signed output (the JSON, the canonical form, the proof, the JWT header) is
// a change to these files. Each golden credential verifies.
//
//	go test ./credential -run TestSignedGolden -update
func TestSignedGolden(t *testing.T) {
	award := testAward(t)
	unsigned, err := Build(award)
	if err != nil {
		t.Fatal(err)
	}
	suite, err := NewSuite()
	if err != nil {
		t.Fatal(err)
	}
	priv := goldenKey()
	pub := priv.Public().(ed25519.PublicKey)
	signer := issuer.NewSigner(award.Issuer, did.NewMultikey(award.Issuer.DID, pub).ID, priv)
	s := &Service{suite: suite}
	v := &Verifier{Suite: suite, JWT: &JWTVerifier{}, Trust: []Trust{{Key: pub}}, Clock: func() time.Time { return award.ValidFrom }}
	for _, tt := range []struct {
		format Format
		golden string
	}{
		{RDFC, "testdata/meccatronica-c1.eddsa-rdfc-2022.json"},
		{JCS, "testdata/meccatronica-c1.eddsa-jcs-2022.json"},
		{JWT, "testdata/meccatronica-c1.jwt"},
	} {
		t.Run(string(tt.format), func(t *testing.T) {
			got, err := s.secure(unsigned, signer, tt.format, award.ValidFrom)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			if *update {
				if err := os.WriteFile(tt.golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(tt.golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("signed %s credential differs from %s (run go test ./credential -run TestSignedGolden -update to accept):\n%s", tt.format, tt.golden, got)
			}
			rep := v.Verify(context.Background(), want)
			if c, _ := rep.Check(CheckProof); c.Outcome != Pass {
				t.Errorf("%s does not verify: %+v", tt.golden, rep.Checks)
			}
		})
	}
}
