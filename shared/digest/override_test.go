package digest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/digest"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

// TestOverrideWording: an agency's weekly_digest template words the digest; one that uses a variable the
// digest does not have is refused by validation (glassbox apply), naming the line.
func TestOverrideWording(t *testing.T) {
	s := openStore(t)
	world(t, s, 0)
	cfg := config("ru")
	cfg.Agency.Templates = map[string]glassbox.MessageTemplates{"ru": {glassbox.MessageWeeklyDigest: {
		Subject: "Неделя {{period}}",
		Body:    "Коллеги, пятница! Собрали цифры за неделю. Потрачено {{spend}}, получено {{leads}} {{plural leads \"лид\" \"лида\" \"лидов\"}} по {{cpl}}.\n\nГотово: {{done_count}}",
	}}}
	p := cfg.Projects[0]
	plan := cfg.ProjectReports(p)
	period, err := plan.WeekPeriod("2026-W48")
	mustDo(t, err)
	ms, err := digest.New(s, nil).Compose(context.Background(), cfg, p, plan, period)
	mustDo(t, err)
	if got := ms[0].Text; !strings.HasPrefix(got, "Коллеги, пятница! Собрали цифры за неделю. Потрачено 12\u00a0810\u00a0₽, получено ") || !strings.Contains(got, "Готово: 3") {
		t.Errorf("the override did not word the digest:\n%s", got)
	}

	cfg.Agency.Templates["ru"][glassbox.MessageWeeklyDigest] = glassbox.MessageTemplate{Body: "{{period}}\n{{titel}}"}
	if err := cfg.Validate(providers.Catalog()); err == nil || !strings.Contains(err.Error(), `weekly_digest.body: template line 2: unknown variable "titel"`) {
		t.Errorf("validation: %v", err)
	}
}

// TestOutsideTextBounded: a tracker's 100 KB title and a javascript: link reach the digest bounded and
// escaped.
func TestOutsideTextBounded(t *testing.T) {
	s := openStore(t)
	world(t, s, 0)
	mustDo(t, s.PutTask(context.Background(), glassbox.Task{ProjectID: "site", Provider: "trello", TaskID: "huge",
		Title: "<b>" + strings.Repeat("я", 100000), URL: "javascript:alert(1)", Status: glassbox.StatusWaiting, Version: 1}))
	for _, m := range compose(t, s, "ru", glassbox.ReportWeekly, "2026-W48") {
		if len(m.HTML) > 40000 || strings.Contains(m.HTML, "<b>") || strings.Contains(m.HTML, "javascript:") {
			t.Errorf("%s: %d bytes of HTML, or unescaped outside text", m.ChannelOrEmail(), len(m.HTML))
		}
	}
}

// TestMixedCurrenciesAreNotSummed: a week spent in roubles and dollars says each amount, and no cost per lead.
func TestMixedCurrenciesAreNotSummed(t *testing.T) {
	s := openStore(t)
	world(t, s, 0)
	mustDo(t, s.PutMetrics(context.Background(), []glassbox.Metric{{ProjectID: "site", Date: "2026-11-24", Source: "google_ads",
		Spend: 20000, Currency: "USD", Leads: 2}}))
	text := compose(t, s, "ru", glassbox.ReportWeekly, "2026-W48")[0].Text
	if !strings.Contains(text, "Потрачено 12\u00a0810\u00a0₽ и 200\u00a0$.") || strings.Contains(text, " по ") {
		t.Errorf("mixed currencies:\n%s", section(text, "Потрачено"))
	}
	if !strings.Contains(text, "Получено 36 лидов") {
		t.Errorf("leads:\n%s", section(text, "Потрачено"))
	}
}
