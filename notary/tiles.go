//go:build attesta_pending

// This file waits for the packages merkle (RFC 6962, C2SP tlog-tiles) and
// checkpoint (C2SP signed notes and cosignatures); it is built only with the
// attesta_pending tag until they land.

package notary

import (
	"context"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/merkle"
)

// TileData returns a hash tile of the tree of the latest checkpoint. A tile
// (or partial tile) that reaches past that tree is NotFound.
func (l *Log) TileData(ctx context.Context, t merkle.Tile) ([]byte, error) {
	cp, err := l.store.Checkpoint(ctx, -1)
	if err != nil {
		return nil, err
	}
	// The tile covers nodes [N·256, N·256+W) at level 8·L; they exist when
	// the tree has that many complete subtrees of that height.
	end := (t.N*256 + int64(t.Width)) << (8 * t.Level)
	if end > cp.Size {
		return nil, attesta.Errorf(attesta.NotFound, "tile %s is beyond the tree of size %d", t.Path(), cp.Size)
	}
	return merkle.ReadTileData(t, l.storeReader(ctx))
}

// EntryBundle returns the entry bundle of a level-0 tile of the latest
// checkpoint's tree.
func (l *Log) EntryBundle(ctx context.Context, t merkle.Tile) ([]byte, error) {
	cp, err := l.store.Checkpoint(ctx, -1)
	if err != nil {
		return nil, err
	}
	from, to := t.N*256, t.N*256+int64(t.Width)
	if t.Level != 0 || to > cp.Size {
		return nil, attesta.Errorf(attesta.NotFound, "entry bundle %s is beyond the tree of size %d", t.Path(), cp.Size)
	}
	entries, err := l.store.Entries(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return merkle.AppendEntryBundle(nil, entries...)
}
