package clickup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/readback"
)

// DefaultTimeout bounds one API call, whatever the caller's context allows.
const DefaultTimeout = readback.DefaultTimeout

// DefaultAPIURL is ClickUp's public API, used when a binding gives no api_url.
const DefaultAPIURL = "https://api.clickup.com/api/v2"

// Task is what ReadBack needs of a task as GET /task/{task_id} answers it.
type Task struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	URL    string `json:"url"`
	Status status `json:"status"`
	// DueDate is the task's due date in milliseconds (a string), or null; DueDateTime says whether it has a
	// time of day (false or absent: ClickUp keeps a date alone as 4 am in the zone of whoever set it).
	DueDate     json.RawMessage `json:"due_date"`
	DueDateTime *bool           `json:"due_date_time"`
}

// due is the task's due date as the answer gives it, and whether its time of day means anything; an error when
// the answer has no due_date at all.
func (t Task) due() (time.Time, bool, error) {
	if len(t.DueDate) == 0 {
		return time.Time{}, false, errors.New("no due_date")
	}
	at, err := millis(t.DueDate)
	return at, t.DueDateTime != nil && *t.DueDateTime, err
}

// APIError is an error answer of ClickUp's API: {"err":"...","ECODE":"..."} (Code is the ECODE, "OAUTH_025",
// "ITEM_015"), or an answer that is not JSON.
type APIError struct {
	readback.HTTPError
}

// codeTaskNotFound is the ECODE ClickUp answers for a deleted or unknown task ("Task not found, deleted"), as
// client code in the wild reads it; ClickUp's reference does not list its error codes.
const codeTaskNotFound = "ITEM_013"

// Is makes a task that is gone (404, 410, or ECODE ITEM_013 whatever the status) errors.Is(err,
// glassbox.ErrNotFound): the event is dropped. Every other answer (401 for a revoked token, 429, 5xx) leaves the
// event to be retried.
func (e *APIError) Is(target error) bool {
	return e.HTTPError.Is(target) || (target == glassbox.ErrNotFound && e.Code == codeTaskNotFound)
}

// ReadBack completes a task event with what the delivery lacks: the task's name and its url, its current
// status when the delivery named none, and its due date (see setDue). The status a delivery names is kept: it is what happened then, and the
// task may have moved on since (that move is its own event). credential is the binding's api_param: a personal
// token (pk_...), sent as stored as the whole Authorization header, as ClickUp documents it. The API is
// b.APIURL, or ClickUp's own when it is empty.
func (p Provider) ReadBack(ctx context.Context, b glassbox.Binding, credential string, e glassbox.Event) (glassbox.Event, error) {
	switch e.Kind {
	case glassbox.EventTaskCreated, glassbox.EventTaskMoved, glassbox.EventTaskUpdated:
	default:
		return e, nil
	}
	t, err := p.FetchTask(ctx, b.APIURL, credential, e.TaskID)
	if err != nil {
		return e, err
	}
	if t.Name != "" {
		e.Title = t.Name
	}
	if readback.WebLink(t.URL) {
		e.URL = t.URL
	}
	if e.ListID == "" && e.ListName == "" && t.Status.Status != "" {
		e.ListID, e.ListName = t.Status.ID, t.Status.Status
		e.Status = statusOf(b, t.Status)
	}
	setDue(&e, t)
	return e, nil
}

// setDue gives the event the task's due date from the API's answer when the delivery did not say it, and,
// when the answer's due date is the delivery's, whether it has a time of day: a date without one is due at the
// end of its day in the project's zone (glassbox.Event.SetDueDay). An answer without due_date, or one that does
// not read, changes nothing.
func setDue(e *glassbox.Event, t Task) {
	due, withTime, err := t.due()
	switch {
	case err != nil:
	case !e.HasDue && withTime, !e.HasDue && due.IsZero():
		e.SetDueTime(due)
	case !e.HasDue:
		e.SetDueDay(due)
	case !withTime && !due.IsZero() && e.Due.Equal(due):
		e.SetDueDay(due)
	}
}

// FetchTask reads one task with GET {apiURL}/task/{taskID} (apiURL empty: DefaultAPIURL). An error answer is an
// *APIError (errors.As); a task that is gone is also glassbox.ErrNotFound. No error contains the credential.
func (p Provider) FetchTask(ctx context.Context, apiURL, credential, taskID string) (Task, error) {
	fail := func(format string, args ...any) (Task, error) {
		return Task{}, fmt.Errorf("clickup: get task %s: "+format, append([]any{strconv.Quote(taskID)}, args...)...)
	}
	if taskID == "" {
		return fail("no task id")
	}
	if credential == "" {
		return fail("the binding's API token (api_param) is empty")
	}
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	if !readback.ValidBase(apiURL) {
		return fail("the API URL is not an http(s) base URL")
	}
	a, err := readback.Do(ctx, p.HTTP, readback.Request{
		URL:    readback.Endpoint(apiURL, "/task/"+url.PathEscape(taskID)),
		Header: http.Header{"Authorization": {credential}},
	})
	if err != nil {
		return fail("%w", err)
	}
	if !a.OK() {
		var answer struct {
			Err   string `json:"err"`
			ECode string `json:"ECODE"`
		}
		_ = json.Unmarshal(a.Body, &answer)
		return fail("%w", &APIError{readback.HTTPError{Status: a.Status, Code: readback.Clip(answer.ECode, 40), Message: readback.Clip(answer.Err, 200)}})
	}
	var t Task
	if err := json.Unmarshal(a.Body, &t); err != nil {
		return fail("%w", &APIError{readback.HTTPError{Status: a.Status, Message: "the answer is not a task (" + readback.Clip(a.ContentType, 60) + ")"}})
	}
	if t.ID == "" {
		return fail("the answer has no task id")
	}
	return t, nil
}
