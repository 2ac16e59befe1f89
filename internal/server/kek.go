package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
)

// CheckKEK refuses kek unless it opens every key sealed in db: each
// issuer's keys, the log's key, the witness's and the trust bundle's. A wrong key-encryption
// key is found there, before anything is sealed with it or served: a server
// started with it would seal new keys that the right one cannot open, and
// fail to sign with the old ones. The database must be migrated; CheckKEK
// only reads it.
func CheckKEK(ctx context.Context, db Database, kek *issuer.KeyEncryptionKey) error {
	if kek == nil {
		return errors.New("no key-encryption key")
	}
	keys, err := issuer.SealedKeys(ctx, db.Issuers())
	if err != nil {
		return fmt.Errorf("checking the key-encryption key: %w", err)
	}
	logKeys, err := notary.SealedKeys(ctx, db.Log())
	if err != nil {
		return fmt.Errorf("checking the key-encryption key: %w", err)
	}
	keys = append(keys, logKeys...)
	sealed, found, err := db.Witness().Key(ctx)
	if err != nil {
		return fmt.Errorf("checking the key-encryption key: reading the witness key: %w", err)
	}
	if found {
		keys = append(keys, issuer.SealedKey{Name: attesta.M("err.server.witness.key"), Context: witnessKeyContext, Sealed: sealed})
	}
	sealed, found, err = sealedTrustKey{db}.Get(ctx)
	if err != nil {
		return fmt.Errorf("checking the key-encryption key: %w", err)
	}
	if found {
		keys = append(keys, issuer.SealedKey{Name: attesta.M("err.server.trust.key"), Context: trustKeyContext, Sealed: sealed})
	}
	return kek.Check(keys)
}
