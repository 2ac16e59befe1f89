package credential_test

import (
	"context"
	"testing"
	"time"

	"github.com/attesta/attesta/credential"
)

type fakeRecords struct{ rec credential.Record }

func (f *fakeRecords) Record(context.Context, credential.Actor, string) (credential.Record, error) {
	return f.rec, nil
}

type countingVerifier struct{ n int }

func (v *countingVerifier) Verify(context.Context, []byte) *credential.Report {
	v.n++
	return &credential.Report{Verified: true}
}

// TestStoredReports: a stored credential's report is reused while its
// record says the same status, for at most StoredTTL and never past its
// validity; a status change is a new verification at once.
func TestStoredReports(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	recs := &fakeRecords{rec: credential.Record{ID: "urn:uuid:1", Digest: "sha256:1", Body: []byte("{}")}}
	v := &countingVerifier{}
	s := &credential.StoredReports{Records: recs, Verifier: v, Clock: func() time.Time { return now }}
	ctx := context.Background()
	verify := func(want int, why string) {
		t.Helper()
		if _, _, err := s.Verify(ctx, "urn:uuid:1"); err != nil {
			t.Fatal(err)
		}
		if v.n != want {
			t.Errorf("%s: %d verifications, want %d", why, v.n, want)
		}
	}
	verify(1, "first")
	verify(1, "again, reused")
	recs.rec.Revoked, recs.rec.ChangedAt = true, now
	verify(2, "revoked")
	now = now.Add(credential.StoredTTL)
	verify(3, "a minute later")

	// A credential whose validity ends in ten seconds: its report is not
	// reused past then.
	recs.rec = credential.Record{ID: "urn:uuid:2", Digest: "sha256:2", Body: []byte("{}"), ValidUntil: now.Add(10 * time.Second)}
	verify(4, "another credential")
	now = now.Add(5 * time.Second)
	verify(4, "within its validity, reused")
	now = now.Add(5 * time.Second)
	verify(5, "at its validity's end")
}
