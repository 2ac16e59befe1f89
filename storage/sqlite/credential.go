package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/storage/internal/guard"
)

// Credentials returns the store of issued credentials and their status.
func (db *DB) Credentials() credential.Store { return credentialStore{db} }

type credentialStore struct{ db *DB }

var _ credential.Store = credentialStore{}

// Allocate takes the next position of the issuer's open list. Writes are
// serialized by the single writer connection and BEGIN IMMEDIATE, so the
// read of the counter and its increment cannot interleave with another
// allocation, in this process or another.
func (s credentialStore) Allocate(ctx context.Context, issuerID string, newKey func() [32]byte) (credential.Position, error) {
	var pos credential.Position
	err := s.db.update(ctx, func(tx *sql.Tx) error {
		var list, allocated int
		var key []byte
		err := tx.QueryRowContext(ctx, `SELECT list_no, perm_key, allocated FROM status_lists
			WHERE issuer_id = ? ORDER BY list_no DESC LIMIT 1`, issuerID).Scan(&list, &key, &allocated)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("reading the status lists of issuer %s: %w", issuerID, err)
		}
		if err == nil && allocated < statuslist.ListBits {
			if len(key) != 32 {
				return fmt.Errorf("status list %d of issuer %s has a permutation key of %d bytes", list, issuerID, len(key))
			}
			if _, err := tx.ExecContext(ctx, `UPDATE status_lists SET allocated = allocated + 1
				WHERE issuer_id = ? AND list_no = ?`, issuerID, list); err != nil {
				return fmt.Errorf("allocating in status list %d of issuer %s: %w", list, issuerID, err)
			}
			pos = credential.Position{List: list, Index: statuslist.Permute([32]byte(key), allocated)}
			return nil
		}
		// No list yet, or the open one is full: open the next.
		list++
		k := newKey()
		_, err = tx.ExecContext(ctx, `INSERT INTO status_lists (issuer_id, list_no, perm_key, allocated, version, updated_at)
			VALUES (?, ?, ?, 1, 0, ?)`, issuerID, list, k[:], formatTime(s.db.now()))
		if isForeignKey(err) {
			return attesta.Errorf(attesta.NotFound, "issuer %q not found", issuerID)
		}
		if err != nil {
			return fmt.Errorf("opening status list %d of issuer %s: %w", list, issuerID, err)
		}
		pos = credential.Position{List: list, Index: statuslist.Permute(k, 0)}
		return nil
	})
	return pos, err
}

// Insert stores the credential, then appends its log entry, in one
// transaction: a failed insert takes no leaf index.
func (s credentialStore) Insert(ctx context.Context, r credential.Record, logEntry []byte) error {
	if err := guard.Record(r); err != nil {
		return err
	}
	if err := guard.LogEntry(logEntry); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO credentials (id, issuer_id, list_no, status_index, format, body,
			digest, achievement, issued_at, valid_until, revoked, suspended, reason, changed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.IssuerID, r.List, r.Index, string(r.Format), string(r.Body), r.Digest, r.Achievement,
			formatTime(r.IssuedAt), formatNullTime(r.ValidUntil), r.Revoked, r.Suspended, r.Reason,
			formatNullTime(r.ChangedAt))
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
		leaf, err := s.db.appendEntry(ctx, tx, logEntry)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE credentials SET log_index = ? WHERE id = ?`, leaf, r.ID); err != nil {
			return fmt.Errorf("recording the log index of credential %s: %w", r.ID, err)
		}
		return nil
	})
}

const recordColumns = `id, issuer_id, list_no, status_index, format, body, digest, achievement,
	issued_at, valid_until, revoked, suspended, reason, changed_at`

func scanRecord(row scanner) (credential.Record, error) {
	var r credential.Record
	var format, body, issued string
	var validUntil, changed sql.NullString
	if err := row.Scan(&r.ID, &r.IssuerID, &r.List, &r.Index, &format, &body, &r.Digest, &r.Achievement,
		&issued, &validUntil, &r.Revoked, &r.Suspended, &r.Reason, &changed); err != nil {
		return credential.Record{}, err
	}
	r.Format, r.Body = credential.Format(format), []byte(body)
	var err error
	if r.IssuedAt, err = parseTime(issued); err != nil {
		return credential.Record{}, err
	}
	if r.ValidUntil, err = parseNullTime(validUntil); err != nil {
		return credential.Record{}, err
	}
	if r.ChangedAt, err = parseNullTime(changed); err != nil {
		return credential.Record{}, err
	}
	return r, nil
}

func (s credentialStore) Record(ctx context.Context, id string) (credential.Record, error) {
	var r credential.Record
	err := s.db.view(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = scanRecord(tx.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM credentials WHERE id = ?`, id))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return credential.Record{}, attesta.Errorf(attesta.NotFound, "credential %s not found", id)
	}
	if err != nil {
		return credential.Record{}, fmt.Errorf("reading credential %s: %w", id, err)
	}
	return r, nil
}

// ChangeStatus writes the change, then appends its log entry, in one
// transaction.
func (s credentialStore) ChangeStatus(ctx context.Context, id string, ev credential.StatusEvent,
	decide func(credential.Record) (credential.Record, []byte, error)) (credential.Record, error) {
	if err := guard.Event(id, ev); err != nil {
		return credential.Record{}, err
	}
	var out credential.Record
	err := s.db.update(ctx, func(tx *sql.Tx) error {
		cur, err := scanRecord(tx.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM credentials WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
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
		if _, err := tx.ExecContext(ctx, `UPDATE credentials SET revoked = ?, suspended = ?, reason = ?, changed_at = ?
			WHERE id = ?`, out.Revoked, out.Suspended, out.Reason, formatNullTime(out.ChangedAt), id); err != nil {
			return fmt.Errorf("updating credential %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO status_events (credential_id, action, reason, actor, at)
			VALUES (?, ?, ?, ?, ?)`, id, string(ev.Action), ev.Reason, ev.Actor, formatTime(ev.At)); err != nil {
			return fmt.Errorf("recording the status change of credential %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE status_lists SET version = version + 1, updated_at = ?
			WHERE issuer_id = ? AND list_no = ?`, formatTime(ev.At), cur.IssuerID, cur.List); err != nil {
			return fmt.Errorf("updating status list %d of issuer %s: %w", cur.List, cur.IssuerID, err)
		}
		_, err = s.db.appendEntry(ctx, tx, entry)
		return err
	})
	if err != nil {
		return credential.Record{}, err
	}
	return out, nil
}

func (s credentialStore) Events(ctx context.Context, credentialID string) ([]credential.StatusEvent, error) {
	var out []credential.StatusEvent
	err := s.db.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT action, reason, actor, at FROM status_events
			WHERE credential_id = ? ORDER BY seq`, credentialID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			ev := credential.StatusEvent{CredentialID: credentialID}
			var action, at string
			if err := rows.Scan(&action, &ev.Reason, &ev.Actor, &at); err != nil {
				return err
			}
			ev.Action = credential.Action(action)
			if ev.At, err = parseTime(at); err != nil {
				return err
			}
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
	err := s.db.view(ctx, func(tx *sql.Tx) error {
		var updated string
		err := tx.QueryRowContext(ctx, `SELECT version, updated_at FROM status_lists WHERE issuer_id = ? AND list_no = ?`,
			issuerID, list).Scan(&sl.Version, &updated)
		if err != nil {
			return err
		}
		if sl.UpdatedAt, err = parseTime(updated); err != nil {
			return err
		}
		if sl.Revoked, err = indices(ctx, tx, `revoked = 1`, issuerID, list); err != nil {
			return err
		}
		sl.Suspended, err = indices(ctx, tx, `suspended = 1`, issuerID, list)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return credential.StatusList{}, attesta.Errorf(attesta.NotFound, "status list %d of issuer %s not found", list, issuerID)
	}
	if err != nil {
		return credential.StatusList{}, fmt.Errorf("reading status list %d of issuer %s: %w", list, issuerID, err)
	}
	return sl, nil
}

// indices returns the sorted status indices of the list's credentials that
// match cond.
func indices(ctx context.Context, tx *sql.Tx, cond, issuerID string, list int) ([]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT status_index FROM credentials
		WHERE issuer_id = ? AND list_no = ? AND `+cond+` ORDER BY status_index`, issuerID, list)
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
	err := s.db.view(ctx, func(tx *sql.Tx) error {
		var body, signed string
		err := tx.QueryRowContext(ctx, `SELECT version, body, signed_at FROM signed_status_lists
			WHERE issuer_id = ? AND list_no = ? AND purpose = ?`, issuerID, list, string(purpose)).Scan(&l.Version, &body, &signed)
		if err != nil {
			return err
		}
		l.Body = []byte(body)
		l.SignedAt, err = parseTime(signed)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
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
	return s.db.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO signed_status_lists (issuer_id, list_no, purpose, version, body, signed_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (issuer_id, list_no, purpose) DO UPDATE
			SET version = excluded.version, body = excluded.body, signed_at = excluded.signed_at
			WHERE signed_status_lists.version < excluded.version`,
			l.IssuerID, l.List, string(l.Purpose), l.Version, string(l.Body), formatTime(l.SignedAt))
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
	var idx sql.NullInt64
	err := s.db.view(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT log_index FROM credentials WHERE id = ?`, id).Scan(&idx)
	})
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !idx.Valid) {
		return 0, attesta.Errorf(attesta.NotFound, "credential %s has no log entry", id)
	}
	if err != nil {
		return 0, fmt.Errorf("reading the log index of %s: %w", id, err)
	}
	return idx.Int64, nil
}
