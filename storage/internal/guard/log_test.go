package guard

import (
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta/notary"
)

func TestNoteText(t *testing.T) {
	for note, want := range map[string]string{
		"origin\n5\nroot\n\n— log sig\n":                "origin\n5\nroot\n",
		"origin\n5\nroot\n\n— log sig\n— witness sig\n": "origin\n5\nroot\n",
		"no signatures\n":                               "no signatures\n",
	} {
		if got := string(noteText([]byte(note))); got != want {
			t.Errorf("noteText(%q) = %q, want %q", note, got, want)
		}
	}
}

// TestTreeIndexIsDense: the kept hashes of a tree, in stored-index order,
// get the dense indexes 0, 1, 2, … and every one of them.
func TestTreeIndexIsDense(t *testing.T) {
	const n = 5000
	var next int64
	for i := range tlog.StoredHashCount(n) {
		level, _ := tlog.SplitStoredHashIndex(i)
		d, err := TreeIndex(i)
		if level < notary.PackHeight {
			if err == nil {
				t.Fatalf("stored hash %d at height %d has dense index %d", i, level, d)
			}
			continue
		}
		if err != nil || d != next {
			t.Fatalf("stored hash %d: dense %d, %v; want %d", i, d, err, next)
		}
		next++
	}
	if want := tlog.StoredHashCount(n >> notary.PackHeight); next != want {
		t.Fatalf("%d kept hashes, want %d", next, want)
	}
}
