package asana

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/readback"
)

// DefaultAPIURL is Asana's REST API; a binding's api_url replaces it (glassbox dev points it at a stand-in).
const DefaultAPIURL = "https://app.asana.com/api/1.0"

// DefaultTimeout bounds one read-back, whatever the caller's context allows.
const DefaultTimeout = readback.DefaultTimeout

// taskFields are the task fields ReadBack asks for (opt_fields).
const taskFields = "name,completed,permalink_url,memberships.section.name,memberships.project.gid,due_on,due_at"

// Task is what ReadBack reads of a task: GET /tasks/{gid} with taskFields.
type Task struct {
	GID          string       `json:"gid"`
	Name         string       `json:"name"`
	Completed    bool         `json:"completed"`
	PermalinkURL string       `json:"permalink_url"`
	Memberships  []Membership `json:"memberships"`
	// DueAt is the task's due time (RFC 3339, UTC) when it has one; DueOn its due date (2026-12-04) otherwise;
	// both null when it has none. Asana sets one or the other.
	DueAt *string `json:"due_at"`
	DueOn *string `json:"due_on"`
	// hasDue says the answer had the fields at all (a stand-in may leave them out).
	hasDue bool
}

// UnmarshalJSON reads a task and notes whether the answer named its due date.
func (t *Task) UnmarshalJSON(b []byte) error {
	type plain Task
	var v struct {
		plain
		DueAt json.RawMessage `json:"due_at"`
		DueOn json.RawMessage `json:"due_on"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*t = Task(v.plain)
	t.hasDue = len(v.DueAt) > 0 || len(v.DueOn) > 0
	for _, f := range []struct {
		raw json.RawMessage
		dst **string
	}{{v.DueAt, &t.DueAt}, {v.DueOn, &t.DueOn}} {
		if len(f.raw) > 0 && json.Unmarshal(f.raw, f.dst) != nil {
			return fmt.Errorf("due date %.40s is not a string", f.raw)
		}
	}
	return nil
}

// due is the task's due date as glassbox.Event.SetDue reads it: due_at when it has a time, else due_on (a
// civil date, due at the end of that day in the project's zone), else "" (none).
func (t Task) due() string {
	switch {
	case t.DueAt != nil && *t.DueAt != "":
		return *t.DueAt
	case t.DueOn != nil:
		return *t.DueOn
	}
	return ""
}

// Membership is a task's place in one project: the project and its section (board column) there.
type Membership struct {
	Project *struct {
		GID string `json:"gid"`
	} `json:"project"`
	Section *struct {
		GID  string `json:"gid"`
		Name string `json:"name"`
	} `json:"section"`
}

// APIError is an error answer of Asana's API, {"errors":[{"message":"..."}]}, or an answer that is not JSON.
// A 404 or 410 is also glassbox.ErrNotFound (the task is gone, or the token cannot see it any more).
type APIError = readback.HTTPError

// ReadBack completes a task event: Asana's events carry only gids, so the task's name, permalink, section and
// completed flag are read through the API at b.APIURL (DefaultAPIURL when empty) with credential, a personal
// access token or OAuth token (the binding's api_param), and the event gets the task's title, URL, section as its
// list, status (StatusOf) and due date (due_at, else due_on). The section is the one in the binding's project (external_id), else the first the
// task has. The event's kind and times stay as delivered; the state read is the task's state now, which for an
// event processed late may be newer than the event. A comment's event reads its story instead (readComment); a
// work log has nothing to read.
func (p Provider) ReadBack(ctx context.Context, b glassbox.Binding, credential string, e glassbox.Event) (glassbox.Event, error) {
	if e.TaskID == "" || e.Kind.IsDeal() || e.Kind == glassbox.EventWorkLogged {
		return e, nil
	}
	if e.Kind == glassbox.EventTaskNoted {
		return p.readComment(ctx, b, credential, e)
	}
	t, err := p.FetchTask(ctx, b.APIURL, credential, e.TaskID)
	if err != nil {
		return e, err
	}
	if t.Name != "" {
		e.Title = t.Name
	}
	if readback.WebLink(t.PermalinkURL) {
		e.URL = t.PermalinkURL
	}
	e.ListID, e.ListName = t.place(b.ExternalID)
	e.Status = StatusOf(b, e.ListID, e.ListName, t.Completed)
	if t.hasDue {
		// Asana's events never say the due date: every event takes the task's (a due date that does not read
		// is left unsaid rather than failing the event).
		var due glassbox.Event
		if due.SetDue(t.due()) == nil {
			e.Due, e.DueDate, e.DueAllDay, e.HasDue = due.Due, due.DueDate, due.DueAllDay, due.HasDue
		}
	}
	return e, nil
}

// readComment completes a comment's event: its story's text through the binding's reason markers
// (glassbox.Binding.NoteOf) is the Note, empty when the comment has no marker (React then drops the event), and
// its task's name the Title. Nothing else changes: a comment moves nothing.
func (p Provider) readComment(ctx context.Context, b glassbox.Binding, credential string, e glassbox.Event) (glassbox.Event, error) {
	s, err := p.FetchStory(ctx, b.APIURL, credential, e.ProviderEventID)
	if err != nil {
		return e, err
	}
	if s.Target != nil && s.Target.GID != "" && s.Target.GID != e.TaskID {
		return e, fmt.Errorf("asana: story %s is on task %q, not %s", s.GID, readback.Clip(s.Target.GID, 40), e.TaskID)
	}
	e.Note, _ = b.NoteOf(s.Text)
	if s.Target != nil && s.Target.Name != "" {
		e.Title = s.Target.Name
	}
	if s.CreatedBy != nil && s.CreatedBy.Name != "" {
		e.Actor = s.CreatedBy.Name
	}
	return e, nil
}

// StatusOf is a task's status for a binding: its section through the status map, except that a completed
// task (Asana's own "done", the checkmark) is done wherever it sits, unless the status map names CompletedKey
// ("completed") under another status. So a team that only ticks tasks off still tells its clients, and a
// board whose Done column is mapped works as well: an unticked task in a done column is done by its column.
func StatusOf(b glassbox.Binding, sectionID, sectionName string, completed bool) glassbox.TaskStatus {
	if completed {
		if s := b.StatusOf("", CompletedKey); s != glassbox.StatusUnknown {
			return s
		}
		return glassbox.StatusDone
	}
	return b.StatusOf(sectionID, sectionName)
}

// place is the task's list as events carry it: its section in project (or in its first project), or the
// project itself when that membership has no section. A task in no project (a subtask) has none.
func (t Task) place(project string) (id, name string) {
	if len(t.Memberships) == 0 {
		return "", ""
	}
	m := t.Memberships[0]
	for _, c := range t.Memberships {
		if c.Project != nil && c.Project.GID == project {
			m = c
			break
		}
	}
	switch {
	case m.Section != nil && m.Section.GID != "":
		return m.Section.GID, m.Section.Name
	case m.Project != nil:
		return m.Project.GID, ""
	}
	return "", ""
}

// FetchTask reads one task: GET {apiURL}/tasks/{gid}?opt_fields=… with the token as a Bearer credential.
// apiURL empty means DefaultAPIURL. An error answer is an *APIError (errors.As); 404 and 410 are also
// glassbox.ErrNotFound. No error contains the token.
func (p Provider) FetchTask(ctx context.Context, apiURL, token, gid string) (Task, error) {
	var t Task
	err := p.get(ctx, apiURL, token, "task", gid, "/tasks/"+gid+"?opt_fields="+url.QueryEscape(taskFields), &t, func() string { return t.GID })
	return t, err
}

// storyFields are the story fields ReadBack asks for a comment (opt_fields).
const storyFields = "text,resource_subtype,created_by.name,target.name"

// Story is what ReadBack reads of a comment: GET /stories/{gid} with storyFields.
type Story struct {
	GID             string `json:"gid"`
	ResourceSubtype string `json:"resource_subtype"`
	Text            string `json:"text"`
	CreatedBy       *struct {
		Name string `json:"name"`
	} `json:"created_by"`
	Target *struct {
		GID  string `json:"gid"`
		Name string `json:"name"`
	} `json:"target"`
}

// FetchStory reads one story (a comment): GET {apiURL}/stories/{gid}?opt_fields=…, as FetchTask does.
func (p Provider) FetchStory(ctx context.Context, apiURL, token, gid string) (Story, error) {
	var s Story
	err := p.get(ctx, apiURL, token, "story", gid, "/stories/"+gid+"?opt_fields="+url.QueryEscape(storyFields), &s, func() string { return s.GID })
	return s, err
}

// get reads one resource of kind (task, story) by gid into data ({"data":{...}}), checking the answer is that
// resource (answered gid, read after decoding).
func (p Provider) get(ctx context.Context, apiURL, token, kind, gid, path string, data any, answered func() string) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("asana: read %s %s: "+format, append([]any{kind, strconv.Quote(gid)}, args...)...)
	}
	if !isGID(gid) {
		return fail("not a %s gid", kind)
	}
	if token == "" {
		return fail("no API token")
	}
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	if !readback.ValidBase(apiURL) {
		return fail("api_url %q is not an http(s) URL", apiURL)
	}
	a, err := readback.Do(ctx, p.HTTP, readback.Request{
		URL:    readback.Endpoint(apiURL, path),
		Header: http.Header{"Authorization": {"Bearer " + token}},
	})
	if err != nil {
		return fail("%w", err)
	}
	var answer struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	jsonErr := json.Unmarshal(a.Body, &answer)
	if !a.OK() {
		ae := &APIError{Status: a.Status}
		if jsonErr == nil && len(answer.Errors) > 0 {
			ae.Message = readback.Clip(answer.Errors[0].Message, 200)
		}
		return fail("%w", ae)
	}
	if jsonErr != nil {
		return fail("%w", &APIError{Status: a.Status, Message: "the answer is not JSON (" + readback.Clip(a.ContentType, 60) + ")"})
	}
	if len(answer.Data) == 0 || string(answer.Data) == "null" {
		return fail("the answer has no %s", kind)
	}
	if err := json.Unmarshal(answer.Data, data); err != nil {
		return fail("%w", &APIError{Status: a.Status, Message: "the answer's data is not JSON of a " + kind})
	}
	if answered() == "" {
		return fail("the answer has no %s", kind)
	}
	if answered() != gid {
		return fail("the answer is %s %q", kind, readback.Clip(answered(), 40))
	}
	return nil
}

// clipText shortens text from a delivery for an error message.
func clipText(s string, n int) string { return readback.Clip(s, n) }
