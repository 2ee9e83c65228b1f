// Package react acts on stored task events: it folds each into the task's state, asks notify what to tell
// whom, and sends each message exactly once (claim, send, mark). The same Processor serves the React Lambda
// (DynamoDB stream) and glassbox dev (in-process).
package react

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
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
	Event(ctx context.Context, id string) (glassbox.Event, error)
	MarkEventProcessed(ctx context.Context, id string) error
	UnprocessedEvents(ctx context.Context, before time.Time, limit int) ([]glassbox.Event, error)
	PostponeEvent(ctx context.Context, id string, until time.Time, attempts int) error
	glassbox.HeldStore
}

// Senders are the channels messages go out on.
type Senders = courier.Senders

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
	// ReadBack reads events back through their provider's API, by provider name (providers.ReadBackers):
	// those whose deliveries carry too little (Asana, Bitrix24) or cannot be trusted (Kaiten).
	ReadBack map[string]ReadBacker
	// Secrets reads the API credentials read-back needs (a binding's api_param).
	Secrets Secrets
	// Approvals signs the "accept" / "request changes" links of the client's task-done notices
	// (billing.Links); without it, or when the link key cannot be read, the notices ask the client to reply.
	Approvals ApprovalSigner
	// Feedback lists the client's feedback items, for the sweep to send the manager's notices a link could not
	// (sweepFeedback); without it the sweep does not look at feedback.
	Feedback FeedbackLister
}

// ApprovalSigner makes the signed approval links of a configuration's task-done notices (notify.ApprovalURLs).
type ApprovalSigner interface {
	ApprovalURLs(ctx context.Context, cfg glassbox.Config) (func(projectID, provider, taskID, messageID string) (accept, changes string), error)
}

// ReadBacker completes or checks an event through its provider's API before it is acted on. credential is
// the value of the binding's api_param. glassbox.ErrNotFound says the task or deal is gone at the provider (the
// event is dropped); any other error leaves the event pending, to be retried.
type ReadBacker interface {
	ReadBack(ctx context.Context, b glassbox.Binding, credential string, e glassbox.Event) (glassbox.Event, error)
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

	config glassbox.KeptConfig
}

// NewProcessor builds a Processor.
func NewProcessor(store Store, senders Senders, clock glassbox.Clock, opts Options) *Processor {
	if opts.ClaimLease <= 0 {
		opts.ClaimLease = DefaultClaimLease
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	p := &Processor{store: store, clock: clock, opts: opts, log: log, config: glassbox.KeptConfig{TTL: opts.ConfigTTL}}
	p.courier = courier.New(store, senders, clock, opts.ClaimLease, log).ReportTo(p)
	if opts.Billing != nil {
		p.issuer = billing.NewIssuer(store, opts.Billing.Render)
	}
	return p
}

// Outcome is what processing an event did this time.
type Outcome struct {
	// Issued counts the documents this run issued (numbered and stored).
	Issued int
	// Sent counts the messages this run sent; messages sent before are not counted.
	Sent int
	// Held counts the messages this run stored to go later (quiet hours, coalescing).
	Held int
	// Dropped says why the event causes nothing and never will (its project or binding is no longer
	// configured, its documents were voided); empty otherwise.
	Dropped string
}

// String says it the way an admin reads it: "issued 2, sent 2", "sent 1", "nothing left to do".
func (o Outcome) String() string {
	var parts []string
	if o.Issued > 0 {
		parts = append(parts, fmt.Sprintf("issued %d", o.Issued))
	}
	if o.Sent > 0 {
		parts = append(parts, fmt.Sprintf("sent %d", o.Sent))
	}
	if o.Held > 0 {
		parts = append(parts, fmt.Sprintf("held %d", o.Held))
	}
	if o.Dropped != "" {
		parts = append(parts, "dropped: "+o.Dropped)
	}
	if len(parts) == 0 {
		return "nothing left to do"
	}
	return strings.Join(parts, ", ")
}

// Process does everything e causes: folds it into its task and sends the notices, or issues and sends a
// closed stage's documents, or marks an invoice paid. Then it clears the event's unprocessed mark, so the sweep
// leaves it alone. Processing the same event again is safe: the task state does not change twice, a close
// issues its documents once, and a sent message is not sent again; what a run that died half-way left undone
// is done. An error means "retry later"; the event stays marked unprocessed.
func (p *Processor) Process(ctx context.Context, e glassbox.Event) (Outcome, error) {
	out, err := p.process(ctx, e)
	if err != nil {
		return out, err
	}
	switch err := p.store.MarkEventProcessed(ctx, e.ID); {
	case errors.Is(err, glassbox.ErrNotFound):
		// An event that was never stored (a preview) carries no mark.
	case err != nil:
		return out, fmt.Errorf("react: mark event %s processed: %w", e.ID, err)
	}
	return out, nil
}

func (p *Processor) process(ctx context.Context, e glassbox.Event) (Outcome, error) {
	var out Outcome
	log := p.log.With("event_id", e.ID, "project", e.ProjectID, "provider", e.Provider)
	cfg, err := p.configFor(ctx, e)
	if err != nil {
		return out, fmt.Errorf("react: read config: %w", err)
	}
	if e, out.Dropped, err = p.readBack(ctx, cfg, e); err != nil || out.Dropped != "" {
		if out.Dropped != "" {
			log.Warn("event dropped", "reason", out.Dropped)
		}
		return out, err
	}
	if e.Kind == glassbox.EventTaskNoted && e.Note == "" {
		// A comment whose text only the read-back gives (Asana) and that has no reason marker.
		out.Dropped = "the comment carries no reason marker"
		return out, nil
	}
	switch {
	case e.Kind.IsDeal():
		return p.processDeal(ctx, cfg, e, log)
	case e.Kind == glassbox.EventPaymentConfirmed:
		return out, p.processPayment(ctx, e, log)
	}
	project, ok := cfg.Project(e.ProjectID)
	if !ok {
		// The project was removed from the configuration after the event was accepted: nobody to tell.
		log.Warn("event for unknown project dropped")
		out.Dropped = "project " + e.ProjectID + " is no longer configured"
		return out, nil
	}
	// A due date without a time of day (Jira, Linear, Asana's due_on) ends in the project's zone.
	e = e.DueIn(cfg.ProjectZone(project))
	before, after, err := p.fold(ctx, e)
	if err != nil {
		return out, err
	}
	e.PrevStatus = prevStatus(e, before)
	s := notify.Situation{Config: cfg, Project: project, Event: e, Before: before, After: after, Approvals: p.approvals(ctx, cfg)}
	msgs, err := notify.Decide(s)
	if err != nil {
		return out, fmt.Errorf("react: decide for %s: %w", e.ID, err)
	}
	return out, p.deliverOrHold(ctx, &out, cfg.ProjectTiming(project), notify.TaskOf(s), msgs)
}

// approvals is the signer of task-done notices' approval links, or nil. A key that cannot be read leaves the
// links out rather than hold the good news back: the notice still asks the client to reply.
func (p *Processor) approvals(ctx context.Context, cfg glassbox.Config) notify.ApprovalURLs {
	if p.opts.Approvals == nil {
		return nil
	}
	f, err := p.opts.Approvals.ApprovalURLs(ctx, cfg)
	if err != nil {
		p.log.Warn("task-done notices go without approval links", "error", err.Error())
		return nil
	}
	return f
}

// readBack completes e through its provider's API, when the provider reads back. It returns why the event is
// dropped when its binding is gone or the provider says the task or deal no longer exists.
func (p *Processor) readBack(ctx context.Context, cfg glassbox.Config, e glassbox.Event) (glassbox.Event, string, error) {
	rb, ok := p.opts.ReadBack[e.Provider]
	if !ok || e.Kind == glassbox.EventPaymentConfirmed {
		return e, "", nil
	}
	b, ok := cfg.Binding(e.Provider, e.BindingID)
	if !ok {
		return e, "binding " + e.BindingID + " is no longer configured", nil
	}
	if p.opts.Secrets == nil {
		return e, "", fmt.Errorf("react: %s events are read back, and this processor has no secrets to read them with", e.Provider)
	}
	credential, err := p.opts.Secrets.Secret(ctx, b.APIParam)
	if err != nil {
		return e, "", fmt.Errorf("react: read %s API credential %s: %w", e.Provider, b.APIParam, err)
	}
	got, err := rb.ReadBack(ctx, b, credential, e)
	switch {
	case errors.Is(err, glassbox.ErrNotFound):
		return e, fmt.Sprintf("%s says it no longer exists (%v)", e.Provider, err), nil
	case err != nil:
		return e, "", fmt.Errorf("react: read %s back: %w", e.ID, err)
	}
	return got, "", nil
}

// prevStatus is the status a task event left. Trello and most trackers say it in the delivery; for those that
// do not (Asana's events are compact), it is the stored status before the event, or, when a run that died
// after folding the event is retried, the status the fold recorded as left.
func prevStatus(e glassbox.Event, before glassbox.Task) glassbox.TaskStatus {
	switch {
	case e.PrevStatus != "" || e.Kind != glassbox.EventTaskMoved:
		return e.PrevStatus
	case before.LastEventID == e.ID:
		return before.PrevStatus
	}
	return before.Status
}

// deliver sends each message once, counting what this run sent. The messages of one event go together
// (courier.DeliverAll: one request claims them, one marks them sent).
func (p *Processor) deliver(ctx context.Context, out *Outcome, msgs []glassbox.Message, known ...glassbox.IssuedDocument) error {
	sent, err := p.courier.DeliverAll(ctx, msgs, known...)
	out.Sent += sent
	if err != nil {
		return fmt.Errorf("react: %w", err)
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

// configFor returns the configuration to process e with: the cached one, unless it lacks e's project or
// binding. Ingest reads bindings fresh, so an event of a project applied a moment ago can reach React before its
// cache expires; dropping it then would lose it, so a miss reads the configuration again before anything is
// dropped.
func (p *Processor) configFor(ctx context.Context, e glassbox.Event) (glassbox.Config, error) {
	return p.config.Get(ctx, p.clock.Now(), p.store.Config, func(cfg glassbox.Config) bool { return knows(cfg, e) })
}

// knows says whether cfg has what processing e looks up.
func knows(cfg glassbox.Config, e glassbox.Event) bool {
	_, project := cfg.Project(e.ProjectID)
	switch {
	case e.Kind == glassbox.EventPaymentConfirmed:
		return true
	case e.Kind.IsDeal():
		_, binding := cfg.Binding(e.Provider, e.BindingID)
		return project && binding
	}
	return project
}

// Config is the configuration as this processor has it cached (ConfigTTL): the Telegram sender finds the bot
// token's parameter in it, and delivery reports their project, without a read per message.
func (p *Processor) Config(ctx context.Context) (glassbox.Config, error) {
	return p.cachedConfig(ctx)
}

// ForgetDeliveryNotes makes the next message read the suppressions again (courier.NotesTTL otherwise): glassbox
// dev's simulated bounce is recorded by the bounce handler, not by this processor's courier.
func (p *Processor) ForgetDeliveryNotes() { p.courier.ForgetNotes() }

func (p *Processor) cachedConfig(ctx context.Context) (glassbox.Config, error) {
	return p.config.Get(ctx, p.clock.Now(), p.store.Config, nil)
}
