package asana_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/asana"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// readStory is Asana as React sees it: Parse, then ReadBack through a stand-in API that answers the comment
// story with text; a task_noted event left without a note is dropped, as React drops it.
type readStory struct {
	t    *testing.T
	text *string
}

func (r readStory) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	evs, err := asana.New().Parse(d, b)
	if err != nil {
		return nil, err
	}
	sample := providertest.Testdata(r.t, "asana-story-get-response.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/api/1.0/stories/1207999888777001" || req.Header.Get("Authorization") != "Bearer "+token ||
			req.URL.Query().Get("opt_fields") != "text,resource_subtype,created_by.name,target.name" {
			r.t.Errorf("%s %s: want the comment story, with the token and the story fields", req.Method, req.URL)
			w.WriteHeader(http.StatusNotFound)
			return
		}
		var story map[string]map[string]any
		_ = json.Unmarshal(sample, &story)
		story["data"]["text"] = *r.text
		_ = json.NewEncoder(w).Encode(story)
	}))
	defer srv.Close()
	b.APIURL = srv.URL + "/api/1.0"
	var out []glassbox.Event
	for _, e := range evs {
		got, err := asana.New().ReadBack(context.Background(), b, token, e)
		if err != nil {
			return nil, err
		}
		if got.Kind == glassbox.EventTaskNoted && got.Note == "" {
			continue
		}
		out = append(out, got)
	}
	return out, nil
}

// A comment whose story starts with a reason marker is the task's reason once read back; other comments leave
// nothing.
func TestNotes(t *testing.T) {
	sample := providertest.Testdata(t, "asana-comment-added.json")
	var text string
	providertest.Notes(t, readStory{t: t, text: &text}, binding, func(t *testing.T, s string) glassbox.Delivery {
		text = s
		return delivery(sample, "")
	}, func(t *testing.T, e glassbox.Event) {
		if e.ID != "asana:1207999888777001" || e.TaskID != "1207654321000042" || e.Title != "Тексты для главной страницы" ||
			e.Actor != "Иван Петров" || e.URL != "https://app.asana.com/0/0/1207654321000042" {
			t.Errorf("event %+v", e)
		}
	})
}

// A story on another task than the event's, and a story that is gone, are errors (retried; a 404 drops it).
func TestReadCommentErrors(t *testing.T) {
	evs, err := asana.New().Parse(delivery(providertest.Testdata(t, "asana-comment-added.json"), ""), binding)
	if err != nil || len(evs) != 1 {
		t.Fatalf("Parse = %+v, %v", evs, err)
	}
	for _, c := range []struct {
		name, body string
		status     int
		notFound   bool
	}{
		{"OtherTask", `{"data":{"gid":"1207999888777001","text":"Причина: x","target":{"gid":"1"}}}`, 200, false},
		{"OtherStory", `{"data":{"gid":"1","text":"Причина: x"}}`, 200, false},
		{"Gone", `{"errors":[{"message":"story: Unknown object: 1207999888777001"}]}`, 404, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(c.status)
				w.Write([]byte(c.body))
			}))
			defer srv.Close()
			b := binding
			b.APIURL = srv.URL
			_, err := asana.New().ReadBack(context.Background(), b, token, evs[0])
			if err == nil || errors.Is(err, glassbox.ErrNotFound) != c.notFound {
				t.Fatalf("ReadBack error %v, want one (not found: %v)", err, c.notFound)
			}
		})
	}
}
