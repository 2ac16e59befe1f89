package httpstatus

import (
	"errors"
	"fmt"
	"testing"

	"github.com/attesta/attesta"
)

func TestOf(t *testing.T) {
	for code, want := range map[attesta.Code]int{
		attesta.NotFound: 404, attesta.Invalid: 400, attesta.Conflict: 409,
		attesta.Forbidden: 403, attesta.Unauthenticated: 401, attesta.Throttled: 429, attesta.Unavailable: 503, attesta.Internal: 500,
		attesta.TooLarge: 413, attesta.MediaType: 415,
	} {
		err := fmt.Errorf("wrapped: %w", attesta.E(code, "err.internal"))
		if got := Of(err); got != want {
			t.Errorf("%s: %d, want %d", code, got, want)
		}
	}
	if got := Of(errors.New("plain")); got != 500 {
		t.Errorf("plain error: %d", got)
	}
}
