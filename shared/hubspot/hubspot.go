// Package hubspot verifies and parses HubSpot webhook deliveries into provider-neutral deal events.
//
// HubSpot batches: one request carries a JSON array of events, often of several subscriptions at once. Its
// events are thin: a stage change says the deal id and the new stage, not the deal's name, amount or previous
// stage. Only deal stage changes become events (see Parse); the rest are acknowledged and dropped.
package hubspot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Name is the provider's name in hook URLs and bindings.
const Name = "hubspot"

// Headers of a v3-signed delivery.
const (
	// SignatureHeader carries base64(HMAC-SHA256(client secret, method ‖ URI ‖ body ‖ timestamp)).
	SignatureHeader = "X-HubSpot-Signature-v3"
	// TimestampHeader is when HubSpot sent the request, in Unix milliseconds.
	TimestampHeader = "X-HubSpot-Request-Timestamp"
)

// MaxSkew is how far a delivery's timestamp may be from the time it is received, either way. HubSpot's docs
// reject anything older than 5 minutes; a timestamp as far in the future is refused too, so a captured
// request cannot be replayed later by someone who could sign one with a clock set ahead.
const MaxSkew = 5 * time.Minute

// StageProperty is the deal property whose changes mean a stage change.
const StageProperty = "dealstage"

// StageClosedWon is the won stage of HubSpot's default pipeline.
const StageClosedWon = "closedwon"

// dealObjectTypeID is the objectTypeId of deals in HubSpot's generic ("object.*") subscriptions.
const dealObjectTypeID = "0-3"

// Provider verifies and parses HubSpot deliveries.
type Provider struct{}

// New returns the HubSpot provider.
func New() Provider { return Provider{} }

// Info declares the provider to the registry.
func (Provider) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderCRM}
}

// uriDecoder undoes the percent-encoding of the characters HubSpot's v3 validation docs list
// (developers.hubspot.com, "Validating requests from HubSpot"): HubSpot hashes the URI with these decoded.
// Every other escape (%20, %25, %26, %3D, non-ASCII...) stays encoded. Hex digits in an escape are
// case-insensitive (RFC 3986), so both spellings are decoded.
var uriDecoder = func() *strings.Replacer {
	pairs := []string{
		"%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$",
		"%27", "'", "%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";",
	}
	var all []string
	for i := 0; i < len(pairs); i += 2 {
		all = append(all, pairs[i], pairs[i+1])
		if lower := strings.ToLower(pairs[i]); lower != pairs[i] {
			all = append(all, lower, pairs[i+1])
		}
	}
	return strings.NewReplacer(all...)
}()

// SignedURI returns uri as HubSpot hashes it for a v3 signature: with %3A, %2F, %3F, %40, %21, %24, %27, %28,
// %29, %2A, %2C and %3B decoded and nothing else changed.
func SignedURI(uri string) string { return uriDecoder.Replace(uri) }

func mac(secret, method, uri string, body []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(method))
	m.Write([]byte(SignedURI(uri)))
	m.Write(body)
	m.Write([]byte(timestamp))
	return m.Sum(nil)
}

// Sign computes the X-HubSpot-Signature-v3 value HubSpot sends for a request: method (POST) to uri (the full
// URL it calls, query included) with body, sent at timestampMillis (the X-HubSpot-Request-Timestamp value).
func Sign(secret, method, uri string, body []byte, timestampMillis int64) string {
	return base64.StdEncoding.EncodeToString(mac(secret, method, uri, body, strconv.FormatInt(timestampMillis, 10)))
}

// Verify checks the v3 signature over the request method, d.CallbackURL (the URL HubSpot called, which must be
// the registered target URL exactly), the raw body and the timestamp, and that the timestamp is within MaxSkew
// of d.ReceivedAt. HubSpot's older v1/v2 signatures are not accepted: they carry no timestamp, so they can be
// replayed.
func (Provider) Verify(d glassbox.Delivery, secret string) error {
	got, ts := d.Header.Get(SignatureHeader), d.Header.Get(TimestampHeader)
	if got == "" || ts == "" {
		return fmt.Errorf("hubspot: missing %s or %s header: %w", SignatureHeader, TimestampHeader, glassbox.ErrBadSignature)
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("hubspot: %s %q is not milliseconds: %w", TimestampHeader, ts, glassbox.ErrBadSignature)
	}
	if skew := d.ReceivedAt.Sub(time.UnixMilli(ms)); skew > MaxSkew || skew < -MaxSkew {
		return fmt.Errorf("hubspot: request timestamp is %v away from now (limit %v): %w", skew.Round(time.Second),
			MaxSkew, glassbox.ErrBadSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(got)
	if err != nil {
		return fmt.Errorf("hubspot: %s is not base64: %w", SignatureHeader, glassbox.ErrBadSignature)
	}
	// The timestamp is hashed as sent, not as reformatted from ms.
	if !hmac.Equal(sig, mac(secret, d.Method, d.CallbackURL, d.Body, ts)) {
		return fmt.Errorf("hubspot: signature does not match request: %w", glassbox.ErrBadSignature)
	}
	return nil
}

// event is one element of a delivery's array. Numbers are kept as their JSON text: ids are 64-bit and must
// not pass through float64.
type event struct {
	EventID          json.Number `json:"eventId"`
	PortalID         json.Number `json:"portalId"`
	OccurredAt       json.Number `json:"occurredAt"`
	SubscriptionType string      `json:"subscriptionType"`
	ObjectTypeID     string      `json:"objectTypeId"`
	ObjectID         json.Number `json:"objectId"`
	PropertyName     string      `json:"propertyName"`
	PropertyValue    string      `json:"propertyValue"`
}

// Parse turns a delivery (a JSON array of events) into deal_stage_changed events for binding b, one per event
// that sets a deal's dealstage (which project the deal belongs to is decided at ingest, by
// glassbox.Binding.Accept): subscriptionType "deal.propertyChange", or "object.propertyChange" with
// objectTypeId "0-3" (deals). Other subscriptions (deal.creation carries no stage), other properties and, when
// b.ExternalID is set, other portals' events yield nothing, and a batch
// of nothing but those yields no events and no error. A body that is not a JSON array of objects, or a stage
// change without eventId or objectId, is glassbox.ErrMalformed.
//
// The event id is "hubspot:{eventId}:{objectId}:{new stage}": HubSpot documents eventId as not guaranteed
// unique, and a collision would drop a real change as a duplicate; a retry repeats all three, so it is still
// deduplicated. HubSpot sends no previous stage and no deal name: PrevStageID and
// Title stay empty.
func (Provider) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	var batch []event
	if err := json.Unmarshal(d.Body, &batch); err != nil {
		return nil, fmt.Errorf("hubspot: decode body: %v: %w", err, glassbox.ErrMalformed)
	}
	if batch == nil {
		return nil, fmt.Errorf("hubspot: body is null, not an array of events: %w", glassbox.ErrMalformed)
	}
	var out []glassbox.Event
	for i, ev := range batch {
		if !isDealStageChange(ev) {
			continue
		}
		if b.ExternalID != "" && ev.PortalID.String() != b.ExternalID {
			continue
		}
		if !isID(ev.EventID) || !isID(ev.ObjectID) {
			return nil, fmt.Errorf("hubspot: event %d (%s) has no eventId or objectId: %w", i, ev.SubscriptionType,
				glassbox.ErrMalformed)
		}
		dealID := ev.ObjectID.String()
		providerID := ev.EventID.String() + ":" + dealID + ":" + ev.PropertyValue
		e := glassbox.Event{
			ID:              glassbox.EventID(Name, providerID),
			BindingID:       b.ID,
			Provider:        Name,
			ProviderEventID: providerID,
			Kind:            glassbox.EventDealStageChanged,
			ProviderType:    ev.SubscriptionType,
			ReceivedAt:      d.ReceivedAt.UTC(),
			Deal: &glassbox.DealChange{
				ID:      dealID,
				StageID: ev.PropertyValue,
				Won:     ev.PropertyValue == StageClosedWon,
			},
		}
		if ms, err := ev.OccurredAt.Int64(); err == nil && ms > 0 && ms < maxMillis {
			e.OccurredAt = time.UnixMilli(ms).UTC()
		}
		if isID(ev.PortalID) {
			e.URL = "https://app.hubspot.com/contacts/" + ev.PortalID.String() + "/deal/" + dealID
		}
		out = append(out, e)
	}
	return out, nil
}

// maxMillis is the start of year 10000: later times do not survive JSON, so occurredAt beyond it is ignored.
var maxMillis = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

func isDealStageChange(ev event) bool {
	if ev.PropertyName != StageProperty {
		return false
	}
	switch ev.SubscriptionType {
	case "deal.propertyChange":
		return true
	case "object.propertyChange":
		return ev.ObjectTypeID == dealObjectTypeID
	}
	return false
}

// isID says whether n is a positive decimal integer, as HubSpot's ids are (not 1e3, -1 or 1.5).
func isID(n json.Number) bool {
	s := n.String()
	if s == "" || len(s) > 19 || s[0] == '0' {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
