package digest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/digest"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/storetest"
	"github.com/glassbox-oss/glassbox/shared/timeline"
)

// TestReadsDoNotGrowWithHistory: a digest and a monthly report read the same calls and items whether the
// project has one or ten times as much old history (closed tasks, their events, metrics, paid invoices).
func TestReadsDoNotGrowWithHistory(t *testing.T) {
	type reads struct{ calls, items int }
	measure := func(history int) map[string]reads {
		s := openStore(t)
		world(t, s, history)
		out := map[string]reads{}
		for _, r := range []struct {
			kind glassbox.ReportKind
			key  string
		}{{glassbox.ReportWeekly, "2026-W48"}, {glassbox.ReportMonthly, "2026-11"}} {
			c := &storetest.ReadCounter{Store: s}
			compose(t, c, "ru", r.kind, r.key)
			calls, items := c.Counts()
			out[r.key] = reads{calls, items}
		}
		return out
	}
	one, ten := measure(1), measure(10)
	for key, r := range one {
		if ten[key] != r {
			t.Errorf("%s: %+v reads with 1× history, %+v with 10×", key, r, ten[key])
		}
		if r.calls > 8 {
			t.Errorf("%s: %d store calls, want at most 8", key, r.calls)
		}
	}
}

// TestLateEventInNextDigestOnce: a task done on Thursday before the week's send time but received on Saturday
// is in the next week's digest, once, and not in its own week's.
func TestLateEventInNextDigestOnce(t *testing.T) {
	s := openStore(t)
	world(t, s, 0)
	count := func(key string) int {
		ms := compose(t, s, "ru", glassbox.ReportWeekly, key)
		if len(ms) == 0 {
			return 0
		}
		return strings.Count(ms[0].Text, "Логотип в шапке")
	}
	if n := count("2026-W47"); n != 0 {
		t.Errorf("the week the task was done in (reported before it arrived) lists it %d times", n)
	}
	if n := count("2026-W48"); n != 1 {
		t.Errorf("the next week lists the late task %d times, want 1", n)
	}
	if n := count("2026-W49"); n != 0 {
		t.Errorf("the week after lists it %d times, want 0", n)
	}
}

// TestDoneThenReopenedIsNotDone: a task done and reopened within the week carries over, not "done".
func TestDoneThenReopenedIsNotDone(t *testing.T) {
	s := openStore(t)
	world(t, s, 0)
	text := compose(t, s, "ru", glassbox.ReportWeekly, "2026-W48")[0].Text
	done := section(text, "Сделано за неделю")
	if strings.Contains(done, "Корзина") || !strings.Contains(section(text, "Продолжаем"), "Корзина") {
		t.Errorf("a task done then reopened within the week is listed as done:\n%s", text)
	}
	if strings.Count(text, "«Корзина»") != 1 {
		t.Errorf("a task is listed more than once:\n%s", text)
	}
}

// section is the paragraph of text that starts with heading.
func section(text, heading string) string {
	i := strings.Index(text, heading)
	if i < 0 {
		return ""
	}
	rest := text[i:]
	if j := strings.Index(rest, "\n\n"); j >= 0 {
		return rest[:j]
	}
	return rest
}

// TestEmptyWeek: a week with nothing done, moved, new and no figures says so in one line, or sends nothing
// when the plan skips empty weeks.
func TestEmptyWeek(t *testing.T) {
	s := openStore(t)
	world(t, s, 0)
	cfg := config("ru")
	p := cfg.Projects[0]
	plan := cfg.ProjectReports(p)
	period, err := plan.WeekPeriod("2027-W10")
	mustDo(t, err)
	// Take the open invoices out of the picture: an empty week is about the week.
	c := digest.New(emptyInvoices{s}, nil)
	ms, err := c.Compose(context.Background(), cfg, p, plan, period)
	mustDo(t, err)
	if len(ms) != 3 || !strings.Contains(ms[0].Text, "На этой неделе без новостей") || strings.Contains(ms[0].Text, "Политика") || len(ms[0].Images) != 0 {
		t.Fatalf("an empty week: %d messages, first:\n%s", len(ms), ms[0].Text)
	}
	plan.SkipEmpty = true
	ms, err = c.Compose(context.Background(), cfg, p, plan, period)
	mustDo(t, err)
	if len(ms) != 0 {
		t.Errorf("an empty week with empty_week: skip gave %d messages", len(ms))
	}
}

type emptyInvoices struct{ *localstore.Store }

func (emptyInvoices) OpenInvoices(context.Context) ([]glassbox.Document, error) { return nil, nil }

// TestTelegramFits: a project with hundreds of open tasks gets a Telegram digest under Telegram's limit, its
// lists cut and counted, while the email lists them.
func TestTelegramFits(t *testing.T) {
	s := openStore(t)
	world(t, s, 0)
	ctx := context.Background()
	for i := 0; i < 300; i++ {
		id := strings.Repeat("x", 3) + string(rune('a'+i%26)) + strings.Repeat("y", i%7) + string(rune('0'+i/26%10)) + string(rune('0'+i%10))
		mustDo(t, s.PutTask(ctx, glassbox.Task{ProjectID: "site", Provider: "trello", TaskID: id + "-" + string(rune('A'+i/100)),
			Title: "Очень длинная задача про " + strings.Repeat("что-то важное ", 8), URL: "https://trello.example/" + id,
			Status: glassbox.StatusInProgress, Version: 1}))
	}
	ms := compose(t, s, "ru", glassbox.ReportWeekly, "2026-W48")
	for _, m := range ms {
		if m.ChannelOrEmail() != glassbox.ChannelTelegram {
			continue
		}
		if n := len([]rune(m.HTML)); n > 4096 {
			t.Errorf("the Telegram digest has %d characters", n)
		}
		if !strings.Contains(m.HTML, "…и ещё") || !strings.Contains(m.HTML, "Собрали цифры") {
			t.Errorf("the Telegram digest does not cut its lists sensibly:\n%s", m.HTML)
		}
		return
	}
	t.Fatal("no Telegram digest")
}

// TestDoneTaskNamedFromTheStoredTask: ClickUp's and Asana's webhooks carry ids, not names; React reads the name
// back into the task. The digest lists such a task done this week by that name and link, not as «».
func TestDoneTaskNamedFromTheStoredTask(t *testing.T) {
	s := openStore(t)
	world(t, s, 0)
	ctx := context.Background()
	at := msk(11, 25, 11, 0)
	e := glassbox.Event{ID: "clickup:86c1:done", ProjectID: "site", Provider: "clickup", TaskID: "86c1", Kind: glassbox.EventTaskMoved,
		Status: glassbox.StatusDone, PrevStatus: glassbox.StatusReview, OccurredAt: at, ReceivedAt: at.Add(time.Minute)}
	mustDo(t, s.AppendEvent(ctx, e))
	mustDo(t, s.PutTask(ctx, glassbox.Task{ProjectID: "site", Provider: "clickup", TaskID: "86c1", Title: "Баннеры для рассылки",
		URL: "https://app.clickup.com/t/86c1", Status: glassbox.StatusDone, Version: 1}))
	ms := compose(t, s, "ru", glassbox.ReportWeekly, "2026-W48")
	done := section(ms[0].Text, "Сделано за неделю")
	if !strings.Contains(done, "«Баннеры для рассылки» — https://app.clickup.com/t/86c1") || strings.Contains(done, "«»") {
		t.Errorf("done this week:\n%s", done)
	}
}

// TestChecksumSealsFirst: composing a report seals its project's timeline first, so the weekly digest's checksum
// is the hash of a seal that lists an event received one minute (past the settle) before the digest, not the
// last hourly seal's; a monthly report seals too. The seal reads the week before the last seal, so a report's
// reads, the seal's included, are the same with one or ten times as much sealed history.
func TestChecksumSealsFirst(t *testing.T) {
	type reads struct{ calls, items int }
	// The digest goes (as composed by the tick) an hour after the last daily seal.
	at := time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC)
	late := glassbox.Event{ID: "trello:just-now", ProjectID: "site", BindingID: "trello-site", Provider: "trello",
		Kind: glassbox.EventTaskMoved, TaskID: "t9", Title: "Счётчик на сайте", Status: glassbox.StatusInProgress,
		OccurredAt: at.Add(-62 * time.Second), ReceivedAt: at.Add(-timeline.DefaultSettle - time.Second)}
	measure := func(history int, kind glassbox.ReportKind, key string) reads {
		s := openStore(t)
		world(t, s, history)
		cfg := config("ru")
		p := cfg.Projects[0]
		// Sealed daily over the history, so the chain grows with it.
		for d := 10 * history; d >= 0; d-- {
			c := fixedClock(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC).AddDate(0, 0, -d))
			if _, err := (timeline.Sealer{Store: s, Clock: c}).Seal(t.Context(), p.ID); err != nil {
				t.Fatal(err)
			}
		}
		before, err := timeline.Latest(t.Context(), s, p.ID)
		if err != nil || before.Hash == "" {
			t.Fatalf("no seal: %+v, %v", before, err)
		}
		mustDo(t, s.AppendEvent(t.Context(), late))
		plan := cfg.ProjectReports(p)
		period, err := plan.WeekPeriod(key)
		if kind == glassbox.ReportMonthly {
			period, err = plan.MonthPeriod(key)
		}
		mustDo(t, err)
		c := &storetest.ReadCounter{Store: s}
		ms, err := digest.New(c, unsubscribeURL).WithCheckpoints(timeline.Sealer{Store: c, Clock: fixedClock(at)}).Compose(t.Context(), cfg, p, plan, period)
		mustDo(t, err)
		head, err := timeline.Latest(t.Context(), s, p.ID)
		mustDo(t, err)
		if head.Seq != before.Seq+1 {
			t.Fatalf("%s: newest seal %d after the report, want %d: the report did not seal", key, head.Seq, before.Seq+1)
		}
		seals, err := s.Seals(t.Context(), p.ID)
		mustDo(t, err)
		if last := seals[len(seals)-1]; len(last.Entries) != 1 || last.Entries[0].ID != "event:"+late.ID {
			t.Errorf("%s: the report's seal lists %+v, want the event received a minute before", key, last.Entries)
		}
		if kind == glassbox.ReportWeekly {
			if len(ms) == 0 || !strings.Contains(ms[0].Text, head.Hash) || strings.Contains(ms[0].Text, before.Hash) {
				t.Errorf("the digest does not carry the hash of the seal it made, %s", head.Hash)
			}
		}
		calls, items := c.Counts()
		return reads{calls, items}
	}
	for _, r := range []struct {
		kind glassbox.ReportKind
		key  string
	}{{glassbox.ReportWeekly, "2026-W48"}, {glassbox.ReportMonthly, "2026-11"}} {
		one, ten := measure(1, r.kind, r.key), measure(10, r.kind, r.key)
		if ten != one {
			t.Errorf("%s: %+v reads with 1× history, %+v with 10×; want the same", r.key, one, ten)
		}
	}
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }
