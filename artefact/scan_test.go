package artefact_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/artefact/artefacttest"
	"github.com/attesta/attesta/blob"
)

// marker is what the test scanners take for malware: the fake clamd
// below, and the real clamd's signature database made by realClamd.
const marker = "ATTESTA-TEST-MALWARE-MARKER"

// fakeClamd serves clamd's INSTREAM protocol on l as clamd does: the
// command, chunks each with its big-endian length, a zero length; it
// answers "stream: OK", "stream: Attesta-Test-Marker FOUND" when the
// stream holds marker, or "INSTREAM size limit exceeded. ERROR" past
// limit bytes. It returns the streams it received.
func fakeClamd(t *testing.T, l net.Listener, limit int) <-chan []byte {
	streams := make(chan []byte, 16)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				cmd := make([]byte, len("zINSTREAM\x00"))
				if _, err := io.ReadFull(c, cmd); err != nil || string(cmd) != "zINSTREAM\x00" {
					c.Write([]byte("UNKNOWN COMMAND\x00"))
					return
				}
				var stream []byte
				for {
					var size [4]byte
					if _, err := io.ReadFull(c, size[:]); err != nil {
						return
					}
					n := binary.BigEndian.Uint32(size[:])
					if n == 0 {
						break
					}
					if len(stream)+int(n) > limit {
						c.Write([]byte("INSTREAM size limit exceeded. ERROR\x00"))
						return
					}
					chunk := make([]byte, n)
					if _, err := io.ReadFull(c, chunk); err != nil {
						return
					}
					stream = append(stream, chunk...)
				}
				streams <- stream
				if bytes.Contains(stream, []byte(marker)) {
					c.Write([]byte("stream: Attesta-Test-Marker FOUND\x00"))
				} else {
					c.Write([]byte("stream: OK\x00"))
				}
			}()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return streams
}

// infectedPNG is a valid PNG image that carries marker in a text chunk.
func infectedPNG(t *testing.T) []byte {
	png := sample(t, "drawing.png")
	chunk := []byte("tEXtComment\x00" + marker)
	var b bytes.Buffer
	b.Write(png[:33]) // the signature and IHDR
	binary.Write(&b, binary.BigEndian, uint32(len(chunk)-4))
	b.Write(chunk)
	b.Write([]byte{0, 0, 0, 0}) // a CRC no scanner checks
	b.Write(png[33:])
	return b.Bytes()
}

// scanUploads checks a Clamd scanner through uploads: a clean file is
// kept, whole, in chunks; an infected one is refused, named in the log
// with its signature and never its content; a stream over clamd's limit
// is refused as unscanned.
func scanUploads(t *testing.T, scanner *artefact.Clamd, large bool) {
	t.Helper()
	ctx := context.Background()
	m := &blob.Memory{}
	var logged bytes.Buffer
	svc := artefact.NewService(artefact.Options{Blobs: m, Store: &artefacttest.Trail{}, Scanner: scanner,
		Log: slog.New(slog.NewTextHandler(&logged, nil))})
	clean := artefacttest.PNG(t, 300<<10) // several chunks
	if _, err := svc.Upload(ctx, artefacttest.Tutor, artefact.File{Name: "pulito.png", Content: bytes.NewReader(clean)}, artefacttest.Here); err != nil {
		t.Fatalf("a clean file: %v", err)
	}
	infected := infectedPNG(t)
	if artefact.Detect(infected).Name != "png" {
		t.Fatal("the infected sample is not a PNG")
	}
	_, err := svc.Upload(ctx, artefacttest.Tutor, artefact.File{Name: "infetto.png", Content: bytes.NewReader(infected)}, artefacttest.Here)
	if attesta.ErrorCode(err) != attesta.Invalid || attesta.ErrorKey(err) != "err.artefact.infected" {
		t.Fatalf("an infected file: %v", err)
	}
	// ClamAV adds .UNOFFICIAL to the names of signatures of its users'.
	if got := strings.Replace(attesta.MessageIn(err, "it"), ".UNOFFICIAL", "", 1); got != "in «infetto.png» l'antivirus ha trovato Attesta-Test-Marker: il file non è stato salvato" {
		t.Errorf("it: %s", got)
	}
	if log := logged.String(); !strings.Contains(log, "signature=Attesta-Test-Marker") || !strings.Contains(log, "name=infetto.png") || strings.Contains(log, marker) {
		t.Errorf("log: %s", log)
	}
	if large {
		_, err = svc.Upload(ctx, artefacttest.Tutor, artefact.File{Name: "grande.png", Content: bytes.NewReader(artefacttest.PNG(t, 2<<20))}, artefacttest.Here)
		if attesta.ErrorCode(err) != attesta.Unavailable || attesta.ErrorKey(err) != "err.artefact.scan" || !strings.Contains(err.Error(), "size limit exceeded") {
			t.Errorf("a stream over clamd's limit: %v", err)
		}
	}
	if names := m.Names(); len(names) != 1 {
		t.Errorf("the store holds %q, want the clean file only", names)
	}
}

// The clamd scanner speaks INSTREAM over TCP and over a unix socket to a
// fake clamd, which receives the content whole.
func TestClamdProtocol(t *testing.T) {
	t.Run("tcp", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		streams := fakeClamd(t, l, 1<<20)
		c, err := artefact.ParseClamd("tcp://" + l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		scanUploads(t, c, true)
		if got := <-streams; artefact.Detect(got).Name != "png" || len(got) < 300<<10 {
			t.Errorf("clamd received %d bytes", len(got))
		}
	})
	t.Run("unix", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "clamd.sock")
		l, err := net.Listen("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		fakeClamd(t, l, 1<<20)
		c, err := artefact.ParseClamd("unix://" + path)
		if err != nil || c.Network != "unix" {
			t.Fatal(c, err)
		}
		scanUploads(t, c, true)
	})
}

// A clamd that is not there, or does not answer, refuses the upload:
// nothing unscanned is kept.
func TestClamdUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	go func() { // accepts, reads, never answers
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go io.Copy(io.Discard, c)
		}
	}()
	defer l.Close()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closed.Close()
	for name, c := range map[string]*artefact.Clamd{
		"silent": {Network: "tcp", Address: addr, Timeout: 200 * time.Millisecond},
		"absent": {Network: "tcp", Address: closed.Addr().String()},
	} {
		m := &blob.Memory{}
		svc := artefact.NewService(artefact.Options{Blobs: m, Store: &artefacttest.Trail{}, Scanner: c, Log: slog.New(slog.DiscardHandler)})
		_, err := svc.Upload(context.Background(), artefacttest.Tutor, artefact.File{Name: "a.png", Content: bytes.NewReader(sample(t, "drawing.png"))}, artefacttest.Here)
		if attesta.ErrorCode(err) != attesta.Unavailable || len(m.Names()) != 0 {
			t.Errorf("%s: %v, store %q", name, err, m.Names())
		}
	}
}

func TestParseClamd(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:3310":           "tcp 127.0.0.1:3310",
		"tcp://clamav:3310":        "tcp clamav:3310",
		"unix:///run/clamd.ctl":    "unix /run/clamd.ctl",
		"/var/run/clamav/clamd.sk": "unix /var/run/clamav/clamd.sk",
		"clamav":                   "",
		"unix://relative.sock":     "",
		"http://clamav:3310":       "",
	} {
		c, err := artefact.ParseClamd(in)
		got := ""
		if err == nil {
			got = c.Network + " " + c.Address
		}
		if got != want {
			t.Errorf("ParseClamd(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// realClamd starts ClamAV's clamd, when it is installed, on a unix socket
// with a signature database of one signature, marker: the official
// databases cannot be downloaded here, and a scanner's verdicts, not its
// database, are what attesta depends on. ATTESTA_REQUIRE_CLAMD=1 makes its
// absence a failure.
func realClamd(t *testing.T) *artefact.Clamd {
	t.Helper()
	bin, err := exec.LookPath("clamd")
	if err != nil {
		for _, p := range []string{"/usr/sbin/clamd", "/usr/local/sbin/clamd"} {
			if _, serr := os.Stat(p); serr == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		if os.Getenv("ATTESTA_REQUIRE_CLAMD") != "" {
			t.Fatal("clamd is not installed and ATTESTA_REQUIRE_CLAMD is set")
		}
		t.Skip("clamd is not installed (Debian: clamav-daemon); set ATTESTA_REQUIRE_CLAMD=1 to make this an error")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	os.Mkdir(db, 0o755)
	sig := fmt.Sprintf("Attesta-Test-Marker:0:*:%x\n", marker)
	if err := os.WriteFile(filepath.Join(db, "attesta.ndb"), []byte(sig), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "clamd.sock")
	conf := fmt.Sprintf("Foreground yes\nDatabaseDirectory %s\nLocalSocket %s\nStreamMaxLength 1M\nLogFile %s\nPidFile %s\n",
		db, sock, filepath.Join(dir, "clamd.log"), filepath.Join(dir, "clamd.pid"))
	if os.Geteuid() == 0 {
		conf += "User root\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "clamd.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", filepath.Join(dir, "clamd.conf"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	c := &artefact.Clamd{Network: "unix", Address: sock}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		err := c.Scan(context.Background(), "probe", []byte("probe"))
		if err == nil {
			return c
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "clamd.log"))
			t.Fatalf("clamd did not answer: %v\n%s\n%s", err, out.String(), log)
		}
	}
}

// The same uploads against ClamAV's own clamd.
func TestClamdReal(t *testing.T) {
	c := realClamd(t)
	scanUploads(t, c, true)
	if err := c.Scan(context.Background(), "x", []byte("ok")); err != nil {
		t.Fatal(err)
	}
	var infected *artefact.Infected
	if err := c.Scan(context.Background(), "x", []byte("prefix "+marker+" suffix")); !errors.As(err, &infected) || infected.Signature != "Attesta-Test-Marker.UNOFFICIAL" && infected.Signature != "Attesta-Test-Marker" {
		t.Fatalf("scan of the marker: %v", err)
	}
}
