package hashrows

import (
	"bytes"
	"testing"
)

// storedHashCount counts the stored hashes of a tree of n leaves from their
// definition: each leaf stores its hash and that of every subtree it
// completes, one per trailing one bit of its index.
func storedHashCount(n int64) int64 {
	var c int64
	for i := range n {
		c++
		for j := i; j&1 == 1; j >>= 1 {
			c++
		}
	}
	return c
}

func TestStoredHashCount(t *testing.T) {
	for n := range int64(2100) {
		if got, want := StoredHashCount(n), storedHashCount(n); got != want {
			t.Fatalf("StoredHashCount(%d) = %d, want %d", n, got, want)
		}
	}
	// Values of golang.org/x/mod/sumdb/tlog.StoredHashCount.
	for n, want := range map[int64]int64{1: 1, 2: 3, 3: 4, 4: 7, 7: 11, 8: 15, 1 << 40: 1<<41 - 1} {
		if got := StoredHashCount(n); got != want {
			t.Errorf("StoredHashCount(%d) = %d, want %d", n, got, want)
		}
	}
}

func hash(i int64) [32]byte {
	var h [32]byte
	for j := range h {
		h[j] = byte(i) ^ byte(i>>8) ^ byte(j*7)
	}
	h[0], h[1] = byte(i), byte(i>>8)
	return h
}

// TestPlan appends hashes in batches of many sizes to rows held in a map, as
// an engine would, and reads every hash back through Locate.
func TestPlan(t *testing.T) {
	rows := map[int64][]byte{}
	var next int64
	for _, n := range []int64{0, 1, 2, 61, 1, 62, 63, 124, 200, 3, 0, 59, 1000} {
		batch := make([][32]byte, n)
		for i := range batch {
			batch[i] = hash(next + int64(i))
		}
		for i, w := range Plan(next, batch) {
			if len(rows[w.Row]) != w.Before {
				t.Fatalf("batch at %d: write %d to row %d expects %d bytes, the row has %d", next, i, w.Row, w.Before, len(rows[w.Row]))
			}
			if i > 0 && w.Before != 0 {
				t.Fatalf("batch at %d: write %d extends a row", next, i)
			}
			rows[w.Row] = append(rows[w.Row], w.Bytes...)
			if len(rows[w.Row]) > PerRow*32 {
				t.Fatalf("row %d has %d bytes", w.Row, len(rows[w.Row]))
			}
		}
		next += n
		last := (next - 1) / PerRow
		if next > 0 && Count(last, len(rows[last])) != next {
			t.Fatalf("Count = %d, want %d", Count(last, len(rows[last])), next)
		}
	}
	for i := range next {
		row, off := Locate(i)
		if h := hash(i); !bytes.Equal(rows[row][off:off+32], h[:]) {
			t.Fatalf("hash %d differs", i)
		}
	}
}
