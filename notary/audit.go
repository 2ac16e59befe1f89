package notary

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta/blob"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
)

// AuditState is what an auditor remembers of a log between runs: the last
// checkpoint it verified.
type AuditState struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Root   []byte `json:"root"`
	Note   string `json:"checkpoint"`
}

// A LogSource reads the files of a published log: the checkpoint, hash
// tiles and entry bundles, by their path under /log/ (C2SP tlog-tiles),
// reading at most limit bytes.
type LogSource interface {
	ReadLogFile(ctx context.Context, path string, limit int64) ([]byte, error)
}

// HTTPLogSource reads the log an attesta serves at base (its public URL).
func HTTPLogSource(base string, client *http.Client) LogSource {
	return httpSource{base: strings.TrimSuffix(base, "/"), client: client}
}

type httpSource struct {
	base   string
	client *http.Client
}

func (s httpSource) ReadLogFile(ctx context.Context, path string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", s.base+"/log/"+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /log/%s: %s", path, resp.Status)
	}
	return data, nil
}

// BlobLogSource reads a log published in a blob store (Options.Blobs):
// its checkpoint, tiles and entry bundles are objects named by their path.
func BlobLogSource(s blob.Store) LogSource { return blobSource{s} }

type blobSource struct{ s blob.Store }

func (b blobSource) ReadLogFile(ctx context.Context, path string, limit int64) ([]byte, error) {
	data, err := b.s.Get(ctx, path)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return data, nil
}

// ErrInconsistent is in the chain of every error by which Audit finds that
// a log broke its promises: a bad signature, tiles that do not hash to the
// signed root, an entry that does not hash to its leaf, a log that shrank
// or forked.
var ErrInconsistent = errors.New("INCONSISTENT")

func inconsistent(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInconsistent, fmt.Sprintf(format, args...))
}

// Audit verifies a published log against its verifier key: the checkpoint
// is signed by the key, every hash tile hashes to the signed root, every
// entry added since prev hashes to its leaf and is well formed, and the
// tree of prev (nil on a first audit) is a prefix of this one, computed
// from the verified tiles rather than from a proof the server chose. It
// returns the state to remember for the next audit. The tree code is
// golang.org/x/mod/sumdb's tlog and note, independent of the log's own.
func Audit(ctx context.Context, src LogSource, logKey string, prev *AuditState) (*AuditState, error) {
	verifier, err := note.NewVerifier(logKey)
	if err != nil {
		return nil, fmt.Errorf("the log key: %w", err)
	}
	raw, err := src.ReadLogFile(ctx, "checkpoint", 1<<16)
	if err != nil {
		return nil, err
	}
	n, err := note.Open(raw, note.VerifierList(verifier))
	if err != nil {
		return nil, inconsistent("the checkpoint is not signed by the log key: %v", err)
	}
	c, err := checkpoint.Parse([]byte(n.Text))
	if err != nil {
		return nil, err
	}
	origin, size, root := c.Origin, c.Size, tlog.Hash(c.Root)
	hr := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, tileFetcher{ctx: ctx, src: src})
	if th, err := tlog.TreeHash(size, hr); err != nil || th != root {
		return nil, inconsistent("the tiles do not hash to the signed root: %v", err)
	}
	var from int64
	if prev != nil {
		if prev.Origin != origin {
			return nil, fmt.Errorf("the state remembered is of log %q, not %q", prev.Origin, origin)
		}
		if prev.Size > size {
			return nil, inconsistent("the log shrank from %d to %d entries", prev.Size, size)
		}
		old, err := tlog.TreeHash(prev.Size, hr)
		if err != nil || !bytes.Equal(old[:], prev.Root) {
			return nil, inconsistent("the tree of size %d seen before is not a prefix of this one (a fork)", prev.Size)
		}
		from = prev.Size
	}
	err = verifiedEntries(ctx, src, hr, from, size, func(i int64, entry []byte) error {
		if _, err := ParseEntry(entry); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &AuditState{Origin: origin, Size: size, Root: root[:], Note: string(raw)}, nil
}

// verifiedEntries reads the entries [from, size) from the entry bundles of
// src, checks each against its leaf hash in hr (a tree whose tiles are
// verified against a signed root), and calls fn with each.
func verifiedEntries(ctx context.Context, src LogSource, hr tlog.HashReader, from, size int64, fn func(int64, []byte) error) error {
	for start := from - from%256; start < size; start += 256 {
		w := min(256, size-start)
		t := tlog.Tile{H: TileHeight, L: 0, N: start / 256, W: int(w)}
		path := TilePath(t, true)
		bundle, err := src.ReadLogFile(ctx, path, 1<<20)
		if err != nil {
			return err
		}
		for i := range w {
			if len(bundle) < 2 {
				return inconsistent("entry bundle %s is short", path)
			}
			l := int(bundle[0])<<8 | int(bundle[1])
			if len(bundle) < 2+l {
				return inconsistent("entry bundle %s is short", path)
			}
			entry := bundle[2 : 2+l]
			bundle = bundle[2+l:]
			leaf, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, start+i)})
			if err != nil || leaf[0] != tlog.RecordHash(entry) {
				return inconsistent("entry %d does not hash to its leaf: %v", start+i, err)
			}
			if start+i < from {
				continue
			}
			if err := fn(start+i, entry); err != nil {
				return err
			}
		}
	}
	return nil
}

// tileFetcher reads hash tiles from a LogSource for x/mod's
// TileHashReader.
type tileFetcher struct {
	ctx context.Context
	src LogSource
}

func (tileFetcher) Height() int { return TileHeight }

func (f tileFetcher) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := f.src.ReadLogFile(f.ctx, TilePath(t, false), 1<<14)
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (tileFetcher) SaveTiles([]tlog.Tile, [][]byte) {}
