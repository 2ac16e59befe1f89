package witness

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"

	"github.com/attesta/attesta/internal/tlog/checkpoint"
)

// Limits of add-checkpoint requests.
const (
	// MaxProofLines is the largest number of consistency proof lines, as the
	// tlog-witness specification allows clients to send.
	MaxProofLines = 63
	// MaxBodySize is the largest request body the witness reads: the old
	// size line, the proof lines, the blank line and a signed note of at
	// most checkpoint.MaxNoteSize bytes.
	MaxBodySize = checkpoint.MaxNoteSize + 4096
)

// An AddCheckpointRequest is the body of an add-checkpoint request.
type AddCheckpointRequest struct {
	// OldSize is the size of the latest checkpoint the client believes the
	// witness cosigned, 0 if none.
	OldSize int64
	// Proof is the consistency proof from OldSize to the checkpoint's size:
	// the hashes of golang.org/x/mod/sumdb/tlog.ProveTree, of the RFC 6962
	// tree. It is empty if OldSize is 0 or the checkpoint's size.
	Proof [][32]byte
	// Checkpoint is the signed checkpoint note.
	Checkpoint []byte
}

// ParseAddCheckpointBody parses the body of an add-checkpoint request: a line
// "old <size>" (decimal, no leading zeroes), at most [MaxProofLines] lines
// each the canonical base64 of a 32-byte hash, a blank line, and the signed
// checkpoint, which it does not parse. Errors wrap [ErrMalformed].
func ParseAddCheckpointBody(body []byte) (*AddCheckpointRequest, error) {
	if len(body) > MaxBodySize {
		return nil, fmt.Errorf("%w: the body is %d bytes, the limit is %d", ErrMalformed, len(body), MaxBodySize)
	}
	line, rest, ok := bytes.Cut(body, []byte("\n"))
	if !ok {
		return nil, fmt.Errorf("%w: no old size line", ErrMalformed)
	}
	old, ok := bytes.CutPrefix(line, []byte("old "))
	if !ok {
		return nil, fmt.Errorf("%w: the first line %.40q is not \"old <size>\"", ErrMalformed, line)
	}
	size, err := parseSize(string(old))
	if err != nil {
		return nil, fmt.Errorf("%w: old size: %v", ErrMalformed, err)
	}
	r := &AddCheckpointRequest{OldSize: size}
	for i := 2; ; i++ {
		line, rest, ok = bytes.Cut(rest, []byte("\n"))
		if !ok {
			return nil, fmt.Errorf("%w: no blank line before the checkpoint", ErrMalformed)
		}
		if len(line) == 0 {
			break
		}
		if len(r.Proof) == MaxProofLines {
			return nil, fmt.Errorf("%w: more than %d consistency proof lines", ErrMalformed, MaxProofLines)
		}
		h, err := checkpoint.ParseHash(string(line))
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: consistency proof hash: %v", ErrMalformed, i, err)
		}
		r.Proof = append(r.Proof, h)
	}
	if len(rest) == 0 {
		return nil, fmt.Errorf("%w: no checkpoint after the blank line", ErrMalformed)
	}
	r.Checkpoint = rest
	return r, nil
}

// parseSize parses a tree size in decimal with no sign and no leading zeroes.
func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%.40q is not a decimal number", s)
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("%q has a leading zero", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return n, nil
}

// Marshal returns the request body that [ParseAddCheckpointBody] parses.
func (r *AddCheckpointRequest) Marshal() ([]byte, error) {
	if r.OldSize < 0 {
		return nil, fmt.Errorf("witness: negative old size %d", r.OldSize)
	}
	if len(r.Proof) > MaxProofLines {
		return nil, fmt.Errorf("witness: %d consistency proof lines, the limit is %d", len(r.Proof), MaxProofLines)
	}
	if len(r.Checkpoint) == 0 {
		return nil, errors.New("witness: no checkpoint")
	}
	var b bytes.Buffer
	b.WriteString("old ")
	b.WriteString(strconv.FormatInt(r.OldSize, 10))
	b.WriteByte('\n')
	for _, h := range r.Proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.Write(r.Checkpoint)
	if b.Len() > MaxBodySize {
		return nil, fmt.Errorf("witness: the body is %d bytes, the limit is %d", b.Len(), MaxBodySize)
	}
	return b.Bytes(), nil
}
