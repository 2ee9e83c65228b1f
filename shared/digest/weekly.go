package digest

import (
	"context"
	"fmt"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// chartWeeks is how many weeks the digest's chart shows, this one included.
const chartWeeks = 8

// chartCID is the content id of the digest's chart in its email (a Content-ID is left@right).
const chartCID = "chart@glassbox"

// facts are a report's variables (glassbox.MessageVars of its kind) before each channel cuts its lists, and
// the task lists to cut.
type facts struct {
	vars  glassbox.Vars
	lists map[string][]line
	empty bool
	chart []byte
}

// withLists returns the variables with every task list cut to limit items (0: all).
func (f facts) withLists(limit int) glassbox.Vars {
	out := make(glassbox.Vars, len(f.vars)+3*len(f.lists))
	for k, v := range f.vars {
		out[k] = v
	}
	for name, ls := range f.lists {
		setList(out, name, ls, limit)
	}
	return out
}

// weekly gathers a week's digest: the tasks its events moved and the open tasks, the figures of its days and
// the 7 weeks before (for the changes and the chart), its invoices.
func (c *Composer) weekly(ctx context.Context, p glassbox.Project, plan glassbox.ReportPlan, period glassbox.Period) (facts, error) {
	locale := plan.Locale
	evs, err := c.readEvents(ctx, p.ID, period)
	if err != nil {
		return facts{}, err
	}
	open, err := c.store.OpenTasks(ctx, p.ID)
	if err != nil {
		return facts{}, fmt.Errorf("digest: open tasks of %s: %w", p.ID, err)
	}
	lists := map[string][]line{}
	seen := map[string]bool{}
	for _, t := range open {
		k := taskKey(t.Provider, t.TaskID)
		seen[k] = true
		ev := evs.tasks[k]
		l := line{Title: t.Title, Link: t.URL, Reason: t.Reason, Status: statusWords(t.Status, locale), New: ev != nil && ev.created}
		switch t.Status {
		case glassbox.StatusWaiting:
			lists["waiting"] = append(lists["waiting"], l)
		case glassbox.StatusInProgress, glassbox.StatusReview:
			lists["carried"] = append(lists["carried"], l)
		case glassbox.StatusBlocked, glassbox.StatusPaused:
			lists["stopped"] = append(lists["stopped"], l)
		case glassbox.StatusTodo:
			if l.New {
				l.New = false // the section says it
				lists["added"] = append(lists["added"], l)
			} else {
				lists["not_started"] = append(lists["not_started"], l)
			}
		}
	}
	// Closed tasks are known from the period's events alone: a task done this week whose newest move is done
	// (done, then reopened within the week, is open and not done), or cancelled this week.
	for _, k := range evs.order {
		t := evs.tasks[k]
		if seen[k] || !t.moved {
			continue
		}
		switch t.status {
		case glassbox.StatusDone:
			link := t.link
			if link == "" {
				link = t.url
			}
			lists["done"] = append(lists["done"], line{Title: t.title, Link: link, New: t.created})
		case glassbox.StatusCancelled:
			lists["stopped"] = append(lists["stopped"], line{Title: t.title, Link: t.url, Reason: t.reason,
				Status: statusWords(t.status, locale), New: t.created})
		}
	}

	// One read of the figures covers this week, the week before and the chart's weeks: a window of days.
	to := period.To.In(plan.Zone)
	end := civil(to)
	start := end.AddDate(0, 0, -7*chartWeeks)
	ms, err := c.store.MetricsBetween(ctx, p.ID, day(start), day(end))
	if err != nil {
		return facts{}, fmt.Errorf("digest: metrics of %s: %w", p.ID, err)
	}
	weekFrom := func(i int) time.Time { return start.AddDate(0, 0, 7*i) }
	now := sumFigures(ms, day(weekFrom(chartWeeks-1)), day(end))
	before := sumFigures(ms, day(weekFrom(chartWeeks-2)), day(weekFrom(chartWeeks-1)))

	inv, err := c.readInvoices(ctx, p.ID, period, evs.paid)
	if err != nil {
		return facts{}, err
	}

	f := facts{vars: glassbox.Vars{}, lists: lists}
	v := f.vars
	v["period"] = weekWords(period.From.In(plan.Zone), to, locale)
	v["link"] = plan.DashboardURL
	client := ""
	v["client"] = client
	setFigures(v, now, before, evs.minutes, locale)
	setInvoices(v, inv, locale)
	f.empty = !evs.any && !now.any && evs.minutes == 0 && len(inv.issued) == 0 && len(inv.paid) == 0
	v["empty"] = f.empty

	// The chart: spend in the currency spent most this week (or over the weeks), and leads.
	cur, ok := now.currency()
	if !ok {
		cur = mainCurrency(ms)
	}
	var spend, leads []int64
	var weeks []glassbox.Vars
	any := false
	for i := 0; i < chartWeeks; i++ {
		w := sumFigures(ms, day(weekFrom(i)), day(weekFrom(i+1)))
		spend, leads = append(spend, w.spend[cur]), append(leads, w.leads)
		any = any || w.any
		weeks = append(weeks, glassbox.Vars{"week": shortDate(weekFrom(i), locale) + "–" + shortDate(weekFrom(i+1).AddDate(0, 0, -1), locale),
			"spend": w.spendWords(locale), "leads": int(w.leads)})
	}
	if any && (now.any || before.any) {
		f.chart = chartPNG(spend, leads)
		for _, w := range weeks {
			if w["spend"] == "" {
				w["spend"] = money.FormatWhole(0, cur, locale)
			}
		}
		v["weeks"] = weeks
	} else {
		v["weeks"] = []glassbox.Vars(nil)
	}
	v["chart"] = ""
	if f.empty {
		// One friendly line: no lists, no figures.
		f.lists = map[string][]line{}
		v["weeks"], v["issued"], v["paid"], v["unpaid"], v["figures"] = []glassbox.Vars(nil), []glassbox.Vars(nil), []glassbox.Vars(nil), []glassbox.Vars(nil), false
		v["spend"], v["leads"], v["hours"] = "", 0, ""
		f.chart = nil
	}
	for _, n := range []string{"done", "carried", "stopped", "not_started", "added", "waiting"} {
		if _, ok := f.lists[n]; !ok {
			f.lists[n] = nil
		}
	}
	return f, nil
}

// mainCurrency is the currency most spent in the figures; "" when nothing was spent.
func mainCurrency(ms []glassbox.Metric) string {
	f := sumFigures(ms, "", "9999")
	best, cur := int64(0), ""
	for c, s := range f.spend {
		if s > best || (s == best && c < cur) {
			best, cur = s, c
		}
	}
	return cur
}

// civil is midnight of t's date in t's zone.
func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

func day(t time.Time) string { return t.Format("2006-01-02") }
