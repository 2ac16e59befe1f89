package jsonld

// arena hands out values and slices from reusable chunks, so that expanding
// a document makes a handful of allocations instead of one per element. It
// is reset between documents; nothing it returns may outlive the document.
type arena[T any] struct {
	chunks [][]T
	ci     int // current chunk
	used   int // used in the current chunk
	size   int
}

func (a *arena[T]) reset() {
	a.ci, a.used = 0, 0
}

// take returns n contiguous elements, not zeroed.
func (a *arena[T]) take(n int) []T {
	if a.size == 0 {
		a.size = 256
	}
	if n > a.size/4 {
		return make([]T, n)
	}
	for {
		if a.ci < len(a.chunks) {
			c := a.chunks[a.ci]
			if a.used+n <= len(c) {
				s := c[a.used : a.used+n : a.used+n]
				a.used += n
				return s
			}
			a.ci++
			a.used = 0
			continue
		}
		a.chunks = append(a.chunks, make([]T, a.size))
	}
}

// new returns a zeroed element.
func (a *arena[T]) new() *T {
	s := a.take(1)
	var zero T
	s[0] = zero
	return &s[0]
}

// slice returns an empty slice with capacity n.
func (a *arena[T]) slice(n int) []T {
	if n == 0 {
		return nil
	}
	return a.take(n)[:0]
}

// drop forgets chunks beyond max, so that one large document does not keep
// a pooled arena large.
func (a *arena[T]) drop(max int) {
	if len(a.chunks) > max {
		clear(a.chunks[max:])
		a.chunks = a.chunks[:max]
	}
}
