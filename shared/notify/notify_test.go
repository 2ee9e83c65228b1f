package notify_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

var update = flag.Bool("update", false, "rewrite golden files")

func config(locale string) glassbox.Config {
	return glassbox.Config{
		Agency: glassbox.Agency{Name: "Студия Пример", Sender: "notify@studio.example", Locale: "ru", TimeZone: "Europe/Moscow"},
		Clients: []glassbox.Client{{ID: "acme", Name: "ООО Акме", Contacts: []glassbox.Person{
			{Name: "Анна Смирнова", Email: "anna@acme.example"}}}},
		Projects: []glassbox.Project{{ID: "site", ClientID: "acme", Name: "Сайт Акме", Locale: locale,
			Manager: glassbox.Person{Name: "Мария Иванова", Email: "maria@studio.example"}}},
	}
}

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func moved(prev, next glassbox.TaskStatus, listName string) glassbox.Event {
	return glassbox.Event{
		ID: "trello:a1", ProjectID: "site", Provider: "trello", Kind: glassbox.EventTaskMoved, TaskID: "c1",
		Title: "Макет главной страницы", URL: "https://trello.com/c/Ab3dEf9h",
		ListID: "l-" + string(next), ListName: listName, Status: next,
		PrevListID: "l-" + string(prev), PrevStatus: prev, Actor: "Иван Петров", OccurredAt: t0,
	}
}

func situation(locale string, e glassbox.Event, before glassbox.Task) notify.Situation {
	c := config(locale)
	after := before
	after.Apply(e)
	return notify.Situation{Config: c, Project: c.Projects[0], Event: e, Before: before, After: after, Approvals: approvals}
}

// approvals stands in for the signed links: it spells out what a link is signed over.
func approvals(projectID, provider, taskID, messageID string) (accept, changes string) {
	base := "https://glassbox.studio.example/a/" + projectID + "." + provider + "." + taskID + "." + messageID
	return base + ".accept", base + ".changes"
}

// A client's task-done notice offers "accept" and "request changes", signed over the project, the task and
// the email's message id (its Telegram copy carries the same links); the manager's notices offer neither, and
// without a signer the client is asked to reply instead.
func TestTaskDoneOffersApproval(t *testing.T) {
	e := moved(glassbox.StatusInProgress, glassbox.StatusDone, "Done")
	msgs, err := notify.Decide(situation("ru", e, glassbox.Task{}))
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Decide = %v, %v", msgs, err)
	}
	m := msgs[0]
	accept, changes := approvals("site", "trello", "c1", m.ID)
	for _, want := range []string{accept, changes, ">Принять</a>", ">Есть правки</a>"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("task_done HTML lacks %q:\n%s", want, m.HTML)
		}
	}
	if !strings.Contains(m.Text, accept) || !strings.Contains(m.Text, changes) {
		t.Errorf("task_done text lacks the links:\n%s", m.Text)
	}
	s := situation("ru", e, glassbox.Task{})
	s.Approvals = nil
	plain, err := notify.Decide(s)
	if err != nil || len(plain) != 1 || strings.Contains(plain[0].Text, "/a/") || !strings.Contains(plain[0].Text, "напишите их в ответ") {
		t.Errorf("without a signer: %v, %v; want the reply wording and no links", plain, err)
	}
	blocked, err := notify.Decide(situation("ru", moved(glassbox.StatusInProgress, glassbox.StatusBlocked, "Blocked"), glassbox.Task{}))
	if err != nil || len(blocked) != 1 || strings.Contains(blocked[0].Text, "/a/") {
		t.Errorf("the manager's notice: %v, %v; want no approval links", blocked, err)
	}
}

func TestDecide(t *testing.T) {
	late := glassbox.Task{TaskID: "c1", Status: glassbox.StatusInProgress, LastEventAt: t0.Add(time.Hour)}
	doneTask := glassbox.Task{TaskID: "c1", Status: glassbox.StatusDone, LastEventAt: t0.Add(-time.Hour)}
	created := moved("", glassbox.StatusDone, "Done")
	created.Kind, created.PrevListID = glassbox.EventTaskCreated, ""
	renamed := moved(glassbox.StatusDone, glassbox.StatusDone, "Done")
	renamed.Kind = glassbox.EventTaskUpdated
	noted := glassbox.Event{ID: "trello:n1", ProjectID: "site", Provider: "trello", Kind: glassbox.EventTaskNoted, TaskID: "c1",
		Title: "Макет главной страницы", Note: "ждём тексты от клиента", OccurredAt: t0}
	logged := glassbox.Event{ID: "jira:w1", ProjectID: "site", Provider: "jira", Kind: glassbox.EventWorkLogged, TaskID: "c1",
		Minutes: 90, OccurredAt: t0}

	tests := []struct {
		name   string
		event  glassbox.Event
		before glassbox.Task
		want   []glassbox.MessageKind
		to     []string
	}{
		{"DoneTellsClient", moved(glassbox.StatusInProgress, glassbox.StatusDone, "Done"), glassbox.Task{}, []glassbox.MessageKind{glassbox.MessageTaskDone}, []string{"anna@acme.example"}},
		{"CreatedInDoneTellsClient", created, glassbox.Task{}, []glassbox.MessageKind{glassbox.MessageTaskDone}, []string{"anna@acme.example"}},
		{"BlockedTellsManagerOnly", moved(glassbox.StatusInProgress, glassbox.StatusBlocked, "Blocked"), glassbox.Task{}, []glassbox.MessageKind{glassbox.MessageTaskBlocked}, []string{"maria@studio.example"}},
		{"ReopenedTellsManagerOnly", moved(glassbox.StatusDone, glassbox.StatusInProgress, "In Progress"), doneTask, []glassbox.MessageKind{glassbox.MessageTaskReopened}, []string{"maria@studio.example"}},
		{"DoneToBlockedIsOneManagerNotice", moved(glassbox.StatusDone, glassbox.StatusBlocked, "Blocked"), doneTask, []glassbox.MessageKind{glassbox.MessageTaskBlocked}, []string{"maria@studio.example"}},
		{"DoneToDoneSaysNothing", moved(glassbox.StatusDone, glassbox.StatusDone, "Done 2"), doneTask, nil, nil},
		{"ProgressSaysNothing", moved(glassbox.StatusTodo, glassbox.StatusInProgress, "In Progress"), glassbox.Task{}, nil, nil},
		{"UnmappedListSaysNothing", moved(glassbox.StatusTodo, glassbox.StatusUnknown, "Ideas"), glassbox.Task{}, nil, nil},
		{"LateDoneDoesNotTellClient", moved(glassbox.StatusInProgress, glassbox.StatusDone, "Done"), late, nil, nil},
		{"RenameSaysNothing", renamed, doneTask, nil, nil},
		// Issue 9: reasons, work logs and the new statuses.
		{"NoteSaysNothing", noted, doneTask, nil, nil},
		{"WorkLogSaysNothing", logged, glassbox.Task{}, nil, nil},
		{"CancelledSaysNothing", moved(glassbox.StatusInProgress, glassbox.StatusCancelled, "Cancelled"), glassbox.Task{}, nil, nil},
		{"PausedSaysNothing", moved(glassbox.StatusInProgress, glassbox.StatusPaused, "Paused"), glassbox.Task{}, nil, nil},
		{"WaitingSaysNothing", moved(glassbox.StatusInProgress, glassbox.StatusWaiting, "Waiting on you"), glassbox.Task{}, nil, nil},
		{"DoneToCancelledIsNoReopening", moved(glassbox.StatusDone, glassbox.StatusCancelled, "Cancelled"), doneTask, nil, nil},
		{"DoneToWaitingIsReopened", moved(glassbox.StatusDone, glassbox.StatusWaiting, "Waiting on you"), doneTask, []glassbox.MessageKind{glassbox.MessageTaskReopened}, []string{"maria@studio.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := notify.Decide(situation("ru", tt.event, tt.before))
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != len(tt.want) {
				t.Fatalf("got %d messages, want %d: %+v", len(msgs), len(tt.want), msgs)
			}
			for i, m := range msgs {
				if m.Kind != tt.want[i] {
					t.Errorf("message %d kind = %s, want %s", i, m.Kind, tt.want[i])
				}
				var to []string
				for _, p := range m.To {
					to = append(to, p.Email)
				}
				if got, want := strings.Join(to, ","), strings.Join(tt.to, ","); got != want {
					t.Errorf("message %d to = %s, want %s", i, got, want)
				}
				wantReplyTo := ""
				if m.Audience == glassbox.AudienceClient {
					wantReplyTo = "maria@studio.example"
				}
				if got, want := m.ReplyTo.Email, wantReplyTo; got != want {
					t.Errorf("reply-to = %s, want %s", got, want)
				}
				if m.ID != glassbox.MessageID(tt.event.ID, m.Kind, m.Audience, glassbox.ChannelEmail) {
					t.Errorf("message id %s is not the deterministic one", m.ID)
				}
			}
		})
	}
}

func TestDoneLinksToDeliverable(t *testing.T) {
	before := glassbox.Task{TaskID: "c1", Status: glassbox.StatusInProgress, Link: "https://figma.example/file/1", LastEventAt: t0.Add(-time.Hour)}
	msgs, err := notify.Decide(situation("en", moved(glassbox.StatusInProgress, glassbox.StatusDone, "Done"), before))
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Decide = %v, %v", msgs, err)
	}
	if !strings.Contains(msgs[0].Text, "https://figma.example/file/1") || !strings.Contains(msgs[0].HTML, `href="https://figma.example/file/1"`) {
		t.Fatalf("done notice does not link the deliverable:\n%s", msgs[0].Text)
	}
}

func TestTrackerTextIsEscapedInHTML(t *testing.T) {
	e := moved(glassbox.StatusInProgress, glassbox.StatusDone, "Done")
	e.Title = `<script>alert("x")</script> & "quotes"`
	e.URL = `javascript:alert(1)`
	msgs, err := notify.Decide(situation("en", e, glassbox.Task{}))
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Decide = %v, %v", msgs, err)
	}
	html := msgs[0].HTML
	if strings.Contains(html, "<script>") || strings.Contains(html, "javascript:") {
		t.Fatalf("tracker text reached HTML unescaped:\n%s", html)
	}
	if !strings.Contains(html, "&lt;script&gt;") {
		t.Fatalf("escaped title missing from HTML:\n%s", html)
	}
}

// TestGolden pins the wording of every notice in both locales; run with -update after a deliberate change.
func TestGolden(t *testing.T) {
	cases := map[string]glassbox.Event{
		"task_done":     moved(glassbox.StatusInProgress, glassbox.StatusDone, "Done"),
		"task_blocked":  moved(glassbox.StatusInProgress, glassbox.StatusBlocked, "Blocked"),
		"task_reopened": moved(glassbox.StatusDone, glassbox.StatusInProgress, "In Progress"),
	}
	for _, locale := range []string{"ru", "en"} {
		for name, e := range cases {
			t.Run(locale+"_"+name, func(t *testing.T) {
				msgs, err := notify.Decide(situation(locale, e, glassbox.Task{}))
				if err != nil || len(msgs) != 1 {
					t.Fatalf("Decide = %v, %v", msgs, err)
				}
				m := msgs[0]
				got := "Subject: " + m.Subject + "\n\n" + m.Text + "\n----\n" + m.HTML + "\n"
				path := filepath.Join("testdata", locale+"_"+name+".golden")
				if *update {
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from golden:\n%s", path, got)
				}
			})
		}
	}
}

// TestTrackerTextIsBounded: a card title of 100 KB (Trello allows 16 KB, other trackers more) made a 771 KB
// email with a 51,223-character subject. Titles are shortened, on rune boundaries and with an ellipsis.
func TestTrackerTextIsBounded(t *testing.T) {
	for _, tt := range []struct {
		name, title string
	}{
		{"Cyrillic", strings.Repeat("Очень длинное название карточки ", 3300)},
		{"ASCIIWithoutSpaces", strings.Repeat("x", 100_000)},
		{"Emoji", strings.Repeat("🚀", 30_000)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, locale := range []string{"ru", "en"} {
				for _, next := range []glassbox.TaskStatus{glassbox.StatusDone, glassbox.StatusBlocked} {
					e := moved(glassbox.StatusInProgress, next, strings.Repeat("Список ", 20_000))
					e.Title, e.Actor = tt.title, strings.Repeat("Иван ", 20_000)
					msgs, err := notify.Decide(situation(locale, e, glassbox.Task{}))
					if err != nil || len(msgs) != 1 {
						t.Fatalf("Decide = %v, %v", msgs, err)
					}
					m := msgs[0]
					if n := utf8.RuneCountInString(m.Subject); n > 120 {
						t.Errorf("%s %s: subject has %d characters: %.200s", locale, next, n, m.Subject)
					}
					if !strings.Contains(m.Subject, "…") || !strings.HasSuffix(m.Subject, "Сайт Акме") {
						t.Errorf("%s %s: subject %q does not show the cut title and the project", locale, next, m.Subject)
					}
					if size := len(m.Subject) + len(m.Text) + len(m.HTML); size > 12_000 {
						t.Errorf("%s %s: message is %d bytes", locale, next, size)
					}
					for _, s := range []string{m.Subject, m.Text, m.HTML} {
						if !utf8.ValidString(s) {
							t.Errorf("%s %s: a cut made invalid UTF-8", locale, next)
						}
					}
				}
			}
		})
	}
}

func TestShortTitlesAreKept(t *testing.T) {
	e := moved(glassbox.StatusInProgress, glassbox.StatusDone, "Done")
	e.Title = strings.Repeat("я", 95)
	msgs, err := notify.Decide(situation("ru", e, glassbox.Task{}))
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Decide = %v, %v", msgs, err)
	}
	if want := "Готово: «" + e.Title + "» — Сайт Акме"; msgs[0].Subject != want {
		t.Fatalf("subject = %q, want %q", msgs[0].Subject, want)
	}
}

// A project with Telegram chats gets each notice in its audience's chat too, as its own message: the client's
// good news in the client group, the manager's bad news in the manager's chat, never the other way round.
// Tracker text is escaped for Telegram's HTML.
func TestDecideTelegramCopies(t *testing.T) {
	t.Parallel()
	s := situation("ru", moved(glassbox.StatusInProgress, glassbox.StatusDone, "Done"), glassbox.Task{})
	s.Config.Agency.TelegramBotParam = "/glassbox/telegram/bot"
	s.Config.Clients[0].TelegramChatID = "-1001111111111"
	s.Project.Manager.TelegramChatID = "222222222"
	s.Event.Title = `Макет <b>главной</b> & "меню"`
	msgs, err := notify.Decide(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].ChannelOrEmail() != glassbox.ChannelEmail || msgs[1].Channel != glassbox.ChannelTelegram {
		t.Fatalf("got %+v, want an email and a Telegram copy", msgs)
	}
	tg := msgs[1]
	if tg.Chat != "-1001111111111" || tg.Audience != glassbox.AudienceClient {
		t.Errorf("Telegram copy to %q for %s, want the client group", tg.Chat, tg.Audience)
	}
	if tg.ID != glassbox.MessageID(s.Event.ID, glassbox.MessageTaskDone, glassbox.AudienceClient, glassbox.ChannelTelegram) || tg.ID == msgs[0].ID {
		t.Errorf("Telegram copy id %s is not its own deterministic id", tg.ID)
	}
	if !strings.Contains(tg.HTML, "Макет &lt;b&gt;главной&lt;/b&gt; &amp; &#34;меню&#34;") || strings.Contains(tg.HTML, "<b>главной") {
		t.Errorf("tracker text not escaped for Telegram:\n%s", tg.HTML)
	}
	if !strings.Contains(tg.HTML, `<a href="https://trello.com/c/Ab3dEf9h">`) || strings.Contains(tg.HTML, "<p>") {
		t.Errorf("Telegram text is not Telegram's HTML subset with the link:\n%s", tg.HTML)
	}

	blocked := situation("ru", moved(glassbox.StatusInProgress, glassbox.StatusBlocked, "Blocked"), glassbox.Task{})
	blocked.Config, blocked.Project = s.Config, s.Project
	msgs, err = notify.Decide(blocked)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Audience != glassbox.AudienceManager || (m.Channel == glassbox.ChannelTelegram && m.Chat != "222222222") {
			t.Errorf("bad news went to %s %q", m.Audience, m.Chat)
		}
	}
	if len(msgs) != 2 {
		t.Errorf("bad news: %d messages, want the manager's email and Telegram", len(msgs))
	}
}

// A link a message cannot show (not http(s), or too long) is left out with the sentence that leads to it: no
// "see the result" over "#", in no channel.
func TestDecideWithoutAUsableLink(t *testing.T) {
	t.Parallel()
	for _, link := range []string{"javascript:alert(1)", "https://example.com/" + strings.Repeat("a", 3000)} {
		e := moved(glassbox.StatusInProgress, glassbox.StatusDone, "Done")
		e.URL = link
		s := situation("ru", e, glassbox.Task{})
		s.Config.Agency.TelegramBotParam = "/glassbox/telegram/bot"
		s.Config.Clients[0].TelegramChatID = "-1001111111111"
		msgs, err := notify.Decide(s)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 2 {
			t.Fatalf("got %d messages, want the email and its Telegram copy", len(msgs))
		}
		for _, m := range msgs {
			for _, part := range []string{m.Text, m.HTML} {
				if strings.Contains(part, "по ссылке") || strings.Contains(part, `href="#"`) || strings.Contains(part, "javascript:") ||
					strings.Contains(part, "aaaaaaaaaa") {
					t.Errorf("%s message with link %.30q shows it:\n%s", m.ChannelOrEmail(), link, part)
				}
			}
		}
	}
}
