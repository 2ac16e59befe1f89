package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/share"
)

// shareRows are the learners' public links to their badges.
type shareRows struct{ *Tx }

const linkColumns = `credential_id, person_id, token, shared, fields, expires_at, adult, guardian, consent_at, created_at, changed_at`

func scanLink(r Row) (*share.Link, error) {
	var l share.Link
	var fields string
	if err := r.Scan(&l.Credential, &l.Person, nstr{&l.Token}, &l.On, &fields, tcol{&l.Expires}, &l.Consent.Adult, &l.Consent.Guardian,
		tcol{&l.Consent.At}, tcol{&l.Created}, tcol{&l.Changed}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(fields), &l.Fields); err != nil {
		return nil, fmt.Errorf("reading the link of %s: %w", l.Credential, err)
	}
	return &l, nil
}

// Link implements share.Reader.
func (t shareRows) Link(ctx context.Context, credential string) (*share.Link, error) {
	l, err := scanLink(t.QueryRow(ctx, `SELECT `+linkColumns+` FROM badge_shares WHERE credential_id = $1`, credential))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.share.notfound")
	}
	if err != nil {
		return nil, fmt.Errorf("reading the link of %s: %w", credential, err)
	}
	return l, nil
}

// LinkByToken implements share.Reader.
func (t shareRows) LinkByToken(ctx context.Context, token string) (*share.Link, error) {
	l, err := scanLink(t.QueryRow(ctx, `SELECT `+linkColumns+` FROM badge_shares WHERE token = $1`, token))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.share.notfound")
	}
	if err != nil {
		return nil, fmt.Errorf("reading a link: %w", err)
	}
	return l, nil
}

// SharedBadge implements share.Reader: a competence badge, or an area
// credential, with its credential's revocation.
func (t shareRows) SharedBadge(ctx context.Context, credential string) (*share.Badge, error) {
	b := share.Badge{Credential: credential}
	err := t.QueryRow(ctx, `SELECT x.person, cr.revoked FROM (
			SELECT candidate AS person, credential_id FROM badges WHERE credential_id = $1
			UNION ALL SELECT person_id, credential_id FROM stacked_badges WHERE credential_id = $1) x
		JOIN credentials cr ON cr.id = x.credential_id`, credential).Scan(&b.Person, &b.Revoked)
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.credential.notfound", credential)
	}
	if err != nil {
		return nil, fmt.Errorf("reading badge %s: %w", credential, err)
	}
	return &b, nil
}

// PutLink implements share.Writer.
func (t shareRows) PutLink(ctx context.Context, l *share.Link) error {
	fields, err := json.Marshal(l.Fields)
	if err != nil {
		return err
	}
	_, err = t.Exec(ctx, `INSERT INTO badge_shares (`+linkColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (credential_id) DO UPDATE SET token = excluded.token, shared = excluded.shared, fields = excluded.fields,
			expires_at = excluded.expires_at, adult = excluded.adult, guardian = excluded.guardian, consent_at = excluded.consent_at,
			changed_at = excluded.changed_at`,
		l.Credential, l.Person, null(l.Token), l.On, string(fields), t.tm(l.Expires), l.Consent.Adult, l.Consent.Guardian,
		t.tm(l.Consent.At), t.at(l.Created), t.at(l.Changed))
	if err != nil {
		return fmt.Errorf("storing the link of %s: %w", l.Credential, err)
	}
	return nil
}

// CloseLinks implements share.Writer.
func (t shareRows) CloseLinks(ctx context.Context, person string, at time.Time) (int, error) {
	n, err := t.Exec(ctx, `UPDATE badge_shares SET shared = $1, token = NULL, changed_at = $2 WHERE person_id = $3 AND shared = $4`,
		false, t.at(at), person, true)
	if err != nil {
		return 0, fmt.Errorf("closing the links of %s: %w", person, err)
	}
	return int(n), nil
}
