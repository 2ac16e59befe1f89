package notary

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/rfc3161"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/internal/tlog/witness"
)

// Witness is a witness the log asks to cosign its checkpoints: the
// submission prefix of its C2SP tlog-witness endpoint and its cosignature
// key.
type Witness struct {
	URL string
	Key checkpoint.CosignatureVerifier
}

// ParseWitness reads a witness as configured: its URL and its verifier key
// separated by a space, "https://witness.example/witness
// witness.example/witness+1a2b3c4d+BA…".
func ParseWitness(s string) (Witness, error) {
	url, vkey, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return Witness{}, fmt.Errorf("witness %q: want its URL and its verifier key separated by a space", s)
	}
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return Witness{}, fmt.Errorf("witness %q: the URL must be http(s)", s)
	}
	key, err := checkpoint.ParseCosignatureVerifierKey(strings.TrimSpace(vkey))
	if err != nil {
		return Witness{}, fmt.Errorf("witness %q: %w", s, err)
	}
	return Witness{URL: strings.TrimSuffix(url, "/"), Key: key}, nil
}

// Policy is the policy of this log as its own verifiers should hold it: its
// key, its witnesses and its quorum.
func (l *Log) Policy(ctx context.Context) (checkpoint.Policy, error) {
	if err := l.load(ctx); err != nil {
		return checkpoint.Policy{}, err
	}
	p := checkpoint.Policy{Log: l.signer.Verifier(), Quorum: l.quorum}
	for _, w := range l.witnesses {
		p.Witnesses = append(p.Witnesses, w.Key)
	}
	return p, nil
}

// complete reports whether the checkpoint may be published: cosigned by the
// quorum and, when the log has a TSA, timestamped.
func (l *Log) complete(p checkpoint.Policy, cp StoredCheckpoint) bool {
	if _, err := p.Verify(cp.Note); err != nil {
		return false
	}
	return l.tsa == nil || len(cp.Timestamp) > 0
}

// Checkpoint returns the latest published checkpoint: the latest one
// cosigned by the quorum of witnesses and, when the log has a TSA,
// timestamped. Without witnesses and TSA it is the latest checkpoint.
// NotFound if none is published yet.
//
// Only the latest checkpoint is ever completed (Notarize works on it), so an
// older incomplete one stays so: the published checkpoint is the latest if
// it is complete, else the one found before (remembered), else the newest
// complete one, searched once.
func (l *Log) Checkpoint(ctx context.Context) (StoredCheckpoint, error) {
	latest, err := l.latest(ctx)
	if err != nil || (len(l.witnesses) == 0 && l.tsa == nil) {
		return latest, err
	}
	p, err := l.Policy(ctx)
	if err != nil {
		return StoredCheckpoint{}, err
	}
	if l.complete(p, latest) {
		l.setPublished(latest)
		return latest, nil
	}
	if cp, ok := l.lastPublished(); ok {
		return cp, nil
	}
	sizes, err := l.store.Checkpoints(ctx)
	if err != nil {
		return StoredCheckpoint{}, err
	}
	for i := len(sizes) - 1; i >= 0; i-- {
		if sizes[i] >= latest.Size {
			continue
		}
		cp, err := l.store.Checkpoint(ctx, sizes[i])
		if err != nil {
			return StoredCheckpoint{}, err
		}
		if l.complete(p, cp) {
			l.setPublished(cp)
			return cp, nil
		}
	}
	return StoredCheckpoint{}, unpublished(l.quorum, l.tsa != nil)
}

// unpublished says that no checkpoint is cosigned by quorum witnesses (and
// timestamped) yet.
func unpublished(quorum int, timestamped bool) error {
	if timestamped {
		return attesta.E(attesta.NotFound, "err.notary.unpublished.timestamped", quorum)
	}
	return attesta.E(attesta.NotFound, "err.notary.unpublished", quorum)
}

func (l *Log) lastPublished() (StoredCheckpoint, bool) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.published == nil {
		return StoredCheckpoint{}, false
	}
	return *l.published, true
}

func (l *Log) setPublished(cp StoredCheckpoint) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.published == nil || cp.Size >= l.published.Size {
		l.published = &cp
	}
}

// Notarize asks the witnesses that have not yet cosigned the latest
// checkpoint for their cosignatures and, if the log has a TSA and the
// checkpoint no token, for a timestamp; it stores what it got. It returns
// an error naming each witness or TSA that failed, after storing what the
// others gave: the next call retries only what is missing.
func (l *Log) Notarize(ctx context.Context) error {
	if len(l.witnesses) == 0 && l.tsa == nil {
		return nil
	}
	if err := l.load(ctx); err != nil {
		return err
	}
	// Only a published checkpoint is shown to witnesses.
	cp, err := l.latest(ctx)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	n, err := checkpoint.Open(cp.Note, l.signer.Verifier())
	if err != nil {
		return fmt.Errorf("the stored checkpoint of size %d: %w", cp.Size, err)
	}
	var missing []Witness
	for _, w := range l.witnesses {
		if !cosignedBy(n, w.Key) {
			missing = append(missing, w)
		}
	}
	var errs []error
	lines := make([]string, len(missing))
	failed := make([]error, len(missing))
	var wg sync.WaitGroup
	for i, w := range missing {
		wg.Go(func() { lines[i], failed[i] = l.cosign(ctx, w, cp, n.Text) })
	}
	var token []byte
	if l.tsa != nil && len(cp.Timestamp) == 0 {
		tok, err := l.timestamp(ctx, n.Text)
		if err != nil {
			errs = append(errs, err)
		} else {
			token = tok
		}
	}
	wg.Wait()
	note := slices.Clone(cp.Note)
	for i, line := range lines {
		if failed[i] != nil {
			errs = append(errs, failed[i])
			continue
		}
		note = append(note, line...)
	}
	if len(note) != len(cp.Note) || token != nil {
		cp.Note, cp.Timestamp = note, token
		if err := l.store.UpdateCheckpoint(ctx, cp); err != nil {
			errs = append(errs, fmt.Errorf("storing the cosigned checkpoint of size %d: %w", cp.Size, err))
		} else if err := l.publishNote(ctx, cp); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func cosignedBy(n *checkpoint.Note, key checkpoint.CosignatureVerifier) bool {
	for _, s := range n.UnverifiedSigs {
		if s.Name == key.Name() && s.KeyID == key.KeyID() {
			return true // verified when the checkpoint is read against a policy
		}
	}
	return false
}

// cosign submits the checkpoint to one witness, with a consistency proof
// from the size it last cosigned, and returns its verified cosignature line.
func (l *Log) cosign(ctx context.Context, w Witness, cp StoredCheckpoint, text []byte) (string, error) {
	client := &witness.Client{URL: w.URL, HTTP: l.http}
	l.wmu.Lock()
	old := l.witnessSizes[w.URL]
	l.wmu.Unlock()
	for attempt := 0; ; attempt++ {
		if old > cp.Size {
			return "", l.witnessAhead(ctx, w, old)
		}
		var proof [][32]byte
		if old > 0 && old < cp.Size {
			p, err := l.ConsistencyProof(ctx, old, cp.Size)
			if err != nil {
				return "", fmt.Errorf("witness %s: consistency proof from %d: %w", w.Key.Name(), old, err)
			}
			for _, h := range p {
				proof = append(proof, h)
			}
		}
		lines, err := client.AddCheckpoint(ctx, old, proof, logSigned(cp.Note, text))
		var stale *witness.OldSizeError
		if errors.As(err, &stale) && attempt == 0 {
			old = stale.Latest
			continue
		}
		if err != nil {
			return "", fmt.Errorf("witness %s (%s): %w", w.Key.Name(), w.URL, err)
		}
		for _, line := range lines {
			if _, err := checkpoint.VerifyCosignature(w.Key, text, line); err == nil {
				l.wmu.Lock()
				l.witnessSizes[w.URL] = cp.Size
				l.wmu.Unlock()
				return line, nil
			}
		}
		return "", fmt.Errorf("witness %s (%s): no valid cosignature by its key in its answer", w.Key.Name(), w.URL)
	}
}

// logSigned returns the checkpoint note with its first signature line only,
// the log's own: what a witness is asked to cosign.
func logSigned(note, text []byte) []byte {
	rest := note[len(text)+1:]
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i+1]
	}
	return append(append(slices.Clip(text), '\n'), rest...)
}

// timestamp asks the TSA for a token over SHA-256 of the checkpoint text
// and verifies it when the log has the TSA's roots.
func (l *Log) timestamp(ctx context.Context, text []byte) ([]byte, error) {
	tok, err := l.tsa.Timestamp(ctx, digest(text))
	if err != nil {
		return nil, fmt.Errorf("timestamp authority %s: %w", l.tsa.URL, err)
	}
	if l.tsaRoots != nil {
		if err := tok.Verify(digest(text), rfc3161.VerifyOptions{Roots: l.tsaRoots}); err != nil {
			return nil, fmt.Errorf("timestamp authority %s: its token does not verify: %w", l.tsa.URL, err)
		}
	}
	return tok.Raw, nil
}
