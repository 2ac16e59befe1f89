// Package didweb resolves did:web identifiers for a verifier: it fetches
// the DID document over HTTPS, as the [did:web method] derives its URL, and
// reads its verification methods.
//
// A verifier fetches what a credential from anyone names, so a fetch is
// bounded and kept where it may go:
//
//   - HTTPS only, no redirect, no proxy; at most MaxBytes (64 KiB) in at
//     most Timeout (5 s), connection included.
//   - Never to a loopback, private, link-local, multicast or otherwise
//     non-public address: the address is checked when the connection is
//     dialled, after the name is resolved, so a name that resolves (or
//     rebinds) to such an address is refused too.
//   - Except for the origins listed in Local (https://host:port): a
//     deployment's explicit allowance for its own network (tests, an
//     intranet), off by default.
//
// [did:web method]: https://w3c-ccg.github.io/did-method-web/
package didweb

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/attesta/attesta/internal/vc/did"
)

// Defaults of a Resolver.
const (
	DefaultTimeout  = 5 * time.Second
	DefaultMaxBytes = 64 << 10
)

// Resolver fetches did:web documents. The zero value is ready to use.
type Resolver struct {
	// Local lists origins ("https://host" or "https://host:port") whose
	// documents may be fetched from loopback, private or link-local
	// addresses.
	Local []string
	// Timeout bounds one resolution; MaxBytes a document.
	Timeout  time.Duration
	MaxBytes int64
	// RootCAs, when set, are the certificate authorities trusted instead
	// of the system's (tests).
	RootCAs *x509.CertPool

	once   sync.Once
	client *http.Client
	local  map[string]bool // host:port

	mu    sync.Mutex
	cache map[string]cached // documents fetched in the last CacheFor
}

// CacheFor is how long a fetched document is reused: a verification asks
// for its issuer's document more than once, and a burst of verifications
// of one issuer's credentials fetches it once.
const CacheFor = time.Minute

// maxCached bounds the cache; past it, the cache starts again empty.
const maxCached = 1024

type cached struct {
	doc     did.Document
	fetched time.Time
}

// ErrAddress is the error of a fetch refused for the address it would
// connect to.
var ErrAddress = errors.New("not a public address")

// ResolveDID fetches and reads the DID document of a did:web identifier,
// or returns the one fetched less than CacheFor ago.
func (r *Resolver) ResolveDID(ctx context.Context, id string) (did.Document, error) {
	r.once.Do(r.init)
	r.mu.Lock()
	c, ok := r.cache[id]
	r.mu.Unlock()
	if ok && time.Since(c.fetched) < CacheFor {
		return c.doc, nil
	}
	doc, err := r.fetch(ctx, id)
	if err != nil {
		return did.Document{}, err
	}
	r.mu.Lock()
	if len(r.cache) >= maxCached {
		r.cache = map[string]cached{}
	}
	r.cache[id] = cached{doc, time.Now()}
	r.mu.Unlock()
	return doc, nil
}

// fetch fetches and reads the DID document of a did:web identifier.
func (r *Resolver) fetch(ctx context.Context, id string) (did.Document, error) {
	u, err := did.WebDocumentURL(id)
	if err != nil {
		return did.Document{}, err
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return did.Document{}, fmt.Errorf("resolve %s: %w", id, err)
	}
	req.Header.Set("Accept", "application/did+json, application/did+ld+json;q=0.9, application/json;q=0.8")
	resp, err := r.client.Do(req)
	if err != nil {
		return did.Document{}, fmt.Errorf("resolve %s: %w", id, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return did.Document{}, fmt.Errorf("resolve %s: GET %s: %s", id, u, resp.Status)
	}
	limit := r.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return did.Document{}, fmt.Errorf("resolve %s: reading %s: %w", id, u, err)
	}
	if int64(len(body)) > limit {
		return did.Document{}, fmt.Errorf("resolve %s: the document at %s is larger than %d bytes", id, u, limit)
	}
	doc, err := Parse(body)
	if err != nil {
		return did.Document{}, fmt.Errorf("resolve %s: %w", id, err)
	}
	if doc.ID != id {
		return did.Document{}, fmt.Errorf("resolve %s: %s holds the document of %q", id, u, doc.ID)
	}
	return doc, nil
}

func (r *Resolver) init() {
	r.cache = map[string]cached{}
	r.local = map[string]bool{}
	for _, o := range r.Local {
		if u, err := url.Parse(o); err == nil && u.Scheme == "https" && u.Host != "" {
			host := u.Host
			if u.Port() == "" {
				host += ":443"
			}
			r.local[host] = true
		}
	}
	transport := &http.Transport{
		Proxy:                  nil, // a proxy would connect where this resolver did not check
		DialContext:            r.dial,
		TLSClientConfig:        &tls.Config{RootCAs: r.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    DefaultTimeout,
		ResponseHeaderTimeout:  DefaultTimeout,
		MaxResponseHeaderBytes: 16 << 10,
		MaxIdleConns:           16,
		IdleConnTimeout:        30 * time.Second,
	}
	r.client = &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return errors.New("a did:web document is not fetched through a redirect")
		},
	}
}

// dial connects to addr (host:port), refusing a non-public address unless
// the origin is one of the local ones. The check is made on the address
// actually dialled, after name resolution.
func (r *Resolver) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	allowLocal := r.local[addr]
	d := &net.Dialer{
		Timeout: DefaultTimeout,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("dialling %s: %w", address, err)
			}
			if !allowLocal && !Public(ap.Addr()) {
				return fmt.Errorf("dialling %s for %s: %w", ap.Addr(), addr, ErrAddress)
			}
			return nil
		},
	}
	return d.DialContext(ctx, network, addr)
}

// nonPublic are the IPv4 and IPv6 ranges that are not the public Internet,
// beyond what netip.Addr's predicates name.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (carrier-grade NAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: an IPv4 address inside
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: an IPv4 address inside
}

// Public reports whether a is an address of the public Internet: not
// loopback, private, link-local, multicast, unspecified, nor one of the
// special-purpose ranges.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// Parse reads a DID document as published: verification methods by
// reference or embedded in assertionMethod, ids relative to the document
// (#key-1) made absolute. Only Multikey methods are kept.
func Parse(data []byte) (did.Document, error) {
	var raw struct {
		ID                 string            `json:"id"`
		VerificationMethod []json.RawMessage `json:"verificationMethod"`
		AssertionMethod    []json.RawMessage `json:"assertionMethod"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return did.Document{}, fmt.Errorf("the DID document is not valid JSON: %w", err)
	}
	if raw.ID == "" {
		return did.Document{}, errors.New("the DID document has no id")
	}
	if !strings.HasPrefix(raw.ID, "did:") {
		// Its methods' relative ids are made absolute against it: an id
		// that is not a DID would leave them relative.
		return did.Document{}, fmt.Errorf("the DID document's id %q is not a DID", raw.ID)
	}
	doc := did.Document{Context: []string{did.ContextDIDv1}, ID: raw.ID}
	abs := func(id string) string {
		if strings.HasPrefix(id, "#") {
			return raw.ID + id
		}
		return id
	}
	method := func(m json.RawMessage) (did.VerificationMethod, bool) {
		var vm did.VerificationMethod
		if json.Unmarshal(m, &vm) != nil || vm.Type != "Multikey" || vm.ID == "" {
			return vm, false
		}
		vm.ID, vm.Controller = abs(vm.ID), abs(vm.Controller)
		return vm, true
	}
	for _, m := range raw.VerificationMethod {
		if vm, ok := method(m); ok {
			doc.VerificationMethod = append(doc.VerificationMethod, vm)
		}
	}
	for _, a := range raw.AssertionMethod {
		var ref string
		if json.Unmarshal(a, &ref) == nil {
			doc.AssertionMethod = append(doc.AssertionMethod, abs(ref))
			continue
		}
		if vm, ok := method(a); ok {
			doc.VerificationMethod = append(doc.VerificationMethod, vm)
			doc.AssertionMethod = append(doc.AssertionMethod, vm.ID)
		}
	}
	return doc, nil
}
