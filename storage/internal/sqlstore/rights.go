package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/rights"
)

// rightsRows are the learners' requests of erasure, and the erasure.
type rightsRows struct{ *Tx }

const requestColumns = `id, person_id, name, school_id, province, state, reason, requested_at, completed_at, completed_by, note`

func scanRequest(r Row) (*rights.Request, error) {
	var q rights.Request
	err := r.Scan(&q.ID, &q.Person, &q.Name, &q.School, &q.Province, &q.State, &q.Reason, tcol{&q.RequestedAt}, tcol{&q.CompletedAt},
		&q.CompletedBy, &q.Note)
	return &q, err
}

// DataRequest implements rights.Reader.
func (t rightsRows) DataRequest(ctx context.Context, id string) (*rights.Request, error) {
	q, err := scanRequest(t.QueryRow(ctx, `SELECT `+requestColumns+` FROM data_requests WHERE id = $1`, id))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.rights.notfound", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading request %s: %w", id, err)
	}
	return q, nil
}

// PendingRequest implements rights.Reader.
func (t rightsRows) PendingRequest(ctx context.Context, person string) (*rights.Request, error) {
	q, err := scanRequest(t.QueryRow(ctx, `SELECT `+requestColumns+` FROM data_requests WHERE person_id = $1 AND state = 'requested'`, person))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.rights.notfound", person)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the request of %s: %w", person, err)
	}
	return q, nil
}

// DataRequests implements rights.Reader.
func (t rightsRows) DataRequests(ctx context.Context, provinces []string, limit int) ([]rights.Request, error) {
	var a args
	q := `SELECT ` + requestColumns + ` FROM data_requests`
	if provinces != nil {
		q += ` WHERE province IN ` + a.in(provinces)
	}
	q += ` ORDER BY state DESC, requested_at DESC, id LIMIT ` + a.add(limit)
	rows, err := t.Query(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("listing requests: %w", err)
	}
	defer rows.Close()
	var out []rights.Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("listing requests: %w", err)
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// InsertDataRequest implements rights.Writer.
func (t rightsRows) InsertDataRequest(ctx context.Context, r *rights.Request) error {
	_, err := t.Exec(ctx, `INSERT INTO data_requests (`+requestColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.ID, r.Person, r.Name, r.School, r.Province, string(r.State), r.Reason, t.at(r.RequestedAt), t.tm(r.CompletedAt), r.CompletedBy, r.Note)
	if t.d.IsUnique(err) {
		return attesta.E(attesta.Conflict, "err.rights.pending")
	}
	if err != nil {
		return fmt.Errorf("storing request %s: %w", r.ID, err)
	}
	return nil
}

// UpdateDataRequest implements rights.Writer.
func (t rightsRows) UpdateDataRequest(ctx context.Context, r *rights.Request) error {
	_, err := t.Exec(ctx, `UPDATE data_requests SET name = $2, state = $3, reason = $4, completed_at = $5, completed_by = $6, note = $7 WHERE id = $1`,
		r.ID, r.Name, string(r.State), r.Reason, t.tm(r.CompletedAt), r.CompletedBy, r.Note)
	if err != nil {
		return fmt.Errorf("storing request %s: %w", r.ID, err)
	}
	return nil
}

// Erase implements rights.Writer: the person pseudonymised, their student
// record's contact and guardian emptied, their means of signing in and
// their notices removed.
func (t rightsRows) Erase(ctx context.Context, person string, pseudonym people.Person, at time.Time) error {
	steps := []struct {
		q    string
		args []any
	}{
		{`UPDATE persons SET given_name = $2, family_name = $3, email = NULL, updated_at = $4 WHERE id = $1`,
			[]any{person, pseudonym.GivenName, pseudonym.FamilyName, t.at(at)}},
		{`UPDATE students SET contact = '', consent_by = '', consent_at = NULL WHERE person_id = $1`, []any{person}},
		{`DELETE FROM sessions WHERE person_id = $1`, []any{person}},
		{`DELETE FROM access_tokens WHERE person_id = $1`, []any{person}},
		{`DELETE FROM one_time_links WHERE person_id = $1`, []any{person}},
		{`DELETE FROM oidc_identities WHERE person_id = $1`, []any{person}},
		{`DELETE FROM accounts WHERE person_id = $1`, []any{person}},
		{`DELETE FROM notices WHERE person_id = $1`, []any{person}},
	}
	for _, s := range steps {
		if _, err := t.Exec(ctx, s.q, s.args...); err != nil {
			return fmt.Errorf("erasing %s: %w", person, err)
		}
	}
	return nil
}
