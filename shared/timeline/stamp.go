package timeline

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Defaults of a StampBreaker.
const (
	// DefaultStampTimeout is how long one stamp may take: a public authority answers in about a second.
	DefaultStampTimeout = 5 * time.Second
	// DefaultStampPause is how long an authority that failed is left alone: longer than a digest tick (4
	// minutes), shorter than the 15 minutes between ticks, so each tick tries it again once.
	DefaultStampPause = 10 * time.Minute
)

// StampBreaker is a Stamper for sealers that must not wait on an authority (Sealer.Checkpoint in a digest tick,
// which seals every due project): each stamp gets Timeout, and once one fails the authority is not asked again
// for Pause, so an authority that is down costs a tick one timeout, not one per project. A stamp it does not
// ask for fails at once, and the seal is stored unstamped, as with any authority failure. Use it by pointer;
// it is safe for concurrent use.
type StampBreaker struct {
	Stamper Stamper
	// Timeout bounds one stamp (DefaultStampTimeout when zero); Pause is how long a failure stops stamping
	// (DefaultStampPause when zero).
	Timeout, Pause time.Duration
	// Now is the wall clock the pause is kept by (time.Now when nil).
	Now func() time.Time

	mu     sync.Mutex
	resume time.Time
}

// Stamp stamps digest with the authority unless it failed within Pause.
func (b *StampBreaker) Stamp(ctx context.Context, digest []byte) ([]byte, time.Time, error) {
	now := b.now()
	b.mu.Lock()
	resume := b.resume
	b.mu.Unlock()
	if now.Before(resume) {
		return nil, time.Time{}, fmt.Errorf("timeline: timestamp authority not asked until %s: it failed last time", resume.UTC().Format(time.RFC3339))
	}
	timeout, pause := b.Timeout, b.Pause
	if timeout == 0 {
		timeout = DefaultStampTimeout
	}
	if pause == 0 {
		pause = DefaultStampPause
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	token, at, err := b.Stamper.Stamp(sctx, digest)
	if err != nil {
		b.mu.Lock()
		b.resume = b.now().Add(pause)
		b.mu.Unlock()
		return nil, time.Time{}, err
	}
	return token, at, nil
}

func (b *StampBreaker) now() time.Time {
	if b.Now == nil {
		return time.Now()
	}
	return b.Now()
}
