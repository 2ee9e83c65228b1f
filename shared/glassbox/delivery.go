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

// Handshake is how a provider's subscription check is answered: Trello's HEAD on the callback URL, Asana's
// POST carrying X-Hook-Secret. Such a request is not a delivery and stores no event.
type Handshake struct {
	// Header is added to the 200 answer (Asana wants its X-Hook-Secret echoed).
	Header map[string]string
	// Secret, when set, is the webhook secret the provider handed over in the check. Ingest keeps it under the
	// binding's secret_param, once: a later check with another secret is refused until the admin clears it, so
	// someone who learns the hook URL cannot replace the key that verifies deliveries.
	Secret string
}
