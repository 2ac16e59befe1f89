package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/vc/bake"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/internal/vc/rdf"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
)

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// openServices opens and migrates the database and assembles the services.
func openServices(ctx context.Context, cfg *Config, stderr io.Writer) (*server.Services, func(), error) {
	log := cfg.newLogger(io.Discard)
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	if _, _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	opts, err := cfg.serverOptions(stderr)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	svc, err := server.NewServices(db, opts)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return svc, func() { db.Close() }, nil
}

// cliActor is the author of changes made on the command line.
func cliActor(name string) credential.Actor {
	if name == "" {
		name = "cli"
		if u := os.Getenv("USER"); u != "" {
			name = "cli:" + u
		}
	}
	return credential.Actor{Name: name}
}

func readInput(name string, limit int64) ([]byte, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, attesta.E(attesta.Invalid, "err.cli.file.large", name, limit)
	}
	return data, nil
}

func writeOutput(stdout io.Writer, name string, data []byte) error {
	if name == "" || name == "-" {
		_, err := stdout.Write(data)
		return err
	}
	return os.WriteFile(name, data, 0o644)
}

func credentialCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "issue":
		return credentialIssue(ctx, rest, stdout, stderr, getenv)
	case "verify":
		return credentialVerify(ctx, rest, stdout, stderr, getenv)
	case "sign":
		return credentialSign(rest, stdout, stderr)
	case "bake":
		return credentialBake(rest, stdout, stderr)
	case "extract":
		return credentialExtract(rest, stdout, stderr)
	case "revoke", "suspend", "reinstate":
		return credentialStatus(ctx, credential.Action(sub), rest, stdout, stderr, getenv)
	case "keygen":
		return credentialKeygen(rest, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "attesta credential: unknown command %q\n\n%s", sub, usage)
		return errUsage
	}
}

func credentialIssue(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var out, actor string
	var repeat int
	cfg, rest, err := parse("credential issue", args, stderr, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "o", "", "write the signed credential to this file (default standard output)")
		fs.StringVar(&actor, "actor", "", "who issues, for the record (default cli:$USER)")
		fs.IntVar(&repeat, "repeat", 1, "issue the request this many times (bulk issuance, load tests); only the last credential is written")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "usage: attesta credential issue [flags] REQUEST.json")
		return errUsage
	}
	data, err := readInput(rest[0], 1<<20)
	if err != nil {
		return err
	}
	var req credential.IssueRequest
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return attesta.E(attesta.Invalid, "err.cli.file", rest[0], err)
	}
	svc, closeDB, err := openServices(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	if repeat < 1 {
		return attesta.E(attesta.Invalid, "err.cli.repeat")
	}
	var rec credential.Record
	for range repeat {
		if rec, err = svc.Credentials.Issue(ctx, cliActor(actor), req); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "issued %s (%s, status list %d index %d)\n", rec.ID, rec.Format, rec.List, rec.Index)
	return writeOutput(stdout, out, append(rec.Body, '\n'))
}

func credentialStatus(ctx context.Context, action credential.Action, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var reason, actor string
	cfg, rest, err := parse("credential "+string(action), args, stderr, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&reason, "reason", "", "why (required; kept in the audit trail)")
		fs.StringVar(&actor, "actor", "", "who asks, for the audit trail (default cli:$USER)")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fmt.Fprintf(stderr, "usage: attesta credential %s --reason REASON CREDENTIAL-ID\n", action)
		return errUsage
	}
	svc, closeDB, err := openServices(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	rec, err := svc.Credentials.ChangeStatus(ctx, cliActor(actor), rest[0], action, reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: revoked=%t suspended=%t (%s)\n", rec.ID, rec.Revoked, rec.Suspended, rec.Reason)
	return nil
}

func credentialVerify(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var trust, lists multiFlag
	var offline, asJSON bool
	var now, receiptFile string
	var policy func() (notary.ReceiptPolicy, error)
	cfg, rest, err := parse("credential verify", args, stderr, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&receiptFile, "receipt", "", "the credential's notarization receipt: its notarization is checked against --log-key, --witness, --quorum, --tsa-root")
		policy = receiptPolicyFlags(fs)
		fs.Var(&trust, "trust", "trust this issuer id, or this key (did:key or publicKeyMultibase); repeatable")
		fs.Var(&lists, "status-list", "a status list credential the credential refers to, as URL=FILE; repeatable")
		fs.BoolVar(&offline, "offline", false, "do not open the database: no registry of issuers, no local status")
		fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
		fs.StringVar(&now, "now", "", "verify as of this time (RFC 3339) instead of now")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "usage: attesta credential verify [flags] FILE (JSON, JWT, PNG or SVG)")
		return errUsage
	}
	input, err := readInput(rest[0], bake.MaxImageSize)
	if err != nil {
		return err
	}
	var v credential.Verifier
	if offline {
		suite, err := credential.NewSuite()
		if err != nil {
			return err
		}
		v = credential.Verifier{Suite: suite, JWT: &credential.JWTVerifier{}, Clock: clock}
	} else {
		svc, closeDB, err := openServices(ctx, cfg, stderr)
		if err != nil {
			return err
		}
		defer closeDB()
		v = *svc.Verifier
	}
	for _, t := range trust {
		tr, err := parseTrust(t)
		if err != nil {
			return err
		}
		v.Trust = append(v.Trust, tr)
	}
	if len(lists) > 0 {
		files := map[string][]byte{}
		for _, l := range lists {
			url, file, ok := strings.Cut(l, "=")
			if !ok {
				return attesta.E(attesta.Invalid, "err.cli.statuslist", l)
			}
			if files[url], err = readInput(file, 1<<20); err != nil {
				return err
			}
		}
		ls, err := credential.NewListStatus(files)
		if err != nil {
			return err
		}
		v.Status = credential.StatusChain{v.Status, ls}
	}
	if now != "" {
		t, err := time.Parse(time.RFC3339, now)
		if err != nil {
			return attesta.E(attesta.Invalid, "err.cli.now", now, err)
		}
		v.Clock = func() time.Time { return t }
	}
	if receiptFile != "" {
		p, err := policy()
		if err != nil {
			return err
		}
		if p.LogKey == "" {
			return attesta.E(attesta.Invalid, "err.cli.receipt.logkey")
		}
		data, err := readInput(receiptFile, 1<<20)
		if err != nil {
			return err
		}
		r, err := notary.ParseReceipt(data)
		if err != nil {
			return attesta.E(attesta.Invalid, "err.cli.file", receiptFile, err)
		}
		v.Notary = receiptNotary{r, p}
	}
	rep := v.Verify(ctx, input)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		printReport(stdout, rep)
	}
	if !rep.Verified {
		return errNotVerified
	}
	return nil
}

// errNotVerified makes the command exit 1 after printing its report.
var errNotVerified = errors.New("the credential did not verify")

func printReport(w io.Writer, rep *credential.Report) {
	verdict := "NOT VERIFIED"
	if rep.Verified {
		verdict = "VERIFIED"
	}
	fmt.Fprintf(w, "%s  %s (%s)\n", verdict, rep.CredentialID, rep.Input)
	if rep.Issuer != "" {
		fmt.Fprintf(w, "issuer: %s %s\n", rep.Issuer, rep.IssuerName)
	}
	for _, c := range rep.Checks {
		fmt.Fprintf(w, "  %-4s %-9s %s", c.Outcome, c.ID, c.Reason.EN)
		if c.Detail != "" {
			fmt.Fprintf(w, " — %s", c.Detail)
		}
		fmt.Fprintln(w)
	}
}

// parseTrust reads a --trust value: an issuer id (a DID or URL), or a key.
func parseTrust(v string) (credential.Trust, error) {
	switch {
	case strings.HasPrefix(v, "did:key:"):
		pub, err := did.DecodePublicKey(strings.TrimPrefix(v, "did:key:"))
		if err != nil {
			return credential.Trust{}, attesta.E(attesta.Invalid, "err.cli.trust", v, err)
		}
		return credential.Trust{Key: pub}, nil
	case strings.HasPrefix(v, "z6Mk"):
		pub, err := did.DecodePublicKey(v)
		if err != nil {
			return credential.Trust{}, attesta.E(attesta.Invalid, "err.cli.trust", v, err)
		}
		return credential.Trust{Key: pub}, nil
	case strings.Contains(v, ":"):
		return credential.Trust{Issuer: v}, nil
	}
	return credential.Trust{}, attesta.E(attesta.Invalid, "err.cli.trust.form", v)
}

// keyPair is the key pair file format of the W3C test vectors.
type keyPair struct {
	PublicKeyMultibase  string `json:"publicKeyMultibase"`
	PrivateKeyMultibase string `json:"privateKeyMultibase"`
}

func credentialKeygen(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("attesta credential keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the key pair to this file (mode 0600) instead of standard output")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	pub, priv, err := ed25519.GenerateKey(random)
	if err != nil {
		return err
	}
	data, _ := json.MarshalIndent(keyPair{did.EncodePublicKey(pub), did.EncodePrivateKey(priv)}, "", "  ")
	data = append(data, '\n')
	fmt.Fprintf(stderr, "did:key:%s\n", did.EncodePublicKey(pub))
	if *out == "" {
		_, err := stdout.Write(data)
		return err
	}
	return os.WriteFile(*out, data, 0o600)
}

// credentialSign signs a credential with a key from a file, under did:key:
// for development and for credentials that are not attesta's own.
func credentialSign(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("attesta credential sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyFile := fs.String("key", "", "key pair file (from attesta credential keygen)")
	suiteName := fs.String("suite", dataintegrity.EdDSARDFC2022, "eddsa-rdfc-2022, eddsa-jcs-2022 or vc-jwt")
	created := fs.String("created", "", "proof creation time (RFC 3339; default now)")
	out := fs.String("o", "", "output file (default standard output)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || *keyFile == "" {
		fmt.Fprintln(stderr, "usage: attesta credential sign --key KEYPAIR.json [--suite S] [--created T] [-o OUT] FILE")
		return errUsage
	}
	kdata, err := os.ReadFile(*keyFile)
	if err != nil {
		return err
	}
	var kp keyPair
	if err := json.Unmarshal(kdata, &kp); err != nil {
		return attesta.E(attesta.Invalid, "err.cli.file", *keyFile, err)
	}
	priv, err := did.DecodePrivateKey(kp.PrivateKeyMultibase)
	if err != nil {
		return attesta.E(attesta.Invalid, "err.cli.file", *keyFile, err)
	}
	doc, err := readInput(fs.Arg(0), dataintegrity.MaxDocument)
	if err != nil {
		return err
	}
	pub := priv.Public().(ed25519.PublicKey)
	vm := did.KeyDID(pub) + "#" + did.EncodePublicKey(pub)
	signer := issuer.NewSigner(issuer.Issuer{DID: did.KeyDID(pub)}, vm, priv)
	t := clock().UTC()
	if *created != "" {
		if t, err = time.Parse(time.RFC3339, *created); err != nil {
			return attesta.E(attesta.Invalid, "err.cli.created", err)
		}
	}
	var signed []byte
	if credential.Format(*suiteName) == credential.JWT {
		tok, err := credential.SignJWT(doc, vm, signer.Sign)
		if err != nil {
			return err
		}
		signed = []byte(tok)
	} else {
		suite, err := credential.NewSuite()
		if err != nil {
			return err
		}
		if signed, err = suite.Sign(doc, signer, dataintegrity.Options{Cryptosuite: *suiteName, VerificationMethod: vm, Created: t}); err != nil {
			return err
		}
	}
	return writeOutput(stdout, *out, append(signed, '\n'))
}

func credentialBake(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("attesta credential bake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	image := fs.String("image", "", "the badge image, PNG or SVG")
	replace := fs.Bool("replace", false, "replace a credential the image already carries")
	out := fs.String("o", "", "output image (default standard output)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || *image == "" {
		fmt.Fprintln(stderr, "usage: attesta credential bake --image IMAGE [--replace] [-o OUT] CREDENTIAL")
		return errUsage
	}
	img, err := readInput(*image, bake.MaxImageSize)
	if err != nil {
		return err
	}
	cred, err := readInput(fs.Arg(0), bake.MaxCredentialSize)
	if err != nil {
		return err
	}
	baked, _, err := bake.Bake(img, cred, bake.Options{Replace: *replace})
	if err != nil {
		return attesta.E(attesta.Invalid, "err.cli.bake", err)
	}
	return writeOutput(stdout, *out, baked)
}

func credentialExtract(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("attesta credential extract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output file (default standard output)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: attesta credential extract [-o OUT] IMAGE")
		return errUsage
	}
	img, err := readInput(fs.Arg(0), bake.MaxImageSize)
	if err != nil {
		return err
	}
	cred, _, err := bake.Extract(img)
	if err != nil {
		return attesta.E(attesta.Invalid, "err.cli.extract", err)
	}
	return writeOutput(stdout, *out, append(cred, '\n'))
}

// rdfCmd runs "attesta rdf canonicalize".
func rdfCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "canonicalize" {
		fmt.Fprintln(stderr, "usage: attesta rdf canonicalize [--hash sha256|sha384] FILE.nq|FILE.jsonld")
		return errUsage
	}
	fs := flag.NewFlagSet("attesta rdf canonicalize", flag.ContinueOnError)
	fs.SetOutput(stderr)
	hashName := fs.String("hash", "sha256", "hash algorithm of RDFC-1.0: sha256 or sha384")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: attesta rdf canonicalize [--hash sha256|sha384] FILE.nq|FILE.jsonld")
		return errUsage
	}
	var opts rdf.Options
	switch *hashName {
	case "sha256":
	case "sha384":
		opts.Hash = func() hash.Hash { return sha512.New384() }
	default:
		return attesta.E(attesta.Invalid, "err.cli.hash", *hashName)
	}
	name := fs.Arg(0)
	data, err := readInput(name, 16<<20)
	if err != nil {
		return err
	}
	var quads []rdf.Quad
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".nq", ".nt":
		if quads, err = rdf.ParseNQuads(data, rdf.Limits{}); err != nil {
			return attesta.E(attesta.Invalid, "err.cli.file", name, err)
		}
	case ".jsonld", ".json":
		p, err := credential.NewProcessor()
		if err != nil {
			return err
		}
		if quads, err = p.ToRDF(context.Background(), data); err != nil {
			return attesta.E(attesta.Invalid, "err.cli.file", name, err)
		}
	default:
		return attesta.E(attesta.Invalid, "err.cli.rdf.ext", name)
	}
	out, err := rdf.CanonicalNQuads(quads, opts)
	if err != nil {
		return attesta.E(attesta.Invalid, "err.cli.file", name, err)
	}
	_, err = stdout.Write(out)
	return err
}

func issuerCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: attesta issuer list | rotate ID | did ID")
		return errUsage
	}
	sub := args[0]
	cfg, rest, err := parse("issuer "+sub, args[1:], stderr, getenv, nil)
	if err != nil {
		return err
	}
	svc, closeDB, err := openServices(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	switch {
	case sub == "list" && len(rest) == 0:
		list, err := svc.Issuers.Issuers(ctx)
		if err != nil {
			return err
		}
		for _, iss := range list {
			fmt.Fprintf(stdout, "%-16s %s  %s\n", iss.ID, iss.DID, iss.Profile.Name)
		}
		return nil
	case sub == "rotate" && len(rest) == 1:
		k, err := svc.Issuers.Rotate(ctx, rest[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new key %s\n", k.VerificationMethod)
		return nil
	case sub == "did" && len(rest) == 1:
		doc, err := svc.Issuers.Document(ctx, rest[0])
		if err != nil {
			return err
		}
		data, _ := json.MarshalIndent(doc, "", "  ")
		_, err = fmt.Fprintf(stdout, "%s\n", data)
		return err
	}
	fmt.Fprintln(stderr, "usage: attesta issuer list | rotate ID | did ID")
	return errUsage
}

// receiptNotary is the notarization a receipt proves, for the verifier.
type receiptNotary struct {
	receipt *notary.Receipt
	policy  notary.ReceiptPolicy
}

func (n receiptNotary) Notarization(ctx context.Context, id string, body []byte) (credential.Notarization, error) {
	v, err := n.receipt.Verify(id, body, n.policy)
	if err != nil {
		return credential.Notarization{}, fmt.Errorf("receipt: %w", err)
	}
	out := credential.Notarization{Known: true, Origin: v.Origin, LeafIndex: v.LeafIndex, Size: v.Size, Witnesses: v.Witnesses}
	if v.Timestamp != nil {
		out.Timestamp = v.Timestamp.GenTime
	}
	return out, nil
}
