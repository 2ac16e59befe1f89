package sqlstore

import (
	"context"
	"fmt"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/wallet"
)

// walletRows are the credential offers of the wallet pickup, in a
// transaction; lock locks the rows a write decides on (Dialect.ForUpdate,
// "" in a read-only transaction, which may lock nothing).
type walletRows struct {
	*Tx
	lock string
}

const offerColumns = `id, credential_id, person_id, issuer_id, code_hash, tx_hash, sent_to, created_by, created_by_name,
	created_at, expires_at, attempts, state, COALESCE(token_hash, ''), token_expires_at, COALESCE(copy_id, ''), holder, ended_at`

func scanOffer(row Row) (*wallet.Offer, error) {
	var o wallet.Offer
	var state string
	if err := row.Scan(&o.ID, &o.Credential, &o.Person, &o.Issuer, &o.CodeHash, &o.TxHash, &o.SentTo, &o.CreatedBy, &o.CreatedByName,
		tcol{&o.CreatedAt}, tcol{&o.ExpiresAt}, &o.Attempts, &state, &o.TokenHash, tcol{&o.TokenExpiresAt}, &o.Copy, &o.Holder,
		tcol{&o.EndedAt}); err != nil {
		return nil, err
	}
	o.State = wallet.State(state)
	return &o, nil
}

// Offers implements wallet.Reader.
func (t walletRows) Offers(ctx context.Context, credentialID string) ([]wallet.Offer, error) {
	rows, err := t.Query(ctx, `SELECT `+offerColumns+` FROM wallet_offers WHERE credential_id = $1
		ORDER BY created_at DESC, id DESC`, credentialID)
	if err != nil {
		return nil, fmt.Errorf("listing the wallet offers of %s: %w", credentialID, err)
	}
	defer rows.Close()
	var out []wallet.Offer
	for rows.Next() {
		o, err := scanOffer(rows)
		if err != nil {
			return nil, fmt.Errorf("listing the wallet offers of %s: %w", credentialID, err)
		}
		out = append(out, *o)
	}
	return out, rows.Err()
}

func (t walletRows) offerBy(ctx context.Context, column, value string) (*wallet.Offer, error) {
	o, err := scanOffer(t.QueryRow(ctx, `SELECT `+offerColumns+` FROM wallet_offers WHERE `+column+` = $1`+t.lock, value))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.wallet.offer.notfound")
	}
	if err != nil {
		return nil, fmt.Errorf("reading a wallet offer: %w", err)
	}
	return o, nil
}

// OfferByCode implements wallet.Reader.
func (t walletRows) OfferByCode(ctx context.Context, codeHash string) (*wallet.Offer, error) {
	return t.offerBy(ctx, "code_hash", codeHash)
}

// OfferByToken implements wallet.Reader.
func (t walletRows) OfferByToken(ctx context.Context, tokenHash string) (*wallet.Offer, error) {
	if tokenHash == "" {
		return nil, attesta.E(attesta.NotFound, "err.wallet.offer.notfound")
	}
	return t.offerBy(ctx, "token_hash", tokenHash)
}

// CredentialRecord implements wallet.Reader: the record, locked in a write
// transaction (Dialect.ForUpdate), as a status change locks it.
func (t walletRows) CredentialRecord(ctx context.Context, id string) (credential.Record, error) {
	r, err := scanRecord(t.QueryRow(ctx, `SELECT `+recordColumns+` FROM credentials WHERE id = $1`+t.lock, id))
	if noRows(err) {
		return credential.Record{}, attesta.E(attesta.NotFound, "err.credential.notfound", id)
	}
	if err != nil {
		return credential.Record{}, fmt.Errorf("reading credential %s: %w", id, err)
	}
	return r, nil
}

// InsertOffer implements wallet.Writer.
func (t walletRows) InsertOffer(ctx context.Context, o *wallet.Offer) error {
	_, err := t.Exec(ctx, `INSERT INTO wallet_offers (id, credential_id, person_id, issuer_id, code_hash, tx_hash, sent_to,
		created_by, created_by_name, created_at, expires_at, attempts, state, token_hash, token_expires_at, copy_id, holder, ended_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		o.ID, o.Credential, o.Person, o.Issuer, o.CodeHash, o.TxHash, o.SentTo, o.CreatedBy, o.CreatedByName,
		t.at(o.CreatedAt), t.at(o.ExpiresAt), o.Attempts, string(o.State), nullable(o.TokenHash), t.tm(o.TokenExpiresAt),
		nullable(o.Copy), o.Holder, t.tm(o.EndedAt))
	if t.d.IsUnique(err) {
		return attesta.E(attesta.Conflict, "err.wallet.offer.live", o.Credential)
	}
	if t.d.IsForeignKey(err) {
		return attesta.E(attesta.NotFound, "err.credential.notfound", o.Credential)
	}
	if err != nil {
		return fmt.Errorf("inserting wallet offer %s: %w", o.ID, err)
	}
	return nil
}

// PutOffer implements wallet.Writer.
func (t walletRows) PutOffer(ctx context.Context, o *wallet.Offer) error {
	_, err := t.Exec(ctx, `UPDATE wallet_offers SET attempts = $1, state = $2, token_hash = $3, token_expires_at = $4,
		copy_id = $5, holder = $6, ended_at = $7 WHERE id = $8`,
		o.Attempts, string(o.State), nullable(o.TokenHash), t.tm(o.TokenExpiresAt), nullable(o.Copy), o.Holder, t.tm(o.EndedAt), o.ID)
	if t.d.IsUnique(err) {
		return attesta.E(attesta.Conflict, "err.wallet.offer.live", o.Credential)
	}
	if err != nil {
		return fmt.Errorf("updating wallet offer %s: %w", o.ID, err)
	}
	return nil
}

// nullable is NULL for an empty text, for a column unique when set.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
