package react_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/react"
)

// accept stores e as ingest does, received at the clock's now, and processes nothing.
func (f *fixture) accept(t *testing.T, e glassbox.Event) glassbox.Event {
	t.Helper()
	e.ReceivedAt = f.clock.Now()
	if err := f.store.AppendEvent(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

func (f *fixture) unprocessed(t *testing.T) int {
	t.Helper()
	evs, err := f.store.UnprocessedEvents(context.Background(), f.clock.Now().Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// TestSweepFinishesWhatWasAcceptedButNotProcessed: an event stored but never processed (the function died
// after the write) is left to the stream during the grace period, then the sweep processes it and clears its
// mark; a send that keeps failing leaves the event marked and the sweep goes on with the others; once the mail
// service is back the next sweep sends the rest, and nothing is ever sent twice.
func TestSweepFinishesWhatWasAcceptedButNotProcessed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	grace := 5 * time.Minute
	f.accept(t, doneEvent("a"))
	f.accept(t, doneEvent("b"))

	if res, err := f.proc.Sweep(ctx, grace, 100); err != nil || res != (react.SweepResult{}) {
		t.Fatalf("sweep within the grace period = %+v, %v; want nothing found", res, err)
	}
	f.clock.Advance(grace + time.Second)
	f.mail.fails = 1 // the first send fails: a's notice
	res, err := f.proc.Sweep(ctx, grace, 100)
	if err != nil {
		t.Fatal(err)
	}
	if want := (react.SweepResult{Found: 2, Finished: 1, Failed: 1, Sent: 1}); res != want {
		t.Fatalf("sweep with one failing send = %+v, want %+v", res, want)
	}
	if n := f.unprocessed(t); n != 1 {
		t.Fatalf("%d events still unprocessed, want 1 (the one whose send failed)", n)
	}
	f.clock.Advance(time.Minute)
	if res, err = f.proc.Sweep(ctx, grace, 100); err != nil || res != (react.SweepResult{}) {
		t.Fatalf("sweep a minute later = %+v, %v; want nothing: the failed event waits its backoff", res, err)
	}
	f.clock.Advance(2 * grace)
	if res, err = f.proc.Sweep(ctx, grace, 100); err != nil || res != (react.SweepResult{Found: 1, Finished: 1, Sent: 1}) {
		t.Fatalf("next sweep = %+v, %v; want the failed one finished", res, err)
	}
	if res, err = f.proc.Sweep(ctx, grace, 100); err != nil || res != (react.SweepResult{}) {
		t.Fatalf("sweep after all is done = %+v, %v; want nothing found", res, err)
	}
	if n := f.mail.count(); n != 2 {
		t.Errorf("sent %d, want 2: one notice per done card", n)
	}
}

// TestProcessClearsTheMarkOnlyWhenDone: the stream's own processing clears the mark, so the sweep does not
// redo the event; a failed processing leaves it.
func TestProcessClearsTheMarkOnlyWhenDone(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := f.accept(t, doneEvent("c"))
	f.mail.fails = 1
	if _, err := f.proc.Process(ctx, e); err == nil {
		t.Fatal("Process with a failing send succeeded")
	}
	if n := f.unprocessed(t); n != 1 {
		t.Fatalf("after a failed processing %d unprocessed, want 1", n)
	}
	out, err := f.proc.Process(ctx, e)
	if err != nil || out != (react.Outcome{Sent: 1}) {
		t.Fatalf("Process = %+v, %v; want sent 1", out, err)
	}
	if n := f.unprocessed(t); n != 0 {
		t.Fatalf("after processing %d unprocessed, want 0", n)
	}
	if out, err := f.proc.Process(ctx, e); err != nil || out.String() != "nothing left to do" {
		t.Fatalf("Process again = %q, %v; want nothing left to do", out, err)
	}
}

// TestDealEventWithoutBillingStaysUnprocessed: a processor built without billing does not pretend to have
// handled a stage close: the event stays marked for one that can bill.
func TestDealEventWithoutBillingStaysUnprocessed(t *testing.T) {
	f := newFixture(t)
	e := f.accept(t, glassbox.Event{ID: "amocrm:1", ProjectID: "site", Provider: "amocrm", BindingID: "amo",
		Kind: glassbox.EventDealStageChanged, Deal: &glassbox.DealChange{ID: "7", StageID: "142"}})
	if _, err := f.proc.Process(context.Background(), e); err == nil {
		t.Fatal("a deal event was processed without billing")
	}
	if n := f.unprocessed(t); n != 1 {
		t.Errorf("%d unprocessed, want the deal event still marked", n)
	}
}

// A sweep finishes unprocessed events whatever deadline its run has; one shorter than the time it keeps in
// reserve (30 s) used to make it take none, and report them found but neither finished nor failed.
func TestSweepFinishesEventsWithinItsDeadline(t *testing.T) {
	tests := []struct {
		name     string
		deadline time.Duration // 0: none
	}{
		{"no deadline", 0},
		{"a Lambda's 240 s", 240 * time.Second},
		{"shorter than the reserve", 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			e := doneEvent("swept")
			e.ReceivedAt = f.clock.Now().Add(-time.Hour)
			if err := f.store.AppendEvent(context.Background(), e); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			res, err := f.proc.Sweep(ctx, time.Minute, 10)
			if err != nil {
				t.Fatal(err)
			}
			if want := (react.SweepResult{Found: 1, Finished: 1, Sent: 1}); res != want {
				t.Errorf("sweep = %+v, want %+v", res, want)
			}
			if n := f.mail.count(); n != 1 {
				t.Errorf("sent %d, want 1", n)
			}
		})
	}
}

// TestEventOfAProjectAppliedAfterTheCacheIsNotDropped: React caches the configuration; ingest reads bindings
// fresh. The first event of a project applied a moment ago reads the configuration again instead of being
// dropped (and its mark cleared) as "unknown project".
func TestEventOfAProjectAppliedAfterTheCacheIsNotDropped(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	proc := react.NewProcessor(f.store, email(f.mail), f.clock, react.Options{ConfigTTL: time.Hour, Logger: f.logger})
	if _, err := proc.Process(ctx, f.accept(t, doneEvent("first"))); err != nil { // fills the cache
		t.Fatal(err)
	}
	cfg := config
	cfg.Projects = append(append([]glassbox.Project(nil), config.Projects...), glassbox.Project{ID: "new", ClientID: "acme",
		Name: "New site", Manager: glassbox.Person{Name: "Mary Major", Email: "mary@studio.example"}})
	if err := f.store.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	e := doneEvent("second")
	e.ProjectID = "new"
	out, err := proc.Process(ctx, f.accept(t, e))
	if err != nil || out.Sent != 1 || out.Dropped != "" {
		t.Fatalf("event of the new project = %+v, %v; want its notice sent", out, err)
	}
	gone := doneEvent("third")
	gone.ProjectID = "removed"
	if out, err := proc.Process(ctx, f.accept(t, gone)); err != nil || out.String() != "dropped: project removed is no longer configured" {
		t.Errorf("event of a project not configured = %q, %v", out, err)
	}
}

// TestEventsThatKeepFailingDoNotStarveTheSweep: failing events are postponed behind the others with a doubling
// wait, so a sweep with room for only a few still reaches the events that can succeed.
func TestEventsThatKeepFailingDoNotStarveTheSweep(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	grace := time.Minute
	proc := react.NewProcessor(f.store, email(failOn{next: f.mail, card: "bad"}), f.clock, react.Options{Logger: f.logger})
	bad := doneEvent("bad")
	f.accept(t, bad)
	for i := range 3 {
		f.clock.Advance(time.Second)
		f.accept(t, doneEvent("good"+strconv.Itoa(i)))
	}
	f.clock.Advance(grace + time.Second)
	sent := 0
	for range 4 { // room for one event per sweep
		res, err := proc.Sweep(ctx, grace, 1)
		if err != nil {
			t.Fatal(err)
		}
		sent += res.Sent
		f.clock.Advance(grace / 2)
	}
	if sent != 3 {
		t.Errorf("four one-event sweeps sent %d notices, want the 3 good ones (the failing one waits its turn)", sent)
	}
	evs, err := f.store.UnprocessedEvents(ctx, f.clock.Now().Add(react.MaxSweepBackoff), 10)
	if err != nil || len(evs) != 1 || evs[0].ID != bad.ID || evs[0].SweepAttempts < 1 {
		t.Errorf("still unprocessed: %+v, %v; want the failing event with its attempts counted", evs, err)
	}
}
