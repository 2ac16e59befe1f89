package sqlite

import (
	"slices"
	"testing"
)

func TestPositional(t *testing.T) {
	for _, tc := range []struct {
		in, out string
		order   []int
	}{
		{`SELECT a FROM t WHERE b = $1 AND c = $2`, `SELECT a FROM t WHERE b = ? AND c = ?`, nil},
		{`SELECT 1`, `SELECT 1`, nil},
		{`VALUES ($1, $2, $2)`, `VALUES (?, ?, ?)`, []int{0, 1, 1}},
		{`UPDATE t SET a = $2 WHERE id = $1`, `UPDATE t SET a = ? WHERE id = ?`, []int{1, 0}},
		{`SELECT $10, $1`, `SELECT ?, ?`, []int{9, 0}},
		{`SELECT '$1', "$2", $1 FROM t WHERE x LIKE $1 ESCAPE '\'`, `SELECT '$1', "$2", ? FROM t WHERE x LIKE ? ESCAPE '\'`, []int{0, 0}},
		{`SELECT 'it''s $1', $1`, `SELECT 'it''s $1', ?`, nil},
		{`SELECT $a, $`, `SELECT $a, $`, nil},
	} {
		out, order := positional(tc.in)
		if out != tc.out || !slices.Equal(order, tc.order) {
			t.Errorf("positional(%q) = %q, %v; want %q, %v", tc.in, out, order, tc.out, tc.order)
		}
	}
	st := stmt{order: []int{1, 0, 1}}
	if got := st.args([]any{"a", "b"}); !slices.Equal(got, []any{"b", "a", "b"}) {
		t.Errorf("args = %v", got)
	}
}
