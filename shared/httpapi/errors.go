package httpapi

import (
	"errors"
	"net/http"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/linksign"
)

// Errors the HTTP handlers (webhooks, links) wrap to say how a request is answered; StatusOf maps them, and the
// domain's and link signing's errors, to statuses.
var (
	// ErrNotFound: no such route, provider, binding or document.
	ErrNotFound = errors.New("not found")
	// ErrMethodNotAllowed: the route does not take this method.
	ErrMethodNotAllowed = errors.New("method not allowed")
	// ErrTooLarge: the body is over the handler's limit.
	ErrTooLarge = errors.New("body too large")
	// ErrConflict: the request cannot be done in the thing's present state (a void invoice confirmed paid).
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: something the answer needs (the store, a secret) failed; retrying later may work.
	ErrUnavailable = errors.New("temporarily unavailable")
)

// StatusOf is the one place errors become HTTP statuses, for every handler. It never answers 410: Trello deletes
// a webhook that gets it. An expired link is 403 like a bad one (the link handler shows its own page): the
// holder can ask for a new link, and nothing is gone. Anything unknown is 500, which webhook senders retry, and
// the retry is deduplicated.
func StatusOf(err error) int {
	switch {
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrMethodNotAllowed):
		return http.StatusMethodNotAllowed
	case errors.Is(err, ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrConflict):
		return http.StatusConflict
	case errors.Is(err, glassbox.ErrBadSignature):
		return http.StatusUnauthorized
	case errors.Is(err, glassbox.ErrMalformed):
		return http.StatusBadRequest
	case errors.Is(err, linksign.ErrBadLink), errors.Is(err, linksign.ErrExpired):
		return http.StatusForbidden
	default:
		return http.StatusInternalServerError
	}
}
