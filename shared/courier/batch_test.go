package courier_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
)

// countingStore counts the claims and marks the courier asks for, one by one and together, and may fail the
// marks together (throttled).
type countingStore struct {
	*localstore.Store
	calls         map[string]int
	failMarkBatch bool
}

func (s *countingStore) ClaimMessage(ctx context.Context, m glassbox.Message, lease time.Duration) error {
	s.calls["ClaimMessage"]++
	return s.Store.ClaimMessage(ctx, m, lease)
}

func (s *countingStore) ClaimMessages(ctx context.Context, ms []glassbox.Message, lease time.Duration) error {
	s.calls["ClaimMessages"]++
	return s.Store.ClaimMessages(ctx, ms, lease)
}

func (s *countingStore) MarkMessageSent(ctx context.Context, id, token string, sentAt time.Time, providerID string) error {
	s.calls["MarkMessageSent"]++
	return s.Store.MarkMessageSent(ctx, id, token, sentAt, providerID)
}

func (s *countingStore) MarkMessagesSent(ctx context.Context, marks []glassbox.SentMark) error {
	s.calls["MarkMessagesSent"]++
	if s.failMarkBatch {
		return errors.New("ProvisionedThroughputExceededException: injected")
	}
	return s.Store.MarkMessagesSent(ctx, marks)
}

func (s *countingStore) ReleaseMessage(ctx context.Context, id, token string) error {
	s.calls["ReleaseMessage"]++
	return s.Store.ReleaseMessage(ctx, id, token)
}

// oneByOneStore is a store without MessageBatchStore.
type oneByOneStore struct{ courier.Store }

// emailAndChat are the two notices of one event: the email and its Telegram copy.
func emailAndChat() []glassbox.Message {
	mail := message()
	mail.ID = glassbox.MessageID(mail.EventID, mail.Kind, mail.Audience, glassbox.ChannelEmail)
	chat := chatNotice(mail.EventID, "-100123")
	return []glassbox.Message{mail, chat}
}

// The messages of one event are claimed in one request and marked in one when they are plain; anything
// unusual (one sent before, a suppressed recipient, a store without batches, a failed batch) goes message by
// message, and every message is still sent exactly once.
func TestDeliverAll(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name string
		// before runs on the store first.
		before        func(t *testing.T, s *localstore.Store, msgs []glassbox.Message)
		oneByOne      bool
		failMarkBatch bool
		chatAnswer    error
		wantSent      int
		wantErr       bool
		wantCalls     map[string]int
		// wantStates are the messages' states afterwards ("" for none stored).
		wantStates []glassbox.MessageState
		wantTG     int
	}{
		{
			name:     "fresh: one claim, one mark",
			wantSent: 2, wantTG: 1,
			wantCalls:  map[string]int{"ClaimMessages": 1, "MarkMessagesSent": 1},
			wantStates: []glassbox.MessageState{glassbox.MessageSent, glassbox.MessageSent},
		},
		{
			name: "one sent before: the batch fails, one by one, the sent one is not sent again",
			before: func(t *testing.T, s *localstore.Store, msgs []glassbox.Message) {
				m := msgs[1]
				m.State, m.ClaimToken, m.ClaimedAt = glassbox.MessageClaimed, "earlier", time.Now().UTC()
				if err := s.ClaimMessage(t.Context(), m, time.Minute); err != nil {
					t.Fatal(err)
				}
				if err := s.MarkMessageSent(t.Context(), m.ID, "earlier", time.Now(), "tg-0"); err != nil {
					t.Fatal(err)
				}
			},
			wantSent: 1, wantTG: 0,
			wantCalls:  map[string]int{"ClaimMessages": 1, "ClaimMessage": 2, "MarkMessageSent": 1},
			wantStates: []glassbox.MessageState{glassbox.MessageSent, glassbox.MessageSent},
		},
		{
			name: "claimed by another attempt: the batch fails, the held one waits, the other goes",
			before: func(t *testing.T, s *localstore.Store, msgs []glassbox.Message) {
				m := msgs[1]
				m.State, m.ClaimToken, m.ClaimedAt = glassbox.MessageClaimed, "other", time.Now().UTC()
				if err := s.ClaimMessage(t.Context(), m, time.Minute); err != nil {
					t.Fatal(err)
				}
			},
			wantSent: 1, wantErr: true, wantTG: 0,
			wantCalls:  map[string]int{"ClaimMessages": 1, "ClaimMessage": 2, "MarkMessageSent": 1},
			wantStates: []glassbox.MessageState{glassbox.MessageSent, glassbox.MessageClaimed},
		},
		{
			name: "a suppressed recipient: one by one",
			before: func(t *testing.T, s *localstore.Store, _ []glassbox.Message) {
				if err := s.Suppress(t.Context(), glassbox.Suppression{Recipient: "anna@client.example", Channel: glassbox.ChannelEmail,
					Cause: glassbox.CauseBlocked, At: time.Now().UTC()}); err != nil {
					t.Fatal(err)
				}
			},
			wantSent: 1, wantTG: 1,
			wantCalls:  map[string]int{"ClaimMessage": 2, "MarkMessageSent": 1},
			wantStates: []glassbox.MessageState{glassbox.MessageFailed, glassbox.MessageSent},
		},
		{
			name:     "a store without batches: one by one",
			oneByOne: true, wantSent: 2, wantTG: 1,
			wantCalls:  map[string]int{"ClaimMessage": 2, "MarkMessageSent": 2},
			wantStates: []glassbox.MessageState{glassbox.MessageSent, glassbox.MessageSent},
		},
		{
			name:          "the mark together fails: marked one by one",
			failMarkBatch: true, wantSent: 2, wantTG: 1,
			wantCalls:  map[string]int{"ClaimMessages": 1, "MarkMessagesSent": 1, "MarkMessageSent": 2},
			wantStates: []glassbox.MessageState{glassbox.MessageSent, glassbox.MessageSent},
		},
		{
			name:       "the second send fails: the first is marked, the second released",
			chatAnswer: errors.New("telegram: 502"), wantSent: 1, wantErr: true,
			wantCalls:  map[string]int{"ClaimMessages": 1, "MarkMessageSent": 1, "ReleaseMessage": 1},
			wantStates: []glassbox.MessageState{glassbox.MessageSent, ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ls, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ls.Close() })
			msgs := emailAndChat()
			if tt.before != nil {
				tt.before(t, ls, msgs)
			}
			counting := &countingStore{Store: ls, calls: map[string]int{}, failMarkBatch: tt.failMarkBatch}
			var store courier.Store = counting
			if tt.oneByOne {
				store = oneByOneStore{counting}
			}
			mailer := &countingMailer{}
			tg := &chatSender{answers: map[string]error{"-100123": tt.chatAnswer}}
			c := courier.New(store, courier.Senders{glassbox.ChannelEmail: courier.Email{Mailer: mailer}, glassbox.ChannelTelegram: tg},
				glassbox.SystemClock{}, time.Minute, quiet)

			sent, err := c.DeliverAll(t.Context(), msgs)
			if (err != nil) != tt.wantErr {
				t.Fatalf("DeliverAll: err = %v, want error %v", err, tt.wantErr)
			}
			if sent != tt.wantSent {
				t.Errorf("DeliverAll sent %d, want %d", sent, tt.wantSent)
			}
			if diff := cmp.Diff(tt.wantCalls, counting.calls); diff != "" {
				t.Errorf("store calls (-want +got):\n%s", diff)
			}
			if got := len(tg.sent); got != tt.wantTG {
				t.Errorf("Telegram sends = %d, want %d", got, tt.wantTG)
			}
			for i, m := range msgs {
				got, err := ls.Message(t.Context(), m.ID)
				if errors.Is(err, glassbox.ErrNotFound) {
					got.State = ""
				} else if err != nil {
					t.Fatal(err)
				}
				if got.State != tt.wantStates[i] {
					t.Errorf("%s: state %q, want %q", m.ChannelOrEmail(), got.State, tt.wantStates[i])
				}
			}

			// Delivered again (the stream's redelivery, after the lease): nothing sent twice.
			mails, tgs := mailer.sends.Load(), len(tg.sent)
			later := courier.New(store, courier.Senders{glassbox.ChannelEmail: courier.Email{Mailer: mailer}, glassbox.ChannelTelegram: tg},
				glassbox.SystemClock{}, time.Minute, quiet)
			_, _ = later.DeliverAll(t.Context(), msgs)
			if mailer.sends.Load() > 1 || mails == 1 && mailer.sends.Load() != mails {
				t.Errorf("emails sent %d after a redelivery, want at most 1", mailer.sends.Load())
			}
			if tgs == 1 && len(tg.sent) != 1 {
				t.Errorf("Telegram sends %d after a redelivery, want 1", len(tg.sent))
			}
		})
	}
}

// brokenMailer refuses every email.
type brokenMailer struct{}

func (brokenMailer) Send(context.Context, glassbox.RawEmail) (string, error) {
	return "", errors.New("SES: throttled")
}

// Emails go before Telegram in a batch, whatever order they came in: a message sent but not yet marked is sent
// again after a crash, and only an email has a Message-ID that makes the resend harmless. So when the email
// fails, the Telegram copy has not gone out yet.
func TestDeliverAllSendsTelegramLast(t *testing.T) {
	t.Parallel()
	store, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	tg := &recordingSender{}
	c := courier.New(store, courier.Senders{glassbox.ChannelEmail: courier.Email{Mailer: brokenMailer{}}, glassbox.ChannelTelegram: tg},
		glassbox.SystemClock{}, time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil)))
	msgs := emailAndChat()
	msgs[0], msgs[1] = msgs[1], msgs[0] // the Telegram copy first
	if _, err := c.DeliverAll(t.Context(), msgs); err == nil {
		t.Fatal("a failed email send was not an error")
	}
	if len(tg.got) != 0 {
		t.Errorf("the Telegram copy went out before the email: %+v", tg.got)
	}
}
