package sqlstore

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/storage/internal/guard"
)

// issuers is the issuer.Store: each call is one transaction, or one
// statement.
type issuers struct{ db *DB }

// CreateIssuer implements issuer.Store.
func (s issuers) CreateIssuer(ctx context.Context, iss issuer.Issuer) error {
	profile, err := json.Marshal(storedProfile{iss.Profile, iss.Kind})
	if err != nil {
		return fmt.Errorf("encoding the profile of issuer %s: %w", iss.ID, err)
	}
	return Update(ctx, s.db, func(t *Tx) error {
		_, err := t.Exec(ctx, `INSERT INTO issuers (id, did, profile, created_at) VALUES ($1, $2, $3, $4)`,
			iss.ID, iss.DID, string(profile), t.at(iss.CreatedAt))
		if t.d.IsUnique(err) {
			return attesta.E(attesta.Conflict, "err.storage.issuer.taken", iss.ID, iss.DID)
		}
		if err != nil {
			return fmt.Errorf("inserting issuer %s: %w", iss.ID, err)
		}
		return nil
	})
}

// UpdateProfile implements issuer.Store.
func (s issuers) UpdateProfile(ctx context.Context, id string, p issuer.Profile) error {
	return Update(ctx, s.db, func(t *Tx) error {
		// The kind is kept in the profile column: read it to keep it.
		old, err := scanIssuer(t.QueryRow(ctx, `SELECT id, did, profile, created_at FROM issuers WHERE id = $1`, id))
		if noRows(err) {
			return attesta.E(attesta.NotFound, "err.credential.issuer.notfound", id)
		}
		if err != nil {
			return fmt.Errorf("updating issuer %s: %w", id, err)
		}
		profile, err := json.Marshal(storedProfile{p, old.Kind})
		if err != nil {
			return fmt.Errorf("encoding the profile of issuer %s: %w", id, err)
		}
		n, err := t.Exec(ctx, `UPDATE issuers SET profile = $1 WHERE id = $2`, string(profile), id)
		if err != nil {
			return fmt.Errorf("updating issuer %s: %w", id, err)
		}
		if n != 1 {
			return attesta.E(attesta.NotFound, "err.credential.issuer.notfound", id)
		}
		return nil
	})
}

// Issuer implements issuer.Store.
func (s issuers) Issuer(ctx context.Context, id string) (issuer.Issuer, error) {
	return s.issuer(ctx, `WHERE id = $1`, id)
}

// IssuerByDID implements issuer.Store.
func (s issuers) IssuerByDID(ctx context.Context, did string) (issuer.Issuer, error) {
	return s.issuer(ctx, `WHERE did = $1`, did)
}

// issuer reads the issuer whose id or DID (where) is arg.
func (s issuers) issuer(ctx context.Context, where, arg string) (issuer.Issuer, error) {
	iss, err := scanIssuer(s.db.readRow(ctx, `SELECT id, did, profile, created_at FROM issuers `+where, arg))
	if noRows(err) {
		return issuer.Issuer{}, attesta.E(attesta.NotFound, "err.credential.issuer.notfound", arg)
	}
	if err != nil {
		return issuer.Issuer{}, fmt.Errorf("reading issuer %s: %w", arg, err)
	}
	return iss, nil
}

// Issuers implements issuer.Store.
func (s issuers) Issuers(ctx context.Context) ([]issuer.Issuer, error) {
	var out []issuer.Issuer
	err := func() error {
		rows, err := s.db.readRows(ctx, `SELECT id, did, profile, created_at FROM issuers ORDER BY id`+s.db.d.Binary)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			iss, err := scanIssuer(rows)
			if err != nil {
				return err
			}
			out = append(out, iss)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("listing issuers: %w", err)
	}
	return out, nil
}

// storedProfile is the profile column: the issuer's profile and, for an
// issuer that is not a Chamber, its kind (the member "kind", which
// issuer.Profile does not have).
type storedProfile struct {
	issuer.Profile
	Kind issuer.Kind `json:"kind,omitempty"`
}

func scanIssuer(row Row) (issuer.Issuer, error) {
	var iss issuer.Issuer
	var profile []byte
	if err := row.Scan(&iss.ID, &iss.DID, &profile, tcol{&iss.CreatedAt}); err != nil {
		return issuer.Issuer{}, err
	}
	var sp storedProfile
	if err := json.Unmarshal(profile, &sp); err != nil {
		return issuer.Issuer{}, fmt.Errorf("decoding the profile of issuer %s: %w", iss.ID, err)
	}
	iss.Profile, iss.Kind = sp.Profile, sp.Kind
	return iss, nil
}

// Keys implements issuer.Store.
func (s issuers) Keys(ctx context.Context, issuerID string) ([]issuer.Key, error) {
	var out []issuer.Key
	err := func() error {
		rows, err := s.db.readRows(ctx, `SELECT seq, verification_method, public_key, sealed, kek_id, created_at, retired_at
			FROM issuer_keys WHERE issuer_id = $1 ORDER BY seq`, issuerID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k := issuer.Key{IssuerID: issuerID}
			var public []byte
			if err := rows.Scan(&k.Seq, &k.VerificationMethod, &public, &k.Sealed, &k.KEKID, tcol{&k.CreatedAt}, tcol{&k.RetiredAt}); err != nil {
				return err
			}
			k.Public = ed25519.PublicKey(public)
			out = append(out, k)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("reading the keys of issuer %s: %w", issuerID, err)
	}
	return out, nil
}

// AddKey implements issuer.Store: it checks the sequence number, ends the
// previous key and any earlier one that ends after end, records the audit
// entry and inserts the key. Two concurrent calls with the same number
// cannot both succeed: in PostgreSQL the second waits for the first's lock
// on the previous key, then finds it retired and its own number taken (a
// unique violation, reported as Conflict); in SQLite the single writer runs
// them one after the other.
func (s issuers) AddKey(ctx context.Context, k issuer.Key, end time.Time, record *audit.Entry) error {
	if err := guard.Key(k); err != nil {
		return err
	}
	return Update(ctx, s.db, func(t *Tx) error {
		var last int
		if err := t.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM issuer_keys WHERE issuer_id = $1`,
			k.IssuerID).Scan(&last); err != nil {
			return fmt.Errorf("reading the keys of issuer %s: %w", k.IssuerID, err)
		}
		if k.Seq != last+1 {
			return attesta.E(attesta.Conflict, "err.storage.issuerkey.sequence", k.Seq, k.IssuerID, last)
		}
		if _, err := t.Exec(ctx, `UPDATE issuer_keys SET retired_at = $1
			WHERE issuer_id = $2 AND seq = $3 AND retired_at IS NULL`,
			t.at(end), k.IssuerID, last); err != nil {
			return fmt.Errorf("retiring key %d of issuer %s: %w", last, k.IssuerID, err)
		}
		// A compromise ends the earlier keys still in force after it.
		if _, err := t.Exec(ctx, `UPDATE issuer_keys SET retired_at = $1
			WHERE issuer_id = $2 AND seq < $3 AND retired_at > $1`,
			t.at(end), k.IssuerID, last); err != nil {
			return fmt.Errorf("ending the keys of issuer %s: %w", k.IssuerID, err)
		}
		_, err := t.Exec(ctx, `INSERT INTO issuer_keys (issuer_id, seq, verification_method, public_key,
			sealed, kek_id, created_at, retired_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			k.IssuerID, k.Seq, k.VerificationMethod, []byte(k.Public), k.Sealed, k.KEKID,
			t.at(k.CreatedAt), t.tm(k.RetiredAt))
		if t.d.IsForeignKey(err) {
			return attesta.E(attesta.NotFound, "err.credential.issuer.notfound", k.IssuerID)
		}
		if t.d.IsUnique(err) {
			return attesta.E(attesta.Conflict, "err.storage.issuerkey.taken", k.Seq, k.IssuerID)
		}
		if err != nil {
			return fmt.Errorf("inserting key %d of issuer %s: %w", k.Seq, k.IssuerID, err)
		}
		if record != nil {
			return trail{t}.Record(ctx, record)
		}
		return nil
	})
}
