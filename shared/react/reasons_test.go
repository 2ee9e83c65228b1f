package react_test

import (
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// A comment's reason and a work log are folded and marked processed, tell nobody, and leave the status alone; a
// done move that happened before the comment but arrives after it still tells the client.
func TestNotesAndWorkLogsTellNobody(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	blocked := glassbox.Event{ID: "jira:1", ProjectID: "site", Provider: "jira", Kind: glassbox.EventTaskMoved, TaskID: "10042",
		Title: "Landing page", URL: "https://acme.atlassian.net/browse/MKT-42", ListID: "5", ListName: "Blocked",
		Status: glassbox.StatusBlocked, PrevStatus: glassbox.StatusInProgress, OccurredAt: t0}
	note := glassbox.Event{ID: "jira:10042:comment:1", ProjectID: "site", Provider: "jira", Kind: glassbox.EventTaskNoted,
		TaskID: "10042", Title: "Landing page", Note: "ждём доступы от клиента", OccurredAt: t0.Add(20 * time.Minute)}
	worklog := glassbox.Event{ID: "jira:10042:worklog:1", ProjectID: "site", Provider: "jira", Kind: glassbox.EventWorkLogged,
		TaskID: "10042", Minutes: 90, OccurredAt: t0.Add(30 * time.Minute)}
	done := glassbox.Event{ID: "jira:2", ProjectID: "site", Provider: "jira", Kind: glassbox.EventTaskMoved, TaskID: "10042",
		Title: "Landing page", URL: "https://acme.atlassian.net/browse/MKT-42", ListID: "10002", ListName: "Done",
		Status: glassbox.StatusDone, PrevStatus: glassbox.StatusBlocked, OccurredAt: t0.Add(10 * time.Minute)}

	for _, e := range []glassbox.Event{blocked, note, worklog} {
		if err := f.store.AppendEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		if _, err := f.proc.Process(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	sentBefore := f.mail.count() // the manager heard of the block
	if pending, _ := f.store.UnprocessedEvents(ctx, f.clock.Now().Add(time.Hour), 10); len(pending) != 0 {
		t.Fatalf("still pending: %v", pending)
	}
	task, err := f.store.Task(ctx, "site", "jira", "10042")
	if err != nil || task.Status != glassbox.StatusBlocked || task.Reason != "ждём доступы от клиента" {
		t.Fatalf("task = %+v, %v; want blocked with the reason", task, err)
	}
	// Processing the note and the work log again sends nothing either.
	for _, e := range []glassbox.Event{note, worklog} {
		if _, err := f.proc.Process(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.mail.count(); n != sentBefore || n != 1 {
		t.Fatalf("sent %d, want only the manager's blocked notice", n)
	}

	// The done move of 09:10 arrives after the note of 09:20: the client is told.
	if _, err := f.proc.Process(ctx, done); err != nil {
		t.Fatal(err)
	}
	if n := f.mail.count(); n != 2 {
		t.Fatalf("sent %d, want the client's done notice too", n)
	}
	task, _ = f.store.Task(ctx, "site", "jira", "10042")
	if task.Status != glassbox.StatusDone || task.Reason != "ждём доступы от клиента" {
		t.Fatalf("task = %+v; want done, the reason kept", task)
	}
}

// A comment whose text a read-back gave without a reason marker (Asana) is dropped: nothing folded, nothing
// pending.
func TestNoteWithoutReasonIsDropped(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	e := glassbox.Event{ID: "asana:1", ProjectID: "site", Provider: "asana", Kind: glassbox.EventTaskNoted, TaskID: "42",
		OccurredAt: f.clock.Now()}
	if err := f.store.AppendEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	out, err := f.proc.Process(ctx, e)
	if err != nil || out.Dropped == "" {
		t.Fatalf("Process = %+v, %v; want dropped", out, err)
	}
	if _, err := f.store.Task(ctx, "site", "asana", "42"); err == nil {
		t.Error("a comment without a reason made a task")
	}
	if pending, _ := f.store.UnprocessedEvents(ctx, f.clock.Now().Add(time.Hour), 10); len(pending) != 0 {
		t.Errorf("still pending: %v", pending)
	}
}
