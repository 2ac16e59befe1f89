package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/trust"
)

// trustCmd runs "attesta trust fetch|key".
func trustCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	sub, rest, err := subcommand("trust", args, stdout, stderr)
	if err != nil {
		return err
	}
	switch sub {
	case "fetch":
		return trustFetch(ctx, rest, stdout, stderr, getenv)
	case "key":
		return trustKey(ctx, rest, stdout, stderr, getenv)
	}
	return unknownCommand("trust", sub, stderr)
}

// configDir is where attesta keeps what a verifier trusts: $ATTESTA_CONFIG_DIR,
// else attesta under the user's configuration directory ($XDG_CONFIG_HOME,
// ~/.config on Linux).
func configDir(getenv func(string) string) (string, error) {
	if d := getenv("ATTESTA_CONFIG_DIR"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "attesta"), nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", attesta.Wrap(err, attesta.Invalid, "err.cli.trust.configdir", err.Error())
	}
	return filepath.Join(d, "attesta"), nil
}

// pinsFile is the file of the bundle keys pinned for each deployment: a
// line "DEPLOYMENT did:key:…" each, as attesta trust fetch records them.
func pinsFile(getenv func(string) string) (string, error) {
	d, err := configDir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "trust", "keys"), nil
}

// readPins reads the pinned keys by deployment; no file: none.
func readPins(path string) (map[string]string, error) {
	pins := map[string]string{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return pins, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := bufio.NewScanner(io.LimitReader(f, 1<<20))
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		dep, key, ok := strings.Cut(line, " ")
		if !ok {
			return nil, attesta.E(attesta.Invalid, "err.cli.trust.pins", path, line)
		}
		pins[dep] = strings.TrimSpace(key)
	}
	return pins, s.Err()
}

// writePin records key as the pinned key of deployment, replacing the one
// it had.
func writePin(path, deployment, key string) error {
	pins, err := readPins(path)
	if err != nil {
		return err
	}
	pins[deployment] = key
	var b strings.Builder
	b.WriteString("# The keys that sign the trust bundles of attesta deployments, pinned by attesta trust fetch.\n")
	for _, dep := range slices.Sorted(maps.Keys(pins)) {
		fmt.Fprintf(&b, "%s %s\n", dep, pins[dep])
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return writeFileAtomic(path, []byte(b.String()))
}

// pinOf returns the key pinned with --pin, or else the one recorded for the
// deployment a bundle claims to be of; nil if none.
func pinOf(flag string, claims trust.Claims, getenv func(string) string) (ed25519.PublicKey, error) {
	if flag != "" {
		return trust.ParseKey(flag)
	}
	path, err := pinsFile(getenv)
	if err != nil {
		return nil, err
	}
	pins, err := readPins(path)
	if err != nil {
		return nil, err
	}
	if k, ok := pins[claims.Deployment]; ok {
		pub, err := trust.ParseKey(k)
		if err != nil {
			return nil, attesta.E(attesta.Invalid, "err.cli.trust.pins", path, k)
		}
		return pub, nil
	}
	return nil, nil
}

// trustFetch downloads a deployment's trust bundle, verifies it against the
// key pinned for the deployment, and saves it for offline verification.
func trustFetch(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	c := newCommand("trust fetch", stdout, stderr)
	from := c.fs.String("url", "", "the deployment's address (https://host), or its bundle's (…/trust/bundle); required")
	pin := c.fs.String("pin", "", "the bundle key to trust, did:key:z6Mk… or z6Mk…, as the deployment publishes it (GET /trust/key, its documentation); it is then recorded for the deployment")
	keyFile := c.fs.String("key-file", "", "a file holding the bundle key to trust, as GET /trust/key serves it")
	tofu := c.fs.Bool("trust-on-first-use", false, "with no key given or recorded for the deployment, trust the key the bundle is signed with, and record it")
	out := c.fs.String("out", "", "where to save the bundle (default: trust/HOST.json in the configuration directory, $ATTESTA_CONFIG_DIR or the user's)")
	if _, err := c.parse(args, 0); err != nil {
		return err
	}
	if err := c.required("url", *from); err != nil {
		return err
	}
	if *pin != "" && *keyFile != "" {
		return c.usageError(attesta.M("err.cli.trust.pinfile").In("en"))
	}
	u, err := url.Parse(*from)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return c.usageError(attesta.M("err.cli.trust.url", *from).In("en"))
	}
	if !strings.HasSuffix(u.Path, "/trust/bundle") {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/trust/bundle"
	}
	given := *pin
	if *keyFile != "" {
		data, err := readInput(*keyFile, 4096)
		if err != nil {
			return err
		}
		given = strings.TrimSpace(string(data))
	}
	body, err := download(ctx, u.String())
	if err != nil {
		return err
	}
	claims, err := trust.Peek(body)
	if err != nil {
		return err
	}
	pinned, err := pinOf(given, claims, getenv)
	if err != nil {
		return err
	}
	record := given != ""
	switch {
	case pinned != nil:
	case *tofu:
		pinned, record = claims.Key, true
		fmt.Fprintln(stderr, attesta.M("trust.tofu", trust.KeyID(claims.Key), claims.Deployment).In("en"))
	default:
		return attesta.E(attesta.Invalid, "err.cli.trust.unpinned", claims.Deployment, trust.KeyID(claims.Key))
	}
	v, err := trust.Open(ctx, body, pinned)
	if err != nil {
		return err
	}
	b := v.Bundle
	path := *out
	if path == "" {
		dir, err := configDir(getenv)
		if err != nil {
			return err
		}
		du, _ := url.Parse(b.Deployment)
		path = filepath.Join(dir, "trust", strings.ReplaceAll(du.Host, ":", "_")+".json")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := writeFileAtomic(path, body); err != nil {
		return err
	}
	if record {
		pins, err := pinsFile(getenv)
		if err != nil {
			return err
		}
		known, err := readPins(pins)
		if err != nil {
			return err
		}
		if k, ok := known[b.Deployment]; ok && k != trust.KeyID(pinned) {
			fmt.Fprintln(stderr, attesta.M("trust.repinned", b.Deployment, k, trust.KeyID(pinned)).In("en"))
		}
		if err := writePin(pins, b.Deployment, trust.KeyID(pinned)); err != nil {
			return err
		}
	}
	chambers := 0
	for _, iss := range b.Issuers {
		if iss.Kind == trust.KindChamber {
			chambers++
		}
	}
	fmt.Fprintf(stdout, "saved the trust bundle of %s to %s\n", b.Deployment, path)
	fmt.Fprintf(stdout, "  signed by %s\n", trust.KeyID(v.Key))
	fmt.Fprintf(stdout, "  %d issuers (%d Chambers), log %s with %d witnesses (quorum %d)%s\n", len(b.Issuers), chambers, b.Log.Origin,
		len(b.Log.Witnesses), b.Log.Quorum, map[bool]string{true: " and TSA roots", false: ""}[b.Log.TSARoots != ""])
	fmt.Fprintf(stdout, "  status of %d lists as of %s\n", len(b.Status.Lists), b.Status.Taken.UTC().Format("2006-01-02 15:04 UTC"))
	return nil
}

// download GETs a trust bundle, at most trust.MaxSize bytes.
func download(ctx context.Context, u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, attesta.Wrap(err, attesta.Unavailable, "err.cli.trust.fetch", u, err.Error())
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, attesta.E(attesta.Unavailable, "err.cli.trust.fetch", u, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, trust.MaxSize+1))
	if err != nil {
		return nil, attesta.Wrap(err, attesta.Unavailable, "err.cli.trust.fetch", u, err.Error())
	}
	if len(body) > trust.MaxSize {
		return nil, attesta.E(attesta.Invalid, "err.trust.large", trust.MaxSize)
	}
	return body, nil
}

// trustKey prints the key that signs the deployment's trust bundle, made
// the first time it is asked for.
func trustKey(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, _, err := newCommand("trust key", stdout, stderr).parseConfig(args, 0, getenv)
	if err != nil {
		return err
	}
	svc, closeDB, err := openServices(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	k, err := svc.Trust.Key(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, k)
	return err
}

// openBundle reads a saved trust bundle and verifies it against the key
// pinned with --pin, or else the one recorded for its deployment.
func openBundle(ctx context.Context, name, pin string, getenv func(string) string) (*trust.Verified, error) {
	data, err := readInput(name, trust.MaxSize)
	if err != nil {
		return nil, err
	}
	claims, err := trust.Peek(data)
	if err != nil {
		return nil, err
	}
	pinned, err := pinOf(pin, claims, getenv)
	if err != nil {
		return nil, err
	}
	if pinned == nil {
		return nil, attesta.E(attesta.Invalid, "err.cli.trust.nopin", name, claims.Deployment, trust.KeyID(claims.Key))
	}
	return trust.Open(ctx, data, pinned)
}

// snapshot is what a verification with a trust bundle says of its status
// snapshot.
type snapshot struct {
	Deployment string    `json:"deployment"`
	Key        string    `json:"bundle_key"`
	Taken      time.Time `json:"taken"`
	AgeSeconds int64     `json:"age_seconds"`
	// Stale is true when the snapshot is older than MaxAgeSeconds: a
	// revocation or suspension since it was taken is not seen.
	Stale         bool  `json:"stale"`
	MaxAgeSeconds int64 `json:"max_age_seconds"`
}

func newSnapshot(v *trust.Verified, now time.Time, maxAge time.Duration) *snapshot {
	age := max(now.Sub(v.Taken()), 0)
	return &snapshot{Deployment: v.Bundle.Deployment, Key: trust.KeyID(v.Key), Taken: v.Taken().UTC(), AgeSeconds: int64(age / time.Second),
		Stale: age > maxAge, MaxAgeSeconds: int64(maxAge / time.Second)}
}

// print says how old the snapshot is, and warns when it is stale.
func (s *snapshot) print(w io.Writer) {
	age := time.Duration(s.AgeSeconds) * time.Second
	fmt.Fprintln(w, attesta.M("trust.asof", s.Taken.Format("2006-01-02 15:04 UTC"), ago(age), s.Deployment).In("en"))
	if s.Stale {
		fmt.Fprintln(w, attesta.M("trust.stale", span(time.Duration(s.MaxAgeSeconds)*time.Second)).In("en"))
	}
}

// ago says how long ago, roughly.
func ago(d time.Duration) attesta.Message {
	if d < time.Minute {
		return attesta.M("trust.ago.now")
	}
	return attesta.M("trust.ago", span(d))
}

// span says a duration of a minute or more, roughly.
func span(d time.Duration) attesta.Message {
	switch {
	case d < time.Hour:
		return attesta.M("trust.span.min", int(d/time.Minute))
	case d < 48*time.Hour:
		return attesta.M("trust.span.hours", int(d/time.Hour))
	}
	return attesta.M("trust.span.days", int(d/(24*time.Hour)))
}
