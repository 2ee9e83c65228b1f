package digest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/digest"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// A client's report email offers five ratings, each signed over that email's own id and its score; the
// Telegram copy and the manager's call reminder offer none; without a rating signer nothing is offered.
func TestReportRatings(t *testing.T) {
	s := openStore(t)
	world(t, s, 1)
	cfg := config("ru")
	p := cfg.Projects[0]
	plan := cfg.ProjectReports(p)
	period, err := plan.MonthPeriod("2026-11")
	mustDo(t, err)
	full := func(_ context.Context, _ glassbox.Config, project, id string, score int) (string, error) {
		return fmt.Sprintf("https://links.example/r/%s.%s.%d", project, id, score), nil
	}
	ms, err := digest.New(s, nil).WithRating(full).Compose(context.Background(), cfg, p, plan, period)
	mustDo(t, err)
	rated := 0
	for _, m := range ms {
		has := strings.Contains(m.Text+m.HTML, "https://links.example/r/")
		client := m.Audience == glassbox.AudienceClient && m.ChannelOrEmail() == glassbox.ChannelEmail
		if has != client {
			t.Errorf("%s %s to %s: ratings %v", m.Kind, m.ChannelOrEmail(), m.Audience, has)
		}
		if client {
			rated++
			for score := 1; score <= 5; score++ {
				if want := fmt.Sprintf("https://links.example/r/site.%s.%d", m.ID, score); !strings.Contains(m.HTML, want) {
					t.Errorf("%s lacks %s", m.Kind, want)
				}
			}
		}
	}
	if rated == 0 {
		t.Fatal("no client email")
	}
	plain, err := digest.New(s, nil).Compose(context.Background(), cfg, p, plan, period)
	mustDo(t, err)
	for _, m := range plain {
		if strings.Contains(m.Text, "Оцените") {
			t.Errorf("without a signer %s offers ratings", m.Kind)
		}
	}
}
