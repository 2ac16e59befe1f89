package didweb

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/internal/vc/did"
)

// server serves did:web documents over TLS on 127.0.0.1, by path.
func server(t *testing.T, handler http.HandlerFunc) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewTLSServer(handler)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return srv, u.Host
}

func resolver(srv *httptest.Server, local ...string) *Resolver {
	return &Resolver{Local: local, RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
}

// A did:web document is fetched over HTTPS from the URL the method derives,
// and read: verification methods by reference or embedded, relative ids
// made absolute.
func TestResolve(t *testing.T) {
	pub := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	var id string
	srv, host := server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/issuers/x/did.json" {
			http.NotFound(w, r)
			return
		}
		mb := did.EncodePublicKey(pub)
		json.NewEncoder(w).Encode(map[string]any{
			"@context": []string{did.ContextDIDv1}, "id": id,
			"verificationMethod": []any{map[string]any{"id": "#k1", "type": "Multikey", "controller": id, "publicKeyMultibase": mb},
				map[string]any{"id": "#jwk", "type": "JsonWebKey", "controller": id}},
			"assertionMethod": []any{"#k1", map[string]any{"id": id + "#k2", "type": "Multikey", "controller": id, "publicKeyMultibase": mb}},
		})
	})
	id = did.WebDID(host, "issuers", "x")
	r := resolver(srv, "https://"+host)
	doc, err := r.ResolveDID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	// Asked again, it is not fetched again.
	srv.Close()
	if again, err := r.ResolveDID(context.Background(), id); err != nil || again.ID != id {
		t.Errorf("the document asked again: %v", err)
	}
	for _, vm := range []string{id + "#k1", id + "#k2"} {
		m, ok := doc.AssertionKey(vm)
		if k, err := m.PublicKey(); !ok || err != nil || !k.Equal(pub) {
			t.Errorf("%s: %v %v", vm, ok, err)
		}
	}
	if len(doc.VerificationMethod) != 2 {
		t.Errorf("methods: %+v", doc.VerificationMethod)
	}
}

// A fetch never reaches a loopback, private or link-local address unless
// its origin is listed as local: the check is made on the address dialled,
// so a name (localhost) that resolves to one is refused like the address.
func TestResolveRefusesLocalAddresses(t *testing.T) {
	srv, host := server(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the server was reached: %s", r.URL)
	})
	_, port, _ := strings.Cut(host, ":")
	for _, h := range []string{host, "localhost:" + port, "[::1]:" + port} {
		id := did.WebDID(h)
		_, err := resolver(srv).ResolveDID(context.Background(), id)
		if !errors.Is(err, ErrAddress) {
			t.Errorf("%s: %v, want %v", id, err, ErrAddress)
		}
	}
	// Another origin on the same machine listed as local does not open
	// this one.
	if _, err := resolver(srv, "https://127.0.0.1:1").ResolveDID(context.Background(), did.WebDID(host)); !errors.Is(err, ErrAddress) {
		t.Errorf("another local origin: %v", err)
	}
}

// A fetch is bounded: a document over the size, an answer later than the
// timeout, a redirect, an error status and a document of another DID are
// refused.
func TestResolveBounds(t *testing.T) {
	var id string
	srv, host := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big/did.json":
			w.Write([]byte(`{"id":"` + id + `","x":"` + strings.Repeat("x", 70<<10) + `"}`))
		case "/slow/did.json":
			time.Sleep(2 * time.Second)
			w.Write([]byte(`{"id":"x"}`))
		case "/moved/did.json":
			http.Redirect(w, r, "/ok/did.json", http.StatusFound)
		case "/other/did.json":
			w.Write([]byte(`{"id":"did:web:other.example"}`))
		default:
			http.NotFound(w, r)
		}
	})
	r := resolver(srv, "https://"+host)
	slow := resolver(srv, "https://"+host)
	slow.Timeout = 500 * time.Millisecond
	for _, tc := range []struct{ path, want string }{
		{"big", "larger than 65536 bytes"},
		{"slow", "deadline exceeded"},
		{"moved", "redirect"},
		{"missing", "404"},
		{"other", "holds the document of"},
	} {
		id = did.WebDID(host, tc.path)
		r := r
		if tc.path == "slow" {
			r = slow
		}
		if _, err := r.ResolveDID(context.Background(), id); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.path, err, tc.want)
		}
	}
	if _, err := r.ResolveDID(context.Background(), "did:key:z6Mk"); err == nil {
		t.Error("a did:key was fetched")
	}
}

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "2606:2800:21f:cb07:6820:80da:af6b:8b2c": true, "8.8.8.8": true,
		"127.0.0.1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false, "169.254.169.254": false,
		"0.0.0.0": false, "100.64.0.1": false, "224.0.0.1": false, "255.255.255.255": false, "198.18.0.1": false,
		"::1": false, "::": false, "fe80::1": false, "fc00::1": false, "fd12:3456::1": false, "ff02::1": false,
		"::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "64:ff9b::a00:1": false, "2002:a00:1::": false,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %t, want %t", addr, got, want)
		}
	}
}

// Parse reads what any server sends: it never panics, and what it returns
// lists only Multikey methods with absolute ids.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"id":"did:web:a.example","verificationMethod":[{"id":"#k","type":"Multikey","controller":"did:web:a.example","publicKeyMultibase":"z6Mk"}],"assertionMethod":["#k",{"id":"#e","type":"Multikey"}]}`))
	f.Add([]byte(`{"id":"did:web:a.example","assertionMethod":[1,null,{}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data)
		if err != nil {
			return
		}
		for _, vm := range doc.VerificationMethod {
			if vm.Type != "Multikey" || strings.HasPrefix(vm.ID, "#") {
				t.Fatalf("method %+v", vm)
			}
		}
	})
}
