// Package generichook verifies and parses Glassbox's own signed webhook (provider "hook"): one JSON status report
// per task, which any system can send through a bridge (Albato, Make, Zapier, n8n, Yandex Tracker triggers) or
// a shell script. docs/generic-hook.md is the format's reference.
package generichook

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/hmachex"
)

// Name is the provider's name in hook URLs and bindings.
const Name = "hook"

// The headers a caller signs a report with.
const (
	// TimestampHeader is the time the report was sent, in Unix seconds.
	TimestampHeader = "X-Glassbox-Timestamp"
	// SignatureHeader is "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)).
	SignatureHeader = "X-Glassbox-Signature"
)

// MaxSkew is how far a report's timestamp may be from when it is received, either way: a captured report cannot
// be replayed later, and a caller's clock may be a little off.
const MaxSkew = 5 * time.Minute

// maxIDLen bounds event_id and task_id, which become keys.
const maxIDLen = 200

// Provider verifies and parses generic hook reports.
type Provider struct{}

// New returns the generic hook provider.
func New() Provider { return Provider{} }

// Info declares the provider to the registry.
func (Provider) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderTracker}
}

// Sign computes the X-Glassbox-Signature value of a body sent at Unix time ts (seconds).
func Sign(secret string, ts int64, body []byte) string {
	return hmachex.Prefix + hmachex.Sign(secret, []byte(strconv.FormatInt(ts, 10)), []byte("."), body)
}

// Verify checks X-Glassbox-Signature over X-Glassbox-Timestamp and the raw body, and that the timestamp is within
// MaxSkew of d.ReceivedAt.
func (Provider) Verify(d glassbox.Delivery, secret string) error {
	return VerifySigned(Name, d, secret)
}

// VerifySigned is the check of Glassbox's own signing scheme, which the generic hook and the metrics hook
// (shared/metrics) share: X-Glassbox-Signature is "sha256=" + hex(HMAC-SHA256(secret, timestamp "." body)) with
// the timestamp from X-Glassbox-Timestamp, which must be within MaxSkew of d.ReceivedAt. Errors start with
// provider and wrap glassbox.ErrBadSignature.
func VerifySigned(provider string, d glassbox.Delivery, secret string) error {
	rawTS, got := d.Header.Get(TimestampHeader), d.Header.Get(SignatureHeader)
	if rawTS == "" || got == "" {
		return fmt.Errorf("%s: %s and %s are required: %w", provider, TimestampHeader, SignatureHeader, glassbox.ErrBadSignature)
	}
	ts, err := strconv.ParseInt(rawTS, 10, 64)
	if err != nil {
		return fmt.Errorf("%s: %s is not Unix seconds: %w", provider, TimestampHeader, glassbox.ErrBadSignature)
	}
	hexSig, ok := strings.CutPrefix(got, hmachex.Prefix)
	if !ok {
		return fmt.Errorf("%s: %s is not sha256=<hex>: %w", provider, SignatureHeader, glassbox.ErrBadSignature)
	}
	switch err := hmachex.Check(hexSig, secret, []byte(rawTS), []byte("."), d.Body); {
	case errors.Is(err, hmachex.ErrNotHex):
		return fmt.Errorf("%s: %s is not hex: %w", provider, SignatureHeader, glassbox.ErrBadSignature)
	case err != nil:
		return fmt.Errorf("%s: signature does not match timestamp and body: %w", provider, glassbox.ErrBadSignature)
	}
	sent := time.Unix(ts, 0)
	if skew := d.ReceivedAt.Sub(sent); skew > MaxSkew || skew < -MaxSkew {
		return fmt.Errorf("%s: %s is %s from the time received, over %s (sign each request when it is sent): %w",
			provider, TimestampHeader, skew.Round(time.Second), MaxSkew, glassbox.ErrBadSignature)
	}
	return nil
}

// Report is the JSON body of a delivery: one task's status, as the calling system names it.
type Report struct {
	// EventID identifies the report among the binding's: a report sent again with the same id is stored once.
	EventID string `json:"event_id"`
	TaskID  string `json:"task_id"`
	Title   string `json:"title"`
	// Status is the caller's own name for the task's state, mapped through the binding's status_map.
	Status string `json:"status"`
	// URL opens the task in the calling system.
	URL string `json:"url"`
	// Project, when given, is the calling system's project: a binding whose external_id names another takes
	// nothing from the report.
	Project string `json:"project,omitempty"`
	// Actor is who changed the task.
	Actor string `json:"actor,omitempty"`
	// OccurredAt is when the task changed, RFC 3339.
	OccurredAt string `json:"occurred_at"`
	// Due, when the report has it, is the task's due date: an RFC 3339 time, or a date (2026-12-04) that ends
	// at the end of that day in the project's zone; null or "" says the task has none. A report without it says
	// nothing about the due date.
	Due json.RawMessage `json:"due,omitempty"`
	// Reason, when given, is why the task is in its status (blocked, paused, waiting on the client, not
	// started, added this week): the weekly digest shows it. It is text, folded to one line and bounded
	// (glassbox.BoundNote); a reason marker ("Причина:") in front of it is left out.
	Reason string `json:"reason,omitempty"`
}

// due is the report's due date: whether it has the field, and its value ("" for none).
func (r Report) due() (string, bool, error) {
	if len(r.Due) == 0 {
		return "", false, nil
	}
	var s *string
	if err := json.Unmarshal(r.Due, &s); err != nil {
		return "", true, fmt.Errorf("due %s is not a string", clip(string(r.Due)))
	}
	if s == nil {
		return "", true, nil
	}
	return strings.TrimSpace(*s), true, nil
}

// Parse turns a report into one task_moved event for binding b: the task is now in Status, and, when the report
// has due, its due date is that (glassbox.Event.SetDue, as every tracker's). The report does not
// say the status before, so React takes the task's stored status as the one left: a task reported done twice
// (under two event ids) tells the client once. A report about another project than b's external_id yields no
// event. A body that is not a Report with every required field (event_id, task_id, title, status, an http(s)
// url, occurred_at in RFC 3339; due, if given, a time, a date, "" or null) is glassbox.ErrMalformed, with a message that says what is wrong.
func (Provider) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	var r Report
	if err := json.Unmarshal(d.Body, &r); err != nil {
		return nil, fmt.Errorf("hook: the body is not a JSON report: %v: %w", err, glassbox.ErrMalformed)
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("hook: %v: %w", err, glassbox.ErrMalformed)
	}
	if r.Project != "" && !b.Takes(r.Project) {
		return nil, nil
	}
	at, _ := time.Parse(time.RFC3339, r.OccurredAt)
	e := glassbox.Event{
		// Callers choose event ids, so two systems may both send "1": ids are the binding's own.
		ID:              glassbox.EventID(Name, b.ID+":"+r.EventID),
		BindingID:       b.ID,
		Provider:        Name,
		ProviderEventID: r.EventID,
		ProviderType:    "status",
		Kind:            glassbox.EventTaskMoved,
		TaskID:          r.TaskID,
		Title:           r.Title,
		URL:             r.URL,
		ListName:        r.Status,
		Status:          Status(b, r.Status),
		Actor:           r.Actor,
		OccurredAt:      at.UTC(),
		ReceivedAt:      d.ReceivedAt.UTC(),
	}
	if due, ok, _ := r.due(); ok {
		_ = e.SetDue(due) // check read it already
	}
	e.Note = reason(b, r.Reason)
	return []glassbox.Event{e}, nil
}

// reason is a report's reason as a task's Note: the text after a reason marker when it has one, else the whole
// text, on one line and bounded.
func reason(b glassbox.Binding, text string) string {
	if note, ok := b.NoteOf(text); ok {
		return note
	}
	return glassbox.BoundNote(text)
}

// check says what a report lacks, in the schema's field names.
func (r Report) check() error {
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"event_id", r.EventID}, {"task_id", r.TaskID}, {"title", r.Title}, {"status", r.Status},
		{"url", r.URL}, {"occurred_at", r.OccurredAt},
	} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	if len(r.EventID) > maxIDLen || len(r.TaskID) > maxIDLen {
		return fmt.Errorf("event_id and task_id must be at most %d bytes", maxIDLen)
	}
	if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("url %q is not an http(s) URL", clip(r.URL))
	}
	if _, err := time.Parse(time.RFC3339, r.OccurredAt); err != nil {
		return fmt.Errorf("occurred_at %q is not an RFC 3339 time like 2026-12-01T10:00:00Z", clip(r.OccurredAt))
	}
	due, _, err := r.due()
	if err != nil {
		return err
	}
	var e glassbox.Event
	if e.SetDue(due) != nil {
		return fmt.Errorf("due %q is neither an RFC 3339 time like 2026-12-04T18:00:00+03:00 nor a date like 2026-12-04", clip(due))
	}
	return nil
}

// Status is the one place a reported status becomes a Glassbox status: the binding's status_map (by name,
// ignoring case) wins; a name that is one of Glassbox's own statuses (glassbox.Statuses: todo, in_progress,
// review, done, blocked, waiting, paused, cancelled) means that status; any other has none.
func Status(b glassbox.Binding, name string) glassbox.TaskStatus {
	if s := b.StatusOf("", name); s != glassbox.StatusUnknown {
		return s
	}
	for _, s := range glassbox.Statuses {
		if strings.EqualFold(string(s), name) {
			return s
		}
	}
	return glassbox.StatusUnknown
}

func clip(s string) string {
	if len(s) > 80 {
		return strings.ToValidUTF8(s[:80], "") + "…"
	}
	return s
}
