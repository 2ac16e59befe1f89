package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/storage/internal/guard"
)

// Credentials returns the store of issued credentials and their status.
func (db *DB) Credentials() credential.Store { return credentialStore{db} }

type credentialStore struct{ db *DB }

var _ credential.Store = credentialStore{}

// maxAllocateRounds bounds the retries of Allocate. A retry happens only when
// another transaction opened the list this one wanted to open, so more than a
// few in a row mean something is wrong.
const maxAllocateRounds = 100

// Allocate takes the next position of the issuer's open list, in one
// transaction at READ COMMITTED. The counter is taken with a single UPDATE …
// RETURNING, which locks the list's row: concurrent allocations queue on it
// and each sees the counter the previous one left. When the last list is
// full (or there is none), the next is opened with INSERT … ON CONFLICT DO
// NOTHING; if another transaction opened it first, the insert waits for that
// transaction and does nothing, and the next round — with a fresh snapshot —
// allocates from the list the other opened. A list is opened only after the
// UPDATE saw the previous one full, so lists fill in order.
func (s credentialStore) Allocate(ctx context.Context, issuerID string, newKey func() [32]byte) (credential.Position, error) {
	var pos credential.Position
	err := s.db.update(ctx, func(tx pgx.Tx) error {
		for range maxAllocateRounds {
			var last int
			if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(list_no), 0) FROM status_lists WHERE issuer_id = $1`,
				issuerID).Scan(&last); err != nil {
				return fmt.Errorf("reading the status lists of issuer %s: %w", issuerID, err)
			}
			if last > 0 {
				var key []byte
				var n int
				err := tx.QueryRow(ctx, `UPDATE status_lists SET allocated = allocated + 1
					WHERE issuer_id = $1 AND list_no = $2 AND allocated < $3
					RETURNING perm_key, allocated - 1`, issuerID, last, statuslist.ListBits).Scan(&key, &n)
				if err == nil {
					if len(key) != 32 {
						return fmt.Errorf("status list %d of issuer %s has a permutation key of %d bytes", last, issuerID, len(key))
					}
					pos = credential.Position{List: last, Index: statuslist.Permute([32]byte(key), n)}
					return nil
				}
				if !errors.Is(err, pgx.ErrNoRows) {
					return fmt.Errorf("allocating in status list %d of issuer %s: %w", last, issuerID, err)
				}
			}
			// No list yet, or the last one is full: open the next.
			k := newKey()
			tag, err := tx.Exec(ctx, `INSERT INTO status_lists (issuer_id, list_no, perm_key, allocated, version, updated_at)
				VALUES ($1, $2, $3, 1, 0, $4) ON CONFLICT (issuer_id, list_no) DO NOTHING`,
				issuerID, last+1, k[:], s.db.now())
			if isForeignKey(err) {
				return attesta.Errorf(attesta.NotFound, "issuer %q not found", issuerID)
			}
			if err != nil {
				return fmt.Errorf("opening status list %d of issuer %s: %w", last+1, issuerID, err)
			}
			if tag.RowsAffected() == 1 {
				pos = credential.Position{List: last + 1, Index: statuslist.Permute(k, 0)}
				return nil
			}
		}
		return fmt.Errorf("allocating a status position of issuer %s: gave up after %d rounds of contention", issuerID, maxAllocateRounds)
	})
	return pos, err
}

// Insert stores the credential, then appends its log entry, in one
// transaction: a failed insert takes no leaf index, and the log's lock is
// taken last.
func (s credentialStore) Insert(ctx context.Context, r credential.Record, logEntry []byte) error {
	if err := guard.Record(r); err != nil {
		return err
	}
	if err := guard.LogEntry(logEntry); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO credentials (id, issuer_id, list_no, status_index, format, body,
			digest, achievement, issued_at, valid_until, revoked, suspended, reason, changed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			r.ID, r.IssuerID, r.List, r.Index, string(r.Format), string(r.Body), r.Digest, r.Achievement,
			r.IssuedAt, nullTime(r.ValidUntil), r.Revoked, r.Suspended, r.Reason, nullTime(r.ChangedAt))
		if isForeignKey(err) {
			return attesta.Errorf(attesta.NotFound, "status list %d of issuer %s not found", r.List, r.IssuerID)
		}
		if isConstraint(err) {
			return attesta.Errorf(attesta.Conflict, "credential %s: its id or its status position (list %d, index %d) is taken",
				r.ID, r.List, r.Index)
		}
		if err != nil {
			return fmt.Errorf("inserting credential %s: %w", r.ID, err)
		}
		leaf, err := appendEntry(ctx, tx, logEntry)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE credentials SET log_index = $1 WHERE id = $2`, leaf, r.ID); err != nil {
			return fmt.Errorf("recording the log index of credential %s: %w", r.ID, err)
		}
		return nil
	})
}

const recordColumns = `id, issuer_id, list_no, status_index, format, body, digest, achievement,
	issued_at, valid_until, revoked, suspended, reason, changed_at`

func scanRecord(row pgx.Row) (credential.Record, error) {
	var r credential.Record
	var format, body string
	var validUntil, changed *time.Time
	if err := row.Scan(&r.ID, &r.IssuerID, &r.List, &r.Index, &format, &body, &r.Digest, &r.Achievement,
		&r.IssuedAt, &validUntil, &r.Revoked, &r.Suspended, &r.Reason, &changed); err != nil {
		return credential.Record{}, err
	}
	r.Format, r.Body = credential.Format(format), []byte(body)
	r.IssuedAt, r.ValidUntil, r.ChangedAt = r.IssuedAt.UTC(), fromNullTime(validUntil), fromNullTime(changed)
	return r, nil
}

func (s credentialStore) Record(ctx context.Context, id string) (credential.Record, error) {
	var r credential.Record
	err := s.db.view(ctx, func(tx pgx.Tx) error {
		var err error
		r, err = scanRecord(tx.QueryRow(ctx, `SELECT `+recordColumns+` FROM credentials WHERE id = $1`, id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return credential.Record{}, attesta.Errorf(attesta.NotFound, "credential %s not found", id)
	}
	if err != nil {
		return credential.Record{}, fmt.Errorf("reading credential %s: %w", id, err)
	}
	return r, nil
}

// ChangeStatus locks the credential's row while decide looks at it, so that
// concurrent changes of one credential are decided one after the other. The
// log entry is appended last, in the same transaction.
func (s credentialStore) ChangeStatus(ctx context.Context, id string, ev credential.StatusEvent,
	decide func(credential.Record) (credential.Record, []byte, error)) (credential.Record, error) {
	if err := guard.Event(id, ev); err != nil {
		return credential.Record{}, err
	}
	var out credential.Record
	err := s.db.update(ctx, func(tx pgx.Tx) error {
		cur, err := scanRecord(tx.QueryRow(ctx, `SELECT `+recordColumns+` FROM credentials WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return attesta.Errorf(attesta.NotFound, "credential %s not found", id)
		}
		if err != nil {
			return fmt.Errorf("reading credential %s: %w", id, err)
		}
		next, entry, err := decide(cur)
		if err != nil {
			return err
		}
		if err := guard.LogEntry(entry); err != nil {
			return fmt.Errorf("status change of credential %s: %w", id, err)
		}
		out = guard.WithStatus(cur, next)
		if _, err := tx.Exec(ctx, `UPDATE credentials SET revoked = $1, suspended = $2, reason = $3, changed_at = $4
			WHERE id = $5`, out.Revoked, out.Suspended, out.Reason, nullTime(out.ChangedAt), id); err != nil {
			return fmt.Errorf("updating credential %s: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO status_events (credential_id, action, reason, actor, at)
			VALUES ($1, $2, $3, $4, $5)`, id, string(ev.Action), ev.Reason, ev.Actor, ev.At); err != nil {
			return fmt.Errorf("recording the status change of credential %s: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE status_lists SET version = version + 1, updated_at = $1
			WHERE issuer_id = $2 AND list_no = $3`, ev.At, cur.IssuerID, cur.List); err != nil {
			return fmt.Errorf("updating status list %d of issuer %s: %w", cur.List, cur.IssuerID, err)
		}
		_, err = appendEntry(ctx, tx, entry)
		return err
	})
	if err != nil {
		return credential.Record{}, err
	}
	return out, nil
}

func (s credentialStore) Events(ctx context.Context, credentialID string) ([]credential.StatusEvent, error) {
	var out []credential.StatusEvent
	err := s.db.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT action, reason, actor, at FROM status_events
			WHERE credential_id = $1 ORDER BY seq`, credentialID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			ev := credential.StatusEvent{CredentialID: credentialID}
			var action string
			if err := rows.Scan(&action, &ev.Reason, &ev.Actor, &ev.At); err != nil {
				return err
			}
			ev.Action, ev.At = credential.Action(action), ev.At.UTC()
			out = append(out, ev)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("reading the status changes of credential %s: %w", credentialID, err)
	}
	return out, nil
}

func (s credentialStore) StatusList(ctx context.Context, issuerID string, list int) (credential.StatusList, error) {
	sl := credential.StatusList{IssuerID: issuerID, List: list}
	err := s.db.view(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT version, updated_at FROM status_lists WHERE issuer_id = $1 AND list_no = $2`,
			issuerID, list).Scan(&sl.Version, &sl.UpdatedAt)
		if err != nil {
			return err
		}
		sl.UpdatedAt = sl.UpdatedAt.UTC()
		if sl.Revoked, err = indices(ctx, tx, `revoked`, issuerID, list); err != nil {
			return err
		}
		sl.Suspended, err = indices(ctx, tx, `suspended`, issuerID, list)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return credential.StatusList{}, attesta.Errorf(attesta.NotFound, "status list %d of issuer %s not found", list, issuerID)
	}
	if err != nil {
		return credential.StatusList{}, fmt.Errorf("reading status list %d of issuer %s: %w", list, issuerID, err)
	}
	return sl, nil
}

// indices returns the sorted status indices of the list's credentials that
// match cond.
func indices(ctx context.Context, tx pgx.Tx, cond, issuerID string, list int) ([]int, error) {
	rows, err := tx.Query(ctx, `SELECT status_index FROM credentials
		WHERE issuer_id = $1 AND list_no = $2 AND `+cond+` ORDER BY status_index`, issuerID, list)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

func (s credentialStore) SignedList(ctx context.Context, issuerID string, list int, purpose statuslist.Purpose) (credential.SignedList, error) {
	l := credential.SignedList{IssuerID: issuerID, List: list, Purpose: purpose}
	err := s.db.view(ctx, func(tx pgx.Tx) error {
		var body string
		err := tx.QueryRow(ctx, `SELECT version, body, signed_at FROM signed_status_lists
			WHERE issuer_id = $1 AND list_no = $2 AND purpose = $3`, issuerID, list, string(purpose)).Scan(&l.Version, &body, &l.SignedAt)
		if err != nil {
			return err
		}
		l.Body, l.SignedAt = []byte(body), l.SignedAt.UTC()
		return nil
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return credential.SignedList{}, attesta.Errorf(attesta.NotFound, "no signed %s list %d of issuer %s", purpose, list, issuerID)
	}
	if err != nil {
		return credential.SignedList{}, fmt.Errorf("reading the signed %s list %d of issuer %s: %w", purpose, list, issuerID, err)
	}
	return l, nil
}

func (s credentialStore) SaveSignedList(ctx context.Context, l credential.SignedList) error {
	if err := guard.SignedList(l); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO signed_status_lists (issuer_id, list_no, purpose, version, body, signed_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (issuer_id, list_no, purpose) DO UPDATE
			SET version = excluded.version, body = excluded.body, signed_at = excluded.signed_at
			WHERE signed_status_lists.version < excluded.version`,
			l.IssuerID, l.List, string(l.Purpose), l.Version, string(l.Body), l.SignedAt)
		if isForeignKey(err) {
			return attesta.Errorf(attesta.NotFound, "status list %d of issuer %s not found", l.List, l.IssuerID)
		}
		if err != nil {
			return fmt.Errorf("saving the signed %s list %d of issuer %s: %w", l.Purpose, l.List, l.IssuerID, err)
		}
		return nil
	})
}

func (s credentialStore) LogIndex(ctx context.Context, id string) (int64, error) {
	var idx *int64
	err := s.db.view(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT log_index FROM credentials WHERE id = $1`, id).Scan(&idx)
	})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && idx == nil) {
		return 0, attesta.Errorf(attesta.NotFound, "credential %s has no log entry", id)
	}
	if err != nil {
		return 0, fmt.Errorf("reading the log index of %s: %w", id, err)
	}
	return *idx, nil
}
