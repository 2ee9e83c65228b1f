// Package github verifies and parses GitHub webhook deliveries into provider-neutral task events: issues opened,
// closed and reopened, and the Status field of a Projects (v2) board.
//
// A binding's external_id says whose deliveries it takes: a repository ("acme/site": that repository's issues),
// a project's node id ("PVT_kwDO…": that board's items), or an organisation ("acme": every repository's issues
// and every board's items). Deliveries about anything else are acknowledged and dropped, so one organisation
// webhook cannot tell one client about another client's board.
package github

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/hmachex"
)

// Name is the provider's name in hook URLs and bindings.
const Name = "github"

// The headers GitHub sends with every delivery.
const (
	// SignatureHeader carries "sha256=" + hex(HMAC-SHA256(webhook secret, body)).
	SignatureHeader = "X-Hub-Signature-256"
	// EventHeader names the event ("issues", "projects_v2_item", "ping", ...); the body does not say it.
	EventHeader = "X-GitHub-Event"
	// DeliveryHeader is a GUID per delivery, kept when GitHub (or an admin) redelivers it. It is not signed, so it
	// does not name the event (actionID).
	DeliveryHeader = "X-GitHub-Delivery"
)

// StatusField is the Projects (v2) single-select field whose changes move tasks: the one every new project has.
const StatusField = "Status"

// The names an issue's state goes by in a status map. An issue closed for another reason than "completed"
// (state_reason "not_planned", "duplicate") goes by that reason instead of "closed".
const (
	StateOpen   = "open"
	StateClosed = "closed"
)

// Provider verifies and parses GitHub deliveries, and reads Projects (v2) items back through the GraphQL API.
type Provider struct {
	// HTTP makes the read-back calls.
	HTTP *http.Client
}

// New returns the GitHub provider, whose API calls time out after 10 s.
func New() Provider { return Provider{HTTP: &http.Client{Timeout: 10 * time.Second}} }

// Info declares the provider to the registry. GitHub reads back: a Projects (v2) delivery names the item's
// issue only by its node id, so its title and link are read through the API with the binding's api_param token.
func (Provider) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderTracker, ReadsBack: true}
}

// Sign computes the X-Hub-Signature-256 value of a body.
func Sign(secret string, body []byte) string {
	return hmachex.Prefix + hmachex.Sign(secret, body)
}

// Verify checks X-Hub-Signature-256 against the raw body (the form-encoded one too: GitHub signs what it
// sends). GitHub signs its ping as well, so a wrong secret shows as 401 in the webhook's "Recent deliveries"
// as soon as the hook is created.
func (Provider) Verify(d glassbox.Delivery, secret string) error {
	got := d.Header.Get(SignatureHeader)
	if got == "" {
		return fmt.Errorf("github: missing %s header (set the webhook's secret): %w", SignatureHeader, glassbox.ErrBadSignature)
	}
	hexSig, ok := strings.CutPrefix(got, hmachex.Prefix)
	if !ok {
		return fmt.Errorf("github: %s is not sha256=<hex>: %w", SignatureHeader, glassbox.ErrBadSignature)
	}
	switch err := hmachex.Check(hexSig, secret, d.Body); {
	case errors.Is(err, hmachex.ErrNotHex):
		return fmt.Errorf("github: %s is not hex: %w", SignatureHeader, glassbox.ErrBadSignature)
	case err != nil:
		return fmt.Errorf("github: signature does not match the body: %w", glassbox.ErrBadSignature)
	}
	return nil
}

type account struct {
	Login string `json:"login"`
}

type issuesPayload struct {
	Action string `json:"action"`
	Issue  *struct {
		NodeID      string     `json:"node_id"`
		Title       string     `json:"title"`
		HTMLURL     string     `json:"html_url"`
		State       string     `json:"state"`
		StateReason string     `json:"state_reason"`
		CreatedAt   time.Time  `json:"created_at"`
		UpdatedAt   time.Time  `json:"updated_at"`
		ClosedAt    *time.Time `json:"closed_at"`
	} `json:"issue"`
	Changes struct {
		Title *struct {
			From string `json:"from"`
		} `json:"title"`
	} `json:"changes"`
	// Label is the label a labeled or unlabeled action added or removed.
	Label *struct {
		Name string `json:"name"`
	} `json:"label"`
	Repository *struct {
		FullName string  `json:"full_name"`
		Owner    account `json:"owner"`
	} `json:"repository"`
	Organization *account `json:"organization"`
	Sender       *account `json:"sender"`
}

type commentPayload struct {
	Action string `json:"action"`
	Issue  *struct {
		NodeID      string          `json:"node_id"`
		Title       string          `json:"title"`
		HTMLURL     string          `json:"html_url"`
		PullRequest json.RawMessage `json:"pull_request"`
	} `json:"issue"`
	Comment *struct {
		ID        json.Number `json:"id"`
		Body      string      `json:"body"`
		CreatedAt time.Time   `json:"created_at"`
	} `json:"comment"`
	Repository *struct {
		FullName string  `json:"full_name"`
		Owner    account `json:"owner"`
	} `json:"repository"`
	Organization *account `json:"organization"`
	Sender       *account `json:"sender"`
}

// DefaultWaitingLabel is the issue label that says the issue waits on the client when the binding's status_map
// does not name it: GitHub issues have no lists, so a label is where "waiting on you" lives.
const DefaultWaitingLabel = "waiting-on-client"

type option struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type projectItemPayload struct {
	Action string `json:"action"`
	Item   *struct {
		NodeID        string    `json:"node_id"`
		ProjectNodeID string    `json:"project_node_id"`
		ContentNodeID string    `json:"content_node_id"`
		ContentType   string    `json:"content_type"`
		UpdatedAt     time.Time `json:"updated_at"`
	} `json:"projects_v2_item"`
	Changes struct {
		FieldValue *struct {
			FieldName string `json:"field_name"`
			FieldType string `json:"field_type"`
			// From and To are option objects for a single-select field, and strings, numbers or null for
			// others: decoded only once the field is known to be Status.
			From json.RawMessage `json:"from"`
			To   json.RawMessage `json:"to"`
		} `json:"field_value"`
	} `json:"changes"`
	Organization *account `json:"organization"`
	Sender       *account `json:"sender"`
}

// Parse turns a delivery into at most one task event for binding b. X-GitHub-Event decides what the body is:
//   - issues opened → task_created; closed → task_moved to the closed state; reopened → task_moved back to
//     open (it left "closed", so a done task's manager hears it was reopened); edited with a new title →
//     task_updated. The state maps through the binding's status_map (keys "open", "closed", "not_planned",
//     "duplicate"); an issue closed as completed is done when the map does not name "closed", one closed as
//     not planned or duplicate is cancelled when the map does not name its reason.
//   - issues labeled with a label the status_map maps to waiting, paused or blocked (by name), or with
//     DefaultWaitingLabel when the map does not name it (waiting) → task_moved into that status; unlabeled of
//     such a label → task_moved back to the "open" state. Only on an open issue; other labels are ignored.
//   - issue_comment created whose body starts with a reason marker → task_noted (glassbox.Binding.NoteOf) of
//     the issue, id "comment:{comment id}"; other comments, and comments on pull requests, are ignored.
//   - projects_v2_item edited with a change of the Status field → task_moved from the old option to the new
//     one, both through the status_map (keys: option names or ids); created → task_created. The delivery
//     names the issue only by node id: React reads its title and link back (ReadBack).
//
// The task is the issue (its node id), whether a delivery comes from the repository or from a board, so both
// tell the story of one task. PrevStatus is left empty, though the delivery names the state or option left:
// closing an issue on a board sends two deliveries (issues closed, and the board's built-in workflow setting
// Status to Done), each saying it left an open state. React then takes the stored status as the one left, so
// whichever comes second finds the task done already and the client hears it once. ping and every other event or action yield no event and no error. A body that
// is not the event's JSON is glassbox.ErrMalformed.
//
// No event says a due date: a GitHub issue has none (only its milestone has a due_on, shared by every issue in
// it, and a Projects date field is the board's own, named as each board likes), so a GitHub task never falls
// overdue. A board's date field could carry one later; until then, the generic hook's due does.
func (Provider) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	event := d.Header.Get(EventHeader)
	if event == "" {
		return nil, fmt.Errorf("github: no %s header: %w", EventHeader, glassbox.ErrMalformed)
	}
	if event != "issues" && event != "projects_v2_item" && event != "issue_comment" {
		return nil, nil // ping, push, ...: nothing to tell anyone
	}
	body, err := payloadOf(d)
	if err != nil {
		return nil, err
	}
	e := glassbox.Event{BindingID: b.ID, Provider: Name, ReceivedAt: d.ReceivedAt.UTC()}
	switch event {
	case "issues":
		return parseIssue(body, b, e)
	case "issue_comment":
		return parseComment(body, b, e)
	}
	return parseProjectItem(body, b, e)
}

// actionID names an action by what the signed body says of it: the issue's or board item's node id, the action
// and the time it changed. Not X-GitHub-Delivery: that header is not signed, so a captured delivery replayed
// under a new one would be a new event; a redelivery repeats the body, and so the id.
func actionID(nodeID, action string, updatedAt time.Time) (id, key string) {
	key = nodeID + ":" + action + ":" + updatedAt.UTC().Format(time.RFC3339Nano)
	return glassbox.EventID(Name, key), key
}

func parseIssue(body []byte, b glassbox.Binding, e glassbox.Event) ([]glassbox.Event, error) {
	var p issuesPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("github: decode issues event: %v: %w", err, glassbox.ErrMalformed)
	}
	if p.Action == "" || p.Issue == nil || p.Issue.NodeID == "" {
		return nil, fmt.Errorf("github: issues event has no action or issue node_id: %w", glassbox.ErrMalformed)
	}
	if p.Repository == nil || !b.Takes(p.Repository.FullName, p.Repository.Owner.Login, login(p.Organization)) {
		return nil, nil
	}
	is := p.Issue
	e.ID, e.ProviderEventID = actionID(is.NodeID, p.Action, is.UpdatedAt)
	e.ProviderType = "issues." + p.Action
	e.TaskID, e.Title, e.URL = is.NodeID, is.Title, is.HTMLURL
	e.Actor = login(p.Sender)
	e.OccurredAt = is.UpdatedAt.UTC()
	switch p.Action {
	case "opened":
		e.Kind = glassbox.EventTaskCreated
		e.OccurredAt = is.CreatedAt.UTC()
		e.ListName, e.Status = StateOpen, issueStatus(b, StateOpen)
	case "closed":
		e.Kind = glassbox.EventTaskMoved
		if is.ClosedAt != nil {
			e.OccurredAt = is.ClosedAt.UTC()
		}
		state := closedState(is.StateReason)
		e.ListName, e.Status, e.PrevListName = state, issueStatus(b, state), StateOpen
	case "reopened":
		e.Kind = glassbox.EventTaskMoved
		e.ListName, e.Status, e.PrevListName = StateOpen, issueStatus(b, StateOpen), StateClosed
	case "edited":
		if p.Changes.Title == nil {
			return nil, nil
		}
		e.Kind = glassbox.EventTaskUpdated
	case "labeled", "unlabeled":
		if p.Label == nil {
			return nil, nil
		}
		st, ok := labelStatus(b, p.Label.Name)
		if !ok || is.State == StateClosed { // a closed issue's labels move nothing: it is done or cancelled
			return nil, nil
		}
		e.ID, e.ProviderEventID = actionID(is.NodeID, p.Action+":"+p.Label.Name, is.UpdatedAt)
		e.Kind = glassbox.EventTaskMoved
		e.ListName, e.Status = p.Label.Name, st
		if p.Action == "unlabeled" {
			e.ListName, e.Status = StateOpen, issueStatus(b, StateOpen)
		}
	default:
		return nil, nil // assigned, milestoned, ...
	}
	return []glassbox.Event{e}, nil
}

func parseProjectItem(body []byte, b glassbox.Binding, e glassbox.Event) ([]glassbox.Event, error) {
	var p projectItemPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("github: decode projects_v2_item event: %v: %w", err, glassbox.ErrMalformed)
	}
	it := p.Item
	if p.Action == "" || it == nil || it.NodeID == "" {
		return nil, fmt.Errorf("github: projects_v2_item event has no action or item node_id: %w", glassbox.ErrMalformed)
	}
	if !b.Takes(it.ProjectNodeID, login(p.Organization)) {
		return nil, nil
	}
	e.ID, e.ProviderEventID = actionID(it.NodeID, p.Action, it.UpdatedAt)
	e.ProviderType = "projects_v2_item." + p.Action
	e.TaskID = it.ContentNodeID
	if e.TaskID == "" {
		e.TaskID = it.NodeID
	}
	e.Actor = login(p.Sender)
	e.OccurredAt = it.UpdatedAt.UTC()
	switch p.Action {
	case "created":
		e.Kind = glassbox.EventTaskCreated
	case "edited":
		fv := p.Changes.FieldValue
		if fv == nil || !strings.EqualFold(fv.FieldName, StatusField) {
			return nil, nil // another field, or the title or body of a draft
		}
		to, ok := optionOf(fv.To)
		if !ok {
			// Status cleared ("No Status"), or an older payload without from/to: no new status to tell.
			return nil, nil
		}
		e.Kind = glassbox.EventTaskMoved
		e.ListID, e.ListName, e.Status = to.ID, to.Name, b.StatusOf(to.ID, to.Name)
		if from, ok := optionOf(fv.From); ok {
			e.PrevListID, e.PrevListName = from.ID, from.Name
		}
	default:
		return nil, nil // archived, deleted, reordered, converted, ...
	}
	return []glassbox.Event{e}, nil
}

// parseComment turns an issue comment that starts with a reason marker into a task_noted event of the issue.
func parseComment(body []byte, b glassbox.Binding, e glassbox.Event) ([]glassbox.Event, error) {
	var p commentPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("github: decode issue_comment event: %v: %w", err, glassbox.ErrMalformed)
	}
	if p.Action == "" || p.Issue == nil || p.Issue.NodeID == "" || p.Comment == nil || p.Comment.ID == "" {
		return nil, fmt.Errorf("github: issue_comment event has no action, issue node_id or comment id: %w", glassbox.ErrMalformed)
	}
	if p.Action != "created" || len(p.Issue.PullRequest) > 0 && string(p.Issue.PullRequest) != "null" {
		return nil, nil
	}
	if p.Repository == nil || !b.Takes(p.Repository.FullName, p.Repository.Owner.Login, login(p.Organization)) {
		return nil, nil
	}
	note, ok := b.NoteOf(p.Comment.Body)
	if !ok {
		return nil, nil
	}
	e.ProviderEventID = "comment:" + p.Comment.ID.String()
	e.ID = glassbox.EventID(Name, e.ProviderEventID)
	e.ProviderType = "issue_comment." + p.Action
	e.Kind, e.Note = glassbox.EventTaskNoted, note
	e.TaskID, e.Title, e.URL = p.Issue.NodeID, p.Issue.Title, p.Issue.HTMLURL
	e.Actor = login(p.Sender)
	e.OccurredAt = p.Comment.CreatedAt.UTC()
	return []glassbox.Event{e}, nil
}

// labelStatus is the status a label puts an issue in, when it is one: the status_map's for the label's name
// when that is waiting, paused or blocked (a label never closes an issue nor tells a client "done"), else
// waiting for DefaultWaitingLabel.
func labelStatus(b glassbox.Binding, label string) (glassbox.TaskStatus, bool) {
	switch s := b.StatusOf("", label); s {
	case glassbox.StatusWaiting, glassbox.StatusPaused, glassbox.StatusBlocked:
		return s, true
	case glassbox.StatusUnknown:
		if strings.EqualFold(label, DefaultWaitingLabel) {
			return glassbox.StatusWaiting, true
		}
	}
	return glassbox.StatusUnknown, false
}

// issueStatus is the one place an issue's state becomes a status: the binding's status_map wins when it names
// the state; otherwise an issue closed as completed is done (GitHub's own notion), one closed as not planned or
// duplicate is cancelled, and other states have none.
func issueStatus(b glassbox.Binding, state string) glassbox.TaskStatus {
	if s := b.StatusOf("", state); s != glassbox.StatusUnknown {
		return s
	}
	switch state {
	case StateClosed:
		return glassbox.StatusDone
	case "not_planned", "duplicate":
		return glassbox.StatusCancelled
	}
	return glassbox.StatusUnknown
}

// closedState is the name a status map knows a closed issue by: "closed" when it was completed (or the delivery
// does not say why), else the reason ("not_planned", "duplicate").
func closedState(reason string) string {
	if reason == "" || reason == "completed" {
		return StateClosed
	}
	return reason
}

func optionOf(raw json.RawMessage) (option, bool) {
	var o option
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &o) != nil || (o.ID == "" && o.Name == "") {
		return option{}, false
	}
	return o, true
}

// payloadOf is the JSON of a delivery: the body, or its payload= field when the webhook's content type is
// application/x-www-form-urlencoded.
func payloadOf(d glassbox.Delivery) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(d.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return d.Body, nil
	}
	form, err := url.ParseQuery(string(d.Body))
	if err != nil || form.Get("payload") == "" {
		return nil, fmt.Errorf("github: form body has no payload field: %w", glassbox.ErrMalformed)
	}
	return []byte(form.Get("payload")), nil
}

func login(a *account) string {
	if a == nil {
		return ""
	}
	return a.Login
}
