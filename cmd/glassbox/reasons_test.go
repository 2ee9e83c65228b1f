package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// TestReasonSamplesTellNobody runs each tracker's reason sample (a comment with «Причина:», a generic hook report
// with its reason, a Jira worklog) through glassbox dev: accepted, processed, folded into the task as its reason
// (the work log as minutes on its event), and nobody is told.
func TestReasonSamplesTellNobody(t *testing.T) {
	const reason = "ждём от клиента тексты для главной страницы"
	for _, file := range []string{
		"ingest-trello-reason.json", "ingest-kaiten-reason.json", "ingest-jira-reason.json", "ingest-clickup-reason.json",
		"ingest-github-reason.json", "ingest-linear-reason.json", "ingest-hook-waiting.json", "ingest-jira-worklog.json",
	} {
		t.Run(file, func(t *testing.T) {
			h := newDevHarness(t)
			req := mustLoad(t, file)
			resign(&req, time.Now()) // as make demo does: Linear and the generic hook sign the time they send
			if status, body := h.send(req); status != http.StatusOK || !strings.Contains(body, `"accepted"`) {
				t.Fatalf("%d %s, want 200 accepted", status, body)
			}
			if mail := h.mail(); len(mail) != 0 {
				t.Fatalf("sent %+v, want nothing", mail)
			}
			if pending := h.unprocessed(); len(pending) != 0 {
				t.Fatalf("still pending: %+v", pending)
			}
			stored := h.storedEvents()
			if len(stored) != 1 {
				t.Fatalf("%d events stored, want 1", len(stored))
			}
			e := stored[0]
			if strings.Contains(file, "worklog") {
				if e.Minutes != 90 {
					t.Fatalf("event %+v, want 90 minutes", e)
				}
				return
			}
			task, err := h.dev.store.Task(context.Background(), "romashka-site", e.Provider, e.TaskID)
			if err != nil || task.Reason != reason {
				t.Fatalf("task = %+v, %v; want the reason %q", task, err, reason)
			}
		})
	}
}

// A GitHub issue labeled waiting-on-client waits on the client: its task is waiting, and nobody is told.
func TestGitHubWaitingLabel(t *testing.T) {
	h := newDevHarness(t)
	for _, file := range []string{"ingest-github-created.json", "ingest-github-waiting.json"} {
		if status, body := h.sendSample(file); status != http.StatusOK || !strings.Contains(body, `"accepted"`) {
			t.Fatalf("%s: %d %s, want 200 accepted", file, status, body)
		}
	}
	if mail := h.mail(); len(mail) != 0 {
		t.Fatalf("sent %+v, want nothing", mail)
	}
	task, err := h.dev.store.Task(context.Background(), "romashka-site", "github", "I_kwDOLxyz1c6JqAbc")
	if err != nil || task.Status != glassbox.StatusWaiting || task.ListName != "waiting-on-client" {
		t.Fatalf("task = %+v, %v; want waiting", task, err)
	}
}
