package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/checkpoint"
	"github.com/attesta/attesta/notary"
)

func logCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: attesta log verify-receipt --log-key VKEY [--tsa-root PEM] RECEIPT CREDENTIAL")
		return errUsage
	}
	switch args[0] {
	case "verify-receipt":
		return logVerifyReceipt(args[1:], stdout, stderr)
	case "audit":
		return logAudit(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "attesta log: unknown command %q\n", args[0])
		return errUsage
	}
}

// logVerifyReceipt checks a notarization receipt offline, against the log
// key, witness keys and TSA roots the verifier trusts.
func logVerifyReceipt(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("attesta log verify-receipt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	policy := receiptPolicyFlags(fs)
	if err := fs.Parse(args); err != nil || fs.NArg() != 2 {
		fmt.Fprintln(stderr, "usage: attesta log verify-receipt --log-key VKEY [--witness VKEY]... [--quorum N] [--tsa-root PEM] RECEIPT CREDENTIAL")
		return errUsage
	}
	p, err := policy()
	if err != nil {
		return err
	}
	if p.LogKey == "" {
		return attesta.Errorf(attesta.Invalid, "--log-key is required")
	}
	data, err := readInput(fs.Arg(0), 1<<20)
	if err != nil {
		return err
	}
	receipt, err := notary.ParseReceipt(data)
	if err != nil {
		return attesta.Errorf(attesta.Invalid, "%v", err)
	}
	cred, err := readInput(fs.Arg(1), 1<<20)
	if err != nil {
		return err
	}
	var id struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(cred, &id); err != nil || id.ID == "" {
		return attesta.Errorf(attesta.Invalid, "%s: not a credential with an id", fs.Arg(1))
	}
	v, err := receipt.Verify(id.ID, cred, p)
	if err != nil {
		fmt.Fprintf(stdout, "NOT VERIFIED  %s\n  %v\n", id.ID, err)
		return errNotVerified
	}
	fmt.Fprintf(stdout, "VERIFIED  %s\n  %s at %s, leaf %d of %s (size %d)\n", id.ID, v.Entry.Kind, v.Entry.Time.Format("2006-01-02T15:04:05.000Z"), v.LeafIndex, v.Origin, v.Size)
	if len(v.Witnesses) > 0 {
		fmt.Fprintf(stdout, "  checkpoint cosigned by %s (%d required)\n", strings.Join(v.Witnesses, ", "), p.Quorum)
	}
	if v.Timestamp != nil {
		fmt.Fprintf(stdout, "  checkpoint timestamped %s (serial %s)\n", v.Timestamp.GenTime.UTC().Format("2006-01-02T15:04:05Z"), v.Timestamp.Serial)
	}
	return nil
}

// auditState is what the auditor remembers of a log between runs.
type auditState struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Root   []byte `json:"root"`
	Note   string `json:"checkpoint"`
}

// logAudit fetches a published log, checks its checkpoint against the
// pinned key, every hash tile against the signed root and every entry
// against its leaf (with golang.org/x/mod/sumdb's tlog and note), and that
// the tree contains the one it saw last time (kept in --state).
func logAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("attesta log audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	logKey := fs.String("log-key", "", "the log's verifier key")
	statePath := fs.String("state", "attesta-audit.json", "file keeping the last checkpoint seen")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || *logKey == "" {
		fmt.Fprintln(stderr, "usage: attesta log audit --log-key VKEY [--state FILE] URL")
		return errUsage
	}
	base := strings.TrimSuffix(fs.Arg(0), "/")
	client := &http.Client{Timeout: 30 * time.Second}
	get := func(path string, limit int64) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return data, nil
	}
	verifier, err := note.NewVerifier(*logKey)
	if err != nil {
		return attesta.Errorf(attesta.Invalid, "--log-key: %v", err)
	}
	raw, err := get("/log/checkpoint", 1<<16)
	if err != nil {
		return err
	}
	n, err := note.Open(raw, note.VerifierList(verifier))
	if err != nil {
		return fmt.Errorf("INCONSISTENT: the checkpoint is not signed by the log key: %w", err)
	}
	c, err := checkpoint.Parse([]byte(n.Text))
	if err != nil {
		return err
	}
	origin, size, root := c.Origin, c.Size, tlog.Hash(c.Root)
	hr := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, tileFetcher{get: get})
	if th, err := tlog.TreeHash(size, hr); err != nil || th != root {
		return fmt.Errorf("INCONSISTENT: the tiles do not hash to the signed root: %v", err)
	}
	// The tree seen last time must be a prefix of this one, computed from
	// the verified tiles rather than from a proof the server chose.
	var prev auditState
	if data, err := os.ReadFile(*statePath); err == nil {
		if err := json.Unmarshal(data, &prev); err != nil {
			return fmt.Errorf("%s: %w", *statePath, err)
		}
		if prev.Origin != origin {
			return fmt.Errorf("%s is the state of log %q, not %q", *statePath, prev.Origin, origin)
		}
		if prev.Size > size {
			return fmt.Errorf("INCONSISTENT: the log shrank from %d to %d entries", prev.Size, size)
		}
		old, err := tlog.TreeHash(prev.Size, hr)
		if err != nil || !bytes.Equal(old[:], prev.Root) {
			return fmt.Errorf("INCONSISTENT: the tree of size %d seen before is not a prefix of this one (a fork)", prev.Size)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	// Every entry of the new part hashes to its leaf and is well formed.
	for start := prev.Size - prev.Size%256; start < size; start += 256 {
		w := min(256, size-start)
		t := tlog.Tile{H: notary.TileHeight, L: 0, N: start / 256, W: int(w)}
		bundle, err := get("/log/"+notary.TilePath(t, true), 1<<20)
		if err != nil {
			return err
		}
		for i := range w {
			if len(bundle) < 2 {
				return fmt.Errorf("INCONSISTENT: entry bundle %s is short", notary.TilePath(t, true))
			}
			l := int(bundle[0])<<8 | int(bundle[1])
			if len(bundle) < 2+l {
				return fmt.Errorf("INCONSISTENT: entry bundle %s is short", notary.TilePath(t, true))
			}
			entry := bundle[2 : 2+l]
			bundle = bundle[2+l:]
			leaf, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, start+i)})
			if err != nil || leaf[0] != tlog.RecordHash(entry) {
				return fmt.Errorf("INCONSISTENT: entry %d does not hash to its leaf: %v", start+i, err)
			}
			if _, err := notary.ParseEntry(entry); err != nil {
				return fmt.Errorf("entry %d: %w", start+i, err)
			}
		}
	}
	state, _ := json.MarshalIndent(auditState{Origin: origin, Size: size, Root: root[:], Note: string(raw)}, "", "  ")
	if err := os.WriteFile(*statePath, state, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "CONSISTENT  %s: %d entries (%d new), every tile and entry verified\n", origin, size, size-prev.Size)
	return nil
}

// tileFetcher reads hash tiles over HTTP for x/mod's TileHashReader.
type tileFetcher struct {
	get func(path string, limit int64) ([]byte, error)
}

func (tileFetcher) Height() int { return notary.TileHeight }

func (f tileFetcher) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := f.get("/log/"+notary.TilePath(t, false), 1<<14)
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (tileFetcher) SaveTiles([]tlog.Tile, [][]byte) {}

// readRoots reads a PEM file of root certificates.
func readRoots(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	n := 0
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, attesta.Errorf(attesta.Invalid, "%s: %v", path, err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, attesta.Errorf(attesta.Invalid, "%s: no PEM certificate", path)
	}
	return pool, nil
}

// receiptPolicyFlags defines the flags of what a receipt's verifier trusts
// on fs and returns, after parsing, the policy they give.
func receiptPolicyFlags(fs *flag.FlagSet) func() (notary.ReceiptPolicy, error) {
	logKey := fs.String("log-key", "", "the log's verifier key (name+id+key), as published by the Chamber system")
	tsaRoot := fs.String("tsa-root", "", "PEM file of the timestamp authority's root certificate(s); the timestamp is required when given")
	var witnesses multiFlag
	fs.Var(&witnesses, "witness", "verifier key of a trusted witness (cosignature/v1); repeatable")
	quorum := fs.Int("quorum", -1, "how many of the --witness keys must have cosigned the checkpoint (default: all)")
	return func() (notary.ReceiptPolicy, error) {
		p := notary.ReceiptPolicy{LogKey: *logKey, Witnesses: witnesses, Quorum: *quorum}
		if p.Quorum == -1 {
			p.Quorum = len(witnesses)
		}
		if p.Quorum < 0 || p.Quorum > len(witnesses) {
			return p, attesta.Errorf(attesta.Invalid, "--quorum %d with %d --witness keys", p.Quorum, len(witnesses))
		}
		if *tsaRoot != "" {
			var err error
			if p.TSARoots, err = readRoots(*tsaRoot); err != nil {
				return p, err
			}
		}
		return p, nil
	}
}
