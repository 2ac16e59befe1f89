package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/notary"
)

// Recovery is what Recover found and did.
type Recovery struct {
	// Log is the published log against the database's: the sizes, and
	// the entries re-read from the published tiles.
	Log notary.LogRecovery
	// Credentials is what the credentials needed: status lists moved, status
	// changes re-applied, credentials lost.
	Credentials credential.Recovery
	// Checkpoint is the size of the database's latest checkpoint after.
	Checkpoint int64
}

// Recover brings a database restored from an older copy (a backup, a
// snapshot) back in line with what attesta published after the copy was
// taken, from what it keeps apart from the database (opts.Blobs):
//
//  1. the published log is read from its tiles, each checked against the
//     published checkpoint's root, and the database's must be a prefix
//     of it;
//  2. every issuer's status lists are moved past every position that may
//     have been handed out after the copy (the reservations), those
//     positions show as suspended;
//  3. the status changes among the entries the database lacks are applied
//     again to the credentials it has; the credentials it does not have are
//     listed by their issue entries, to be issued again;
//  4. the entries and the published checkpoint are written into the
//     database, integrated and checked against the published root.
//
// The log is restored last: until then the log stays halted, so a server
// running meanwhile issues nothing. Each step may be run again, so an
// interrupted recovery is finished by running it again. Every attesta
// process on the database should be stopped while it runs.
func Recover(ctx context.Context, db Database, opts Options) (*Recovery, error) {
	if opts.Blobs == nil {
		return nil, errors.New("recover: no blob store is configured")
	}
	svc, err := NewServices(db, opts)
	if err != nil {
		return nil, err
	}
	rec := &Recovery{}
	if rec.Log, err = svc.Log.ReadMissing(ctx); err != nil {
		return nil, fmt.Errorf("recover: reading the published log: %w", err)
	}
	var entries []credential.LoggedEntry
	first := rec.Log.Published.Size - int64(len(rec.Log.Missing))
	for i, b := range rec.Log.Missing {
		e, err := notary.ParseEntry(b)
		if err != nil {
			return nil, fmt.Errorf("recover: published entry %d: %w", first+int64(i), err)
		}
		entries = append(entries, credential.LoggedEntry{Leaf: first + int64(i), Entry: e})
	}
	issuers, err := svc.Issuers.Issuers(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, iss := range issuers {
		ids = append(ids, iss.ID)
	}
	if rec.Credentials, err = svc.Credentials.Recover(ctx, ids, entries); err != nil {
		return nil, fmt.Errorf("recover: %w", err)
	}
	if err := svc.Log.Restore(ctx, rec.Log); err != nil {
		return nil, fmt.Errorf("recover: %w", err)
	}
	if err := svc.Log.Check(ctx); err != nil {
		return nil, fmt.Errorf("recover: %w", err)
	}
	sizes, err := db.Log().Sizes(ctx)
	if err != nil {
		return nil, err
	}
	rec.Checkpoint = sizes.Checkpointed
	return rec, nil
}
