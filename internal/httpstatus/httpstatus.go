// Package httpstatus maps attesta's error codes to HTTP status codes. It is
// the one place where that mapping is made, for the web and the API alike.
package httpstatus

import (
	"net/http"

	"github.com/attesta/attesta"
)

// Of returns the HTTP status for err.
func Of(err error) int {
	switch attesta.ErrorCode(err) {
	case attesta.NotFound:
		return http.StatusNotFound
	case attesta.Invalid:
		return http.StatusBadRequest
	case attesta.Conflict:
		return http.StatusConflict
	case attesta.Forbidden:
		return http.StatusForbidden
	case attesta.Unauthenticated:
		return http.StatusUnauthorized
	case attesta.Throttled:
		return http.StatusTooManyRequests
	case attesta.TooLarge:
		return http.StatusRequestEntityTooLarge
	case attesta.MediaType:
		return http.StatusUnsupportedMediaType
	case attesta.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
