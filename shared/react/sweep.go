package react

import (
	"context"
	"fmt"
	"time"
)

// SweepResult is what one sweep found and did.
type SweepResult struct {
	// Found counts the unprocessed events older than the grace period that the sweep read.
	Found int `json:"found"`
	// Finished counts those it processed to the end now; Failed those that failed again and stay unprocessed.
	Finished int `json:"finished"`
	Failed   int `json:"failed"`
	// Issued and Sent add up the documents issued and messages sent by this sweep.
	Issued int `json:"issued"`
	Sent   int `json:"sent"`
	// FeedbackNotices counts the manager's notices of client feedback this sweep sent because the link that
	// recorded the feedback did not (sweepFeedback).
	FeedbackNotices int `json:"feedbackNotices,omitempty"`
	// UnsubscribeNotices counts the same for unsubscriptions (sweepUnsubscriptions).
	UnsubscribeNotices int `json:"unsubscribeNotices,omitempty"`
}

// sweepReserve is the time a sweep leaves before its deadline: it takes no new event after that. A sweep given
// less than twice that keeps half its time instead, so a short deadline still finishes events.
const sweepReserve = 30 * time.Second

// SweepFailureLog is the message logged for an event a sweep could not finish; the template's metric filter
// counts it.
const SweepFailureLog = "sweep: event still fails; a later sweep retries it"

// MaxSweepBackoff is the longest an event that keeps failing waits between sweeps.
const MaxSweepBackoff = 6 * time.Hour

// sweepBackoff is how long after its attempts-th failure an event waits for its next turn: the grace period,
// doubling with every failure, up to MaxSweepBackoff.
func sweepBackoff(grace time.Duration, attempts int) time.Duration {
	d := max(grace, 0)
	for i := 1; i < attempts && d < MaxSweepBackoff; i++ {
		d *= 2
	}
	return min(d, MaxSweepBackoff)
}

// DefaultSweepLimit bounds one sweep, so a backlog is worked off over several runs within a function timeout.
const DefaultSweepLimit = 200

// Sweep finishes events that were accepted but not processed to the end: a function that died half-way, a
// timeout, throttling, a batch that went to the dead-letter queue, a bug fixed since. It processes every event
// still marked unprocessed whose turn came more than grace ago (up to limit, earliest first; an event's turn
// is its receipt, or when a failed sweep postponed it to) through the same Process as the stream, which is
// idempotent, so nothing is done twice. An event that fails again stays marked and is postponed, waiting twice
// as long after each failure (sweepBackoff); the sweep goes on with the others. Then, with Options.Feedback, it
// sends the manager's notices of client feedback that the link recording it did not (sweepFeedback). The error
// is for a store it cannot read.
func (p *Processor) Sweep(ctx context.Context, grace time.Duration, limit int) (SweepResult, error) {
	var res SweepResult
	events, err := p.store.UnprocessedEvents(ctx, p.clock.Now().Add(-grace), limit)
	if err != nil {
		return res, fmt.Errorf("react: sweep: %w", err)
	}
	res.Found = len(events)
	var stopAt time.Time
	if deadline, ok := ctx.Deadline(); ok {
		stopAt = deadline.Add(-min(sweepReserve, time.Until(deadline)/2))
	}
	for _, e := range events {
		if ctx.Err() != nil || !stopAt.IsZero() && time.Now().After(stopAt) {
			break // the rest waits for the next sweep rather than being cut off half-way
		}
		out, err := p.Process(ctx, e)
		res.Issued += out.Issued
		res.Sent += out.Sent
		if err != nil {
			res.Failed++
			attempts := e.SweepAttempts + 1
			until := p.clock.Now().Add(sweepBackoff(grace, attempts))
			// The error is logged for the alarm on sweep failures (template.yaml); the event goes behind the
			// others, so a few that keep failing cannot take every sweep's turn.
			p.log.Error(SweepFailureLog, "event_id", e.ID, "received_at", e.ReceivedAt, "attempts", attempts,
				"next_after", until, "error", err.Error())
			if perr := p.store.PostponeEvent(ctx, e.ID, until, attempts); perr != nil {
				p.log.Error("sweep: postpone event", "event_id", e.ID, "error", perr.Error())
			}
			continue
		}
		res.Finished++
		p.log.Info("sweep: finished an unprocessed event", "event_id", e.ID, "received_at", e.ReceivedAt,
			"issued", out.Issued, "sent", out.Sent)
	}
	if ctx.Err() == nil && (stopAt.IsZero() || time.Now().Before(stopAt)) {
		res.FeedbackNotices = p.sweepFeedback(ctx, grace)
		res.UnsubscribeNotices = p.sweepUnsubscriptions(ctx, grace)
	}
	return res, nil
}
