package notary

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/rfc3161"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
)

// ReceiptType identifies the receipt format.
const ReceiptType = "attesta-notarization-receipt/v1"

// Receipt is everything needed to check, offline and after attesta is gone,
// that a credential was notarized: the log entry, its inclusion proof in a
// checkpoint, the checkpoint with the log's signature and the witnesses'
// cosignatures, and the checkpoint's RFC 3161 timestamp.
type Receipt struct {
	Type       string   `json:"type"`
	Origin     string   `json:"origin"`
	LogKey     string   `json:"log_key"`    // the log's verifier key, for information: verifiers pin their own
	Entry      []byte   `json:"entry"`      // the 73-byte entry
	LeafIndex  int64    `json:"leaf_index"` //
	Proof      [][]byte `json:"inclusion_proof"`
	Checkpoint string   `json:"checkpoint"`          // the signed (and cosigned) note
	Timestamp  []byte   `json:"timestamp,omitempty"` // DER RFC 3161 token over SHA-256 of the checkpoint text
}

// Receipt returns the receipt of the entry at index, against the latest
// published checkpoint (see Checkpoint), which must include it.
func (l *Log) Receipt(ctx context.Context, index int64) (*Receipt, error) {
	cp, err := l.Checkpoint(ctx)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil, fmt.Errorf("entry %d: %w (%v)", index, ErrNotYetSequenced, err)
	}
	if err != nil {
		return nil, err
	}
	if index >= cp.Size {
		return nil, fmt.Errorf("entry %d is not yet in a checkpoint (size %d): %w", index, cp.Size, ErrNotYetSequenced)
	}
	return l.receiptAt(ctx, index, cp)
}

// receiptAt returns the receipt of the entry at index against cp, which
// includes it.
func (l *Log) receiptAt(ctx context.Context, index int64, cp StoredCheckpoint) (*Receipt, error) {
	entries, err := l.store.Entries(ctx, index, index+1)
	if err != nil {
		return nil, err
	}
	proof, err := l.InclusionProof(ctx, index, cp.Size)
	if err != nil {
		return nil, err
	}
	vkey, err := l.VerifierKey(ctx)
	if err != nil {
		return nil, err
	}
	r := &Receipt{Type: ReceiptType, Origin: l.origin, LogKey: vkey, Entry: entries[0], LeafIndex: index,
		Checkpoint: string(cp.Note), Timestamp: cp.Timestamp}
	for _, h := range proof {
		r.Proof = append(r.Proof, h[:])
	}
	return r, nil
}

// ErrNotYetSequenced means an entry was appended but no checkpoint covers it
// yet; the sequencer will integrate it within seconds.
var ErrNotYetSequenced = errors.New("not yet sequenced")

// ReceiptPolicy is what a verifier of a receipt trusts.
type ReceiptPolicy struct {
	// LogKey is the log's verifier key (signed-note format), pinned by the
	// verifier, not taken from the receipt.
	LogKey string
	// Witnesses are the verifier keys of the witnesses the verifier trusts
	// (cosignature/v1), of which Quorum must have cosigned the checkpoint.
	Witnesses []string
	Quorum    int
	// TSARoots are the trusted roots of timestamp authorities; nil means
	// the timestamp is not required (and, if present, not checked).
	TSARoots *x509.CertPool
}

// VerifiedReceipt is what a receipt proves.
type VerifiedReceipt struct {
	Entry     Entry
	LeafIndex int64
	Origin    string
	Size      int64          // of the checkpoint the entry is proven in
	Witnesses []string       // names of the trusted witnesses whose cosignatures verified
	Timestamp *rfc3161.Token // nil if not checked
	// Witnessed is when the quorum of trusted witnesses (at least one)
	// had cosigned the checkpoint, by the times they signed: the
	// quorum-th earliest. Zero if fewer cosigned it.
	Witnessed time.Time
}

// ParseReceipt decodes a receipt. An error is an *attesta.Error with code
// Invalid; one that JSON cannot read is said with the words of the JSON
// decoder (in English).
func ParseReceipt(data []byte) (*Receipt, error) {
	if len(data) > 1<<20 {
		return nil, attesta.E(attesta.Invalid, "err.notary.receipt.large")
	}
	var r Receipt
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, attesta.E(attesta.Invalid, "err.notary.receipt.json", err.Error())
	}
	if r.Type != ReceiptType {
		return nil, attesta.E(attesta.Invalid, "err.notary.receipt.type", r.Type, ReceiptType)
	}
	return &r, nil
}

// ErrNotRecorded is the refusal of a receipt whose entry records another
// credential, or other bytes of it: the credential is not the one that was
// notarized.
var ErrNotRecorded = attesta.E(attesta.Invalid, "err.notary.receipt.other")

// Verify checks the receipt for the credential with the given id and exact
// signed bytes, offline: the entry records that credential, the checkpoint is
// signed by the log and cosigned as the policy requires, the entry is in the
// checkpoint's tree, and the timestamp covers the checkpoint. Each failure
// is an *attesta.Error with code Invalid and a key "err.notary.receipt.…"
// whose message says which check failed, in English as "check: what"
// ("checkpoint: not signed by the log key …"); the cause from a lower
// library, if any, follows in Error() and is not said to people.
// [ErrNotRecorded] is the credential that differs.
func (r *Receipt) Verify(credentialID string, credential []byte, p ReceiptPolicy) (*VerifiedReceipt, error) {
	e, err := ParseEntry(r.Entry)
	if err != nil {
		return nil, attesta.Wrap(err, attesta.Invalid, "err.notary.receipt.entry")
	}
	if !e.Matches(credentialID, credential) {
		return nil, ErrNotRecorded
	}
	policy, err := p.policy()
	if err != nil {
		return nil, err
	}
	cp, err := policy.Verify([]byte(r.Checkpoint))
	var quorum *checkpoint.QuorumError
	switch {
	case errors.As(err, &quorum):
		return nil, attesta.E(attesta.Invalid, "err.notary.receipt.cosigned", quorum.Have, quorum.Witnesses, quorum.Need)
	case errors.Is(err, checkpoint.ErrNoLogSignature), errors.As(err, new(*checkpoint.UnverifiedNoteError)):
		return nil, attesta.E(attesta.Invalid, "err.notary.receipt.unsigned", policy.Log.Name())
	case err != nil:
		return nil, attesta.Wrap(err, attesta.Invalid, "err.notary.receipt.checkpoint")
	}
	if cp.Origin != policy.Log.Name() {
		return nil, attesta.E(attesta.Invalid, "err.notary.receipt.origin", cp.Origin, policy.Log.Name())
	}
	origin, size, root := cp.Origin, cp.Size, cp.Root
	text := cp.Marshal()
	if r.LeafIndex < 0 || r.LeafIndex >= size {
		return nil, attesta.E(attesta.Invalid, "err.notary.receipt.leaf", r.LeafIndex, size)
	}
	proof := make(tlog.RecordProof, len(r.Proof))
	for i, h := range r.Proof {
		if len(h) != len(tlog.Hash{}) {
			return nil, attesta.E(attesta.Invalid, "err.notary.receipt.hash", i, len(h))
		}
		copy(proof[i][:], h)
	}
	if err := tlog.CheckRecord(proof, size, tlog.Hash(root), r.LeafIndex, tlog.RecordHash(r.Entry)); err != nil {
		return nil, attesta.Wrap(err, attesta.Invalid, "err.notary.receipt.inclusion")
	}
	v := &VerifiedReceipt{Entry: e, LeafIndex: r.LeafIndex, Origin: origin, Size: size}
	v.Witnesses, v.Witnessed = cosigners(policy, r.Checkpoint)
	if p.TSARoots != nil {
		if len(r.Timestamp) == 0 {
			return nil, attesta.E(attesta.Invalid, "err.notary.receipt.notimestamp")
		}
		tok, err := rfc3161.ParseToken(r.Timestamp)
		if err != nil {
			return nil, attesta.Wrap(err, attesta.Invalid, "err.notary.receipt.timestamp")
		}
		if err := tok.Verify(digest(text), rfc3161.VerifyOptions{Roots: p.TSARoots}); err != nil {
			return nil, attesta.Wrap(err, attesta.Invalid, "err.notary.receipt.timestamp")
		}
		v.Timestamp = tok
	}
	return v, nil
}

func (p ReceiptPolicy) policy() (checkpoint.Policy, error) {
	logKey, err := checkpoint.ParseVerifierKey(p.LogKey)
	if err != nil {
		return checkpoint.Policy{}, attesta.Wrap(err, attesta.Invalid, "err.notary.receipt.logkey")
	}
	policy := checkpoint.Policy{Log: logKey, Quorum: p.Quorum}
	for _, k := range p.Witnesses {
		w, err := checkpoint.ParseCosignatureVerifierKey(k)
		if err != nil {
			return checkpoint.Policy{}, attesta.Wrap(err, attesta.Invalid, "err.notary.receipt.witnesskey")
		}
		policy.Witnesses = append(policy.Witnesses, w)
	}
	if p.Quorum < 0 || p.Quorum > len(policy.Witnesses) {
		return checkpoint.Policy{}, attesta.E(attesta.Invalid, "err.notary.receipt.quorum", p.Quorum, len(policy.Witnesses))
	}
	return policy, nil
}

// cosigners lists the policy's witnesses whose cosignatures on the note
// verify, and the time by which the quorum of them (at least one) had
// cosigned it; the note was already verified against the policy.
func cosigners(p checkpoint.Policy, note string) ([]string, time.Time) {
	var names []string
	var times []time.Time
	for _, w := range p.Witnesses {
		n, err := checkpoint.Open([]byte(note), w)
		if err != nil || len(n.Sigs) != 1 {
			continue
		}
		names = append(names, w.Name())
		if t, err := checkpoint.VerifyCosignature(w, n.Text, n.Sigs[0].Line()); err == nil {
			times = append(times, t)
		}
	}
	quorum := max(p.Quorum, 1)
	if len(times) < quorum {
		return names, time.Time{}
	}
	slices.SortFunc(times, time.Time.Compare)
	return names, times[quorum-1].UTC()
}
