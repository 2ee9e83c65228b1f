package courier_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
)

// flakyStore fails the first failMarks calls of MarkMessageSent with markErr, as a throttled DynamoDB does.
type flakyStore struct {
	*localstore.Store
	failMarks int
	markErr   error
	marks     atomic.Int32
}

func (s *flakyStore) MarkMessageSent(ctx context.Context, id, token string, sentAt time.Time, providerID string) error {
	if int(s.marks.Add(1)) <= s.failMarks {
		return s.markErr
	}
	return s.Store.MarkMessageSent(ctx, id, token, sentAt, providerID)
}

// countingMailer counts sends and may run something during one (cancel the caller's context).
type countingMailer struct {
	sends  atomic.Int32
	during func()
}

func (m *countingMailer) Send(context.Context, glassbox.RawEmail) (string, error) {
	n := m.sends.Add(1)
	if m.during != nil {
		m.during()
	}
	return fmt.Sprintf("provider-%d", n), nil
}

func message() glassbox.Message {
	return glassbox.Message{
		ID: "m1", ProjectID: "p1", EventID: "trello:a1", Kind: glassbox.MessageTaskDone, Audience: glassbox.AudienceClient,
		From:    glassbox.Person{Name: "Студия", Email: "notify@studio.example"},
		To:      []glassbox.Person{{Name: "Анна", Email: "anna@client.example"}},
		Subject: "Готово", Text: "Готово.",
	}
}

// A message that went out must be recorded as sent even when recording it fails for a moment or the caller
// gives up right after the send: an unrecorded send is sent again by the attempt that takes the claim over
// after the lease.
func TestDeliverRecordsASendThatWentOut(t *testing.T) {
	throttled := errors.New("ProvisionedThroughputExceededException: injected")
	tests := []struct {
		name      string
		failMarks int
		markErr   error
		cancel    bool // the caller's context ends while the mail is being sent
		wantState glassbox.MessageState
		wantMarks int32
	}{
		{name: "recorded at once", wantState: glassbox.MessageSent, wantMarks: 1},
		{name: "throttled twice, then recorded", failMarks: 2, markErr: throttled, wantState: glassbox.MessageSent, wantMarks: 3},
		{name: "caller cancelled during the send", cancel: true, wantState: glassbox.MessageSent, wantMarks: 1},
		{name: "claim taken over: not retried", failMarks: 10, markErr: fmt.Errorf("token: %w", glassbox.ErrConflict),
			wantState: glassbox.MessageClaimed, wantMarks: 1},
		{name: "still failing: gives up", failMarks: 100, markErr: throttled, wantState: glassbox.MessageClaimed, wantMarks: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ls, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ls.Close() })
			store := &flakyStore{Store: ls, failMarks: tt.failMarks, markErr: tt.markErr}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			mailer := &countingMailer{}
			if tt.cancel {
				mailer.during = cancel
			}
			c := courier.New(store, courier.Senders{glassbox.ChannelEmail: courier.Email{Mailer: mailer}}, glassbox.SystemClock{}, time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil)))

			sent, err := c.Deliver(ctx, message())
			if err != nil || !sent {
				t.Fatalf("Deliver = %v, %v; want true, nil (the mail went out)", sent, err)
			}
			if got := mailer.sends.Load(); got != 1 {
				t.Errorf("sent %d times, want 1", got)
			}
			if got := store.marks.Load(); got != tt.wantMarks {
				t.Errorf("MarkMessageSent called %d times, want %d", got, tt.wantMarks)
			}
			m, err := ls.Message(t.Context(), "m1")
			if err != nil {
				t.Fatal(err)
			}
			if m.State != tt.wantState {
				t.Errorf("message state %q, want %q", m.State, tt.wantState)
			}
		})
	}
}

// recordingSender records what it was asked to send on its channel.
type recordingSender struct{ got []glassbox.Message }

func (s *recordingSender) Send(_ context.Context, m glassbox.Message, _ []glassbox.IssuedDocument) (string, error) {
	s.got = append(s.got, m)
	return fmt.Sprintf("tg-%d", len(s.got)), nil
}

// Each message goes out on its own channel, once per channel; a channel the deployment cannot send on is an
// error that leaves the message unclaimed, so a retry after the channel is configured sends it.
func TestDeliverSendsOnTheMessagesChannel(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	mailer, tg := &countingMailer{}, &recordingSender{}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	emailOnly := courier.New(store, courier.Senders{glassbox.ChannelEmail: courier.Email{Mailer: mailer}}, glassbox.SystemClock{}, time.Minute, quiet)
	both := courier.New(store, courier.Senders{glassbox.ChannelEmail: courier.Email{Mailer: mailer}, glassbox.ChannelTelegram: tg},
		glassbox.SystemClock{}, time.Minute, quiet)

	mail := message()
	mail.ID = glassbox.MessageID(mail.EventID, mail.Kind, mail.Audience, glassbox.ChannelEmail)
	chat := message()
	chat.Channel, chat.Chat, chat.HTML = glassbox.ChannelTelegram, "-1001234567890", "Готово."
	chat.ID = glassbox.MessageID(chat.EventID, chat.Kind, chat.Audience, glassbox.ChannelTelegram)
	if chat.ID == mail.ID {
		t.Fatal("an email and its Telegram copy share an id, so one claim would stop the other")
	}

	if _, err := emailOnly.Deliver(ctx, chat); err == nil {
		t.Fatal("a Telegram message was delivered by a courier without a Telegram sender")
	}
	for i := 0; i < 5; i++ {
		for _, m := range []glassbox.Message{mail, chat} {
			if _, err := both.Deliver(ctx, m); err != nil {
				t.Fatalf("deliver %s: %v", m.ChannelOrEmail(), err)
			}
		}
	}
	if got := mailer.sends.Load(); got != 1 {
		t.Errorf("emails sent = %d, want 1", got)
	}
	if len(tg.got) != 1 || tg.got[0].Chat != "-1001234567890" {
		t.Errorf("Telegram sends = %+v, want one to the chat", tg.got)
	}
}
