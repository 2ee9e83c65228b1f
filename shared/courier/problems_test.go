package courier_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/outbox"
)

// chatSender answers each chat as scripted (nil: sent), recording the chats it sent to.
type chatSender struct {
	mu      sync.Mutex
	answers map[string]error
	tried   []string
	sent    []string
}

func (s *chatSender) Send(_ context.Context, m glassbox.Message, _ []glassbox.IssuedDocument) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tried = append(s.tried, m.Chat)
	if err := s.answers[m.Chat]; err != nil {
		return "", err
	}
	s.sent = append(s.sent, m.Chat)
	return fmt.Sprintf("%s:%d", m.Chat, len(s.sent)), nil
}

type staticConfig glassbox.Config

func (c staticConfig) Config(context.Context) (glassbox.Config, error) {
	return glassbox.Config(c), nil
}

func reportConfig() staticConfig {
	return staticConfig{
		Agency: glassbox.Agency{Name: "Студия", Sender: "Студия <notify@studio.example>", Locale: glassbox.LocaleRU,
			TelegramBotParam: "/glassbox/telegram/bot"},
		Clients: []glassbox.Client{{ID: "c1", Name: "Клиент", Contacts: []glassbox.Person{{Name: "Анна", Email: "anna@client.example"}}}},
		Projects: []glassbox.Project{{ID: "p1", Name: "Сайт", ClientID: "c1",
			Manager: glassbox.Person{Name: "Мария Петрова", Email: "maria@studio.example"}}},
	}
}

type problemFixture struct {
	store  *localstore.Store
	tg     *chatSender
	mail   *outbox.Mailer
	outDir string
	c      *courier.Courier
}

func newProblemFixture(t *testing.T, answers map[string]error) *problemFixture {
	t.Helper()
	store, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &problemFixture{store: store, tg: &chatSender{answers: answers}, outDir: t.TempDir()}
	f.mail = outbox.New(f.outDir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.c = courier.New(store, courier.Senders{glassbox.ChannelEmail: courier.Email{Mailer: f.mail}, glassbox.ChannelTelegram: f.tg},
		glassbox.SystemClock{}, time.Minute, quiet).ReportTo(reportConfig())
	return f
}

func chatNotice(event, chat string) glassbox.Message {
	m := message()
	m.EventID, m.Channel, m.Chat, m.To, m.HTML = event, glassbox.ChannelTelegram, chat, nil, "Готово."
	m.ID = glassbox.MessageID(event, m.Kind, m.Audience, glassbox.ChannelTelegram)
	return m
}

func (f *problemFixture) reports(t *testing.T) []outbox.Summary {
	t.Helper()
	mail, err := outbox.List(f.outDir)
	if err != nil {
		t.Fatal(err)
	}
	return mail
}

func (f *problemFixture) state(t *testing.T, id string) glassbox.Message {
	t.Helper()
	m, err := f.store.Message(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A 403 (the bot was removed from the group): the message is failed, not sent; the chat gets nothing more
// until the admin clears it; the manager is told once.
func TestDeliverBlockedChat(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newProblemFixture(t, map[string]error{"-100777": &courier.Undeliverable{Cause: glassbox.CauseBlocked,
		Recipient: "-100777", Detail: "Forbidden: bot was kicked from the supergroup chat"}})
	first, second := chatNotice("trello:a1", "-100777"), chatNotice("trello:a2", "-100777")
	for i := 0; i < 3; i++ {
		for _, m := range []glassbox.Message{first, second} {
			if sent, err := f.c.Deliver(ctx, m); sent || err != nil {
				t.Fatalf("Deliver = %v, %v; want false, nil (failed for good)", sent, err)
			}
		}
	}
	if len(f.tg.tried) != 1 {
		t.Errorf("Telegram asked %d times, want once: the chat is suppressed after the 403", len(f.tg.tried))
	}
	if m := f.state(t, first.ID); m.State != glassbox.MessageFailed || !strings.Contains(m.Failure, "kicked") {
		t.Errorf("first message = %s %q, want failed with Telegram's reason", m.State, m.Failure)
	}
	if m := f.state(t, second.ID); m.State != glassbox.MessageFailed || !strings.Contains(m.Failure, "suppressed") {
		t.Errorf("second message = %s %q, want failed as suppressed", m.State, m.Failure)
	}
	notes, err := f.store.DeliveryNotes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := notes.Suppressed("-100777"); !ok || s.Cause != glassbox.CauseBlocked {
		t.Errorf("chat not suppressed: %+v", notes)
	}
	reports := f.reports(t)
	if len(reports) != 1 || !strings.Contains(reports[0].Text, "Сообщение клиенту в Telegram не дошло: бот не может писать в этот чат") ||
		reports[0].To[0] != "Мария Петрова <maria@studio.example>" {
		t.Fatalf("reports = %+v, want one to the manager", reports)
	}

	// The admin clears the chat (and, on another instance, the cache expires): messages go there again.
	if err := f.store.ClearSuppression(ctx, "-100777"); err != nil {
		t.Fatal(err)
	}
	f.tg.answers = nil
	fresh := courier.New(f.store, courier.Senders{glassbox.ChannelTelegram: f.tg}, glassbox.SystemClock{}, time.Minute,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if sent, err := fresh.Deliver(ctx, chatNotice("trello:a3", "-100777")); !sent || err != nil {
		t.Errorf("after clearing: Deliver = %v, %v; want sent", sent, err)
	}
}

// A group that became a supergroup: the message goes to the new chat, the move is remembered (later messages
// go there directly, without the agency file changing), and the manager is told once.
func TestDeliverMovedChat(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newProblemFixture(t, map[string]error{"-4001": &courier.ChatMoved{From: "-4001", To: "-1004001"}})
	for i, event := range []string{"trello:a1", "trello:a2", "trello:a3"} {
		if sent, err := f.c.Deliver(ctx, chatNotice(event, "-4001")); !sent || err != nil {
			t.Fatalf("Deliver %d = %v, %v; want sent", i, sent, err)
		}
	}
	if strings.Join(f.tg.tried, " ") != "-4001 -1004001 -1004001 -1004001" {
		t.Errorf("chats tried: %v, want the old one once, then the new one", f.tg.tried)
	}
	if m := f.state(t, chatNotice("trello:a1", "").ID); m.State != glassbox.MessageSent || !strings.HasPrefix(m.ProviderID, "-1004001:") {
		t.Errorf("first message = %s as %s, want sent to the new chat", m.State, m.ProviderID)
	}
	// Another instance (an empty cache) follows the stored move without asking the old chat.
	other := courier.New(f.store, courier.Senders{glassbox.ChannelTelegram: f.tg}, glassbox.SystemClock{}, time.Minute,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := other.Deliver(ctx, chatNotice("trello:a4", "-4001")); err != nil {
		t.Fatal(err)
	}
	if last := f.tg.tried[len(f.tg.tried)-1]; last != "-1004001" || len(f.tg.tried) != 5 {
		t.Errorf("another instance tried %v, want the new chat directly", f.tg.tried)
	}
	reports := f.reports(t)
	if len(reports) != 1 || !strings.Contains(reports[0].Text, "-1004001") || !strings.Contains(reports[0].Subject, "сменила номер") {
		t.Fatalf("reports = %+v, want one chat_migrated notice to the manager", reports)
	}
}

// Telegram could not parse one message: that message fails and the manager hears of it, but the chat stays
// open for the next one.
func TestDeliverRejectedMessage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newProblemFixture(t, map[string]error{"-100555": &courier.Undeliverable{Cause: glassbox.CauseRejected,
		Recipient: "-100555", Detail: "Bad Request: can't parse entities"}})
	m := chatNotice("trello:a1", "-100555")
	if sent, err := f.c.Deliver(ctx, m); sent || err != nil {
		t.Fatalf("Deliver = %v, %v; want false, nil", sent, err)
	}
	if sent, err := f.c.Deliver(ctx, m); sent || err != nil {
		t.Fatalf("Deliver again = %v, %v; want false, nil (not retried)", sent, err)
	}
	f.tg.answers = nil
	if sent, err := f.c.Deliver(ctx, chatNotice("trello:a2", "-100555")); !sent || err != nil {
		t.Errorf("next message = %v, %v; want sent (a rejected text does not suppress the chat)", sent, err)
	}
	if got := f.state(t, m.ID); got.State != glassbox.MessageFailed {
		t.Errorf("state = %s, want failed", got.State)
	}
	if reports := f.reports(t); len(reports) != 1 || !strings.Contains(reports[0].Text, "Telegram не принял текст") {
		t.Errorf("reports = %+v, want one", reports)
	}
}

// An email whose every recipient is suppressed is recorded as not sent, with the reason; one with some left
// goes to those.
func TestDeliverSkipsSuppressedAddresses(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newProblemFixture(t, nil)
	if err := f.store.Suppress(ctx, glassbox.Suppression{Recipient: "Anna@client.example", Channel: glassbox.ChannelEmail,
		Cause: glassbox.CauseBounced, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	alone := message()
	if sent, err := f.c.Deliver(ctx, alone); sent || err != nil {
		t.Fatalf("Deliver = %v, %v; want false, nil", sent, err)
	}
	if m := f.state(t, alone.ID); m.State != glassbox.MessageFailed || !strings.Contains(m.Failure, "anna@client.example is suppressed (bounced") {
		t.Errorf("message = %s %q, want failed: suppressed", m.State, m.Failure)
	}
	both := message()
	both.ID = "m2"
	both.To = append(both.To, glassbox.Person{Name: "Пётр", Email: "petr@client.example"})
	if sent, err := f.c.Deliver(ctx, both); !sent || err != nil {
		t.Fatalf("Deliver = %v, %v; want sent to the one left", sent, err)
	}
	mail := f.reports(t)
	if len(mail) != 1 || strings.Join(mail[0].To, ",") != "Пётр <petr@client.example>" {
		t.Errorf("mail = %+v, want one to Пётр only", mail)
	}
}

// failOnce is a store whose first FailMessage fails, as when the attempt dies before recording the failure.
type failOnce struct {
	*localstore.Store
	failed bool
}

func (s *failOnce) FailMessage(ctx context.Context, id, token string, at time.Time, reason string) error {
	if !s.failed {
		s.failed = true
		return fmt.Errorf("injected: %w", context.DeadlineExceeded)
	}
	return s.Store.FailMessage(ctx, id, token, at, reason)
}

type stepClock struct{ now time.Time }

func (c *stepClock) Now() time.Time { return c.now }

// A message whose every recipient is suppressed keeps its recipients when claimed: an attempt that dies before
// recording it failed leaves a claim, and the attempt after the lease (the flush reads the stored message) must
// find it for the suppressed address and fail it, not try to send a message to nobody, be refused and put it
// back to wait forever.
func TestDeliverSuppressedAfterADeadAttempt(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newProblemFixture(t, nil)
	if err := f.store.Suppress(ctx, glassbox.Suppression{Recipient: "anna@client.example", Channel: glassbox.ChannelEmail,
		Cause: glassbox.CauseBounced, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	clock := &stepClock{now: time.Now().UTC()}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := courier.New(&failOnce{Store: f.store}, courier.Senders{glassbox.ChannelEmail: courier.Email{Mailer: f.mail}},
		clock, time.Minute, quiet)
	m := message()
	m.Hold = &glassbox.Hold{Until: clock.now.Add(-time.Hour)}
	if err := f.store.HoldMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Deliver(ctx, m); err == nil {
		t.Fatal("Deliver with FailMessage failing = nil error, want one")
	}
	if stored := f.state(t, m.ID); len(stored.To) != 1 {
		t.Errorf("claimed message stored with recipients %v, want its one (suppressed) recipient kept", stored.To)
	}
	clock.now = clock.now.Add(2 * time.Minute)
	if sent, err := c.Deliver(ctx, f.state(t, m.ID)); sent || err != nil {
		t.Fatalf("Deliver after the lease = %v, %v; want false, nil (failed: suppressed)", sent, err)
	}
	if stored := f.state(t, m.ID); stored.State != glassbox.MessageFailed || !strings.Contains(stored.Failure, "suppressed") {
		t.Errorf("message = %s %q, want failed: suppressed", stored.State, stored.Failure)
	}
	if mail := f.reports(t); len(mail) != 0 {
		t.Errorf("mail sent: %+v", mail)
	}
}
