// Package wait is how retry loops that answer to a caller's deadline wait: a sleep that ends with the caller's
// context, and the one rule of whether a wait still leaves time for the request after it.
package wait

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx ends (then its error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Leaves says whether waiting d from now still leaves margin before ctx's deadline for the request that
// follows the wait. Without a deadline, any wait does: the caller bounds its loop otherwise.
func Leaves(ctx context.Context, now time.Time, d, margin time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || now.Add(d+margin).Before(deadline)
}
