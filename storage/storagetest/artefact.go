package storagetest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/blob"
)

// testArtefacts: an artefact's upload and each download are in the audit
// trail, placed where the object it belongs to is, with its digest and
// never its content; a transaction that fails records nothing.
func testArtefacts(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	blobs := &blob.Memory{}
	svc := artefact.NewService(artefact.Options{Blobs: blobs, Store: db.Artefacts(), Clock: clock.Now})
	tutor := &auth.Principal{Person: "per-tutor", Name: "Tutor", Membership: auth.Membership{Role: auth.CompanyTutor, Org: "azienda-1"}}
	access := artefact.Access{Action: auth.OrgView, Object: auth.Object{Kind: auth.OrganisationObject, ID: "azienda-1",
		Places: []auth.Place{{Org: "azienda-1", Province: "TO"}}}}
	content := []byte("Diario di bordo, settimana 3: montaggio del riduttore.\n")
	a, err := svc.Upload(ctx, tutor, artefact.File{Name: "diario.txt", Content: bytes.NewReader(content)}, access)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if got, err := svc.Download(ctx, tutor, a, access); err != nil || !bytes.Equal(got, content) {
			t.Fatalf("download: %q, %v", got, err)
		}
	}
	var entries []audit.Entry
	err = db.Audit().View(ctx, func(r audit.Reader) (err error) {
		entries, err = r.Entries(ctx, audit.Filter{Reach: auth.ReachProvinces("TO"), ObjectKind: auth.ArtefactObject, ObjectID: a.ID, Limit: 10})
		return err
	})
	if err != nil || len(entries) != 3 {
		t.Fatalf("audit entries: %+v, %v", entries, err)
	}
	for i, want := range []string{artefact.ActionDownload, artefact.ActionDownload, artefact.ActionUpload} {
		e := entries[i]
		if e.Action != want || e.Actor != "per-tutor" || e.Org != "azienda-1" || e.Province != "TO" ||
			!bytes.Contains(e.After, []byte(a.SHA256)) || bytes.Contains(e.After, []byte("riduttore")) {
			t.Errorf("entry %d: %+v", i, e)
		}
	}
	// A transaction that fails after recording leaves no entry.
	boom := errors.New("boom")
	err = db.Artefacts().Update(ctx, func(w artefact.Writer) error {
		if err := artefact.RecordUpload(ctx, w, tutor, a, access.Object); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("update: %v", err)
	}
	err = db.Audit().View(ctx, func(r audit.Reader) (err error) {
		entries, err = r.Entries(ctx, audit.Filter{Reach: auth.ReachAll(), ObjectKind: auth.ArtefactObject, Limit: 10})
		return err
	})
	if err != nil || len(entries) != 3 {
		t.Errorf("after a rolled-back record: %d entries, %v", len(entries), err)
	}
}
