// Package dataintegrity secures JSON-LD documents with W3C [Data Integrity]
// proofs of the EdDSA cryptosuites ([vc-di-eddsa]): eddsa-rdfc-2022, which
// signs the RDFC-1.0 canonical N-Quads of the document, and eddsa-jcs-2022,
// which signs its RFC 8785 canonical JSON.
//
// A proof signs two hashes: of the proof configuration (the proof without its
// proofValue, with the document's @context) and of the document without its
// proof, each canonicalized the cryptosuite's way. [Sign] adds a proof;
// [Verify] checks every proof of a document and says precisely what is wrong
// with one that fails.
//
// Resolving a verification method to a key is the caller's business (see
// [Resolver]): this package checks signatures, not who is trusted.
//
// [Data Integrity]: https://www.w3.org/TR/vc-data-integrity/
// [vc-di-eddsa]: https://www.w3.org/TR/vc-di-eddsa/
package dataintegrity

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/internal/vc/jcs"
	"github.com/attesta/attesta/internal/vc/rdf"
)

// Cryptosuites.
const (
	EdDSARDFC2022 = "eddsa-rdfc-2022"
	EdDSAJCS2022  = "eddsa-jcs-2022"
)

// ProofType is the type of every proof this package makes.
const ProofType = "DataIntegrityProof"

// RDFizer turns a JSON-LD document, decoded from JSON, into RDF quads in
// strict mode: every term must be defined, every IRI absolute. The JSON-LD
// processor in package jsonld is one.
type RDFizer interface {
	ToRDF(ctx context.Context, data []byte) ([]rdf.Quad, error)
	ToRDFValue(ctx context.Context, doc any) ([]rdf.Quad, error)
}

// Suite signs and verifies with the two EdDSA cryptosuites.
type Suite struct {
	rdfizer RDFizer
	canon   rdf.Options
}

// NewSuite returns a Suite that expands JSON-LD with r: the strict
// processor of package jsonld, for both cryptosuites.
func NewSuite(r RDFizer) *Suite { return &Suite{rdfizer: r} }

// Options says how to sign.
type Options struct {
	Cryptosuite        string    // EdDSARDFC2022 (default) or EdDSAJCS2022
	VerificationMethod string    // DID URL of the key
	Created            time.Time // time of signing, written to the second, in UTC
	ProofPurpose       string    // default "assertionMethod"
	Challenge          string    // for presentations: the verifier's challenge
	Domain             string    // for presentations: the verifier's domain
}

// Signer signs a message with the key of Options.VerificationMethod.
type Signer interface {
	Sign(message []byte) []byte
}

// Sign adds a proof to the JSON object doc, which must not have one, and
// returns the secured document: doc's bytes with a "proof" member appended.
func (s *Suite) Sign(doc []byte, signer Signer, opts Options) ([]byte, error) {
	if len(doc) > MaxDocument {
		return nil, fmt.Errorf("sign: document is %d bytes, more than the %d accepted", len(doc), MaxDocument)
	}
	ms, err := topMembers(doc, "proof", "@context")
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	if _, ok := ms["proof"]; ok {
		return nil, errors.New("sign: the document already has a proof")
	}
	if opts.Cryptosuite == "" {
		opts.Cryptosuite = EdDSARDFC2022
	}
	if opts.Cryptosuite != EdDSARDFC2022 && opts.Cryptosuite != EdDSAJCS2022 {
		return nil, fmt.Errorf("sign: cryptosuite %q is not supported", opts.Cryptosuite)
	}
	if opts.ProofPurpose == "" {
		opts.ProofPurpose = "assertionMethod"
	}
	if opts.VerificationMethod == "" || opts.Created.IsZero() {
		return nil, errors.New("sign: a verification method and a creation time are required")
	}
	proof := []field{
		{"type", ProofType},
		{"cryptosuite", opts.Cryptosuite},
		{"created", opts.Created.UTC().Format(time.RFC3339)},
		{"verificationMethod", opts.VerificationMethod},
		{"proofPurpose", opts.ProofPurpose},
	}
	if opts.Challenge != "" {
		proof = append(proof, field{"challenge", opts.Challenge})
	}
	if opts.Domain != "" {
		proof = append(proof, field{"domain", opts.Domain})
	}
	var ctxRaw []byte
	if m, ok := ms["@context"]; ok {
		ctxRaw = doc[m.valueStart:m.valEnd]
	}
	if opts.Cryptosuite == EdDSAJCS2022 && ctxRaw != nil {
		// eddsa-jcs-2022 carries the document's @context in the proof.
		proof = append(proof, field{"@context", json.RawMessage(ctxRaw)})
	}
	docCanon, err := s.canonical(doc, opts.Cryptosuite)
	if err != nil {
		return nil, fmt.Errorf("sign: canonicalize document: %w", err)
	}
	hash, err := s.hashData(docCanon, configJSON(ctxRaw, proof, opts.Cryptosuite), opts.Cryptosuite)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	proof = append(proof, field{"proofValue", "z" + did.EncodeBase58(signer.Sign(hash))})
	return appendMember(doc, "proof", objectJSON(proof))
}

// field is a member of a JSON object being written, in order.
type field struct {
	name  string
	value any
}

func objectJSON(fields []field) []byte {
	b := []byte{'{'}
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = jcs.AppendString(b, f.name)
		b = append(b, ':')
		switch v := f.value.(type) {
		case string:
			b = jcs.AppendString(b, v)
		case json.RawMessage:
			b = append(b, v...)
		default:
			enc, _ := json.Marshal(v)
			b = append(b, enc...)
		}
	}
	return append(b, '}')
}

// configJSON is the proof configuration: the proof's members without
// proofValue. For eddsa-rdfc-2022 its @context is the document's (or the
// proof's own, which must then begin the document's); eddsa-jcs-2022 takes
// the proof as it is, @context included when the signer put it there.
func configJSON(ctxRaw []byte, proof []field, suite string) []byte {
	fields := make([]field, 0, len(proof)+1)
	hasContext := false
	for _, f := range proof {
		if f.name == "@context" {
			hasContext = true
		}
		if f.name != "proofValue" {
			fields = append(fields, f)
		}
	}
	if suite == EdDSARDFC2022 && !hasContext && ctxRaw != nil {
		fields = append(fields, field{"@context", json.RawMessage(ctxRaw)})
	}
	return objectJSON(fields)
}

// canonical canonicalizes a JSON document the cryptosuite's way. Both
// cryptosuites hold a document to the same rules: eddsa-jcs-2022 signs its
// JSON, but a document whose JSON-LD a processor in safe mode refuses
// (undefined terms, relative IRIs…) is refused as eddsa-rdfc-2022 refuses
// it, so that what a JSON-LD reader of the credential sees is what was
// signed. (A Suite made without an RDFizer, which only byte-level tests
// make, checks the JSON alone.)
func (s *Suite) canonical(doc []byte, suite string) ([]byte, error) {
	if suite == EdDSAJCS2022 && s.rdfizer == nil {
		return jcs.Canonicalize(doc)
	}
	quads, err := s.rdfizer.ToRDF(context.Background(), doc)
	if suite == EdDSAJCS2022 {
		if err != nil {
			return nil, err
		}
		return jcs.Canonicalize(doc)
	}
	if err != nil {
		return nil, err
	}
	return rdf.CanonicalNQuads(quads, s.canon)
}

// hashData returns the data an EdDSA proof signs: the hash of the canonical
// proof configuration followed by the hash of the canonical document.
func (s *Suite) hashData(docCanon, config []byte, suite string) ([]byte, error) {
	c, err := s.canonical(config, suite)
	if err != nil {
		return nil, fmt.Errorf("canonicalize proof configuration: %w", err)
	}
	ch, dh := sha256.Sum256(c), sha256.Sum256(docCanon)
	return append(ch[:], dh[:]...), nil
}

// CanonicalDocument returns the bytes an eddsa proof's second hash covers:
// the canonical form of doc without its proof. For inspection and tests.
func (s *Suite) CanonicalDocument(doc []byte, suite string) ([]byte, error) {
	ms, err := topMembers(doc, "proof")
	if err != nil {
		return nil, err
	}
	if m, ok := ms["proof"]; ok {
		doc = without(doc, m)
	}
	return s.canonical(doc, suite)
}

// Resolver finds the public key of a verification method. It returns an
// error if the method is unknown or is not allowed for the proof purpose.
type Resolver interface {
	ResolveKey(ctx context.Context, verificationMethod string) (ed25519.PublicKey, error)
}

// ProofResult is the outcome of checking one proof.
type ProofResult struct {
	Cryptosuite        string
	VerificationMethod string
	Created            time.Time
	ProofPurpose       string
	// Err is nil if the proof verifies. Otherwise it is a *ProofError saying
	// which step failed.
	Err error
}

// ProofError says why a proof does not verify.
type ProofError struct {
	Step   Step   // the check that failed
	Detail string // what was wrong
	Err    error  // the underlying error, if any
}

// Step names a check of proof verification.
type Step string

// The steps of verification, in order.
const (
	StepDecode      Step = "decode"       // the document is not a JSON object with a proof
	StepProofForm   Step = "proof-form"   // a required proof member is missing or malformed
	StepUnsupported Step = "unsupported"  // proof type or cryptosuite attesta does not verify
	StepResolve     Step = "resolve"      // the verification method could not be resolved
	StepTransform   Step = "canonicalize" // the document or proof configuration could not be canonicalized
	StepSignature   Step = "signature"    // the signature does not match
)

func (e *ProofError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Step, e.Detail, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Step, e.Detail)
}

func (e *ProofError) Unwrap() error { return e.Err }

// Verify checks every proof of doc. It returns an error only if doc is not a
// JSON object or has no proof; each proof's outcome is in its ProofResult.
func (s *Suite) Verify(ctx context.Context, doc []byte, resolver Resolver) ([]ProofResult, error) {
	if len(doc) > MaxDocument {
		return nil, &ProofError{Step: StepDecode, Detail: fmt.Sprintf("the document is larger than %d bytes", MaxDocument)}
	}
	ms, err := topMembers(doc, "proof", "@context")
	if err != nil {
		return nil, &ProofError{Step: StepDecode, Detail: "the document is not a JSON object", Err: err}
	}
	pm, ok := ms["proof"]
	if !ok {
		return nil, &ProofError{Step: StepDecode, Detail: "the document has no proof"}
	}
	var pv any
	dec := json.NewDecoder(bytes.NewReader(doc[pm.valueStart:pm.valEnd]))
	dec.UseNumber()
	if err := dec.Decode(&pv); err != nil {
		return nil, &ProofError{Step: StepDecode, Detail: "the proof is not valid JSON", Err: err}
	}
	proofs, ok := pv.([]any)
	if !ok {
		proofs = []any{pv}
	}
	if len(proofs) == 0 {
		return nil, &ProofError{Step: StepDecode, Detail: "the document has no proof"}
	}
	var ctxRaw []byte
	var docCtx any
	if m, ok := ms["@context"]; ok {
		ctxRaw = doc[m.valueStart:m.valEnd]
		json.Unmarshal(ctxRaw, &docCtx)
	}
	unsecured := without(doc, pm)
	canon := map[string][]byte{} // canonical document per cryptosuite
	canonErr := map[string]error{}
	docCanon := func(suite string) ([]byte, error) {
		if c, ok := canon[suite]; ok {
			return c, canonErr[suite]
		}
		c, err := s.canonical(unsecured, suite)
		canon[suite], canonErr[suite] = c, err
		return c, err
	}
	out := make([]ProofResult, len(proofs))
	for i, p := range proofs {
		chained, err := previousProofs(proofs, p)
		switch {
		case err != nil:
			out[i] = ProofResult{Err: &ProofError{Step: StepProofForm, Detail: err.Error()}}
			continue
		case chained != nil:
			// A proof of a chain signs the document with the proofs it
			// follows (Data Integrity §4.5, Verify Proof Sets and Chains).
			input, err := appendMember(unsecured, "proof", chained)
			if err != nil {
				out[i] = ProofResult{Err: &ProofError{Step: StepDecode, Detail: "the document is not a JSON object", Err: err}}
				continue
			}
			out[i] = s.verifyOne(ctx, ctxRaw, docCtx, func(suite string) ([]byte, error) { return s.canonical(input, suite) }, p, resolver)
		default:
			out[i] = s.verifyOne(ctx, ctxRaw, docCtx, docCanon, p, resolver)
		}
	}
	return out, nil
}

// previousProofs returns, for a proof of a chain, the JSON array of the
// proofs its previousProof names (one id, or a list of ids), which must all
// be among the document's proofs; nil for a proof that names none.
func previousProofs(all []any, p any) (json.RawMessage, error) {
	proof, _ := p.(map[string]any)
	prev, ok := proof["previousProof"]
	if !ok {
		return nil, nil
	}
	var ids []string
	switch v := prev.(type) {
	case string:
		ids = []string{v}
	case []any:
		for _, x := range v {
			id, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("previousProof must be a string or a list of strings, has %v", x)
			}
			ids = append(ids, id)
		}
	default:
		return nil, fmt.Errorf("previousProof must be a string or a list of strings, is %v", prev)
	}
	var matching []any
	for _, id := range ids {
		found := false
		for _, q := range all {
			if qm, ok := q.(map[string]any); ok && qm["id"] == id && id != "" {
				matching = append(matching, qm)
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("previousProof %q is not among the document's proofs", id)
		}
	}
	return json.Marshal(matching)
}

// VerifyValue is Verify on a decoded document.
func (s *Suite) VerifyValue(ctx context.Context, obj map[string]any, resolver Resolver) ([]ProofResult, error) {
	doc, err := json.Marshal(obj)
	if err != nil {
		return nil, &ProofError{Step: StepDecode, Detail: "the document cannot be encoded", Err: err}
	}
	return s.Verify(ctx, doc, resolver)
}

func (s *Suite) verifyOne(ctx context.Context, ctxRaw []byte, docCtx any, docCanon func(string) ([]byte, error), p any, resolver Resolver) ProofResult {
	var res ProofResult
	fail := func(step Step, err error, format string, args ...any) ProofResult {
		res.Err = &ProofError{Step: step, Detail: fmt.Sprintf(format, args...), Err: err}
		return res
	}
	proof, ok := p.(map[string]any)
	if !ok {
		return fail(StepProofForm, nil, "the proof is not a JSON object")
	}
	str := func(k string) string { v, _ := proof[k].(string); return v }
	res.Cryptosuite, res.VerificationMethod, res.ProofPurpose = str("cryptosuite"), str("verificationMethod"), str("proofPurpose")
	if t := str("type"); t != ProofType {
		return fail(StepUnsupported, nil, "proof type %q is not %s", proof["type"], ProofType)
	}
	if res.Cryptosuite != EdDSARDFC2022 && res.Cryptosuite != EdDSAJCS2022 {
		return fail(StepUnsupported, nil, "cryptosuite %q is not supported (eddsa-rdfc-2022, eddsa-jcs-2022)", proof["cryptosuite"])
	}
	if res.VerificationMethod == "" {
		return fail(StepProofForm, nil, "verificationMethod is missing")
	}
	if res.ProofPurpose == "" {
		return fail(StepProofForm, nil, "proofPurpose is missing")
	}
	if c, ok := proof["created"]; ok {
		cs, _ := c.(string)
		t, err := time.Parse(time.RFC3339, cs)
		if err != nil {
			return fail(StepProofForm, err, "created %q is not an XML Schema dateTime", c)
		}
		res.Created = t
	}
	if pc, ok := proof["@context"]; ok && !contextPrefix(docCtx, pc) {
		return fail(StepProofForm, nil, "the proof's @context is not a prefix of the document's")
	}
	pv := str("proofValue")
	if len(pv) < 2 || pv[0] != 'z' {
		return fail(StepProofForm, nil, "proofValue is missing or not base58btc multibase")
	}
	sig, err := did.DecodeBase58(pv[1:])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fail(StepProofForm, err, "proofValue is not a %d-byte Ed25519 signature", ed25519.SignatureSize)
	}
	pub, err := resolver.ResolveKey(ctx, res.VerificationMethod)
	if err != nil {
		return fail(StepResolve, err, "verification method %s", res.VerificationMethod)
	}
	dc, err := docCanon(res.Cryptosuite)
	if err != nil {
		return fail(StepTransform, err, "cannot canonicalize the document")
	}
	fields := make([]field, 0, len(proof))
	for k, v := range proof {
		fields = append(fields, field{k, v})
	}
	hash, err := s.hashData(dc, configJSON(ctxRaw, fields, res.Cryptosuite), res.Cryptosuite)
	if err != nil {
		return fail(StepTransform, err, "cannot canonicalize")
	}
	if !ed25519.Verify(pub, hash, sig) {
		return fail(StepSignature, nil, "the signature does not match the document and key %s", res.VerificationMethod)
	}
	return res
}

// contextPrefix reports whether the proof's @context values begin the
// document's @context.
func contextPrefix(docCtx, proofCtx any) bool {
	list := func(v any) []any {
		if a, ok := v.([]any); ok {
			return a
		}
		return []any{v}
	}
	d, p := list(docCtx), list(proofCtx)
	if len(p) > len(d) {
		return false
	}
	for i := range p {
		a, _ := json.Marshal(p[i])
		b, _ := json.Marshal(d[i])
		if !bytes.Equal(a, b) {
			return false
		}
	}
	return true
}

// appendMember returns the JSON object doc with name: value added as its last
// member, keeping every other byte of doc.
func appendMember(doc []byte, name string, value json.RawMessage) ([]byte, error) {
	trimmed := bytes.TrimRight(doc, " \t\r\n")
	if len(trimmed) == 0 || trimmed[len(trimmed)-1] != '}' {
		return nil, errors.New("the document is not a JSON object")
	}
	body := bytes.TrimRight(trimmed[:len(trimmed)-1], " \t\r\n")
	indent := detectIndent(doc)
	out := make([]byte, 0, len(doc)+len(value)+64)
	out = append(out, body...)
	if body[len(body)-1] != '{' {
		out = append(out, ',')
	}
	nb, _ := json.Marshal(name)
	if indent != "" {
		var v bytes.Buffer
		json.Indent(&v, value, indent, indent)
		out = append(out, '\n')
		out = append(out, indent...)
		out = append(out, nb...)
		out = append(out, ": "...)
		out = append(out, v.Bytes()...)
		out = append(out, '\n')
	} else {
		out = append(out, nb...)
		out = append(out, ':')
		out = append(out, value...)
	}
	return append(out, '}'), nil
}

// detectIndent returns the indentation of the first member of a pretty-printed
// object, or "" for compact JSON.
func detectIndent(doc []byte) string {
	i := bytes.IndexByte(doc, '{')
	if i < 0 || i+1 >= len(doc) || doc[i+1] != '\n' {
		return ""
	}
	rest := doc[i+2:]
	n := 0
	for n < len(rest) && (rest[n] == ' ' || rest[n] == '\t') {
		n++
	}
	return string(rest[:n])
}

// MaxDocument is the largest document Sign and Verify accept.
const MaxDocument = 1 << 20

// decodeObject decodes a JSON object strictly: numbers kept exact, no
// duplicate member names (which would let a reader and a verifier see
// different documents), no trailing data.
func decodeObject(doc []byte) (map[string]any, error) {
	if len(doc) > MaxDocument {
		return nil, fmt.Errorf("document is %d bytes, more than the %d accepted", len(doc), MaxDocument)
	}
	v, err := jcs.Decode(doc) // duplicate names, invalid UTF-8, bad numbers, depth
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	return obj, nil
}

// DecodeObject decodes a document as Sign and Verify do.
func DecodeObject(doc []byte) (map[string]any, error) { return decodeObject(doc) }
