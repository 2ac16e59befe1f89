package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
)

// Account implements account.Reader.
func (t *Tx) Account(ctx context.Context, person string) (*account.Account, error) {
	var a account.Account
	err := t.row(ctx, `SELECT person_id, password_hash, password_changed_at, failed_logins, locked_until FROM accounts WHERE person_id = ?`, person).
		Scan(&a.Person, &a.PasswordHash, tcol{&a.PasswordChangedAt}, &a.FailedLogins, tcol{&a.LockedUntil})
	if t.c.NoRows(err) {
		return nil, attesta.Errorf(attesta.NotFound, "no account for %s", person)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the account of %s: %w", person, err)
	}
	return &a, nil
}

// PutAccount implements account.Writer.
func (t *Tx) PutAccount(ctx context.Context, a *account.Account) error {
	_, err := t.exec(ctx, `INSERT INTO accounts (person_id, password_hash, password_changed_at, failed_logins, locked_until) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (person_id) DO UPDATE SET password_hash = excluded.password_hash, password_changed_at = excluded.password_changed_at,
		failed_logins = excluded.failed_logins, locked_until = excluded.locked_until`,
		a.Person, a.PasswordHash, t.tm(a.PasswordChangedAt), a.FailedLogins, t.tm(a.LockedUntil))
	if err != nil {
		return fmt.Errorf("writing the account of %s: %w", a.Person, err)
	}
	return nil
}

// Session implements account.Reader.
func (t *Tx) Session(ctx context.Context, idHash []byte) (*account.Session, error) {
	var s account.Session
	err := t.row(ctx, `SELECT id_hash, person_id, org_id, role, created_at, seen_at, method FROM sessions WHERE id_hash = ?`, idHash).
		Scan(&s.IDHash, &s.Person, &s.Org, &s.Role, tcol{&s.CreatedAt}, tcol{&s.SeenAt}, &s.Method)
	if t.c.NoRows(err) {
		return nil, attesta.Errorf(attesta.NotFound, "no such session")
	}
	if err != nil {
		return nil, fmt.Errorf("reading a session: %w", err)
	}
	return &s, nil
}

// InsertSession implements account.Writer.
func (t *Tx) InsertSession(ctx context.Context, s *account.Session) error {
	_, err := t.exec(ctx, `INSERT INTO sessions (id_hash, person_id, org_id, role, created_at, seen_at, method) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.IDHash, s.Person, s.Org, s.Role, t.tm(s.CreatedAt), t.tm(s.SeenAt), s.Method)
	if err != nil {
		return fmt.Errorf("opening a session: %w", err)
	}
	return nil
}

// UpdateSession implements account.Writer.
func (t *Tx) UpdateSession(ctx context.Context, s *account.Session) error {
	_, err := t.exec(ctx, `UPDATE sessions SET org_id = ?, role = ?, seen_at = ? WHERE id_hash = ?`, s.Org, s.Role, t.tm(s.SeenAt), s.IDHash)
	if err != nil {
		return fmt.Errorf("updating a session: %w", err)
	}
	return nil
}

// DeleteSession implements account.Writer.
func (t *Tx) DeleteSession(ctx context.Context, idHash []byte) error {
	if _, err := t.exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("ending a session: %w", err)
	}
	return nil
}

// DeleteSessions implements account.Writer.
func (t *Tx) DeleteSessions(ctx context.Context, person string) error {
	if _, err := t.exec(ctx, `DELETE FROM sessions WHERE person_id = ?`, person); err != nil {
		return fmt.Errorf("ending the sessions of %s: %w", person, err)
	}
	return nil
}

// DeleteStaleSessions implements account.Writer.
func (t *Tx) DeleteStaleSessions(ctx context.Context, seen, opened time.Time) (int64, error) {
	n, err := t.exec(ctx, `DELETE FROM sessions WHERE seen_at < ? OR created_at < ?`, t.tm(seen), t.tm(opened))
	if err != nil {
		return 0, fmt.Errorf("purging sessions: %w", err)
	}
	return n, nil
}

// RevokeTokens implements account.Writer.
func (t *Tx) RevokeTokens(ctx context.Context, person string, at time.Time) error {
	if _, err := t.exec(ctx, `UPDATE access_tokens SET revoked_at = ? WHERE person_id = ? AND revoked_at IS NULL`, t.tm(at), person); err != nil {
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
func (t *Tx) TokenByHash(ctx context.Context, hash []byte) (*account.Token, error) {
	tk, err := scanToken(t.row(ctx, `SELECT `+tokenColumns+` FROM access_tokens WHERE hash = ?`, hash))
	if t.c.NoRows(err) {
		return nil, attesta.Errorf(attesta.NotFound, "no such token")
	}
	if err != nil {
		return nil, fmt.Errorf("reading a token: %w", err)
	}
	return tk, nil
}

// Tokens implements account.Reader.
func (t *Tx) Tokens(ctx context.Context, person string) ([]account.Token, error) {
	rows, err := t.query(ctx, `SELECT `+tokenColumns+` FROM access_tokens WHERE person_id = ? ORDER BY created_at DESC, id`, person)
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
func (t *Tx) InsertToken(ctx context.Context, tk *account.Token) error {
	_, err := t.exec(ctx, `INSERT INTO access_tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tk.ID, tk.Hash, tk.Person, tk.Org, tk.Role, tk.Name, scopes(tk.Scopes), t.tm(tk.CreatedAt), t.tm(tk.ExpiresAt),
		t.tm(tk.LastUsedAt), t.tm(tk.RevokedAt))
	if err != nil {
		return fmt.Errorf("inserting token %s: %w", tk.ID, err)
	}
	return nil
}

// UpdateToken implements account.Writer: its use and revocation times.
func (t *Tx) UpdateToken(ctx context.Context, tk *account.Token) error {
	_, err := t.exec(ctx, `UPDATE access_tokens SET last_used_at = ?, revoked_at = ? WHERE id = ?`, t.tm(tk.LastUsedAt), t.tm(tk.RevokedAt), tk.ID)
	if err != nil {
		return fmt.Errorf("updating token %s: %w", tk.ID, err)
	}
	return nil
}

// OneTime implements account.Reader.
func (t *Tx) OneTime(ctx context.Context, hash []byte) (*account.OneTime, error) {
	var o account.OneTime
	err := t.row(ctx, `SELECT hash, person_id, purpose, expires_at, used_at FROM one_time_links WHERE hash = ?`, hash).
		Scan(&o.Hash, &o.Person, &o.Purpose, tcol{&o.ExpiresAt}, tcol{&o.UsedAt})
	if t.c.NoRows(err) {
		return nil, attesta.Errorf(attesta.NotFound, "no such link")
	}
	if err != nil {
		return nil, fmt.Errorf("reading a link: %w", err)
	}
	return &o, nil
}

// InsertOneTime implements account.Writer.
func (t *Tx) InsertOneTime(ctx context.Context, o *account.OneTime) error {
	_, err := t.exec(ctx, `INSERT INTO one_time_links (hash, person_id, purpose, expires_at, used_at) VALUES (?, ?, ?, ?, ?)`,
		o.Hash, o.Person, o.Purpose, t.tm(o.ExpiresAt), t.tm(o.UsedAt))
	if err != nil {
		return fmt.Errorf("inserting a link: %w", err)
	}
	return nil
}

// UseOneTime implements account.Writer.
func (t *Tx) UseOneTime(ctx context.Context, hash []byte, at time.Time) error {
	n, err := t.exec(ctx, `UPDATE one_time_links SET used_at = ? WHERE hash = ? AND used_at IS NULL`, t.tm(at), hash)
	if err != nil {
		return fmt.Errorf("using a link: %w", err)
	}
	if n != 1 {
		return attesta.Errorf(attesta.Invalid, "this link was used already")
	}
	return nil
}

// Identity implements account.Reader.
func (t *Tx) Identity(ctx context.Context, issuer, subject string) (string, error) {
	var person string
	err := t.row(ctx, `SELECT person_id FROM oidc_identities WHERE issuer = ? AND subject = ?`, issuer, subject).Scan(&person)
	if t.c.NoRows(err) {
		return "", attesta.Errorf(attesta.NotFound, "no person linked to this identity")
	}
	if err != nil {
		return "", fmt.Errorf("reading an identity: %w", err)
	}
	return person, nil
}

// LinkIdentity implements account.Writer.
func (t *Tx) LinkIdentity(ctx context.Context, issuer, subject, person string) error {
	if _, err := t.exec(ctx, `INSERT INTO oidc_identities (issuer, subject, person_id) VALUES (?, ?, ?)`, issuer, subject, person); err != nil {
		return fmt.Errorf("linking an identity: %w", err)
	}
	return nil
}

// PendingMail implements account.Reader.
func (t *Tx) PendingMail(ctx context.Context, limit int) ([]account.Mail, error) {
	rows, err := t.query(ctx, `SELECT id, recipient, subject, body, created_at, attempts, last_error FROM outbox
		WHERE sent_at IS NULL AND attempts < ? ORDER BY id LIMIT ?`, account.MaxAttempts, limit)
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
func (t *Tx) QueueMail(ctx context.Context, m *account.Mail) error {
	_, err := t.exec(ctx, `INSERT INTO outbox (recipient, subject, body, created_at, attempts, last_error) VALUES (?, ?, ?, ?, 0, '')`,
		m.To, m.Subject, m.Body, t.tm(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("queueing mail: %w", err)
	}
	return nil
}

// UpdateMail implements account.Writer.
func (t *Tx) UpdateMail(ctx context.Context, m *account.Mail) error {
	_, err := t.exec(ctx, `UPDATE outbox SET sent_at = ?, attempts = ?, last_error = ? WHERE id = ?`, t.tm(m.SentAt), m.Attempts, m.LastError, m.ID)
	if err != nil {
		return fmt.Errorf("updating mail %d: %w", m.ID, err)
	}
	return nil
}

// Record implements audit.Recorder.
func (t *Tx) Record(ctx context.Context, e *audit.Entry) error {
	_, err := t.exec(ctx, `INSERT INTO audit_events (at, actor, actor_name, actor_role, actor_org, action, object_kind, object_id, org, province, before_json, after_json)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.tm(e.At), e.Actor, e.ActorName, e.ActorRole, e.ActorOrg, e.Action, e.ObjectKind, e.ObjectID, e.Org, e.Province, rawNull(e.Before), rawNull(e.After))
	if err != nil {
		return fmt.Errorf("appending to the audit trail: %w", err)
	}
	return nil
}

func rawNull(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// Entries implements audit.Reader.
func (t *Tx) Entries(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	var where []string
	var args []any
	add := func(cond string, v ...any) { where, args = append(where, cond), append(args, v...) }
	if f.Actor != "" {
		add(`actor = ?`, f.Actor)
	}
	if f.ObjectKind != "" {
		add(`object_kind = ?`, f.ObjectKind)
	}
	if f.ObjectID != "" {
		add(`object_id = ?`, f.ObjectID)
	}
	if f.Action != "" {
		add(`action = ?`, f.Action)
	}
	if !f.Since.IsZero() {
		add(`at >= ?`, t.tm(f.Since))
	}
	if !f.Until.IsZero() {
		add(`at < ?`, t.tm(f.Until))
	}
	if f.Before > 0 {
		add(`seq < ?`, f.Before)
	}
	if f.Orgs != nil || f.Provinces != nil {
		orgs, a1 := in(f.Orgs)
		provs, a2 := in(f.Provinces)
		add(`(org IN `+orgs+` OR actor_org IN `+orgs+` OR province IN `+provs+`)`, append(append(append([]any{}, a1...), a1...), a2...)...)
	}
	q := `SELECT seq, at, actor, actor_name, actor_role, actor_org, action, object_kind, object_id, org, province, before_json, after_json FROM audit_events`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY seq DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the audit trail: %w", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var before, after string
		if err := rows.Scan(&e.Seq, tcol{&e.At}, &e.Actor, &e.ActorName, &e.ActorRole, &e.ActorOrg, &e.Action, &e.ObjectKind, &e.ObjectID,
			&e.Org, &e.Province, nstr{&before}, nstr{&after}); err != nil {
			return nil, fmt.Errorf("reading the audit trail: %w", err)
		}
		if before != "" {
			e.Before = json.RawMessage(before)
		}
		if after != "" {
			e.After = json.RawMessage(after)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
