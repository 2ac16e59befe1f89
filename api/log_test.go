package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/notary"
)

// httpTiles reads C2SP tiles from a running server for x/mod's
// tlog.TileHashReader, which checks every tile against the signed tree.
type httpTiles struct {
	t    *testing.T
	base string
}

func (h httpTiles) Height() int { return notary.TileHeight }

func (h httpTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		resp, err := http.Get(h.base + "/log/" + notary.TilePath(t, false))
		if err != nil {
			return nil, err
		}
		out[i], _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return nil, fmt.Errorf("tile %s: %d %s", notary.TilePath(t, false), resp.StatusCode, out[i])
		}
	}
	return out, nil
}

func (httpTiles) SaveTiles([]tlog.Tile, [][]byte) {}

// The tiles and checkpoint of a running server, verified by
// golang.org/x/mod/sumdb's tlog and note code: the checkpoint's signature,
// every hash tile against the signed root, the entry bundles against the
// leaf hashes, and an inclusion proof computed by x/mod from the tiles.
func TestTilesVerifiedByXMod(t *testing.T) {
	srv := testserver.New(t)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	for i := range 300 { // more than one full tile
		req := map[string]any{"issuer": "cciaa-milano", "sector": "meccatronica", "version": 1, "competence": "C1",
			"learner":  map[string]any{"identity": fmt.Sprintf("studente-%d", i)},
			"decision": map[string]any{"date": "2026-06-25T00:00:00Z", "reference": "Verbale n. 9/2026"}}
		if rec := do(t, srv, "POST", "/api/v1/credentials", testserver.APIToken, req); rec.Code != 201 {
			t.Fatalf("issue %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	if _, err := srv.SequenceLog(context.Background()); err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, []byte) {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	_, cpNote := get("/log/checkpoint")
	vkey, err := srv.LogKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(cpNote, note.VerifierList(v))
	if err != nil {
		t.Fatalf("x/mod note does not open the checkpoint: %v", err)
	}
	c, err := checkpoint.Parse([]byte(n.Text))
	if err != nil || c.Origin != "attesta.example/log" || c.Size != 310 { // the demo's 10 entries and 300
		t.Fatalf("checkpoint %v %v", c, err)
	}
	size, root := c.Size, tlog.Hash(c.Root)
	hr := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, httpTiles{t, ts.URL})
	if th, err := tlog.TreeHash(size, hr); err != nil || th != root {
		t.Fatalf("x/mod tree hash from the served tiles: %v, %v", th, err)
	}
	// Entry bundles: every entry hashes to the leaf hash x/mod reads from the tiles.
	for _, tile := range []tlog.Tile{{H: 8, L: 0, N: 0, W: 256}, {H: 8, L: 0, N: 1, W: 50}} {
		status, bundle := get("/log/" + notary.TilePath(tile, true))
		if status != 200 {
			t.Fatalf("entry bundle %s: %d", notary.TilePath(tile, true), status)
		}
		for i := 0; i < tile.W; i++ {
			ln := int(bundle[0])<<8 | int(bundle[1])
			entry := bundle[2 : 2+ln]
			bundle = bundle[2+ln:]
			idx := tile.N*256 + int64(i)
			hs, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, idx)})
			if err != nil || hs[0] != tlog.RecordHash(entry) {
				t.Fatalf("entry %d does not hash to its leaf: %v", idx, err)
			}
		}
		if len(bundle) != 0 {
			t.Errorf("entry bundle has %d trailing bytes", len(bundle))
		}
	}
	proof, err := tlog.ProveRecord(size, 123, hr)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, 123)})
	if err := tlog.CheckRecord(proof, size, root, 123, leaf[0]); err != nil {
		t.Errorf("x/mod inclusion proof: %v", err)
	}
	// A full tile is immutable; tiles past the tree do not exist.
	resp, _ := http.Get(ts.URL + "/log/tile/0/000")
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("full tile Cache-Control %q", cc)
	}
	resp.Body.Close()
	for _, p := range []string{"/log/tile/0/002", "/log/tile/0/001.p/99", "/log/tile/entries/001", "/log/tile/0/x000/001", "/log/tile/9/000", "/log/tile/0/1"} {
		if status, _ := get(p); status != 404 {
			t.Errorf("%s: %d, want 404", p, status)
		}
	}
}
