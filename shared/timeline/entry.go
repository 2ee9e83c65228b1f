// Package timeline is a project's timeline the agency cannot rewrite: every accepted event and every message
// sent is an entry whose leaf hash commits to its canonical content; seals chain Merkle trees over the entries
// so one hash commits to the whole history; Verify recomputes all of it; Export writes what a standalone check
// needs (docs/timeline.md).
package timeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Entry kinds: the prefix of an entry's id.
const (
	KindEvent   = "event"
	KindMessage = "message"
	// KindFeedback: a client's approval decision or rating (glassbox.Feedback).
	KindFeedback = "feedback"
)

// Entry is one line of a project's timeline.
type Entry struct {
	// ID is "event:{event id}", "message:{message id}" or "feedback:{feedback id}".
	ID   string
	Kind string
	// At is the entry's arrival: when Glassbox accepted the event (ReceivedAt), when the message was sent
	// (SentAt), when the feedback was recorded (At). Entries are in (At, ID) order within a seal.
	At time.Time
	// Data is the canonical JSON the leaf hash is over (canonicalEvent, canonicalMessage).
	Data []byte
	Leaf Hash
	// Event, Message or Feedback is what the entry is, for showing it.
	Event    *glassbox.Event
	Message  *glassbox.Message
	Feedback *glassbox.Feedback
}

// EventEntry is an accepted event's entry.
func EventEntry(e glassbox.Event) (Entry, error) {
	data, err := canonicalEvent(e)
	if err != nil {
		return Entry{}, fmt.Errorf("timeline: event %s: %w", e.ID, err)
	}
	return Entry{ID: KindEvent + ":" + e.ID, Kind: KindEvent, At: e.ReceivedAt.UTC(), Data: data, Leaf: LeafHash(data), Event: &e}, nil
}

// MessageEntry is a sent message's entry. A message never sent (held, dropped, batched into another, failed
// before sending) is not on the timeline: callers pass only messages with SentAt.
func MessageEntry(m glassbox.Message) (Entry, error) {
	data, err := canonicalMessage(m)
	if err != nil {
		return Entry{}, fmt.Errorf("timeline: message %s: %w", m.ID, err)
	}
	return Entry{ID: KindMessage + ":" + m.ID, Kind: KindMessage, At: m.SentAt.UTC(), Data: data, Leaf: LeafHash(data), Message: &m}, nil
}

// FeedbackEntry is a client's feedback item's entry: an approval decision or a rating, as recorded.
func FeedbackEntry(f glassbox.Feedback) (Entry, error) {
	f.At = f.At.UTC()
	data, err := canonicalJSON(KindFeedback, f)
	if err != nil {
		return Entry{}, fmt.Errorf("timeline: feedback %s: %w", f.ID, err)
	}
	return Entry{ID: KindFeedback + ":" + f.ID, Kind: KindFeedback, At: f.At, Data: data, Leaf: LeafHash(data), Feedback: &f}, nil
}

// canonicalEvent is the event's JSON as glassbox.Event encodes it, every time in UTC, without the store's own
// bookkeeping (sweepAttempts, sweepAfter: a failed sweep postpones an event and is no change to what
// happened), plus "entry": "event", re-encoded by canonicalJSON. Every other stored field is in it, so
// changing any of them changes the leaf.
func canonicalEvent(e glassbox.Event) ([]byte, error) {
	e.OccurredAt, e.ReceivedAt, e.Due = e.OccurredAt.UTC(), e.ReceivedAt.UTC(), e.Due.UTC()
	return canonicalJSON(KindEvent, e, "sweepAttempts", "sweepAfter")
}

// canonicalMessage is what was sent and when: the message's JSON without what changes after sending (state,
// claimToken, claimedAt, failure, failedAt, hold: a bounce or a batching is no change to what was sent), with
// text, html and images replaced by their SHA-256 (textSha256, htmlSha256, imagesSha256: the timeline commits to
// the body without carrying it), plus "entry": "message".
func canonicalMessage(m glassbox.Message) ([]byte, error) {
	m.SentAt = m.SentAt.UTC()
	m.Channel = m.ChannelOrEmail()
	var images []byte
	for _, im := range m.Images {
		images = fmt.Appendf(images, "%s\x00%s\x00%x\x00", im.ContentID, im.ContentType, sha256.Sum256(im.Data))
	}
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	extra := map[string]any{"textSha256": sum([]byte(m.Text)), "htmlSha256": sum([]byte(m.HTML))}
	if len(m.Images) > 0 {
		extra["imagesSha256"] = sum(images)
	}
	return canonicalJSONWith(KindMessage, m, extra,
		"state", "claimToken", "claimedAt", "failure", "failedAt", "hold", "text", "html", "images")
}

func canonicalJSON(kind string, v any, drop ...string) ([]byte, error) {
	return canonicalJSONWith(kind, v, nil, drop...)
}

// canonicalJSONWith encodes v as JSON, decodes it into maps (numbers kept as written), drops the named keys,
// adds extra and "entry": kind, and encodes it again: object keys sorted at every level, no insignificant
// space, no HTML escaping, UTF-8. The same content always gives the same bytes.
func canonicalJSONWith(kind string, v any, extra map[string]any, drop ...string) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	for _, k := range drop {
		delete(m, k)
	}
	for k, x := range extra {
		m[k] = x
	}
	m["entry"] = kind
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), nil
}

// Entries is what the timeline reads of a project's history: its events by when they occurred, its messages
// by when they were claimed for sending, its feedback by when it was recorded.
type Entries interface {
	EventsBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Event, error)
	MessagesBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Message, error)
	FeedbackBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Feedback, error)
}

// Reader is what verifying and showing the timeline read: the whole history and the whole chain.
type Reader interface {
	Entries
	Seals(ctx context.Context, projectID string) ([]glassbox.Seal, error)
}

// allTime is wider than any stored time.
var allTimeFrom, allTimeTo = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// stored lists every entry of a project as stored now, in (At, ID) order: every event, every message that
// was sent, every feedback item. It reads the project's whole history (two index queries, a page per MB).
func stored(ctx context.Context, r Entries, projectID string) ([]Entry, error) {
	return arrivedAfter(ctx, r, projectID, time.Time{})
}

// arrivedAfter lists the entries of a project that arrived after since (every entry when since is zero), in
// (At, ID) order. It reads events that occurred after since and messages claimed after since − SentWithinClaim
// (a message is sent within its claim) and feedback recorded after since, and keeps those that arrived after since: the reads cover the window
// since..now, not the history before it. An event that arrived after since but occurred before it is not
// read: it arrived more than the look-back after it happened (Sealer.Seal says what becomes of it).
func arrivedAfter(ctx context.Context, r Entries, projectID string, since time.Time) ([]Entry, error) {
	evFrom, msgFrom := allTimeFrom, allTimeFrom
	if !since.IsZero() {
		evFrom, msgFrom = since, since.Add(-SentWithinClaim)
	}
	evs, err := r.EventsBetween(ctx, projectID, evFrom, allTimeTo)
	if err != nil {
		return nil, fmt.Errorf("timeline: events of %s: %w", projectID, err)
	}
	msgs, err := r.MessagesBetween(ctx, projectID, msgFrom, allTimeTo)
	if err != nil {
		return nil, fmt.Errorf("timeline: messages of %s: %w", projectID, err)
	}
	fbs, err := r.FeedbackBetween(ctx, projectID, evFrom, allTimeTo)
	if err != nil {
		return nil, fmt.Errorf("timeline: feedback of %s: %w", projectID, err)
	}
	out := make([]Entry, 0, len(evs)+len(msgs)+len(fbs))
	keep := func(en Entry) {
		if since.IsZero() || en.At.After(since) {
			out = append(out, en)
		}
	}
	for _, e := range evs {
		en, err := EventEntry(e)
		if err != nil {
			return nil, err
		}
		keep(en)
	}
	for _, m := range msgs {
		if m.SentAt.IsZero() {
			continue
		}
		en, err := MessageEntry(m)
		if err != nil {
			return nil, err
		}
		keep(en)
	}
	for _, f := range fbs {
		en, err := FeedbackEntry(f)
		if err != nil {
			return nil, err
		}
		keep(en)
	}
	slices.SortFunc(out, byArrival)
	return out, nil
}

// byArrival orders entries by arrival, ties by id: the one order of a seal's leaves.
func byArrival(a, b Entry) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}
