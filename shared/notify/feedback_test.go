package notify_test

import (
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

// The manager hears of every approval decision and of a rating of 3 or lower, at once, under an id that derives
// from the feedback item; changes requested and a low rating are urgent in the subject; a higher rating is only
// recorded; nothing ever goes to the client.
func TestFeedbackReceived(t *testing.T) {
	cfg := config("ru")
	task := glassbox.Task{Title: "Макет главной", URL: "https://trello.com/c/Ab3dEf9h"}
	item := func(kind glassbox.FeedbackKind, score int) glassbox.Feedback {
		return glassbox.Feedback{ID: glassbox.FeedbackID(kind, "site", "trello", "c1", "m1", score), ProjectID: "site", Kind: kind,
			Provider: "trello", TaskID: "c1", Score: score, Comment: "Кнопку синей", MessageID: "m1", At: t0}
	}
	for _, tt := range []struct {
		name    string
		f       glassbox.Feedback
		subject string // "" when the manager is not told
	}{
		{"ChangesRequested", item(glassbox.FeedbackChangesRequested, 0), "Срочно: есть правки — «Макет главной» — Сайт Акме"},
		{"Accepted", item(glassbox.FeedbackAccepted, 0), "Принято клиентом: «Макет главной» — Сайт Акме"},
		{"LowRating", item(glassbox.FeedbackRating, 3), "Срочно: оценка 3 из 5 — Сайт Акме"},
		{"HighRating", item(glassbox.FeedbackRating, 4), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := notify.FeedbackReceived(cfg, tt.f, task)
			if err != nil {
				t.Fatal(err)
			}
			if tt.subject == "" {
				if len(msgs) != 0 {
					t.Fatalf("FeedbackReceived = %+v, want nothing", msgs)
				}
				return
			}
			if len(msgs) == 0 {
				t.Fatal("FeedbackReceived told nobody")
			}
			m := msgs[0]
			if m.Subject != tt.subject {
				t.Errorf("subject %q, want %q", m.Subject, tt.subject)
			}
			if m.ID != glassbox.MessageID(tt.f.ID, glassbox.MessageClientFeedback, glassbox.AudienceManager, glassbox.ChannelEmail) {
				t.Errorf("id %s does not derive from the feedback item", m.ID)
			}
			for _, m := range msgs {
				if m.Audience != glassbox.AudienceManager {
					t.Errorf("a feedback notice to %s", m.Audience)
				}
			}
			if !strings.Contains(m.Text, "Кнопку синей") {
				t.Errorf("the comment is missing:\n%s", m.Text)
			}
			again, _ := notify.FeedbackReceived(cfg, tt.f, task)
			if again[0].ID != m.ID {
				t.Error("the same item gave another id")
			}
		})
	}
}
