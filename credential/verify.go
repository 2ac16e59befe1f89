package credential

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/vc/bake"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
)

// CheckID names one check of a verification.
type CheckID string

// The checks of a verification, in the order they run.
const (
	CheckFormat    CheckID = "format"    // the input could be read as a credential
	CheckStructure CheckID = "structure" // Open Badges 3.0 required members and types
	CheckProof     CheckID = "proof"     // the signature, over strictly processed JSON-LD
	CheckIssuer    CheckID = "issuer"    // the key belongs to the issuer, and the issuer is trusted
	CheckValidity  CheckID = "validity"  // validFrom ≤ now ≤ validUntil
	CheckStatus    CheckID = "status"    // not revoked, not suspended
	// CheckNotarization: the credential is in the issuer's transparency log.
	// Reported only when the verifier has a NotarySource that knows the
	// credential's log (its own, or a receipt).
	CheckNotarization CheckID = "notarization"
)

// Outcome is the result of a check.
type Outcome string

// Outcomes.
const (
	Pass Outcome = "pass"
	Fail Outcome = "fail"
	Skip Outcome = "skip" // could not be checked (said why); a skipped check does not make a credential valid
	Warn Outcome = "warn" // passed with a warning (said why): the credential is valid, something around it is not safe (CheckImage)
)

// Message is a human reason: a message key with its arguments, and the
// message said in Italian and English, for readers of the report's JSON
// (which says only those, as it always did).
type Message struct {
	attesta.Message `json:"-"`
	IT              string `json:"it"`
	EN              string `json:"en"`
}

// Check is the outcome of one check, with its reason.
type Check struct {
	ID      CheckID `json:"id"`
	Outcome Outcome `json:"outcome"`
	Reason  Message `json:"reason"`
	Detail  string  `json:"detail,omitempty"` // technical detail, English
}

// Report is what a verification found.
type Report struct {
	// Verified is true when every check passed.
	Verified bool `json:"verified"`
	// Input is how the credential came: json, jwt (compact, or enveloped
	// as attesta's API returns it), png, svg, or pdf (attesta's printout,
	// which carries it as an embedded file).
	Input        string  `json:"input"`
	CredentialID string  `json:"credential_id,omitempty"`
	Issuer       string  `json:"issuer,omitempty"`      // issuer id from the credential
	IssuerName   string  `json:"issuer_name,omitempty"` // from the registry when trusted, else from the credential
	Trusted      bool    `json:"trusted"`               // the issuer is registered or trusted explicitly
	Chamber      bool    `json:"chamber"`               // the issuer is one of the Chambers of Commerce of the registry
	Revoked      bool    `json:"revoked"`
	Suspended    bool    `json:"suspended"`
	Checks       []Check `json:"checks"`
	// Credential is the credential that was verified (extracted from an image
	// or a JWT).
	Credential []byte `json:"-"`
	// signed is the credential as signed and logged: its JSON, or the
	// compact JWT.
	signed []byte
	// notarization is what the notary source found, for the key check.
	notarization *Notarization
}

// Check returns the check with the given id.
func (r *Report) Check(id CheckID) (Check, bool) {
	for _, c := range r.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

func (r *Report) add(id CheckID, o Outcome, reason Message, detail string) {
	r.Checks = append(r.Checks, Check{ID: id, Outcome: o, Reason: reason, Detail: detail})
}

// Registry is the registry of trusted issuers: the Chambers attesta knows.
// issuer.Service is one.
type Registry interface {
	// Resolve returns the registered issuer a verification method belongs to
	// and its key, or a NotFound error if no registered issuer has it.
	Resolve(ctx context.Context, verificationMethod string) (issuer.Issuer, ed25519.PublicKey, error)
	// IssuerByDID returns a registered issuer, or a NotFound error.
	IssuerByDID(ctx context.Context, did string) (issuer.Issuer, error)
}

// Trust binds an outside issuer, or one of its keys, for a verification
// (the CLI's --trust): Issuer is an issuer id; Key, if set, is the only key
// trusted for it.
type Trust struct {
	Issuer string
	Key    ed25519.PublicKey
}

// StatusSource tells the status of a credential at a status list position.
type StatusSource interface {
	// Status reports whether the bit for entry is set, with the reason of
	// the change when known. An error means the list is not available.
	Status(ctx context.Context, e StatusEntry) (set bool, reason string, err error)
}

// StatusEntry is a BitstringStatusListEntry of a credential.
type StatusEntry struct {
	CredentialID string
	ListURL      string
	Index        int
	Purpose      statuslist.Purpose
}

// Verifier verifies credentials: the one verifier of the API, the CLI and the
// public verification page.
type Verifier struct {
	Suite    *dataintegrity.Suite
	Registry Registry     // may be nil: no registered issuers
	Trust    []Trust      // outside issuers or keys trusted for this verifier
	Status   StatusSource // may be nil: status cannot be checked
	Clock    attesta.Clock
	JWT      *JWTVerifier // may be nil: JWTs are not accepted
	Notary   NotarySource // may be nil: notarization is not reported
	// Ends says when keys ended, for the key check (CheckKey); nil: the
	// Registry says it, if it is a KeyEnds.
	Ends KeyEnds
	// AnyIssuer accepts an issuer outside the registry when the key that
	// signed is one its DID document lists (did:key, or did:web through
	// DIDWeb): the issuer check passes, and the report says the issuer is
	// neither trusted nor a Chamber. The VC-API's verifier is one.
	AnyIssuer bool
	// DIDWeb fetches the DID documents of did:web issuers outside the
	// registry; nil: none are fetched.
	DIDWeb DIDResolver
}

// NotarySource says whether a credential is notarized: in a transparency
// log, proven by a receipt against a published checkpoint.
type NotarySource interface {
	// Notarization looks the credential up by its id and exact bytes. An
	// error means the log or receipt contradicts the credential.
	Notarization(ctx context.Context, credentialID string, credential []byte) (Notarization, error)
}

// Notarization is what a NotarySource found.
type Notarization struct {
	// Known is false when the source knows nothing of the credential (not
	// this log's, or another credential's receipt).
	Known bool
	// Pending is true when the entry is appended but not yet in a published
	// (cosigned, timestamped) checkpoint.
	Pending   bool
	Origin    string    // the log
	LeafIndex int64     // the credential's entry
	Size      int64     // of the checkpoint the entry is proven in
	Witnesses []string  // witnesses whose cosignatures verified
	Timestamp time.Time // of the checkpoint's RFC 3161 token; zero if none
	// Witnessed is when the quorum of trusted witnesses had cosigned the
	// checkpoint; zero if none is trusted. With Timestamp, the proof of
	// when the credential was in the log, for the key check (CheckKey): the
	// source proves it with the first checkpoint that includes the entry.
	Witnessed time.Time
	// Logged is when the log says the entry was appended; zero if unknown.
	Logged time.Time
	// Own is true when the source is the log itself, whose record the
	// verifier trusts as it trusts the registry (attesta verifying what it
	// issued): Logged then proves when the credential was logged.
	Own bool
}

// Verify verifies a credential given as JSON, a compact JWT (as it is, or
// enveloped in an EnvelopedVerifiableCredential), or a baked PNG or SVG
// badge; a baked SVG's picture gets its own check (CheckImage).
func (v *Verifier) Verify(ctx context.Context, input []byte) *Report {
	r := &Report{}
	data := input
	r.Input = "json"
	if bake.IsPDF(input) {
		// A printout that carries its credential as an embedded file.
		r.Input = "pdf"
		var err error
		if data, err = bake.ExtractPDF(input); err != nil {
			r.add(CheckFormat, Fail, msg("verify.format.pdf"), err.Error())
			return r
		}
	} else if kind := bake.DetectFormat(input); kind != bake.FormatUnknown {
		r.Input = "png"
		if kind == bake.FormatSVG {
			r.Input = "svg"
		}
		var err error
		if data, _, err = bake.Extract(input); err != nil {
			r.add(CheckFormat, Fail, imageReason(err), err.Error())
			return r
		}
		if kind == bake.FormatSVG {
			defer v.checkImage(r, input)
		}
	}
	trimmed := strings.TrimSpace(string(data))
	if jwt, ok, err := enveloped(data); err != nil {
		r.add(CheckFormat, Fail, msg("verify.format.enveloped"), err.Error())
		return r
	} else if ok {
		trimmed = strings.TrimSpace(jwt)
	}
	if strings.HasPrefix(trimmed, "ey") {
		if r.Input == "json" {
			r.Input = "jwt"
		}
		r.signed = []byte(trimmed)
		v.verifyJWT(ctx, r, trimmed)
		return r
	}
	r.Credential, r.signed = data, data
	obj, err := dataintegrity.DecodeObject(data)
	if err != nil {
		r.add(CheckFormat, Fail, msg("verify.format.json"), err.Error())
		return r
	}
	r.add(CheckFormat, Pass, msg("verify.format.read"), "")
	v.verifyObject(ctx, r, data, obj, nil, "", nil)
	return r
}

// verifyObject runs every check after the format check on the credential
// raw, decoded as obj. jwtProof is set when
// the credential came in a JWT, whose signature is then the proof; jwtSigner
// and jwtKey are its verification method and key when it verified.
func (v *Verifier) verifyObject(ctx context.Context, r *Report, raw []byte, obj map[string]any, jwtProof *Check, jwtSigner string, jwtKey ed25519.PublicKey) {
	r.CredentialID, _ = obj["id"].(string)
	issuerID := issuerOf(obj)
	r.Issuer = issuerID
	if iss, ok := obj["issuer"].(map[string]any); ok {
		r.IssuerName, _ = iss["name"].(string)
	}

	v.checkStructure(r, obj)

	// Proof and issuer binding.
	var signer string
	var key ed25519.PublicKey
	if jwtProof != nil {
		r.Checks = append(r.Checks, *jwtProof)
		signer, key = jwtSigner, jwtKey
	} else {
		signer, key = v.checkProofs(ctx, r, raw)
	}
	v.checkIssuer(ctx, r, issuerID, signer, key)
	v.checkValidity(r, obj)
	v.checkStatus(ctx, r, obj)
	v.checkNotarization(ctx, r)
	v.checkKeyEnd(ctx, r, obj, signer)

	r.Verified = true
	for _, c := range r.Checks {
		if c.Outcome != Pass && c.Outcome != Warn {
			r.Verified = false
		}
	}
}

// keyResolver resolves verification methods for proof checking and
// remembers which key each resolved to.
type keyResolver struct {
	v    *Verifier
	keys map[string]ed25519.PublicKey
}

func (k *keyResolver) ResolveKey(ctx context.Context, vm string) (ed25519.PublicKey, error) {
	pub, err := k.v.resolveKey(ctx, vm)
	if err == nil {
		k.keys[vm] = pub
	}
	return pub, err
}

// resolveKey finds the key of a verification method without network access:
// did:key carries its key; the 1EdTech convention {issuer}#{publicKeyMultibase}
// carries it in the fragment; did:web keys come from the registry.
func (v *Verifier) resolveKey(ctx context.Context, vm string) (ed25519.PublicKey, error) {
	if err := checkIRI(vm); err != nil {
		return nil, fmt.Errorf("verification method: %w", err)
	}
	controller, fragment, _ := strings.Cut(vm, "#")
	scheme := vm[:strings.IndexByte(vm, ':')]
	switch scheme {
	case "did":
		method, err := did.Method(controller)
		if err != nil {
			return nil, err
		}
		switch method {
		case "key":
			doc, err := did.ResolveKey(controller)
			if err != nil {
				return nil, err
			}
			if fragment == "" { // a bare did:key names its only key
				vm = doc.VerificationMethod[0].ID
			}
			m, ok := doc.AssertionKey(vm)
			if !ok {
				return nil, fmt.Errorf("%s is not a key of %s", vm, controller)
			}
			return m.PublicKey()
		case "web":
			// A registered issuer's key comes from the registry. Otherwise a
			// key named by its multibase (attesta's and 1EdTech's convention)
			// lets the signature be checked; the issuer check then says the
			// issuer is not trusted. Nothing is fetched from the network.
			if v.Registry != nil {
				if _, pub, err := v.Registry.Resolve(ctx, vm); err == nil {
					return pub, nil
				}
			}
			if v.DIDWeb != nil {
				// The issuer's own document says which keys are its own.
				return v.fetchedKey(ctx, controller, vm)
			}
			if strings.HasPrefix(fragment, "z6Mk") {
				return did.DecodePublicKey(fragment)
			}
			return nil, fmt.Errorf("did:web %s is not in the registry, is not resolved over the network, and its key fragment is not a publicKeyMultibase", controller)
		default:
			return nil, fmt.Errorf("DID method %q is not supported (did:key, did:web)", method)
		}
	case "https", "http":
		if strings.HasPrefix(fragment, "z6Mk") {
			return did.DecodePublicKey(fragment)
		}
		return nil, fmt.Errorf("verification method %s: only the {issuer}#{publicKeyMultibase} form is resolved offline", vm)
	default:
		return nil, fmt.Errorf("verification method scheme %q is not supported (did, https)", scheme)
	}
}

// checkProofs verifies the Data Integrity proofs and returns the
// verification method and key of the proof that verified.
func (v *Verifier) checkProofs(ctx context.Context, r *Report, raw []byte) (string, ed25519.PublicKey) {
	res := &keyResolver{v: v, keys: map[string]ed25519.PublicKey{}}
	results, err := v.Suite.Verify(ctx, raw, res)
	if err != nil {
		r.add(CheckProof, Fail, msg("verify.proof.none"), err.Error())
		return "", nil
	}
	var ok *dataintegrity.ProofResult
	var failures, skipped []string
	var firstFail *dataintegrity.ProofError
	for i := range results {
		pr := &results[i]
		var pe *dataintegrity.ProofError
		switch {
		case pr.Err == nil:
			// The issuer's own proof, if there is one, binds it.
			if ok == nil || controllerOf(ok.VerificationMethod) != r.Issuer && controllerOf(pr.VerificationMethod) == r.Issuer {
				ok = pr
			}
		case errors.As(pr.Err, &pe) && pe.Step == dataintegrity.StepUnsupported:
			skipped = append(skipped, pr.Err.Error())
		default:
			failures = append(failures, pr.Err.Error())
			if firstFail == nil {
				errors.As(pr.Err, &firstFail)
			}
		}
	}
	switch {
	case len(failures) > 0:
		reason := msg("verify.proof.invalid")
		if firstFail != nil {
			switch firstFail.Step {
			case dataintegrity.StepProofForm:
				reason = msg("verify.proof.malformed")
			case dataintegrity.StepResolve:
				reason = msg("verify.proof.key")
			case dataintegrity.StepTransform:
				reason = msg("verify.proof.jsonld")
			}
		}
		r.add(CheckProof, Fail, reason, strings.Join(failures, "; "))
		return "", nil
	case ok == nil:
		r.add(CheckProof, Fail, msg("verify.proof.unsupported"), strings.Join(skipped, "; "))
		return "", nil
	}
	detail := fmt.Sprintf("%s, %s", ok.Cryptosuite, ok.VerificationMethod)
	if len(skipped) > 0 {
		detail += "; ignored: " + strings.Join(skipped, "; ")
	}
	r.add(CheckProof, Pass, msg("verify.proof.valid"), detail)
	return ok.VerificationMethod, res.keys[ok.VerificationMethod]
}

// checkIssuer decides whether the key that signed belongs to the issuer and
// whether that issuer is trusted.
func (v *Verifier) checkIssuer(ctx context.Context, r *Report, issuerID, vm string, key ed25519.PublicKey) {
	if vm == "" {
		r.add(CheckIssuer, Skip, msg("verify.issuer.skip"), "")
		return
	}
	controller, _, _ := strings.Cut(vm, "#")
	if controller != issuerID {
		r.add(CheckIssuer, Fail, msg("verify.issuer.other"),
			fmt.Sprintf("key %s, issuer %s", vm, issuerID))
		return
	}
	if v.Registry != nil {
		iss, pub, err := v.Registry.Resolve(ctx, vm)
		if err == nil && (key == nil || pub.Equal(key)) {
			r.Trusted, r.IssuerName, r.Chamber = true, iss.Profile.Name, iss.Chamber()
			if !iss.Chamber() {
				r.add(CheckIssuer, Pass, msg("verify.issuer.service", iss.Profile.Name), vm)
				return
			}
			r.add(CheckIssuer, Pass, msg("verify.issuer.registered", iss.Profile.Name), vm)
			return
		}
		if iss, err := v.Registry.IssuerByDID(ctx, issuerID); err == nil {
			// A registered issuer, but not one of its keys: a forgery, or a
			// key the issuer never published.
			r.add(CheckIssuer, Fail, msg("verify.issuer.notkey", iss.Profile.Name), vm)
			return
		}
	}
	for _, t := range v.Trust {
		if t.Issuer != "" && t.Issuer != issuerID {
			continue
		}
		if t.Key != nil && (key == nil || !t.Key.Equal(key)) {
			continue
		}
		r.Trusted = true
		r.add(CheckIssuer, Pass, msg("verify.issuer.trusted"), vm)
		return
	}
	if v.AnyIssuer && v.outsideIssuer(ctx, r, vm, key) {
		return
	}
	r.add(CheckIssuer, Fail, msg("verify.issuer.unknown"), issuerID)
}

func (v *Verifier) checkValidity(r *Report, obj map[string]any) {
	now := v.now()
	from, errFrom := parseDate(obj, "validFrom", "issuanceDate")
	until, errUntil := parseDate(obj, "validUntil", "expirationDate")
	switch {
	case errFrom != nil || errUntil != nil:
		r.add(CheckValidity, Fail, msg("verify.validity.unreadable"), errors.Join(errFrom, errUntil).Error())
	case !from.IsZero() && now.Before(from):
		r.add(CheckValidity, Fail, msg("verify.validity.early", attesta.Date(from)), from.Format(time.RFC3339))
	case !until.IsZero() && now.After(until):
		r.add(CheckValidity, Fail, msg("verify.validity.expired", attesta.Date(until)), until.Format(time.RFC3339))
	default:
		r.add(CheckValidity, Pass, msg("verify.validity.valid"), "")
	}
}

func (v *Verifier) checkStatus(ctx context.Context, r *Report, obj map[string]any) {
	entries, err := statusEntries(obj)
	if err != nil {
		r.add(CheckStatus, Fail, msg("verify.status.unsupported"), err.Error())
		return
	}
	if len(entries) == 0 {
		r.add(CheckStatus, Pass, msg("verify.status.none"), "")
		return
	}
	if v.Status == nil {
		r.add(CheckStatus, Skip, msg("verify.status.unavailable"), "no status source")
		return
	}
	var unavailable []string
	for _, e := range entries {
		e.CredentialID = r.CredentialID
		set, reason, err := v.Status.Status(ctx, e)
		if err != nil {
			unavailable = append(unavailable, err.Error())
			continue
		}
		if !set {
			continue
		}
		switch e.Purpose {
		case statuslist.Revocation:
			r.Revoked = true
			r.add(CheckStatus, Fail, msg("verify.status.revoked", reason), e.ListURL+"#"+strconv.Itoa(e.Index))
			return
		case statuslist.Suspension:
			r.Suspended = true
			r.add(CheckStatus, Fail, msg("verify.status.suspended", reason), e.ListURL+"#"+strconv.Itoa(e.Index))
			return
		}
	}
	if len(unavailable) > 0 {
		r.add(CheckStatus, Skip, msg("verify.status.unavailable"), strings.Join(unavailable, "; "))
		return
	}
	r.add(CheckStatus, Pass, msg("verify.status.valid"), "")
}

// checkNotarization reports the credential's notarization when the notary
// source knows its log. A credential of a registered issuer that the log
// does not know fails: every credential attesta issues is logged in the same
// transaction, so its key was used outside attesta.
func (v *Verifier) checkNotarization(ctx context.Context, r *Report) {
	if v.Notary == nil || r.CredentialID == "" {
		return
	}
	n, err := v.Notary.Notarization(ctx, r.CredentialID, r.signed)
	if err == nil {
		r.notarization = &n
	}
	switch {
	case err != nil:
		r.add(CheckNotarization, Fail, notaryReason(err), err.Error())
	case !n.Known && r.Trusted && v.Registry != nil:
		if _, err := v.Registry.IssuerByDID(ctx, r.Issuer); err == nil {
			r.add(CheckNotarization, Fail, msg("verify.notary.unknown"), "")
		}
	case !n.Known:
		// Another system's credential: its log is not available here.
	case n.Pending:
		r.add(CheckNotarization, Pass, msg("verify.notary.pending"), fmt.Sprintf("entry %d of %s", n.LeafIndex, n.Origin))
	default:
		detail := fmt.Sprintf("entry %d of %s, proven in the checkpoint of size %d", n.LeafIndex, n.Origin, n.Size)
		if len(n.Witnesses) > 0 {
			detail += ", cosigned by " + strings.Join(n.Witnesses, ", ")
		}
		if !n.Timestamp.IsZero() {
			detail += ", timestamped " + n.Timestamp.UTC().Format(time.RFC3339)
		}
		r.add(CheckNotarization, Pass, msg("verify.notary.valid"), detail)
	}
}

// notaryReason says why a notarization does not hold: the check of the
// receipt that failed (a refusal of notary.Receipt.Verify, whose keys are
// err.notary.receipt.…: its checkpoint is not signed by the log's key…),
// or else that the credential does not match its record.
func notaryReason(err error) Message {
	var e *attesta.Error
	if errors.As(err, &e) && strings.HasPrefix(e.Key, "err.notary.receipt.") && !errors.Is(err, notary.ErrNotRecorded) {
		return msg("verify.notary.receipt", e.Message)
	}
	return msg("verify.notary.mismatch")
}

func (v *Verifier) now() time.Time {
	if v.Clock != nil {
		return v.Clock()
	}
	return time.Now()
}

func statusEntries(obj map[string]any) ([]StatusEntry, error) {
	var list []any
	switch s := obj["credentialStatus"].(type) {
	case nil:
		return nil, nil
	case []any:
		list = s
	default:
		list = []any{s}
	}
	var out []StatusEntry
	for _, x := range list {
		e, _ := x.(map[string]any)
		if t, _ := e["type"].(string); t != "BitstringStatusListEntry" {
			return nil, fmt.Errorf("status type %v is not supported (BitstringStatusListEntry)", e["type"])
		}
		p, _ := e["statusPurpose"].(string)
		idx, err := strconv.Atoi(fmt.Sprint(e["statusListIndex"]))
		url, _ := e["statusListCredential"].(string)
		if err != nil || idx < 0 || url == "" {
			return nil, fmt.Errorf("malformed status entry %v", e["id"])
		}
		purpose := statuslist.Purpose(p)
		if !purpose.Valid() {
			continue // a purpose attesta does not act on, such as "message"
		}
		out = append(out, StatusEntry{ListURL: url, Index: idx, Purpose: purpose})
	}
	return out, nil
}

func issuerOf(obj map[string]any) string {
	switch iss := obj["issuer"].(type) {
	case string:
		return iss
	case map[string]any:
		id, _ := iss["id"].(string)
		return id
	}
	return ""
}

func parseDate(obj map[string]any, keys ...string) (time.Time, error) {
	for _, k := range keys {
		if v, ok := obj[k]; ok {
			s, _ := v.(string)
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return time.Time{}, fmt.Errorf("%s %v is not a date-time", k, v)
			}
			return t, nil
		}
	}
	return time.Time{}, nil
}

// msg returns the reason with the message key and args.
func msg(key string, args ...any) Message {
	m := attesta.M(key, args...)
	return Message{Message: m, IT: m.In("it"), EN: m.In("en")}
}
