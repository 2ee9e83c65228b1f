// Package react acts on stored task events: it folds each into the task's state, asks notify what to tell
// whom, and sends each message exactly once (claim, send, mark). The same Processor serves the React Lambda
// (DynamoDB stream) and glassbox dev (in-process).
package react

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

// Store is what the processor needs of the store.
type Store interface {
	Config(ctx context.Context) (glassbox.Config, error)
	Task(ctx context.Context, projectID, provider, taskID string) (glassbox.Task, error)
	PutTask(ctx context.Context, t glassbox.Task) error
	courier.Store
	billing.Store
	OpenInvoices(ctx context.Context) ([]glassbox.Document, error)
	MarkPaid(ctx context.Context, id string, at time.Time, by string) error
}

// Mailer sends a complete message.
type Mailer = courier.Mailer

// Options tune a Processor.
type Options struct {
	// ClaimLease is how long a claim protects a message from being sent by another attempt. It must exceed
	// the function timeout: then a claim older than the lease belongs to an attempt that can no longer run.
	ClaimLease time.Duration
	// ConfigTTL is how long the configuration is cached between events; 0 reads it for every event.
	ConfigTTL time.Duration
	Logger    *slog.Logger
	// Billing serves CRM deal and payment events; without it they are logged and skipped.
	Billing *Billing
}

// DefaultClaimLease suits a function timeout of 30 s.
const DefaultClaimLease = courier.DefaultClaimLease

// Processor processes task events.
type Processor struct {
	store   Store
	courier *courier.Courier
	clock   glassbox.Clock
	opts    Options
	log     *slog.Logger
	issuer  *billing.Issuer

	mu        sync.Mutex
	config    glassbox.Config
	configAt  time.Time
	hasConfig bool
}

// NewProcessor builds a Processor.
func NewProcessor(store Store, mailer Mailer, clock glassbox.Clock, opts Options) *Processor {
	if opts.ClaimLease <= 0 {
		opts.ClaimLease = DefaultClaimLease
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	p := &Processor{store: store, courier: courier.New(store, mailer, clock, opts.ClaimLease, log), clock: clock, opts: opts, log: log}
	if opts.Billing != nil {
		p.issuer = billing.NewIssuer(store, opts.Billing.Render)
	}
	return p
}

// Process folds e into its task and sends the messages it causes. Processing the same event again is safe:
// the task state does not change twice and a sent message is not sent again. An error means "retry later".
func (p *Processor) Process(ctx context.Context, e glassbox.Event) error {
	log := p.log.With("event_id", e.ID, "project", e.ProjectID, "provider", e.Provider)
	cfg, err := p.cachedConfig(ctx)
	if err != nil {
		return fmt.Errorf("react: read config: %w", err)
	}
	switch e.Kind {
	case glassbox.EventDealStageChanged, glassbox.EventDealUpdated:
		return p.processDeal(ctx, cfg, e, log)
	case glassbox.EventPaymentConfirmed:
		return p.processPayment(ctx, e, log)
	}
	project, ok := cfg.Project(e.ProjectID)
	if !ok {
		// The project was removed from the configuration after the event was accepted: nobody to tell.
		log.Warn("event for unknown project dropped")
		return nil
	}
	before, after, err := p.fold(ctx, e)
	if err != nil {
		return err
	}
	msgs, err := notify.Decide(notify.Situation{Config: cfg, Project: project, Event: e, Before: before, After: after})
	if err != nil {
		return fmt.Errorf("react: decide for %s: %w", e.ID, err)
	}
	for _, m := range msgs {
		if err := p.courier.Deliver(ctx, m); err != nil {
			return fmt.Errorf("react: %w", err)
		}
	}
	return nil
}

// fold applies the event to the task state with optimistic concurrency, and returns the state before and after.
func (p *Processor) fold(ctx context.Context, e glassbox.Event) (before, after glassbox.Task, err error) {
	for attempt := 0; attempt < 5; attempt++ {
		before, err = p.store.Task(ctx, e.ProjectID, e.Provider, e.TaskID)
		if err != nil && !errors.Is(err, glassbox.ErrNotFound) {
			return before, after, fmt.Errorf("react: read task %s: %w", e.TaskID, err)
		}
		after = before
		if !after.Apply(e) {
			return before, after, nil
		}
		after.Version = before.Version + 1
		err = p.store.PutTask(ctx, after)
		if err == nil {
			return before, after, nil
		}
		if !errors.Is(err, glassbox.ErrConflict) {
			return before, after, fmt.Errorf("react: write task %s: %w", e.TaskID, err)
		}
	}
	return before, after, fmt.Errorf("react: task %s: too many concurrent updates", e.TaskID)
}

func (p *Processor) cachedConfig(ctx context.Context) (glassbox.Config, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock.Now()
	if p.hasConfig && p.opts.ConfigTTL > 0 && now.Sub(p.configAt) < p.opts.ConfigTTL {
		return p.config, nil
	}
	cfg, err := p.store.Config(ctx)
	if err != nil {
		return glassbox.Config{}, err
	}
	p.config, p.configAt, p.hasConfig = cfg, now, true
	return cfg, nil
}
