// Package digest builds the scheduled reports: the weekly digest, the monthly report and the manager's call
// reminder. It reads one project's period from the store (by time window and open tasks only, never the
// project's whole history) and turns it into the messages to claim and send; the wording is notify's.
//
// The scheduling (which project is due when, pacing, exactly once across ticks) is shared/schedule's; this
// package only answers "what does this project's report for this period say, to whom".
package digest

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

// Store is what building a report reads.
type Store interface {
	EventsBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Event, error)
	OpenTasks(ctx context.Context, projectID string) ([]glassbox.Task, error)
	Task(ctx context.Context, projectID, provider, taskID string) (glassbox.Task, error)
	MetricsBetween(ctx context.Context, projectID, from, to string) ([]glassbox.Metric, error)
	DocumentsBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Document, error)
	MessagesBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Message, error)
	OpenInvoices(ctx context.Context) ([]glassbox.Document, error)
}

// UnsubscribeURL makes the one-click unsubscribe link of a report email to a recipient (signed; see
// shared/links: {public URL}/u/{token}). Nil: no link (previews).
type UnsubscribeURL func(ctx context.Context, cfg glassbox.Config, projectID, recipient, messageID string) (string, error)

// RatingURL makes the one-click rating link of a score (1–5) in a report email (signed; see shared/links:
// {public URL}/r/{token}). Nil: no ratings (previews).
type RatingURL func(ctx context.Context, cfg glassbox.Config, projectID, messageID string, score int) (string, error)

// Composer builds a project's report messages for a period.
type Composer struct {
	store       Store
	unsubscribe UnsubscribeURL
	checkpoints Checkpointer
	rating      RatingURL
}

// WithRating makes the client's report emails (weekly digest, monthly report) offer the five one-click ratings
// (the template variable rate), each link signed over the project, the email's message id and the score. It
// returns c.
func (c *Composer) WithRating(rating RatingURL) *Composer {
	c.rating = rating
	return c
}

// rate is the rate variable of a report email with message id messageID: five items, score and link.
func (c *Composer) rate(ctx context.Context, cfg glassbox.Config, projectID, messageID string) ([]glassbox.Vars, error) {
	if c.rating == nil {
		return nil, nil
	}
	out := make([]glassbox.Vars, 0, 5)
	for score := 1; score <= 5; score++ {
		u, err := c.rating(ctx, cfg, projectID, messageID, score)
		if err != nil {
			return nil, fmt.Errorf("digest: rating link: %w", err)
		}
		out = append(out, glassbox.Vars{"score": score, "link": u})
	}
	return out, nil
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
	if plan.Zone == nil {
		plan.Zone = time.UTC
	}
	if plan.Locale == "" {
		plan.Locale = cfg.ProjectLocale(p)
	}
	client, _ := cfg.Client(p.ClientID)
	// The timeline first: the Checkpointer seals what is new, so a report is a seal point and the digest's
	// checksum covers the entries up to it.
	checksum, err := c.checksum(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("digest: checksum of %s: %w", p.ID, err)
	}
	var (
		f    facts
		kind = glassbox.MessageWeeklyDigest
	)
	if period.Kind == glassbox.ReportMonthly {
		kind = glassbox.MessageMonthlyReport
		f, err = c.monthly(ctx, cfg, p, plan, period)
	} else {
		f, err = c.weekly(ctx, p, plan, period)
	}
	if err != nil {
		return nil, err
	}
	// Both reports carry the timeline's head after their seal.
	f.vars["client"], f.vars["checksum"] = client.Name, checksum
	if f.empty && plan.SkipEmpty && kind == glassbox.MessageWeeklyDigest {
		return nil, nil
	}

	var out []glassbox.Message
	for _, r := range plan.Recipients {
		vars := f.withLists(maxEmailItems)
		if f.chart != nil {
			vars["chart"] = chartCID
		}
		cause := glassbox.ReportCause(p.ID, period, r.Email)
		// The ratings are signed over the email's own id (the one WordReport gives it).
		rate, err := c.rate(ctx, cfg, p.ID, glassbox.MessageID(cause, kind, glassbox.AudienceClient, glassbox.ChannelEmail))
		if err != nil {
			return nil, err
		}
		if rate != nil {
			vars["rate"] = rate
		}
		m, _, err := notify.WordReport(cfg, p, plan.Locale, notify.Report{Kind: kind, Audience: glassbox.AudienceClient,
			Cause: cause, To: []glassbox.Person{r}, ReplyTo: p.Manager, Vars: vars})
		if err != nil {
			return nil, err
		}
		if f.chart != nil {
			m.Images = []glassbox.InlineImage{{ContentID: chartCID, ContentType: "image/png", Data: f.chart}}
		}
		if c.unsubscribe != nil {
			if m.Unsubscribe, err = c.unsubscribe(ctx, cfg, p.ID, r.Email, m.ID); err != nil {
				return nil, fmt.Errorf("digest: unsubscribe link: %w", err)
			}
			m = notify.WithUnsubscribe(m, plan.Locale, m.Unsubscribe)
		}
		out = append(out, m)
	}
	if plan.Chat != "" {
		m, err := telegram(cfg, p, plan, period, kind, f)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if kind == glassbox.MessageMonthlyReport && p.Manager.Email != "" {
		m, err := c.callReminder(ctx, cfg, p, plan, period, f)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// maxEmailItems is the most tasks an email lists per section; the rest are counted ("…and 12 more").
const maxEmailItems = 50

// telegram words the report for the client's chat, without the chart, cutting every task list shorter until
// the message fits Telegram's limit.
func telegram(cfg glassbox.Config, p glassbox.Project, plan glassbox.ReportPlan, period glassbox.Period, kind glassbox.MessageKind, f facts) (glassbox.Message, error) {
	cause := glassbox.ReportCause(p.ID, period, plan.Chat)
	var text string
	var m glassbox.Message
	for _, limit := range []int{maxEmailItems, 20, 10, 5, 3, 1, -1} {
		vars := f.withLists(max(limit, 0))
		if limit < 0 {
			for name := range f.lists {
				setList(vars, name, f.lists[name], 0)
				vars[name], vars[name+"_more"] = []glassbox.Vars(nil), len(f.lists[name])
			}
		}
		var err error
		m, text, err = notify.WordReport(cfg, p, plan.Locale, notify.Report{Kind: kind, Audience: glassbox.AudienceClient,
			Cause: cause, ReplyTo: p.Manager, Vars: vars})
		if err != nil {
			return glassbox.Message{}, err
		}
		if utf8.RuneCountInString(text) <= notify.MaxTelegram {
			break
		}
	}
	if utf8.RuneCountInString(text) > notify.MaxTelegram {
		// Only an admin's very long wording gets here: cut at the last paragraph that fits, never inside a tag.
		cut := string([]rune(text)[:notify.MaxTelegram-1])
		if i := strings.LastIndex(cut, "\n\n"); i > 0 {
			cut = cut[:i]
		} else if i := strings.LastIndex(cut, "<"); i > strings.LastIndex(cut, ">") {
			cut = cut[:i]
		}
		text = cut + "…"
	}
	return notify.OnTelegram(m, cause, plan.Chat, text), nil
}
