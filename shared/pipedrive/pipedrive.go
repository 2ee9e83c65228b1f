// Package pipedrive verifies and parses Pipedrive webhook deliveries into provider-neutral deal events.
//
// Pipedrive signs nothing; a webhook is created with HTTP Basic credentials that it sends with every call, and
// those are what Verify checks. Both webhook versions are understood: v2 ("meta.version": "2.0", the current
// deal in "data" and only the changed fields in "previous") and v1 ("meta.v": 1, full "current" and "previous"
// objects). Only a stage change or a deal becoming won becomes an event (see Parse); everything else is
// acknowledged and dropped.
package pipedrive

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Name is the provider's name in hook URLs and bindings.
const Name = "pipedrive"

// StatusWon is a won deal's status.
const StatusWon = "won"

// Provider verifies and parses Pipedrive deliveries.
type Provider struct{}

// New returns the Pipedrive provider.
func New() Provider { return Provider{} }

// Info declares the provider to the registry.
func (Provider) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderCRM}
}

// Verify checks the request's HTTP Basic credentials against secret, which is "user:password" as entered in the
// webhook's http_auth_user and http_auth_password. An empty secret accepts nothing.
func (Provider) Verify(d glassbox.Delivery, secret string) error {
	if secret == "" {
		return fmt.Errorf("pipedrive: binding has no credentials to check: %w", glassbox.ErrBadSignature)
	}
	scheme, cred, ok := strings.Cut(strings.TrimSpace(d.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return fmt.Errorf("pipedrive: no Basic Authorization header: %w", glassbox.ErrBadSignature)
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return fmt.Errorf("pipedrive: Authorization credentials are not base64: %w", glassbox.ErrBadSignature)
	}
	// Hashing first makes the comparison take the same time whatever the lengths.
	g, w := sha256.Sum256(got), sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(g[:], w[:]) != 1 {
		return fmt.Errorf("pipedrive: wrong Basic credentials: %w", glassbox.ErrBadSignature)
	}
	return nil
}

// Numbers (ids, value, timestamps) are kept as their JSON text, so ids and amounts never pass through float64.
// json.Number also takes a quoted number and leaves null as "".

type meta struct {
	// v2
	Version  string      `json:"version"`
	Entity   string      `json:"entity"`
	EntityID json.Number `json:"entity_id"`
	// v1
	V              json.Number `json:"v"`
	Object         string      `json:"object"`
	TimestampMicro json.Number `json:"timestamp_micro"`
	// both; id is a uuid in v2 and the object's id in v1, timestamp RFC 3339 in v2 and Unix seconds in v1.
	Action    string          `json:"action"`
	ID        json.RawMessage `json:"id"`
	CompanyID json.Number     `json:"company_id"`
	Host      string          `json:"host"`
	Timestamp json.RawMessage `json:"timestamp"`
}

type deal struct {
	ID         json.Number `json:"id"`
	Title      string      `json:"title"`
	StageID    json.Number `json:"stage_id"`
	PipelineID json.Number `json:"pipeline_id"`
	Value      json.Number `json:"value"`
	Currency   string      `json:"currency"`
	Status     *string     `json:"status"`
}

type payload struct {
	Meta     *meta       `json:"meta"`
	V        json.Number `json:"v"`
	Data     *deal       `json:"data"`
	Current  *deal       `json:"current"`
	Previous *deal       `json:"previous"`
}

// Parse turns a delivery into at most one deal_stage_changed event for binding b: a v2 "change" (or "create")
// or v1 "updated" (or "added") of a deal whose stage changed (previous.stage_id present and different) or that
// became won (status "won", previous.status present and not "won"); which project the deal belongs to is
// decided at ingest, by glassbox.Binding.Accept. Other changes, other entities, deletions and, when
// b.ExternalID is set, other companies' deliveries yield no events
// and no error. A body that is not JSON, has no meta, or is of neither version is glassbox.ErrMalformed.
//
// The event id is "pipedrive:{meta.id}" for v2 (a uuid per event, which a retry carries again) and
// "pipedrive:{meta.id}:{meta.timestamp_micro}" for v1, whose meta.id is the deal's id (Unix seconds when
// timestamp_micro is missing). Deal.PrevStageID is set only when the stage changed. An amount that is not a
// decimal with at most two places is left out rather than refusing the delivery.
func (Provider) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	var p payload
	if err := json.Unmarshal(d.Body, &p); err != nil {
		return nil, fmt.Errorf("pipedrive: decode body: %v: %w", err, glassbox.ErrMalformed)
	}
	m := p.Meta
	if m == nil {
		return nil, fmt.Errorf("pipedrive: body has no meta: %w", glassbox.ErrMalformed)
	}
	var (
		v2              bool
		entity, action  string
		current, before *deal
	)
	switch {
	case strings.HasPrefix(m.Version, "2"):
		v2, entity, action, current, before = true, m.Entity, m.Action, p.Data, p.Previous
	case m.V == "1" || p.V == "1":
		entity, action, current, before = m.Object, m.Action, p.Current, p.Previous
	default:
		return nil, fmt.Errorf("pipedrive: meta has neither version 2.0 nor v 1: %w", glassbox.ErrMalformed)
	}
	if entity != "deal" || current == nil || before == nil {
		return nil, nil
	}
	switch action {
	case "change", "create", "updated", "added":
	default:
		return nil, nil
	}
	if b.ExternalID != "" && m.CompanyID.String() != b.ExternalID {
		return nil, nil
	}
	stageChanged := before.StageID != "" && before.StageID != current.StageID
	becameWon := current.status() == StatusWon && before.Status != nil && *before.Status != StatusWon
	if !stageChanged && !becameWon {
		return nil, nil
	}

	dealID := current.ID
	if dealID == "" {
		dealID = m.EntityID
	}
	if !isID(dealID) {
		return nil, fmt.Errorf("pipedrive: %s %s has no deal id: %w", action, entity, glassbox.ErrMalformed)
	}
	occurred, err := timestamp(m)
	if err == nil && !occurred.IsZero() && (occurred.Year() < 1970 || occurred.Year() > 9999) {
		err = fmt.Errorf("meta.timestamp %v is out of range", occurred)
	}
	if err != nil {
		return nil, fmt.Errorf("pipedrive: deal %s: %v: %w", dealID, err, glassbox.ErrMalformed)
	}
	eventID, err := providerEventID(m, v2)
	if err != nil {
		return nil, fmt.Errorf("pipedrive: deal %s: %v: %w", dealID, err, glassbox.ErrMalformed)
	}

	change := &glassbox.DealChange{
		ID:         dealID.String(),
		Name:       current.Title,
		StageID:    current.StageID.String(),
		PipelineID: current.PipelineID.String(),
		Currency:   current.Currency,
		Won:        current.status() == StatusWon,
	}
	if stageChanged {
		change.PrevStageID = before.StageID.String()
	}
	if current.Value != "" {
		if amount, err := glassbox.ParseMinor(current.Value.String()); err == nil {
			change.Amount = amount
		}
	}
	e := glassbox.Event{
		ID:              glassbox.EventID(Name, eventID),
		BindingID:       b.ID,
		Provider:        Name,
		ProviderEventID: eventID,
		Kind:            glassbox.EventDealStageChanged,
		ProviderType:    action + "." + entity,
		Title:           current.Title,
		OccurredAt:      occurred,
		ReceivedAt:      d.ReceivedAt.UTC(),
		Deal:            change,
	}
	if isHost(m.Host) {
		e.URL = "https://" + m.Host + "/deal/" + dealID.String()
	}
	return []glassbox.Event{e}, nil
}

func (d *deal) status() string {
	if d.Status == nil {
		return ""
	}
	return *d.Status
}

// providerEventID is v2's meta.id (a uuid), or v1's "{meta.id}:{timestamp_micro or timestamp}".
func providerEventID(m *meta, v2 bool) (string, error) {
	var id string
	if err := json.Unmarshal(m.ID, &id); err != nil {
		var n json.Number
		if err := json.Unmarshal(m.ID, &n); err != nil || !isID(n) {
			return "", fmt.Errorf("meta.id %s is neither a string nor an id", m.ID)
		}
		id = n.String()
	}
	if id == "" || strings.ContainsAny(id, " \t\r\n") {
		return "", fmt.Errorf("meta.id %q is empty or has spaces", id)
	}
	if v2 {
		return id, nil
	}
	at := m.TimestampMicro
	if at == "" {
		if err := json.Unmarshal(m.Timestamp, &at); err != nil {
			at = ""
		}
	}
	if !isID(at) {
		return "", fmt.Errorf("v1 meta has no timestamp_micro or timestamp")
	}
	return id + ":" + at.String(), nil
}

// timestamp reads meta.timestamp: RFC 3339 in v2, Unix seconds in v1 (timestamp_micro when present). Zero when
// there is none.
func timestamp(m *meta) (time.Time, error) {
	if us, err := strconv.ParseInt(m.TimestampMicro.String(), 10, 64); err == nil && us > 0 {
		return time.UnixMicro(us).UTC(), nil
	}
	raw := strings.TrimSpace(string(m.Timestamp))
	if raw == "" || raw == "null" {
		return time.Time{}, nil
	}
	var s string
	if err := json.Unmarshal(m.Timestamp, &s); err == nil {
		if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(sec, 0).UTC(), nil
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("meta.timestamp %q is not RFC 3339", s)
		}
		return t.UTC(), nil
	}
	sec, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("meta.timestamp %s is not a time", raw)
	}
	return time.Unix(sec, 0).UTC(), nil
}

// isID says whether n is a positive decimal integer, as Pipedrive's ids are.
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

// isHost accepts a plain host name ("acme.pipedrive.com"), so the deal link built from the body cannot point
// at a path, a user or a port.
func isHost(h string) bool {
	if h == "" || len(h) > 253 || strings.HasPrefix(h, ".") || strings.HasPrefix(h, "-") {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return strings.Contains(h, ".")
}
