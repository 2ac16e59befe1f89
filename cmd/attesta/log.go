package main

import (
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

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/notary"
)

func logCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	sub, rest, err := subcommand("log", args, stdout, stderr)
	if err != nil {
		return err
	}
	switch sub {
	case "verify-receipt":
		return logVerifyReceipt(rest, stdout, stderr)
	case "audit":
		return logAudit(ctx, rest, stdout, stderr)
	case "recover":
		return logRecover(ctx, rest, stdout, stderr, getenv)
	}
	return unknownCommand("log", sub, stderr)
}

// logVerifyReceipt checks a notarization receipt offline, against the log
// key, witness keys and TSA roots the verifier trusts.
func logVerifyReceipt(args []string, stdout, stderr io.Writer) error {
	c := newCommand("log verify-receipt", stdout, stderr)
	policy := receiptPolicyFlags(c.fs)
	rest, err := c.parse(args, 2)
	if err != nil {
		return err
	}
	if err := c.required("log-key", c.fs.Lookup("log-key").Value.String()); err != nil {
		return err
	}
	p, err := policy()
	if err != nil {
		return err
	}
	data, err := readInput(rest[0], 1<<20)
	if err != nil {
		return err
	}
	receipt, err := notary.ParseReceipt(data)
	if err != nil {
		return err
	}
	cred, err := readInput(rest[1], 1<<20)
	if err != nil {
		return err
	}
	var id struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(cred, &id); err != nil || id.ID == "" {
		return attesta.E(attesta.Invalid, "err.cli.credential.id", rest[1])
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

// logSource is the published log at where: its public http(s) URL, or the
// blob store it is published to (an s3:// address or a directory).
func logSource(where string) (notary.LogSource, error) {
	if strings.HasPrefix(where, "http://") || strings.HasPrefix(where, "https://") {
		return notary.HTTPLogSource(where, &http.Client{Timeout: 30 * time.Second}), nil
	}
	if !strings.HasPrefix(where, "s3:") {
		if fi, err := os.Stat(where); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("%q is neither the log's http(s) URL, nor an s3:// bucket, nor a blob-store directory", where)
		}
	}
	blobs, err := openBlobs(where, os.Getenv)
	if err != nil {
		return nil, err
	}
	return notary.BlobLogSource(blobs), nil
}

// logAudit fetches a published log and audits it (notary.Audit) against
// the checkpoint it saw last time, kept in --state.
func logAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("log audit", stdout, stderr)
	logKey := c.fs.String("log-key", "", "the log's verifier key; required")
	statePath := c.fs.String("state", "attesta-audit.json", "file keeping the last checkpoint seen")
	rest, err := c.parse(args, 1)
	if err != nil {
		return err
	}
	if err := c.required("log-key", *logKey); err != nil {
		return err
	}
	var prev *notary.AuditState
	if data, err := os.ReadFile(*statePath); err == nil {
		prev = new(notary.AuditState)
		if err := json.Unmarshal(data, prev); err != nil {
			return fmt.Errorf("%s: %w", *statePath, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	src, err := logSource(rest[0])
	if err != nil {
		return err
	}
	state, err := notary.Audit(ctx, src, *logKey, prev)
	if err != nil {
		return err
	}
	data, _ := json.MarshalIndent(state, "", "  ")
	if err := os.WriteFile(*statePath, data, 0o644); err != nil {
		return err
	}
	var seen int64
	if prev != nil {
		seen = prev.Size
	}
	fmt.Fprintf(stdout, "CONSISTENT  %s: %d entries (%d new), every tile and entry verified\n", state.Origin, state.Size, state.Size-seen)
	return nil
}

// readRoots reads a PEM file of root certificates.
func readRoots(path string) (*x509.CertPool, error) {
	certs, err := readRootCerts(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// readRootCerts reads the certificates of a PEM file: at least one.
func readRootCerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, attesta.E(attesta.Invalid, "err.cli.file", path, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, attesta.E(attesta.Invalid, "err.cli.pem", path)
	}
	return certs, nil
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
			return p, attesta.E(attesta.Invalid, "err.cli.quorum", p.Quorum, len(witnesses))
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
