package kaiten_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/kaiten"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// The demo binding of cmd/glassbox/demo/agency.yaml and its secret (cmd/glassbox/dev.go demoSecrets).
const demoSecret = "9c2f6a1e5b8d47f3a0c4e7b1d9f2a6c3e8b5d0f7a2c9e4b1f6d3a8c5e0b7f2a9"

var demoBinding = glassbox.Binding{
	ID: "demo-kaiten", ProjectID: "romashka-site", Provider: "kaiten", ExternalID: "402117",
	SecretParam: "/glassbox/kaiten/demo-kaiten", APIParam: "/glassbox/kaiten/demo-kaiten-api",
	APIURL: "https://pixel.kaiten.example/api/latest",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo:       {"2450115"},
		glassbox.StatusInProgress: {"2450117"},
		glassbox.StatusReview:     {"Проверка"},
		glassbox.StatusDone:       {"Готово"},
	},
}

// apiRequest is the part of an API Gateway HTTP API event (events/*.json) a provider sees.
type apiRequest struct {
	RawPath        string `json:"rawPath"`
	RawQueryString string `json:"rawQueryString"`
	RequestContext struct {
		HTTP struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
	Body string `json:"body"`
}

// TestSampleEvents keeps events/ingest-kaiten-*.json as events/README.md describes them: carrying the demo
// binding's token (or, the bad one, not) and parsed to the event the demo counts on.
func TestSampleEvents(t *testing.T) {
	tests := map[string]struct {
		wantVerify bool
		wantKind   glassbox.EventKind
		wantStatus glassbox.TaskStatus
	}{
		// The move to «Готово» (done by Kaiten's state; the map names it by title, which read-back learns).
		"ingest-kaiten-done.json":            {true, glassbox.EventTaskMoved, glassbox.StatusDone},
		"ingest-kaiten-created.json":         {true, glassbox.EventTaskCreated, glassbox.StatusTodo},
		"ingest-kaiten-comment-ignored.json": {true, "", ""},
		"ingest-kaiten-bad-token.json":       {false, "", ""},
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "events", "ingest-kaiten-*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	sort.Strings(files)
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			tt, ok := tests[name]
			if !ok {
				t.Fatalf("%s is not described here (nor, likely, in events/README.md)", name)
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var req apiRequest
			if err := json.Unmarshal(raw, &req); err != nil {
				t.Fatal(err)
			}
			if req.RawPath != "/hooks/kaiten/demo-kaiten" || req.RequestContext.HTTP.Method != "POST" {
				t.Fatalf("request %s %s", req.RequestContext.HTTP.Method, req.RawPath)
			}
			q, _ := url.ParseQuery(req.RawQueryString)
			d := glassbox.Delivery{Method: "POST", Query: q, Body: []byte(req.Body), ReceivedAt: time.Date(2026, 11, 23, 10, 15, 5, 0, time.UTC)}
			err = kaiten.New().Verify(d, demoSecret)
			if !tt.wantVerify {
				if !errors.Is(err, glassbox.ErrBadSignature) {
					t.Fatalf("Verify = %v, want ErrBadSignature", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			evs, err := providertest.Accepted(kaiten.New(), d, demoBinding)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantKind == "" {
				if len(evs) != 0 {
					t.Fatalf("want it ignored, got %s", dump(evs))
				}
				return
			}
			if len(evs) != 1 {
				t.Fatalf("got %s, want one event", dump(evs))
			}
			e := evs[0]
			if e.Kind != tt.wantKind || e.Status != tt.wantStatus || e.TaskID != "18734512" || e.ProjectID != "romashka-site" ||
				!strings.HasPrefix(e.Title, "Тексты") || e.URL != "https://pixel.kaiten.example/18734512" || e.OccurredAt.Year() != 2026 {
				t.Fatalf("event %s", dump(e))
			}
		})
	}
}
