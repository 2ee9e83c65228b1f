package clickup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// DefaultTimeout bounds one API call, whatever the caller's context allows.
const DefaultTimeout = 10 * time.Second

// DefaultAPIURL is ClickUp's public API, used when a binding gives no api_url.
const DefaultAPIURL = "https://api.clickup.com/api/v2"

// maxAnswerBytes is the largest API answer read; a task is a few kilobytes.
const maxAnswerBytes = 1 << 20

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

// APIError is an error answer of ClickUp's API: {"err":"...","ECODE":"..."}, or an answer that is not JSON.
type APIError struct {
	// Status is the HTTP status of the answer.
	Status int
	// Code is ClickUp's ECODE ("OAUTH_025", "ITEM_015"); empty when the answer has none.
	Code    string
	Message string
}

func (e *APIError) Error() string {
	s := "HTTP " + strconv.Itoa(e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// codeTaskNotFound is the ECODE ClickUp answers for a deleted or unknown task ("Task not found, deleted"), as
// client code in the wild reads it; ClickUp's reference does not list its error codes.
const codeTaskNotFound = "ITEM_013"

// Is makes a task that is gone (404, 410, or ECODE ITEM_013 whatever the status) errors.Is(err,
// glassbox.ErrNotFound): the event is dropped. Every other answer (401 for a revoked token, 429, 5xx) leaves the
// event to be retried.
func (e *APIError) Is(target error) bool {
	return target == glassbox.ErrNotFound &&
		(e.Status == http.StatusNotFound || e.Status == http.StatusGone || e.Code == codeTaskNotFound)
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
	if u, err := url.Parse(t.URL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
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
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fail("the API URL is not an http(s) base URL")
	}
	endpoint := strings.TrimRight(apiURL, "/") + "/task/" + url.PathEscape(taskID)

	ctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return fail("the API URL is not an http(s) base URL")
	}
	req.Header.Set("Authorization", credential)
	req.Header.Set("Accept", "application/json")
	hc := p.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		// *url.Error names the URL (never the header); keep what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fail("%w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return fail("read answer: %w", err)
	}
	if len(body) > maxAnswerBytes {
		return fail("answer over %d bytes", maxAnswerBytes)
	}
	if resp.StatusCode != http.StatusOK {
		var answer struct {
			Err   string `json:"err"`
			ECode string `json:"ECODE"`
		}
		_ = json.Unmarshal(body, &answer)
		return fail("%w", &APIError{Status: resp.StatusCode, Code: clip(answer.ECode, 40), Message: clip(answer.Err, 200)})
	}
	var t Task
	if err := json.Unmarshal(body, &t); err != nil {
		return fail("%w", &APIError{Status: resp.StatusCode, Message: "the answer is not a task (" + clip(resp.Header.Get("Content-Type"), 60) + ")"})
	}
	if t.ID == "" {
		return fail("the answer has no task id")
	}
	return t, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}
