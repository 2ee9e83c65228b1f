package react_test

import (
	"context"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/react"
)

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
