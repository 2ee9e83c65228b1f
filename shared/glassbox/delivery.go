package glassbox

import (
	"errors"
	"net/http"
	"net/url"
	"time"
)

// Errors provider packages return from Verify and Parse; the ingest handler maps them to HTTP statuses.
var (
	// ErrBadSignature: the delivery's signature is missing or does not match the secret.
	ErrBadSignature = errors.New("bad signature")
	// ErrMalformed: the body cannot be decoded as the provider's format.
	ErrMalformed = errors.New("malformed body")
)

// Delivery is one webhook request as a provider package sees it: the raw bytes exactly as received.
type Delivery struct {
	Method string
	// CallbackURL is the URL the hook was registered with, which some providers sign over.
	CallbackURL string
	Header      http.Header
	// Query is the request's query string; a CRM that signs nothing is checked by a token in it.
	Query      url.Values
	Body       []byte
	ReceivedAt time.Time
}
