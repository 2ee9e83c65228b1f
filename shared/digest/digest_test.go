package digest_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/digest"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
)

var update = flag.Bool("update", false, "rewrite golden files")

var moscow = mustZone("Europe/Moscow")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}

// msk is a time in Moscow.
func msk(month time.Month, d, h, m int) time.Time {
	return time.Date(2026, month, d, h, m, 0, 0, moscow).UTC()
}

func config(locale string) glassbox.Config {
	c := glassbox.Config{
		Agency: glassbox.Agency{Name: "Студия Пример", Names: glassbox.Names{"en": "Example Studio"}, Sender: "notify@studio.example",
			Locale: "ru", TimeZone: "Europe/Moscow",
			Reports: &glassbox.Reports{DashboardURL: "https://dash.studio.example/p/{project}"}},
		Clients: []glassbox.Client{{ID: "acme", Name: "ООО «Акме»", TelegramChatID: "-100123", Contacts: []glassbox.Person{
			{Name: "Анна Смирнова", Email: "anna@acme.example"}, {Name: "Пётр Орлов", Email: "petr@acme.example"}}}},
		Projects: []glassbox.Project{{ID: "site", ClientID: "acme", Name: "Сайт Акме", Locale: locale, TimeZone: "Europe/Moscow",
			Manager: glassbox.Person{Name: "Мария Иванова", Email: "maria@studio.example"},
			Billing: glassbox.Billing{Currency: "RUB", Stages: []glassbox.Stage{
				{ID: "design", Name: "Дизайн", Amount: 15000000, End: "2026-11-20"},
				{ID: "dev", Name: "Вёрстка", Amount: 25000000, End: "2026-12-18"},
				{ID: "launch", Name: "Запуск", Amount: 5000000, End: "2027-01-15"}}}}},
		Bindings: []glassbox.Binding{{ID: "trello-site", Provider: "trello", ProjectID: "site"},
			{ID: "jira-site", Provider: "jira", ProjectID: "site", Markers: glassbox.Markers{Hypothesis: []string{"HYP:"}}}},
	}
	return c
}

// world seeds the store with a project's synthetic November: tasks in every status from three providers with
// reasons, events of the week of 20–27 November (one of them late), metrics of two sources over nine weeks,
// invoices issued, paid and open, and bad news sent to the manager. history adds that many copies of old
// history (closed tasks, their events, metrics and documents months before), which no report may read.
func world(t *testing.T, s *localstore.Store, history int) {
	t.Helper()
	ctx := context.Background()
	type task struct {
		provider, id, title string
		status, prev        glassbox.TaskStatus
		reason              string
		at                  time.Time // the move's time (received 2 minutes later)
		created             bool
		due                 time.Time
		received            time.Time // zero: at + 2 minutes
		link                string
	}
	week := []task{
		{provider: "trello", id: "t1", title: "Макет главной страницы", status: glassbox.StatusDone, prev: glassbox.StatusReview, at: msk(11, 23, 12, 0), link: "https://www.figma.com/file/abc"},
		{provider: "jira", id: "SITE-7", title: "Каталог <товаров> & фильтры", status: glassbox.StatusDone, prev: glassbox.StatusInProgress, at: msk(11, 25, 18, 30)},
		// Done, then reopened within the week: not done.
		{provider: "trello", id: "t2", title: "Корзина", status: glassbox.StatusDone, prev: glassbox.StatusInProgress, at: msk(11, 24, 10, 0)},
		{provider: "trello", id: "t2", title: "Корзина", status: glassbox.StatusInProgress, prev: glassbox.StatusDone, at: msk(11, 24, 16, 0)},
		{provider: "asana", id: "a1", title: "Тексты для раздела «О нас»", status: glassbox.StatusReview, prev: glassbox.StatusInProgress, at: msk(11, 26, 11, 0)},
		{provider: "jira", id: "SITE-9", title: "Интеграция с 1С", status: glassbox.StatusBlocked, prev: glassbox.StatusInProgress, reason: "ждём доступы к API 1С от подрядчика", at: msk(11, 24, 9, 0)},
		{provider: "trello", id: "t3", title: "Блог", status: glassbox.StatusPaused, prev: glassbox.StatusTodo, reason: "клиент попросил отложить до января", at: msk(11, 25, 9, 0)},
		{provider: "asana", id: "a2", title: "Анимация на главной", status: glassbox.StatusCancelled, prev: glassbox.StatusTodo, reason: "решили обойтись без неё", at: msk(11, 26, 15, 0)},
		{provider: "trello", id: "t4", title: "Фотографии товаров", status: glassbox.StatusWaiting, prev: glassbox.StatusTodo, reason: "нужны исходники фото от вас", at: msk(11, 23, 14, 0)},
		{provider: "jira", id: "SITE-11", title: "Форма обратного звонка", status: glassbox.StatusTodo, reason: "клиент попросил на встрече 24.11", at: msk(11, 24, 13, 0), created: true, due: msk(12, 10, 19, 0)},
		{provider: "jira", id: "SITE-12", title: "HYP: квиз на главной поднимет конверсию", status: glassbox.StatusInProgress, at: msk(11, 23, 10, 0), created: true},
		// Late: done on Thursday 19 November (the week before), received on Saturday the 21st.
		{provider: "asana", id: "a3", title: "Логотип в шапке", status: glassbox.StatusDone, prev: glassbox.StatusReview, at: msk(11, 19, 17, 0), received: msk(11, 21, 10, 0)},
	}
	tasks := map[string]*glassbox.Task{}
	var order []string
	for i, w := range week {
		e := glassbox.Event{ID: fmt.Sprintf("%s:%s:%d", w.provider, w.id, i), ProjectID: "site", Provider: w.provider, TaskID: w.id,
			Title: w.title, URL: "https://" + w.provider + ".example/" + w.id, Link: w.link, Kind: glassbox.EventTaskMoved,
			Status: w.status, PrevStatus: w.prev, OccurredAt: w.at, ReceivedAt: w.received}
		if w.created {
			e.Kind = glassbox.EventTaskCreated
		}
		if !w.due.IsZero() {
			e.Due, e.HasDue = w.due, true
		}
		if e.ReceivedAt.IsZero() {
			e.ReceivedAt = w.at.Add(2 * time.Minute)
		}
		mustDo(t, s.AppendEvent(ctx, e))
		k := w.provider + "/" + w.id
		if tasks[k] == nil {
			tasks[k] = &glassbox.Task{}
			order = append(order, k)
		}
		tasks[k].Apply(e)
		if w.reason != "" {
			n := glassbox.Event{ID: e.ID + ":note", ProjectID: "site", Provider: w.provider, TaskID: w.id, Kind: glassbox.EventTaskNoted,
				Note: w.reason, OccurredAt: w.at.Add(time.Minute), ReceivedAt: w.at.Add(3 * time.Minute)}
			mustDo(t, s.AppendEvent(ctx, n))
			tasks[k].Apply(n)
		}
	}
	// Work logged in Jira, and a task untouched this week that stays not started.
	mustDo(t, s.AppendEvent(ctx, glassbox.Event{ID: "jira:worklog:1", ProjectID: "site", Provider: "jira", TaskID: "SITE-7",
		Kind: glassbox.EventWorkLogged, Minutes: 150, OccurredAt: msk(11, 25, 18, 0), ReceivedAt: msk(11, 25, 18, 1)}))
	tasks["trello/t9"] = &glassbox.Task{ProjectID: "site", Provider: "trello", TaskID: "t9", Title: "Политика конфиденциальности",
		URL: "https://trello.example/t9", Status: glassbox.StatusTodo, Reason: "ждём текст от юриста", CreatedAt: msk(10, 1, 10, 0), LastEventAt: msk(10, 1, 10, 0)}
	order = append(order, "trello/t9")
	// The call-back form's due date moved on 26 November: the month's plan changed.
	moved := glassbox.Event{ID: "jira:SITE-11:due", ProjectID: "site", Provider: "jira", TaskID: "SITE-11", Title: "Форма обратного звонка",
		URL: "https://jira.example/SITE-11", Kind: glassbox.EventTaskUpdated, Due: msk(12, 15, 19, 0), HasDue: true,
		OccurredAt: msk(11, 26, 12, 0), ReceivedAt: msk(11, 26, 12, 1)}
	mustDo(t, s.AppendEvent(ctx, moved))
	tasks["jira/SITE-11"].Apply(moved)
	// An event received after the week's send time: the next digest's.
	after := glassbox.Event{ID: "trello:t4:after", ProjectID: "site", Provider: "trello", TaskID: "t4", Title: "Фотографии товаров",
		URL: "https://trello.example/t4", Kind: glassbox.EventTaskMoved, Status: glassbox.StatusWaiting, PrevStatus: glassbox.StatusTodo,
		OccurredAt: msk(11, 27, 14, 0), ReceivedAt: msk(11, 27, 16, 0)}
	mustDo(t, s.AppendEvent(ctx, after))
	for _, k := range order {
		tk := tasks[k]
		tk.ProjectID = "site"
		tk.Version = 1
		mustDo(t, s.PutTask(ctx, *tk))
	}

	// Metrics: Яндекс Директ spends and brings clicks, Метрика counts leads, a timesheet logs hours; nine
	// weeks back from 26 November.
	var ms []glassbox.Metric
	for d := 0; d < 63; d++ {
		date := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -d).Format("2006-01-02")
		ms = append(ms,
			glassbox.Metric{ProjectID: "site", Date: date, Source: "yandex_direct", Spend: int64(180000 + 1000*(d%7) + 2000*(d/7)), Currency: "RUB", Clicks: 40},
			glassbox.Metric{ProjectID: "site", Date: date, Source: "yandex_metrika", Leads: int64(3 + (d*3+d/7*5)%5)})
		if d%7 == 2 {
			ms = append(ms, glassbox.Metric{ProjectID: "site", Date: date, Source: "timesheet", Minutes: 420})
		}
	}
	mustDo(t, s.PutMetrics(ctx, ms))

	// Invoices: one issued in October and paid this week, one issued this week, one open from November.
	issue := func(id, stage, name string, total int64, issued time.Time, due string, kind glassbox.DocumentKind) {
		series := "INV-2026"
		if kind == glassbox.DocumentAct {
			series = "ACT-2026"
		}
		seq, err := s.NextNumber(ctx, series)
		mustDo(t, err)
		d := glassbox.Document{ID: id, Kind: kind, ProjectID: "site", ClientID: "acme", CloseID: "close-" + id, StageID: stage,
			StageName: name, Series: series, Seq: seq, Number: fmt.Sprintf("%s-%04d", series, seq), Locale: "ru", IssuedAt: issued,
			Date: issued.In(moscow).Format("2006-01-02"), DueDate: due, TimeZone: "Europe/Moscow", Currency: "RUB", Total: glassbox.Minor(total),
			Net: glassbox.Minor(total), State: glassbox.DocumentIssued}
		mustDo(t, s.IssueDocuments(ctx, glassbox.StageClose{ID: "close-" + id, ProjectID: "site", StageID: stage, ClosedAt: issued,
			DocumentIDs: []string{id}}, []glassbox.IssuedDocument{{Document: d, PDF: []byte("%PDF")}}))
	}
	issue("inv-oct", "design", "Дизайн", 15000000, msk(10, 5, 12, 0), "2026-10-10", glassbox.DocumentInvoice)
	issue("inv-nov", "dev", "Вёрстка", 12500000, msk(11, 10, 12, 0), "2026-11-15", glassbox.DocumentInvoice)
	issue("act-design", "design", "Дизайн", 15000000, msk(11, 20, 16, 0), "", glassbox.DocumentAct)
	issue("inv-week", "dev", "Вёрстка (вторая часть)", 12500000, msk(11, 24, 12, 0), "2026-11-29", glassbox.DocumentInvoice)
	mustDo(t, s.MarkPaid(ctx, "inv-oct", msk(11, 25, 11, 0), "accountant link"))
	mustDo(t, s.AppendEvent(ctx, glassbox.Event{ID: "pay:inv-oct", ProjectID: "site", Provider: "glassbox", Kind: glassbox.EventPaymentConfirmed,
		DocumentID: "inv-oct", OccurredAt: msk(11, 25, 11, 0), ReceivedAt: msk(11, 25, 11, 0)}))

	// Bad news the manager was told in November (email and its Telegram copy: one line).
	for i, m := range []glassbox.Message{
		{Kind: glassbox.MessageTaskBlocked, Subject: "Заблокировано: «Интеграция с 1С» — Сайт Акме", ClaimedAt: msk(11, 24, 9, 1)},
		{Kind: glassbox.MessageTaskReopened, Subject: "Снова в работе: «Корзина» — Сайт Акме", ClaimedAt: msk(11, 24, 16, 1)},
		{Kind: glassbox.MessageTaskDone, Audience: glassbox.AudienceClient, Subject: "Готово: «Макет главной страницы» — Сайт Акме", ClaimedAt: msk(11, 23, 12, 1)},
	} {
		if m.Audience == "" {
			m.Audience = glassbox.AudienceManager
		}
		m.ID, m.ProjectID, m.EventID, m.ClaimToken = fmt.Sprintf("m%d", i), "site", fmt.Sprintf("e%d", i), "tok"
		mustDo(t, s.ClaimMessage(ctx, m, time.Minute))
		if m.Audience == glassbox.AudienceManager {
			tg := m
			tg.ID, tg.Channel, tg.Chat = m.ID+"tg", glassbox.ChannelTelegram, "42"
			mustDo(t, s.ClaimMessage(ctx, tg, time.Minute))
		}
	}

	// Old history: closed tasks with their events, metrics and documents, a year before.
	for h := 0; h < history; h++ {
		for i := 0; i < 20; i++ {
			at := msk(1, 10, 12, 0).AddDate(0, 0, -h*30).Add(time.Duration(i) * time.Hour)
			id := fmt.Sprintf("old-%d-%d", h, i)
			e := glassbox.Event{ID: "trello:" + id, ProjectID: "site", Provider: "trello", TaskID: id, Title: "Старая задача " + id,
				Kind: glassbox.EventTaskMoved, Status: glassbox.StatusDone, PrevStatus: glassbox.StatusReview, OccurredAt: at, ReceivedAt: at}
			mustDo(t, s.AppendEvent(ctx, e))
			var tk glassbox.Task
			tk.Apply(e)
			tk.Version = 1
			mustDo(t, s.PutTask(ctx, tk))
			date := at.AddDate(0, -1, 0).Format("2006-01-02")
			mustDo(t, s.PutMetrics(ctx, []glassbox.Metric{{ProjectID: "site", Date: date, Source: "yandex_direct", Spend: 100000, Currency: "RUB", Leads: 3}}))
		}
		issue(fmt.Sprintf("old-inv-%d", h), "design", "Старый этап", 100000, msk(1, 5, 12, 0).AddDate(0, 0, -h*30), "2026-01-10", glassbox.DocumentInvoice)
		mustDo(t, s.MarkPaid(ctx, fmt.Sprintf("old-inv-%d", h), msk(1, 6, 12, 0).AddDate(0, 0, -h*30), "accountant link"))
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func openStore(t *testing.T) *localstore.Store {
	t.Helper()
	s, err := localstore.Open(filepath.Join(t.TempDir(), "glassbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func unsubscribeURL(_ context.Context, _ glassbox.Config, project, recipient, id string) (string, error) {
	return "https://glassbox.studio.example/u/" + project + "-" + strings.SplitN(recipient, "@", 2)[0], nil
}

func ratingURL(_ context.Context, _ glassbox.Config, project, id string, score int) (string, error) {
	return fmt.Sprintf("https://glassbox.studio.example/r/%s-%s-%d", project, id[:8], score), nil
}

// render shows messages as the golden files keep them: an email's headers, text, HTML and inline images; a
// Telegram message's text.
func render(ms []glassbox.Message) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "==== %s %s %s\n", m.Kind, m.Audience, m.ChannelOrEmail())
		if m.ChannelOrEmail() == glassbox.ChannelTelegram {
			fmt.Fprintf(&b, "Chat: %s\n\n%s\n\n", m.Chat, m.HTML)
			continue
		}
		var to []string
		for _, p := range m.To {
			to = append(to, p.Name+" <"+p.Email+">")
		}
		fmt.Fprintf(&b, "From: %s <%s>\nReply-To: %s <%s>\nTo: %s\nSubject: %s\n", m.From.Name, m.From.Email, m.ReplyTo.Name,
			m.ReplyTo.Email, strings.Join(to, ", "), m.Subject)
		if m.Unsubscribe != "" {
			fmt.Fprintf(&b, "List-Unsubscribe: <%s>\n", m.Unsubscribe)
		}
		for _, im := range m.Images {
			fmt.Fprintf(&b, "Inline: cid:%s %s (%d bytes)\n", im.ContentID, im.ContentType, len(im.Data))
		}
		fmt.Fprintf(&b, "\n%s\n---- html\n%s\n\n", m.Text, m.HTML)
	}
	return b.String()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		mustDo(t, os.MkdirAll("testdata", 0o755))
		mustDo(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update and review the diff):\n%s", path, got)
	}
}

func compose(t *testing.T, s digest.Store, locale string, kind glassbox.ReportKind, key string) []glassbox.Message {
	t.Helper()
	cfg := config(locale)
	p := cfg.Projects[0]
	plan := cfg.ProjectReports(p)
	var period glassbox.Period
	var err error
	if kind == glassbox.ReportMonthly {
		period, err = plan.MonthPeriod(key)
	} else {
		period, err = plan.WeekPeriod(key)
	}
	mustDo(t, err)
	ms, err := digest.New(s, unsubscribeURL).WithCheckpoints(weekChecksum).WithRating(ratingURL).Compose(context.Background(), cfg, p, plan, period)
	mustDo(t, err)
	return ms
}

// checkpoint is a Checkpointer that gives one hash for every project.
type checkpoint string

func (c checkpoint) Checkpoint(context.Context, string) (string, error) { return string(c), nil }

// weekChecksum is the timeline head the golden digests carry.
const weekChecksum = checkpoint("5f1c0a9e3b7d24c86e01f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7")

// TestGolden pins the weekly digest, the monthly report and the call reminder of a synthetic November, in
// Russian and English, on email (text, HTML, the chart) and Telegram.
func TestGolden(t *testing.T) {
	s := openStore(t)
	world(t, s, 1)
	for _, locale := range []string{"ru", "en"} {
		week := compose(t, s, locale, glassbox.ReportWeekly, "2026-W48")
		golden(t, locale+"_weekly_digest.golden", []byte(render(week)))
		month := compose(t, s, locale, glassbox.ReportMonthly, "2026-11")
		golden(t, locale+"_monthly_report.golden", []byte(render(month)))
		if locale == "ru" {
			if len(week) == 0 || len(week[0].Images) != 1 {
				t.Fatalf("the weekly digest has no chart")
			}
			golden(t, "weekly_chart.png", week[0].Images[0].Data)
		}
	}
}
