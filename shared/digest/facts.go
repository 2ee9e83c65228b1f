package digest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/dates"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// taskKey names a task across providers.
func taskKey(provider, taskID string) string { return provider + "\x00" + taskID }

// touched is what a period's events say about one task, folded in the order they happened.
type touched struct {
	key, title, url, link, reason string
	// status is the status the newest move of the period left; moved says there was one.
	status glassbox.TaskStatus
	moved  bool
	// created: the task appeared in the period.
	created bool
	// due is the newest due date reported in the period; dueMoved says the period changed one.
	due      time.Time
	dueMoved bool
}

// periodEvents reads the events a period takes (received in its window) and folds them per task, in the order
// they happened; minutes are the work logged in them, paid the invoices confirmed paid.
type periodEvents struct {
	tasks   map[string]*touched
	order   []string
	minutes int64
	paid    []string
	any     bool
}

func (c *Composer) readEvents(ctx context.Context, projectID string, period glassbox.Period) (periodEvents, error) {
	from, to := period.EventWindow()
	evs, err := c.store.EventsBetween(ctx, projectID, from, to)
	if err != nil {
		return periodEvents{}, fmt.Errorf("digest: events of %s: %w", projectID, err)
	}
	var taken []glassbox.Event
	for _, e := range evs {
		if period.Takes(e) {
			taken = append(taken, e)
		}
	}
	sort.SliceStable(taken, func(i, j int) bool { return taken[i].OccurredAt.Before(taken[j].OccurredAt) })
	out := periodEvents{tasks: map[string]*touched{}}
	seenPaid := map[string]bool{}
	for _, e := range taken {
		switch {
		case e.Kind == glassbox.EventPaymentConfirmed:
			if e.DocumentID != "" && !seenPaid[e.DocumentID] {
				seenPaid[e.DocumentID] = true
				out.paid = append(out.paid, e.DocumentID)
			}
			continue
		case e.Kind.IsDeal() || e.TaskID == "":
			continue
		}
		out.minutes += e.Minutes
		if e.Kind == glassbox.EventWorkLogged {
			continue // time logged tells nothing of where the task is
		}
		out.any = true
		k := taskKey(e.Provider, e.TaskID)
		t := out.tasks[k]
		if t == nil {
			t = &touched{key: k}
			out.tasks[k] = t
			out.order = append(out.order, k)
		}
		if e.Title != "" {
			t.title = e.Title
		}
		if e.URL != "" {
			t.url = e.URL
		}
		if e.Link != "" {
			t.link = e.Link
		}
		if e.Note != "" {
			t.reason = e.Note
		}
		if e.Kind == glassbox.EventTaskCreated {
			t.created = true
		}
		if e.Status != glassbox.StatusUnknown && (e.Kind == glassbox.EventTaskMoved || e.Kind == glassbox.EventTaskCreated) {
			t.status, t.moved = e.Status, true
		}
		if e.HasDue {
			d := e.DueIn(time.UTC).Due
			if e.Kind != glassbox.EventTaskCreated && !d.Equal(t.due) {
				t.dueMoved = true
			}
			t.due = d
		}
	}
	if err := c.nameClosed(ctx, projectID, taken, &out); err != nil {
		return periodEvents{}, err
	}
	return out, nil
}

// nameClosed gives a task closed in the period whose events carry no title (ClickUp's and Asana's webhooks
// send ids; React reads the name back and folds it into the task) the stored task's title and link: the
// closed lists come from the events alone, and a client must not read «». One read per such task, so the
// cost follows the period's activity.
func (c *Composer) nameClosed(ctx context.Context, projectID string, evs []glassbox.Event, out *periodEvents) error {
	ids := map[string]glassbox.Event{}
	for _, e := range evs {
		ids[taskKey(e.Provider, e.TaskID)] = e
	}
	for _, k := range out.order {
		t := out.tasks[k]
		if !t.moved || !t.status.Closed() || (t.title != "" && t.url != "") {
			continue
		}
		e := ids[k]
		stored, err := c.store.Task(ctx, projectID, e.Provider, e.TaskID)
		switch {
		case errors.Is(err, glassbox.ErrNotFound):
			continue
		case err != nil:
			return fmt.Errorf("digest: task %s of %s: %w", e.TaskID, projectID, err)
		}
		if t.title == "" {
			t.title = stored.Title
		}
		if t.url == "" {
			t.url = stored.URL
		}
	}
	return nil
}

// line is one task as a report lists it.
type line struct {
	Title, Link, Status, Reason, Due string
	New                              bool
}

func (l line) vars() glassbox.Vars {
	return glassbox.Vars{"title": l.Title, "link": l.Link, "status": l.Status, "reason": l.Reason, "due": l.Due, "new": l.New}
}

// setList puts a task list into vars under name, with its count and, past limit (0: no limit), how many
// more there are.
func setList(vars glassbox.Vars, name string, ls []line, limit int) {
	vars[name+"_count"] = len(ls)
	shown := ls
	if limit > 0 && len(ls) > limit {
		shown = ls[:limit]
	}
	vars[name+"_more"] = len(ls) - len(shown)
	items := make([]glassbox.Vars, len(shown))
	for i, l := range shown {
		items[i] = l.vars()
	}
	vars[name] = items
}

// statusWords names a status in a report.
func statusWords(s glassbox.TaskStatus, locale string) string {
	ru := map[glassbox.TaskStatus]string{glassbox.StatusTodo: "не начата", glassbox.StatusInProgress: "в работе",
		glassbox.StatusReview: "на проверке", glassbox.StatusDone: "готово", glassbox.StatusBlocked: "заблокирована",
		glassbox.StatusWaiting: "ждёт вас", glassbox.StatusPaused: "на паузе", glassbox.StatusCancelled: "отменена"}
	en := map[glassbox.TaskStatus]string{glassbox.StatusTodo: "not started", glassbox.StatusInProgress: "in progress",
		glassbox.StatusReview: "in review", glassbox.StatusDone: "done", glassbox.StatusBlocked: "blocked",
		glassbox.StatusWaiting: "waiting on you", glassbox.StatusPaused: "paused", glassbox.StatusCancelled: "cancelled"}
	if glassbox.Locale(locale) == glassbox.LocaleRU {
		return ru[s]
	}
	return en[s]
}

// figures are a window's summed metrics: spend per currency, leads, minutes logged.
type figures struct {
	spend   map[string]int64
	leads   int64
	minutes int64
	any     bool
}

func sumFigures(ms []glassbox.Metric, from, to string) figures {
	f := figures{spend: map[string]int64{}}
	for _, m := range ms {
		if m.Date < from || m.Date >= to {
			continue
		}
		f.any = true
		if m.Spend != 0 {
			f.spend[strings.ToUpper(m.Currency)] += m.Spend
		}
		f.leads += m.Leads
		f.minutes += m.Minutes
	}
	return f
}

// currency is the one currency spent, when there is exactly one.
func (f figures) currency() (string, bool) {
	if len(f.spend) != 1 {
		return "", false
	}
	for c := range f.spend {
		return c, true
	}
	return "", false
}

// cpl is the cost per lead in minor units, when one currency was spent and there were leads.
func (f figures) cpl() (int64, string, bool) {
	cur, ok := f.currency()
	if !ok || f.leads == 0 {
		return 0, "", false
	}
	return (f.spend[cur] + f.leads/2) / f.leads, cur, true
}

// spendWords is the spend per currency, largest first: "15 000 ₽ и 200 $". Currencies are never summed.
func (f figures) spendWords(locale string) string {
	curs := make([]string, 0, len(f.spend))
	for c := range f.spend {
		curs = append(curs, c)
	}
	sort.Slice(curs, func(i, j int) bool {
		if f.spend[curs[i]] != f.spend[curs[j]] {
			return f.spend[curs[i]] > f.spend[curs[j]]
		}
		return curs[i] < curs[j]
	})
	parts := make([]string, len(curs))
	for i, c := range curs {
		parts[i] = money.FormatWhole(glassbox.Minor(f.spend[c]), c, locale)
	}
	return joinAnd(parts, locale)
}

func joinAnd(parts []string, locale string) string {
	and := " and "
	if glassbox.Locale(locale) == glassbox.LocaleRU {
		and = " и "
	}
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + and + parts[len(parts)-1]
}

// change words the change from before to now in percent ("+12 %", "−5 %"); empty when there is nothing to
// compare with.
func change(now, before int64, locale string) string {
	if before <= 0 {
		return ""
	}
	pct := (now - before) * 100
	if pct >= 0 {
		pct = (pct + before/2) / before
	} else {
		pct = (pct - before/2) / before
	}
	sign := "+"
	if pct < 0 {
		sign, pct = "−", -pct
	}
	if pct == 0 {
		sign = "±"
	}
	if glassbox.Locale(locale) == glassbox.LocaleRU {
		return fmt.Sprintf("%s%d\u00a0%%", sign, pct)
	}
	return fmt.Sprintf("%s%d%%", sign, pct)
}

// hoursWords words logged minutes: "12 ч 30 мин", "12 h 30 min"; empty for none.
func hoursWords(minutes int64, locale string) string {
	if minutes <= 0 {
		return ""
	}
	h, m := minutes/60, minutes%60
	hu, mu := "h", "min"
	if glassbox.Locale(locale) == glassbox.LocaleRU {
		hu, mu = "ч", "мин"
	}
	switch {
	case h == 0:
		return fmt.Sprintf("%d\u00a0%s", m, mu)
	case m == 0:
		return fmt.Sprintf("%d\u00a0%s", h, hu)
	}
	return fmt.Sprintf("%d\u00a0%s %d\u00a0%s", h, hu, m, mu)
}

// setFigures puts a period's numbers against the period before into vars.
func setFigures(vars glassbox.Vars, now, before figures, extraMinutes int64, locale string) {
	vars["spend"] = now.spendWords(locale)
	vars["leads"] = int(now.leads)
	vars["spend_change"], vars["leads_change"], vars["cpl"], vars["cpl_change"] = "", "", "", ""
	if cur, ok := now.currency(); ok {
		if bcur, bok := before.currency(); bok && bcur == cur {
			vars["spend_change"] = change(now.spend[cur], before.spend[cur], locale)
		}
	}
	if now.leads > 0 {
		vars["leads_change"] = change(now.leads, before.leads, locale)
	}
	if cpl, cur, ok := now.cpl(); ok {
		vars["cpl"] = money.FormatWhole(glassbox.Minor(cpl), cur, locale)
		if bcpl, bcur, bok := before.cpl(); bok && bcur == cur {
			vars["cpl_change"] = change(cpl, bcpl, locale)
		}
	}
	vars["hours"] = hoursWords(now.minutes+extraMinutes, locale)
	vars["figures"] = now.any || extraMinutes > 0
}

// invoices are a period's invoices: issued in it, paid in it, and the project's still open.
type invoices struct {
	issued, paid, open []glassbox.Document
	acts               []glassbox.Document
}

// documentReader is the store's single-document read, used for an invoice paid in the period but issued before
// it (the payment event names it).
type documentReader interface {
	Document(ctx context.Context, id string) (glassbox.Document, error)
}

func (c *Composer) readInvoices(ctx context.Context, projectID string, period glassbox.Period, paidIDs []string) (invoices, error) {
	docs, err := c.store.DocumentsBetween(ctx, projectID, period.From, period.To)
	if err != nil {
		return invoices{}, fmt.Errorf("digest: documents of %s: %w", projectID, err)
	}
	var out invoices
	byID := map[string]glassbox.Document{}
	paid := map[string]bool{}
	for _, d := range docs {
		byID[d.ID] = d
		if d.State == glassbox.DocumentVoid {
			continue
		}
		switch d.Kind {
		case glassbox.DocumentAct:
			out.acts = append(out.acts, d)
		case glassbox.DocumentInvoice:
			out.issued = append(out.issued, d)
			if d.State == glassbox.DocumentPaid && !d.PaidAt.Before(period.From) && d.PaidAt.Before(period.To) {
				paid[d.ID] = true
				out.paid = append(out.paid, d)
			}
		}
	}
	reader, _ := c.store.(documentReader)
	for _, id := range paidIDs {
		if paid[id] {
			continue
		}
		d, ok := byID[id]
		if !ok && reader != nil {
			if got, err := reader.Document(ctx, id); err == nil {
				d, ok = got, true
			}
		}
		if ok && d.ProjectID == projectID && d.Kind == glassbox.DocumentInvoice {
			paid[id] = true
			out.paid = append(out.paid, d)
		}
	}
	open, err := c.store.OpenInvoices(ctx)
	if err != nil {
		return invoices{}, fmt.Errorf("digest: open invoices: %w", err)
	}
	for _, d := range open {
		if d.ProjectID == projectID && !paid[d.ID] {
			out.open = append(out.open, d)
		}
	}
	return out, nil
}

func invoiceItems(ds []glassbox.Document, locale string) []glassbox.Vars {
	out := make([]glassbox.Vars, len(ds))
	for i, d := range ds {
		due := ""
		if t, err := time.Parse("2006-01-02", d.DueDate); err == nil {
			due = dates.Long(t, locale)
		}
		out[i] = glassbox.Vars{"invoice": d.Number, "amount": money.Format(d.Total, d.Currency, locale), "due": due, "stage": d.StageName}
	}
	return out
}

// setInvoices puts the period's invoices into vars.
func setInvoices(vars glassbox.Vars, inv invoices, locale string) {
	vars["issued"] = invoiceItems(inv.issued, locale)
	vars["paid"] = invoiceItems(inv.paid, locale)
	vars["unpaid"] = invoiceItems(inv.open, locale)
	total := map[string]int64{}
	var curs []string
	for _, d := range inv.open {
		c := strings.ToUpper(d.Currency)
		if _, ok := total[c]; !ok {
			curs = append(curs, c)
		}
		total[c] += int64(d.Total)
	}
	parts := make([]string, len(curs))
	for i, c := range curs {
		parts[i] = money.Format(glassbox.Minor(total[c]), c, locale)
	}
	vars["unpaid_total"] = joinAnd(parts, locale)
}

var (
	monthsRUGen = [...]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
		"октября", "ноября", "декабря"}
	monthsRUNom = [...]string{"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
		"октябрь", "ноябрь", "декабрь"}
)

// weekWords words a week's dates: "20–27 ноября", "27 ноября – 4 декабря"; "20–27 November".
func weekWords(from, to time.Time, locale string) string {
	ru := glassbox.Locale(locale) == glassbox.LocaleRU
	month := func(t time.Time) string {
		if ru {
			return monthsRUGen[t.Month()-1]
		}
		return t.Month().String()
	}
	if from.Month() == to.Month() {
		return fmt.Sprintf("%d–%d %s", from.Day(), to.Day(), month(to))
	}
	return fmt.Sprintf("%d %s – %d %s", from.Day(), month(from), to.Day(), month(to))
}

// monthWords words a month: "ноябрь 2026", "November 2026".
func monthWords(t time.Time, locale string, year bool) string {
	name := t.Month().String()
	if glassbox.Locale(locale) == glassbox.LocaleRU {
		name = monthsRUNom[t.Month()-1]
	}
	if year {
		return fmt.Sprintf("%s %d", name, t.Year())
	}
	return name
}

// shortDate words a day briefly: "27.11", "Nov 27".
func shortDate(t time.Time, locale string) string {
	if glassbox.Locale(locale) == glassbox.LocaleRU {
		return t.Format("02.01")
	}
	return t.Format("Jan 2")
}
