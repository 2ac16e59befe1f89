package postgres

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/storage/internal/guard"
)

// Issuers returns the store of the issuers and their keys.
func (db *DB) Issuers() issuer.Store { return issuerStore{db} }

type issuerStore struct{ db *DB }

var _ issuer.Store = issuerStore{}

func (s issuerStore) CreateIssuer(ctx context.Context, iss issuer.Issuer) error {
	profile, err := json.Marshal(iss.Profile)
	if err != nil {
		return fmt.Errorf("encoding the profile of issuer %s: %w", iss.ID, err)
	}
	return s.db.update(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO issuers (id, did, profile, created_at) VALUES ($1, $2, $3, $4)`,
			iss.ID, iss.DID, string(profile), iss.CreatedAt)
		if isConstraint(err) {
			return attesta.Errorf(attesta.Conflict, "an issuer with id %q or DID %s exists", iss.ID, iss.DID)
		}
		if err != nil {
			return fmt.Errorf("inserting issuer %s: %w", iss.ID, err)
		}
		return nil
	})
}

func (s issuerStore) UpdateProfile(ctx context.Context, id string, p issuer.Profile) error {
	profile, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encoding the profile of issuer %s: %w", id, err)
	}
	return s.db.update(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE issuers SET profile = $1 WHERE id = $2`, string(profile), id)
		if err != nil {
			return fmt.Errorf("updating issuer %s: %w", id, err)
		}
		if tag.RowsAffected() != 1 {
			return attesta.Errorf(attesta.NotFound, "issuer %q not found", id)
		}
		return nil
	})
}

func (s issuerStore) Issuer(ctx context.Context, id string) (issuer.Issuer, error) {
	return s.issuer(ctx, `WHERE id = $1`, id, "issuer "+id)
}

func (s issuerStore) IssuerByDID(ctx context.Context, did string) (issuer.Issuer, error) {
	return s.issuer(ctx, `WHERE did = $1`, did, "issuer "+did)
}

func (s issuerStore) issuer(ctx context.Context, where, arg, what string) (issuer.Issuer, error) {
	var iss issuer.Issuer
	err := s.db.view(ctx, func(tx pgx.Tx) error {
		var err error
		iss, err = scanIssuer(tx.QueryRow(ctx, `SELECT id, did, profile, created_at FROM issuers `+where, arg))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return issuer.Issuer{}, attesta.Errorf(attesta.NotFound, "%s not found", what)
	}
	if err != nil {
		return issuer.Issuer{}, fmt.Errorf("reading %s: %w", what, err)
	}
	return iss, nil
}

func (s issuerStore) Issuers(ctx context.Context) ([]issuer.Issuer, error) {
	var out []issuer.Issuer
	err := s.db.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, did, profile, created_at FROM issuers ORDER BY id COLLATE "C"`)
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
	})
	if err != nil {
		return nil, fmt.Errorf("listing issuers: %w", err)
	}
	return out, nil
}

func scanIssuer(row pgx.Row) (issuer.Issuer, error) {
	var iss issuer.Issuer
	var profile []byte
	if err := row.Scan(&iss.ID, &iss.DID, &profile, &iss.CreatedAt); err != nil {
		return issuer.Issuer{}, err
	}
	if err := json.Unmarshal(profile, &iss.Profile); err != nil {
		return issuer.Issuer{}, fmt.Errorf("decoding the profile of issuer %s: %w", iss.ID, err)
	}
	iss.CreatedAt = iss.CreatedAt.UTC()
	return iss, nil
}

func (s issuerStore) Keys(ctx context.Context, issuerID string) ([]issuer.Key, error) {
	var out []issuer.Key
	err := s.db.view(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT seq, verification_method, public_key, sealed, kek_id, created_at, retired_at
			FROM issuer_keys WHERE issuer_id = $1 ORDER BY seq`, issuerID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k := issuer.Key{IssuerID: issuerID}
			var public []byte
			var retired *time.Time
			if err := rows.Scan(&k.Seq, &k.VerificationMethod, &public, &k.Sealed, &k.KEKID, &k.CreatedAt, &retired); err != nil {
				return err
			}
			k.Public = ed25519.PublicKey(public)
			k.CreatedAt, k.RetiredAt = k.CreatedAt.UTC(), fromNullTime(retired)
			out = append(out, k)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("reading the keys of issuer %s: %w", issuerID, err)
	}
	return out, nil
}

// AddKey checks the sequence number and retires the previous key before
// inserting. Two concurrent calls with the same number cannot both succeed:
// the second waits for the first's lock on the previous key, then finds it
// retired and its own number taken (a unique violation, reported as
// Conflict).
func (s issuerStore) AddKey(ctx context.Context, k issuer.Key) error {
	if err := guard.Key(k); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx pgx.Tx) error {
		var last int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM issuer_keys WHERE issuer_id = $1`,
			k.IssuerID).Scan(&last); err != nil {
			return fmt.Errorf("reading the keys of issuer %s: %w", k.IssuerID, err)
		}
		if k.Seq != last+1 {
			return attesta.Errorf(attesta.Conflict, "key %d of issuer %s: the last key is %d", k.Seq, k.IssuerID, last)
		}
		if _, err := tx.Exec(ctx, `UPDATE issuer_keys SET retired_at = $1
			WHERE issuer_id = $2 AND seq = $3 AND retired_at IS NULL`,
			k.CreatedAt, k.IssuerID, last); err != nil {
			return fmt.Errorf("retiring key %d of issuer %s: %w", last, k.IssuerID, err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO issuer_keys (issuer_id, seq, verification_method, public_key,
			sealed, kek_id, created_at, retired_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			k.IssuerID, k.Seq, k.VerificationMethod, []byte(k.Public), k.Sealed, k.KEKID,
			k.CreatedAt, nullTime(k.RetiredAt))
		if isForeignKey(err) {
			return attesta.Errorf(attesta.NotFound, "issuer %q not found", k.IssuerID)
		}
		if isConstraint(err) {
			return attesta.Errorf(attesta.Conflict, "key %d of issuer %s conflicts with a stored key", k.Seq, k.IssuerID)
		}
		if err != nil {
			return fmt.Errorf("inserting key %d of issuer %s: %w", k.Seq, k.IssuerID, err)
		}
		return nil
	})
}
