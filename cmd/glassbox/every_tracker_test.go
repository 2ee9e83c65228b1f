package main

import (
	"io"
	"strings"
	"testing"
)

// doneLinks are the links each tracker's done notice in make demo points the client to: the deliverable
// (Trello's attached Figma file) or the task at the provider.
var doneLinks = []struct{ provider, link string }{
	{"trello", "https://www.figma.com/file/abc123/Landing"},
	{"kaiten", "/fake/kaiten/18734512"},
	{"asana", "https://app.asana.com/0/1207000000000100/1207654321000042"},
	{"jira", "https://pixel.atlassian.net/browse/SITE-7"},
	{"clickup", "https://app.clickup.com/t/86c1dm7ab"},
	{"github", "https://github.com/acme/site/issues/42"},
	{"linear", "https://linear.app/acme/issue/MKT-42/landing-page-for-spring-campaign"},
	{"hook", "https://tracker.example/tasks/4711"},
}

// TestEveryTrackerTellsTheClientOnceByEmailAndTelegram is issue 8's "done when": every tracker goes end to end
// on the local server from its events/ samples, and the client gets its done notice exactly once by email and
// exactly once in the client's Telegram group, although make demo runs twice (every delivery repeated, the
// signed ones signed again) and each provider's samples repeat the done delivery besides.
func TestEveryTrackerTellsTheClientOnceByEmailAndTelegram(t *testing.T) {
	h := newDevHarness(t)
	for i := 0; i < 2; i++ {
		var out strings.Builder
		if err := run(t.Context(), []string{"demo", "--url", h.srv.URL, "--events", eventsDir}, &out, io.Discard); err != nil {
			t.Fatalf("make demo, run %d: %v\n%s", i+1, err, out.String())
		}
	}
	mail, chats := h.mail(), h.telegram()
	for _, tt := range doneLinks {
		emails := 0
		for _, m := range mail {
			if strings.HasPrefix(m.Subject, "Готово: «") && strings.Contains(m.Text, tt.link) {
				emails++
				if got := strings.Join(m.To, ","); got != "Анна Смирнова <anna@romashka.example>" {
					t.Errorf("%s: done notice to %s, want the client", tt.provider, got)
				}
			}
		}
		messages := 0
		for _, c := range chats {
			if strings.Contains(c.Text, `href="`) && strings.Contains(c.Text, tt.link) {
				messages++
				if c.Chat != "-1001234567890" {
					t.Errorf("%s: Telegram copy in chat %s, want the client group", tt.provider, c.Chat)
				}
			}
		}
		if emails != 1 || messages != 1 {
			t.Errorf("%s: %d done emails and %d Telegram messages to the client, want 1 and 1", tt.provider, emails, messages)
		}
	}
	// Nothing else reached the client's group: bad news goes to the manager only.
	if len(chats) != len(doneLinks) {
		t.Errorf("%d Telegram messages in all, want one per tracker (%d)", len(chats), len(doneLinks))
	}
}
