package main

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/notary"
)

func logCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: attesta log verify-receipt --log-key VKEY [--tsa-root PEM] RECEIPT CREDENTIAL")
		return errUsage
	}
	switch args[0] {
	case "verify-receipt":
		return logVerifyReceipt(args[1:], stdout, stderr)
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
	logKey := fs.String("log-key", "", "the log's verifier key (name+id+key), as published by the Chamber system")
	tsaRoot := fs.String("tsa-root", "", "PEM file of the timestamp authority's root certificate(s); the timestamp is required when given")
	if err := fs.Parse(args); err != nil || fs.NArg() != 2 || *logKey == "" {
		fmt.Fprintln(stderr, "usage: attesta log verify-receipt --log-key VKEY [--tsa-root PEM] RECEIPT CREDENTIAL")
		return errUsage
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
	p := notary.ReceiptPolicy{LogKey: *logKey}
	if *tsaRoot != "" {
		pemData, err := os.ReadFile(*tsaRoot)
		if err != nil {
			return err
		}
		p.TSARoots = x509.NewCertPool()
		for block, rest := pem.Decode(pemData); block != nil; block, rest = pem.Decode(rest) {
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return attesta.Errorf(attesta.Invalid, "%s: %v", *tsaRoot, err)
			}
			p.TSARoots.AddCert(c)
		}
	}
	v, err := receipt.Verify(id.ID, cred, p)
	if err != nil {
		fmt.Fprintf(stdout, "NOT VERIFIED  %s\n  %v\n", id.ID, err)
		return errNotVerified
	}
	fmt.Fprintf(stdout, "VERIFIED  %s\n  %s at %s, leaf %d of %s (size %d)\n", id.ID, v.Entry.Kind, v.Entry.Time.Format("2006-01-02T15:04:05.000Z"), v.LeafIndex, v.Origin, v.Size)
	if v.Timestamp != nil {
		fmt.Fprintf(stdout, "  checkpoint timestamped %s (serial %s)\n", v.Timestamp.GenTime.UTC().Format("2006-01-02T15:04:05Z"), v.Timestamp.Serial)
	}
	return nil
}
