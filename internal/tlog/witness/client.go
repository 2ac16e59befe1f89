package witness

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/attesta/attesta/internal/tlog/checkpoint"
)

// maxResponseSize is the largest response the client reads.
const maxResponseSize = 64 << 10

// A Client asks a witness for cosignatures, the log's side of the protocol.
type Client struct {
	// URL is the witness's submission prefix, e.g.
	// "https://witness.example.org/w1"; requests go to URL + "/add-checkpoint".
	URL string
	// HTTP is the client of the requests; nil means http.DefaultClient.
	HTTP *http.Client
}

// A ResponseError is an answer of the witness other than 200 OK and other
// than a 409 Conflict carrying the witness's size. It wraps the error of this
// package for its status, if any: ErrMalformed (400), ErrNotSigned (403),
// ErrUnknownLog (404), ErrRootMismatch (409) or ErrInconsistent (422).
type ResponseError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Body is the start of the response body.
	Body string
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("witness: answered %d %s: %s", e.StatusCode, http.StatusText(e.StatusCode), e.Body)
}

// Unwrap returns the error of this package for the status, or nil.
func (e *ResponseError) Unwrap() error {
	switch e.StatusCode {
	case http.StatusBadRequest:
		return ErrMalformed
	case http.StatusForbidden:
		return ErrNotSigned
	case http.StatusNotFound:
		return ErrUnknownLog
	case http.StatusConflict:
		return ErrRootMismatch
	case http.StatusUnprocessableEntity:
		return ErrInconsistent
	}
	return nil
}

// AddCheckpoint submits a signed checkpoint with the consistency proof from
// oldSize, the size of the last checkpoint the witness cosigned (0 if none or
// unknown), and returns the witness's cosignature lines, each ending in a
// newline; appended to the signed checkpoint, they make it cosigned. The
// lines are well-formed signature lines but not verified: the caller checks
// them with checkpoint.VerifyCosignature or a checkpoint.Policy and the
// witness's key.
//
// If oldSize is not the witness's latest size, AddCheckpoint returns an
// [*OldSizeError] with the witness's size, from which the caller can retry
// with a new proof. Other refusals are [*ResponseError]s.
func (c *Client) AddCheckpoint(ctx context.Context, oldSize int64, proof [][32]byte, signedNote []byte) ([]string, error) {
	body, err := (&AddCheckpointRequest{OldSize: oldSize, Proof: proof, Checkpoint: signedNote}).Marshal()
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.URL, "/")+"/add-checkpoint", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize+1))
	if err != nil {
		return nil, fmt.Errorf("witness: reading the answer: %w", err)
	}
	if len(data) > maxResponseSize {
		return nil, fmt.Errorf("witness: the answer (%d %s) is larger than %d bytes", resp.StatusCode, http.StatusText(resp.StatusCode), maxResponseSize)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return parseCosignatures(data)
	case http.StatusConflict:
		if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil && mt == sizeContentType {
			line, ok := strings.CutSuffix(string(data), "\n")
			size, err := parseSize(line)
			if !ok || err != nil {
				return nil, fmt.Errorf("witness: malformed %s answer %.40q", sizeContentType, data)
			}
			return nil, &OldSizeError{Old: oldSize, Latest: size}
		}
	}
	msg := strings.TrimSpace(string(data))
	if len(msg) > 512 {
		msg = msg[:512] + "…"
	}
	return nil, &ResponseError{StatusCode: resp.StatusCode, Body: msg}
}

// parseCosignatures splits the body of a 200 answer into signature lines.
func parseCosignatures(data []byte) ([]string, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("witness: the answer has no cosignature")
	}
	if data[len(data)-1] != '\n' {
		return nil, fmt.Errorf("witness: the answer does not end in a newline")
	}
	var lines []string
	for _, l := range strings.SplitAfter(string(data[:len(data)-1]), "\n") {
		l = strings.TrimSuffix(l, "\n") + "\n"
		if _, err := checkpoint.ParseSignatureLine(l); err != nil {
			return nil, fmt.Errorf("witness: the answer: %w", err)
		}
		lines = append(lines, l)
	}
	return lines, nil
}
