package credential

import (
	"context"
	"fmt"
	"time"

	"github.com/attesta/attesta"
)

// CheckKey is the check of the end of the key that signed: a registered
// issuer's key that was retired, or retired because it was compromised,
// ends on a date (issuer.Key.RetiredAt), and what it signed after then does
// not verify. The date a proof gives (its created) is the signer's word, so
// a credential of an ended key verifies only when its notarization proves
// it was in the transparency log by the end: the RFC 3161 timestamp or the
// witnesses' cosignatures of the first checkpoint that includes it, or —
// for the log's own verifier, which trusts its database as it trusts the
// key's end — the log's record of when it was appended. Without such proof
// the check is skipped as unproven, which does not verify. Reported only
// for a key that has ended.
const CheckKey CheckID = "key"

// KeyEnds is a Registry that knows when its issuers' keys ended
// (issuer.Service).
type KeyEnds interface {
	// KeyEnd returns when the registered key of the verification method
	// ended (zero if it is current) and whether it was compromised; an
	// error if the registry does not know the key.
	KeyEnd(ctx context.Context, verificationMethod string) (end time.Time, compromised bool, err error)
}

// checkKeyEnd checks the end of the key vm that signed the credential obj,
// after the notarization check.
func (v *Verifier) checkKeyEnd(ctx context.Context, r *Report, obj map[string]any, vm string) {
	ends := v.Ends
	if ends == nil {
		ends, _ = v.Registry.(KeyEnds)
	}
	if vm == "" || ends == nil {
		return
	}
	end, compromised, err := ends.KeyEnd(ctx, vm)
	switch {
	case attesta.ErrorCode(err) == attesta.NotFound:
		return // not a key it knows: the issuer check says so
	case err != nil:
		r.add(CheckKey, Skip, msg("verify.key.unavailable"), err.Error())
		return
	case end.IsZero():
		return
	}
	end = end.UTC()
	ended := msg("verify.key.retired")
	if compromised {
		ended = msg("verify.key.compromised")
	}
	if signed, ok := signedAt(obj, vm); ok && signed.After(end) {
		r.add(CheckKey, Fail, msg("verify.key.after", ended, attesta.DateTime(end), attesta.DateTime(signed)),
			fmt.Sprintf("key %s ended %s; proof created %s", vm, end.Format(time.RFC3339), signed.UTC().Format(time.RFC3339)))
		return
	}
	n := r.notarization
	before := func(t time.Time) bool { return !t.IsZero() && !t.After(end) }
	detail := fmt.Sprintf("key %s ended %s", vm, end.Format(time.RFC3339))
	switch {
	case n == nil || !n.Known:
		r.add(CheckKey, Skip, msg("verify.key.unproven", ended, attesta.DateTime(end)), detail+"; the credential's notarization is not at hand")
	case before(n.Timestamp):
		r.add(CheckKey, Pass, msg("verify.key.timestamped", ended, attesta.DateTime(end), attesta.DateTime(n.Timestamp)),
			detail+"; in the log by "+n.Timestamp.UTC().Format(time.RFC3339)+" (RFC 3161 timestamp)")
	case before(n.Witnessed):
		r.add(CheckKey, Pass, msg("verify.key.witnessed", ended, attesta.DateTime(end), attesta.DateTime(n.Witnessed)),
			detail+"; in the log by "+n.Witnessed.UTC().Format(time.RFC3339)+" (witnesses' cosignatures)")
	case n.Own && before(n.Logged):
		r.add(CheckKey, Pass, msg("verify.key.logged", ended, attesta.DateTime(end), attesta.DateTime(n.Logged)),
			detail+"; appended to the log "+n.Logged.UTC().Format(time.RFC3339))
	case !n.Logged.IsZero() && n.Logged.After(end):
		r.add(CheckKey, Fail, msg("verify.key.late", ended, attesta.DateTime(end), attesta.DateTime(n.Logged)),
			detail+"; appended to the log "+n.Logged.UTC().Format(time.RFC3339))
	default:
		d := detail + "; "
		switch {
		case !n.Timestamp.IsZero():
			d += "timestamped only " + n.Timestamp.UTC().Format(time.RFC3339)
		case !n.Witnessed.IsZero():
			d += "cosigned only " + n.Witnessed.UTC().Format(time.RFC3339)
		default:
			d += "no timestamp or witness cosignature proves when it was logged"
		}
		r.add(CheckKey, Skip, msg("verify.key.unproven", ended, attesta.DateTime(end)), d)
	}
}

// signedAt is when the credential says it was signed with vm: the created
// of its proof by vm, or else (a JWT, a proof without created) its
// validFrom.
func signedAt(obj map[string]any, vm string) (time.Time, bool) {
	var proofs []any
	switch p := obj["proof"].(type) {
	case []any:
		proofs = p
	case map[string]any:
		proofs = []any{p}
	}
	for _, p := range proofs {
		p, _ := p.(map[string]any)
		if m, _ := p["verificationMethod"].(string); m != vm {
			continue
		}
		if s, ok := p["created"].(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return t, true
			}
		}
	}
	if t, err := parseDate(obj, "validFrom", "issuanceDate"); err == nil && !t.IsZero() {
		return t, true
	}
	return time.Time{}, false
}
