// Package digest builds the scheduled reports: the weekly digest, the monthly report and the manager's call
// reminder. It reads one project's period from the store (by time window and open tasks only, never the
// project's whole history) and turns it into the messages to claim and send; the wording is notify's.
//
// The scheduling (which project is due when, pacing, exactly once across ticks) is shared/schedule's; this
// package only answers "what does this project's report for this period say, to whom".
package digest

import (
	"context"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Store is what building a report reads.
type Store interface {
	EventsBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Event, error)
	OpenTasks(ctx context.Context, projectID string) ([]glassbox.Task, error)
	MetricsBetween(ctx context.Context, projectID, from, to string) ([]glassbox.Metric, error)
	DocumentsBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Document, error)
	MessagesBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Message, error)
	OpenInvoices(ctx context.Context) ([]glassbox.Document, error)
}

// UnsubscribeURL makes the one-click unsubscribe link of a report email to a recipient (signed; see
// shared/links: {public URL}/u/{token}). Nil: no link (previews).
type UnsubscribeURL func(ctx context.Context, projectID, recipient, messageID string) (string, error)

// Composer builds a project's report messages for a period.
type Composer struct {
	store       Store
	unsubscribe UnsubscribeURL
}

// New builds a Composer.
func New(store Store, unsubscribe UnsubscribeURL) *Composer {
	return &Composer{store: store, unsubscribe: unsubscribe}
}

// Compose returns every message of the project's report for the period, each with its deterministic id
// (glassbox.ReportCause): for a weekly period one email per recipient in plan and one Telegram message when
// plan has a chat; for a monthly period the same with the monthly report, plus the manager's call reminder.
// Recipients the caller leaves out of plan (unsubscribed) get nothing. An empty week with plan.SkipEmpty gives
// no messages.
func (c *Composer) Compose(ctx context.Context, cfg glassbox.Config, p glassbox.Project, plan glassbox.ReportPlan, period glassbox.Period) ([]glassbox.Message, error) {
	// Placeholder until the report content lands: one plain message per recipient, so scheduling can be built
	// and tested against the real ids.
	var out []glassbox.Message
	kind := glassbox.MessageWeeklyDigest
	if period.Kind == glassbox.ReportMonthly {
		kind = glassbox.MessageMonthlyReport
	}
	for _, r := range plan.Recipients {
		id := glassbox.MessageID(glassbox.ReportCause(p.ID, period, r.Email), kind, glassbox.AudienceClient, glassbox.ChannelEmail)
		m := glassbox.Message{ID: id, ProjectID: p.ID, EventID: glassbox.ReportCause(p.ID, period, r.Email), Kind: kind,
			Audience: glassbox.AudienceClient, Channel: glassbox.ChannelEmail, To: []glassbox.Person{r},
			Subject: p.Name + " " + period.Key, Text: period.Key, HTML: "<p>" + period.Key + "</p>"}
		if c.unsubscribe != nil {
			u, err := c.unsubscribe(ctx, p.ID, r.Email, id)
			if err != nil {
				return nil, err
			}
			m.Unsubscribe = u
		}
		out = append(out, m)
	}
	return out, nil
}
