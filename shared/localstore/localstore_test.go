package localstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/storetest"
)

func newStore(t *testing.T) *localstore.Store {
	t.Helper()
	s, err := localstore.Open(filepath.Join(t.TempDir(), "glassbox.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) glassbox.Store { return newStore(t) })
}

func TestSecret(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	if _, err := s.Secret(ctx, "/glassbox/trello/b1"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Fatalf("Secret on an empty store: err = %v, want ErrNotFound", err)
	}
	if err := s.PutSecret(ctx, "/glassbox/trello/b1", "s3cret"); err != nil {
		t.Fatalf("PutSecret: %v", err)
	}
	if err := s.PutSecret(ctx, "/glassbox/trello/b1", "rotated"); err != nil {
		t.Fatalf("PutSecret again: %v", err)
	}
	if got, err := s.Secret(ctx, "/glassbox/trello/b1"); err != nil || got != "rotated" {
		t.Errorf("Secret = %q, %v; want %q, nil", got, err, "rotated")
	}
}

// TestReopen checks the data is in the file, not in memory.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "glassbox.db")
	s, err := localstore.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	e := glassbox.Event{ID: "trello:1", ProjectID: "site", Provider: "trello"}
	if err := s.AppendEvent(t.Context(), e); err != nil {
		t.Fatalf("AppendEvent: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s, err = localstore.Open(path)
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer s.Close()
	if err := s.AppendEvent(t.Context(), e); !errors.Is(err, glassbox.ErrDuplicate) {
		t.Errorf("AppendEvent after reopen: err = %v, want ErrDuplicate", err)
	}
}

// TestBindingAfterPutConfig: Binding answers from a cache of the configuration, which PutConfig must drop.
func TestBindingAfterPutConfig(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	if _, err := s.Binding(ctx, "trello", "b1"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Fatalf("Binding before any config: err = %v, want ErrNotFound", err)
	}
	cfg := glassbox.Config{Bindings: []glassbox.Binding{{ID: "b1", Provider: "trello", ProjectID: "site",
		StatusMap: map[glassbox.TaskStatus][]string{glassbox.StatusDone: {"Done"}}}}}
	if err := s.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	b, err := s.Binding(ctx, "trello", "b1")
	if err != nil || b.ProjectID != "site" {
		t.Fatalf("Binding = %+v, %v; want project site", b, err)
	}
	// What a caller does with its copy stays with it.
	b.StatusMap[glassbox.StatusDone][0] = "changed by a caller"
	if again, _ := s.Binding(ctx, "trello", "b1"); again.StatusMap[glassbox.StatusDone][0] != "Done" {
		t.Errorf("a caller's change reached the next caller: %+v", again.StatusMap)
	}

	cfg.Bindings = []glassbox.Binding{{ID: "b2", Provider: "trello", ProjectID: "app"}}
	if err := s.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if b, err := s.Binding(ctx, "trello", "b1"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("Binding(b1) after a config without it = %+v, %v; want ErrNotFound", b, err)
	}
	if b, err := s.Binding(ctx, "trello", "b2"); err != nil || b.ProjectID != "app" {
		t.Errorf("Binding(b2) after a config that added it = %+v, %v; want project app", b, err)
	}
}

// BenchmarkAppendEvent is the store's write path alone, on disk with fsync: one writer, and eight at once,
// whose writes share commits.
func BenchmarkAppendEvent(b *testing.B) {
	for _, writers := range []int{1, 8} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s, err := localstore.Open(filepath.Join(b.TempDir(), "glassbox.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						e := glassbox.Event{ID: fmt.Sprintf("trello:%d", i), ProjectID: "site", Provider: "trello", OccurredAt: time.Unix(i, 0)}
						if err := s.AppendEvent(context.Background(), e); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
		})
	}
}
