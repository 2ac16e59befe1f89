// Package blob keeps objects apart from the database: a few named byte
// strings, each written whole and read whole, in a directory or an
// S3-compatible bucket.
//
// attesta keeps there what must survive the database: the transparency
// log's tiles, entry bundles and latest checkpoint, as C2SP tlog-tiles
// static files (package notary), which are also the lock that a restored,
// older database is checked against before anything is signed; and the
// reservations of status-list positions (package credential), so that a
// restored database never hands out a position already used. The evidence
// dossier's artefacts are kept the same way, under their own prefix
// (package artefact). docs/design/backup.md says why.
//
// # The contract
//
// A [Store] has two operations. [Store.Put] replaces the object whole and
// returns only once it is durable: a reader, or a process after a crash,
// sees the old bytes or the new ones, never a mix. [Store.Get] returns the
// bytes, or an error that is [fs.ErrNotExist] to [errors.Is]. Names are
// slash-separated paths of [ValidName]: no empty element, no "." or "..",
// no leading slash, printable ASCII.
//
// [Dir] is the default implementation, a directory (write, fsync, rename,
// fsync the directory); internal/s3 is the other, a bucket of any
// S3-compatible service.
package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Store keeps named objects apart from the database. See the package
// documentation for the contract.
type Store interface {
	// Get returns the object's bytes, or an error that is fs.ErrNotExist
	// to errors.Is if there is none.
	Get(ctx context.Context, name string) ([]byte, error)
	// Put stores data under name, replacing any object there, and returns
	// once it is durable; readers never see a part of it.
	Put(ctx context.Context, name string, data []byte) error
}

// ValidName reports whether name may name an object: a slash-separated
// path of non-empty elements of printable ASCII without "." or "..",
// at most 1,024 bytes.
func ValidName(name string) bool {
	if name == "" || len(name) > 1024 || !fs.ValidPath(name) || name == "." {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

func checkName(name string) error {
	if !ValidName(name) {
		return fmt.Errorf("blob name %q is not valid", name)
	}
	return nil
}

// Dir is a Store in a directory of the file system: each object is a file
// at its name under the directory.
type Dir string

var _ Store = Dir("")

// Get implements Store.
func (d Dir) Get(ctx context.Context, name string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(d.path(name))
	if err != nil {
		if fi, serr := os.Stat(d.path(name)); serr == nil && fi.IsDir() {
			// A directory is the parent of objects, not one: as in a
			// bucket, there is no object by that name.
			err = fs.ErrNotExist
		}
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return data, nil
}

// Put implements Store: the bytes go to a temporary file beside the
// object's, which is synced to the disk, then renamed over it; the
// directory is synced after, so that the rename survives a crash too.
func (d Dir) Put(ctx context.Context, name string, data []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	path := d.path(name)
	dir := filepath.Dir(path)
	if err := d.mkdirs(dir); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := writeSynced(path, data); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}

func (d Dir) path(name string) string { return filepath.Join(string(d), filepath.FromSlash(name)) }

// mkdirs makes dir and its missing parents, syncing each parent that
// gained an entry.
func (d Dir) mkdirs(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent == dir || !strings.HasPrefix(dir, filepath.Clean(string(d))+string(filepath.Separator)) {
		// The store's own directory (and above it: the data directory).
		return os.MkdirAll(dir, 0o755)
	}
	if err := d.mkdirs(parent); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return syncDir(parent)
}

func writeSynced(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing is there
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Memory is a Store in memory, for tests. Fail, if set, is called before
// each Put and its error returned instead.
type Memory struct {
	mu      sync.Mutex
	objects map[string][]byte
	Fail    func(name string) error
}

var _ Store = (*Memory)(nil)

// Get implements Store.
func (m *Memory) Get(ctx context.Context, name string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.objects[name]
	if !ok {
		return nil, fmt.Errorf("reading %s: %w", name, fs.ErrNotExist)
	}
	return bytes.Clone(data), nil
}

// Put implements Store.
func (m *Memory) Put(ctx context.Context, name string, data []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		if err := m.Fail(name); err != nil {
			return err
		}
	}
	if m.objects == nil {
		m.objects = map[string][]byte{}
	}
	m.objects[name] = bytes.Clone(data)
	return nil
}

// Names lists the names of the objects, sorted.
func (m *Memory) Names() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Sorted(maps.Keys(m.objects))
}
