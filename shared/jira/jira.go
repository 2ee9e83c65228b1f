// Package jira verifies and parses Jira Cloud admin-webhook deliveries into provider-neutral task events.
//
// An admin webhook (Jira settings → System → WebHooks) saved with a secret signs each body with it; Glassbox
// accepts only those. Its deliveries carry the whole issue, so nothing is read back: a status change says the
// status left and entered (the changelog) and the issue's summary, key and site.
package jira

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/hmachex"
)

// Name is the provider's name in hook URLs and bindings.
const Name = "jira"

// Headers of an admin-webhook delivery.
const (
	// SignatureHeader carries "sha256=" + hex(HMAC-SHA256(webhook secret, body)), the WebSub form.
	SignatureHeader = "X-Hub-Signature"
	// IdentifierHeader names the delivery; Jira repeats it when it retries one. It is not signed, so it never
	// names the event (see eventID).
	IdentifierHeader = "X-Atlassian-Webhook-Identifier"
)

// The webhookEvent values Parse reads; all others (sprints, projects, comment edits...) are acknowledged and
// dropped.
const (
	EventIssueCreated   = "jira:issue_created"
	EventIssueUpdated   = "jira:issue_updated"
	EventCommentCreated = "comment_created"
	EventWorklogCreated = "worklog_created"
)

// reads says Parse makes events of a webhookEvent.
func reads(event string) bool {
	switch event {
	case EventIssueCreated, EventIssueUpdated, EventCommentCreated, EventWorklogCreated:
		return true
	}
	return false
}

// notDone are the resolutions Jira Cloud's default resolution scheme has for an issue closed without being
// done. An issue in a "Done"-category status that the status map does not name is cancelled, not done, when
// its resolution is one of them (case ignored), so "Won't Do" never tells the client "done".
var notDone = []string{"Won't Do", "Won't Fix", "Duplicate", "Cannot Reproduce", "Declined", "Incomplete"}

// CategoryDone is the key of Jira's "Done" status category, which every status of a workflow belongs to or not.
const CategoryDone = "done"

// signaturePrefix names the algorithm in X-Hub-Signature.
const signaturePrefix = hmachex.Prefix

// Provider verifies and parses Jira Cloud deliveries.
type Provider struct{}

// New returns the Jira Cloud provider.
func New() Provider { return Provider{} }

// Info declares the provider to the registry. Jira's deliveries carry the issue: no read-back.
func (Provider) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderTracker}
}

// Sign computes the X-Hub-Signature value Jira sends for body with the webhook's secret.
func Sign(secret string, body []byte) string {
	return signaturePrefix + hmachex.Sign(secret, body)
}

// Verify checks X-Hub-Signature against the raw body. A webhook saved without a secret sends no signature and
// is refused: anyone who learned the hook URL could post to it. Jira signs no time, so a delivery is not
// refused for its age (Jira retries for up to about half an hour); repeats are caught by the event id.
func (Provider) Verify(d glassbox.Delivery, secret string) error {
	got := d.Header.Get(SignatureHeader)
	if got == "" {
		return fmt.Errorf("jira: missing %s header (save the webhook with a secret): %w", SignatureHeader, glassbox.ErrBadSignature)
	}
	if secret == "" {
		return fmt.Errorf("jira: the binding's secret is empty: %w", glassbox.ErrBadSignature)
	}
	if len(got) <= len(signaturePrefix) || !strings.EqualFold(got[:len(signaturePrefix)], signaturePrefix) {
		return fmt.Errorf("jira: %s is not sha256=<hex>: %w", SignatureHeader, glassbox.ErrBadSignature)
	}
	switch err := hmachex.Check(got[len(signaturePrefix):], secret, d.Body); {
	case errors.Is(err, hmachex.ErrNotHex):
		return fmt.Errorf("jira: %s is not sha256=<hex>: %w", SignatureHeader, glassbox.ErrBadSignature)
	case err != nil:
		return fmt.Errorf("jira: signature does not match body: %w", glassbox.ErrBadSignature)
	}
	return nil
}

// status is an issue's status as the issue carries it.
type status struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	StatusCategory struct {
		Key string `json:"key"`
	} `json:"statusCategory"`
	// Resolution is the issue's resolution name, when it is in this status (from fields.resolution).
	Resolution string `json:"-"`
}

// change is one changelog item. from and to are status ids for a status change; Jira sends null for an
// empty side, which leaves the string empty.
type change struct {
	Field      string `json:"field"`
	FieldID    string `json:"fieldId"`
	From       text   `json:"from"`
	FromString text   `json:"fromString"`
	To         text   `json:"to"`
	ToString   text   `json:"toString"`
}

// text is a changelog value: a string for the fields Parse reads, but a number, boolean or object for some
// custom fields, which must not make the whole delivery unreadable. Anything but a string reads as "".
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*t = text(s)
	} else {
		*t = ""
	}
	return nil
}

type payload struct {
	Timestamp    json.Number `json:"timestamp"`
	WebhookEvent string      `json:"webhookEvent"`
	User         *struct {
		DisplayName string `json:"displayName"`
	} `json:"user"`
	Issue *struct {
		ID     string `json:"id"`
		Self   string `json:"self"`
		Key    string `json:"key"`
		Fields struct {
			Summary string  `json:"summary"`
			Status  *status `json:"status"`
			// DueDate is the issue's due date, a date without a time of day ("2026-12-04") or null; absent
			// when the delivery leaves the field out.
			DueDate json.RawMessage `json:"duedate"`
			// Resolution is why a resolved issue is resolved ("Done", "Won't Do"), or null.
			Resolution *struct {
				Name string `json:"name"`
			} `json:"resolution"`
		} `json:"fields"`
	} `json:"issue"`
	// Comment is comment_created's comment; its body is the comment as text (wiki markup).
	Comment *struct {
		ID      string `json:"id"`
		Body    text   `json:"body"`
		Created string `json:"created"`
		Author  *struct {
			DisplayName string `json:"displayName"`
		} `json:"author"`
	} `json:"comment"`
	// Worklog is worklog_created's work log: the issue's id (the delivery has no issue) and the time spent.
	Worklog *struct {
		ID               string      `json:"id"`
		IssueID          string      `json:"issueId"`
		TimeSpentSeconds json.Number `json:"timeSpentSeconds"`
		Author           *struct {
			DisplayName string `json:"displayName"`
		} `json:"author"`
	} `json:"worklog"`
	Changelog *struct {
		ID    string   `json:"id"`
		Items []change `json:"items"`
	} `json:"changelog"`
}

// Parse turns a delivery into at most one task event for binding b:
//   - jira:issue_created → task_created, in the issue's status;
//   - jira:issue_updated whose changelog changes "status" → task_moved, from the changelog's from/fromString to
//     its to/toString (the status ids and names);
//   - jira:issue_updated whose changelog changes only the summary or the due date → task_updated;
//   - comment_created whose body starts with a reason marker → task_noted (glassbox.Binding.NoteOf), id
//     "{issue id}:comment:{comment id}"; other comments are ignored;
//   - worklog_created → work_logged with the worklog's timeSpentSeconds in whole minutes (rounded up), id
//     "{issue id}:worklog:{worklog id}". The delivery has only the issue's id: the event has no title or link.
//
// Every event carries the issue's due date when the delivery has fields.duedate (see setDue).
//
// Statuses: the binding's status_map names Jira statuses by id or name. When it names neither, a status in
// Jira's "Done" category (statusCategory key "done") is done, so a workflow's own done statuses ("Closed",
// "Released") need no map; the map wins when it names the status (a "Done"-category "Won't do" mapped to
// blocked stays blocked), and an unmapped "Done"-category status with a resolution of notDone ("Won't Do") is
// cancelled. The category is known only for the status the issue is in, so a status left that the
// map does not name gives no PrevStatus, and React uses the stored one.
//
// Other events (comment edits, worklog edits, projects) and other issue changes yield no event and no error. A
// body that is not JSON or has no webhookEvent, or an issue event without issue id, is glassbox.ErrMalformed.
//
// The event id is "{issue id}:{changelog id}:{timestamp}" from the signed body, which a retry repeats. Not the
// X-Atlassian-Webhook-Identifier header: it is outside the signature, so a captured delivery replayed under a new
// identifier would be a new event and tell the client "done" again.
func (Provider) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	var p payload
	if err := json.Unmarshal(d.Body, &p); err != nil {
		// An event Glassbox does not read may carry fields of other shapes: it is ignored, not refused.
		var head struct {
			WebhookEvent string `json:"webhookEvent"`
		}
		if json.Unmarshal(d.Body, &head) == nil && head.WebhookEvent != "" && !reads(head.WebhookEvent) {
			return nil, nil
		}
		return nil, fmt.Errorf("jira: decode body: %v: %w", err, glassbox.ErrMalformed)
	}
	if p.WebhookEvent == "" {
		return nil, fmt.Errorf("jira: body has no webhookEvent: %w", glassbox.ErrMalformed)
	}
	if !reads(p.WebhookEvent) {
		return nil, nil
	}
	if p.WebhookEvent == EventWorklogCreated {
		return worklog(d, b, p)
	}
	issue := p.Issue
	if issue == nil || issue.ID == "" {
		return nil, fmt.Errorf("jira: %s has no issue id: %w", p.WebhookEvent, glassbox.ErrMalformed)
	}

	if p.WebhookEvent == EventCommentCreated {
		return comment(d, b, p)
	}

	var changelogID string
	var statusChange, summaryChange, dueChange *change
	if p.Changelog != nil {
		changelogID = p.Changelog.ID
		for i, c := range p.Changelog.Items {
			switch {
			case isField(c, "status"):
				statusChange = &p.Changelog.Items[i]
			case isField(c, "summary"):
				summaryChange = &p.Changelog.Items[i]
			case isField(c, "duedate"):
				dueChange = &p.Changelog.Items[i]
			}
		}
	}

	id := eventID(issue.ID, changelogID, p.Timestamp.String())
	e := glassbox.Event{
		ID:              glassbox.EventID(Name, id),
		BindingID:       b.ID,
		Provider:        Name,
		ProviderEventID: id,
		ProviderType:    p.WebhookEvent,
		TaskID:          issue.ID,
		Title:           issue.Fields.Summary,
		URL:             browseURL(issue.Self, issue.Key),
		ReceivedAt:      d.ReceivedAt.UTC(),
	}
	if ms, err := p.Timestamp.Int64(); err == nil && ms > 0 && ms < maxMillis {
		e.OccurredAt = time.UnixMilli(ms).UTC()
	}
	if p.User != nil {
		e.Actor = p.User.DisplayName
	}
	current := issue.Fields.Status
	if current != nil && issue.Fields.Resolution != nil {
		current.Resolution = issue.Fields.Resolution.Name
	}
	if err := setDue(&e, issue.Fields.DueDate, dueChange); err != nil {
		return nil, fmt.Errorf("jira: issue %s: %v: %w", issue.ID, err, glassbox.ErrMalformed)
	}

	switch {
	case p.WebhookEvent == EventIssueCreated:
		e.Kind = glassbox.EventTaskCreated
		if current != nil {
			e.ListID, e.ListName = current.ID, current.Name
			e.Status = statusOf(b, current.ID, current.Name, current)
		}
	case statusChange != nil:
		e.Kind = glassbox.EventTaskMoved
		e.ListID, e.ListName = string(statusChange.To), string(statusChange.ToString)
		e.Status = statusOf(b, e.ListID, e.ListName, current)
		e.PrevListID, e.PrevListName = string(statusChange.From), string(statusChange.FromString)
		e.PrevStatus = b.StatusOf(e.PrevListID, e.PrevListName)
	case summaryChange != nil || dueChange != nil:
		e.Kind = glassbox.EventTaskUpdated
		if e.Title == "" {
			e.Title = string(summaryChange.ToString)
		}
	default:
		return nil, nil
	}
	return []glassbox.Event{e}, nil
}

// comment turns a comment_created delivery into a task_noted event when the comment starts with a reason
// marker; any other comment gives no event.
func comment(d glassbox.Delivery, b glassbox.Binding, p payload) ([]glassbox.Event, error) {
	c, issue := p.Comment, p.Issue
	if c == nil || c.ID == "" || issue == nil || issue.ID == "" {
		return nil, fmt.Errorf("jira: %s has no comment id or issue id: %w", p.WebhookEvent, glassbox.ErrMalformed)
	}
	note, ok := b.NoteOf(string(c.Body))
	if !ok {
		return nil, nil
	}
	e := event(d, b, p, issue.ID, "comment:"+c.ID)
	e.Kind, e.Note = glassbox.EventTaskNoted, note
	e.Title, e.URL = issue.Fields.Summary, browseURL(issue.Self, issue.Key)
	if c.Author != nil {
		e.Actor = c.Author.DisplayName
	}
	return []glassbox.Event{e}, nil
}

// worklog turns a worklog_created delivery into a work_logged event of its issue.
func worklog(d glassbox.Delivery, b glassbox.Binding, p payload) ([]glassbox.Event, error) {
	w := p.Worklog
	if w == nil || w.ID == "" || w.IssueID == "" {
		return nil, fmt.Errorf("jira: %s has no worklog id or issueId: %w", p.WebhookEvent, glassbox.ErrMalformed)
	}
	secs, err := w.TimeSpentSeconds.Int64()
	if err != nil || secs < 0 || secs > maxWorklogSeconds {
		return nil, fmt.Errorf("jira: worklog %s: timeSpentSeconds %q is not a duration: %w", w.ID, w.TimeSpentSeconds, glassbox.ErrMalformed)
	}
	if secs == 0 {
		return nil, nil
	}
	e := event(d, b, p, w.IssueID, "worklog:"+w.ID)
	e.Kind, e.Minutes = glassbox.EventWorkLogged, (secs+59)/60
	if w.Author != nil {
		e.Actor = w.Author.DisplayName
	}
	return []glassbox.Event{e}, nil
}

// maxWorklogSeconds bounds a worklog: a year of work is not one entry.
const maxWorklogSeconds = 366 * 24 * 3600

// event is the part of a comment's or worklog's event every such delivery gives: its id ("{issue}:{what}"),
// task and time.
func event(d glassbox.Delivery, b glassbox.Binding, p payload, issueID, what string) glassbox.Event {
	id := issueID + ":" + what
	e := glassbox.Event{
		ID:              glassbox.EventID(Name, id),
		BindingID:       b.ID,
		Provider:        Name,
		ProviderEventID: id,
		ProviderType:    p.WebhookEvent,
		TaskID:          issueID,
		ReceivedAt:      d.ReceivedAt.UTC(),
	}
	if ms, err := p.Timestamp.Int64(); err == nil && ms > 0 && ms < maxMillis {
		e.OccurredAt = time.UnixMilli(ms).UTC()
	}
	return e
}

// setDue reads the issue's due date, which every delivery carries with the whole issue (fields.duedate, a civil
// date or null: removed); when the issue leaves the field out, a duedate changelog item says it (its to, the
// date). Jira's due date has no time of day: it ends at the end of that day in the project's zone
// (glassbox.EndOfDueDate), as Jira itself shows an issue overdue only the day after.
func setDue(e *glassbox.Event, field json.RawMessage, change *change) error {
	switch {
	case len(field) > 0:
		var due *string
		if err := json.Unmarshal(field, &due); err != nil {
			return fmt.Errorf("duedate is not a date: %s", field)
		}
		if due == nil {
			return e.SetDue("")
		}
		return e.SetDue(civilDate(*due))
	case change != nil:
		return e.SetDue(civilDate(string(change.To)))
	}
	return nil
}

// civilDate is the date part of a Jira date ("2026-12-04", or "2026-12-04 00:00:00.0" in some changelogs).
func civilDate(s string) string {
	if len(s) > len(glassbox.CivilDateLayout) && s[len(glassbox.CivilDateLayout)] == ' ' {
		return s[:len(glassbox.CivilDateLayout)]
	}
	return s
}

// statusOf is the status the binding gives the Jira status id/name, or, when its map names neither, done if
// the issue is in that status and the status is of Jira's Done category. The issue's status is the one it is
// in when Jira sent the delivery; when the changelog names another (the issue moved on at once), its category
// is not known and the status stays unknown.
func statusOf(b glassbox.Binding, id, name string, current *status) glassbox.TaskStatus {
	if s := b.StatusOf(id, name); s != glassbox.StatusUnknown {
		return s
	}
	if current == nil || !strings.EqualFold(current.StatusCategory.Key, CategoryDone) {
		return glassbox.StatusUnknown
	}
	if (id != "" && id == current.ID) || (id == "" && name != "" && strings.EqualFold(name, current.Name)) {
		for _, r := range notDone {
			if strings.EqualFold(current.Resolution, r) {
				return glassbox.StatusCancelled
			}
		}
		return glassbox.StatusDone
	}
	return glassbox.StatusUnknown
}

func isField(c change, name string) bool {
	return c.FieldID == name || (c.FieldID == "" && strings.EqualFold(c.Field, name))
}

// eventID names the change by the issue, the changelog and the time the signed body reports.
func eventID(issueID, changelogID, timestamp string) string {
	return issueID + ":" + changelogID + ":" + timestamp
}

// browseURL is the page of the issue: {site}/browse/{key}, the site being the scheme and host of the issue's
// REST self link. Empty when either is missing.
func browseURL(self, key string) string {
	u, err := url.Parse(self)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || key == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/browse/" + url.PathEscape(key)
}

// maxMillis is the start of year 10000: later times do not survive JSON, so a timestamp beyond it is ignored.
var maxMillis = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
