package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/api"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/storage/sqlite"
)

// syncBuffer is a log's output, written by the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// secrets collects every secret a session makes or uses, with what it is.
type secrets struct {
	mu   sync.Mutex
	what map[string]string // secret → what it is
}

func (s *secrets) add(what, v string) {
	if v == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.what[v] = what
}

// recorder is an http.RoundTripper that adds to the secrets every cookie a
// response sets and every bearer token a request sends.
type recorder struct{ s *secrets }

func (r recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok {
		r.s.add("a bearer token", tok)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		for _, c := range resp.Cookies() {
			r.s.add("the cookie "+c.Name, c.Value)
		}
	}
	return resp, err
}

var linkPattern = regexp.MustCompile(`https?://\S+/account/password/(invite|reset)/set\?token=([A-Za-z0-9_-]+)`)

// TestNoSecretInLogs runs a real server in development mode, logging at
// debug level, through a whole session — the first start with the demo
// data, a sign-in and a failed one, an invitation and a password reset
// received as a developer receives them, a password change, a personal
// access token made and used on the API, the API's system token issuing a
// credential, a sign-out — and checks that no secret it made or used
// (passwords, session cookies, invitation and reset tokens and links,
// personal access tokens, the API token, the key-encryption key) is in any
// line of its log. The links reach the developer in files of the mail
// directory, which the log names.
func TestNoSecretInLogs(t *testing.T) {
	ctx := context.Background()
	sec := &secrets{what: map[string]string{}}
	var logs syncBuffer
	level := &slog.HandlerOptions{Level: slog.LevelDebug}
	log := slog.New(slog.NewMultiHandler(slog.NewTextHandler(&logs, level), slog.NewJSONHandler(&logs, level)))

	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "attesta.db"), testserver.Clock)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	kek, kekText, err := issuer.GenerateKeyEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	sec.add("the key-encryption key", kekText)
	sec.add("the demo password", demo.Password)
	apiToken := "api-" + rand.Text()
	sec.add("the API token", apiToken)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	mailDir := filepath.Join(dir, "mail")
	opts := server.Options{Version: "test", Log: log, Clock: testserver.Clock, ShutdownTimeout: time.Second,
		PublicURL: base, KEK: kek, APITokenSHA256: api.HashToken(apiToken),
		Mail: &account.MailDir{Dir: mailDir, Log: log}, OutboxInterval: 20 * time.Millisecond}
	if err := server.Prepare(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Run(runCtx, ln) }()
	stopped := false
	defer func() {
		if !stopped {
			stop()
			<-done
		}
	}()

	browser := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar, Transport: recorder{sec}, CheckRedirect: noRedirect}
	}
	do := func(c *http.Client, method, path string, form url.Values, want int) string {
		t.Helper()
		resp, body := fetch(t, c, method, base+path, form)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d", method, path, resp.StatusCode, want)
		}
		return body
	}
	// mail waits for the next message to a recipient and returns the link
	// in it.
	seen := map[string]bool{}
	mail := func(to string) string {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			files, _ := filepath.Glob(filepath.Join(mailDir, "*.eml"))
			for _, f := range files {
				data, err := os.ReadFile(f)
				if seen[f] || err != nil || !strings.Contains(string(data), "\r\nTo: "+to+"\r\n") {
					continue
				}
				seen[f] = true
				m := linkPattern.FindStringSubmatch(string(data))
				if m == nil {
					t.Fatalf("no link in %s:\n%s", f, data)
				}
				sec.add("the "+m[1]+" link", m[0])
				sec.add("the "+m[1]+" token", m[2])
				if !strings.Contains(logs.String(), f) {
					t.Errorf("the log does not say where the message to %s is (%s)", to, f)
				}
				return m[0]
			}
		}
		t.Fatalf("no message to %s in %s", to, mailDir)
		return ""
	}
	password := func(what string) string {
		p := "pw " + rand.Text()
		sec.add(what, p)
		return p
	}

	// A national admin signs in, after a failed attempt, and invites a
	// teacher.
	admin := browser()
	wrong := password("a wrong password")
	do(admin, "POST", "/login", url.Values{"email": {"admin@unioncamere.example"}, "password": {wrong}}, http.StatusUnauthorized)
	do(admin, "POST", "/login", url.Values{"email": {"admin@unioncamere.example"}, "password": {demo.Password}}, http.StatusSeeOther)
	do(admin, "POST", "/orgs/mitf01000a/members", url.Values{"given_name": {"Nina"}, "family_name": {"Serra"},
		"email": {"nina@feltrinelli.example"}, "role": {string(auth.SchoolTutor)}, "invite": {"on"}}, http.StatusSeeOther)

	// The teacher accepts the invitation, forgets the password and resets
	// it, changes it, makes a token and uses the API with it.
	nina := browser()
	invite := strings.TrimPrefix(mail("nina@feltrinelli.example"), base)
	do(nina, "GET", invite, nil, http.StatusOK)
	do(nina, "POST", invite, url.Values{"password": {password("the invited person's first password")}}, http.StatusSeeOther)
	do(nina, "POST", "/logout", nil, http.StatusSeeOther)
	do(nina, "POST", "/account/password/reset", url.Values{"email": {"nina@feltrinelli.example"}}, http.StatusOK)
	reset := strings.TrimPrefix(mail("nina@feltrinelli.example"), base)
	second := password("the reset password")
	do(nina, "POST", reset, url.Values{"password": {second}}, http.StatusSeeOther)
	third := password("the changed password")
	do(nina, "POST", "/account/password", url.Values{"current": {second}, "password": {third}, "confirm": {third}}, http.StatusOK)
	page := do(nina, "POST", "/account/tokens", url.Values{"name": {"script"}, "days": {"30"}, "write": {"on"}}, http.StatusCreated)
	pat := regexp.MustCompile(`atk_[A-Za-z0-9_-]+`).FindString(page)
	if pat == "" {
		t.Fatal("no token on the page")
	}
	sec.add("a personal access token", pat)
	apiCall := func(token, method, path string, body any, want int) {
		t.Helper()
		var r io.Reader
		if body != nil {
			data, _ := json.Marshal(body)
			r = bytes.NewReader(data)
		}
		req, _ := http.NewRequest(method, base+path, r)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := (&http.Client{Transport: recorder{sec}}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, data)
		}
	}
	apiCall(pat, "GET", "/api/v1/me", nil, http.StatusOK)
	apiCall(pat, "GET", "/api/v1/organisations/mitf01000a/classes", nil, http.StatusOK)
	apiCall("atk_"+rand.Text(), "GET", "/api/v1/me", nil, http.StatusUnauthorized)

	// The API's system token issues a credential.
	apiCall(apiToken, "POST", "/api/v1/credentials", map[string]any{
		"issuer": "cciaa-milano", "sector": "meccatronica", "version": 1, "competence": "C7",
		"learner":  map[string]any{"identity": "studente-segreti"},
		"decision": map[string]any{"date": "2026-06-25T00:00:00Z", "reference": "Verbale n. 9/2026"},
	}, http.StatusCreated)
	apiCall("wrong-"+hex.EncodeToString([]byte(rand.Text())), "POST", "/api/v1/credentials", map[string]any{}, http.StatusUnauthorized)
	do(nina, "POST", "/logout", nil, http.StatusSeeOther)
	do(admin, "POST", "/logout", nil, http.StatusSeeOther)

	stop()
	stopped = true
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, `level=DEBUG msg=request`) || !strings.Contains(out, "mail written to a file") {
		t.Fatalf("the log is not the whole session's:\n%s", out)
	}
	sec.mu.Lock()
	defer sec.mu.Unlock()
	if len(sec.what) < 15 {
		t.Fatalf("only %d secrets collected", len(sec.what))
	}
	for v, what := range sec.what {
		for line := range strings.Lines(out) {
			if strings.Contains(line, v) {
				t.Errorf("%s is in the log: %s", what, line)
			}
		}
	}
}

// TestProductionNeverLoadsDemo: in production a new database gets no demo
// data, whatever NoDemo says, so no account has the published demo
// password; a database that holds the demo dataset is refused while one of
// its accounts still has that password; and a server without mail
// delivery does not start.
func TestProductionNeverLoadsDemo(t *testing.T) {
	ctx := context.Background()
	open := func(t *testing.T) (server.Database, server.Options) {
		db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "attesta.db"), testserver.Clock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		kek, _, err := issuer.GenerateKeyEncryptionKey()
		if err != nil {
			t.Fatal(err)
		}
		return db, server.Options{Version: "test", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: testserver.Clock,
			PublicURL: testserver.PublicURL, KEK: kek, Mail: mailbox(func(account.Mail) {})}
	}
	demoPasswords := func(t *testing.T, svc *server.Services) (open []string) {
		t.Helper()
		for _, a := range demo.AllAccounts() {
			ok, err := svc.Accounts.PasswordIs(ctx, a.Email, demo.Password)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				open = append(open, a.Email)
			}
		}
		return open
	}

	t.Run("new database", func(t *testing.T) {
		db, opts := open(t)
		opts.Production = true
		if err := server.Prepare(ctx, db, opts); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := db.Meta(ctx, "first_start_dataset"); v != "none" || !ok || err != nil {
			t.Errorf("the first-start dataset: %q %v %v", v, ok, err)
		}
		srv, err := server.New(db, opts)
		if err != nil {
			t.Fatal(err)
		}
		if open := demoPasswords(t, srv.Services()); len(open) != 0 {
			t.Errorf("demo accounts in production: %v", open)
		}
		if is, err := srv.Services().Issuers.Issuers(ctx); err != nil || len(is) != 0 {
			t.Errorf("demo issuers in production: %v %v", is, err)
		}
	})

	t.Run("demo database", func(t *testing.T) {
		db, opts := open(t)
		if err := server.Prepare(ctx, db, opts); err != nil {
			t.Fatal(err)
		}
		opts.Production = true
		err := server.Prepare(ctx, db, opts)
		if err == nil || !strings.Contains(err.Error(), "admin@unioncamere.example") || !strings.Contains(err.Error(), "published demo password") {
			t.Fatalf("production on the demo database: %v", err)
		}
		svc, err := server.NewServices(db, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range demo.AllAccounts() {
			p, err := svc.People.PrincipalByEmail(ctx, a.Email, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.Accounts.SetPassword(ctx, p.Person, "a password of its own "+p.Person); err != nil {
				t.Fatal(err)
			}
		}
		if err := server.Prepare(ctx, db, opts); err != nil {
			t.Errorf("production once every demo password is changed: %v", err)
		}
	})

	t.Run("no mail", func(t *testing.T) {
		db, opts := open(t)
		opts.Production, opts.Mail = true, nil
		if err := server.Prepare(ctx, db, opts); err != nil {
			t.Fatal(err)
		}
		if _, err := server.New(db, opts); err != server.ErrNoMail {
			t.Errorf("a production server without mail: %v", err)
		}
	})
}
