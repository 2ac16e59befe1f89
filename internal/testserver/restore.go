package testserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/blob"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/storage/sqlite"
)

// An Engine is a database engine as its operators back it up and restore
// it, for RestoreScenario.
type Engine struct {
	// Open opens the database (the same one at each call), unmigrated.
	Open func(t *testing.T) server.Database
	// Backup backs up the open database as the README says, and returns
	// the function that restores that copy in place of the database,
	// which is closed by then.
	Backup func(t *testing.T, db server.Database) (restore func(t *testing.T))
	// Blobs is the blob store kept apart from the database, which is not
	// restored; nil is a new directory.
	Blobs blob.Store
}

// SQLite is the engine of a SQLite database in a new directory, backed up
// as attesta backup does (VACUUM INTO) and restored as the README says
// (the copy in place of the file, the write-ahead log removed).
func SQLite(t *testing.T) Engine {
	path := filepath.Join(t.TempDir(), "attesta.db")
	return Engine{
		Open: func(t *testing.T) server.Database {
			db, err := sqlite.Open(context.Background(), path, Clock)
			if err != nil {
				t.Fatal(err)
			}
			return db
		},
		Backup: func(t *testing.T, db server.Database) func(*testing.T) {
			backup := filepath.Join(t.TempDir(), "backup.db")
			if err := db.(*sqlite.DB).Backup(context.Background(), backup); err != nil {
				t.Fatal(err)
			}
			return func(t *testing.T) {
				for _, suffix := range []string{"", "-wal", "-shm"} {
					os.Remove(path + suffix)
				}
				data, err := os.ReadFile(backup)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		},
	}
}

// RestoreScenario is the restore test of issue 12, run on each engine: a
// backup, then more issuance and status changes, then the backup restored.
// The restored database refuses to issue and signs nothing; the recovery
// re-reads the lost entries, re-applies the status changes, lists the lost
// credentials and moves the status lists past them; afterwards every
// credential ever handed out either verifies (with the status it was last
// given) or is reported lost (and its position shows as suspended), a new
// credential gets a position no other had, and the published log is an
// extension of what it was.
func RestoreScenario(t *testing.T, e Engine) {
	ctx := context.Background()
	kek, _, err := issuer.GenerateKeyEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	clock := Clock
	var blobs blob.Store = blob.Dir(t.TempDir())
	if e.Blobs != nil {
		blobs = e.Blobs
	}
	opts := server.Options{Version: "test", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: clock,
		ShutdownTimeout: time.Second, PublicURL: PublicURL, KEK: kek, Blobs: blobs}
	db := e.Open(t)
	if err := server.Prepare(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	creds := srv.Services().Credentials
	actor := credential.Actor{Name: "operatore"}
	issue := func(srv *server.Server, learner string) (credential.Record, error) {
		return srv.Services().Credentials.Issue(ctx, actor, credential.IssueRequest{
			IssuerID: "cciaa-milano", Sector: "meccatronica", Version: 1, Competence: "C2",
			Learner:  credential.Learner{Identity: learner},
			Decision: credential.Decision{Date: time.Date(2026, 6, 25, 0, 0, 0, 0, time.UTC), Reference: "Verbale n. 12/2026"},
		})
	}
	must := func(r credential.Record, err error) credential.Record {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	sequence := func(srv *server.Server) {
		t.Helper()
		if _, err := srv.SequenceLog(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var before, after []credential.Record
	for _, l := range []string{"b0", "b1", "b2", "b3"} {
		before = append(before, must(issue(srv, l)))
	}
	must(creds.ChangeStatus(ctx, actor, before[0].ID, credential.Suspend, "in verifica"))
	sequence(srv)

	restore := e.Backup(t, db)

	for _, l := range []string{"a0", "a1", "a2"} {
		after = append(after, must(issue(srv, l)))
	}
	must(creds.ChangeStatus(ctx, actor, before[1].ID, credential.Revoke, "errore"))
	must(creds.ChangeStatus(ctx, actor, before[2].ID, credential.Suspend, "in verifica"))
	must(creds.ChangeStatus(ctx, actor, before[0].ID, credential.Reinstate, "verificato"))
	must(creds.ChangeStatus(ctx, actor, after[0].ID, credential.Revoke, "errore"))
	sequence(srv)
	published, err := blobs.Get(ctx, notary.CheckpointName)
	if err != nil {
		t.Fatal(err)
	}
	logKey, err := srv.LogKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	state, err := notary.Audit(ctx, notary.BlobLogSource(blobs), logKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	var afterLeaves []int64
	for _, r := range after {
		leaf, err := db.Credentials().LogIndex(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		afterLeaves = append(afterLeaves, leaf)
	}
	db.Close()

	restore(t)
	db = e.Open(t)
	t.Cleanup(func() { db.Close() })
	if err := server.Prepare(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	srv, err = server.New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := issue(srv, "r0"); attesta.ErrorKey(err) != "err.notary.rollback" || attesta.ErrorCode(err) != attesta.Unavailable {
		t.Fatalf("issue on the restored database: %v", err)
	}
	if _, err := srv.Services().Credentials.ChangeStatus(ctx, actor, before[3].ID, credential.Revoke, "x"); attesta.ErrorCode(err) != attesta.Unavailable {
		t.Fatalf("status change on the restored database: %v", err)
	}
	if _, err := srv.SequenceLog(ctx); attesta.ErrorKey(err) != "err.notary.rollback" {
		t.Fatalf("sequencing the restored database: %v", err)
	}
	if now, _ := blobs.Get(ctx, notary.CheckpointName); !bytes.Equal(now, published) {
		t.Fatal("the restored database published a checkpoint")
	}

	rec, err := server.Recover(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	var lostLeaves []int64
	for _, le := range rec.Credentials.LostIssued {
		lostLeaves = append(lostLeaves, le.Leaf)
	}
	if !slices.Equal(lostLeaves, afterLeaves) {
		t.Errorf("lost credentials at entries %v, want %v", lostLeaves, afterLeaves)
	}
	var reapplied []credential.Reapplied
	for _, r := range rec.Credentials.Reapplied {
		r.Leaf = 0
		reapplied = append(reapplied, r)
	}
	want := []credential.Reapplied{{CredentialID: before[1].ID, Action: credential.Revoke},
		{CredentialID: before[2].ID, Action: credential.Suspend}, {CredentialID: before[0].ID, Action: credential.Reinstate}}
	if !slices.Equal(reapplied, want) {
		t.Errorf("re-applied %+v, want %+v", reapplied, want)
	}
	if len(rec.Credentials.LostChanges) != 1 || rec.Credentials.LostChanges[0].Entry.IDDigest != sha256.Sum256([]byte(after[0].ID)) {
		t.Errorf("status changes of lost credentials: %+v", rec.Credentials.LostChanges)
	}
	if len(rec.Credentials.Lost) == 0 {
		t.Error("no status position was passed over")
	}
	again, err := server.Recover(ctx, db, opts)
	if err != nil || len(again.Log.Missing) != 0 || len(again.Credentials.Reapplied) != 0 || len(again.Credentials.Lost) != 0 {
		t.Fatalf("a second recovery did something: %+v, %v", again, err)
	}

	srv, err = server.New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	svc := srv.Services()
	lost := map[[32]byte]bool{}
	for _, le := range rec.Credentials.LostIssued {
		lost[le.Entry.IDDigest] = true
	}
	fresh := must(issue(srv, "r1"))
	sequence(srv)
	for _, r := range append(slices.Clone(before), after...) {
		if r.List == fresh.List && r.Index == fresh.Index {
			t.Errorf("position %d#%d of %s given again to %s", r.List, r.Index, r.ID, fresh.ID)
		}
	}
	// Every credential ever handed out verifies, with its last status, or
	// is reported lost and shows as suspended.
	wantStatus := map[string]string{before[0].ID: "valid", before[1].ID: "revoked", before[2].ID: "suspended", before[3].ID: "valid", fresh.ID: "valid"}
	for _, r := range append(append(slices.Clone(before), after...), fresh) {
		if lost[sha256.Sum256([]byte(r.ID))] {
			sl, err := db.Credentials().StatusList(ctx, r.IssuerID, r.List)
			if err != nil || !slices.Contains(sl.Suspended, r.Index) {
				t.Errorf("lost credential %s: its position does not show as suspended (%v)", r.ID, err)
			}
			continue
		}
		rep := svc.Verifier.Verify(ctx, r.Body)
		got := "valid"
		switch {
		case rep.Revoked:
			got = "revoked"
		case rep.Suspended:
			got = "suspended"
		case !rep.Verified:
			got = "not verified"
		}
		if wantStatus[r.ID] == "" {
			t.Errorf("%s is neither verified nor reported lost", r.ID)
		} else if got != wantStatus[r.ID] {
			c, _ := rep.Check(credential.CheckStatus)
			t.Errorf("%s verifies as %s, want %s (status: %s)", r.ID, got, wantStatus[r.ID], c.Reason.EN)
		}
	}
	next, err := notary.Audit(ctx, notary.BlobLogSource(blobs), logKey, state)
	if err != nil || next.Size <= state.Size {
		t.Fatalf("the published log after the recovery: %+v, %v", next, err)
	}
}
