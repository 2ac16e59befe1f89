// Package hashrows lays out the transparency log's stored Merkle hashes in
// database rows. One row per 32-byte hash would cost more than the hash in
// per-row overhead (a PostgreSQL tuple header and index entry alone are
// about 60 bytes), so both engines keep the hashes in rows of PerRow
// consecutive stored indexes: row r holds the hashes r·PerRow,
// r·PerRow+1, …, concatenated. Hashes are appended in stored-index order
// (notary.Store.Integrate), so only the last row is ever partial, and it is
// extended by the next Integrate.
package hashrows

import "math/bits"

// PerRow is the number of hashes in a full row: 62 hashes, 1,984 bytes,
// keep a PostgreSQL row under its 2 KB TOAST threshold (no compression
// attempt, no out-of-line storage) with four rows to an 8 KiB page, and fit
// two rows to an SQLite 4 KiB page.
const PerRow = 62

// StoredHashCount is the number of hashes a Merkle tree of n leaves stores
// in the layout of merkle.StoredHashIndex (that of golang.org/x/mod's
// sumdb/tlog): 2n minus the number of ones in n, one per node of each
// complete subtree.
func StoredHashCount(n int64) int64 {
	return 2*n - int64(bits.OnesCount64(uint64(n)))
}

// Locate returns the row holding stored index i and the byte offset of its
// hash in the row.
func Locate(i int64) (row int64, offset int) {
	return i / PerRow, int(i%PerRow) * 32
}

// Write is one row write of an append: the row, the length in bytes it must
// have before (0 for a row to insert, more to extend the last, partial row),
// and the bytes to append.
type Write struct {
	Row    int64
	Before int
	Bytes  []byte
}

// Plan returns the row writes that append hashes at stored indexes start,
// start+1, …: at most one extension of a partial row, first, then new rows.
func Plan(start int64, hashes [][32]byte) []Write {
	var out []Write
	for len(hashes) > 0 {
		row, before := Locate(start)
		n := min(PerRow-before/32, len(hashes))
		b := make([]byte, 0, n*32)
		for _, h := range hashes[:n] {
			b = append(b, h[:]...)
		}
		out = append(out, Write{Row: row, Before: before, Bytes: b})
		start, hashes = start+int64(n), hashes[n:]
	}
	return out
}

// Count is the number of stored hashes when the last row is row and holds
// length bytes.
func Count(row int64, length int) int64 {
	return row*PerRow + int64(length/32)
}
