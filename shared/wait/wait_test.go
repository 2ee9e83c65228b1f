package wait_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/wait"
)

func TestLeaves(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ctx, cancel := context.WithDeadline(context.Background(), now.Add(time.Minute))
	defer cancel()
	for _, tc := range []struct {
		d    time.Duration
		want bool
	}{{10 * time.Second, true}, {54 * time.Second, true}, {55 * time.Second, false}, {2 * time.Minute, false}} {
		if got := wait.Leaves(ctx, now, tc.d, 5*time.Second); got != tc.want {
			t.Errorf("Leaves(%s) = %t, want %t", tc.d, got, tc.want)
		}
	}
	if !wait.Leaves(context.Background(), now, time.Hour, 5*time.Second) {
		t.Error("without a deadline a wait must leave time")
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := wait.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep = %v, want the context's error", err)
	}
	if err := wait.Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep = %v", err)
	}
}
