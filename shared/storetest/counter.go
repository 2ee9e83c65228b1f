package storetest

import (
	"context"
	"sync"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// ReadCounter is a store whose reads of a project's history count their calls and the items they return, so a
// test can show that a pass (a digest, a seal run) reads the same at 1× and 10× history. Writes pass through
// uncounted. Safe for concurrent use.
type ReadCounter struct {
	glassbox.Store
	mu           sync.Mutex
	calls, items int
}

// Counts returns the calls and items counted so far.
func (c *ReadCounter) Counts() (calls, items int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls, c.items
}

func (c *ReadCounter) add(items int) {
	c.mu.Lock()
	c.calls, c.items = c.calls+1, c.items+items
	c.mu.Unlock()
}

func (c *ReadCounter) EventsBetween(ctx context.Context, p string, from, to time.Time) ([]glassbox.Event, error) {
	r, err := c.Store.EventsBetween(ctx, p, from, to)
	c.add(len(r))
	return r, err
}

func (c *ReadCounter) MessagesBetween(ctx context.Context, p string, from, to time.Time) ([]glassbox.Message, error) {
	r, err := c.Store.MessagesBetween(ctx, p, from, to)
	c.add(len(r))
	return r, err
}

func (c *ReadCounter) FeedbackBetween(ctx context.Context, p string, from, to time.Time) ([]glassbox.Feedback, error) {
	r, err := c.Store.FeedbackBetween(ctx, p, from, to)
	c.add(len(r))
	return r, err
}

func (c *ReadCounter) DocumentsBetween(ctx context.Context, p string, from, to time.Time) ([]glassbox.Document, error) {
	r, err := c.Store.DocumentsBetween(ctx, p, from, to)
	c.add(len(r))
	return r, err
}

func (c *ReadCounter) MetricsBetween(ctx context.Context, p, from, to string) ([]glassbox.Metric, error) {
	r, err := c.Store.MetricsBetween(ctx, p, from, to)
	c.add(len(r))
	return r, err
}

func (c *ReadCounter) OpenTasks(ctx context.Context, p string) ([]glassbox.Task, error) {
	r, err := c.Store.OpenTasks(ctx, p)
	c.add(len(r))
	return r, err
}

func (c *ReadCounter) OpenInvoices(ctx context.Context) ([]glassbox.Document, error) {
	r, err := c.Store.OpenInvoices(ctx)
	c.add(len(r))
	return r, err
}

func (c *ReadCounter) RecentSeals(ctx context.Context, p string, within time.Duration) ([]glassbox.Seal, error) {
	r, err := c.Store.RecentSeals(ctx, p, within)
	c.add(len(r))
	return r, err
}

func (c *ReadCounter) Task(ctx context.Context, p, provider, id string) (glassbox.Task, error) {
	c.add(1)
	return c.Store.Task(ctx, p, provider, id)
}

func (c *ReadCounter) Document(ctx context.Context, id string) (glassbox.Document, error) {
	c.add(1)
	return c.Store.Document(ctx, id)
}
