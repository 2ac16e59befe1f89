package notary

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta"
)

// TileHeight is the height of the log's tiles: 256 hashes per tile.
const TileHeight = 8

// TilePath returns the C2SP tlog-tiles path of a hash tile ("tile/L/N") or,
// with entries, of an entry bundle ("tile/entries/N"); N is written in
// three-digit groups, all but the last prefixed with "x", and a partial tile
// ends in ".p/W".
func TilePath(t tlog.Tile, entries bool) string {
	var b strings.Builder
	b.WriteString("tile/")
	if entries {
		b.WriteString("entries")
	} else {
		b.WriteString(strconv.Itoa(t.L))
	}
	n := strconv.FormatInt(t.N, 10)
	for len(n)%3 != 0 {
		n = "0" + n
	}
	for i := 0; i < len(n); i += 3 {
		b.WriteByte('/')
		if i+3 < len(n) {
			b.WriteByte('x')
		}
		b.WriteString(n[i : i+3])
	}
	if t.W < 1<<TileHeight {
		fmt.Fprintf(&b, ".p/%d", t.W)
	}
	return b.String()
}

// ParseTilePath parses a path made by TilePath, strictly.
func ParseTilePath(path string) (t tlog.Tile, entries bool, err error) {
	bad := func(why string) (tlog.Tile, bool, error) {
		return tlog.Tile{}, false, fmt.Errorf("tile path %q: %s", path, why)
	}
	rest, ok := strings.CutPrefix(path, "tile/")
	if !ok {
		return bad("not under tile/")
	}
	parts := strings.Split(rest, "/")
	if len(parts) < 2 {
		return bad("too short")
	}
	t.H, t.W = TileHeight, 1<<TileHeight
	if parts[0] == "entries" {
		entries = true
	} else {
		l, err := strconv.Atoi(parts[0])
		if err != nil || l < 0 || l > 63 || strconv.Itoa(l) != parts[0] {
			return bad("invalid level")
		}
		t.L = l
	}
	parts = parts[1:]
	if n := len(parts); n >= 2 && strings.HasSuffix(parts[n-2], ".p") {
		w, err := strconv.Atoi(parts[n-1])
		if err != nil || w < 1 || w >= 1<<TileHeight || strconv.Itoa(w) != parts[n-1] {
			return bad("invalid partial width")
		}
		t.W = w
		parts[n-2] = strings.TrimSuffix(parts[n-2], ".p")
		parts = parts[:n-1]
	}
	var n int64
	for i, p := range parts {
		last := i == len(parts)-1
		if !last {
			var ok bool
			if p, ok = strings.CutPrefix(p, "x"); !ok {
				return bad("index groups other than the last must start with x")
			}
		}
		if len(p) != 3 || strings.Trim(p, "0123456789") != "" {
			return bad("index groups are three digits")
		}
		d, _ := strconv.ParseInt(p, 10, 64)
		if n > (1<<62)/1000 {
			return bad("index too large")
		}
		n = n*1000 + d
	}
	if len(parts) > 1 && parts[0] == "x000" {
		return bad("leading zero group")
	}
	t.N = n
	return t, entries, nil
}

// TileData returns a hash tile of the tree of the latest checkpoint. A tile
// (or partial tile) that reaches past that tree is NotFound.
func (l *Log) TileData(ctx context.Context, t tlog.Tile) ([]byte, error) {
	cp, err := l.latest(ctx)
	if err != nil {
		return nil, err
	}
	return l.tileData(ctx, t, cp.Size)
}

// tileData returns a hash tile of the tree of size entries.
func (l *Log) tileData(ctx context.Context, t tlog.Tile, size int64) ([]byte, error) {
	cp := StoredCheckpoint{Size: size}
	// The tile holds nodes [N·256, N·256+W) at level 8·L, which exist when
	// the tree has that many complete subtrees of that height.
	if end := (t.N<<TileHeight + int64(t.W)) << (TileHeight * t.L); t.L > 6 || end > cp.Size {
		return nil, attesta.E(attesta.NotFound, "err.notary.tile.beyond", TilePath(t, false), cp.Size)
	}
	if t.L == 0 {
		// One read for the tile's entries rather than one per pack.
		lo := t.N << TileHeight
		if _, err := l.entryHashesCached(ctx, lo, lo+int64(t.W)); err != nil {
			return nil, err
		}
	}
	return tlog.ReadTileData(t, l.storeReader(ctx, cp.Size))
}

// EntryBundle returns an entry bundle of the latest checkpoint's tree: the
// entries of a level-0 tile, each preceded by its length (big-endian, two
// bytes).
func (l *Log) EntryBundle(ctx context.Context, t tlog.Tile) ([]byte, error) {
	cp, err := l.latest(ctx)
	if err != nil {
		return nil, err
	}
	return l.entryBundle(ctx, t, cp.Size)
}

// entryBundle returns an entry bundle of the tree of size entries.
func (l *Log) entryBundle(ctx context.Context, t tlog.Tile, size int64) ([]byte, error) {
	cp := StoredCheckpoint{Size: size}
	from, to := t.N<<TileHeight, t.N<<TileHeight+int64(t.W)
	if to > cp.Size {
		return nil, attesta.E(attesta.NotFound, "err.notary.bundle.beyond", TilePath(t, true), cp.Size)
	}
	entries, err := l.store.Entries(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(entries)*(2+EntrySize))
	for _, e := range entries {
		out = binary.BigEndian.AppendUint16(out, uint16(len(e)))
		out = append(out, e...)
	}
	return out, nil
}
