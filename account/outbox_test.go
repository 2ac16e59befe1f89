package account_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/account"
)

// TestMailDir: a development message is written to a file of its own,
// readable by its owner only, which the log names; the log never holds
// what the message says (its link is a live secret).
func TestMailDir(t *testing.T) {
	var logs bytes.Buffer
	dir := filepath.Join(t.TempDir(), "mail")
	d := &account.MailDir{Dir: dir, Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	const link = "https://attesta.example/account/password/reset/set?token=SECRET-TOKEN"
	m := account.Mail{ID: 7, To: "nina@example.org", Subject: "Reimpostazione della password / Password reset",
		Body: "Apra:\n" + link + "\n", CreatedAt: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
	if err := d.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "20261102T100000Z-000007.eml")
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\r\nTo: nina@example.org\r\n") || !strings.Contains(string(data), link+"\r\n") {
		t.Errorf("the message:\n%s", data)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, name: 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
	if !strings.Contains(logs.String(), name) || strings.Contains(logs.String(), "SECRET-TOKEN") {
		t.Errorf("the log: %s", logs.String())
	}
}
