package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/jira"
)

// A Jira issue created with a due date already past and not done tells the project's manager once, by the dev
// server's flush, and never the client: the due date (a civil date) is read by the jira package, resolved at
// the end of that day in the project's zone by React, indexed with the task, and found by the flush. Before,
// Jira's duedate was not read, so no overdue notice ever went.
func TestDevFlushTellsManagerOfOverdueJiraIssueOnce(t *testing.T) {
	h := newDevHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	due := time.Now().AddDate(0, 0, -3).Format(glassbox.CivilDateLayout)
	req := mustLoad(t, "ingest-jira-created.json")
	req.Body = strings.Replace(req.Body, `"summary":"Тексты для главной страницы",`,
		`"summary":"Тексты для главной страницы","duedate":"`+due+`",`, 1)
	if !strings.Contains(req.Body, due) {
		t.Fatal("the sample's summary moved: the due date was not put in")
	}
	headers := map[string]string{}
	for k, v := range req.Headers {
		headers[k] = v
	}
	headers["x-hub-signature"] = jira.Sign(demoSecrets["/glassbox/jira/demo-jira"], []byte(req.Body))
	req.Headers = headers
	if status, body := h.send(req); status != http.StatusOK || !strings.Contains(body, `"accepted"`) {
		t.Fatalf("%d %s", status, body)
	}

	task, err := h.dev.store.Task(ctx, "romashka-site", "jira", "10070")
	if err != nil {
		t.Fatal(err)
	}
	moscow, _ := time.LoadLocation("Europe/Moscow")
	if want := glassbox.EndOfDueDate(due, moscow); !task.Due.Equal(want) || task.Status == glassbox.StatusDone {
		t.Fatalf("task due %v, status %s; want due %v (the end of %s in Moscow), not done", task.Due, task.Status, want, due)
	}
	if got := len(h.mail()); got != 0 {
		t.Fatalf("%d emails before the flush, want 0 (a created issue tells nobody)", got)
	}

	go h.dev.flush(ctx, 50*time.Millisecond)
	deadline := time.Now().Add(10 * time.Second)
	for len(h.mail()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // several more flushes: a second notice, were there one, would be out

	mail := h.mail()
	if len(mail) != 1 {
		t.Fatalf("outbox = %+v, want one overdue notice", mail)
	}
	m := mail[0]
	if to := strings.Join(m.To, ","); !strings.Contains(to, "maria@pixel.example") || strings.Contains(to, "romashka.example") {
		t.Errorf("overdue notice to %s, want the manager only", to)
	}
	if !strings.Contains(m.Text, "Тексты для главной страницы") {
		t.Errorf("overdue notice does not name the task:\n%s", m.Text)
	}
	if tg := h.telegram(); len(tg) != 0 {
		t.Errorf("Telegram got %d messages (the client's group must hear nothing): %+v", len(tg), tg)
	}
}
