package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/server"
)

// backup writes a consistent copy of the SQLite database while attesta
// runs (sqlite.DB.Backup: VACUUM INTO). With PostgreSQL it says what to use
// instead. The key-encryption key and the blob store are not in the copy,
// by design: README, "Backup and restore".
func backup(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, rest, err := newCommand("backup", stdout, stderr).parseConfig(args, 1, getenv)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		return attesta.E(attesta.Invalid, "err.cli.backup.postgres")
	}
	path := rest[0]
	if _, err := os.Lstat(path); err == nil {
		return attesta.E(attesta.Conflict, "err.cli.backup.exists", path)
	}
	src := filepath.Join(cfg.DataDir, "attesta.db")
	if _, err := os.Stat(src); err != nil {
		return attesta.E(attesta.NotFound, "err.cli.backup.nodb", src)
	}
	db, err := openDB(ctx, cfg, cfg.newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer db.Close()
	b, ok := db.(interface {
		Backup(ctx context.Context, path string) error
	})
	if !ok {
		return fmt.Errorf("backup: the database cannot make a copy of itself")
	}
	if err := b.Backup(ctx, path); err != nil {
		return err
	}
	sizes, err := db.Log().Sizes(ctx)
	if err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: a consistent copy of %s (%d bytes; the log has %d entries, %d in its latest checkpoint)\n",
		path, src, info.Size(), sizes.Entries, sizes.Checkpointed)
	fmt.Fprintln(stdout, "not in it, by design: the key-encryption key and the blob store (keep both apart; see README, Backup and restore)")
	return nil
}

// logRecover brings a database restored from an older copy up to the log
// it published (server.Recover), and says what it did and what was lost.
func logRecover(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, _, err := newCommand("log recover", stdout, stderr).parseConfig(args, 0, getenv)
	if err != nil {
		return err
	}
	opts, err := cfg.serverOptions(stderr)
	if err != nil {
		return err
	}
	db, err := openChecked(ctx, cfg, &opts, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	rec, err := server.Recover(ctx, db, opts)
	if err != nil {
		return err
	}
	printRecovery(stdout, rec)
	return nil
}

func printRecovery(w io.Writer, rec *server.Recovery) {
	l := rec.Log
	fmt.Fprintf(w, "published log: %d entries; database: %d entries, %d in its latest checkpoint\n", l.Published.Size, l.Appended, l.Checkpointed)
	if n := len(l.Missing); n > 0 {
		first := l.Published.Size - int64(n)
		fmt.Fprintf(w, "re-read from the published tiles: %d entries, %d to %d, each checked against the published root\n", n, first, l.Published.Size-1)
	} else {
		fmt.Fprintln(w, "re-read from the published tiles: none; the database has every published entry")
	}
	c := rec.Credentials
	if len(c.Lost) == 0 {
		fmt.Fprintln(w, "status lists: no position was reserved past what the database knows")
	}
	for _, r := range c.Lost {
		if r.Whole {
			fmt.Fprintf(w, "status list %d of %s: opened after the copy, all of it shown as suspended, none handed out again\n", r.List, r.IssuerID)
			continue
		}
		fmt.Fprintf(w, "status list %d of %s: counters %d to %d passed over (%d positions shown as suspended, none handed out again)\n",
			r.List, r.IssuerID, r.From, r.To-1, r.To-r.From)
	}
	fmt.Fprintf(w, "status changes re-applied from the log: %d\n", len(c.Reapplied))
	for _, r := range c.Reapplied {
		fmt.Fprintf(w, "  entry %d  %-9s %s\n", r.Leaf, r.Action, r.CredentialID)
	}
	fmt.Fprintf(w, "credentials issued after the copy and lost, to issue again: %d\n", len(c.LostIssued))
	for _, e := range c.LostIssued {
		fmt.Fprintf(w, "  entry %d  issued %s  id SHA-256 %s\n", e.Leaf, e.Entry.Time.Format("2006-01-02T15:04:05.000Z"), hex.EncodeToString(e.Entry.IDDigest[:]))
	}
	if len(c.LostChanges) > 0 {
		fmt.Fprintf(w, "status changes of lost credentials (their positions show as suspended): %d\n", len(c.LostChanges))
		for _, e := range c.LostChanges {
			fmt.Fprintf(w, "  entry %d  %-9s %s  id SHA-256 %s\n", e.Leaf, e.Entry.Kind, e.Entry.Time.Format("2006-01-02T15:04:05.000Z"), hex.EncodeToString(e.Entry.IDDigest[:]))
		}
	}
	fmt.Fprintf(w, "the database's log is consistent with the published one: %d entries checkpointed; issuing and sequencing resume\n", rec.Checkpoint)
}
