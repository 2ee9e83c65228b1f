package localstore_test

import (
	"errors"
	"path/filepath"
	"testing"

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
