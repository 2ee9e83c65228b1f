// Package schedule sends the scheduled reports (weekly digests, monthly reports and the manager's call
// reminder) when they are due, exactly once, at a pace the mail service takes, and within a function's time.
//
// A tick (DigestFunction every 15 minutes, glassbox dev on a timer or a button) reads the agency file once
// and, for each project, asks the project's ReportPlan which weekly and monthly period is due now. A report is
// due when its send time has come, is at most CatchUp old, and no delivery of it is recorded. The due reports
// are built by the digest composer and delivered through the courier: claim, send, mark, by deterministic
// message id, so ticks that overlap, retry or run again send nothing twice. When all of a report's messages are
// out, the report's delivery is recorded (glassbox.ReportDelivery), so later ticks of its catch-up window
// neither rebuild nor re-read it.
//
// Sends are paced (Options.Rate, shared by the workers). A tick stops starting reports when the function's time
// is nearly up; what is left is due at the next tick, and a report cut off mid-way resumes there: its messages
// sent before are found sent, the rest go.
package schedule

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Store is what a tick needs of the store: the agency file, the courier's claims and marks, and the report
// deliveries.
type Store interface {
	courier.Store
	Config(ctx context.Context) (glassbox.Config, error)
	glassbox.ReportDeliveryStore
}

// Composer builds a project's report messages for a period (digest.Composer).
type Composer interface {
	Compose(ctx context.Context, cfg glassbox.Config, p glassbox.Project, plan glassbox.ReportPlan, period glassbox.Period) ([]glassbox.Message, error)
}

// Defaults of Options.
const (
	// DefaultRate is the messages per second a tick sends: well under SES's default 14 a second, which the
	// account's other functions (notices, reminders) share.
	DefaultRate = 5
	// DefaultCatchUp is how late a report may still go: a function down for hours still sends the day's
	// reports, and a project added on a Tuesday does not get last Friday's digest (or months of them).
	DefaultCatchUp = 24 * time.Hour
	// DefaultReserve is the function time a tick keeps: it starts no report when less is left, and ends sends
	// half of it before the deadline, so a send cut off is released (and its mark written) before Lambda stops
	// the function. A tick with less than five times this to run keeps a fifth of its time instead.
	DefaultReserve = 30 * time.Second
	// DefaultWorkers build and send reports side by side, so one report's reads overlap another's sends; the
	// pace is shared.
	DefaultWorkers = 4
	// DefaultClaimLease must exceed the function's timeout (template.yaml: 4 minutes), so a claim older than
	// the lease belongs to a tick that can no longer be running, and stay under the 15 minutes between ticks, so
	// the claims of a tick cut off are free at the next one. It is the deployment's CLAIM_LEASE.
	DefaultClaimLease = 5 * time.Minute
)

// Options tune a Dispatcher; zero fields take the defaults.
type Options struct {
	// Rate is the most messages a second the dispatcher sends, on every channel together.
	Rate       float64
	CatchUp    time.Duration
	Reserve    time.Duration
	Workers    int
	ClaimLease time.Duration
	Logger     *slog.Logger
}

// Dispatcher runs schedule ticks.
type Dispatcher struct {
	store    Store
	composer Composer
	courier  *courier.Courier
	clock    glassbox.Clock
	pace     *pacer
	opts     Options
	log      *slog.Logger
}

// New builds a Dispatcher that sends through senders, paced.
func New(store Store, composer Composer, senders courier.Senders, clock glassbox.Clock, o Options) *Dispatcher {
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.CatchUp <= 0 {
		o.CatchUp = DefaultCatchUp
	}
	if o.Reserve <= 0 {
		o.Reserve = DefaultReserve
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.ClaimLease <= 0 {
		o.ClaimLease = DefaultClaimLease
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	pace := newPacer(o.Rate)
	paced := make(courier.Senders, len(senders))
	for ch, s := range senders {
		paced[ch] = pacedSender{Sender: s, pace: pace}
	}
	return &Dispatcher{
		store:    store,
		composer: composer,
		courier:  courier.New(store, paced, clock, o.ClaimLease, o.Logger).ReportTo(store),
		clock:    clock,
		pace:     pace,
		opts:     o,
		log:      o.Logger,
	}
}

// Result counts what a tick did.
type Result struct {
	Projects int `json:"projects"`
	// Due is how many reports were due and not recorded delivered; Delivered how many of them this tick
	// finished (messages sent now or found sent before), Failed how many failed (they are due again at the next
	// tick), Left how many it did not start because the function's time was nearly up.
	Due       int `json:"due"`
	Delivered int `json:"delivered"`
	Failed    int `json:"failed"`
	Left      int `json:"left"`
	// Messages is how many messages this tick sent.
	Messages int `json:"messages"`
}

// report is one project's due report.
type report struct {
	project glassbox.Project
	plan    glassbox.ReportPlan
	period  glassbox.Period
	send    time.Time
}

// Tick sends every report due now. An error means some reports were not delivered; they are due again at the
// next tick, which sends only what is still unsent.
func (d *Dispatcher) Tick(ctx context.Context) (Result, error) {
	var res Result
	cfg, err := d.store.Config(ctx)
	if err != nil {
		return res, fmt.Errorf("schedule: read config: %w", err)
	}
	now := d.clock.Now().UTC()
	res.Projects = len(cfg.Projects)
	due := d.dueReports(cfg, now)
	due, err = d.undelivered(ctx, due)
	if err != nil {
		return res, err
	}
	res.Due = len(due)
	if len(due) == 0 {
		return res, nil
	}
	notes, err := d.store.DeliveryNotes(ctx)
	if err != nil {
		return res, fmt.Errorf("schedule: read delivery notes: %w", err)
	}

	// Sends end half the reserve before the deadline, so a send waiting for its turn gives up and is released
	// (and the courier's marks, which outlive the context, are written) while the function still runs.
	work := ctx
	reserve := d.opts.Reserve
	deadline, hasDeadline := ctx.Deadline()
	if hasDeadline {
		// A short run (a small timeout, a test harness) keeps a fifth of its time rather than all of it.
		reserve = min(reserve, time.Until(deadline)/5)
		var cancel context.CancelFunc
		work, cancel = context.WithDeadline(ctx, deadline.Add(-reserve/2))
		defer cancel()
	}
	jobs := make(chan report)
	var (
		mu        sync.Mutex
		errs      []error
		delivered atomic.Int64
		failed    atomic.Int64
		messages  atomic.Int64
		wg        sync.WaitGroup
	)
	for range min(d.opts.Workers, len(due)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range jobs {
				sent, err := d.deliver(work, cfg, r, notes)
				messages.Add(int64(sent))
				if err != nil {
					failed.Add(1)
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					continue
				}
				delivered.Add(1)
			}
		}()
	}
	started := 0
	for _, r := range due {
		// The deadline is the function's, in wall-clock time (the clock may be a test's). A report whose sends
		// could not have a turn before the sends end is not started: it would be built for nothing.
		if hasDeadline && (time.Until(deadline) < reserve || d.pace.busyPast(deadline.Add(-reserve/2))) || work.Err() != nil {
			break
		}
		jobs <- r
		started++
	}
	close(jobs)
	wg.Wait()
	res.Left = len(due) - started
	res.Delivered, res.Failed, res.Messages = int(delivered.Load()), int(failed.Load()), int(messages.Load())
	d.log.Info("schedule tick", "projects", res.Projects, "due", res.Due, "delivered", res.Delivered,
		"failed", res.Failed, "left", res.Left, "messages", res.Messages)
	if res.Left > 0 {
		d.log.Warn("schedule tick ran out of time; the reports left are due at the next tick", "left", res.Left)
	}
	return res, errors.Join(errs...)
}

// dueReports lists the reports whose send time has come within the catch-up window, oldest send time first
// (then by project), so a backlog goes in the order it fell due.
func (d *Dispatcher) dueReports(cfg glassbox.Config, now time.Time) []report {
	var due []report
	for _, p := range cfg.Projects {
		plan := cfg.ProjectReports(p)
		if plan.Weekly {
			period, send := plan.DueWeek(now)
			if d.inWindow(send, now) {
				due = append(due, report{project: p, plan: plan, period: period, send: send})
			}
		}
		if plan.Monthly {
			period, send := plan.DueMonth(now)
			if d.inWindow(send, now) {
				due = append(due, report{project: p, plan: plan, period: period, send: send})
			}
		}
	}
	slices.SortStableFunc(due, func(a, b report) int {
		return cmp.Or(a.send.Compare(b.send), cmp.Compare(a.project.ID, b.project.ID))
	})
	return due
}

// inWindow says whether a report whose send time is send goes at now: its time has come and it is at most
// CatchUp late.
func (d *Dispatcher) inWindow(send, now time.Time) bool {
	return !send.After(now) && now.Sub(send) <= d.opts.CatchUp
}

// lookBackWeeks is how many weeks back a digest looks for the last one delivered to start where it ended. A
// project whose digests were off longer starts at its schedule's previous send time, as a new one does.
const lookBackWeeks = 4

// undelivered leaves out the reports recorded delivered, and starts each other weekly digest where the
// project's previous one ended (glassbox.Period.ContinuedFrom), so a changed day, time or zone neither
// loses nor repeats the events in between: one read per period key (all projects' weekly periods of a week
// share it), however many projects there are.
func (d *Dispatcher) undelivered(ctx context.Context, due []report) ([]report, error) {
	read := map[string]map[string]glassbox.ReportDelivery{}
	delivered := func(key string) (map[string]glassbox.ReportDelivery, error) {
		if byProject, ok := read[key]; ok {
			return byProject, nil
		}
		ds, err := d.store.ReportsDelivered(ctx, key)
		if err != nil {
			return nil, fmt.Errorf("schedule: read report deliveries of %s: %w", key, err)
		}
		byProject := map[string]glassbox.ReportDelivery{}
		for _, x := range ds {
			byProject[x.ProjectID] = x
		}
		read[key] = byProject
		return byProject, nil
	}
	out := due[:0]
	for _, r := range due {
		done, err := delivered(r.period.Key)
		if err != nil {
			return nil, err
		}
		if _, ok := done[r.project.ID]; ok {
			continue
		}
		if r.period.Kind == glassbox.ReportWeekly {
			// The last digest delivered, up to lookBackWeeks before: a week no tick sent (the function was down
			// past the catch-up window) leaves its events to the next digest rather than to none.
			week := r.period
			for range lookBackWeeks {
				key := r.plan.PreviousKey(week)
				before, err := delivered(key)
				if err != nil {
					return nil, err
				}
				if prev, ok := before[r.project.ID]; ok {
					r.period = r.period.ContinuedFrom(prev.To)
					break
				}
				if week, err = r.plan.WeekPeriod(key); err != nil {
					break
				}
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// deliver builds one report and delivers its messages; when every one is out, it records the delivery.
func (d *Dispatcher) deliver(ctx context.Context, cfg glassbox.Config, r report, notes glassbox.DeliveryNotes) (int, error) {
	plan := r.plan
	plan.Recipients = subscribed(r.project.ID, plan.Recipients, notes)
	msgs, err := d.composer.Compose(ctx, cfg, r.project, plan, r.period)
	if err != nil {
		return 0, fmt.Errorf("schedule: %s %s: build: %w", r.project.ID, r.period.Key, err)
	}
	sent, err := d.courier.DeliverAll(ctx, msgs)
	if err != nil {
		return sent, fmt.Errorf("schedule: %s %s: deliver: %w", r.project.ID, r.period.Key, err)
	}
	// The record outlives a context that ended after the last send: it only spares the next tick a rebuild.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	rec := glassbox.ReportDelivery{ProjectID: r.project.ID, Kind: r.period.Kind, Period: r.period.Key, From: r.period.From, To: r.period.To, Messages: len(msgs), At: d.clock.Now().UTC()}
	if err := d.store.MarkReportDelivered(mctx, rec); err != nil {
		d.log.Warn("record report delivered; the next tick rebuilds it and sends nothing twice", "project", r.project.ID,
			"period", r.period.Key, "error", err.Error())
	}
	return sent, nil
}

// subscribed leaves out the recipients who switched the project's reports off.
func subscribed(projectID string, recipients []glassbox.Person, notes glassbox.DeliveryNotes) []glassbox.Person {
	out := make([]glassbox.Person, 0, len(recipients))
	for _, p := range recipients {
		if !notes.Unsubscribed(projectID, p.Email) {
			out = append(out, p)
		}
	}
	return out
}
