package clickup_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/clickup"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

const token = "pk_183_SECRETTOKENVALUE"

// fakeAPI answers GET /api/v2/task/{id} like ClickUp's API: the sample task for 86c1dm7ab with the right token,
// ClickUp's error JSON otherwise. answer, when set, replaces it.
func fakeAPI(t *testing.T, answer http.HandlerFunc) *httptest.Server {
	t.Helper()
	task, err := os.ReadFile(filepath.Join("..", "..", "events", "clickup-task-get-response.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if answer != nil {
			answer(w, r)
			return
		}
		switch {
		case r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/api/v2/task/"):
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"err":"Route not found","ECODE":"APP_001"}`))
		case r.Header.Get("Authorization") != token:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"err":"Token invalid","ECODE":"OAUTH_025"}`))
		case r.URL.Path != "/api/v2/task/86c1dm7ab":
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"err":"Task not found, deleted","ECODE":"ITEM_013"}`))
		default:
			w.Write(task)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func movedEvent() glassbox.Event {
	return glassbox.Event{ID: "clickup:4398011203301998765", Provider: "clickup", Kind: glassbox.EventTaskMoved,
		TaskID: "86c1dm7ab", URL: "https://app.clickup.com/t/86c1dm7ab", ListName: "готово", Status: glassbox.StatusDone,
		PrevListName: "в работе", PrevStatus: glassbox.StatusInProgress}
}

func TestReadBackCompletesTitleAndURL(t *testing.T) {
	srv := fakeAPI(t, nil)
	b := binding
	b.APIURL = srv.URL + "/api/v2/"
	got, err := clickup.New().ReadBack(context.Background(), b, token, movedEvent())
	if err != nil {
		t.Fatal(err)
	}
	want := movedEvent()
	want.Title = "Баннеры для рекламной кампании"
	want.HasDue = true // the answer's due_date is null: the task has no due date
	if got != want {
		t.Fatalf("ReadBack:\n got %+v\nwant %+v", got, want)
	}
}

// A delivery that named no status (none in a creation's history) takes the task's current one.
func TestReadBackFillsMissingStatusOnly(t *testing.T) {
	srv := fakeAPI(t, nil)
	b := binding
	b.APIURL = srv.URL + "/api/v2"
	e := glassbox.Event{Kind: glassbox.EventTaskCreated, Provider: "clickup", TaskID: "86c1dm7ab"}
	got, err := clickup.New().ReadBack(context.Background(), b, token, e)
	if err != nil {
		t.Fatal(err)
	}
	if got.ListID != "sc901204523318_k3Xc9ZqA" || got.ListName != "готово" || got.Status != glassbox.StatusDone ||
		got.URL != "https://app.clickup.com/t/86c1dm7ab" {
		t.Fatalf("ReadBack = %+v; want the task's closed status as done, and its url", got)
	}
	// The status a move names is what happened then: the task's current one does not replace it.
	moved := movedEvent()
	moved.ListName, moved.Status = "в работе", glassbox.StatusInProgress
	if got, err := clickup.New().ReadBack(context.Background(), b, token, moved); err != nil || got.Status != glassbox.StatusInProgress || got.ListName != "в работе" {
		t.Fatalf("ReadBack = %+v, %v; want the delivery's status kept", got, err)
	}
}

func TestReadBackLeavesOtherEvents(t *testing.T) {
	e := glassbox.Event{Kind: glassbox.EventLinkAttached, TaskID: "86c1dm7ab"}
	// No server: an event that needs nothing makes no call.
	got, err := clickup.New().ReadBack(context.Background(), glassbox.Binding{APIURL: "http://127.0.0.1:1"}, token, e)
	if err != nil || got != e {
		t.Fatalf("ReadBack = %+v, %v", got, err)
	}
}

func TestReadBackErrors(t *testing.T) {
	answer := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			w.Write([]byte(body))
		}
	}
	tests := []struct {
		name     string
		answer   http.HandlerFunc
		task     string
		token    string
		notFound bool
		wantIn   string
	}{
		{"TaskGone", nil, "nosuch", token, true, "HTTP 404 ITEM_013"},
		{"Gone410", answer(http.StatusGone, `{"err":"Gone","ECODE":"ITEM_410"}`), "86c1dm7ab", token, true, "HTTP 410"},
		{"TaskNotFoundCodeOn400", answer(http.StatusBadRequest, `{"err":"Task not found, deleted","ECODE":"ITEM_013"}`), "86c1dm7ab", token, true, "HTTP 400 ITEM_013"},
		{"OtherCodeOn400", answer(http.StatusBadRequest, `{"err":"Invalid task id","ECODE":"INPUT_003"}`), "86c1dm7ab", token, false, "HTTP 400 INPUT_003"},
		{"BadToken", nil, "86c1dm7ab", "pk_wrong", false, "HTTP 401 OAUTH_025"},
		{"RateLimited", answer(http.StatusTooManyRequests, `{"err":"Rate limit reached","ECODE":"APP_002"}`), "86c1dm7ab", token, false, "HTTP 429"},
		{"ServerError", answer(http.StatusInternalServerError, `<html>oops</html>`), "86c1dm7ab", token, false, "HTTP 500"},
		{"NotJSON200", answer(http.StatusOK, `<html>maintenance</html>`), "86c1dm7ab", token, false, "not a task"},
		{"NoTaskID200", answer(http.StatusOK, `{"name":"x"}`), "86c1dm7ab", token, false, "no task id"},
		{"EmptyToken", nil, "86c1dm7ab", "", false, "api_param"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeAPI(t, tt.answer)
			b := binding
			b.APIURL = srv.URL + "/api/v2"
			e := movedEvent()
			e.TaskID = tt.task
			got, err := clickup.New().ReadBack(context.Background(), b, tt.token, e)
			if err == nil {
				t.Fatalf("ReadBack = %+v, want an error", got)
			}
			if errors.Is(err, glassbox.ErrNotFound) != tt.notFound {
				t.Errorf("errors.Is(%v, ErrNotFound) = %v, want %v", err, !tt.notFound, tt.notFound)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not say %q", err, tt.wantIn)
			}
			if tt.token != "" && strings.Contains(err.Error(), tt.token) {
				t.Errorf("error %q contains the token", err)
			}
		})
	}
}

func TestReadBackTimeoutIsRetriedNotDropped(t *testing.T) {
	srv := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) { time.Sleep(300 * time.Millisecond) })
	b := binding
	b.APIURL = srv.URL + "/api/v2"
	p := clickup.Provider{HTTP: &http.Client{Timeout: 50 * time.Millisecond}}
	_, err := p.ReadBack(context.Background(), b, token, movedEvent())
	if err == nil || errors.Is(err, glassbox.ErrNotFound) || strings.Contains(err.Error(), token) {
		t.Fatalf("ReadBack error = %v; want a retryable error without the token", err)
	}
}

func TestReadBackBadAPIURL(t *testing.T) {
	for _, u := range []string{"ftp://x", "not a url", "https://api.clickup.com/api/v2?x=1"} {
		b := binding
		b.APIURL = u
		if _, err := clickup.New().ReadBack(context.Background(), b, token, movedEvent()); err == nil || errors.Is(err, glassbox.ErrNotFound) {
			t.Errorf("api_url %q: error %v, want a retryable error", u, err)
		}
	}
}
