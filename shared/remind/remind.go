// Package remind sends the soft reminders of unpaid invoices. It runs on a schedule: each run reads the open
// invoices (only those, however many documents exist), and for each one whose reminder day has come sends that
// reminder, within the client's working hours in the project's zone. After the last reminder the manager is
// told, not the client. Reminders are messages with deterministic ids sent through the courier, so a run
// repeated or retried sends nothing twice, and once an invoice is paid it is no longer open and nothing more
// goes out.
package remind

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

// Store is what reminding needs of the store.
type Store interface {
	courier.Store
	Config(ctx context.Context) (glassbox.Config, error)
	OpenInvoices(ctx context.Context) ([]glassbox.Document, error)
}

// Reminder runs reminder passes.
type Reminder struct {
	store   Store
	courier *courier.Courier
	links   *billing.Links
	clock   glassbox.Clock
	log     *slog.Logger
}

// New builds a Reminder.
func New(store Store, senders courier.Senders, links *billing.Links, clock glassbox.Clock, lease time.Duration, log *slog.Logger) *Reminder {
	if log == nil {
		log = slog.Default()
	}
	return &Reminder{store: store, courier: courier.New(store, senders, clock, lease, log).ReportTo(store), links: links, clock: clock, log: log}
}

// Result counts what a pass did.
type Result struct {
	Open int `json:"open"`
	// Due is how many invoices had a reminder due; OutsideHours how many were left for a later run because
	// it is night, or a weekend, where the client is.
	Due          int `json:"due"`
	OutsideHours int `json:"outsideHours"`
	// Messages is how many reminder and overdue messages were delivered or found sent before.
	Messages int `json:"messages"`
}

// Run does one pass. A failure with one invoice does not stop the others; the joined error makes the
// scheduler retry, and the retry sends only what is still unsent.
func (r *Reminder) Run(ctx context.Context) (Result, error) {
	var res Result
	cfg, err := r.store.Config(ctx)
	if err != nil {
		return res, fmt.Errorf("remind: read config: %w", err)
	}
	open, err := r.store.OpenInvoices(ctx)
	if err != nil {
		return res, fmt.Errorf("remind: list open invoices: %w", err)
	}
	res.Open = len(open)
	now := r.clock.Now()
	var errs []error
	for _, inv := range open {
		project, ok := cfg.Project(inv.ProjectID)
		if !ok {
			continue
		}
		// Days overdue count in the zone the due date was written in (the document's); working hours are
		// the client's.
		n := Due(inv, project.Billing.Reminders(), now, inv.Zone())
		if n == 0 {
			continue
		}
		res.Due++
		if !cfg.Agency.WorkingHours.Contains(now.In(cfg.ProjectZone(project))) {
			res.OutsideHours++
			continue
		}
		sent, err := r.remind(ctx, cfg, project, inv, n, n == len(project.Billing.Reminders()), now)
		res.Messages += sent
		if err != nil {
			errs = append(errs, err)
		}
	}
	r.log.Info("reminder pass", "open", res.Open, "due", res.Due, "outside_hours", res.OutsideHours, "messages", res.Messages)
	return res, errors.Join(errs...)
}

func (r *Reminder) remind(ctx context.Context, cfg glassbox.Config, p glassbox.Project, inv glassbox.Document, n int, last bool, now time.Time) (int, error) {
	url, err := r.links.DocumentURL(ctx, cfg, inv, now)
	if err != nil {
		return 0, fmt.Errorf("remind: %w", err)
	}
	msgs, err := notify.Reminder(notify.ReminderSituation{Config: cfg, Project: p, Invoice: inv, N: n, Last: last, InvoiceURL: url})
	if err != nil {
		return 0, fmt.Errorf("remind: invoice %s: %w", inv.Number, err)
	}
	for i, m := range msgs {
		if _, err := r.courier.Deliver(ctx, m); err != nil {
			return i, fmt.Errorf("remind: invoice %s: %w", inv.Number, err)
		}
	}
	return len(msgs), nil
}

// Due returns which reminder of an invoice is due now (1-based), or 0 when none is: the last of the reminder
// days that the days since the due date (counted in civil days in the project's zone) have reached. Earlier
// reminders never sent (the invoice was issued late, or the function was down) are skipped rather than sent
// all at once.
func Due(inv glassbox.Document, days []int, now time.Time, loc *time.Location) int {
	due, err := time.Parse(time.DateOnly, inv.DueDate)
	if err != nil {
		return 0
	}
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	overdue := int(today.Sub(due).Hours() / 24)
	n := 0
	for i, day := range days {
		if overdue >= day {
			n = i + 1
		}
	}
	return n
}
