package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestJiraDoneSampleEmailsClientOnce runs make demo's Jira story through glassbox dev: the created issue and the
// comment tell nobody, the move to a "Done"-category status tells the client once, however often Jira
// redelivers it, and the forged delivery is refused.
func TestJiraDoneSampleEmailsClientOnce(t *testing.T) {
	h := newDevHarness(t)
	steps := []struct {
		file   string
		status int
		answer string
	}{
		{"ingest-jira-created.json", http.StatusOK, `"accepted"`},
		{"ingest-jira-done.json", http.StatusOK, `"accepted"`},
		{"ingest-jira-done.json", http.StatusOK, `"duplicate"`},
		{"ingest-jira-comment-ignored.json", http.StatusOK, `"ignored"`},
		{"ingest-jira-forged.json", http.StatusUnauthorized, "signature"},
	}
	for _, s := range steps {
		if status, body := h.sendSample(s.file); status != s.status || !strings.Contains(body, s.answer) {
			t.Fatalf("%s: %d %s, want %d %s", s.file, status, body, s.status, s.answer)
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
	if want := "Готово: «Тексты для главной страницы» — Новый сайт"; m.Subject != want {
		t.Errorf("Subject = %q, want %q", m.Subject, want)
	}
	if !strings.Contains(m.Text, "https://pixel.atlassian.net/browse/SITE-7") {
		t.Errorf("notice does not link the issue:\n%s", m.Text)
	}
}
