package localstore

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// queueWhileCommitting holds the turn as a commit under way does, runs each write in its own goroutine, waits
// until all of them are queued, and then lets them commit. It returns each write's error and how many bbolt
// transactions were committed meanwhile.
func queueWhileCommitting(t *testing.T, s *Store, writes ...func() error) ([]error, int) {
	t.Helper()
	before := committedTxs(t, s)
	s.commits.turn <- struct{}{}
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w()
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		s.commits.mu.Lock()
		queued := len(s.commits.queue)
		s.commits.mu.Unlock()
		if queued == len(writes) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d writes queued", queued, len(writes))
		}
	}
	<-s.commits.turn
	wg.Wait()
	return errs, committedTxs(t, s) - before
}

// committedTxs is the id of the last committed transaction, which bbolt counts up by one per commit.
func committedTxs(t *testing.T, s *Store) int {
	t.Helper()
	var id int
	if err := s.db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}

func openStore(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func event(i int) glassbox.Event {
	return glassbox.Event{ID: fmt.Sprintf("trello:%d", i), ProjectID: "site", Provider: "trello", OccurredAt: time.Unix(int64(i), 0)}
}

// TestWritesArrivingDuringACommitShareTheNext: eight writers that arrive while a commit runs are committed
// together, in one transaction, and each is on disk when its call returns.
func TestWritesArrivingDuringACommitShareTheNext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "glassbox.db")
	s := openStore(t, path)
	var writes []func() error
	for i := range 8 {
		writes = append(writes, func() error { return s.AppendEvent(t.Context(), event(i)) })
	}
	errs, commits := queueWhileCommitting(t, s, writes...)
	for i, err := range errs {
		if err != nil {
			t.Errorf("AppendEvent %d: %v", i, err)
		}
	}
	if commits != 1 {
		t.Errorf("8 writes took %d commits, want 1", commits)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, path)
	defer s.Close()
	for i := range 8 {
		if _, err := s.Event(t.Context(), event(i).ID); err != nil {
			t.Errorf("event %d after reopening: %v", i, err)
		}
	}
}

// TestWriteFailingAmongOthers: a write that fails in a shared transaction gets its own error, and the others
// are committed without it.
func TestWriteFailingAmongOthers(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "glassbox.db"))
	defer s.Close()
	ctx := t.Context()
	if err := s.AppendEvent(ctx, event(1)); err != nil {
		t.Fatal(err)
	}
	errs, _ := queueWhileCommitting(t, s,
		func() error { return s.AppendEvent(ctx, event(2)) },
		func() error { return s.AppendEvent(ctx, event(1)) }, // a redelivery
		func() error {
			return s.PutTask(ctx, glassbox.Task{ProjectID: "site", Provider: "trello", TaskID: "c1", Version: 2})
		},
		func() error { return s.AppendEvent(ctx, event(3)) },
	)
	if errs[0] != nil || errs[3] != nil {
		t.Errorf("the good writes failed: %v, %v", errs[0], errs[3])
	}
	if !errors.Is(errs[1], glassbox.ErrDuplicate) {
		t.Errorf("the redelivery: err = %v, want ErrDuplicate", errs[1])
	}
	if !errors.Is(errs[2], glassbox.ErrConflict) {
		t.Errorf("the task at a version not next: err = %v, want ErrConflict", errs[2])
	}
	for _, i := range []int{2, 3} {
		if _, err := s.Event(ctx, event(i).ID); err != nil {
			t.Errorf("event %d: %v", i, err)
		}
	}
	if _, err := s.Task(ctx, "site", "trello", "c1"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("the refused task was stored: err = %v", err)
	}
}

// TestWritePanickingAmongOthers: a write that panics in a shared transaction panics in its own caller, and
// the others are committed.
func TestWritePanickingAmongOthers(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "glassbox.db"))
	defer s.Close()
	ctx := t.Context()
	var recovered any
	errs, _ := queueWhileCommitting(t, s,
		func() error { return s.AppendEvent(ctx, event(1)) },
		func() error {
			defer func() { recovered = recover() }()
			return s.update(func(*bolt.Tx) error { panic("boom") })
		},
		func() error { return s.AppendEvent(ctx, event(2)) },
	)
	if recovered != "boom" {
		t.Errorf("the panicking write's caller recovered %v, want boom", recovered)
	}
	if errs[0] != nil || errs[2] != nil {
		t.Errorf("the good writes failed: %v, %v", errs[0], errs[2])
	}
}

// TestClearingAMarkRidesOnTheNextCommit: MarkEventProcessed takes no commit of its own when another write
// follows (the mark is cleared in that write's transaction), its effect is read back at once, and it reaches
// the disk by Close at the latest.
func TestClearingAMarkRidesOnTheNextCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s := openStore(t, path)
	ctx := t.Context()
	if err := s.AppendEvent(ctx, event(1)); err != nil {
		t.Fatal(err)
	}
	before := committedTxs(t, s)
	if err := s.MarkEventProcessed(ctx, "trello:1"); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendEvent(ctx, event(2)); err != nil {
		t.Fatal(err)
	}
	if n := committedTxs(t, s) - before; n != 1 {
		t.Errorf("clearing a mark and appending an event took %d commits, want 1", n)
	}
	if err := s.MarkEventProcessed(ctx, "trello:2"); err != nil {
		t.Fatal(err)
	}
	if evs, err := s.UnprocessedEvents(ctx, time.Now().Add(time.Hour), 10); err != nil || len(evs) != 0 {
		t.Fatalf("unprocessed right after clearing = %v, %v; want none", evs, err)
	}
	if err := s.AppendEvent(ctx, event(3)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkEventProcessed(ctx, "trello:3"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, path)
	defer s.Close()
	if evs, err := s.UnprocessedEvents(ctx, time.Now().Add(time.Hour), 10); err != nil || len(evs) != 0 {
		t.Errorf("unprocessed after reopening = %v, %v; want none", evs, err)
	}
}
