package asana_test

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

	"github.com/glassbox-oss/glassbox/shared/asana"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// token is the personal access token the fake API accepts.
const token = "2/1201234567890001/1208765432100000:secrettokenvalue"

// fakeAPI answers GET /api/1.0/tasks/{gid} like Asana: the sample task for 1207654321000042 with the bearer
// token, Asana's error JSON otherwise. answer, when set, replaces the task answer.
func fakeAPI(t *testing.T, answer http.HandlerFunc) *httptest.Server {
	t.Helper()
	task := providertest.Testdata(t, "asana-task-get-response.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"errors":[{"message":"Not Authorized","help":"For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors"}]}`))
			return
		}
		if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/api/1.0/tasks/") {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"errors":[{"message":"No matching route for request"}]}`))
			return
		}
		if got, want := r.URL.Query().Get("opt_fields"), "name,completed,permalink_url,memberships.section.name,memberships.project.gid,due_on,due_at"; got != want {
			t.Errorf("opt_fields = %q, want %q", got, want)
		}
		if answer != nil {
			answer(w, r)
			return
		}
		if r.URL.Path != "/api/1.0/tasks/1207654321000042" {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"errors":[{"message":"task: Unknown object: 1207654321000099"}]}`))
			return
		}
		w.Write(task)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func movedEvent() glassbox.Event {
	return glassbox.Event{ID: "asana:1207654321000042:x", Provider: "asana", Kind: glassbox.EventTaskMoved,
		TaskID: "1207654321000042", URL: asana.TaskURL("1207654321000042"), ListID: "1207000000000303",
		OccurredAt: time.Date(2025, 5, 24, 9, 41, 22, 0, time.UTC)}
}

func TestReadBack(t *testing.T) {
	srv := fakeAPI(t, nil)
	b := binding
	b.APIURL = srv.URL + "/api/1.0/"
	got, err := asana.New().ReadBack(context.Background(), b, token, movedEvent())
	if err != nil {
		t.Fatal(err)
	}
	want := movedEvent()
	want.Title = "Landing page for spring campaign"
	want.URL = "https://app.asana.com/0/1207000000000100/1207654321000042"
	want.ListID, want.ListName, want.Status = "1207000000000303", "Done", glassbox.StatusDone
	if got != want {
		t.Fatalf("ReadBack:\n got %+v\nwant %+v", got, want)
	}
}

// TestReadBackSampleAnswer reads the answer glassbox dev serves as its stand-in for Asana's API.
func TestReadBackSampleAnswer(t *testing.T) {
	answer, err := os.ReadFile(filepath.Join("..", "..", "events", "asana-task-get-response.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) { w.Write(answer) })
	b := binding
	b.APIURL = srv.URL + "/api/1.0"
	b.ExternalID, b.StatusMap = "1207000000000100", map[glassbox.TaskStatus][]string{glassbox.StatusDone: {"1207000000000303"}}
	got, err := asana.New().ReadBack(context.Background(), b, token, movedEvent())
	if err != nil {
		t.Fatal(err)
	}
	if got.Title == "" || got.ListName != "Готово" || got.Status != glassbox.StatusDone || !strings.HasPrefix(got.URL, "https://app.asana.com/") {
		t.Fatalf("event = %+v, want a titled task in Готово, done, with its permalink", got)
	}
}

// TestStatusOf: the section decides through the status map, but Asana's checkmark is done wherever the task
// sits, unless the map names "completed" itself.
func TestStatusOf(t *testing.T) {
	reviewed := binding
	reviewed.StatusMap = map[glassbox.TaskStatus][]string{
		glassbox.StatusInProgress: {"In Progress"},
		glassbox.StatusReview:     {"completed"},
		glassbox.StatusDone:       {"Accepted"},
	}
	tests := []struct {
		name      string
		b         glassbox.Binding
		section   string
		completed bool
		want      glassbox.TaskStatus
	}{
		{"SectionMapped", binding, "In Progress", false, glassbox.StatusInProgress},
		{"SectionUnmapped", binding, "Backlog", false, glassbox.StatusUnknown},
		{"CompletedInUnmappedSection", binding, "Backlog", true, glassbox.StatusDone},
		{"CompletedInMappedSection", binding, "In Progress", true, glassbox.StatusDone},
		{"UncompletedInDoneSection", binding, "1207000000000303", false, glassbox.StatusDone},
		{"CompletedNamedByTheMap", reviewed, "In Progress", true, glassbox.StatusReview},
		{"NotCompletedWithCompletedKey", reviewed, "Accepted", false, glassbox.StatusDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, name := tt.section, tt.section
			if got := asana.StatusOf(tt.b, id, name, tt.completed); got != tt.want {
				t.Fatalf("StatusOf = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadBackMemberships(t *testing.T) {
	tests := []struct {
		name         string
		answer       string
		wantID       string
		wantName     string
		wantStatus   glassbox.TaskStatus
		wantTitleURL bool
	}{
		{"TheBindingsProjectWins", `{"data":{"gid":"1207654321000042","name":"T","completed":false,"memberships":[` +
			`{"project":{"gid":"999"},"section":{"gid":"9991","name":"Elsewhere"}},` +
			`{"project":{"gid":"1207000000000100"},"section":{"gid":"1207000000000301","name":"To Do"}}]}}`,
			"1207000000000301", "To Do", glassbox.StatusTodo, true},
		{"FirstProjectWhenNoneMatches", `{"data":{"gid":"1207654321000042","name":"T","completed":false,"memberships":[` +
			`{"project":{"gid":"999"},"section":{"gid":"9991","name":"In progress"}}]}}`,
			"9991", "In progress", glassbox.StatusInProgress, true},
		{"ProjectWithoutSection", `{"data":{"gid":"1207654321000042","name":"T","completed":true,"memberships":[` +
			`{"project":{"gid":"1207000000000100"}}]}}`,
			"1207000000000100", "", glassbox.StatusDone, true},
		{"SubtaskInNoProject", `{"data":{"gid":"1207654321000042","name":"T","completed":true,"memberships":[]}}`,
			"", "", glassbox.StatusDone, true},
		// A permalink that is not a web link is not put in a client's email: the gid link stays.
		{"OddPermalinkIgnored", `{"data":{"gid":"1207654321000042","name":"T","completed":false,"permalink_url":"javascript:alert(1)","memberships":[]}}`,
			"", "", glassbox.StatusUnknown, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(tt.answer)) })
			b := binding
			b.APIURL = srv.URL + "/api/1.0"
			got, err := asana.New().ReadBack(context.Background(), b, token, movedEvent())
			if err != nil {
				t.Fatal(err)
			}
			if got.ListID != tt.wantID || got.ListName != tt.wantName || got.Status != tt.wantStatus || got.Title != "T" {
				t.Errorf("got list %q %q status %q title %q, want %q %q %q T", got.ListID, got.ListName, got.Status, got.Title, tt.wantID, tt.wantName, tt.wantStatus)
			}
			if !tt.wantTitleURL && got.URL != asana.TaskURL("1207654321000042") {
				t.Errorf("URL = %q, want the gid link", got.URL)
			}
		})
	}
}

func TestReadBackErrors(t *testing.T) {
	answer := func(status int, contentType, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			w.Write([]byte(body))
		}
	}
	const js = "application/json; charset=UTF-8"
	tests := []struct {
		name     string
		answer   http.HandlerFunc
		token    string
		notFound bool
		wantIn   string
	}{
		{"NotFound", answer(404, js, `{"errors":[{"message":"task: Unknown object: 1207654321000042"}]}`), token, true, "HTTP 404: task: Unknown object"},
		{"Gone", answer(410, js, `{"errors":[{"message":"gone"}]}`), token, true, "HTTP 410"},
		{"BadToken", nil, "wrong-token", false, "HTTP 401: Not Authorized"},
		{"Forbidden", answer(403, js, `{"errors":[{"message":"Forbidden"}]}`), token, false, "HTTP 403"},
		{"RateLimited", answer(429, js, `{"errors":[{"message":"You have made too many requests recently."}]}`), token, false, "HTTP 429"},
		{"ServerError", answer(500, js, `{"errors":[{"message":"Server Error","phrase":"6 sad squid snuggle softly"}]}`), token, false, "HTTP 500: Server Error"},
		{"NotJSON502", answer(502, "text/html", "<html>bad gateway</html>"), token, false, "HTTP 502"},
		{"NotJSON200", answer(200, "text/html", "<html>maintenance</html>"), token, false, "not JSON"},
		{"NoData", answer(200, js, `{"data":null}`), token, false, "no task"},
		{"AnotherTask", answer(200, js, `{"data":{"gid":"1"}}`), token, false, "the answer is task"},
		{"DataNotObject", answer(200, js, `{"data":[]}`), token, false, "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeAPI(t, tt.answer)
			b := binding
			b.APIURL = srv.URL + "/api/1.0"
			_, err := asana.New().ReadBack(context.Background(), b, tt.token, movedEvent())
			if err == nil {
				t.Fatal("want an error")
			}
			if got := errors.Is(err, glassbox.ErrNotFound); got != tt.notFound {
				t.Errorf("errors.Is(err, ErrNotFound) = %v, want %v (%v)", got, tt.notFound, err)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q, want it to say %q", err, tt.wantIn)
			}
			assertNoToken(t, err)
		})
	}
}

func TestReadBackTransport(t *testing.T) {
	t.Run("Timeout", func(t *testing.T) {
		srv := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		b := binding
		b.APIURL = srv.URL + "/api/1.0"
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := asana.New().ReadBack(ctx, b, token, movedEvent())
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, glassbox.ErrNotFound) {
			t.Fatalf("error %v, want a deadline exceeded (retried)", err)
		}
		assertNoToken(t, err)
	})
	t.Run("ConnectionRefused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		b := binding
		b.APIURL = srv.URL
		srv.Close()
		_, err := asana.New().ReadBack(context.Background(), b, token, movedEvent())
		if err == nil || errors.Is(err, glassbox.ErrNotFound) {
			t.Fatalf("error %v, want a retryable error", err)
		}
		assertNoToken(t, err)
	})
	t.Run("BadInput", func(t *testing.T) {
		for _, tc := range []struct{ apiURL, token, gid string }{
			{"ftp://app.asana.com/api/1.0", token, "1"},
			{"app.asana.com/api/1.0", token, "1"},
			{"https://app.asana.com/api/1.0?x=1", token, "1"},
			{"", "", "1"},
			{"", token, "../users/me"},
		} {
			_, err := asana.New().FetchTask(context.Background(), tc.apiURL, tc.token, tc.gid)
			if err == nil {
				t.Fatalf("%+v: want an error", tc)
			}
			assertNoToken(t, err)
		}
	})
}

// TestReadBackDefaultsToAsana: a binding without api_url reads app.asana.com.
func TestReadBackDefaultsToAsana(t *testing.T) {
	var host string
	p := asana.New()
	p.HTTP = &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		host = r.URL.Scheme + "://" + r.URL.Host + r.URL.Path
		return nil, errors.New("offline")
	})}
	_, _ = p.ReadBack(context.Background(), binding, token, movedEvent())
	if want := "https://app.asana.com/api/1.0/tasks/1207654321000042"; host != want {
		t.Fatalf("read %q, want %q", host, want)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// assertNoToken fails if the token appears in the error or anything it wraps.
func assertNoToken(t *testing.T, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "secrettokenvalue") {
			t.Fatalf("error text %q contains the token", e.Error())
		}
	}
}
