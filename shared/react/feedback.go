package react

import (
	"context"
	"errors"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

// FeedbackLister lists a project's feedback items recorded in a window (glassbox.FeedbackStore).
type FeedbackLister interface {
	FeedbackBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Feedback, error)
}

// FeedbackSweepWindow is how far back a sweep looks for feedback whose manager's notice has not gone out: long
// enough to outlast a mail service that is down for hours, short enough that a sweep reads a few items.
const FeedbackSweepWindow = 24 * time.Hour

// sweepFeedback sends the manager's notice of every feedback item recorded between FeedbackSweepWindow and
// grace ago that tells the manager (changes requested, an acceptance, a rating of 3 or lower) and whose notice
// has not gone out. The link handler records the item and then tells the manager; a function that stopped in
// between, or a mail service that failed, would otherwise leave the manager never told, while the client was
// thanked and promised the manager would get back to them. The notice has the id the link handler gives it
// (notify.FeedbackReceived), so one that went out is not sent again. Items younger than grace are the link
// handler's own. It returns how many notices this sweep sent; a failure is logged and left to the next sweep.
func (p *Processor) sweepFeedback(ctx context.Context, grace time.Duration) int {
	if p.opts.Feedback == nil {
		return 0
	}
	cfg, err := p.cachedConfig(ctx)
	if err != nil {
		p.log.Error("sweep: feedback: read config", "error", err.Error())
		return 0
	}
	now := p.clock.Now().UTC()
	sent := 0
	for _, project := range cfg.Projects {
		items, err := p.opts.Feedback.FeedbackBetween(ctx, project.ID, now.Add(-FeedbackSweepWindow), now.Add(-grace))
		if err != nil {
			p.log.Error("sweep: feedback: list", "project", project.ID, "error", err.Error())
			continue
		}
		for _, f := range items {
			if !f.TellsManager() || ctx.Err() != nil {
				continue
			}
			var task glassbox.Task
			if f.TaskID != "" {
				if task, err = p.store.Task(ctx, f.ProjectID, f.Provider, f.TaskID); err != nil && !errors.Is(err, glassbox.ErrNotFound) {
					p.log.Error("sweep: feedback: read task", "feedback_id", f.ID, "error", err.Error())
					continue
				}
			}
			msgs, err := notify.FeedbackReceived(cfg, f, task)
			sent += p.deliverMissed(ctx, msgs, err, "feedback", "feedback_id", f.ID)
		}
	}
	return sent
}

// sweepUnsubscriptions does for unsubscriptions what sweepFeedback does for feedback: the link handler records
// an unsubscription and then tells the manager, so a function that stopped in between, or a mail service that
// failed, would leave the manager never told that a client stopped reading the reports. Unsubscriptions
// recorded between FeedbackSweepWindow and grace ago get their notice, under the id the link handler gives it
// (notify.DigestUnsubscribed), so one that went out is not sent again. It reads the delivery notes once.
func (p *Processor) sweepUnsubscriptions(ctx context.Context, grace time.Duration) int {
	if p.opts.Feedback == nil {
		return 0
	}
	cfg, err := p.cachedConfig(ctx)
	if err != nil {
		p.log.Error("sweep: unsubscriptions: read config", "error", err.Error())
		return 0
	}
	notes, err := p.store.DeliveryNotes(ctx)
	if err != nil {
		p.log.Error("sweep: unsubscriptions: read", "error", err.Error())
		return 0
	}
	now := p.clock.Now().UTC()
	sent := 0
	for _, u := range notes.Unsubscriptions {
		if u.At.Before(now.Add(-FeedbackSweepWindow)) || u.At.After(now.Add(-grace)) || ctx.Err() != nil {
			continue
		}
		m, ok, err := notify.DigestUnsubscribed(cfg, u)
		var msgs []glassbox.Message
		if ok {
			msgs = []glassbox.Message{m}
		}
		sent += p.deliverMissed(ctx, msgs, err, "unsubscription", "project", u.ProjectID)
	}
	return sent
}

// deliverMissed delivers a manager's notices that a link handler may not have sent (err: composing them
// failed), under their own ids, so those that went out are not sent again. It logs what it sent and what failed,
// naming what the notices are of, and returns how many went out now.
func (p *Processor) deliverMissed(ctx context.Context, msgs []glassbox.Message, err error, of string, attrs ...any) int {
	sent := 0
	for _, m := range msgs {
		if err != nil {
			break
		}
		var ok bool
		if ok, err = p.courier.Deliver(ctx, m); ok {
			sent++
			p.log.Info("sweep: told the manager what the link did not", append([]any{"of", of, "message_id", m.ID}, attrs...)...)
		}
	}
	if err != nil {
		p.log.Error("sweep: tell the manager", append([]any{"of", of, "error", err.Error()}, attrs...)...)
	}
	return sent
}
