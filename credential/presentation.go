package credential

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/attesta/attesta/internal/vc/dataintegrity"
)

// PresentationReport is what verifying a verifiable presentation found.
type PresentationReport struct {
	Verified    bool      `json:"verified"`
	Holder      string    `json:"holder,omitempty"`
	Checks      []Check   `json:"checks"`
	Credentials []*Report `json:"credentials"`
}

// MaxPresentedCredentials bounds the credentials of one presentation.
const MaxPresentedCredentials = 50

// VerifyPresentation verifies a verifiable presentation (VC Data Model 2.0)
// and every credential in it. If challenge or domain is given, the
// presentation must carry a holder's proof (proofPurpose authentication)
// bound to them; without them, an unsigned presentation is accepted and only
// its credentials are verified.
func (v *Verifier) VerifyPresentation(ctx context.Context, input []byte, challenge, domain string) *PresentationReport {
	r := &PresentationReport{}
	add := func(id CheckID, o Outcome, m Message, detail string) {
		r.Checks = append(r.Checks, Check{ID: id, Outcome: o, Reason: m, Detail: detail})
	}
	obj, err := dataintegrity.DecodeObject(input)
	if err != nil {
		add(CheckFormat, Fail, msg("verify.vp.json"), err.Error())
		return r
	}
	s := &structure{}
	if types := s.types("type", obj["type"]); !types["VerifiablePresentation"] {
		s.add("type", "must include VerifiablePresentation")
	}
	if list, ok := obj["@context"].([]any); !ok || len(list) == 0 || list[0] != ContextVC {
		s.add("@context", "must be an array beginning with "+ContextVC)
	}
	switch h := obj["holder"].(type) {
	case nil:
	case string:
		s.iri("holder", h)
	case map[string]any:
		s.iri("holder.id", h["id"])
	default:
		s.add("holder", "must be a URL or an object with an id")
	}
	creds := asList(obj["verifiableCredential"])
	if len(creds) > MaxPresentedCredentials {
		s.add("verifiableCredential", fmt.Sprintf("more than %d credentials", MaxPresentedCredentials))
	}
	if len(s.problems) > 0 {
		var d []string
		for _, p := range s.problems {
			d = append(d, p.String())
		}
		add(CheckFormat, Fail, msg("verify.vp.model"), strings.Join(d, "; "))
		return r
	}
	add(CheckFormat, Pass, msg("verify.vp.read"), "")
	r.Holder = holderOf(obj)

	if _, signed := obj["proof"]; signed {
		v.checkHolderProof(ctx, r, obj, challenge, domain)
	} else if challenge != "" || domain != "" {
		r.Checks = append(r.Checks, Check{ID: CheckProof, Outcome: Fail,
			Reason: msg("verify.vp.unsigned")})
	}

	for _, c := range creds {
		// Objects only (§4.13): a credential given as a string, even a
		// JWT, is not one; Verify opens an enveloped one.
		data := []byte("null")
		if x, ok := c.(map[string]any); ok {
			data, _ = json.Marshal(x)
		}
		r.Credentials = append(r.Credentials, v.Verify(ctx, data))
	}
	r.Verified = true
	for _, c := range r.Checks {
		if c.Outcome != Pass {
			r.Verified = false
		}
	}
	for _, c := range r.Credentials {
		if !c.Verified {
			r.Verified = false
		}
	}
	return r
}

func (v *Verifier) checkHolderProof(ctx context.Context, r *PresentationReport, obj map[string]any, challenge, domain string) {
	fail := func(m Message, detail string) {
		r.Checks = append(r.Checks, Check{ID: CheckProof, Outcome: Fail, Reason: m, Detail: detail})
	}
	proofs := asList(obj["proof"])
	if len(proofs) != 1 {
		fail(msg("verify.vp.proofs"), "")
		return
	}
	p, _ := proofs[0].(map[string]any)
	if p["proofPurpose"] != "authentication" {
		fail(msg("verify.vp.purpose"), fmt.Sprint(p["proofPurpose"]))
		return
	}
	if got, _ := p["challenge"].(string); challenge != "" && got != challenge {
		fail(msg("verify.vp.challenge"), "")
		return
	}
	if got, _ := p["domain"].(string); domain != "" && got != domain {
		fail(msg("verify.vp.domain"), "")
		return
	}
	vm, _ := p["verificationMethod"].(string)
	if controller, _, _ := strings.Cut(vm, "#"); r.Holder != "" && controller != r.Holder {
		fail(msg("verify.vp.holder"), vm)
		return
	}
	results, err := v.Suite.VerifyValue(ctx, obj, &keyResolver{v: v, keys: map[string]ed25519.PublicKey{}})
	if err != nil {
		fail(msg("verify.vp.proof"), err.Error())
		return
	}
	if results[0].Err != nil {
		fail(msg("verify.vp.invalid"), results[0].Err.Error())
		return
	}
	r.Checks = append(r.Checks, Check{ID: CheckProof, Outcome: Pass, Reason: msg("verify.vp.valid"), Detail: vm})
}

func asList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	default:
		return []any{x}
	}
}

// holderOf is the id of a presentation's holder: a URL, or an object's id.
func holderOf(obj map[string]any) string {
	switch h := obj["holder"].(type) {
	case string:
		return h
	case map[string]any:
		id, _ := h["id"].(string)
		return id
	}
	return ""
}
