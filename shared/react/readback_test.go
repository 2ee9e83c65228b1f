package react_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/react"
)

// reader is a provider's read-back: it answers with the task's current status, or fails.
type reader struct {
	mu     sync.Mutex
	status glassbox.TaskStatus
	err    error
	calls  int
	cred   string
}

func (r *reader) ReadBack(_ context.Context, b glassbox.Binding, credential string, e glassbox.Event) (glassbox.Event, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	r.cred = credential
	if r.err != nil {
		return e, r.err
	}
	e.Title, e.URL, e.Status = "Checkout page", "https://app.example/t/"+e.TaskID, r.status
	return e, nil
}

type creds map[string]string

func (c creds) Secret(_ context.Context, name string) (string, error) {
	if v, ok := c[name]; ok {
		return v, nil
	}
	return "", fmt.Errorf("no secret %s: %w", name, glassbox.ErrNotFound)
}

// readBackFixture binds a provider that reads back ("compact", like Asana: its events say neither the task's
// title nor the status it left) to the test project.
func readBackFixture(t *testing.T, r *reader) *fixture {
	t.Helper()
	f := newFixture(t)
	cfg := config
	cfg.Bindings = []glassbox.Binding{{ID: "board", ProjectID: "site", Provider: "compact", ExternalID: "x",
		SecretParam: "/glassbox/compact/board", APIParam: "/glassbox/compact/api",
		StatusMap: map[glassbox.TaskStatus][]string{glassbox.StatusDone: {"Done"}}}}
	if err := f.store.PutConfig(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	f.proc = react.NewProcessor(f.store, email(f.mail), f.clock, react.Options{Logger: f.logger,
		ReadBack: map[string]react.ReadBacker{"compact": r}, Secrets: creds{"/glassbox/compact/api": "api-token"}})
	return f
}

func compactEvent(id string, at time.Time) glassbox.Event {
	return glassbox.Event{ID: "compact:" + id, ProjectID: "site", BindingID: "board", Provider: "compact",
		Kind: glassbox.EventTaskMoved, TaskID: "t1", OccurredAt: at, ReceivedAt: at}
}

// A read-back that fails leaves the event pending (an error, its mark kept), never dropped; once the provider
// answers, the event is processed with what the API said, and the client is told once.
func TestReadBackFailureKeepsTheEventPending(t *testing.T) {
	r := &reader{err: errors.New("HTTP 503"), status: glassbox.StatusDone}
	f := readBackFixture(t, r)
	ctx := t.Context()
	e := compactEvent("e1", f.clock.Now())
	if err := f.store.AppendEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := f.proc.Process(ctx, e); err == nil {
		t.Fatal("a failed read-back did not fail the event")
	}
	pending, err := f.store.UnprocessedEvents(ctx, f.clock.Now().Add(time.Hour), 10)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending after a failed read-back = %v, %v; want the event", pending, err)
	}
	if f.mail.count() != 0 {
		t.Fatal("something was sent on a failed read-back")
	}

	r.mu.Lock()
	r.err = nil
	r.mu.Unlock()
	for i := 0; i < 3; i++ {
		if _, err := f.proc.Process(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.mail.count(); n != 1 {
		t.Fatalf("sent %d, want 1 done notice", n)
	}
	if r.cred != "api-token" {
		t.Errorf("read-back got credential %q, want the binding's api_param secret", r.cred)
	}
	task, err := f.store.Task(ctx, "site", "compact", "t1")
	if err != nil || task.Title != "Checkout page" || task.Status != glassbox.StatusDone {
		t.Errorf("task = %+v, %v; want what the API said", task, err)
	}
	if pending, _ := f.store.UnprocessedEvents(ctx, f.clock.Now().Add(time.Hour), 10); len(pending) != 0 {
		t.Errorf("still pending: %v", pending)
	}
}

// A task the provider says is gone (404) is dropped: nothing is sent and the event is no longer pending.
func TestReadBackNotFoundDropsTheEvent(t *testing.T) {
	f := readBackFixture(t, &reader{err: fmt.Errorf("HTTP 404: %w", glassbox.ErrNotFound)})
	ctx := t.Context()
	e := compactEvent("gone", f.clock.Now())
	if err := f.store.AppendEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	out, err := f.proc.Process(ctx, e)
	if err != nil || out.Dropped == "" {
		t.Fatalf("Process = %+v, %v; want dropped", out, err)
	}
	if pending, _ := f.store.UnprocessedEvents(ctx, f.clock.Now().Add(time.Hour), 10); len(pending) != 0 {
		t.Errorf("a dropped event is still pending: %v", pending)
	}
}

// An event that does not say the status it left is judged against the stored task: done after in progress
// tells the client, also when the first run folded the event and died before sending (the retry finds the task
// already done and must still decide as the first run did); a second done move (done → done) tells nobody.
func TestReadBackPrevStatusFromTheStoredTask(t *testing.T) {
	r := &reader{status: glassbox.StatusInProgress}
	f := readBackFixture(t, r)
	ctx := t.Context()
	t0 := f.clock.Now()
	if _, err := f.proc.Process(ctx, compactEvent("e1", t0)); err != nil {
		t.Fatal(err)
	}
	r.status = glassbox.StatusDone
	done := compactEvent("e2", t0.Add(time.Minute))
	f.mail.mu.Lock()
	f.mail.fails = 1
	f.mail.mu.Unlock()
	if _, err := f.proc.Process(ctx, done); err == nil {
		t.Fatal("the first run's send did not fail")
	}
	task, _ := f.store.Task(ctx, "site", "compact", "t1")
	if task.Status != glassbox.StatusDone || task.PrevStatus != glassbox.StatusInProgress || task.LastEventID != done.ID {
		t.Fatalf("task after the first run = %+v; want done, having left in_progress", task)
	}
	if _, err := f.proc.Process(ctx, done); err != nil {
		t.Fatal(err)
	}
	if n := f.mail.count(); n != 1 {
		t.Fatalf("after the retry: sent %d, want the done notice", n)
	}
	if _, err := f.proc.Process(ctx, compactEvent("e3", t0.Add(2*time.Minute))); err != nil {
		t.Fatal(err)
	}
	if n := f.mail.count(); n != 1 {
		t.Errorf("done → done: sent %d in all, want still 1", n)
	}
}
