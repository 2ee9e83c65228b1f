package digest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/dates"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

// monthly gathers a month's report: stages closed (acts issued), tasks done, the numbers against the month
// before, invoices; this month's plan (billing stages not closed yet, open tasks due this month); hypotheses;
// what changed in the plan; what waits on the client. Like the digest it reads the month's window and the
// open tasks only.
func (c *Composer) monthly(ctx context.Context, cfg glassbox.Config, p glassbox.Project, plan glassbox.ReportPlan, period glassbox.Period) (facts, error) {
	locale := plan.Locale
	evs, err := c.readEvents(ctx, p.ID, period)
	if err != nil {
		return facts{}, err
	}
	open, err := c.store.OpenTasks(ctx, p.ID)
	if err != nil {
		return facts{}, fmt.Errorf("digest: open tasks of %s: %w", p.ID, err)
	}
	monthStart := period.From.In(plan.Zone)
	next := period.To.In(plan.Zone)
	nextEnd := next.AddDate(0, 1, 0)
	markers := hypothesisMarkers(cfg, p.ID)

	lists := map[string][]line{}
	var hypotheses []glassbox.Vars
	seen := map[string]bool{}
	for _, t := range open {
		k := taskKey(t.Provider, t.TaskID)
		seen[k] = true
		ev := evs.tasks[k]
		l := line{Title: t.Title, Link: t.URL, Reason: t.Reason, Status: statusWords(t.Status, locale)}
		if t.Status == glassbox.StatusWaiting {
			lists["waiting"] = append(lists["waiting"], l)
		}
		if !t.Due.IsZero() && !t.Due.Before(next) && t.Due.Before(nextEnd) {
			pl := l
			pl.Due = dates.Long(t.Due.In(plan.Zone), locale)
			lists["planned"] = append(lists["planned"], pl)
		}
		if t.Hypothesis(markers) {
			hypotheses = append(hypotheses, glassbox.Vars{"title": t.Title, "link": t.URL, "testing": true, "confirmed": false, "refuted": false})
		}
		if ev != nil {
			if ev.created {
				lists["added"] = append(lists["added"], line{Title: t.Title, Link: t.URL, Reason: t.Reason})
			}
			if ev.dueMoved && !ev.due.IsZero() {
				lists["moved"] = append(lists["moved"], line{Title: t.Title, Link: t.URL, Due: dates.Long(ev.due.In(plan.Zone), locale), Reason: t.Reason})
			}
		}
	}
	for _, k := range evs.order {
		t := evs.tasks[k]
		if seen[k] {
			continue
		}
		if t.created {
			lists["added"] = append(lists["added"], line{Title: t.title, Link: t.url, Reason: t.reason})
		}
		if !t.moved {
			continue
		}
		hyp := glassbox.Task{Title: t.title}.Hypothesis(markers)
		switch t.status {
		case glassbox.StatusDone:
			link := t.link
			if link == "" {
				link = t.url
			}
			lists["done"] = append(lists["done"], line{Title: t.title, Link: link})
			if hyp {
				hypotheses = append(hypotheses, glassbox.Vars{"title": t.title, "link": link, "confirmed": true, "refuted": false, "testing": false})
			}
		case glassbox.StatusCancelled:
			lists["dropped"] = append(lists["dropped"], line{Title: t.title, Link: t.url, Reason: t.reason})
			if hyp {
				hypotheses = append(hypotheses, glassbox.Vars{"title": t.title, "link": t.url, "refuted": true, "confirmed": false, "testing": false})
			}
		}
	}

	// This month and the one before, in one read of days.
	prevStart := monthStart.AddDate(0, -1, 0)
	ms, err := c.store.MetricsBetween(ctx, p.ID, day(prevStart), day(next))
	if err != nil {
		return facts{}, fmt.Errorf("digest: metrics of %s: %w", p.ID, err)
	}
	now := sumFigures(ms, day(monthStart), day(next))
	before := sumFigures(ms, day(prevStart), day(monthStart))
	inv, err := c.readInvoices(ctx, p.ID, period, evs.paid)
	if err != nil {
		return facts{}, err
	}

	f := facts{vars: glassbox.Vars{}, lists: lists}
	v := f.vars
	v["period"] = monthWords(monthStart, locale, true)
	v["next"] = monthWords(next, locale, false)
	v["link"] = plan.DashboardURL
	v["hypotheses"] = hypotheses
	setFigures(v, now, before, evs.minutes, locale)
	setInvoices(v, inv, locale)
	acts := make([]glassbox.Vars, len(inv.acts))
	for i, d := range inv.acts {
		acts[i] = glassbox.Vars{"stage": d.StageName, "invoice": d.Number, "amount": money.Format(d.Total, d.Currency, locale), "due": ""}
	}
	v["acts"] = acts
	v["stages"] = openStages(p, inv.acts, next, locale)
	for _, n := range []string{"done", "planned", "added", "dropped", "moved", "waiting"} {
		if _, ok := f.lists[n]; !ok {
			f.lists[n] = nil
		}
	}
	return f, nil
}

// openStages is the plan's billing stages not closed yet: those after the last stage the month closed (acts
// name it); when the month closed none, those planned to end on or after the new month's first day, or with
// no planned end. Which stages closed before the month is not read: that would be the project's history.
func openStages(p glassbox.Project, acts []glassbox.Document, next time.Time, locale string) []glassbox.Vars {
	stages := p.Billing.Stages
	from := 0
	for _, a := range acts {
		for i, s := range stages {
			if s.ID == a.StageID && i+1 > from {
				from = i + 1
			}
		}
	}
	var out []glassbox.Vars
	for _, s := range stages[from:] {
		if len(acts) == 0 && s.End != "" && s.End < day(next) {
			continue
		}
		due := ""
		if t, err := time.Parse("2006-01-02", s.End); err == nil {
			due = dates.Long(t, locale)
		}
		amount := ""
		if s.Amount != 0 {
			amount = money.Format(s.Amount, p.Billing.Currency, locale)
		}
		out = append(out, glassbox.Vars{"stage": s.Name, "amount": amount, "due": due, "invoice": ""})
	}
	return out
}

// hypothesisMarkers are the hypothesis markers of the project's bindings (each binding's, or the defaults).
func hypothesisMarkers(cfg glassbox.Config, projectID string) []string {
	var out []string
	seen := map[string]bool{}
	for _, b := range cfg.Bindings {
		if b.ProjectID != projectID {
			continue
		}
		for _, m := range b.HypothesisMarkers() {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	if len(out) == 0 {
		out = glassbox.DefaultHypothesisMarkers
	}
	return out
}

// badNews are the kinds of the manager's notices the call brief recalls.
var badNews = map[glassbox.MessageKind]bool{glassbox.MessageTaskBlocked: true, glassbox.MessageTaskReopened: true, glassbox.MessageTaskOverdue: true}

// callReminder words the manager's reminder to call the client, with the month's brief: the facts of the
// monthly report, open invoices, what waits on the client, and the bad news the manager was told that month.
func (c *Composer) callReminder(ctx context.Context, cfg glassbox.Config, p glassbox.Project, plan glassbox.ReportPlan, period glassbox.Period, f facts) (glassbox.Message, error) {
	msgs, err := c.store.MessagesBetween(ctx, p.ID, period.From, period.To)
	if err != nil {
		return glassbox.Message{}, fmt.Errorf("digest: messages of %s: %w", p.ID, err)
	}
	var bad []line
	seen := map[string]bool{}
	for _, m := range msgs {
		if m.Audience != glassbox.AudienceManager || !badNews[m.Kind] || m.ChannelOrEmail() != glassbox.ChannelEmail || seen[m.EventID+string(m.Kind)] {
			continue
		}
		seen[m.EventID+string(m.Kind)] = true
		when := ""
		if !m.ClaimedAt.IsZero() {
			when = dates.Long(m.ClaimedAt.In(plan.Zone), plan.Locale)
		}
		bad = append(bad, line{Title: quoted(m.Subject), Status: badWords(m.Kind, plan.Locale), Due: when})
	}
	vars := glassbox.Vars{}
	for _, k := range []string{"period", "client", "link", "acts", "figures", "spend", "spend_change", "leads", "leads_change",
		"cpl", "cpl_change", "hours", "issued", "paid", "unpaid", "unpaid_total"} {
		vars[k] = f.vars[k]
	}
	setList(vars, "done", f.lists["done"], maxEmailItems)
	setList(vars, "waiting", f.lists["waiting"], maxEmailItems)
	setList(vars, "bad", bad, maxEmailItems)
	// The manager reads the brief in the agency's language for the project, as the client reads the report.
	cause := glassbox.ReportCause(p.ID, period, p.Manager.Email)
	m, _, err := notify.WordReport(cfg, p, plan.Locale, notify.Report{Kind: glassbox.MessageCallReminder,
		Audience: glassbox.AudienceManager, Cause: cause, To: []glassbox.Person{p.Manager}, Vars: vars})
	return m, err
}

// quoted is the task title a notice's subject quotes («…» or “…”), else the whole subject.
func quoted(subject string) string {
	for _, q := range [][2]string{{"«", "»"}, {"“", "”"}} {
		i := strings.Index(subject, q[0])
		j := strings.LastIndex(subject, q[1])
		if i >= 0 && j > i {
			return subject[i+len(q[0]) : j]
		}
	}
	return subject
}

// badWords names what a bad-news notice told.
func badWords(k glassbox.MessageKind, locale string) string {
	ru := map[glassbox.MessageKind]string{glassbox.MessageTaskBlocked: "заблокирована", glassbox.MessageTaskReopened: "вернулась из готовых", glassbox.MessageTaskOverdue: "срок прошёл"}
	en := map[glassbox.MessageKind]string{glassbox.MessageTaskBlocked: "blocked", glassbox.MessageTaskReopened: "reopened", glassbox.MessageTaskOverdue: "overdue"}
	if glassbox.Locale(locale) == glassbox.LocaleRU {
		return ru[k]
	}
	return en[k]
}
