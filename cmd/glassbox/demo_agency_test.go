package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// The demo ClickUp binding names the default dev address; a server elsewhere reads tasks back from itself.
func TestFakeAPIsFollowTheServer(t *testing.T) {
	h := newDevHarness(t)
	cfg, err := h.dev.store.Config(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b, ok := cfg.Binding("clickup", "demo-clickup")
	if !ok || b.APIURL != h.srv.URL+"/fake/clickup/api/v2" {
		t.Fatalf("demo-clickup api_url = %q, want %s/fake/clickup/api/v2", b.APIURL, h.srv.URL)
	}
	resp, err := h.srv.Client().Get(b.APIURL + "/task/86c1dm7ab")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the stand-in answers a request without the token %d, want 401", resp.StatusCode)
	}
}

// A data folder seeded by an earlier release's demo (without the Jira and ClickUp bindings) gets the current
// demo, so make demo finds every binding; an agency applied by hand is kept.
func TestOlderDemoIsReplacedOwnAgencyKept(t *testing.T) {
	data := t.TempDir()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	dev, err := newDevServer(context.Background(), data, logger, devOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := dev.store.Config(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	older := cfg
	older.Bindings = nil
	for _, b := range cfg.Bindings {
		if b.Provider != "jira" && b.Provider != "clickup" {
			older.Bindings = append(older.Bindings, b)
		}
	}
	own := older
	own.Bindings = append(append([]glassbox.Binding{}, older.Bindings...), glassbox.Binding{ID: "own-board", Provider: "trello",
		ProjectID: "romashka-site", ExternalID: "b", SecretParam: "/glassbox/trello/own-board"})
	for _, tt := range []struct {
		name     string
		stored   glassbox.Config
		replaced bool
	}{{"OlderDemo", older, true}, {"OwnAgency", own, false}} {
		if err := dev.store.PutConfig(context.Background(), tt.stored); err != nil {
			t.Fatal(err)
		}
		dev.Close()
		if dev, err = newDevServer(context.Background(), data, logger, devOptions{}); err != nil {
			t.Fatal(err)
		}
		got, err := dev.store.Config(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		_, hasJira := got.Binding("jira", "demo-jira")
		_, hasOwn := got.Binding("trello", "own-board")
		if hasJira != tt.replaced || hasOwn == tt.replaced {
			t.Errorf("%s: after restart jira binding %v, own binding %v; want the demo replaced: %v", tt.name, hasJira, hasOwn, tt.replaced)
		}
	}
	dev.Close()
}

// The stand-in serves the answer events/ documents (a copy sits beside the demo agency for go:embed).
func TestFakeClickUpServesTheSampleAnswer(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(eventsDir, "clickup-task-get-response.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(demoClickUpTask, want) {
		t.Fatal("cmd/glassbox/demo/clickup-task-get-response.json differs from events/clickup-task-get-response.json: copy it again")
	}
}
