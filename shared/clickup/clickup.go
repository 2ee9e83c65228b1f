// Package clickup verifies and parses ClickUp webhook deliveries into provider-neutral task events, and reads
// the task back through ClickUp's API (ReadBack), because a delivery names the task only by its id.
//
// A ClickUp webhook (POST /api/v2/team/{team_id}/webhook) has its own secret, returned when it is created, and
// signs every body with it (X-Signature: hex HMAC-SHA256). A delivery says what happened as history items:
// taskStatusUpdated carries the status before and after, taskCreated the status the task starts in.
package clickup

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/hmachex"
)

// Name is the provider's name in hook URLs and bindings.
const Name = "clickup"

// SignatureHeader carries hex(HMAC-SHA256(webhook secret, body)).
const SignatureHeader = "X-Signature"

// The events Parse reads; all others (comments, assignees, due dates, time tracking...) are acknowledged and
// dropped.
const (
	EventTaskCreated       = "taskCreated"
	EventTaskStatusUpdated = "taskStatusUpdated"
	// EventTaskDueDateUpdated is a due date set, moved or removed (history item field due_date).
	EventTaskDueDateUpdated = "taskDueDateUpdated"
	EventTaskCommentPosted  = "taskCommentPosted"
)

// Provider verifies and parses ClickUp deliveries, and reads tasks back.
type Provider struct {
	// HTTP reads tasks back (ReadBack); nil means a client with DefaultTimeout.
	HTTP *http.Client
}

// New returns the ClickUp provider.
func New() Provider { return Provider{HTTP: &http.Client{Timeout: DefaultTimeout}} }

// Info declares the provider to the registry: its deliveries lack the task's name, so events are read back.
func (Provider) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderTracker, ReadsBack: true}
}

// Sign computes the X-Signature value ClickUp sends for body with the webhook's secret.
func Sign(secret string, body []byte) string { return hmachex.Sign(secret, body) }

// Verify checks X-Signature against the raw body. ClickUp signs no time; repeats are caught by the event id.
func (Provider) Verify(d glassbox.Delivery, secret string) error {
	got := d.Header.Get(SignatureHeader)
	if got == "" {
		return fmt.Errorf("clickup: missing %s header: %w", SignatureHeader, glassbox.ErrBadSignature)
	}
	if secret == "" {
		return fmt.Errorf("clickup: the binding's secret is empty: %w", glassbox.ErrBadSignature)
	}
	switch err := hmachex.Check(got, secret, d.Body); {
	case errors.Is(err, hmachex.ErrNotHex):
		return fmt.Errorf("clickup: %s is not hex: %w", SignatureHeader, glassbox.ErrBadSignature)
	case err != nil:
		return fmt.Errorf("clickup: signature does not match body: %w", glassbox.ErrBadSignature)
	}
	return nil
}

// status is a task status as history items and the API carry it. type is ClickUp's kind of status: open (the
// first), custom, done or closed (the last).
type status struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Type   string `json:"type"`
}

// done says ClickUp itself calls the status finished.
func (s status) done() bool {
	return strings.EqualFold(s.Type, "closed") || strings.EqualFold(s.Type, "done")
}

// historyItem is one entry of history_items. before and after are status objects for a status item, and
// other things (a comment id, null) for others: they are decoded only where a status is expected.
type historyItem struct {
	ID     text            `json:"id"`
	Date   text            `json:"date"`
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
	User   *struct {
		Username string `json:"username"`
	} `json:"user"`
	// Comment is a comment item's comment (taskCommentPosted); text_content is its plain text.
	Comment *struct {
		TextContent string `json:"text_content"`
	} `json:"comment"`
}

type payload struct {
	Event        string        `json:"event"`
	TaskID       string        `json:"task_id"`
	WebhookID    string        `json:"webhook_id"`
	HistoryItems []historyItem `json:"history_items"`
}

// Parse turns a delivery into at most one task event for binding b:
//   - taskStatusUpdated → task_moved, from the status item's before to its after status;
//   - taskCreated → task_created, in the status its status item gives;
//   - taskDueDateUpdated → task_updated with the due_date item's after (milliseconds, or null: removed);
//   - taskCommentPosted whose comment (text_content) starts with a reason marker → task_noted
//     (glassbox.Binding.NoteOf), with the comment item's id; other comments are ignored.
//
// ReadBack gives every event the task's due date from the API's answer, unless the delivery said it.
//
// Statuses: the binding's status_map names ClickUp statuses by name (case-insensitive; ClickUp statuses are
// per list and named, and the webhook sends no stable id). When the map does not name a status, a status of
// ClickUp's type "closed" or "done" is done, so a list's own closing status ("complete", "готово") needs no map;
// the map wins when it names the status.
//
// The event carries no title: ClickUp does not send it. React reads the task back (ReadBack) for its name and
// link before anyone is told. Other events yield no event and no error. A body that is not JSON, names no event
// or task, or a status update or creation without a history item id, is glassbox.ErrMalformed.
//
// The event id is the history item's id, which a redelivery repeats (ClickUp's docs name it the dedupe key).
func (Provider) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	var p payload
	if err := json.Unmarshal(d.Body, &p); err != nil {
		// An event Glassbox does not read may carry history of other shapes: it is ignored, not refused (every
		// refusal counts toward the 100 failures after which ClickUp suspends the webhook).
		var head struct {
			Event string `json:"event"`
		}
		if json.Unmarshal(d.Body, &head) == nil && head.Event != "" &&
			!reads(head.Event) {
			return nil, nil
		}
		return nil, fmt.Errorf("clickup: decode body: %v: %w", err, glassbox.ErrMalformed)
	}
	if p.Event == "" || p.TaskID == "" {
		return nil, fmt.Errorf("clickup: body has no event and task_id: %w", glassbox.ErrMalformed)
	}
	if !reads(p.Event) {
		return nil, nil
	}

	if p.Event == EventTaskCommentPosted {
		return comment(d, b, p)
	}

	// The item that names the action: the status change, or for a creation the task_creation item (the
	// status item beside it gives the starting status).
	var item, statusItem, dueItem *historyItem
	for i := range p.HistoryItems {
		h := &p.HistoryItems[i]
		switch h.Field {
		case "status":
			if statusItem == nil {
				statusItem = h
			}
		case "due_date":
			if dueItem == nil {
				dueItem = h
			}
		case "task_creation":
			if p.Event == EventTaskCreated && item == nil {
				item = h
			}
		}
	}
	if item == nil {
		item = statusItem
	}
	if p.Event == EventTaskDueDateUpdated {
		if dueItem == nil {
			return nil, fmt.Errorf("clickup: %s for task %s has no due_date history item: %w", p.Event, p.TaskID, glassbox.ErrMalformed)
		}
		item = dueItem
	}
	if p.Event == EventTaskStatusUpdated && statusItem == nil {
		return nil, fmt.Errorf("clickup: %s for task %s has no status history item: %w", p.Event, p.TaskID, glassbox.ErrMalformed)
	}
	if item == nil && len(p.HistoryItems) > 0 {
		item = &p.HistoryItems[0]
	}
	if item == nil || !isID(item.ID) {
		return nil, fmt.Errorf("clickup: %s for task %s has no history item id: %w", p.Event, p.TaskID, glassbox.ErrMalformed)
	}

	e := glassbox.Event{
		ID:              glassbox.EventID(Name, string(item.ID)),
		BindingID:       b.ID,
		Provider:        Name,
		ProviderEventID: string(item.ID),
		ProviderType:    p.Event,
		TaskID:          p.TaskID,
		// ClickUp's own link form; the read-back replaces it with the task's url.
		URL:        "https://app.clickup.com/t/" + p.TaskID,
		ReceivedAt: d.ReceivedAt.UTC(),
	}
	if ms, err := strconv.ParseInt(string(item.Date), 10, 64); err == nil && ms > 0 && ms < maxMillis {
		e.OccurredAt = time.UnixMilli(ms).UTC()
	}
	if item.User != nil {
		e.Actor = item.User.Username
	}

	var after, before status
	if statusItem != nil {
		var ok bool
		if after, ok = decodeStatus(statusItem.After); !ok && p.Event == EventTaskStatusUpdated {
			return nil, fmt.Errorf("clickup: status history item %s has no status after: %w", statusItem.ID, glassbox.ErrMalformed)
		}
		before, _ = decodeStatus(statusItem.Before)
	}
	if after.Status != "" {
		e.ListID, e.ListName = after.ID, after.Status
		e.Status = statusOf(b, after)
	}
	switch p.Event {
	case EventTaskCreated:
		e.Kind = glassbox.EventTaskCreated
	case EventTaskDueDateUpdated:
		e.Kind = glassbox.EventTaskUpdated
		due, err := millis(dueItem.After)
		if err != nil {
			return nil, fmt.Errorf("clickup: due_date history item %s: %v: %w", dueItem.ID, err, glassbox.ErrMalformed)
		}
		e.SetDueTime(due) // ReadBack says whether it has a time of day
	case EventTaskStatusUpdated:
		e.Kind = glassbox.EventTaskMoved
		if before.Status != "" {
			e.PrevListID, e.PrevListName = before.ID, before.Status
			e.PrevStatus = statusOf(b, before)
		}
	}
	return []glassbox.Event{e}, nil
}

// comment turns a taskCommentPosted delivery into a task_noted event when its comment starts with a reason
// marker. ReadBack leaves it as it is (a comment moves nothing); the task's title is the one stored.
func comment(d glassbox.Delivery, b glassbox.Binding, p payload) ([]glassbox.Event, error) {
	var item *historyItem
	for i := range p.HistoryItems {
		if p.HistoryItems[i].Field == "comment" && p.HistoryItems[i].Comment != nil {
			item = &p.HistoryItems[i]
			break
		}
	}
	if item == nil {
		return nil, nil
	}
	note, ok := b.NoteOf(item.Comment.TextContent)
	if !ok {
		return nil, nil
	}
	if !isID(item.ID) {
		return nil, fmt.Errorf("clickup: %s for task %s has no history item id: %w", p.Event, p.TaskID, glassbox.ErrMalformed)
	}
	e := glassbox.Event{
		ID:              glassbox.EventID(Name, string(item.ID)),
		BindingID:       b.ID,
		Provider:        Name,
		ProviderEventID: string(item.ID),
		ProviderType:    p.Event,
		Kind:            glassbox.EventTaskNoted,
		TaskID:          p.TaskID,
		URL:             "https://app.clickup.com/t/" + p.TaskID,
		Note:            note,
		ReceivedAt:      d.ReceivedAt.UTC(),
	}
	if ms, err := strconv.ParseInt(string(item.Date), 10, 64); err == nil && ms > 0 && ms < maxMillis {
		e.OccurredAt = time.UnixMilli(ms).UTC()
	}
	if item.User != nil {
		e.Actor = item.User.Username
	}
	return []glassbox.Event{e}, nil
}

// reads says Parse stores events of this name.
func reads(event string) bool {
	return event == EventTaskCreated || event == EventTaskStatusUpdated || event == EventTaskDueDateUpdated ||
		event == EventTaskCommentPosted
}

// millis reads a ClickUp time in milliseconds (a string or a number); null or "" is the zero time (none).
func millis(raw json.RawMessage) (time.Time, error) {
	var t text
	if len(raw) == 0 || json.Unmarshal(raw, &t) != nil {
		return time.Time{}, fmt.Errorf("due date %.40s is not milliseconds", raw)
	}
	if t == "" {
		return time.Time{}, nil
	}
	ms, err := strconv.ParseInt(string(t), 10, 64)
	if err != nil || ms <= 0 || ms >= maxMillis {
		return time.Time{}, fmt.Errorf("due date %q is not milliseconds", string(t))
	}
	return time.UnixMilli(ms).UTC(), nil
}

// statusOf is the status binding b gives a ClickUp status: the map's, by id or name; when the map names
// neither, done for a status of type closed or done, else unknown. ReadBack decides a task's status with it too.
func statusOf(b glassbox.Binding, s status) glassbox.TaskStatus {
	if st := b.StatusOf(s.ID, s.Status); st != glassbox.StatusUnknown {
		return st
	}
	if s.done() {
		return glassbox.StatusDone
	}
	return glassbox.StatusUnknown
}

// decodeStatus reads a history item's before or after as a status; false when it is not one (null, a string).
func decodeStatus(raw json.RawMessage) (status, bool) {
	var s status
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &s) != nil || s.Status == "" {
		return status{}, false
	}
	return s, true
}

// isID says id can name an event: ClickUp's history item ids are long decimal strings; anything printable and
// short is taken, so a change of their form does not refuse every delivery.
func isID(id text) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// text is an id or a time in milliseconds, which ClickUp sends as a JSON string and might send as a number.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case string(b) == "null":
		*t = ""
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("want a string or a number, got %.20s", b)
		}
		*t = text(n)
	}
	return nil
}

// maxMillis is the start of year 10000: later times do not survive JSON, so a date beyond it is ignored.
var maxMillis = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
