package seaweedtest_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"regexp"
	"testing"

	"github.com/attesta/attesta/artefact/artefacttest"
	"github.com/attesta/attesta/blob/blobtest"
	"github.com/attesta/attesta/internal/s3"
	"github.com/attesta/attesta/internal/seaweedtest"
	"github.com/attesta/attesta/internal/testserver"
)

// TestMain runs the tests only when SeaweedFS's weed is there (CI builds
// it with scripts/seaweedfs and sets ATTESTA_REQUIRE_SEAWEEDFS=1).
func TestMain(m *testing.M) { seaweedtest.Main(m) }

// The version pinned here is the one scripts/seaweedfs builds.
func TestVersionMatchesScript(t *testing.T) {
	script, err := os.ReadFile("../../scripts/seaweedfs")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^version=(\S+)$`).FindSubmatch(script)
	if m == nil || string(m[1]) != seaweedtest.Version {
		t.Fatalf("scripts/seaweedfs builds %q, the tests expect %s", m, seaweedtest.Version)
	}
}

// attesta's S3 client keeps the blob store's contract on SeaweedFS, which
// verifies its signatures: under a prefix and at the bucket's root.
func TestContract(t *testing.T) {
	t.Parallel() // each its own server, most of whose start is waiting
	s := seaweedtest.Start(t)
	t.Run("prefix", func(t *testing.T) { blobtest.Contract(t, s.Bucket(t, "attesta-blobs", "milano/log")) })
	t.Run("root", func(t *testing.T) { blobtest.Contract(t, s.Bucket(t, "attesta-root", "")) })
}

// A wrong secret is refused as SignatureDoesNotMatch, an unknown key as
// InvalidAccessKeyId, a missing bucket as NoSuchBucket: none of them reads
// as "no object", which only a missing key does.
func TestRefusals(t *testing.T) {
	t.Parallel() // each its own server, most of whose start is waiting
	s := seaweedtest.Start(t)
	ctx := context.Background()
	good := s.Bucket(t, "attesta-blobs", "")
	if err := good.Put(ctx, "checkpoint", []byte("cp")); err != nil {
		t.Fatal(err)
	}
	if _, err := good.Get(ctx, "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get of a missing key: %v, want fs.ErrNotExist", err)
	}
	var e *s3.Error
	wrong := s.Client("attesta-blobs", "", "not-the-secret")
	if _, err := wrong.Get(ctx, "checkpoint"); !errors.As(err, &e) || e.Code != "SignatureDoesNotMatch" || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get with a wrong secret: %v", err)
	}
	if _, err := wrong.Get(ctx, "missing"); !errors.As(err, &e) || e.Code != "SignatureDoesNotMatch" || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get of a missing key with a wrong secret: %v", err)
	}
	if err := wrong.Put(ctx, "checkpoint", []byte("forged")); !errors.As(err, &e) || e.Code != "SignatureDoesNotMatch" {
		t.Errorf("put with a wrong secret: %v", err)
	}
	if got, err := good.Get(ctx, "checkpoint"); err != nil || string(got) != "cp" {
		t.Errorf("after the forged put: %q, %v", got, err)
	}
	unknown := s.Client("attesta-blobs", "", seaweedtest.SecretKey)
	unknown.Signer.Credentials.AccessKey = "NOT-A-KEY"
	if _, err := unknown.Get(ctx, "checkpoint"); !errors.As(err, &e) || e.Code != "InvalidAccessKeyId" || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get with an unknown access key: %v", err)
	}
	missing := s.Client("no-such-bucket", "", seaweedtest.SecretKey)
	if _, err := missing.Get(ctx, "checkpoint"); !errors.As(err, &e) || e.Code != "NoSuchBucket" || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get from a missing bucket: %v", err)
	}
	if err := missing.Put(ctx, "checkpoint", []byte("x")); !errors.As(err, &e) || e.Code != "NoSuchBucket" {
		t.Errorf("put to a missing bucket: %v", err)
	}
}

// The restore test of issue 12 with the published log and the status
// reservations in a SeaweedFS bucket.
func TestRestore(t *testing.T) {
	t.Parallel() // each its own server, most of whose start is waiting
	s := seaweedtest.Start(t)
	e := testserver.SQLite(t)
	e.Blobs = s.Bucket(t, "attesta-blobs", "restore")
	testserver.RestoreScenario(t, e)
}

// An artefact refused — over its limit, of a type not accepted, cut off,
// infected — leaves the bucket as it was; an accepted one is kept under
// its content address.
func TestArtefactsNothingRefusedIsKept(t *testing.T) {
	t.Parallel() // each its own server, most of whose start is waiting
	s := seaweedtest.Start(t)
	b := s.Bucket(t, "attesta-artefacts", "")
	artefacttest.NothingRefusedIsKept(t, b, func() []string { return s.List(t, "attesta-artefacts") })
}
