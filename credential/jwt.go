package credential

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/attesta/attesta/internal/vc/dataintegrity"
)

// JWT secures a credential with VC-JOSE ([VC-JOSE-COSE]): a compact JWS
// whose payload is the credential itself, header typ "vc+jwt", cty "vc",
// alg "EdDSA" and kid the verification method.
//
// [VC-JOSE-COSE]: https://www.w3.org/TR/vc-jose-cose/
func SignJWT(credential []byte, verificationMethod string, sign func([]byte) []byte) (string, error) {
	if _, err := dataintegrity.DecodeObject(credential); err != nil {
		return "", fmt.Errorf("sign JWT: %w", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, credential); err != nil {
		return "", fmt.Errorf("sign JWT: %w", err)
	}
	header, _ := json.Marshal(map[string]string{"alg": "EdDSA", "kid": verificationMethod, "typ": "vc+jwt", "cty": "vc"})
	input := b64(header) + "." + b64(compact.Bytes())
	return input + "." + b64(sign([]byte(input))), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// JWTVerifier accepts credentials secured as JWTs.
type JWTVerifier struct{}

// MaxJWT bounds a JWT read from outside.
const MaxJWT = 1 << 20

// verifyJWT checks a compact JWS credential. The VC-JOSE-COSE form (payload =
// credential) and the VC Data Model 1.1 form (payload.vc = credential) are
// read; only EdDSA signatures are verified.
func (v *Verifier) verifyJWT(ctx context.Context, r *Report, token string) {
	if v.JWT == nil {
		r.add(CheckFormat, Fail, msg("verify.jwt.format"), "")
		return
	}
	header, payload, sig, signingInput, err := splitJWT(token)
	if err != nil {
		r.add(CheckFormat, Fail, msg("verify.jwt.invalid"), err.Error())
		return
	}
	cred := payload
	var claims map[string]json.RawMessage
	if err := json.Unmarshal(payload, &claims); err != nil {
		r.add(CheckFormat, Fail, msg("verify.jwt.payload"), err.Error())
		return
	}
	if vc, ok := claims["vc"]; ok {
		cred = vc
	}
	r.Credential = cred
	obj, err := dataintegrity.DecodeObject(cred)
	if err != nil {
		r.add(CheckFormat, Fail, msg("verify.jwt.credential"), err.Error())
		return
	}
	r.add(CheckFormat, Pass, msg("verify.jwt.read"), "")

	proof := Check{ID: CheckProof}
	var signer string
	var key ed25519.PublicKey
	var h struct {
		Alg, Kid, Typ string
	}
	switch err := json.Unmarshal(header, &h); {
	case err != nil:
		proof.Outcome, proof.Reason, proof.Detail = Fail, msg("verify.jwt.header"), err.Error()
	case h.Alg != "EdDSA":
		proof.Outcome, proof.Reason, proof.Detail = Fail, msg("verify.jwt.alg"),
			fmt.Sprintf("alg %q: attesta verifies EdDSA (Ed25519) JWTs", h.Alg)
	default:
		kid := h.Kid
		if kid == "" {
			kid = issuerOf(obj)
		}
		pub, err := v.resolveKey(ctx, kid)
		switch {
		case err != nil:
			proof.Outcome, proof.Reason, proof.Detail = Fail, msg("verify.jwt.key"), err.Error()
		case len(sig) != ed25519.SignatureSize || !ed25519.Verify(pub, signingInput, sig):
			proof.Outcome, proof.Reason, proof.Detail = Fail, msg("verify.proof.invalid"), "EdDSA signature does not match "+kid
		default:
			proof.Outcome, proof.Reason, proof.Detail = Pass, msg("verify.jwt.valid"), kid
			signer, key = kid, pub
		}
	}
	v.verifyObject(ctx, r, cred, obj, &proof, signer, key)
}

func splitJWT(token string) (header, payload, sig, signingInput []byte, err error) {
	if len(token) > MaxJWT {
		return nil, nil, nil, nil, fmt.Errorf("JWT is longer than %d bytes", MaxJWT)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, nil, nil, errors.New("a compact JWS has three parts separated by dots")
	}
	dec := func(s, what string) ([]byte, error) {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("JWT %s is not base64url: %w", what, err)
		}
		return b, nil
	}
	if header, err = dec(parts[0], "header"); err != nil {
		return
	}
	if payload, err = dec(parts[1], "payload"); err != nil {
		return
	}
	if sig, err = dec(parts[2], "signature"); err != nil {
		return
	}
	return header, payload, sig, []byte(parts[0] + "." + parts[1]), nil
}
