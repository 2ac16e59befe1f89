package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/storage/internal/guard"
)

// credentials is the credential.Store: each call is one transaction, or
// one statement.
type credentials struct{ db *DB }

// maxAllocateRounds bounds the retries of Allocate. A retry happens only when
// another transaction opened the list this one wanted to open, so more than a
// few in a row mean something is wrong.
const maxAllocateRounds = 100

// Allocate implements credential.Store: it takes the next position of the
// issuer's open list, in one transaction. The counter is taken with a
// single UPDATE … RETURNING, which locks the list's row (PostgreSQL) or
// runs under the single writer (SQLite): concurrent allocations queue on
// it and each sees the counter the previous one left. When the last list
// is full (or there is none), the next is opened with INSERT … ON CONFLICT
// DO NOTHING; if another transaction opened it first (PostgreSQL at READ
// COMMITTED), the insert waits for that transaction and does nothing, and
// the next round — with a fresh snapshot — allocates from the list the
// other opened. A list is opened only after the UPDATE saw the previous one
// full, so lists fill in order. A counter at or past the list's reservation
// is reserved (reserve, in the transaction, holding the list's row) before
// it is handed out.
func (s credentials) Allocate(ctx context.Context, issuerID string, newKey func() [32]byte, reserve credential.Reserve) (credential.Position, error) {
	var pos credential.Position
	err := Update(ctx, s.db, func(t *Tx) error {
		var err error
		pos, err = s.allocate(ctx, t, issuerID, newKey, reserve)
		return err
	})
	return pos, err
}

// AllocateMany implements credential.Store: n allocations in one
// transaction, as Allocate does each.
func (s credentials) AllocateMany(ctx context.Context, issuerID string, n int, newKey func() [32]byte, reserve credential.Reserve) ([]credential.Position, error) {
	var out []credential.Position
	err := Update(ctx, s.db, func(t *Tx) error {
		out = make([]credential.Position, 0, n)
		for range n {
			pos, err := s.allocate(ctx, t, issuerID, newKey, reserve)
			if err != nil {
				return err
			}
			out = append(out, pos)
		}
		return nil
	})
	return out, err
}

// allocate takes one position in t.
func (s credentials) allocate(ctx context.Context, t *Tx, issuerID string, newKey func() [32]byte, reserve credential.Reserve) (credential.Position, error) {
	for range maxAllocateRounds {
		var last int
		if err := t.QueryRow(ctx, `SELECT COALESCE(MAX(list_no), 0) FROM status_lists WHERE issuer_id = $1`,
			issuerID).Scan(&last); err != nil {
			return credential.Position{}, fmt.Errorf("reading the status lists of issuer %s: %w", issuerID, err)
		}
		if last > 0 {
			var key []byte
			var n, reserved int
			err := t.QueryRow(ctx, `UPDATE status_lists SET allocated = allocated + 1
				WHERE issuer_id = $1 AND list_no = $2 AND allocated < $3
				RETURNING perm_key, allocated - 1, reserved`, issuerID, last, statuslist.ListBits).Scan(&key, &n, &reserved)
			if err == nil {
				if len(key) != 32 {
					return credential.Position{}, fmt.Errorf("status list %d of issuer %s has a permutation key of %d bytes", last, issuerID, len(key))
				}
				if err := s.reserve(ctx, t, issuerID, last, n, reserved, reserve); err != nil {
					return credential.Position{}, err
				}
				return credential.Position{List: last, Index: statuslist.Permute([32]byte(key), n)}, nil
			}
			if !noRows(err) {
				return credential.Position{}, fmt.Errorf("allocating in status list %d of issuer %s: %w", last, issuerID, err)
			}
		}
		// No list yet, or the last one is full: open the next.
		k := newKey()
		n, err := t.Exec(ctx, `INSERT INTO status_lists (issuer_id, list_no, perm_key, allocated, version, updated_at)
			VALUES ($1, $2, $3, 1, 0, $4) ON CONFLICT (issuer_id, list_no) DO NOTHING`,
			issuerID, last+1, k[:], t.at(s.db.now()))
		if t.d.IsForeignKey(err) {
			return credential.Position{}, attesta.E(attesta.NotFound, "err.credential.issuer.notfound", issuerID)
		}
		if err != nil {
			return credential.Position{}, fmt.Errorf("opening status list %d of issuer %s: %w", last+1, issuerID, err)
		}
		if n == 1 {
			if err := s.reserve(ctx, t, issuerID, last+1, 0, 0, reserve); err != nil {
				return credential.Position{}, err
			}
			return credential.Position{List: last + 1, Index: statuslist.Permute(k, 0)}, nil
		}
	}
	return credential.Position{}, fmt.Errorf("allocating a status position of issuer %s: gave up after %d rounds of contention", issuerID, maxAllocateRounds)
}

// reserve reserves counters of a list up to the next multiple of
// credential.ReserveBlock past n, when n is not below the list's
// reservation, and records how far.
func (s credentials) reserve(ctx context.Context, t *Tx, issuerID string, list, n, reserved int, reserve credential.Reserve) error {
	if reserve == nil || n < reserved {
		return nil
	}
	upTo := min(statuslist.ListBits, (n/credential.ReserveBlock+1)*credential.ReserveBlock)
	if err := reserve(ctx, list, upTo); err != nil {
		return fmt.Errorf("reserving positions of status list %d of issuer %s: %w", list, issuerID, err)
	}
	if _, err := t.Exec(ctx, `UPDATE status_lists SET reserved = $1 WHERE issuer_id = $2 AND list_no = $3`,
		upTo, issuerID, list); err != nil {
		return fmt.Errorf("recording the reservation of status list %d of issuer %s: %w", list, issuerID, err)
	}
	return nil
}

// Lists implements credential.Store.
func (s credentials) Lists(ctx context.Context) ([]credential.ListState, error) {
	var out []credential.ListState
	err := func() error {
		rows, err := s.db.readRows(ctx, `SELECT issuer_id, list_no, allocated, reserved FROM status_lists ORDER BY issuer_id, list_no`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l credential.ListState
			if err := rows.Scan(&l.IssuerID, &l.List, &l.Allocated, &l.Reserved); err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("listing the status lists: %w", err)
	}
	return out, nil
}

// MarkLost implements credential.Store.
func (s credentials) MarkLost(ctx context.Context, issuerID string, list, upTo int, newKey func() [32]byte) (credential.LostRange, error) {
	if list < 1 || upTo < 1 || upTo > statuslist.ListBits {
		return credential.LostRange{}, attesta.E(attesta.Invalid, "err.storage.statuslist.lost", list, issuerID, upTo)
	}
	var lost credential.LostRange
	err := Update(ctx, s.db, func(t *Tx) error {
		lost = credential.LostRange{IssuerID: issuerID, List: list}
		var allocated int
		err := t.QueryRow(ctx, `SELECT allocated FROM status_lists WHERE issuer_id = $1 AND list_no = $2`+t.d.ForUpdate,
			issuerID, list).Scan(&allocated)
		switch {
		case noRows(err):
			// A list opened after the copy was taken: its permutation key
			// is lost, so every position of it may be a lost credential's.
			k := newKey()
			_, err := t.Exec(ctx, `INSERT INTO status_lists (issuer_id, list_no, perm_key, allocated, reserved, version, updated_at)
				VALUES ($1, $2, $3, $4, $4, 1, $5)`, issuerID, list, k[:], statuslist.ListBits, t.at(s.db.now()))
			if t.d.IsForeignKey(err) {
				return attesta.E(attesta.NotFound, "err.credential.issuer.notfound", issuerID)
			}
			if err != nil {
				return fmt.Errorf("opening lost status list %d of issuer %s: %w", list, issuerID, err)
			}
			lost.From, lost.To, lost.Whole = 0, statuslist.ListBits, true
		case err != nil:
			return fmt.Errorf("reading status list %d of issuer %s: %w", list, issuerID, err)
		case allocated >= upTo:
			lost = credential.LostRange{}
			return nil // already past: nothing was lost since, or this was done before
		default:
			lost.From, lost.To = allocated, upTo
			if _, err := t.Exec(ctx, `UPDATE status_lists SET allocated = $1, reserved = CASE WHEN reserved > $1 THEN reserved ELSE $1 END,
				version = version + 1, updated_at = $2 WHERE issuer_id = $3 AND list_no = $4`,
				upTo, t.at(s.db.now()), issuerID, list); err != nil {
				return fmt.Errorf("moving the counter of status list %d of issuer %s: %w", list, issuerID, err)
			}
		}
		if _, err := t.Exec(ctx, `INSERT INTO status_lost (issuer_id, list_no, from_n, to_n, recorded_at) VALUES ($1, $2, $3, $4, $5)`,
			issuerID, list, lost.From, lost.To, t.at(s.db.now())); err != nil {
			return fmt.Errorf("recording lost positions of status list %d of issuer %s: %w", list, issuerID, err)
		}
		return nil
	})
	return lost, err
}

// CredentialIDs implements credential.Store.
func (s credentials) CredentialIDs(ctx context.Context) ([]string, error) {
	var out []string
	err := func() error {
		rows, err := s.db.readRows(ctx, `SELECT id FROM credentials`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("listing the credentials: %w", err)
	}
	return out, nil
}

// Insert implements credential.Store: it stores the credential and its
// audit entry, then appends its log entry, in one transaction: a failed
// insert takes no leaf index, and the log's lock is taken last.
func (s credentials) Insert(ctx context.Context, r credential.Record, logEntry []byte, entry *audit.Entry) error {
	return Update(ctx, s.db, func(t *Tx) error { return insertCredential(ctx, t, r, logEntry, entry) })
}

// insertCredential stores an issued credential with its audit entry and
// its log entry in t: how every credential is stored, alone (Insert) or
// with a commission's badges (credentialRows).
func insertCredential(ctx context.Context, t *Tx, r credential.Record, logEntry []byte, entry *audit.Entry) error {
	if err := guard.Record(r); err != nil {
		return err
	}
	if err := guard.LogEntry(logEntry); err != nil {
		return err
	}
	var copyOf any
	if r.CopyOf != "" {
		copyOf = r.CopyOf
	}
	_, err := t.Exec(ctx, `INSERT INTO credentials (id, issuer_id, list_no, status_index, format, body,
		digest, achievement, issued_at, valid_until, revoked, suspended, reason, changed_at, copy_of)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		r.ID, r.IssuerID, r.List, r.Index, string(r.Format), string(r.Body), r.Digest, r.Achievement,
		t.at(r.IssuedAt), t.tm(r.ValidUntil), r.Revoked, r.Suspended, r.Reason, t.tm(r.ChangedAt), copyOf)
	if t.d.IsForeignKey(err) && r.CopyOf != "" {
		return attesta.E(attesta.NotFound, "err.credential.notfound", r.CopyOf)
	}
	if t.d.IsForeignKey(err) {
		return attesta.E(attesta.NotFound, "err.storage.statuslist.notfound", r.List, r.IssuerID)
	}
	if t.d.IsUnique(err) {
		return attesta.E(attesta.Conflict, "err.storage.credential.taken", r.ID, r.List, r.Index)
	}
	if err != nil {
		return fmt.Errorf("inserting credential %s: %w", r.ID, err)
	}
	if entry != nil {
		if err := (trail{t}).Record(ctx, entry); err != nil {
			return err
		}
	}
	leaf, err := t.db.e.AppendLog(ctx, t.Conn, logEntry)
	if err != nil {
		return err
	}
	if _, err := t.Exec(ctx, `UPDATE credentials SET log_index = $1 WHERE id = $2`, leaf, r.ID); err != nil {
		return fmt.Errorf("recording the log index of credential %s: %w", r.ID, err)
	}
	return nil
}

const recordColumns = `id, issuer_id, list_no, status_index, format, body, digest, achievement,
	issued_at, valid_until, revoked, suspended, reason, changed_at, COALESCE(copy_of, '')`

func scanRecord(row Row) (credential.Record, error) {
	var r credential.Record
	var format, body string
	if err := row.Scan(&r.ID, &r.IssuerID, &r.List, &r.Index, &format, &body, &r.Digest, &r.Achievement,
		tcol{&r.IssuedAt}, tcol{&r.ValidUntil}, &r.Revoked, &r.Suspended, &r.Reason, tcol{&r.ChangedAt}, &r.CopyOf); err != nil {
		return credential.Record{}, err
	}
	r.Format, r.Body = credential.Format(format), []byte(body)
	return r, nil
}

// Record implements credential.Store.
func (s credentials) Record(ctx context.Context, id string) (credential.Record, error) {
	r, err := scanRecord(s.db.readRow(ctx, `SELECT `+recordColumns+` FROM credentials WHERE id = $1`, id))
	if noRows(err) {
		return credential.Record{}, attesta.E(attesta.NotFound, "err.credential.notfound", id)
	}
	if err != nil {
		return credential.Record{}, fmt.Errorf("reading credential %s: %w", id, err)
	}
	return r, nil
}

// copiesQuery reads the copies of a credential, oldest first.
const copiesQuery = `SELECT ` + recordColumns + ` FROM credentials WHERE copy_of = $1 ORDER BY issued_at, id`

// Copies implements credential.Store.
func (s credentials) Copies(ctx context.Context, id string) ([]credential.Record, error) {
	rows, err := s.db.readRows(ctx, copiesQuery, id)
	return scanCopies(id, rows, err)
}

// scanCopies reads the rows of copiesQuery.
func scanCopies(id string, rows Rows, err error) ([]credential.Record, error) {
	if err != nil {
		return nil, fmt.Errorf("reading the copies of credential %s: %w", id, err)
	}
	defer rows.Close()
	var out []credential.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("reading the copies of credential %s: %w", id, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ChangeStatus implements credential.Store: it locks the credential's row
// (Dialect.ForUpdate) while decide looks at it, so that concurrent changes
// of one credential are decided one after the other. The log entry is
// appended last, in the same transaction.
func (s credentials) ChangeStatus(ctx context.Context, id string, ev credential.StatusEvent, entry *audit.Entry,
	decide func(credential.Record) (credential.Record, []byte, error)) (credential.Record, error) {
	return s.changeStatus(ctx, id, ev, entry, decide, true)
}

// ReapplyStatus implements credential.Store: ChangeStatus without the log
// entry, which the log has already.
func (s credentials) ReapplyStatus(ctx context.Context, id string, ev credential.StatusEvent,
	decide func(credential.Record) (credential.Record, error)) (credential.Record, error) {
	return s.changeStatus(ctx, id, ev, nil, func(r credential.Record) (credential.Record, []byte, error) {
		next, err := decide(r)
		return next, nil, err
	}, false)
}

func (s credentials) changeStatus(ctx context.Context, id string, ev credential.StatusEvent, entry *audit.Entry,
	decide func(credential.Record) (credential.Record, []byte, error), logged bool) (credential.Record, error) {
	if err := guard.Event(id, ev); err != nil {
		return credential.Record{}, err
	}
	var out credential.Record
	err := Update(ctx, s.db, func(t *Tx) error {
		cur, err := scanRecord(t.QueryRow(ctx, `SELECT `+recordColumns+` FROM credentials WHERE id = $1`+t.d.ForUpdate, id))
		if noRows(err) {
			return attesta.E(attesta.NotFound, "err.credential.notfound", id)
		}
		if err != nil {
			return fmt.Errorf("reading credential %s: %w", id, err)
		}
		var logEntry []byte
		if out, logEntry, err = s.applyStatus(ctx, t, cur, ev, decide, logged); err != nil {
			return err
		}
		if entry != nil {
			if err := (trail{t}).Record(ctx, entry); err != nil {
				return err
			}
		}
		if !logged {
			return nil
		}
		entries := [][]byte{logEntry}
		// The copies bound to wallets change with the credential.
		copies, err := s.copies(ctx, t, id)
		if err != nil {
			return err
		}
		for _, c := range copies {
			cev := ev
			cev.CredentialID = c.ID
			_, e, err := s.applyStatus(ctx, t, c, cev, decide, logged)
			if err != nil {
				return fmt.Errorf("copy %s: %w", c.ID, err)
			}
			entries = append(entries, e)
		}
		// The log entries last: the log's lock is taken last.
		for _, e := range entries {
			if _, err := s.db.e.AppendLog(ctx, t.Conn, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return credential.Record{}, err
	}
	return out, nil
}

// applyStatus writes the change decide makes of cur in t — its record, its
// event, its list's version — and returns the changed record and, logged,
// its log entry, which the caller appends.
func (s credentials) applyStatus(ctx context.Context, t *Tx, cur credential.Record, ev credential.StatusEvent,
	decide func(credential.Record) (credential.Record, []byte, error), logged bool) (credential.Record, []byte, error) {
	id := cur.ID
	next, logEntry, err := decide(cur)
	if err != nil {
		return credential.Record{}, nil, err
	}
	if logged {
		if err := guard.LogEntry(logEntry); err != nil {
			return credential.Record{}, nil, fmt.Errorf("status change of credential %s: %w", id, err)
		}
	}
	out := guard.WithStatus(cur, next)
	if _, err := t.Exec(ctx, `UPDATE credentials SET revoked = $1, suspended = $2, reason = $3, changed_at = $4
		WHERE id = $5`, out.Revoked, out.Suspended, out.Reason, t.tm(out.ChangedAt), id); err != nil {
		return credential.Record{}, nil, fmt.Errorf("updating credential %s: %w", id, err)
	}
	if _, err := t.Exec(ctx, `INSERT INTO status_events (credential_id, action, reason, actor, at)
		VALUES ($1, $2, $3, $4, $5)`, id, string(ev.Action), ev.Reason, ev.Actor, t.at(ev.At)); err != nil {
		return credential.Record{}, nil, fmt.Errorf("recording the status change of credential %s: %w", id, err)
	}
	if _, err := t.Exec(ctx, `UPDATE status_lists SET version = version + 1, updated_at = $1
		WHERE issuer_id = $2 AND list_no = $3`, t.at(ev.At), cur.IssuerID, cur.List); err != nil {
		return credential.Record{}, nil, fmt.Errorf("updating status list %d of issuer %s: %w", cur.List, cur.IssuerID, err)
	}
	return out, logEntry, nil
}

// copies reads the copies of credential id in t, oldest first, locked.
func (s credentials) copies(ctx context.Context, t *Tx, id string) ([]credential.Record, error) {
	rows, err := t.Query(ctx, copiesQuery+t.d.ForUpdate, id)
	return scanCopies(id, rows, err)
}

// Events implements credential.Store.
func (s credentials) Events(ctx context.Context, credentialID string) ([]credential.StatusEvent, error) {
	var out []credential.StatusEvent
	err := func() error {
		rows, err := s.db.readRows(ctx, `SELECT action, reason, actor, at FROM status_events
			WHERE credential_id = $1 ORDER BY seq`, credentialID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			ev := credential.StatusEvent{CredentialID: credentialID}
			var action string
			if err := rows.Scan(&action, &ev.Reason, &ev.Actor, tcol{&ev.At}); err != nil {
				return err
			}
			ev.Action = credential.Action(action)
			out = append(out, ev)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("reading the status changes of credential %s: %w", credentialID, err)
	}
	return out, nil
}

// StatusList implements credential.Store: the list's version and the
// indices set in it, from one snapshot.
func (s credentials) StatusList(ctx context.Context, issuerID string, list int) (credential.StatusList, error) {
	sl := credential.StatusList{IssuerID: issuerID, List: list}
	err := View(ctx, s.db, func(t *Tx) error {
		err := t.QueryRow(ctx, `SELECT version, updated_at FROM status_lists WHERE issuer_id = $1 AND list_no = $2`,
			issuerID, list).Scan(&sl.Version, tcol{&sl.UpdatedAt})
		if err != nil {
			return err
		}
		if sl.Revoked, err = indices(ctx, t, `revoked = `+t.d.True, issuerID, list); err != nil {
			return err
		}
		if sl.Suspended, err = indices(ctx, t, `suspended = `+t.d.True, issuerID, list); err != nil {
			return err
		}
		lost, err := lostIndices(ctx, t, issuerID, list)
		if len(lost) > 0 {
			sl.Suspended = append(sl.Suspended, lost...)
			slices.Sort(sl.Suspended)
			sl.Suspended = slices.Compact(sl.Suspended)
		}
		return err
	})
	if noRows(err) {
		return credential.StatusList{}, attesta.E(attesta.NotFound, "err.storage.statuslist.notfound", list, issuerID)
	}
	if err != nil {
		return credential.StatusList{}, fmt.Errorf("reading status list %d of issuer %s: %w", list, issuerID, err)
	}
	return sl, nil
}

// Changed implements credential.Store.
func (s credentials) Changed(ctx context.Context) ([]credential.Changed, error) {
	var out []credential.Changed
	err := func() error {
		rows, err := s.db.readRows(ctx, `SELECT id, issuer_id, list_no, status_index, revoked, suspended, reason FROM credentials
			WHERE revoked = `+s.db.d.True+` OR suspended = `+s.db.d.True+` ORDER BY issuer_id, list_no, status_index`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c credential.Changed
			if err := rows.Scan(&c.ID, &c.IssuerID, &c.List, &c.Index, &c.Revoked, &c.Suspended, &c.Reason); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("listing the revoked and suspended credentials: %w", err)
	}
	return out, nil
}

// lostIndices returns the status indices of the list's lost counters
// (status_lost): the positions of credentials a restored database lost.
func lostIndices(ctx context.Context, t *Tx, issuerID string, list int) ([]int, error) {
	rows, err := t.Query(ctx, `SELECT l.from_n, l.to_n, s.perm_key FROM status_lost l
		JOIN status_lists s ON s.issuer_id = l.issuer_id AND s.list_no = l.list_no
		WHERE l.issuer_id = $1 AND l.list_no = $2`, issuerID, list)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var from, to int
		var key []byte
		if err := rows.Scan(&from, &to, &key); err != nil {
			return nil, err
		}
		if len(key) != 32 || from < 0 || to > statuslist.ListBits {
			return nil, fmt.Errorf("lost positions [%d, %d) of status list %d of issuer %s", from, to, list, issuerID)
		}
		for n := from; n < to; n++ {
			out = append(out, statuslist.Permute([32]byte(key), n))
		}
	}
	return out, rows.Err()
}

// indices returns the sorted status indices of the list's credentials that
// match cond.
func indices(ctx context.Context, t *Tx, cond, issuerID string, list int) ([]int, error) {
	rows, err := t.Query(ctx, `SELECT status_index FROM credentials
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

// SignedList implements credential.Store.
func (s credentials) SignedList(ctx context.Context, issuerID string, list int, purpose statuslist.Purpose) (credential.SignedList, error) {
	l := credential.SignedList{IssuerID: issuerID, List: list, Purpose: purpose}
	var body string
	err := s.db.readRow(ctx, `SELECT version, body, signed_at FROM signed_status_lists
		WHERE issuer_id = $1 AND list_no = $2 AND purpose = $3`, issuerID, list, string(purpose)).Scan(&l.Version, &body, tcol{&l.SignedAt})
	if noRows(err) {
		return credential.SignedList{}, attesta.E(attesta.NotFound, "err.storage.signedlist.notfound", purpose, list, issuerID)
	}
	if err != nil {
		return credential.SignedList{}, fmt.Errorf("reading the signed %s list %d of issuer %s: %w", purpose, list, issuerID, err)
	}
	l.Body = []byte(body)
	return l, nil
}

// SaveSignedList implements credential.Store.
func (s credentials) SaveSignedList(ctx context.Context, l credential.SignedList) error {
	if err := guard.SignedList(l); err != nil {
		return err
	}
	return Update(ctx, s.db, func(t *Tx) error {
		_, err := t.Exec(ctx, `INSERT INTO signed_status_lists (issuer_id, list_no, purpose, version, body, signed_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (issuer_id, list_no, purpose) DO UPDATE
			SET version = excluded.version, body = excluded.body, signed_at = excluded.signed_at
			WHERE signed_status_lists.version < excluded.version`,
			l.IssuerID, l.List, string(l.Purpose), l.Version, string(l.Body), t.at(l.SignedAt))
		if t.d.IsForeignKey(err) {
			return attesta.E(attesta.NotFound, "err.storage.statuslist.notfound", l.List, l.IssuerID)
		}
		if err != nil {
			return fmt.Errorf("saving the signed %s list %d of issuer %s: %w", l.Purpose, l.List, l.IssuerID, err)
		}
		return nil
	})
}

// LogIndex implements credential.Store.
func (s credentials) LogIndex(ctx context.Context, id string) (int64, error) {
	var idx sql.NullInt64
	err := s.db.readRow(ctx, `SELECT log_index FROM credentials WHERE id = $1`, id).Scan(&idx)
	if noRows(err) || (err == nil && !idx.Valid) {
		return 0, attesta.E(attesta.NotFound, "err.storage.credential.nologentry", id)
	}
	if err != nil {
		return 0, fmt.Errorf("reading the log index of %s: %w", id, err)
	}
	return idx.Int64, nil
}
