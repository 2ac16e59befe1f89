// Package account is signing in: local accounts with argon2id passwords,
// server-side sessions, throttling and lockout, invitations and password
// resets by e-mail through an outbox, personal access tokens, and the link
// between a person and their OpenID Connect identities.
//
// # Secrets
//
// Session ids, tokens and one-time links are 256-bit random values given to
// the user once; the database keeps only their SHA-256, so a copy of it
// lets no one in. Passwords are kept as argon2id hashes. Nothing secret is
// logged, in any mode: the outbox holds the messages, which an SMTP server
// delivers ([SMTP]) or, in development, files in a directory hold
// ([MailDir]); the log says where a message went, never what it says.
//
// # Throttling
//
// Each account locks for LockFor after MaxFailures failed sign-ins in a
// row (the count is in the database, so it holds across restarts and
// processes); each client address may try MaxPerAddress times per minute
// (in memory). A wrong address costs as much as a wrong password, and both
// get the same answer.
//
// # Sessions
//
// A session ends after IdleTimeout without use or MaxAge after sign-in,
// on sign-out, and — all of a person's sessions — when their password
// changes or is reset.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/people"
)

// Account is a person's local sign-in.
type Account struct {
	Person            string
	PasswordHash      string // PHC string; "" until the person chooses one
	PasswordChangedAt time.Time
	FailedLogins      int
	LockedUntil       time.Time
}

// Session is a signed-in browser. The id is known only to the browser.
type Session struct {
	IDHash    []byte
	Person    string
	Org       string    // the membership acted in
	Role      auth.Role //
	CreatedAt time.Time
	SeenAt    time.Time
	Method    string // "password" or "oidc:<issuer>"
}

// Token is a personal access token for the API, bound to one membership.
type Token struct {
	ID         string       `json:"id"`
	Hash       []byte       `json:"-"`
	Person     string       `json:"person"`
	Org        string       `json:"org"`
	Role       auth.Role    `json:"role"`
	Name       string       `json:"name"`
	Scopes     []auth.Scope `json:"scopes"`
	CreatedAt  time.Time    `json:"created_at"`
	ExpiresAt  time.Time    `json:"expires_at"`
	LastUsedAt time.Time    `json:"last_used_at,omitzero"`
	RevokedAt  time.Time    `json:"revoked_at,omitzero"`
}

// OneTime is an invitation or password-reset link.
type OneTime struct {
	Hash      []byte
	Person    string
	Purpose   string // "invite" or "reset"
	ExpiresAt time.Time
	UsedAt    time.Time
}

// Mail is a message in the outbox.
type Mail struct {
	ID        int64
	To        string
	Subject   string
	Body      string
	CreatedAt time.Time
	SentAt    time.Time
	Attempts  int
	LastError string
}

// TokenPrefix starts every personal access token: a token is told from the
// deployment's API token by its looks.
const TokenPrefix = "atk_"

// Limits and lifetimes.
const (
	MaxFailures   = 5
	LockFor       = 15 * time.Minute
	MaxPerAddress = 20 // sign-in attempts per client address per minute
	IdleTimeout   = 2 * time.Hour
	MaxAge        = 12 * time.Hour
	InviteFor     = 7 * 24 * time.Hour
	ResetFor      = time.Hour
	MaxTokenAge   = 366 * 24 * time.Hour
	MaxTokens     = 20 // live tokens per person
	MaxTokenName  = 80
	// touchEvery bounds how often a used session is written back.
	touchEvery = time.Minute
)

// Reader reads accounts inside a transaction.
type Reader interface {
	// Person returns one, or an error with code attesta.NotFound
	// (people.RoleReader, for people.Principal).
	Person(ctx context.Context, id string) (*people.Person, error)
	// Memberships returns a person's roles, ordered by organisation name
	// (people.RoleReader).
	Memberships(ctx context.Context, person string) ([]auth.Membership, error)
	// Session returns the session with that id hash, or NotFound.
	Session(ctx context.Context, idHash []byte) (*Session, error)
	// TokenByHash returns a token, or NotFound.
	TokenByHash(ctx context.Context, hash []byte) (*Token, error)
	// Tokens lists a person's tokens, newest first.
	Tokens(ctx context.Context, person string) ([]Token, error)
	// OneTime returns a one-time link, or NotFound.
	OneTime(ctx context.Context, hash []byte) (*OneTime, error)
	// PendingMail lists unsent messages, oldest first.
	PendingMail(ctx context.Context, limit int) ([]Mail, error)
}

// Writer writes accounts inside a transaction.
type Writer interface {
	Reader
	// PersonByEmail returns the person with that (lower-case) address, or
	// NotFound.
	PersonByEmail(ctx context.Context, email string) (*people.Person, error)
	// Account returns a person's account, or NotFound.
	Account(ctx context.Context, person string) (*Account, error)
	// Identity returns the person linked to an OpenID identity, or NotFound.
	Identity(ctx context.Context, issuer, subject string) (string, error)
	PutAccount(ctx context.Context, a *Account) error
	InsertSession(ctx context.Context, s *Session) error
	UpdateSession(ctx context.Context, s *Session) error
	DeleteSession(ctx context.Context, idHash []byte) error
	DeleteSessions(ctx context.Context, person string) error
	// RevokeTokens revokes every live token of a person at time at.
	RevokeTokens(ctx context.Context, person string, at time.Time) error
	// DeleteStaleSessions ends the sessions last seen before seen or
	// opened before opened, and returns how many.
	DeleteStaleSessions(ctx context.Context, seen, opened time.Time) (int64, error)
	InsertToken(ctx context.Context, t *Token) error
	UpdateToken(ctx context.Context, t *Token) error
	InsertOneTime(ctx context.Context, o *OneTime) error
	UseOneTime(ctx context.Context, hash []byte, at time.Time) error
	LinkIdentity(ctx context.Context, issuer, subject, person string) error
	QueueMail(ctx context.Context, m *Mail) error
	UpdateMail(ctx context.Context, m *Mail) error
	// Record appends an entry to the audit trail (audit.Recorder).
	Record(ctx context.Context, e *audit.Entry) error
}

// Store keeps accounts; each call is one transaction.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Service is signing in.
type Service struct {
	store     Store
	now       attesta.Clock
	rand      io.Reader
	publicURL string
	limiter   *limiter // sign-ins and reset requests per address
	changes   *limiter // wrong current passwords per person
}

// NewService returns the service; links in messages start with publicURL.
func NewService(store Store, now attesta.Clock, rnd io.Reader, publicURL string) *Service {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Service{store: store, now: now, rand: rnd, publicURL: strings.TrimSuffix(publicURL, "/"), limiter: newLimiter(MaxPerAddress, time.Minute),
		changes: newLimiter(MaxFailures, LockFor)}
}

// secret returns a new 256-bit secret and its hash.
func (s *Service) secret(prefix string) (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", nil, fmt.Errorf("making a secret: %w", err)
	}
	v := prefix + base64.RawURLEncoding.EncodeToString(b)
	return v, Hash(v), nil
}

// Hash is the SHA-256 under which a secret is stored.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

var errBadLogin = attesta.E(attesta.Unauthenticated, "err.account.login.wrong")

// SignIn checks an e-mail address and password and opens a session acting
// in the person's first membership. addr is the client's address, for
// throttling. It returns the session id to give the browser.
func (s *Service) SignIn(ctx context.Context, email, password, addr string) (string, error) {
	now := s.now()
	if !s.limiter.allow(addr, now) {
		return "", attesta.E(attesta.Throttled, "err.account.login.throttled")
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if len(email) > people.MaxEmail || len(password) > MaxPassword {
		return "", errBadLogin
	}
	var id string
	var outcome error
	err := s.store.Update(ctx, func(w Writer) error {
		p, err := w.PersonByEmail(ctx, email)
		if attesta.ErrorCode(err) == attesta.NotFound {
			CheckPassword(dummyHash(), password)
			outcome = errBadLogin
			return nil
		}
		if err != nil {
			return err
		}
		a, err := w.Account(ctx, p.ID)
		if attesta.ErrorCode(err) == attesta.NotFound || (err == nil && a.PasswordHash == "") {
			CheckPassword(dummyHash(), password)
			outcome = errBadLogin
			return nil
		}
		if err != nil {
			return err
		}
		if now.Before(a.LockedUntil) {
			// The same answer as a wrong password: a locked account is not
			// told apart from an unknown address. Its person was told by
			// e-mail when it locked.
			CheckPassword(dummyHash(), password)
			outcome = errBadLogin
			return nil
		}
		ok, err := CheckPassword(a.PasswordHash, password)
		if err != nil {
			return fmt.Errorf("checking the password of %s: %w", p.ID, err)
		}
		if !ok {
			a.FailedLogins++
			if a.FailedLogins >= MaxFailures {
				a.LockedUntil, a.FailedLogins = now.Add(LockFor), 0
				if err := audit.Record(ctx, w, nil, now, "account.lock", selfObject(p.ID), nil, map[string]any{"until": a.LockedUntil}); err != nil {
					return err
				}
				until := a.LockedUntil.Format("15:04") + " UTC"
				if err := w.QueueMail(ctx, &Mail{To: p.Email, CreatedAt: now,
					Subject: "Accesso sospeso / Sign-in suspended",
					Body: fmt.Sprintf("Dopo %d tentativi di accesso non riusciti il suo account è sospeso fino alle %s. Se non è stato lei, reimposti la password:\n%s/account/password/reset\n\n"+
						"After %d failed sign-ins your account is suspended until %s. If it was not you, reset your password:\n%s/account/password/reset\n",
						MaxFailures, until, s.publicURL, MaxFailures, until, s.publicURL)}); err != nil {
					return err
				}
			}
			outcome = errBadLogin
			return w.PutAccount(ctx, a)
		}
		if a.FailedLogins != 0 {
			a.FailedLogins = 0
			if err := w.PutAccount(ctx, a); err != nil {
				return err
			}
		}
		id, err = s.open(ctx, w, p.ID, "password")
		return err
	})
	if err != nil {
		return "", fmt.Errorf("signing in: %w", err)
	}
	if outcome != nil {
		return "", outcome
	}
	return id, nil
}

func selfObject(person string) auth.Object {
	return auth.Object{Kind: auth.PersonObject, ID: person, Person: person}
}

// open starts a session for person in their first membership.
func (s *Service) open(ctx context.Context, w Writer, person, method string) (string, error) {
	ms, err := w.Memberships(ctx, person)
	if err != nil {
		return "", err
	}
	if len(ms) == 0 {
		return "", attesta.E(attesta.Forbidden, "err.account.noroles")
	}
	id, hash, err := s.secret("")
	if err != nil {
		return "", err
	}
	now := s.now()
	if err := w.InsertSession(ctx, &Session{IDHash: hash, Person: person, Org: ms[0].Org, Role: ms[0].Role, CreatedAt: now, SeenAt: now, Method: method}); err != nil {
		return "", err
	}
	return id, nil
}

// Authenticate returns the principal of a session id, or an error with code
// Unauthenticated if there is no such live session.
func (s *Service) Authenticate(ctx context.Context, sessionID string) (*auth.Principal, *Session, error) {
	if sessionID == "" || len(sessionID) > 128 {
		return nil, nil, attesta.E(attesta.Unauthenticated, "err.account.signin")
	}
	hash, now := Hash(sessionID), s.now()
	var sess *Session
	var p *auth.Principal
	expired := false
	err := s.store.View(ctx, func(r Reader) (err error) {
		if sess, err = r.Session(ctx, hash); err != nil {
			return err
		}
		if now.Sub(sess.SeenAt) > IdleTimeout || now.Sub(sess.CreatedAt) > MaxAge {
			expired = true
			return nil
		}
		p, err = people.Principal(ctx, r, sess.Person, sess.Org, sess.Role)
		return err
	})
	if attesta.ErrorCode(err) == attesta.NotFound || attesta.ErrorCode(err) == attesta.Forbidden || expired {
		if expired {
			s.store.Update(ctx, func(w Writer) error { return w.DeleteSession(ctx, hash) })
		}
		return nil, nil, attesta.E(attesta.Unauthenticated, "err.account.session.ended")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading the session: %w", err)
	}
	if now.Sub(sess.SeenAt) > touchEvery {
		sess.SeenAt = now
		if err := s.store.Update(ctx, func(w Writer) error { return w.UpdateSession(ctx, sess) }); err != nil {
			return nil, nil, fmt.Errorf("touching the session: %w", err)
		}
	}
	return p, sess, nil
}

// PurgeSessions deletes the sessions that have ended by time (idle or too
// old) but were never presented again.
func (s *Service) PurgeSessions(ctx context.Context) (n int64, err error) {
	now := s.now()
	err = s.store.Update(ctx, func(w Writer) (err error) {
		n, err = w.DeleteStaleSessions(ctx, now.Add(-IdleTimeout), now.Add(-MaxAge))
		return err
	})
	return n, err
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, sessionID string) error {
	return s.store.Update(ctx, func(w Writer) error { return w.DeleteSession(ctx, Hash(sessionID)) })
}

// Switch makes a session act in another of the person's memberships.
func (s *Service) Switch(ctx context.Context, sessionID, org string, role auth.Role) error {
	hash := Hash(sessionID)
	err := s.store.Update(ctx, func(w Writer) error {
		sess, err := w.Session(ctx, hash)
		if err != nil {
			return attesta.E(attesta.Unauthenticated, "err.account.signin")
		}
		if _, err := people.Principal(ctx, w, sess.Person, org, role); err != nil {
			return attesta.E(attesta.NotFound, "err.account.role.notheld", role, org)
		}
		sess.Org, sess.Role = org, role
		return w.UpdateSession(ctx, sess)
	})
	if err != nil {
		return fmt.Errorf("switching role: %w", err)
	}
	return nil
}

// ChangePassword changes p's password after checking the current one,
// ends every session of p's person, and opens a new one for the caller.
func (s *Service) ChangePassword(ctx context.Context, p *auth.Principal, current, next string) (string, error) {
	if err := auth.Decide(p, auth.AccountManage, selfObject(p.Person)); err != nil {
		return "", err
	}
	var id string
	err := s.store.Update(ctx, func(w Writer) error {
		person, err := w.Person(ctx, p.Person)
		if err != nil {
			return err
		}
		a, err := w.Account(ctx, p.Person)
		if err != nil {
			return err
		}
		ok, err := CheckPassword(a.PasswordHash, current)
		if err != nil || !ok {
			if !s.changes.allow(p.Person, s.now()) {
				return attesta.E(attesta.Throttled, "err.account.password.throttled")
			}
			var fe attesta.FieldErrors
			fe.Problem("current", "err.account.password.current")
			return fe.Err()
		}
		if err := s.setPassword(ctx, w, person, a, next); err != nil {
			return err
		}
		id, err = s.open(ctx, w, p.Person, "password")
		if err != nil {
			return err
		}
		return audit.Record(ctx, w, p, s.now(), "account.password", selfObject(p.Person), nil, nil)
	})
	if err != nil {
		return "", fmt.Errorf("changing the password: %w", err)
	}
	return id, nil
}

// setPassword stores a new password, ends every session of the person and
// revokes their tokens: whoever had them no longer gets in.
func (s *Service) setPassword(ctx context.Context, w Writer, person *people.Person, a *Account, password string) error {
	if err := CheckNewPassword(password, person.Email); err != nil {
		return err
	}
	h, err := HashPassword(s.rand, password)
	if err != nil {
		return err
	}
	a.Person, a.PasswordHash, a.PasswordChangedAt, a.FailedLogins, a.LockedUntil = person.ID, h, s.now(), 0, time.Time{}
	if err := w.PutAccount(ctx, a); err != nil {
		return err
	}
	if err := w.RevokeTokens(ctx, person.ID, s.now()); err != nil {
		return err
	}
	return w.DeleteSessions(ctx, person.ID)
}

// SetPassword sets a person's password directly: the demo dataset and the
// command line use it; people use invitations and resets.
func (s *Service) SetPassword(ctx context.Context, person, password string) error {
	return s.store.Update(ctx, func(w Writer) error {
		p, err := w.Person(ctx, person)
		if err != nil {
			return err
		}
		a, err := w.Account(ctx, person)
		if attesta.ErrorCode(err) == attesta.NotFound {
			a, err = &Account{Person: person}, nil
		}
		if err != nil {
			return err
		}
		return s.setPassword(ctx, w, p, a, password)
	})
}

// PasswordIs reports whether the person with that e-mail address has an
// account whose password is password: for the server's start in
// production, which refuses demo accounts that still have the published
// demo password. It changes nothing: no failure is counted.
func (s *Service) PasswordIs(ctx context.Context, email, password string) (bool, error) {
	var hash string
	err := s.store.Update(ctx, func(w Writer) error {
		p, err := w.PersonByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
		if attesta.ErrorCode(err) == attesta.NotFound {
			return nil
		}
		if err != nil {
			return err
		}
		a, err := w.Account(ctx, p.ID)
		if attesta.ErrorCode(err) == attesta.NotFound {
			return nil
		}
		if err != nil {
			return err
		}
		hash = a.PasswordHash
		return nil
	})
	if err != nil || hash == "" {
		return false, err
	}
	return CheckPassword(hash, password)
}

// Invite sends a person an invitation to choose a password, from p.
func (s *Service) Invite(ctx context.Context, p *auth.Principal, person string) error {
	err := s.store.Update(ctx, func(w Writer) error {
		pr, err := w.Person(ctx, person)
		if err != nil {
			return err
		}
		if pr.Email == "" {
			return attesta.E(attesta.Invalid, "err.account.invite.noemail", pr.Name())
		}
		link, err := s.oneTime(ctx, w, person, "invite", InviteFor)
		if err != nil {
			return err
		}
		from := "attesta"
		if p != nil {
			from = p.Name + " (" + p.OrgName + ")"
		}
		return w.QueueMail(ctx, &Mail{To: pr.Email, CreatedAt: s.now(),
			Subject: "Invito alla piattaforma Competenza Certificata / Invitation",
			Body: fmt.Sprintf("Gentile %s,\n%s la invita sulla piattaforma Competenza Certificata. Per scegliere la password apra entro 7 giorni:\n%s\n\nDear %s,\n%s invites you to the Competenza Certificata platform. To choose your password open within 7 days:\n%s\n",
				pr.Name(), from, link, pr.Name(), from, link)})
	})
	if err != nil {
		return fmt.Errorf("inviting %s: %w", person, err)
	}
	return nil
}

func (s *Service) oneTime(ctx context.Context, w Writer, person, purpose string, life time.Duration) (string, error) {
	v, hash, err := s.secret("")
	if err != nil {
		return "", err
	}
	if err := w.InsertOneTime(ctx, &OneTime{Hash: hash, Person: person, Purpose: purpose, ExpiresAt: s.now().Add(life)}); err != nil {
		return "", err
	}
	return s.publicURL + "/account/password/" + purpose + "/set?token=" + v, nil
}

// RequestReset sends a reset link to the address if it belongs to a
// person; the caller learns nothing either way.
func (s *Service) RequestReset(ctx context.Context, email, addr string) error {
	if !s.limiter.allow("reset:"+addr, s.now()) {
		return attesta.E(attesta.Throttled, "err.account.reset.throttled")
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if !people.ValidEmail(email) {
		var fe attesta.FieldErrors
		fe.Problem("email", "err.account.email.invalid")
		return fe.Err()
	}
	return s.store.Update(ctx, func(w Writer) error {
		p, err := w.PersonByEmail(ctx, email)
		if attesta.ErrorCode(err) == attesta.NotFound {
			return nil
		}
		if err != nil {
			return err
		}
		link, err := s.oneTime(ctx, w, p.ID, "reset", ResetFor)
		if err != nil {
			return err
		}
		return w.QueueMail(ctx, &Mail{To: p.Email, CreatedAt: s.now(),
			Subject: "Reimpostazione della password / Password reset",
			Body:    fmt.Sprintf("Per scegliere una nuova password apra entro un'ora:\n%s\nSe non l'ha chiesto, ignori questo messaggio.\n\nTo choose a new password open within an hour:\n%s\nIf you did not ask for it, ignore this message.\n", link, link)})
	})
}

// UseLink sets the password of the person a valid invitation or reset link
// names, consumes the link, and ends the person's other sessions. It
// returns a new session id.
func (s *Service) UseLink(ctx context.Context, purpose, token, password string) (string, error) {
	hash, now := Hash(token), s.now()
	var id string
	err := s.store.Update(ctx, func(w Writer) error {
		o, err := w.OneTime(ctx, hash)
		if err != nil || o.Purpose != purpose || !o.UsedAt.IsZero() || now.After(o.ExpiresAt) {
			return attesta.E(attesta.Invalid, "err.account.link.invalid")
		}
		person, err := w.Person(ctx, o.Person)
		if err != nil {
			return err
		}
		a, err := w.Account(ctx, o.Person)
		if attesta.ErrorCode(err) == attesta.NotFound {
			a, err = &Account{Person: o.Person}, nil
		}
		if err != nil {
			return err
		}
		if err := s.setPassword(ctx, w, person, a, password); err != nil {
			return err
		}
		if err := w.UseOneTime(ctx, hash, now); err != nil {
			return err
		}
		if err := audit.Record(ctx, w, nil, now, "account."+purpose, selfObject(o.Person), nil, nil); err != nil {
			return err
		}
		id, err = s.open(ctx, w, o.Person, "password")
		return err
	})
	if err != nil {
		return "", fmt.Errorf("setting the password: %w", err)
	}
	return id, nil
}

// CheckLink reports whether a link is still valid, to show the form.
func (s *Service) CheckLink(ctx context.Context, purpose, token string) error {
	return s.store.View(ctx, func(r Reader) error {
		o, err := r.OneTime(ctx, Hash(token))
		if err != nil || o.Purpose != purpose || !o.UsedAt.IsZero() || s.now().After(o.ExpiresAt) {
			return attesta.E(attesta.Invalid, "err.account.link.invalid")
		}
		return nil
	})
}

// SignInIdentity opens a session for the person linked to an OpenID
// identity, linking it first to the person with its verified e-mail
// address if there is no link yet.
func (s *Service) SignInIdentity(ctx context.Context, issuer, subject, email string, emailVerified bool) (string, error) {
	var id string
	err := s.store.Update(ctx, func(w Writer) error {
		person, err := w.Identity(ctx, issuer, subject)
		if attesta.ErrorCode(err) == attesta.NotFound {
			if !emailVerified || email == "" {
				return attesta.E(attesta.Unauthenticated, "err.account.oidc.noemail")
			}
			p, err := w.PersonByEmail(ctx, strings.ToLower(email))
			if attesta.ErrorCode(err) == attesta.NotFound {
				return attesta.E(attesta.Unauthenticated, "err.account.oidc.noaccount", email)
			}
			if err != nil {
				return err
			}
			if err := w.LinkIdentity(ctx, issuer, subject, p.ID); err != nil {
				return err
			}
			if err := audit.Record(ctx, w, nil, s.now(), "account.link", selfObject(p.ID), nil, map[string]string{"issuer": issuer}); err != nil {
				return err
			}
			person = p.ID
		} else if err != nil {
			return err
		}
		id, err = s.open(ctx, w, person, "oidc:"+issuer)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("signing in with %s: %w", issuer, err)
	}
	return id, nil
}

// CreateToken makes a personal access token for p's current membership
// and returns it with its secret, which is shown once.
func (s *Service) CreateToken(ctx context.Context, p *auth.Principal, name string, scopes []auth.Scope, life time.Duration) (*Token, string, error) {
	if err := auth.Decide(p, auth.AccountManage, auth.Object{Kind: auth.TokenObject, Person: p.Person}); err != nil {
		return nil, "", err
	}
	if p.Scopes != nil {
		return nil, "", attesta.E(attesta.Forbidden, "err.account.token.bytoken")
	}
	var fe attesta.FieldErrors
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || len(name) > MaxTokenName {
		fe.Problem("name", "err.account.token.name")
	}
	if len(scopes) == 0 {
		fe.Problem("scopes", "err.account.token.noscope")
	}
	for _, sc := range scopes {
		if sc != auth.ScopeRead && sc != auth.ScopeWrite {
			fe.Problem("scopes", "err.account.token.scope", sc)
		}
	}
	if life <= 0 || life > MaxTokenAge {
		fe.Problem("expires", "err.account.token.life")
	}
	if err := fe.Err(); err != nil {
		return nil, "", err
	}
	secret, hash, err := s.secret(TokenPrefix)
	if err != nil {
		return nil, "", err
	}
	id, err := people.NewID(s.rand, "t")
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	t := &Token{ID: id, Hash: hash, Person: p.Person, Org: p.Org, Role: p.Role, Name: name, Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(life)}
	err = s.store.Update(ctx, func(w Writer) error {
		ts, err := w.Tokens(ctx, p.Person)
		if err != nil {
			return err
		}
		live := 0
		for _, t := range ts {
			if t.RevokedAt.IsZero() && now.Before(t.ExpiresAt) {
				live++
			}
		}
		if live >= MaxTokens {
			return attesta.E(attesta.Conflict, "err.account.token.toomany", live)
		}
		if err := w.InsertToken(ctx, t); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, now, "token.create", auth.Object{Kind: auth.TokenObject, ID: id, Person: p.Person}, nil, t)
	})
	if err != nil {
		return nil, "", fmt.Errorf("creating a token: %w", err)
	}
	return t, secret, nil
}

// Tokens lists p's tokens.
func (s *Service) Tokens(ctx context.Context, p *auth.Principal) ([]Token, error) {
	if err := auth.Decide(p, auth.AccountManage, auth.Object{Kind: auth.TokenObject, Person: p.Person}); err != nil {
		return nil, err
	}
	var out []Token
	err := s.store.View(ctx, func(r Reader) (err error) {
		out, err = r.Tokens(ctx, p.Person)
		return err
	})
	return out, err
}

// RevokeToken revokes one of p's tokens.
func (s *Service) RevokeToken(ctx context.Context, p *auth.Principal, id string) error {
	return s.store.Update(ctx, func(w Writer) error {
		ts, err := w.Tokens(ctx, p.Person)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if t.ID != id {
				continue
			}
			if err := auth.Decide(p, auth.AccountManage, auth.Object{Kind: auth.TokenObject, ID: id, Person: t.Person}); err != nil {
				return err
			}
			if !t.RevokedAt.IsZero() {
				return nil
			}
			t.RevokedAt = s.now()
			if err := w.UpdateToken(ctx, &t); err != nil {
				return err
			}
			return audit.Record(ctx, w, p, t.RevokedAt, "token.revoke", auth.Object{Kind: auth.TokenObject, ID: id, Person: p.Person}, nil, nil)
		}
		return attesta.E(attesta.NotFound, "err.account.token.notfound", id)
	})
}

// AuthenticateToken returns the principal of a personal access token.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (*auth.Principal, error) {
	bad := attesta.E(attesta.Unauthenticated, "err.account.token.invalid")
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 128 {
		return nil, bad
	}
	hash, now := Hash(secret), s.now()
	var t *Token
	var p *auth.Principal
	err := s.store.View(ctx, func(r Reader) (err error) {
		if t, err = r.TokenByHash(ctx, hash); err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(t.Hash, hash) != 1 || !t.RevokedAt.IsZero() || !now.Before(t.ExpiresAt) {
			return attesta.E(attesta.NotFound, "err.account.token.nolive")
		}
		p, err = people.Principal(ctx, r, t.Person, t.Org, t.Role)
		return err
	})
	if attesta.ErrorCode(err) == attesta.NotFound || attesta.ErrorCode(err) == attesta.Forbidden {
		return nil, bad
	}
	if err != nil {
		return nil, fmt.Errorf("reading the token: %w", err)
	}
	p.Scopes = t.Scopes
	if now.Sub(t.LastUsedAt) > touchEvery {
		t.LastUsedAt = now
		if err := s.store.Update(ctx, func(w Writer) error { return w.UpdateToken(ctx, t) }); err != nil {
			return nil, fmt.Errorf("touching the token: %w", err)
		}
	}
	return p, nil
}
