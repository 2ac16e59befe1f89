package notary

import (
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

func TestTilePaths(t *testing.T) {
	tests := []struct {
		tile    tlog.Tile
		entries bool
		path    string
	}{
		{tlog.Tile{H: 8, L: 0, N: 1234067, W: 256}, false, "tile/0/x001/x234/067"},
		{tlog.Tile{H: 8, L: 1, N: 0, W: 5}, false, "tile/1/000.p/5"},
		{tlog.Tile{H: 8, L: 0, N: 1234, W: 7}, true, "tile/entries/x001/234.p/7"},
		{tlog.Tile{H: 8, L: 2, N: 999, W: 256}, false, "tile/2/999"},
	}
	for _, tt := range tests {
		if got := TilePath(tt.tile, tt.entries); got != tt.path {
			t.Errorf("TilePath(%+v) = %s, want %s", tt.tile, got, tt.path)
		}
		tile, entries, err := ParseTilePath(tt.path)
		if err != nil || tile != tt.tile || entries != tt.entries {
			t.Errorf("ParseTilePath(%s) = %+v %v %v", tt.path, tile, entries, err)
		}
		// x/mod's sumdb paths differ only by the height element and "data".
		want := tt.tile.Path()
		if tt.entries {
			want = "tile/8/data" + want[len("tile/8/0"):]
		}
		if got := "tile/8/" + tt.path[len("tile/"):]; !tt.entries && got != want {
			t.Errorf("%s differs from x/mod's %s beyond the height element", tt.path, want)
		}
	}
	for _, bad := range []string{"tile/0/1", "tile/0/x001", "tile/0/001/002", "tile/0/000.p/0", "tile/0/000.p/256", "tile/64/000",
		"tile/-1/000", "tile/00/000", "tiles/0/000", "tile/0", "tile/0/x000/001", "tile/0/0a1", "tile/entries/000.p/01"} {
		if _, _, err := ParseTilePath(bad); err == nil {
			t.Errorf("ParseTilePath(%q) accepted", bad)
		}
	}
}

func FuzzParseTilePath(f *testing.F) {
	f.Add("tile/0/x001/x234/067")
	f.Add("tile/entries/x001/234.p/7")
	f.Fuzz(func(t *testing.T, path string) {
		tile, entries, err := ParseTilePath(path)
		if err != nil {
			return
		}
		if back := TilePath(tile, entries); back != path {
			t.Fatalf("%q parses to %+v, which prints as %q", path, tile, back)
		}
	})
}
