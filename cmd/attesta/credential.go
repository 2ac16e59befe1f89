package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/vc/bake"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/internal/vc/rdf"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/trust"
)

// multiFlag collects a repeatable flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// openServices opens and migrates the database, checks the key-encryption
// key against the keys sealed in it and assembles the services. Without a
// --public-url, they take the one the server recorded in the database, so
// that its issuers, credentials and log are those the server serves.
func openServices(ctx context.Context, cfg *Config, stderr io.Writer) (*server.Services, func(), error) {
	opts, err := cfg.serverOptions(stderr)
	if err != nil {
		return nil, nil, err
	}
	opts.Log = cfg.newLogger(io.Discard)
	db, err := openChecked(ctx, cfg, &opts, stderr)
	if err != nil {
		return nil, nil, err
	}
	if cfg.PublicURL == "" {
		u, ok, err := server.RecordedPublicURL(ctx, db)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		if ok {
			opts.PublicURL = u
		}
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
	sub, rest, err := subcommand("credential", args, stdout, stderr)
	if err != nil {
		return err
	}
	switch sub {
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
	}
	return unknownCommand("credential", sub, stderr)
}

func credentialIssue(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	c := newCommand("credential issue", stdout, stderr)
	out := c.fs.String("o", "", "write the signed credential to this file (default standard output)")
	actor := c.fs.String("actor", "", "who issues, for the record (default cli:$USER)")
	repeat := c.fs.Int("repeat", 1, "issue the request this many times (bulk issuance, load tests); only the last credential is written")
	cfg, rest, err := c.parseConfig(args, 1, getenv)
	if err != nil {
		return err
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
	if *repeat < 1 {
		return attesta.E(attesta.Invalid, "err.cli.repeat")
	}
	var rec credential.Record
	for range *repeat {
		if rec, err = svc.Credentials.Issue(ctx, cliActor(*actor), req); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "issued %s (%s, status list %d index %d)\n", rec.ID, rec.Format, rec.List, rec.Index)
	return writeOutput(stdout, *out, append(rec.Body, '\n'))
}

func credentialStatus(ctx context.Context, action credential.Action, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	c := newCommand("credential "+string(action), stdout, stderr)
	reason := c.fs.String("reason", "", "why (required; kept in the audit trail)")
	actor := c.fs.String("actor", "", "who asks, for the audit trail (default cli:$USER)")
	cfg, rest, err := c.parseConfig(args, 1, getenv)
	if err != nil {
		return err
	}
	if err := c.required("reason", *reason); err != nil {
		return err
	}
	svc, closeDB, err := openServices(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	rec, err := svc.Credentials.ChangeStatus(ctx, cliActor(*actor), rest[0], action, *reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: revoked=%t suspended=%t (%s)\n", rec.ID, rec.Revoked, rec.Suspended, rec.Reason)
	return nil
}

func credentialVerify(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var trusted, lists, dids multiFlag
	var offline, asJSON bool
	var now, receiptFile, bundleFile, pin string
	var maxStatusAge time.Duration
	var policy func() (notary.ReceiptPolicy, error)
	c := newCommand("credential verify", stdout, stderr)
	fs := c.fs
	fs.StringVar(&receiptFile, "receipt", "", "the credential's notarization receipt: its notarization is checked against --log-key, --witness, --quorum, --tsa-root")
	policy = receiptPolicyFlags(fs)
	fs.Var(&trusted, "trust", "trust this issuer id, or this key (did:key or publicKeyMultibase); repeatable")
	fs.Var(&lists, "status-list", "a status list credential the credential refers to, as URL=FILE; repeatable")
	fs.Var(&dids, "did", "an issuer's DID document (did.json): its keys' ends (expires, revoked) are checked, with --receipt for proof of when the credential was logged; repeatable")
	fs.BoolVar(&offline, "offline", false, "do not open the database: no registry of issuers, no local status")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.StringVar(&now, "now", "", "verify as of this time (RFC 3339) instead of now")
	fs.StringVar(&bundleFile, "bundle", "", "verify offline with this trust bundle (from attesta trust fetch): its issuers and their keys, its status snapshot, and its log key, witnesses and TSA roots for --receipt; no database, no network")
	fs.StringVar(&pin, "pin", "", "with --bundle: the bundle key to trust (default: the one attesta trust fetch recorded for the bundle's deployment)")
	fs.DurationVar(&maxStatusAge, "max-status-age", 24*time.Hour, "with --bundle: warn when its status snapshot is older than this")
	cfg, rest, err := c.parseConfig(args, 1, getenv)
	if err != nil {
		return err
	}
	policyGiven := false
	for _, f := range []string{"log-key", "witness", "tsa-root"} {
		policyGiven = policyGiven || fs.Lookup(f).Value.String() != ""
	}
	policyGiven = policyGiven || fs.Lookup("quorum").Value.String() != "-1"
	switch {
	case bundleFile != "" && policyGiven:
		return c.usageError(attesta.M("err.cli.trust.policy").In("en"))
	case bundleFile == "" && pin != "":
		return c.usageError(attesta.M("err.cli.trust.pinbundle").In("en"))
	case receiptFile != "" && bundleFile == "" && fs.Lookup("log-key").Value.String() == "":
		return c.usageError(attesta.M("err.cli.receipt.logkey").In("en"))
	}
	input, err := readInput(rest[0], bake.MaxImageSize)
	if err != nil {
		return err
	}
	var v credential.Verifier
	var bundle *trust.Verified
	if offline || bundleFile != "" {
		suite, err := credential.NewSuite()
		if err != nil {
			return err
		}
		v = credential.Verifier{Suite: suite, JWT: &credential.JWTVerifier{}, Clock: clock}
	}
	if bundleFile != "" {
		if bundle, err = openBundle(ctx, bundleFile, pin, getenv); err != nil {
			return err
		}
		v.Registry, v.Status, v.Ends = bundle, bundle, bundle
	} else if !offline {
		svc, closeDB, err := openServices(ctx, cfg, stderr)
		if err != nil {
			return err
		}
		defer closeDB()
		v = *svc.Verifier
	}
	for _, t := range trusted {
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
	if len(dids) > 0 {
		var docs credential.DIDDocuments
		for _, name := range dids {
			doc, err := readDIDDocument(name)
			if err != nil {
				return err
			}
			docs = append(docs, doc)
		}
		v.Ends = docs
	}
	if now != "" {
		t, err := time.Parse(time.RFC3339, now)
		if err != nil {
			return attesta.E(attesta.Invalid, "err.cli.now", now, err)
		}
		v.Clock = func() time.Time { return t }
	}
	if receiptFile != "" {
		var p notary.ReceiptPolicy
		if bundle != nil {
			p = bundle.Policy()
		} else if p, err = policy(); err != nil {
			return err
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
	var snap *snapshot
	if bundle != nil {
		snap = newSnapshot(bundle, v.Clock(), maxStatusAge)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			*credential.Report
			StatusSnapshot *snapshot `json:"status_snapshot,omitempty"`
		}{rep, snap})
	} else {
		printReport(stdout, rep)
		if snap != nil {
			snap.print(stdout)
		}
	}
	if !rep.Verified {
		return errNotVerified
	}
	return nil
}

// readDIDDocument reads a DID document whose keys' ends, if any, are
// RFC 3339 times.
func readDIDDocument(name string) (did.Document, error) {
	data, err := readInput(name, 1<<20)
	if err != nil {
		return did.Document{}, err
	}
	var doc did.Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return did.Document{}, attesta.E(attesta.Invalid, "err.cli.did", name, err)
	}
	if doc.ID == "" || len(doc.VerificationMethod) == 0 {
		return did.Document{}, attesta.E(attesta.Invalid, "err.cli.did", name, errors.New("no id or no verification method"))
	}
	for _, m := range doc.VerificationMethod {
		for _, end := range []string{m.Expires, m.Revoked} {
			if _, err := time.Parse(time.RFC3339Nano, end); end != "" && err != nil {
				return did.Document{}, attesta.E(attesta.Invalid, "err.cli.did", name, fmt.Errorf("the end of %s: %w", m.ID, err))
			}
		}
	}
	return doc, nil
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
	// Every reason starts in one column, in every report: after the longest
	// check id.
	width := len(credential.CheckNotarization)
	for _, c := range rep.Checks {
		width = max(width, len(c.ID))
	}
	for _, c := range rep.Checks {
		fmt.Fprintf(w, "  %-4s %-*s %s", c.Outcome, width, c.ID, c.Reason.EN)
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

// credentialKeygen makes a key pair and writes it, then prints its did:key:
// a DID is printed only for a key that was saved.
func credentialKeygen(args []string, stdout, stderr io.Writer) error {
	c := newCommand("credential keygen", stdout, stderr)
	out := c.fs.String("o", "", "write the key pair to this new file (mode 0600) instead of standard output")
	if _, err := c.parse(args, 0); err != nil {
		return err
	}
	pub, priv, err := ed25519.GenerateKey(random)
	if err != nil {
		return err
	}
	data, _ := json.MarshalIndent(keyPair{did.EncodePublicKey(pub), did.EncodePrivateKey(priv)}, "", "  ")
	data = append(data, '\n')
	if *out == "" {
		_, err = stdout.Write(data)
	} else {
		err = writeNewFile(*out, data, 0o600)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "did:key:%s\n", did.EncodePublicKey(pub))
	return nil
}

// credentialSign signs a credential with a key from a file, under did:key:
// for development and for credentials that are not attesta's own.
func credentialSign(args []string, stdout, stderr io.Writer) error {
	c := newCommand("credential sign", stdout, stderr)
	keyFile := c.fs.String("key", "", "key pair file (from attesta credential keygen); required")
	suiteName := c.fs.String("suite", dataintegrity.EdDSARDFC2022, "eddsa-rdfc-2022, eddsa-jcs-2022 or vc-jwt")
	created := c.fs.String("created", "", "proof creation time (RFC 3339; default now)")
	out := c.fs.String("o", "", "output file (default standard output)")
	rest, err := c.parse(args, 1)
	if err != nil {
		return err
	}
	if err := c.required("key", *keyFile); err != nil {
		return err
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
	doc, err := readInput(rest[0], dataintegrity.MaxDocument)
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
	c := newCommand("credential bake", stdout, stderr)
	image := c.fs.String("image", "", "the badge image, PNG or SVG; required")
	replace := c.fs.Bool("replace", false, "replace a credential the image already carries")
	out := c.fs.String("o", "", "output image (default standard output)")
	rest, err := c.parse(args, 1)
	if err != nil {
		return err
	}
	if err := c.required("image", *image); err != nil {
		return err
	}
	img, err := readInput(*image, bake.MaxImageSize)
	if err != nil {
		return err
	}
	cred, err := readInput(rest[0], bake.MaxCredentialSize)
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
	c := newCommand("credential extract", stdout, stderr)
	out := c.fs.String("o", "", "output file (default standard output)")
	rest, err := c.parse(args, 1)
	if err != nil {
		return err
	}
	img, err := readInput(rest[0], bake.MaxImageSize)
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
	sub, rest, err := subcommand("rdf", args, stdout, stderr)
	if err != nil {
		return err
	}
	if sub != "canonicalize" {
		return unknownCommand("rdf", sub, stderr)
	}
	c := newCommand("rdf canonicalize", stdout, stderr)
	hashName := c.fs.String("hash", "sha256", "hash algorithm of RDFC-1.0: sha256 or sha384")
	format := c.fs.String("format", "", "what FILE is: nquads or jsonld (default: by its extension, .nq or .nt, .jsonld or .json); required for standard input (-)")
	rest, err = c.parse(rest, 1)
	if err != nil {
		return err
	}
	var opts rdf.Options
	switch *hashName {
	case "sha256":
	case "sha384":
		opts.Hash = func() hash.Hash { return sha512.New384() }
	default:
		return attesta.E(attesta.Invalid, "err.cli.hash", *hashName)
	}
	name := rest[0]
	switch *format {
	case "nquads", "jsonld":
	case "":
		switch ext := strings.ToLower(filepath.Ext(name)); {
		case name == "-":
			return attesta.E(attesta.Invalid, "err.cli.rdf.stdin")
		case ext == ".nq" || ext == ".nt":
			*format = "nquads"
		case ext == ".jsonld" || ext == ".json":
			*format = "jsonld"
		default:
			return attesta.E(attesta.Invalid, "err.cli.rdf.ext", name)
		}
	default:
		return attesta.E(attesta.Invalid, "err.cli.rdf.format", *format)
	}
	data, err := readInput(name, 16<<20)
	if err != nil {
		return err
	}
	var quads []rdf.Quad
	if *format == "nquads" {
		if quads, err = rdf.ParseNQuads(data, rdf.Limits{}); err != nil {
			return attesta.E(attesta.Invalid, "err.cli.file", name, err)
		}
	} else {
		p, err := credential.NewProcessor()
		if err != nil {
			return err
		}
		if quads, err = p.ToRDF(context.Background(), data); err != nil {
			return attesta.E(attesta.Invalid, "err.cli.file", name, err)
		}
	}
	out, err := rdf.CanonicalNQuads(quads, opts)
	if err != nil {
		return attesta.E(attesta.Invalid, "err.cli.file", name, err)
	}
	_, err = stdout.Write(out)
	return err
}

// issuerCmd runs "attesta issuer list|rotate|did": its command line is
// checked before the database is opened.
func issuerCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	sub, rest, err := subcommand("issuer", args, stdout, stderr)
	if err != nil {
		return err
	}
	n := 1
	switch sub {
	case "list":
		n = 0
	case "rotate", "did":
	default:
		return unknownCommand("issuer", sub, stderr)
	}
	c := newCommand("issuer "+sub, stdout, stderr)
	var reason, since, actor *string
	if sub == "rotate" {
		reason = c.fs.String("reason", "", "why (required; kept in the audit trail)")
		since = c.fs.String("compromised-since", "", "the issuer's keys are compromised since this time (RFC 3339): every key in force after it ends then, and what it signed afterwards no longer verifies")
		actor = c.fs.String("actor", "", "who asks, for the audit trail (default cli:$USER)")
	}
	cfg, rest, err := c.parseConfig(rest, n, getenv)
	if err != nil {
		return err
	}
	var rot issuer.Rotation
	if sub == "rotate" {
		if err := c.required("reason", *reason); err != nil {
			return err
		}
		rot.Reason = *reason
		if *since != "" {
			if rot.CompromisedSince, err = time.Parse(time.RFC3339, *since); err != nil {
				return c.usageError(attesta.M("err.cli.time", "--compromised-since", *since).In("en"))
			}
		}
	}
	svc, closeDB, err := openServices(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	switch sub {
	case "list":
		list, err := svc.Issuers.Issuers(ctx)
		if err != nil {
			return err
		}
		for _, iss := range list {
			name := iss.Profile.Name
			if !iss.Chamber() {
				name += " (attesta's own issuer, not a Chamber)"
			}
			fmt.Fprintf(stdout, "%-16s %s  %s\n", iss.ID, iss.DID, name)
		}
		return nil
	case "rotate":
		k, err := svc.Issuers.Rotate(ctx, cliPrincipal(*actor), rest[0], rot)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new key %s\n", k.VerificationMethod)
		return nil
	}
	doc, err := svc.Issuers.Document(ctx, rest[0])
	if err != nil {
		return err
	}
	data, _ := json.MarshalIndent(doc, "", "  ")
	_, err = fmt.Fprintf(stdout, "%s\n", data)
	return err
}

// cliPrincipal is who acts on the command line, which runs with the
// database's own rights: the national body, by the name given (default
// cli:$USER) for the audit trail.
func cliPrincipal(name string) *auth.Principal {
	a := cliActor(name)
	return &auth.Principal{Person: a.Name, Name: a.Name, Membership: auth.Membership{Role: auth.NationalAdmin, OrgKind: auth.National}}
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
	out := credential.Notarization{Known: true, Origin: v.Origin, LeafIndex: v.LeafIndex, Size: v.Size, Witnesses: v.Witnesses,
		Witnessed: v.Witnessed, Logged: v.Entry.Time}
	if v.Timestamp != nil {
		out.Timestamp = v.Timestamp.GenTime
	}
	return out, nil
}
