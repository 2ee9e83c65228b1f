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
