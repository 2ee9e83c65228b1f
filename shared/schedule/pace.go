package schedule

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// pacer spaces sends evenly at a rate, across every goroutine that waits on it: the mail service's send quota
// is per second, and a burst of a thousand digests would crowd out the notices other functions send.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func newPacer(perSecond float64) *pacer {
	return &pacer{interval: time.Duration(float64(time.Second) / perSecond)}
}

// errNoTurn: the caller's turn would come after its context's deadline.
var errNoTurn = errors.New("schedule: no send turn before the deadline")

// wait returns when the caller's turn comes, or an error when ctx ends first. A turn that would come after
// ctx's deadline is refused at once, while ctx still lives, so the courier can release the message's claim
// and the next tick sends it without waiting for the lease.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := time.Now()
	turn := p.next
	if turn.Before(now) {
		turn = now
	}
	if deadline, ok := ctx.Deadline(); ok && turn.After(deadline) {
		p.mu.Unlock()
		return errNoTurn
	}
	p.next = turn.Add(p.interval)
	p.mu.Unlock()
	d := time.Until(turn)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// busyPast says whether the next free turn comes after t.
func (p *pacer) busyPast(t time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.next.After(t)
}

// pacedSender sends on a channel at the pacer's rate. A send that ctx ends while it waits is an error the
// courier releases the claim on: the next tick sends it.
type pacedSender struct {
	courier.Sender
	pace *pacer
}

func (s pacedSender) Send(ctx context.Context, m glassbox.Message, docs []glassbox.IssuedDocument) (string, error) {
	if err := s.pace.wait(ctx); err != nil {
		return "", err
	}
	return s.Sender.Send(ctx, m, docs)
}
