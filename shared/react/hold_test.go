package react_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/react"
)

// chat records Telegram sends; like Telegram, it refuses for good a text over 4096 characters.
type chat struct {
	mu   sync.Mutex
	sent []glassbox.Message
}

func (c *chat) Send(_ context.Context, m glassbox.Message, _ []glassbox.IssuedDocument) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(utf16.Encode([]rune(m.HTML))) > 4096 {
		return "", &courier.Undeliverable{Cause: glassbox.CauseRejected, Recipient: m.Chat, Detail: "Bad Request: message is too long"}
	}
	c.sent = append(c.sent, m)
	return fmt.Sprintf("tg-%d", len(c.sent)), nil
}

func (c *chat) count() int { c.mu.Lock(); defer c.mu.Unlock(); return len(c.sent) }

// timed is a processor on a project in zone with the default quiet hours and window (or those given), its
// client in a Telegram group too.
type timed struct {
	store *localstore.Store
	mail  *mailer
	chat  *chat
	clock *clock
	proc  *react.Processor
	zone  *time.Location
}

func newTimed(t *testing.T, zone string, edit func(*glassbox.Config)) *timed {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	store, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := glassbox.Config{
		Agency: glassbox.Agency{Name: "Студия", Sender: "notify@studio.example", Locale: "ru", TimeZone: zone, TelegramBotParam: "/glassbox/telegram/bot"},
		Clients: []glassbox.Client{{ID: "acme", Name: "Acme", TelegramChatID: "-100123", Contacts: []glassbox.Person{
			{Name: "Анна Смирнова", Email: "anna@acme.example"}}}},
		Projects: []glassbox.Project{{ID: "site", ClientID: "acme", Name: "Сайт",
			Manager: glassbox.Person{Name: "Мария Иванова", Email: "maria@studio.example"}}},
	}
	if edit != nil {
		edit(&cfg)
	}
	if err := store.PutConfig(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	f := &timed{store: store, mail: &mailer{}, chat: &chat{}, clock: &clock{}, zone: loc}
	f.proc = react.NewProcessor(store, react.Senders{glassbox.ChannelEmail: courier.Email{Mailer: f.mail}, glassbox.ChannelTelegram: f.chat},
		f.clock, react.Options{ClaimLease: time.Minute, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return f
}

// at sets the clock to a local wall time.
func (f *timed) at(t *testing.T, local string) time.Time {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", local, f.zone)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.mu.Lock()
	f.clock.now = at.UTC()
	f.clock.mu.Unlock()
	return at
}

func (f *timed) process(t *testing.T, e glassbox.Event) react.Outcome {
	t.Helper()
	e.OccurredAt = f.clock.Now()
	out, err := f.proc.Process(t.Context(), e)
	if err != nil {
		t.Fatalf("Process %s: %v", e.ID, err)
	}
	return out
}

func (f *timed) flush(t *testing.T) react.FlushResult {
	t.Helper()
	res, err := f.proc.Flush(t.Context())
	if err != nil {
		t.Fatalf("Flush: %v", err)
	}
	return res
}

func done(n int, title string) glassbox.Event {
	e := doneEvent(fmt.Sprint(n))
	e.Title, e.URL = title, fmt.Sprintf("https://trello.com/c/card%d", n)
	return e
}

// Three cards reaching done within minutes reach the client as one message per channel, when the window of the
// first closes; a redelivered event holds nothing twice; a flush run again sends nothing more.
func TestCoalescedDoneNotices(t *testing.T) {
	f := newTimed(t, "Europe/Moscow", nil)
	f.at(t, "2026-12-01 10:00")
	for i, title := range []string{"Логотип", "Макет главной", "Каталог"} {
		if out := f.process(t, done(i, title)); out.Held != 2 || out.Sent != 0 {
			t.Fatalf("event %d: %s; want held 2 (email, Telegram), sent 0", i, out)
		}
		f.clock.Advance(3 * time.Minute)
	}
	if out := f.process(t, done(1, "Макет главной")); out.Held != 0 || out.Sent != 0 {
		t.Errorf("redelivered event: %s; want nothing", out)
	}
	f.at(t, "2026-12-01 10:09")
	if res := f.flush(t); res.Sent != 0 {
		t.Errorf("flush before the first window closed sent %+v", res)
	}
	f.at(t, "2026-12-01 10:10")
	res := f.flush(t)
	if res.Sent != 2 || res.Coalesced != 2 || res.Batched != 6 {
		t.Errorf("flush = %+v, want 2 coalesced messages (email, Telegram) of 3 notices each", res)
	}
	if f.mail.count() != 1 || f.chat.count() != 1 {
		t.Fatalf("sent %d emails and %d Telegram messages, want 1 and 1", f.mail.count(), f.chat.count())
	}
	if mail := string(f.mail.sent[0].Data); !strings.Contains(mail, "anna@acme.example") {
		t.Errorf("email not to the client:\n%s", mail)
	}
	msgs, err := f.store.MessagesBetween(t.Context(), "site", time.Time{}, f.clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	subjects := map[string]bool{}
	for _, m := range msgs {
		if m.Kind == glassbox.MessageTasksDone && m.State == glassbox.MessageSent {
			subjects[m.Subject] = true
		}
	}
	if !subjects["Готово: 3 задачи — Сайт"] {
		t.Errorf("sent coalesced subjects = %v, want «Готово: 3 задачи — Сайт»", subjects)
	}
	tg := f.chat.sent[0]
	if tg.Kind != glassbox.MessageTasksDone || tg.Chat != "-100123" {
		t.Errorf("Telegram message = %s to %s, want tasks_done to the client group", tg.Kind, tg.Chat)
	}
	for _, want := range []string{"3 задачи", "Логотип", "Макет главной", "Каталог", "https://trello.com/c/card2"} {
		if !strings.Contains(tg.HTML, want) {
			t.Errorf("Telegram text lacks %q:\n%s", want, tg.HTML)
		}
	}
	f.clock.Advance(time.Hour)
	if res := f.flush(t); res.Sent != 0 || res.Due != 0 {
		t.Errorf("second flush = %+v, want nothing", res)
	}
	if f.mail.count() != 1 || f.chat.count() != 1 {
		t.Errorf("after the second flush: %d emails, %d Telegram messages; want 1 and 1", f.mail.count(), f.chat.count())
	}
}

// One card alone goes as the ordinary task_done notice, under the id it would have had if sent at once.
func TestOneHeldNoticeGoesAsItself(t *testing.T) {
	f := newTimed(t, "Europe/Berlin", func(c *glassbox.Config) { c.Clients[0].TelegramChatID = "" })
	f.at(t, "2026-12-01 11:00")
	f.process(t, done(1, "Logo"))
	f.at(t, "2026-12-01 11:10")
	if res := f.flush(t); res.Sent != 1 || res.Coalesced != 0 {
		t.Errorf("flush = %+v, want the one notice sent as itself", res)
	}
	id := glassbox.MessageID("trello:1", glassbox.MessageTaskDone, glassbox.AudienceClient, glassbox.ChannelEmail)
	m, err := f.store.Message(t.Context(), id)
	if err != nil || m.State != glassbox.MessageSent || m.Kind != glassbox.MessageTaskDone {
		t.Errorf("message %s = %+v, %v; want the task_done notice sent", id, m, err)
	}
}

// A Friday evening notice waits for Monday 09:00 in the project's zone; a flush over the weekend sends nothing;
// bad news to the manager goes at once.
func TestFridayEveningWaitsForMonday(t *testing.T) {
	f := newTimed(t, "America/New_York", func(c *glassbox.Config) { c.Agency.Coalesce = "off"; c.Clients[0].TelegramChatID = "" })
	f.at(t, "2026-10-30 21:30") // the weekend New York leaves summer time
	if out := f.process(t, done(1, "Logo")); out.Held != 1 {
		t.Fatalf("Friday 21:30: %s; want held", out)
	}
	blocked := done(2, "API")
	blocked.Status, blocked.ListName = glassbox.StatusBlocked, "Blocked"
	if out := f.process(t, blocked); out.Sent != 1 || out.Held != 0 {
		t.Errorf("blocked at 21:30: %s; want sent to the manager at once", out)
	}
	for _, at := range []string{"2026-10-31 09:00", "2026-11-01 12:00", "2026-11-02 08:59"} {
		f.at(t, at)
		if res := f.flush(t); res.Sent != 0 {
			t.Errorf("flush at %s sent %+v", at, res)
		}
	}
	f.at(t, "2026-11-02 09:00")
	if res := f.flush(t); res.Sent != 1 {
		t.Errorf("flush on Monday 09:00 = %+v, want the notice sent", res)
	}
	if got := f.mail.count(); got != 2 {
		t.Errorf("emails = %d, want 2 (blocked to the manager, done to the client)", got)
	}
}

// With quiet hours off, a Sunday night notice goes at once.
func TestQuietHoursOff(t *testing.T) {
	f := newTimed(t, "Europe/Berlin", func(c *glassbox.Config) {
		c.Projects[0].QuietHours = &glassbox.QuietHours{Off: true}
		c.Projects[0].Coalesce = "0"
	})
	f.at(t, "2026-10-25 02:30") // the hour Berlin repeats
	if out := f.process(t, done(1, "Logo")); out.Sent != 2 || out.Held != 0 {
		t.Errorf("%s; want sent at once on both channels", out)
	}
}

// A task past its due date and not done tells the manager once per due date, never the client; a moved due
// date tells again; a done task tells nothing.
func TestOverdueTellsTheManagerOnce(t *testing.T) {
	f := newTimed(t, "Europe/Moscow", func(c *glassbox.Config) { c.Clients[0].TelegramChatID = "" })
	f.at(t, "2026-12-01 10:00")
	due := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	e := glassbox.Event{ID: "trello:d1", ProjectID: "site", Provider: "trello", Kind: glassbox.EventTaskUpdated, TaskID: "card-9",
		Title: "Логотип", URL: "https://trello.com/c/card9", HasDue: true, Due: due}
	f.process(t, e)
	f.clock.now = due.Add(-time.Minute)
	if res := f.flush(t); res.Overdue != 0 {
		t.Errorf("before the due date: %+v", res)
	}
	f.clock.now = due.Add(time.Minute)
	if res := f.flush(t); res.Overdue != 1 {
		t.Errorf("after the due date: %+v, want one overdue notice", res)
	}
	f.clock.Advance(time.Hour)
	if res := f.flush(t); res.Overdue != 0 {
		t.Errorf("again: %+v, want none", res)
	}
	if f.mail.count() != 1 || !strings.Contains(string(f.mail.sent[0].Data), "maria@studio.example") ||
		strings.Contains(string(f.mail.sent[0].Data), "anna@acme.example") {
		t.Fatalf("emails = %d; want one, to the manager only", f.mail.count())
	}
	moved := e
	moved.ID, moved.Due = "trello:d2", due.Add(24*time.Hour)
	f.process(t, moved)
	f.clock.now = moved.Due.Add(time.Minute)
	if res := f.flush(t); res.Overdue != 1 {
		t.Errorf("after the moved due date: %+v, want one more overdue notice", res)
	}
	later := e
	later.ID, later.Due = "trello:d3", moved.Due.Add(24*time.Hour)
	f.process(t, later)
	finished := done(9, "Логотип")
	finished.ID = "trello:d4"
	f.process(t, finished)
	f.clock.now = later.Due.Add(time.Hour)
	if res := f.flush(t); res.Overdue != 0 {
		t.Errorf("done task: %+v, want no overdue notice", res)
	}
}

// A stage closed at 03:00 in the project's zone issues its documents at once and sends the accountant's email,
// but the client's act and invoice wait for 09:00 there, and then go with their PDFs read from the store.
func TestStageClosedInQuietHoursWaits(t *testing.T) {
	now := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC) // Wednesday 03:00 in Vladivostok
	f := newBilledFixture(t, now)
	cfg := billedConfig()
	cfg.Agency.QuietHours, cfg.Agency.Coalesce = nil, ""
	if err := f.store.PutConfig(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	out, err := f.proc.Process(t.Context(), closed("q1", "1", "east", now))
	if err != nil {
		t.Fatal(err)
	}
	if out.Issued != 2 || out.Sent != 1 || out.Held != 1 {
		t.Fatalf("%s; want issued 2, sent 1 (the accountant), held 1 (the client)", out)
	}
	f.clock.now = time.Date(2026, 12, 1, 22, 59, 0, 0, time.UTC)
	if res, err := f.proc.Flush(t.Context()); err != nil || res.Sent != 0 {
		t.Fatalf("flush at 08:59 there = %+v, %v; want nothing", res, err)
	}
	f.clock.now = time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC) // 09:00 in Vladivostok
	if res, err := f.proc.Flush(t.Context()); err != nil || res.Sent != 1 {
		t.Fatalf("flush at 09:00 there = %+v, %v; want the client's email", res, err)
	}
	emls, _ := filepath.Glob(filepath.Join(f.outDir, "*.eml"))
	if len(emls) != 2 {
		t.Fatalf("%d emails in the outbox, want 2", len(emls))
	}
	var client string
	for _, p := range emls {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "anna@romashka.example") {
			client = string(data)
		}
	}
	if strings.Count(client, "application/pdf") != 2 {
		t.Errorf("the client's email carries %d PDFs, want the act and the invoice", strings.Count(client, "application/pdf"))
	}
}

// A card done at 22:00 and reopened at 23:00 does not reach the client as done in the morning (the manager heard
// of the reopening at once); a card done, reopened and done again reaches the client once, as itself.
func TestHeldNoticeOfAReopenedCard(t *testing.T) {
	f := newTimed(t, "Europe/Moscow", func(c *glassbox.Config) { c.Clients[0].TelegramChatID = "" })
	f.at(t, "2026-12-01 22:00")
	f.process(t, done(1, "Логотип"))
	f.process(t, done(2, "Каталог"))
	f.at(t, "2026-12-01 23:00")
	reopened := done(1, "Логотип")
	reopened.ID, reopened.Status, reopened.ListName, reopened.PrevStatus = "trello:r1", glassbox.StatusInProgress, "In progress", glassbox.StatusDone
	if out := f.process(t, reopened); out.Sent != 1 {
		t.Fatalf("reopened: %s; want the manager told at once", out)
	}
	reopened2 := done(2, "Каталог")
	reopened2.ID, reopened2.Status, reopened2.ListName, reopened2.PrevStatus = "trello:r2", glassbox.StatusInProgress, "In progress", glassbox.StatusDone
	f.process(t, reopened2)
	f.at(t, "2026-12-01 23:30")
	again := done(2, "Каталог")
	again.ID = "trello:d2"
	f.process(t, again)

	f.at(t, "2026-12-02 09:00")
	res := f.flush(t)
	if res.Dropped != 2 || res.Sent != 1 || res.Coalesced != 0 {
		t.Errorf("flush = %+v; want the reopened card's notice and the earlier one of the card done twice dropped, one sent", res)
	}
	var client []string
	for _, m := range f.mail.sent {
		if strings.Contains(string(m.Data), "anna@acme.example") {
			client = append(client, string(m.Data))
		}
	}
	if len(client) != 1 {
		t.Fatalf("%d emails to the client, want 1", len(client))
	}
	id := glassbox.MessageID("trello:d2", glassbox.MessageTaskDone, glassbox.AudienceClient, glassbox.ChannelEmail)
	if m, err := f.store.Message(t.Context(), id); err != nil || m.State != glassbox.MessageSent {
		t.Errorf("the latest notice of the card done twice = %+v, %v; want sent", m, err)
	}
	if res := f.flush(t); res != (react.FlushResult{}) {
		t.Errorf("second flush = %+v, want nothing", res)
	}
}

// With coalescing off, notices held over quiet hours go each as its own message in the morning, each once
// (docs/config.md: "0 or off sends each at once"), on every channel.
func TestCoalesceOffSendsEachHeldNotice(t *testing.T) {
	f := newTimed(t, "Europe/Moscow", func(c *glassbox.Config) { c.Agency.Coalesce = "off" })
	f.at(t, "2026-12-01 22:00")
	for i, title := range []string{"Логотип", "Макет главной", "Каталог"} {
		if out := f.process(t, done(i, title)); out.Held != 2 {
			t.Fatalf("card %d at night: %s; want held 2 (email, Telegram)", i, out)
		}
		f.clock.Advance(20 * time.Minute)
	}
	f.at(t, "2026-12-02 08:59")
	if res := f.flush(t); res.Sent != 0 {
		t.Errorf("flush in quiet hours = %+v, want nothing sent", res)
	}
	f.at(t, "2026-12-02 09:00")
	if res := f.flush(t); res.Sent != 6 || res.Coalesced != 0 || res.Batched != 0 {
		t.Errorf("morning flush = %+v, want 6 sent (3 emails, 3 Telegram), none coalesced", res)
	}
	for _, at := range []string{"2026-12-02 09:01", "2026-12-02 12:00"} {
		f.at(t, at)
		if res := f.flush(t); res.Sent != 0 || res.Due != 0 {
			t.Errorf("flush at %s = %+v, want nothing", at, res)
		}
	}
	if f.mail.count() != 3 || f.chat.count() != 3 {
		t.Fatalf("sent %d emails and %d Telegram messages, want 3 and 3", f.mail.count(), f.chat.count())
	}
	titles := map[string]int{}
	for _, m := range f.chat.sent {
		if m.Kind != glassbox.MessageTaskDone {
			t.Errorf("Telegram message of kind %s, want task_done", m.Kind)
		}
		for _, title := range []string{"Логотип", "Макет главной", "Каталог"} {
			if strings.Contains(m.HTML, title) {
				titles[title]++
			}
		}
	}
	for _, title := range []string{"Логотип", "Макет главной", "Каталог"} {
		if titles[title] != 1 {
			t.Errorf("%q told %d times in Telegram, want 1", title, titles[title])
		}
	}
}

// A held notice the courier records failed (its Telegram chat suppressed) leaves the waiting messages: later
// flushes neither read nor count it.
func TestFailedHeldNoticeLeavesTheWaitingMessages(t *testing.T) {
	f := newTimed(t, "Europe/Moscow", nil)
	f.at(t, "2026-12-01 10:00")
	if err := f.store.Suppress(t.Context(), glassbox.Suppression{Recipient: "-100123", Channel: glassbox.ChannelTelegram,
		Cause: glassbox.CauseBlocked, At: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	f.process(t, done(1, "Logo"))
	f.at(t, "2026-12-01 10:10")
	if res := f.flush(t); res.Sent != 1 {
		t.Errorf("flush = %+v, want the email sent (the Telegram copy fails: its chat is suppressed)", res)
	}
	for i := range 3 {
		f.clock.Advance(time.Minute)
		if res := f.flush(t); res.Due != 0 || res.Sent != 0 {
			t.Errorf("flush %d after = %+v, want nothing due", i+2, res)
		}
	}
	left, err := f.store.HeldMessages(t.Context(), f.clock.Now().Add(time.Hour), react.DefaultFlushLimit)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range left {
		t.Errorf("still among the waiting messages: %s %s %s", m.Kind, m.ChannelOrEmail(), m.State)
	}
	id := glassbox.MessageID("trello:1", glassbox.MessageTaskDone, glassbox.AudienceClient, glassbox.ChannelTelegram)
	if m, err := f.store.Message(t.Context(), id); err != nil || m.State != glassbox.MessageFailed {
		t.Errorf("Telegram notice = %s, %v; want failed", m.State, err)
	}
}

// More failed held notices than one flush reads do not keep a newer notice from going: once a suppression is
// cleared, the next held notice reaches the client.
func TestFailedHeldNoticesDoNotStarveTheFlush(t *testing.T) {
	f := newTimed(t, "Europe/Moscow", func(c *glassbox.Config) { c.Agency.Coalesce = "off"; c.Clients[0].TelegramChatID = "" })
	f.at(t, "2026-12-01 22:00")
	if err := f.store.Suppress(t.Context(), glassbox.Suppression{Recipient: "anna@acme.example", Channel: glassbox.ChannelEmail,
		Cause: glassbox.CauseBounced, At: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	for i := range react.DefaultFlushLimit + 1 {
		f.process(t, done(i, "Card"))
	}
	for _, at := range []string{"2026-12-02 09:00", "2026-12-02 09:01"} {
		f.at(t, at)
		f.flush(t)
	}
	if err := f.store.ClearSuppression(t.Context(), "anna@acme.example"); err != nil {
		t.Fatal(err)
	}
	f.proc.ForgetDeliveryNotes()
	f.at(t, "2026-12-02 23:00")
	f.process(t, done(10000, "New card"))
	for _, at := range []string{"2026-12-03 09:00", "2026-12-03 09:01", "2026-12-03 12:00"} {
		f.at(t, at)
		f.flush(t)
	}
	if n := f.mail.count(); n != 1 {
		t.Errorf("the new notice was sent %d times, want 1", n)
	}
}

// MaxBatch tasks with 500-character titles done within one window: every Telegram message stays within
// Telegram's 4096 characters, and no task is lost: each is listed in exactly one Telegram message, and every
// notice batched into a message is listed in it. The email lists them all at once.
func TestCoalescedTelegramFitsItsLimit(t *testing.T) {
	f := newTimed(t, "Europe/Moscow", nil)
	f.at(t, "2026-12-01 10:00")
	title := func(i int) string { return fmt.Sprintf("Задача %02d ", i) }
	for i := range react.MaxBatch {
		f.process(t, done(i, title(i)+strings.Repeat("очень длинное название ", 30)))
	}
	f.at(t, "2026-12-01 10:10")
	res := f.flush(t)
	if res.Failed != 0 {
		t.Errorf("flush = %+v, want nothing failed", res)
	}
	listed := map[int]int{}
	for _, m := range f.chat.sent {
		if n := len(utf16.Encode([]rune(m.HTML))); n > 4096 {
			t.Errorf("Telegram %s message is %d characters; Telegram refuses over 4096", m.Kind, n)
		}
		for i := range react.MaxBatch {
			if strings.Contains(m.HTML, title(i)) {
				listed[i]++
			}
		}
		if m.Kind != glassbox.MessageTasksDone {
			continue
		}
		stored, err := f.store.Message(t.Context(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range stored.Hold.Members {
			member, err := f.store.Message(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.HTML, member.Hold.Task.Title[:len(title(0))]) {
				t.Errorf("batched notice %q is not listed in its message", member.Hold.Task.Title[:len(title(0))])
			}
		}
	}
	for i := range react.MaxBatch {
		if listed[i] != 1 {
			t.Errorf("task %d listed in %d Telegram messages, want 1", i, listed[i])
		}
	}
	if f.chat.count() < 2 {
		t.Errorf("%d Telegram messages, want the tasks spread over several", f.chat.count())
	}
	if f.mail.count() != 1 {
		t.Errorf("%d emails, want one listing all %d tasks", f.mail.count(), react.MaxBatch)
	}
	msgs, err := f.store.MessagesBetween(t.Context(), "site", time.Time{}, f.clock.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.State == glassbox.MessageHeld || m.State == glassbox.MessageClaimed || m.State == glassbox.MessageFailed {
			t.Errorf("message %s %s %s left %s", m.ID, m.Kind, m.ChannelOrEmail(), m.State)
		}
	}
}
