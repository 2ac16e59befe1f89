package server_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/oid4vci"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/storage/storagetest"
	"github.com/attesta/attesta/wallet"
)

// walletEnv is a test server whose clock the test moves, with the demo's
// badge (Francesca Lombardi's) and an address recorded for her.
type walletEnv struct {
	ts    *httptest.Server
	srv   *server.Server
	badge string
	clk   *storagetest.Clock
}

func (e *walletEnv) clock() time.Time { return e.clk.Now() }

func (e *walletEnv) advance(d time.Duration) { e.clk.Advance(d) }

// newWalletEnv starts the server on a copy of the demo's SQLite database,
// or on db (nil: SQLite).
func newWalletEnv(t *testing.T, db server.Database) *walletEnv {
	t.Helper()
	e := &walletEnv{clk: storagetest.NewClockAt(testserver.Clock())}
	if db == nil {
		e.srv = testserver.NewWith(t, func(o *server.Options) { o.Clock = e.clock })
	} else {
		e.srv = testserver.NewOn(t, db, func(o *server.Options) { o.Clock = e.clock })
	}
	e.ts = httptest.NewServer(e.srv)
	t.Cleanup(e.ts.Close)
	ctx := context.Background()
	svc := e.srv.Services()
	e.badge = testserver.DemoBadge(t, e.srv)
	// The school records a guardian's address for her.
	school, err := svc.People.PrincipalByEmail(ctx, "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	if err != nil {
		t.Fatal(err)
	}
	classes, err := svc.People.Classes(ctx, school, "mitf01000a")
	if err != nil || len(classes) == 0 {
		t.Fatal(err)
	}
	if _, err := svc.People.Enrol(ctx, school, classes[0].ID, people.StudentInput{Person: people.Person{GivenName: "Francesca", FamilyName: "Lombardi"},
		Student: people.Student{Number: "2026-0103", Contact: "famiglia.lombardi@example.it"}}); err != nil {
		t.Fatal(err)
	}
	return e
}

// offer makes an offer of the badge as the school's tutor, through the
// page, and returns its Credential Offer and the transaction code e-mailed.
func (e *walletEnv) offer(t *testing.T) (oid4vci.CredentialOffer, string) {
	t.Helper()
	jar := signIn(t, e.ts, "docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(e.ts.URL+"/badges/"+url.PathEscape(e.badge)+"/wallet", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("making an offer: %d\n%s", resp.StatusCode, snippet(string(body)))
	}
	m := regexp.MustCompile(`href="(openid-credential-offer://[^"]+)" id="wallet-link"`).FindStringSubmatch(string(body))
	if m == nil || !strings.Contains(string(body), "<svg") {
		t.Fatalf("the page shows no offer link or QR code:\n%s", snippet(string(body)))
	}
	o, err := oid4vci.ParseOfferURI(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	var mail []account.Mail
	if _, err := e.srv.Services().Accounts.Deliver(context.Background(), mailbox(func(m account.Mail) { mail = append(mail, m) })); err != nil {
		t.Fatal(err)
	}
	// Her own address first (the demo gave her an account), the
	// guardian's contact otherwise.
	if len(mail) != 1 || mail[0].To != "lombardi@feltrinelli.example" {
		t.Fatalf("the transaction code's message: %+v", mail)
	}
	tx := regexp.MustCompile(`\b\d{6}\b`).FindString(mail[0].Body)
	if tx == "" {
		t.Fatalf("no code in %q", mail[0].Body)
	}
	// The code is shown nowhere on the page with the offer.
	if strings.Contains(string(body), tx) || strings.Contains(o.Grants.PreAuthorizedCode.Code, tx) {
		t.Fatal("the transaction code is next to the offer")
	}
	return o, tx
}

// post sends a form or a JSON body and returns the status and the decoded
// JSON answer.
func (e *walletEnv) post(t *testing.T, path, ctype, body, token string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.ts.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v, resp.Header
}

func (e *walletEnv) token(t *testing.T, code, tx string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {oid4vci.PreAuthorizedCodeGrant}, "pre-authorized_code": {code}}
	if tx != "-" {
		form.Set("tx_code", tx)
	}
	status, v, h := e.post(t, wallet.TokenPath, "application/x-www-form-urlencoded", form.Encode(), "")
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("token response cache-control %q", h.Get("Cache-Control"))
	}
	return status, v
}

func (e *walletEnv) nonce(t *testing.T) string {
	t.Helper()
	status, v, _ := e.post(t, wallet.NoncePath, "application/json", "", "")
	n, _ := v["c_nonce"].(string)
	if status != 200 || n == "" {
		t.Fatalf("nonce: %d %v", status, v)
	}
	return n
}

// proof is a key proof of key for nonce, signed by signer.
func proof(t *testing.T, key, signer ed25519.PrivateKey, nonce string, iat time.Time) string {
	t.Helper()
	id := did.KeyDID(key.Public().(ed25519.PublicKey))
	h, _ := json.Marshal(map[string]any{"typ": oid4vci.ProofJWTType, "alg": "EdDSA", "kid": id + "#" + strings.TrimPrefix(id, "did:key:")})
	c, _ := json.Marshal(map[string]any{"aud": testserver.PublicURL, "iat": iat.Unix(), "nonce": nonce})
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	return input + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(signer, []byte(input)))
}

func (e *walletEnv) credential(t *testing.T, token, jwt string) (int, map[string]any, http.Header) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"credential_configuration_id": wallet.ConfigurationID, "proofs": map[string]any{"jwt": []string{jwt}}})
	return e.post(t, wallet.CredentialPath, "application/json", string(body), token)
}

func wantError(t *testing.T, what string, status int, v map[string]any, wantStatus int, code string) {
	t.Helper()
	if status != wantStatus || v["error"] != code {
		t.Fatalf("%s: %d %v, want %d %s", what, status, v, wantStatus, code)
	}
}

// TestWalletPickup: the school's tutor makes an offer of the demo's badge;
// the wallet redeems it with the transaction code e-mailed to the learner,
// gets a nonce, proves its key and receives a copy of the badge bound to
// its DID, which attesta's verifier verifies; the token and the code are
// then spent. Revoking the badge revokes the copy.
func TestWalletPickup(t *testing.T) { walletPickup(t, newWalletEnv(t, nil)) }

// TestWalletPickupPostgres is TestWalletPickup on PostgreSQL, whose
// transactions lock the rows they decide on; skipped when no server
// answers.
func TestWalletPickupPostgres(t *testing.T) {
	walletPickup(t, newWalletEnv(t, testserver.Postgres(t, "wallet")))
}

func walletPickup(t *testing.T, e *walletEnv) {
	ctx := context.Background()
	svc := e.srv.Services()

	// The metadata.
	resp, err := http.Get(e.ts.URL + oid4vci.IssuerMetadataPath)
	if err != nil {
		t.Fatal(err)
	}
	var meta oid4vci.IssuerMetadata
	json.NewDecoder(resp.Body).Decode(&meta)
	resp.Body.Close()
	cfg, ok := meta.CredentialConfigurationsSupported[wallet.ConfigurationID]
	if meta.CredentialIssuer != testserver.PublicURL || !ok || cfg.Format != "ldp_vc" || cfg.CredentialDefinition == nil ||
		cfg.CredentialDefinition.Type[1] != "OpenBadgeCredential" || cfg.ProofTypesSupported["jwt"].ProofSigningAlgValuesSupported[0] != "EdDSA" {
		t.Fatalf("issuer metadata %+v", meta)
	}

	o, tx := e.offer(t)
	if o.CredentialIssuer != testserver.PublicURL || o.Grants.PreAuthorizedCode.TxCode.Length != 6 ||
		o.Grants.PreAuthorizedCode.TxCode.InputMode != "numeric" {
		t.Fatalf("offer %+v", o)
	}
	code := o.Grants.PreAuthorizedCode.Code
	status, tok := e.token(t, code, tx)
	access, _ := tok["access_token"].(string)
	if status != 200 || access == "" || tok["token_type"] != "Bearer" {
		t.Fatalf("token: %d %v", status, tok)
	}
	holder := ed25519.NewKeyFromSeed([]byte("wallet-holder-key-0123456789abcd"))
	holderDID := did.KeyDID(holder.Public().(ed25519.PublicKey))
	status, v, _ := e.credential(t, access, proof(t, holder, holder, e.nonce(t), e.clock()))
	if status != 200 {
		t.Fatalf("credential: %d %v", status, v)
	}
	creds, _ := v["credentials"].([]any)
	if len(creds) != 1 {
		t.Fatalf("credential response %v", v)
	}
	issued, _ := json.Marshal(creds[0].(map[string]any)["credential"])
	var doc struct {
		ID                string         `json:"id"`
		CredentialSubject map[string]any `json:"credentialSubject"`
	}
	json.Unmarshal(issued, &doc)
	if doc.CredentialSubject["id"] != holderDID || doc.CredentialSubject["identifier"] != nil {
		t.Fatalf("the copy is not bound to the holder: %v", doc.CredentialSubject)
	}
	if _, err := e.srv.SequenceLog(ctx); err != nil {
		t.Fatal(err)
	}
	if r := svc.Verifier.Verify(ctx, issued); !r.Verified || !r.Chamber {
		t.Fatalf("the copy does not verify: %+v", r)
	}
	rec, err := svc.Credentials.Record(ctx, credential.Actor{Name: "test"}, doc.ID)
	if err != nil || rec.CopyOf != e.badge {
		t.Fatalf("the copy's record: %+v %v", rec, err)
	}
	// The achievement is the badge's.
	orig, _ := svc.Credentials.Record(ctx, credential.Actor{Name: "test"}, e.badge)
	var a, b map[string]any
	json.Unmarshal(orig.Body, &a)
	json.Unmarshal(issued, &b)
	for _, k := range []string{"issuer", "name", "validFrom", "evidence", "commissionDecision"} {
		x, _ := json.Marshal(a[k])
		y, _ := json.Marshal(b[k])
		if string(x) != string(y) {
			t.Errorf("the copy's %s differs from the badge's:\n%s\n%s", k, x, y)
		}
	}
	x, _ := json.Marshal(a["credentialSubject"].(map[string]any)["achievement"])
	y, _ := json.Marshal(b["credentialSubject"].(map[string]any)["achievement"])
	if string(x) != string(y) {
		t.Error("the copy's achievement differs from the badge's")
	}

	// Spent: the token, and the code (reused: invalid_grant).
	status, v, h := e.credential(t, access, proof(t, holder, holder, e.nonce(t), e.clock()))
	wantError(t, "a spent token", status, v, 401, oid4vci.InvalidToken)
	if !strings.Contains(h.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("WWW-Authenticate %q", h.Get("WWW-Authenticate"))
	}
	status, v = e.token(t, code, tx)
	wantError(t, "a reused pre-authorized code", status, v, 400, oid4vci.InvalidGrant)

	// The page says where the copy went.
	jar := signIn(t, e.ts, "docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	page := get(t, e.ts, jar, "/badges/"+url.PathEscape(e.badge)+"/wallet")
	if !strings.Contains(page, holderDID) {
		t.Fatalf("the page does not list the copy:\n%s", snippet(page))
	}

	// Revoking the badge revokes its copy, in the same change.
	chamber, _ := svc.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if _, err := svc.Commissions.ChangeBadge(ctx, chamber, svc.Credentials, e.badge, credential.Revoke, "Determinazione n. 1/2027", "decisione annullata in riesame"); err != nil {
		t.Fatal(err)
	}
	if rec, _ := svc.Credentials.Record(ctx, credential.Actor{Name: "test"}, doc.ID); !rec.Revoked {
		t.Fatal("the copy is not revoked with its badge")
	}
	if r := svc.Verifier.Verify(ctx, issued); r.Verified {
		t.Fatal("the copy of a revoked badge verifies")
	}
	// A copy's status never changes alone.
	if _, err := svc.Credentials.ChangeStatus(ctx, credential.Actor{Name: "test"}, doc.ID, credential.Suspend, "x"); err == nil {
		t.Fatal("a copy's status changed alone")
	}
}

// TestWalletRefusals: an expired offer, a wrong transaction code (the
// third ends the offer), a missing one, a replaced offer, a proof with a
// wrong nonce, a bad signature, no token — each refused with the
// specification's error.
func TestWalletRefusals(t *testing.T) {
	e := newWalletEnv(t, nil)
	holder := ed25519.NewKeyFromSeed([]byte("wallet-holder-key-0123456789abcd"))

	// Expired.
	o, tx := e.offer(t)
	e.advance(wallet.DefaultOfferLifetime + time.Second)
	status, v := e.token(t, o.Grants.PreAuthorizedCode.Code, tx)
	wantError(t, "an expired offer", status, v, 400, oid4vci.InvalidGrant)

	// Wrong transaction codes: the third ends the offer.
	o, tx = e.offer(t)
	code := o.Grants.PreAuthorizedCode.Code
	wrong := "000000"
	if wrong == tx {
		wrong = "000001"
	}
	status, v = e.token(t, code, "-")
	wantError(t, "no transaction code", status, v, 400, oid4vci.InvalidRequest)
	for range wallet.DefaultMaxAttempts {
		status, v = e.token(t, code, wrong)
		wantError(t, "a wrong transaction code", status, v, 400, oid4vci.InvalidGrant)
	}
	status, v = e.token(t, code, tx)
	wantError(t, "the right code after three wrong ones", status, v, 400, oid4vci.InvalidGrant)

	// A new offer replaces the live one.
	o, tx = e.offer(t)
	o2, tx2 := e.offer(t)
	status, v = e.token(t, o.Grants.PreAuthorizedCode.Code, tx)
	wantError(t, "a replaced offer", status, v, 400, oid4vci.InvalidGrant)
	status, v = e.token(t, "not-a-code", tx2)
	wantError(t, "an unknown code", status, v, 400, oid4vci.InvalidGrant)
	status, v, _ = e.post(t, wallet.TokenPath, "application/x-www-form-urlencoded", "grant_type=authorization_code&code=x", "")
	wantError(t, "another grant", status, v, 400, oid4vci.UnsupportedGrantType)

	status, tok := e.token(t, o2.Grants.PreAuthorizedCode.Code, tx2)
	access, _ := tok["access_token"].(string)
	if status != 200 {
		t.Fatalf("token: %d %v", status, tok)
	}
	// A nonce attesta never gave, or that has expired.
	status, v, _ = e.credential(t, access, proof(t, holder, holder, "forged-nonce", e.clock()))
	wantError(t, "a wrong nonce", status, v, 400, oid4vci.InvalidNonce)
	old := e.nonce(t)
	e.advance(wallet.DefaultNonceLifetime + time.Second)
	o3, tx3 := e.offer(t) // a new token: the first has expired with the nonce
	status, tok = e.token(t, o3.Grants.PreAuthorizedCode.Code, tx3)
	access, _ = tok["access_token"].(string)
	if status != 200 {
		t.Fatalf("token: %d %v", status, tok)
	}
	status, v, _ = e.credential(t, access, proof(t, holder, holder, old, e.clock()))
	wantError(t, "an expired nonce", status, v, 400, oid4vci.InvalidNonce)
	status, v, _ = e.credential(t, access, proof(t, holder, holder, e.nonce(t), e.clock().Add(-time.Hour)))
	wantError(t, "an old proof", status, v, 400, oid4vci.InvalidProof)
	// A proof signed by another key than the one it names.
	other := ed25519.NewKeyFromSeed([]byte("someone-else-key-0123456789abcde"))
	status, v, _ = e.credential(t, access, proof(t, holder, other, e.nonce(t), e.clock()))
	wantError(t, "a bad proof signature", status, v, 400, oid4vci.InvalidProof)
	status, v, _ = e.post(t, wallet.CredentialPath, "application/json", `{"credential_configuration_id":"`+wallet.ConfigurationID+`"}`, access)
	wantError(t, "no proof", status, v, 400, oid4vci.InvalidProof)
	status, v, _ = e.post(t, wallet.CredentialPath, "application/json", `{"credential_configuration_id":"x","proofs":{"jwt":["a"]}}`, access)
	wantError(t, "another configuration", status, v, 400, oid4vci.UnknownCredentialConfiguration)
	status, v, _ = e.post(t, wallet.CredentialPath, "application/json", `{"proofs":{"jwt":["a"]}}`, access)
	wantError(t, "no configuration", status, v, 400, oid4vci.InvalidCredentialRequest)
	status, v, h := e.post(t, wallet.CredentialPath, "application/json", `{}`, "")
	wantError(t, "no token", status, v, 401, oid4vci.InvalidToken)
	if h.Get("WWW-Authenticate") != "Bearer" {
		t.Fatalf("WWW-Authenticate %q", h.Get("WWW-Authenticate"))
	}
	status, v, _ = e.credential(t, "forged-token", proof(t, holder, holder, e.nonce(t), e.clock()))
	wantError(t, "a forged token", status, v, 401, oid4vci.InvalidToken)
	// The token still works after those refusals; then it has expired.
	e.advance(wallet.DefaultTokenLifetime)
	status, v, _ = e.credential(t, access, proof(t, holder, holder, e.nonce(t), e.clock()))
	wantError(t, "an expired token", status, v, 401, oid4vci.InvalidToken)
}

// TestWalletOfferRefused: a learner with no address to send the code
// to — her data erased — gets no offer; another school's tutor does not
// find the badge.
func TestWalletOfferRefused(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := context.Background()
	svc := srv.Services()
	learner, _ := svc.People.PrincipalByEmail(ctx, "lombardi@feltrinelli.example", "mitf01000a", auth.Student)
	chamber, _ := svc.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	req, err := svc.Rights.Ask(ctx, learner, "", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Rights.Complete(ctx, chamber, req.ID, "", true); err != nil {
		t.Fatal(err)
	}
	badge := testserver.DemoBadge(t, srv)
	tutor, _ := svc.People.PrincipalByEmail(ctx, "docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	if _, err := svc.Wallet.Make(ctx, tutor, badge); err == nil {
		t.Fatal("an offer to a learner with no address")
	}
	other, _ := svc.People.PrincipalByEmail(ctx, "docente@ferraris.example", "tori03000b", auth.SchoolTutor)
	if _, err := svc.Wallet.Get(ctx, other, badge); err == nil {
		t.Fatal("another school's tutor sees the badge")
	}
	jar := signIn(t, ts, "docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	page := get(t, ts, jar, "/badges/"+url.PathEscape(badge)+"/wallet")
	if !strings.Contains(page, `id="wallet-noaddress"`) {
		t.Fatalf("the page does not say the address is missing:\n%s", snippet(page))
	}
}

// get returns a page's body for the signed-in jar, failing on a status
// other than 200.
func get(t *testing.T, ts *httptest.Server, jar http.CookieJar, path string) string {
	t.Helper()
	client := &http.Client{Jar: jar}
	resp, err := client.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, snippet(string(b)))
	}
	return string(b)
}
