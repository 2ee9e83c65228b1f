package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestTrackerDoneSamplesEmailClientOnce runs each tracker's make demo story through glassbox dev: the created task
// and the comment tell nobody, the move to done tells the client once, however often the tracker redelivers it,
// and the forged delivery is refused. ClickUp names the task only by id: its notice carries the name and link
// read back from glassbox dev's stand-in API.
func TestTrackerDoneSamplesEmailClientOnce(t *testing.T) {
	tests := []struct {
		provider string
		subject  string
		link     string
	}{
		{"jira", "Готово: «Тексты для главной страницы» — Новый сайт", "https://pixel.atlassian.net/browse/SITE-7"},
		{"clickup", "Готово: «Баннеры для рекламной кампании» — Новый сайт", "https://app.clickup.com/t/86c1dm7ab"},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			h := newDevHarness(t)
			steps := []struct {
				sample string
				status int
				answer string
			}{
				{"created", http.StatusOK, `"accepted"`},
				{"done", http.StatusOK, `"accepted"`},
				{"done", http.StatusOK, `"duplicate"`},
				{"comment-ignored", http.StatusOK, `"ignored"`},
				{"forged", http.StatusUnauthorized, "signature"},
			}
			for _, s := range steps {
				file := "ingest-" + tt.provider + "-" + s.sample + ".json"
				if status, body := h.sendSample(file); status != s.status || !strings.Contains(body, s.answer) {
					t.Fatalf("%s: %d %s, want %d %s", file, status, body, s.status, s.answer)
				}
			}
			mail := h.mail()
			if len(mail) != 1 {
				t.Fatalf("got %d emails, want 1: %+v", len(mail), mail)
			}
			m := mail[0]
			if to := strings.Join(m.To, ","); to != "Анна Смирнова <anna@romashka.example>" {
				t.Errorf("To = %q, want the client", to)
			}
			if m.Subject != tt.subject {
				t.Errorf("Subject = %q, want %q", m.Subject, tt.subject)
			}
			if !strings.Contains(m.Text, tt.link) {
				t.Errorf("notice does not link %s:\n%s", tt.link, m.Text)
			}
		})
	}
}
