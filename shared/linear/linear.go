// Package linear verifies and parses Linear webhook deliveries into provider-neutral task events: issues
// created, and issues moved to another workflow state.
package linear

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/hmachex"
)

// Name is the provider's name in hook URLs and bindings.
const Name = "linear"

// The headers Linear sends with every delivery.
const (
	// SignatureHeader carries hex(HMAC-SHA256(webhook signing secret, body)).
	SignatureHeader = "Linear-Signature"
	// DeliveryHeader is a UUID that identifies the delivery. It is not signed, so events are keyed by what the
	// signed body says (see Parse); the header is the key only of an issue delivery without updatedAt. (The
	// body's webhookId names the webhook, the same for every delivery.)
	DeliveryHeader = "Linear-Delivery"
)

// The window a delivery's signed webhookTimestamp must fall in, around the time it is received.
const (
	// MaxSkew is how far ahead of our clock a delivery may be stamped: clocks differ a little.
	MaxSkew = time.Minute
	// MaxRetryAge is how old a delivery may be. Linear's advice is a minute, but Linear retries a failed
	// delivery after 1 minute, 1 hour and 6 hours, and a retry that carries the first attempt's stamp would
	// never pass a minute's window: one failed answer of ours would lose the notice. A replay within the
	// window is harmless, since the event id comes from the signed body (Parse): it is stored once.
	MaxRetryAge = 8 * time.Hour
)

// CompletedType is the workflow state type Linear itself calls done (the others: triage, backlog, unstarted,
// started, canceled).
const CompletedType = "completed"

// CanceledType is the workflow state type of a dropped issue (Canceled, Duplicate): cancelled.
const CanceledType = "canceled"

// Provider verifies and parses Linear deliveries.
type Provider struct{}

// New returns the Linear provider.
func New() Provider { return Provider{} }

// Info declares the provider to the registry.
func (Provider) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderTracker}
}

// Sign computes the Linear-Signature value of a body.
func Sign(secret string, body []byte) string {
	return hmachex.Sign(secret, body)
}

// Verify checks Linear-Signature against the raw body, then that the signed webhookTimestamp is at most
// MaxRetryAge before d.ReceivedAt and at most MaxSkew after it, so a captured delivery cannot be replayed later
// than Linear itself would retry it.
func (Provider) Verify(d glassbox.Delivery, secret string) error {
	got := d.Header.Get(SignatureHeader)
	if got == "" {
		return fmt.Errorf("linear: missing %s header: %w", SignatureHeader, glassbox.ErrBadSignature)
	}
	switch err := hmachex.Check(got, secret, d.Body); {
	case errors.Is(err, hmachex.ErrNotHex):
		return fmt.Errorf("linear: %s is not hex: %w", SignatureHeader, glassbox.ErrBadSignature)
	case err != nil:
		return fmt.Errorf("linear: signature does not match the body: %w", glassbox.ErrBadSignature)
	}
	var stamp struct {
		WebhookTimestamp *float64 `json:"webhookTimestamp"`
	}
	if json.Unmarshal(d.Body, &stamp) != nil || stamp.WebhookTimestamp == nil {
		return fmt.Errorf("linear: signed body has no webhookTimestamp to check its age by: %w", glassbox.ErrBadSignature)
	}
	sent := time.UnixMilli(int64(*stamp.WebhookTimestamp))
	switch age := d.ReceivedAt.Sub(sent); {
	case age > MaxRetryAge:
		return fmt.Errorf("linear: webhookTimestamp %s is %s old, over %s: %w",
			sent.UTC().Format(time.RFC3339), age.Round(time.Second), MaxRetryAge, glassbox.ErrBadSignature)
	case age < -MaxSkew:
		return fmt.Errorf("linear: webhookTimestamp %s is %s ahead of the time received, over %s: %w",
			sent.UTC().Format(time.RFC3339), (-age).Round(time.Second), MaxSkew, glassbox.ErrBadSignature)
	}
	return nil
}

type state struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

type payload struct {
	Action string `json:"action"`
	Type   string `json:"type"`
	Actor  *struct {
		Name string `json:"name"`
	} `json:"actor"`
	CreatedAt      time.Time `json:"createdAt"`
	URL            string    `json:"url"`
	OrganizationID string    `json:"organizationId"`
	Data           *struct {
		ID        string    `json:"id"`
		Title     string    `json:"title"`
		URL       string    `json:"url"`
		CreatedAt time.Time `json:"createdAt"`
		UpdatedAt time.Time `json:"updatedAt"`
		TeamID    string    `json:"teamId"`
		StateID   string    `json:"stateId"`
		State     *state    `json:"state"`
		// DueDate is the issue's due date, a date without a time of day ("2026-12-04") or null; absent when
		// the delivery leaves the field out.
		DueDate json.RawMessage `json:"dueDate"`
		Team    *struct {
			Key string `json:"key"`
		} `json:"team"`
		// Body and Issue are a Comment's: its text (markdown) and the issue it is on.
		Body  *string `json:"body"`
		Issue *struct {
			ID     string `json:"id"`
			Title  string `json:"title"`
			URL    string `json:"url"`
			TeamID string `json:"teamId"`
			// Identifier is "MKT-42": the team's key, a dash and the issue's number.
			Identifier string `json:"identifier"`
		} `json:"issue"`
		IssueID string `json:"issueId"`
	} `json:"data"`
	// UpdatedFrom holds the previous values of the fields an update changed; only which ones matter.
	UpdatedFrom struct {
		StateID json.RawMessage `json:"stateId"`
		Title   json.RawMessage `json:"title"`
		DueDate json.RawMessage `json:"dueDate"`
	} `json:"updatedFrom"`
}

// Parse turns a delivery into at most one task event for binding b:
//   - Issue create → task_created in its workflow state;
//   - Issue update with updatedFrom.stateId (the state changed) → task_moved;
//   - Issue update with updatedFrom.title or updatedFrom.dueDate (the due date changed) → task_updated.
//
// Every event carries the issue's due date when data has dueDate (a civil date, or null: none), since the
// delivery is the whole issue; it ends at the end of that day in the project's zone (glassbox.EndOfDueDate).
//
// A Comment create whose body starts with a reason marker → task_noted of its issue (glassbox.Binding.NoteOf),
// id "comment:{comment id}"; other comments (and comment edits) are ignored.
//
// Other entities, removals and other updates yield no event and no error. A state maps through the
// binding's status_map by id, by name, or by type (see Status). The state left is known by id only, so
// PrevStatus is set when the map names that id; otherwise React takes the task's stored status. Deliveries of
// another team or workspace than the binding's external_id are dropped. The event id is the issue's id and
// updatedAt, from the signed body. A body that is not Linear's JSON is glassbox.ErrMalformed.
func (Provider) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	deliveryID := d.Header.Get(DeliveryHeader)
	var p payload
	if err := json.Unmarshal(d.Body, &p); err != nil {
		return nil, fmt.Errorf("linear: decode body: %v: %w", err, glassbox.ErrMalformed)
	}
	if p.Action == "" || p.Type == "" {
		return nil, fmt.Errorf("linear: the delivery has no action and type: %w", glassbox.ErrMalformed)
	}
	if p.Type == "Comment" {
		return parseComment(d, b, p)
	}
	if p.Type != "Issue" {
		return nil, nil // projects, cycles, labels, ...
	}
	is := p.Data
	if is == nil || is.ID == "" {
		return nil, fmt.Errorf("linear: Issue delivery has no data.id: %w", glassbox.ErrMalformed)
	}
	teamKey := ""
	if is.Team != nil {
		teamKey = is.Team.Key
	}
	if !b.Takes(is.TeamID, teamKey, p.OrganizationID) {
		return nil, nil
	}
	// The issue as of its updatedAt is what the delivery reports: a retry, a replay (whatever its unsigned
	// Linear-Delivery) and the same change sent by a team's and the workspace's webhooks are one event.
	actionID := deliveryID
	if !is.UpdatedAt.IsZero() {
		actionID = is.ID + "@" + is.UpdatedAt.UTC().Format(time.RFC3339Nano)
	}
	if actionID == "" {
		return nil, fmt.Errorf("linear: Issue delivery has neither data.updatedAt nor %s: %w", DeliveryHeader, glassbox.ErrMalformed)
	}
	e := glassbox.Event{
		ID:              glassbox.EventID(Name, actionID),
		BindingID:       b.ID,
		Provider:        Name,
		ProviderEventID: actionID,
		ProviderType:    p.Type + "." + p.Action,
		TaskID:          is.ID,
		Title:           is.Title,
		URL:             is.URL,
		OccurredAt:      is.UpdatedAt.UTC(),
		ReceivedAt:      d.ReceivedAt.UTC(),
	}
	if e.URL == "" {
		e.URL = p.URL
	}
	if p.Actor != nil {
		e.Actor = p.Actor.Name
	}
	if err := setDue(&e, is.DueDate); err != nil {
		return nil, fmt.Errorf("linear: issue %s: %v: %w", is.ID, err, glassbox.ErrMalformed)
	}
	st := state{ID: is.StateID}
	if is.State != nil {
		st = *is.State
	}
	switch {
	case p.Action == "create":
		e.Kind = glassbox.EventTaskCreated
		e.OccurredAt = is.CreatedAt.UTC()
		e.ListID, e.ListName, e.Status = st.ID, st.Name, Status(b, st.ID, st.Name, st.Type)
	case p.Action == "update" && p.UpdatedFrom.StateID != nil:
		e.Kind = glassbox.EventTaskMoved
		e.ListID, e.ListName, e.Status = st.ID, st.Name, Status(b, st.ID, st.Name, st.Type)
		var prev string
		if json.Unmarshal(p.UpdatedFrom.StateID, &prev) == nil && prev != "" {
			e.PrevListID, e.PrevStatus = prev, b.StatusOf(prev, "")
		}
	case p.Action == "update" && (p.UpdatedFrom.Title != nil || p.UpdatedFrom.DueDate != nil):
		e.Kind = glassbox.EventTaskUpdated
	default:
		return nil, nil // assignee, priority, labels, estimate, removal, ...
	}
	if e.OccurredAt.IsZero() {
		e.OccurredAt = p.CreatedAt.UTC()
	}
	return []glassbox.Event{e}, nil
}

// parseComment turns a Comment create that starts with a reason marker into a task_noted event of its issue.
func parseComment(d glassbox.Delivery, b glassbox.Binding, p payload) ([]glassbox.Event, error) {
	c := p.Data
	if c == nil || c.ID == "" {
		return nil, fmt.Errorf("linear: Comment delivery has no data.id: %w", glassbox.ErrMalformed)
	}
	if p.Action != "create" || c.Body == nil {
		return nil, nil
	}
	issueID, teamID, teamKey, title, link := c.IssueID, "", "", "", ""
	if c.Issue != nil {
		issueID = first(c.Issue.ID, issueID)
		teamID, title, link = c.Issue.TeamID, c.Issue.Title, c.Issue.URL
		if i := strings.LastIndexByte(c.Issue.Identifier, '-'); i > 0 {
			teamKey = c.Issue.Identifier[:i]
		}
	}
	if issueID == "" || !b.Takes(teamID, teamKey, p.OrganizationID) {
		return nil, nil // a comment on a project update or a document, or another team's
	}
	note, ok := b.NoteOf(*c.Body)
	if !ok {
		return nil, nil
	}
	id := "comment:" + c.ID
	e := glassbox.Event{
		ID:              glassbox.EventID(Name, id),
		BindingID:       b.ID,
		Provider:        Name,
		ProviderEventID: id,
		ProviderType:    p.Type + "." + p.Action,
		Kind:            glassbox.EventTaskNoted,
		TaskID:          issueID,
		Title:           title,
		URL:             link,
		Note:            note,
		OccurredAt:      c.CreatedAt.UTC(),
		ReceivedAt:      d.ReceivedAt.UTC(),
	}
	if e.OccurredAt.IsZero() {
		e.OccurredAt = p.CreatedAt.UTC()
	}
	if p.Actor != nil {
		e.Actor = p.Actor.Name
	}
	return []glassbox.Event{e}, nil
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// setDue reads the issue's dueDate: a civil date, or null when the issue has none; nothing when the field is
// left out.
func setDue(e *glassbox.Event, field json.RawMessage) error {
	if len(field) == 0 {
		return nil
	}
	var due *string
	if err := json.Unmarshal(field, &due); err != nil {
		return fmt.Errorf("dueDate is not a date: %s", field)
	}
	if due == nil {
		return e.SetDue("")
	}
	return e.SetDue(*due)
}

// Status is the one place a Linear workflow state becomes a status: the binding's status_map by the state's id
// or name, then by its type ("started", "completed", ...); a state of type completed that the map does not
// name is done, and one of type canceled (Canceled, Duplicate) cancelled, Linear's own notions of them. Other
// unmapped states have none.
func Status(b glassbox.Binding, id, name, typ string) glassbox.TaskStatus {
	if s := b.StatusOf(id, name); s != glassbox.StatusUnknown {
		return s
	}
	if s := b.StatusOf("", typ); s != glassbox.StatusUnknown {
		return s
	}
	switch typ {
	case CompletedType:
		return glassbox.StatusDone
	case CanceledType:
		return glassbox.StatusCancelled
	}
	return glassbox.StatusUnknown
}
