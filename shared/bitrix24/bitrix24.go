// Package bitrix24 verifies and parses Bitrix24 outbound-webhook deliveries into deal events, and reads a deal
// back through the portal's REST API (Client), because the hook carries only the deal's id.
//
// Bitrix24 posts application/x-www-form-urlencoded bodies with PHP-style bracketed keys: event,
// data[FIELDS][ID], ts and auth[...]. Nothing is signed: the body carries the application token shown when the
// outbound webhook was made, which Verify compares with the binding's secret.
package bitrix24

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/formkeys"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Name is the provider's name in hook URLs and bindings.
const Name = "bitrix24"

// The deal events Parse turns into events; all others are acknowledged and dropped.
const (
	EventDealAdd    = "ONCRMDEALADD"
	EventDealUpdate = "ONCRMDEALUPDATE"
)

// TokenField is the form field that carries the outbound webhook's application token.
const TokenField = "auth[application_token]"

// Provider verifies and parses Bitrix24 deliveries.
type Provider struct {
	// HTTP reads deals back (ReadBack); nil means a client with a 10 s timeout.
	HTTP *http.Client
}

// New returns the Bitrix24 provider.
func New() Provider { return Provider{HTTP: &http.Client{Timeout: 10 * time.Second}} }

// Info declares the provider to the registry.
func (Provider) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderCRM, ReadsBack: true}
}

// Verify compares the body's auth[application_token] with the binding's secret in constant time. A body that
// is not form data has no token, so it fails here too.
func (Provider) Verify(d glassbox.Delivery, secret string) error {
	// A body that does not fully decode still yields the fields before the fault; Parse reports the fault.
	v, _ := url.ParseQuery(string(d.Body))
	got := v.Get(TokenField)
	if got == "" {
		return fmt.Errorf("bitrix24: missing %s: %w", TokenField, glassbox.ErrBadSignature)
	}
	if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
		return fmt.Errorf("bitrix24: %s does not match: %w", TokenField, glassbox.ErrBadSignature)
	}
	return nil
}

// Parse turns an ONCRMDEALUPDATE or ONCRMDEALADD delivery into one deal_updated event for binding b, carrying
// only the deal id: React reads the deal back (Client.FetchDeal) to learn its stage. The project is decided at
// ingest from the deal id (glassbox.Binding.Accept) and stays the stored one after the read-back. Other events
// give no event and no error. A body that is not form data or names no event, or a
// deal event without data[FIELDS][ID], is glassbox.ErrMalformed. When b.ExternalID is set, a delivery from
// another portal (auth[domain], or auth[member_id]) wraps glassbox.ErrBadSignature.
//
// Bitrix24 has no delivery id: an event's provider id is "{deal id}:{ts}", or "{deal id}:h{body hash}" when
// ts is missing, so a redelivery of the same body is the same event.
func (Provider) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	form, err := formkeys.Parse(d.Body)
	if err != nil {
		return nil, fmt.Errorf("bitrix24: body is not form data: %v: %w", err, glassbox.ErrMalformed)
	}
	name := form.Get("event")
	if name == "" {
		return nil, fmt.Errorf("bitrix24: body has no event: %w", glassbox.ErrMalformed)
	}
	domain, member := form.Get("auth", "domain"), form.Get("auth", "member_id")
	if b.ExternalID != "" && !strings.EqualFold(b.ExternalID, domain) && b.ExternalID != member {
		return nil, fmt.Errorf("bitrix24: delivery from Bitrix24 portal %s, binding expects %s: %w",
			clip(domain), b.ExternalID, glassbox.ErrBadSignature)
	}
	if !strings.EqualFold(name, EventDealUpdate) && !strings.EqualFold(name, EventDealAdd) {
		return nil, nil
	}
	id := form.Get("data", "FIELDS", "ID")
	if id == "" {
		return nil, fmt.Errorf("bitrix24: %s has no data[FIELDS][ID]: %w", clip(name), glassbox.ErrMalformed)
	}
	var occurred time.Time
	ts := form.Get("ts")
	if sec, err := strconv.ParseInt(ts, 10, 64); err == nil && sec > 0 && sec < 1<<33 {
		occurred = time.Unix(sec, 0).UTC()
	}
	if ts == "" {
		sum := sha256.Sum256(d.Body)
		ts = "h" + hex.EncodeToString(sum[:8])
	}
	providerID := id + ":" + ts
	e := glassbox.Event{
		ID:              glassbox.EventID(Name, providerID),
		BindingID:       b.ID,
		Provider:        Name,
		ProviderEventID: providerID,
		Kind:            glassbox.EventDealUpdated,
		ProviderType:    strings.ToUpper(name),
		TaskID:          id,
		OccurredAt:      occurred,
		ReceivedAt:      d.ReceivedAt.UTC(),
		Deal:            &glassbox.DealChange{ID: id},
	}
	if validHost(domain) {
		e.URL = "https://" + strings.ToLower(domain) + "/crm/deal/details/" + url.PathEscape(id) + "/"
	}
	return []glassbox.Event{e}, nil
}

// validHost accepts a portal's host name ("acme.bitrix24.ru", an optional port), so nothing odd ends up in a link
// sent to a client.
func validHost(h string) bool {
	if h == "" || len(h) > 253 || !strings.Contains(h, ".") || h[0] == '.' || h[0] == '-' {
		return false
	}
	host, port, hasPort := strings.Cut(h, ":")
	if hasPort {
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return false
		}
	}
	for _, r := range host {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// clip quotes a value from the body for an error message, which goes to logs and back to the sender, cut short.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return strconv.Quote(strings.ToValidUTF8(s[:max], "")) + "…"
	}
	return strconv.Quote(s)
}
