package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/auth"
)

// accountRows are the accounts, sessions, tokens, one-time links, OpenID
// identities and the outbox, in a transaction.
type accountRows struct{ *Tx }

// Account implements account.Writer.
func (t accountRows) Account(ctx context.Context, person string) (*account.Account, error) {
	var a account.Account
	err := t.QueryRow(ctx, `SELECT person_id, password_hash, password_changed_at, failed_logins, locked_until FROM accounts WHERE person_id = $1`, person).
		Scan(&a.Person, &a.PasswordHash, tcol{&a.PasswordChangedAt}, &a.FailedLogins, tcol{&a.LockedUntil})
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.storage.account.notfound", person)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the account of %s: %w", person, err)
	}
	return &a, nil
}

// PutAccount implements account.Writer.
func (t accountRows) PutAccount(ctx context.Context, a *account.Account) error {
	_, err := t.Exec(ctx, `INSERT INTO accounts (person_id, password_hash, password_changed_at, failed_logins, locked_until) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (person_id) DO UPDATE SET password_hash = excluded.password_hash, password_changed_at = excluded.password_changed_at,
		failed_logins = excluded.failed_logins, locked_until = excluded.locked_until`,
		a.Person, a.PasswordHash, t.tm(a.PasswordChangedAt), a.FailedLogins, t.tm(a.LockedUntil))
	if err != nil {
		return fmt.Errorf("writing the account of %s: %w", a.Person, err)
	}
	return nil
}

// Session implements account.Reader.
func (t accountRows) Session(ctx context.Context, idHash []byte) (*account.Session, error) {
	var s account.Session
	err := t.QueryRow(ctx, `SELECT id_hash, person_id, org_id, role, created_at, seen_at, method FROM sessions WHERE id_hash = $1`, idHash).
		Scan(&s.IDHash, &s.Person, &s.Org, &s.Role, tcol{&s.CreatedAt}, tcol{&s.SeenAt}, &s.Method)
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.account.session.ended")
	}
	if err != nil {
		return nil, fmt.Errorf("reading a session: %w", err)
	}
	return &s, nil
}

// InsertSession implements account.Writer.
func (t accountRows) InsertSession(ctx context.Context, s *account.Session) error {
	_, err := t.Exec(ctx, `INSERT INTO sessions (id_hash, person_id, org_id, role, created_at, seen_at, method) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		s.IDHash, s.Person, s.Org, s.Role, t.tm(s.CreatedAt), t.tm(s.SeenAt), s.Method)
	if err != nil {
		return fmt.Errorf("opening a session: %w", err)
	}
	return nil
}

// UpdateSession implements account.Writer.
func (t accountRows) UpdateSession(ctx context.Context, s *account.Session) error {
	_, err := t.Exec(ctx, `UPDATE sessions SET org_id = $1, role = $2, seen_at = $3 WHERE id_hash = $4`, s.Org, s.Role, t.tm(s.SeenAt), s.IDHash)
	if err != nil {
		return fmt.Errorf("updating a session: %w", err)
	}
	return nil
}

// DeleteSession implements account.Writer.
func (t accountRows) DeleteSession(ctx context.Context, idHash []byte) error {
	if _, err := t.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash); err != nil {
		return fmt.Errorf("ending a session: %w", err)
	}
	return nil
}

// DeleteSessions implements account.Writer.
func (t accountRows) DeleteSessions(ctx context.Context, person string) error {
	if _, err := t.Exec(ctx, `DELETE FROM sessions WHERE person_id = $1`, person); err != nil {
		return fmt.Errorf("ending the sessions of %s: %w", person, err)
	}
	return nil
}

// DeleteStaleSessions implements account.Writer.
func (t accountRows) DeleteStaleSessions(ctx context.Context, seen, opened time.Time) (int64, error) {
	n, err := t.Exec(ctx, `DELETE FROM sessions WHERE seen_at < $1 OR created_at < $2`, t.tm(seen), t.tm(opened))
	if err != nil {
		return 0, fmt.Errorf("purging sessions: %w", err)
	}
	return n, nil
}

// RevokeTokens implements account.Writer.
func (t accountRows) RevokeTokens(ctx context.Context, person string, at time.Time) error {
	if _, err := t.Exec(ctx, `UPDATE access_tokens SET revoked_at = $1 WHERE person_id = $2 AND revoked_at IS NULL`, t.tm(at), person); err != nil {
		return fmt.Errorf("revoking the tokens of %s: %w", person, err)
	}
	return nil
}

const tokenColumns = `id, hash, person_id, org_id, role, name, scopes, created_at, expires_at, last_used_at, revoked_at`

func scanToken(r Row) (*account.Token, error) {
	var tk account.Token
	var scopes string
	if err := r.Scan(&tk.ID, &tk.Hash, &tk.Person, &tk.Org, &tk.Role, &tk.Name, &scopes, tcol{&tk.CreatedAt}, tcol{&tk.ExpiresAt},
		tcol{&tk.LastUsedAt}, tcol{&tk.RevokedAt}); err != nil {
		return nil, err
	}
	for _, s := range strings.Fields(scopes) {
		tk.Scopes = append(tk.Scopes, auth.Scope(s))
	}
	return &tk, nil
}

// TokenByHash implements account.Reader.
func (t accountRows) TokenByHash(ctx context.Context, hash []byte) (*account.Token, error) {
	tk, err := scanToken(t.QueryRow(ctx, `SELECT `+tokenColumns+` FROM access_tokens WHERE hash = $1`, hash))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.account.token.invalid")
	}
	if err != nil {
		return nil, fmt.Errorf("reading a token: %w", err)
	}
	return tk, nil
}

// Tokens implements account.Reader.
func (t accountRows) Tokens(ctx context.Context, person string) ([]account.Token, error) {
	rows, err := t.Query(ctx, `SELECT `+tokenColumns+` FROM access_tokens WHERE person_id = $1 ORDER BY created_at DESC, id`, person)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	defer rows.Close()
	var out []account.Token
	for rows.Next() {
		tk, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("reading tokens: %w", err)
		}
		out = append(out, *tk)
	}
	return out, rows.Err()
}

func scopes(s []auth.Scope) string {
	var b []string
	for _, x := range s {
		b = append(b, string(x))
	}
	return strings.Join(b, " ")
}

// InsertToken implements account.Writer.
func (t accountRows) InsertToken(ctx context.Context, tk *account.Token) error {
	_, err := t.Exec(ctx, `INSERT INTO access_tokens (`+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		tk.ID, tk.Hash, tk.Person, tk.Org, tk.Role, tk.Name, scopes(tk.Scopes), t.tm(tk.CreatedAt), t.tm(tk.ExpiresAt),
		t.tm(tk.LastUsedAt), t.tm(tk.RevokedAt))
	if err != nil {
		return fmt.Errorf("inserting token %s: %w", tk.ID, err)
	}
	return nil
}

// UpdateToken implements account.Writer: its use and revocation times.
func (t accountRows) UpdateToken(ctx context.Context, tk *account.Token) error {
	_, err := t.Exec(ctx, `UPDATE access_tokens SET last_used_at = $1, revoked_at = $2 WHERE id = $3`, t.tm(tk.LastUsedAt), t.tm(tk.RevokedAt), tk.ID)
	if err != nil {
		return fmt.Errorf("updating token %s: %w", tk.ID, err)
	}
	return nil
}

// OneTime implements account.Reader.
func (t accountRows) OneTime(ctx context.Context, hash []byte) (*account.OneTime, error) {
	var o account.OneTime
	err := t.QueryRow(ctx, `SELECT hash, person_id, purpose, expires_at, used_at FROM one_time_links WHERE hash = $1`, hash).
		Scan(&o.Hash, &o.Person, &o.Purpose, tcol{&o.ExpiresAt}, tcol{&o.UsedAt})
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.account.link.invalid")
	}
	if err != nil {
		return nil, fmt.Errorf("reading a link: %w", err)
	}
	return &o, nil
}

// InsertOneTime implements account.Writer.
func (t accountRows) InsertOneTime(ctx context.Context, o *account.OneTime) error {
	_, err := t.Exec(ctx, `INSERT INTO one_time_links (hash, person_id, purpose, expires_at, used_at) VALUES ($1, $2, $3, $4, $5)`,
		o.Hash, o.Person, o.Purpose, t.tm(o.ExpiresAt), t.tm(o.UsedAt))
	if err != nil {
		return fmt.Errorf("inserting a link: %w", err)
	}
	return nil
}

// UseOneTime implements account.Writer.
func (t accountRows) UseOneTime(ctx context.Context, hash []byte, at time.Time) error {
	n, err := t.Exec(ctx, `UPDATE one_time_links SET used_at = $1 WHERE hash = $2 AND used_at IS NULL`, t.tm(at), hash)
	if err != nil {
		return fmt.Errorf("using a link: %w", err)
	}
	if n != 1 {
		return attesta.E(attesta.Invalid, "err.account.link.invalid")
	}
	return nil
}

// Identity implements account.Writer.
func (t accountRows) Identity(ctx context.Context, issuer, subject string) (string, error) {
	var person string
	err := t.QueryRow(ctx, `SELECT person_id FROM oidc_identities WHERE issuer = $1 AND subject = $2`, issuer, subject).Scan(&person)
	if noRows(err) {
		return "", attesta.E(attesta.NotFound, "err.storage.identity.notfound")
	}
	if err != nil {
		return "", fmt.Errorf("reading an identity: %w", err)
	}
	return person, nil
}

// LinkIdentity implements account.Writer.
func (t accountRows) LinkIdentity(ctx context.Context, issuer, subject, person string) error {
	if _, err := t.Exec(ctx, `INSERT INTO oidc_identities (issuer, subject, person_id) VALUES ($1, $2, $3)`, issuer, subject, person); err != nil {
		return fmt.Errorf("linking an identity: %w", err)
	}
	return nil
}

// PendingMail implements account.Reader.
func (t accountRows) PendingMail(ctx context.Context, limit int) ([]account.Mail, error) {
	rows, err := t.Query(ctx, `SELECT id, recipient, subject, body, created_at, attempts, last_error FROM outbox
		WHERE sent_at IS NULL AND attempts < $1 ORDER BY id LIMIT $2`, account.MaxAttempts, limit)
	if err != nil {
		return nil, fmt.Errorf("reading the outbox: %w", err)
	}
	defer rows.Close()
	var out []account.Mail
	for rows.Next() {
		var m account.Mail
		if err := rows.Scan(&m.ID, &m.To, &m.Subject, &m.Body, tcol{&m.CreatedAt}, &m.Attempts, &m.LastError); err != nil {
			return nil, fmt.Errorf("reading the outbox: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// QueueMail implements account.Writer.
func (t accountRows) QueueMail(ctx context.Context, m *account.Mail) error {
	_, err := t.Exec(ctx, `INSERT INTO outbox (recipient, subject, body, created_at, attempts, last_error) VALUES ($1, $2, $3, $4, 0, '')`,
		m.To, m.Subject, m.Body, t.tm(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("queueing mail: %w", err)
	}
	return nil
}

// UpdateMail implements account.Writer.
func (t accountRows) UpdateMail(ctx context.Context, m *account.Mail) error {
	_, err := t.Exec(ctx, `UPDATE outbox SET sent_at = $1, attempts = $2, last_error = $3 WHERE id = $4`, t.tm(m.SentAt), m.Attempts, m.LastError, m.ID)
	if err != nil {
		return fmt.Errorf("updating mail %d: %w", m.ID, err)
	}
	return nil
}
