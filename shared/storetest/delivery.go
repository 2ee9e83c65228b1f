package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// deliveryTests are the DeliveryStore part of the contract.
var deliveryTests = []struct {
	name string
	fn   func(t *testing.T, s glassbox.Store)
}{
	{"FailMessage", testFailMessage},
	{"MarkMessageBounced", testMarkMessageBounced},
	{"MessageByProviderID", testMessageByProviderID},
	{"Suppressions", testSuppressions},
	{"ChatMoves", testChatMoves},
	{"ClaimMessagesTogether", testClaimMessagesTogether},
	{"ClaimMessagesOneSent", testClaimMessagesOneSent},
	{"MarkMessagesSentTogether", testMarkMessagesSentTogether},
}

// batchStore is the store's glassbox.MessageBatchStore; a store without it skips these cases (the courier then
// claims and marks one message at a time).
func batchStore(t *testing.T, s glassbox.Store) glassbox.MessageBatchStore {
	t.Helper()
	b, ok := s.(glassbox.MessageBatchStore)
	if !ok {
		t.Skip("the store claims and marks one message at a time")
	}
	return b
}

// Fresh messages are claimed together, each exactly as ClaimMessage claims it; a second claim together, or
// one by one, finds them held.
func testClaimMessagesTogether(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	b := batchStore(t, s)
	email, chat := message("m1", "site", "tok-a", t0), message("m2", "site", "tok-b", t0)
	chat.Channel, chat.To, chat.Chat = glassbox.ChannelTelegram, nil, "-100123"
	if err := b.ClaimMessages(ctx, []glassbox.Message{email, chat}, lease); err != nil {
		t.Fatalf("ClaimMessages of fresh messages: %v", err)
	}
	for _, want := range []glassbox.Message{email, chat} {
		got, err := s.Message(ctx, want.ID)
		if err != nil {
			t.Fatalf("Message(%s): %v", want.ID, err)
		}
		if diff := cmp.Diff(want, got, opts); diff != "" {
			t.Errorf("claimed %s mismatch (-want +got):\n%s", want.ID, diff)
		}
	}
	again := []glassbox.Message{message("m1", "site", "tok-c", t0.Add(time.Second)), message("m2", "site", "tok-d", t0.Add(time.Second))}
	if err := b.ClaimMessages(ctx, again, lease); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("ClaimMessages of claimed messages: err = %v, want ErrConflict", err)
	}
	if err := s.ClaimMessage(ctx, again[0], lease); !errors.Is(err, glassbox.ErrClaimHeld) {
		t.Errorf("ClaimMessage after ClaimMessages: err = %v, want ErrClaimHeld", err)
	}
	// After the lease the claims are taken over together, as one by one.
	late := []glassbox.Message{message("m1", "site", "tok-e", t0.Add(2*lease)), message("m2", "site", "tok-f", t0.Add(2*lease))}
	if err := b.ClaimMessages(ctx, late, lease); err != nil {
		t.Fatalf("ClaimMessages after the lease: %v", err)
	}
	if err := s.MarkMessageSent(ctx, "m2", "tok-f", t0.Add(2*lease), "tg-1"); err != nil {
		t.Errorf("MarkMessageSent with the token of the claim together: %v", err)
	}
}

// When one message of a batch was sent before, the batch claims nothing: the caller claims them one by one,
// and the sent one is not claimed (and sent) twice.
func testClaimMessagesOneSent(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	b := batchStore(t, s)
	mustClaim(t, s, message("m1", "site", "tok-a", t0))
	if err := s.MarkMessageSent(ctx, "m1", "tok-a", t0, "ses-1"); err != nil {
		t.Fatalf("MarkMessageSent: %v", err)
	}
	retry := []glassbox.Message{message("m1", "site", "tok-b", t0.Add(time.Minute)), message("m2", "site", "tok-c", t0.Add(time.Minute))}
	if err := b.ClaimMessages(ctx, retry, lease); !errors.Is(err, glassbox.ErrConflict) {
		t.Fatalf("ClaimMessages with a sent message: err = %v, want ErrConflict", err)
	}
	if _, err := s.Message(ctx, "m2"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("the fresh message of a failed batch: err = %v, want ErrNotFound (nothing claimed)", err)
	}
	got, err := s.Message(ctx, "m1")
	if err != nil {
		t.Fatalf("Message: %v", err)
	}
	if got.State != glassbox.MessageSent || got.ClaimToken != "tok-a" {
		t.Errorf("the sent message after a failed batch = %s by %s, want sent by tok-a", got.State, got.ClaimToken)
	}
	// The caller's way, one by one: the sent one is done, the fresh one is claimed.
	if err := s.ClaimMessage(ctx, retry[0], lease); !errors.Is(err, glassbox.ErrAlreadySent) {
		t.Errorf("ClaimMessage of the sent message: err = %v, want ErrAlreadySent", err)
	}
	if err := s.ClaimMessage(ctx, retry[1], lease); err != nil {
		t.Errorf("ClaimMessage of the fresh message: %v", err)
	}
}

// Claimed messages are marked sent together, each as MarkMessageSent marks it (a held one leaves the waiting
// messages); a token that lost its claim marks none.
func testMarkMessagesSentTogether(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	b := batchStore(t, s)
	held := message("m2", "site", "", t0)
	held.Hold = &glassbox.Hold{Until: t0.Add(time.Hour)}
	if err := s.HoldMessage(ctx, held); err != nil {
		t.Fatalf("HoldMessage: %v", err)
	}
	mustClaim(t, s, message("m1", "site", "tok-a", t0))
	held.ClaimToken, held.ClaimedAt = "tok-b", t0.Add(2*time.Hour)
	mustClaim(t, s, held)
	mustClaim(t, s, message("m3", "site", "tok-c", t0))

	sentAt := t0.Add(3 * time.Hour)
	wrong := []glassbox.SentMark{{ID: "m1", Token: "tok-a", SentAt: sentAt, ProviderID: "ses-1"}, {ID: "m3", Token: "tok-x", SentAt: sentAt}}
	if err := b.MarkMessagesSent(ctx, wrong); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("MarkMessagesSent with a lost claim: err = %v, want ErrConflict", err)
	}
	if got, err := s.Message(ctx, "m1"); err != nil || got.State != glassbox.MessageClaimed {
		t.Errorf("m1 after a failed MarkMessagesSent = %s, %v; want still claimed", got.State, err)
	}

	marks := []glassbox.SentMark{{ID: "m1", Token: "tok-a", SentAt: sentAt, ProviderID: "ses-1"}, {ID: "m2", Token: "tok-b", SentAt: sentAt, ProviderID: "tg-2"}}
	if err := b.MarkMessagesSent(ctx, marks); err != nil {
		t.Fatalf("MarkMessagesSent: %v", err)
	}
	for _, mk := range marks {
		got, err := s.Message(ctx, mk.ID)
		if err != nil {
			t.Fatalf("Message(%s): %v", mk.ID, err)
		}
		if got.State != glassbox.MessageSent || !got.SentAt.Equal(sentAt) || got.ProviderID != mk.ProviderID {
			t.Errorf("%s = %s at %v by %q, want sent at %v by %q", mk.ID, got.State, got.SentAt, got.ProviderID, sentAt, mk.ProviderID)
		}
		if byProvider, err := s.MessageByProviderID(ctx, mk.ProviderID); err != nil || byProvider.ID != mk.ID {
			t.Errorf("MessageByProviderID(%s) = %s, %v; want %s", mk.ProviderID, byProvider.ID, err, mk.ID)
		}
	}
	waiting, err := s.HeldMessages(ctx, t0.Add(24*time.Hour), 10)
	if err != nil {
		t.Fatalf("HeldMessages: %v", err)
	}
	if len(waiting) != 0 {
		t.Errorf("HeldMessages after the held one was marked sent = %d messages, want none", len(waiting))
	}
	if err := s.ClaimMessage(ctx, message("m1", "site", "tok-d", t0.Add(10*lease)), lease); !errors.Is(err, glassbox.ErrAlreadySent) {
		t.Errorf("ClaimMessage of a message marked sent together: err = %v, want ErrAlreadySent", err)
	}
}

func testFailMessage(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	mustClaim(t, s, message("m1", "site", "tok-a", t0))
	if err := s.FailMessage(ctx, "m1", "tok-b", t0, "no"); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("FailMessage with another token: err = %v, want ErrConflict", err)
	}
	if err := s.FailMessage(ctx, "m1", "tok-a", t0.Add(time.Second), "bot removed from the chat"); err != nil {
		t.Fatalf("FailMessage: %v", err)
	}
	got, err := s.Message(ctx, "m1")
	if err != nil {
		t.Fatalf("Message: %v", err)
	}
	if got.State != glassbox.MessageFailed || got.Failure != "bot removed from the chat" || !got.FailedAt.Equal(t0.Add(time.Second)) {
		t.Errorf("failed message = state %s, failure %q, at %v", got.State, got.Failure, got.FailedAt)
	}
	// A failed message is final: never claimed (and sent) again, even after the lease.
	if err := s.ClaimMessage(ctx, message("m1", "site", "tok-c", t0.Add(10*lease)), lease); !errors.Is(err, glassbox.ErrAlreadySent) {
		t.Errorf("ClaimMessage of a failed message: err = %v, want ErrAlreadySent", err)
	}
}

func testMarkMessageBounced(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	if err := s.MarkMessageBounced(ctx, "nope", t0, "x"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("MarkMessageBounced of a missing message: err = %v, want ErrNotFound", err)
	}
	mustClaim(t, s, message("m1", "site", "tok-a", t0))
	if err := s.MarkMessageSent(ctx, "m1", "tok-a", t0, "ses-1"); err != nil {
		t.Fatalf("MarkMessageSent: %v", err)
	}
	if err := s.MarkMessageBounced(ctx, "m1", t0.Add(time.Hour), "address does not exist"); err != nil {
		t.Fatalf("MarkMessageBounced: %v", err)
	}
	if err := s.MarkMessageBounced(ctx, "m1", t0.Add(2*time.Hour), "again"); err != nil {
		t.Fatalf("MarkMessageBounced again: %v", err)
	}
	got, err := s.Message(ctx, "m1")
	if err != nil {
		t.Fatalf("Message: %v", err)
	}
	if got.State != glassbox.MessageBounced || got.Failure != "address does not exist" || !got.FailedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("bounced message = state %s, failure %q, at %v; want the first bounce kept", got.State, got.Failure, got.FailedAt)
	}
	if err := s.ClaimMessage(ctx, message("m1", "site", "tok-c", t0.Add(10*lease)), lease); !errors.Is(err, glassbox.ErrAlreadySent) {
		t.Errorf("ClaimMessage of a bounced message: err = %v, want ErrAlreadySent", err)
	}
}

func testMessageByProviderID(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	for i, id := range []string{"m1", "m2"} {
		mustClaim(t, s, message(id, "site", "tok", t0.Add(time.Duration(i)*time.Second)))
		if err := s.MarkMessageSent(ctx, id, "tok", t0, "ses-"+id); err != nil {
			t.Fatalf("MarkMessageSent: %v", err)
		}
	}
	got, err := s.MessageByProviderID(ctx, "ses-m2")
	if err != nil {
		t.Fatalf("MessageByProviderID: %v", err)
	}
	if got.ID != "m2" {
		t.Errorf("MessageByProviderID(ses-m2) = %s, want m2", got.ID)
	}
	if _, err := s.MessageByProviderID(ctx, "ses-none"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("MessageByProviderID of an unknown id: err = %v, want ErrNotFound", err)
	}
}

func testSuppressions(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	notes, err := s.DeliveryNotes(ctx)
	if err != nil || len(notes.Suppressions)+len(notes.Moves) != 0 {
		t.Fatalf("DeliveryNotes of an empty store = %+v, %v", notes, err)
	}
	first := glassbox.Suppression{Recipient: "Ann@Acme.example", Channel: glassbox.ChannelEmail, Cause: glassbox.CauseBounced,
		Detail: "550 5.1.1 user unknown", MessageID: "m1", ProjectID: "site", At: t0}
	if err := s.Suppress(ctx, first); err != nil {
		t.Fatalf("Suppress: %v", err)
	}
	chat := glassbox.Suppression{Recipient: "-100123", Channel: glassbox.ChannelTelegram, Cause: glassbox.CauseBlocked, At: t0}
	if err := s.Suppress(ctx, chat); err != nil {
		t.Fatalf("Suppress chat: %v", err)
	}
	again := first
	again.Cause, again.Recipient = glassbox.CauseComplained, "ann@acme.example"
	if err := s.Suppress(ctx, again); !errors.Is(err, glassbox.ErrDuplicate) {
		t.Errorf("Suppress twice: err = %v, want ErrDuplicate", err)
	}
	notes, err = s.DeliveryNotes(ctx)
	if err != nil {
		t.Fatalf("DeliveryNotes: %v", err)
	}
	got, ok := notes.Suppressed("ANN@acme.example")
	want := first
	want.Recipient = "ann@acme.example"
	if !ok {
		t.Fatalf("ann@acme.example not suppressed: %+v", notes)
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("suppression (-want +got):\n%s", diff)
	}
	if _, ok := notes.Suppressed("-100123"); !ok {
		t.Errorf("chat -100123 not suppressed: %+v", notes)
	}
	if err := s.ClearSuppression(ctx, "ann@ACME.example"); err != nil {
		t.Fatalf("ClearSuppression: %v", err)
	}
	if err := s.ClearSuppression(ctx, "ann@acme.example"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("ClearSuppression twice: err = %v, want ErrNotFound", err)
	}
	notes, err = s.DeliveryNotes(ctx)
	if err != nil {
		t.Fatalf("DeliveryNotes: %v", err)
	}
	if _, ok := notes.Suppressed("ann@acme.example"); ok || len(notes.Suppressions) != 1 {
		t.Errorf("after clearing ann: %+v, want only the chat", notes.Suppressions)
	}
}

func testChatMoves(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	mv := glassbox.ChatMove{From: "-4001", To: "-1004001", ProjectID: "site", At: t0}
	if err := s.MoveChat(ctx, mv); err != nil {
		t.Fatalf("MoveChat: %v", err)
	}
	if err := s.MoveChat(ctx, glassbox.ChatMove{From: "-4001", To: "-1009999", At: t0}); !errors.Is(err, glassbox.ErrDuplicate) {
		t.Errorf("MoveChat twice: err = %v, want ErrDuplicate", err)
	}
	notes, err := s.DeliveryNotes(ctx)
	if err != nil {
		t.Fatalf("DeliveryNotes: %v", err)
	}
	if diff := cmp.Diff([]glassbox.ChatMove{mv}, notes.Moves, opts); diff != "" {
		t.Errorf("moves (-want +got):\n%s", diff)
	}
	if got := notes.Chat("-4001"); got != "-1004001" {
		t.Errorf("Chat(-4001) = %s, want -1004001", got)
	}
}
