// Package accounts gathers every project's health for the account manager (glassbox accounts): the client's
// last rating, overdue invoices, how long work has waited on the client, the bad news the manager was told this
// month, the last monthly call reminder, and change requests not yet followed by an acceptance. It reads the
// store only by project and time window (and the open invoices and open tasks), never a project's whole
// history, and decides which client drifts first (Health.Drift).
package accounts

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Store is what the health reads.
type Store interface {
	OpenTasks(ctx context.Context, projectID string) ([]glassbox.Task, error)
	OpenInvoices(ctx context.Context) ([]glassbox.Document, error)
	MessagesBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Message, error)
	FeedbackBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Feedback, error)
}

// How far back the health looks: feedback (the last rating, open change requests) over a year; call reminders
// over three months (they go monthly, so none in that time means they stopped).
const (
	FeedbackWindow = 365 * 24 * time.Hour
	CallWindow     = 92 * 24 * time.Hour
)

// Health is one project's account health at a time.
type Health struct {
	ProjectID, Project, Client string
	// LastRating is the newest rating's score (0: none in FeedbackWindow), LastRatingAt when it came.
	LastRating   int
	LastRatingAt time.Time
	// OverdueInvoices counts open invoices past their due date; OverdueTotal sums them per currency.
	OverdueInvoices int
	OverdueTotal    map[string]glassbox.Minor
	// WaitingDays is how many whole days the longest-waiting open task has waited on the client (status
	// waiting, since it moved there: glassbox.Task.InStatusSince); 0 when none waits.
	WaitingDays int
	// BadNews counts the manager's notices of blocked, reopened and overdue tasks since the month began (in
	// the project's zone), one per cause however many channels it went on.
	BadNews int
	// LastCallReminder is when the last monthly call reminder was sent (zero: none in CallWindow).
	LastCallReminder time.Time
	// OpenChanges counts deliverables whose latest decision is "changes requested".
	OpenChanges int
}

// Drift weighs what makes a client drift away, so the worst comes first: each open change request and each
// overdue invoice 3, a last rating of 3 or lower 5 (minus its score), a week of waiting on the client 1, each
// piece of bad news 1, and no call reminder in CallWindow 2. The weights are a ranking, not a measure: they put a
// client with unanswered changes, unpaid invoices and a bad rating above one with a blocked task.
func (h Health) Drift() int {
	d := 3*h.OpenChanges + 3*h.OverdueInvoices + h.WaitingDays/7 + h.BadNews
	if h.LastRating > 0 && h.LastRating <= 3 {
		d += 5 + (3 - h.LastRating)
	}
	if h.LastCallReminder.IsZero() {
		d += 2
	}
	return d
}

// All returns every configured project's health at now, the most drifting first (ties by project id).
func All(ctx context.Context, s Store, cfg glassbox.Config, now time.Time) ([]Health, error) {
	invoices, err := s.OpenInvoices(ctx)
	if err != nil {
		return nil, fmt.Errorf("accounts: open invoices: %w", err)
	}
	out := make([]Health, 0, len(cfg.Projects))
	for _, p := range cfg.Projects {
		h, err := Of(ctx, s, cfg, p, invoices, now)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if di, dj := out[i].Drift(), out[j].Drift(); di != dj {
			return di > dj
		}
		return out[i].ProjectID < out[j].ProjectID
	})
	return out, nil
}

// Of returns one project's health at now; invoices are the open invoices of every project (OpenInvoices).
func Of(ctx context.Context, s Store, cfg glassbox.Config, p glassbox.Project, invoices []glassbox.Document, now time.Time) (Health, error) {
	now = now.UTC()
	client, _ := cfg.Client(p.ClientID)
	h := Health{ProjectID: p.ID, Project: p.Name, Client: client.Name, OverdueTotal: map[string]glassbox.Minor{}}

	for _, d := range invoices {
		if d.ProjectID == p.ID && d.Kind == glassbox.DocumentInvoice && d.Overdue(now) {
			h.OverdueInvoices++
			h.OverdueTotal[d.Currency] += d.Total
		}
	}

	tasks, err := s.OpenTasks(ctx, p.ID)
	if err != nil {
		return h, fmt.Errorf("accounts: open tasks of %s: %w", p.ID, err)
	}
	for _, t := range tasks {
		if since := t.InStatusSince(); t.Status == glassbox.StatusWaiting && !since.IsZero() {
			h.WaitingDays = max(h.WaitingDays, int(now.Sub(since).Hours()/24))
		}
	}

	feedback, err := s.FeedbackBetween(ctx, p.ID, now.Add(-FeedbackWindow), now.Add(time.Nanosecond))
	if err != nil {
		return h, fmt.Errorf("accounts: feedback of %s: %w", p.ID, err)
	}
	// The latest decision per deliverable (provider, task); feedback comes oldest first.
	latest := map[string]glassbox.FeedbackKind{}
	for _, f := range feedback {
		switch f.Kind {
		case glassbox.FeedbackRating:
			h.LastRating, h.LastRatingAt = f.Score, f.At
		default:
			latest[f.Provider+"\x00"+f.TaskID] = f.Kind
		}
	}
	for _, k := range latest {
		if k == glassbox.FeedbackChangesRequested {
			h.OpenChanges++
		}
	}

	zone := cfg.ProjectZone(p)
	local := now.In(zone)
	monthStart := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, zone).UTC()
	from := now.Add(-CallWindow)
	if monthStart.Before(from) {
		from = monthStart
	}
	msgs, err := s.MessagesBetween(ctx, p.ID, from, now.Add(time.Nanosecond))
	if err != nil {
		return h, fmt.Errorf("accounts: messages of %s: %w", p.ID, err)
	}
	bad := map[string]bool{}
	for _, m := range msgs {
		if m.State != glassbox.MessageSent {
			continue
		}
		switch m.Kind {
		case glassbox.MessageTaskBlocked, glassbox.MessageTaskReopened, glassbox.MessageTaskOverdue:
			if m.Audience == glassbox.AudienceManager && !m.ClaimedAt.Before(monthStart) {
				bad[m.EventID+"\x00"+string(m.Kind)] = true
			}
		case glassbox.MessageCallReminder:
			at := m.SentAt
			if at.IsZero() {
				at = m.ClaimedAt
			}
			if at.After(h.LastCallReminder) {
				h.LastCallReminder = at
			}
		}
	}
	h.BadNews = len(bad)
	return h, nil
}
