// Package react acts on stored task events: it folds each into the task's state, asks notify what to tell
// whom, and sends each message exactly once (claim, send, mark). The same Processor serves the React Lambda
// (DynamoDB stream) and glassbox dev (in-process).
package react

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/mime"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

// Store is what the processor needs of the store.
type Store interface {
	Config(ctx context.Context) (glassbox.Config, error)
	Task(ctx context.Context, projectID, provider, taskID string) (glassbox.Task, error)
	PutTask(ctx context.Context, t glassbox.Task) error
	ClaimMessage(ctx context.Context, m glassbox.Message, lease time.Duration) error
	MarkMessageSent(ctx context.Context, id, token string, sentAt time.Time, providerID string) error
	ReleaseMessage(ctx context.Context, id, token string) error
}

// Mailer sends a complete message.
type Mailer interface {
	Send(ctx context.Context, e glassbox.RawEmail) (string, error)
}

// Options tune a Processor.
type Options struct {
	// ClaimLease is how long a claim protects a message from being sent by another attempt. It must exceed
	// the function timeout: then a claim older than the lease belongs to an attempt that can no longer run.
	ClaimLease time.Duration
	// ConfigTTL is how long the configuration is cached between events; 0 reads it for every event.
	ConfigTTL time.Duration
	Logger    *slog.Logger
}

// DefaultClaimLease suits a function timeout of 30 s.
const DefaultClaimLease = 2 * time.Minute

// Processor processes task events.
type Processor struct {
	store  Store
	mailer Mailer
	clock  glassbox.Clock
	opts   Options
	log    *slog.Logger

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
	return &Processor{store: store, mailer: mailer, clock: clock, opts: opts, log: log}
}

// Process folds e into its task and sends the messages it causes. Processing the same event again is safe:
// the task state does not change twice and a sent message is not sent again. An error means "retry later".
func (p *Processor) Process(ctx context.Context, e glassbox.Event) error {
	log := p.log.With("event_id", e.ID, "project", e.ProjectID, "provider", e.Provider)
	cfg, err := p.cachedConfig(ctx)
	if err != nil {
		return fmt.Errorf("react: read config: %w", err)
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
		if err := p.deliver(ctx, m, log); err != nil {
			return err
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

// deliver claims, sends and marks one message. See docs/data-model.md, "Exactly once".
func (p *Processor) deliver(ctx context.Context, m glassbox.Message, log *slog.Logger) error {
	log = log.With("message_id", m.ID, "kind", m.Kind, "audience", m.Audience)
	m.State = glassbox.MessageClaimed
	m.ClaimToken = newToken()
	m.ClaimedAt = p.clock.Now().UTC()
	switch err := p.store.ClaimMessage(ctx, m, p.opts.ClaimLease); {
	case errors.Is(err, glassbox.ErrAlreadySent):
		log.Info("message already sent")
		return nil
	case err != nil:
		return fmt.Errorf("react: claim message %s: %w", m.ID, err)
	}
	raw, err := render(m)
	if err != nil {
		_ = p.store.ReleaseMessage(ctx, m.ID, m.ClaimToken)
		return err
	}
	providerID, err := p.mailer.Send(ctx, raw)
	if err != nil {
		if rerr := p.store.ReleaseMessage(ctx, m.ID, m.ClaimToken); rerr != nil {
			log.Error("release claim after failed send", "error", rerr.Error())
		}
		return fmt.Errorf("react: send message %s: %w", m.ID, err)
	}
	if err := p.store.MarkMessageSent(ctx, m.ID, m.ClaimToken, p.clock.Now().UTC(), providerID); err != nil {
		// The mail is out; failing here would resend it after the lease. Log and move on.
		log.Error("mark message sent", "error", err.Error())
	}
	log.Info("message sent", "provider_message_id", providerID)
	return nil
}

// render builds the MIME message. Message-ID is derived from the message id, so a resend after a crash
// carries the same id and mail programs show it once; References names one root per project, so a client's
// mail program threads one project's notices together.
func render(m glassbox.Message) (glassbox.RawEmail, error) {
	domain := "glassbox.local"
	if i := strings.LastIndexByte(m.From.Email, '@'); i >= 0 {
		domain = m.From.Email[i+1:]
	}
	msg := mime.Message{
		From:       mime.Address{Name: m.From.Name, Email: m.From.Email},
		Subject:    m.Subject,
		Date:       m.ClaimedAt,
		MessageID:  m.ID + "@" + domain,
		References: []string{"project-" + m.ProjectID + "@" + domain},
		Text:       m.Text,
		HTML:       m.HTML,
	}
	if m.ReplyTo.Email != "" {
		msg.ReplyTo = []mime.Address{{Name: m.ReplyTo.Name, Email: m.ReplyTo.Email}}
	}
	to := make([]string, 0, len(m.To))
	for _, p := range m.To {
		msg.To = append(msg.To, mime.Address{Name: p.Name, Email: p.Email})
		to = append(to, p.Email)
	}
	data, err := msg.Bytes()
	if err != nil {
		return glassbox.RawEmail{}, fmt.Errorf("react: build message %s: %w", m.ID, err)
	}
	return glassbox.RawEmail{From: m.From.Email, To: to, Data: data}, nil
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

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
