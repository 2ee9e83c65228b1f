// Package asana verifies and parses Asana webhook deliveries into provider-neutral task events, and reads the
// task back through Asana's REST API (ReadBack), because Asana's events are compact: they say what changed,
// not the task's name, section or link.
//
// An Asana webhook is made with POST /webhooks; while that request is in flight Asana POSTs to the target with
// an X-Hook-Secret header and no body worth reading, and the webhook exists only if the answer echoes the
// header (Handshake). That secret then signs every delivery: X-Hook-Signature is the lowercase hex
// HMAC-SHA256 of the raw body, heartbeats ({"events":[]}) included.
package asana

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/hmachex"
)

// Name is the provider's name in hook URLs and bindings.
const Name = "asana"

// Headers of Asana's webhooks.
const (
	// SecretHeader carries the secret in the subscription handshake; the answer must echo it.
	SecretHeader = "X-Hook-Secret"
	// SignatureHeader carries lowercase hex HMAC-SHA256(secret, body) on every delivery.
	SignatureHeader = "X-Hook-Signature"
)

// CompletedKey is the name a status map may give Asana's own "done" notion, the task's completed checkmark:
// status_map: {review: [completed]} says a completed task awaits review. Without it a completed task is done,
// whatever section it is in; see StatusOf.
const CompletedKey = "completed"

// maxSecretLen bounds the handshake secret Glassbox keeps (Asana's are 64 hex characters).
const maxSecretLen = 512

// Provider verifies and parses Asana deliveries, and reads tasks back.
type Provider struct {
	// HTTP reads tasks back (ReadBack); nil means a client with a 10 s timeout.
	HTTP *http.Client
}

// New returns the Asana provider.
func New() Provider { return Provider{HTTP: &http.Client{Timeout: DefaultTimeout}} }

// Info declares the provider to the registry: a tracker whose events are read back through its API (bindings
// name api_param, a personal access token), and whose webhook secret is handed over by the handshake (nothing
// for the admin to set under secret_param).
func (Provider) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderTracker, ReadsBack: true, SecretFromHandshake: true}
}

// Handshake answers Asana's subscription check: a POST carrying X-Hook-Secret and no X-Hook-Signature. The
// answer echoes the secret, and ingest keeps it under the binding's secret_param. A secret that is empty, too
// long or not printable ASCII is no handshake (the delivery then fails its signature check).
func (Provider) Handshake(d glassbox.Delivery) (glassbox.Handshake, bool) {
	secret := d.Header.Get(SecretHeader)
	if d.Method != http.MethodPost || d.Header.Get(SignatureHeader) != "" || !printable(secret) {
		return glassbox.Handshake{}, false
	}
	return glassbox.Handshake{Header: map[string]string{SecretHeader: secret}, Secret: secret}, true
}

func printable(s string) bool {
	if s == "" || len(s) > maxSecretLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Sign computes the X-Hook-Signature of a body for a secret.
func Sign(secret string, body []byte) string {
	return hmachex.Sign(secret, body)
}

// Verify checks X-Hook-Signature against the raw body and the secret kept from the handshake.
func (Provider) Verify(d glassbox.Delivery, secret string) error {
	got := d.Header.Get(SignatureHeader)
	if got == "" {
		return fmt.Errorf("asana: missing %s header: %w", SignatureHeader, glassbox.ErrBadSignature)
	}
	err := hmachex.Check(got, secret, d.Body)
	switch {
	case errors.Is(err, hmachex.ErrNotHex):
		return fmt.Errorf("asana: %s is not hex: %w", SignatureHeader, glassbox.ErrBadSignature)
	case secret == "":
		return fmt.Errorf("asana: no secret kept for this binding: %w", glassbox.ErrBadSignature)
	case err != nil:
		return fmt.Errorf("asana: signature does not match the body: %w", glassbox.ErrBadSignature)
	}
	return nil
}

// ref is a compact Asana resource.
type ref struct {
	GID             string `json:"gid"`
	ResourceType    string `json:"resource_type"`
	ResourceSubtype string `json:"resource_subtype"`
}

// event is one of a delivery's compact events.
type event struct {
	User      *ref   `json:"user"`
	CreatedAt string `json:"created_at"`
	Action    string `json:"action"`
	Resource  *ref   `json:"resource"`
	Parent    *ref   `json:"parent"`
	Change    *struct {
		Field  string `json:"field"`
		Action string `json:"action"`
	} `json:"change"`
}

type payload struct {
	Events *[]event `json:"events"`
}

// Parse turns a delivery's events into task events for binding b, one per event that can change what a client
// or manager is told:
//   - a task added to a project → task_created;
//   - a task added to a section (a board column) → task_moved;
//   - a task's completed field changed → task_moved (the checkmark is Asana's own "done");
//   - a task's name or due date (due_on, due_at) changed → task_updated.
//
// Each carries the task's gid only (and the section's gid for a move): React reads the task back (ReadBack)
// for its name, link, section, status and due date. A comment story on a task → task_noted, its text read back
// (see parseComment). Other stories (the section_changed story that accompanies a move), removals, deletions,
// subtask and other resources give no event; a heartbeat ({"events":[]}) gives none. A body that is not
// {"events":[...]}, or a task or comment event without a gid or a created_at time, is glassbox.ErrMalformed.
//
// Asana has no event id: an event's provider id is the task's gid and a hash of (resource gid, action, parent
// gid, change field, created_at), so a redelivery is the same event.
func (Provider) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	var p payload
	if err := json.Unmarshal(d.Body, &p); err != nil {
		return nil, fmt.Errorf("asana: decode body: %v: %w", err, glassbox.ErrMalformed)
	}
	if p.Events == nil {
		return nil, fmt.Errorf("asana: body has no events array: %w", glassbox.ErrMalformed)
	}
	var out []glassbox.Event
	for i, ev := range *p.Events {
		e, ok, err := parseEvent(ev, d, b)
		if err != nil {
			return nil, fmt.Errorf("asana: event %d: %w", i, err)
		}
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}

func parseEvent(ev event, d glassbox.Delivery, b glassbox.Binding) (glassbox.Event, bool, error) {
	r := ev.Resource
	if r != nil && r.ResourceType == "story" && r.ResourceSubtype == "comment_added" && ev.Action == "added" {
		return parseComment(ev, d, b)
	}
	if r == nil || r.ResourceType != "task" || r.ResourceSubtype == "section" {
		return glassbox.Event{}, false, nil
	}
	var parent ref
	if ev.Parent != nil {
		parent = *ev.Parent
	}
	var field string
	if ev.Change != nil {
		field = ev.Change.Field
	}
	var kind glassbox.EventKind
	switch {
	case ev.Action == "added" && parent.ResourceType == "project":
		kind = glassbox.EventTaskCreated
	case ev.Action == "added" && parent.ResourceType == "section":
		kind = glassbox.EventTaskMoved
	case ev.Action == "changed" && field == "completed":
		kind = glassbox.EventTaskMoved
	case ev.Action == "changed" && (field == "name" || field == "due_on" || field == "due_at"):
		kind = glassbox.EventTaskUpdated
	default:
		return glassbox.Event{}, false, nil
	}
	if !isGID(r.GID) {
		return glassbox.Event{}, false, fmt.Errorf("task %s has no gid: %w", ev.Action, glassbox.ErrMalformed)
	}
	at, err := time.Parse(time.RFC3339Nano, ev.CreatedAt)
	if err != nil {
		return glassbox.Event{}, false, fmt.Errorf("task %s: created_at %q is not a time: %w", r.GID, clipText(ev.CreatedAt, 40), glassbox.ErrMalformed)
	}
	id := eventID(r.GID, ev.Action, parent.GID, field, ev.CreatedAt)
	providerType := ev.Action + ":" + parent.ResourceType
	if ev.Action == "changed" {
		providerType = "changed:" + field
	}
	e := glassbox.Event{
		ID:              glassbox.EventID(Name, id),
		BindingID:       b.ID,
		Provider:        Name,
		ProviderEventID: id,
		Kind:            kind,
		ProviderType:    providerType,
		TaskID:          r.GID,
		URL:             TaskURL(r.GID),
		OccurredAt:      at.UTC(),
		ReceivedAt:      d.ReceivedAt.UTC(),
	}
	if parent.ResourceType == "section" && isGID(parent.GID) {
		e.ListID = parent.GID
		e.Status = b.StatusOf(parent.GID, "")
	}
	return e, true, nil
}

// parseComment makes a comment story on a task a task_noted event without its Note: Asana's events are compact
// and do not carry the text. ReadBack reads the story (GET /stories/{gid}) and takes its text through the
// binding's reason markers; a comment without one is then dropped by React. The story's gid is the event's
// provider id, so a redelivery is the same event.
func parseComment(ev event, d glassbox.Delivery, b glassbox.Binding) (glassbox.Event, bool, error) {
	if ev.Parent == nil || ev.Parent.ResourceType != "task" {
		return glassbox.Event{}, false, nil // a comment on a project status, a goal, ...
	}
	if !isGID(ev.Resource.GID) || !isGID(ev.Parent.GID) {
		return glassbox.Event{}, false, fmt.Errorf("comment story has no story or task gid: %w", glassbox.ErrMalformed)
	}
	at, err := time.Parse(time.RFC3339Nano, ev.CreatedAt)
	if err != nil {
		return glassbox.Event{}, false, fmt.Errorf("story %s: created_at %q is not a time: %w", ev.Resource.GID, clipText(ev.CreatedAt, 40), glassbox.ErrMalformed)
	}
	return glassbox.Event{
		ID:              glassbox.EventID(Name, ev.Resource.GID),
		BindingID:       b.ID,
		Provider:        Name,
		ProviderEventID: ev.Resource.GID,
		Kind:            glassbox.EventTaskNoted,
		ProviderType:    "added:comment_added",
		TaskID:          ev.Parent.GID,
		URL:             TaskURL(ev.Parent.GID),
		OccurredAt:      at.UTC(),
		ReceivedAt:      d.ReceivedAt.UTC(),
	}, true, nil
}

// eventID composes the id Asana does not give: the task's gid, and a hash of what makes the event this one.
func eventID(resource, action, parent, field, createdAt string) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{resource, action, parent, field, createdAt}, "\x00")))
	return resource + ":" + hex.EncodeToString(sum[:12])
}

// TaskURL is a link that opens a task by its gid, until the read-back gives its permalink_url.
func TaskURL(gid string) string { return "https://app.asana.com/0/0/" + gid }

// isGID accepts Asana's global ids: decimal digits.
func isGID(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
