package artefact

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Scanner looks for malware in an upload before it is kept. Scan returns
// nil for clean content, an [*Infected] for malware, and any other error
// when it could not tell — which refuses the upload too: nothing unscanned
// is kept when a scanner is configured.
type Scanner interface {
	Scan(ctx context.Context, name string, content []byte) error
}

// NoScan is the default Scanner: it finds nothing.
type NoScan struct{}

// Scan implements Scanner.
func (NoScan) Scan(context.Context, string, []byte) error { return nil }

// Infected is a scanner's verdict that content holds malware.
type Infected struct {
	Signature string // the scanner's name for it: "Win.Test.EICAR_HDB-1"
}

func (e *Infected) Error() string { return "malware found: " + e.Signature }

// Clamd is a Scanner that asks ClamAV's daemon, clamd, by its INSTREAM
// command: the content is sent in chunks over TCP or a unix socket, and
// clamd answers "stream: OK" or "stream: NAME FOUND". clamd refuses
// streams longer than its StreamMaxLength (25 MB by default): set it to the
// largest upload limit, or larger uploads are refused as unscanned.
type Clamd struct {
	Network string // "tcp" or "unix"
	Address string // host:port, or the socket's path
	// Timeout bounds a scan, from connecting to the verdict; 0 means two
	// minutes.
	Timeout time.Duration
}

var _ Scanner = (*Clamd)(nil)

// ParseClamd reads clamd's address: tcp://host:port or host:port, or
// unix:///path or an absolute path.
func ParseClamd(addr string) (*Clamd, error) {
	switch {
	case strings.HasPrefix(addr, "unix://"):
		addr = strings.TrimPrefix(addr, "unix://")
		if !strings.HasPrefix(addr, "/") {
			return nil, fmt.Errorf("clamd address unix://%s: the socket's path must be absolute", addr)
		}
		return &Clamd{Network: "unix", Address: addr}, nil
	case strings.HasPrefix(addr, "/"):
		return &Clamd{Network: "unix", Address: addr}, nil
	}
	addr = strings.TrimPrefix(addr, "tcp://")
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return nil, fmt.Errorf("clamd address %q is neither host:port, tcp://host:port nor unix:///path", addr)
	}
	return &Clamd{Network: "tcp", Address: addr}, nil
}

// chunk is the size of the INSTREAM chunks sent to clamd.
const chunk = 64 << 10

// Scan implements Scanner.
func (c *Clamd) Scan(ctx context.Context, name string, content []byte) error {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, c.Network, c.Address)
	if err != nil {
		return fmt.Errorf("clamd: %w", err)
	}
	defer conn.Close()
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	// "z" commands end with a NUL, and so does the answer. The reply is
	// read concurrently: clamd answers early, and closes, when the stream
	// passes its limit.
	reply := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(conn, 4096))
		reply <- b
	}()
	werr := func() error {
		if _, err := conn.Write([]byte("zINSTREAM\x00")); err != nil {
			return err
		}
		var size [4]byte
		for rest := content; len(rest) > 0; {
			n := min(len(rest), chunk)
			binary.BigEndian.PutUint32(size[:], uint32(n))
			if _, err := conn.Write(size[:]); err != nil {
				return err
			}
			if _, err := conn.Write(rest[:n]); err != nil {
				return err
			}
			rest = rest[n:]
		}
		_, err := conn.Write([]byte{0, 0, 0, 0})
		return err
	}()
	var answer []byte
	select {
	case answer = <-reply:
	case <-ctx.Done():
		return fmt.Errorf("clamd: %w", ctx.Err())
	}
	answer = bytes.TrimRight(answer, "\x00\n")
	verdict := string(answer)
	switch {
	case verdict == "stream: OK":
		return nil
	case strings.HasPrefix(verdict, "stream: ") && strings.HasSuffix(verdict, " FOUND"):
		return &Infected{Signature: strings.TrimSuffix(strings.TrimPrefix(verdict, "stream: "), " FOUND")}
	case verdict == "":
		if werr != nil {
			return fmt.Errorf("clamd: %w", werr)
		}
		return errors.New("clamd: no answer")
	}
	return fmt.Errorf("clamd: %q", verdict)
}
