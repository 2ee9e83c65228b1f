package react_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/react"
)

// TestSweepTellsTheManagerOfFeedbackTheLinkDidNot: the link handler records a client's feedback, then tells the
// manager; when it stopped in between (or the mail failed), the client was thanked and the manager never told.
// The sweep sends those notices once, after the grace period; not a rating of 4 or 5 (only recorded), nor a
// notice that went out already.
func TestSweepTellsTheManagerOfFeedbackTheLinkDidNot(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	proc := react.NewProcessor(f.store, email(f.mail), f.clock, react.Options{ClaimLease: time.Minute, Logger: f.logger, Feedback: f.store})
	grace := 5 * time.Minute
	now := f.clock.Now()
	for _, fb := range []glassbox.Feedback{
		{Kind: glassbox.FeedbackChangesRequested, Provider: "trello", TaskID: "card-a", Title: "Landing page", MessageID: "m1", Comment: "The logo is wrong"},
		{Kind: glassbox.FeedbackRating, Score: 2, MessageID: "digest-1"},
		{Kind: glassbox.FeedbackRating, Score: 5, MessageID: "digest-2"},
	} {
		fb.ProjectID, fb.At = "site", now
		fb.ID = glassbox.FeedbackID(fb.Kind, fb.ProjectID, fb.Provider, fb.TaskID, fb.MessageID, fb.Score)
		if err := f.store.RecordFeedback(ctx, fb); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := proc.Sweep(ctx, grace, 100); err != nil || res.FeedbackNotices != 0 || f.mail.count() != 0 {
		t.Fatalf("sweep within the grace period = %+v, %v, %d sent; want nothing: the link is telling the manager", res, err, f.mail.count())
	}
	f.clock.Advance(grace + time.Second)
	res, err := proc.Sweep(ctx, grace, 100)
	if err != nil || res.FeedbackNotices != 2 || f.mail.count() != 2 {
		t.Fatalf("sweep after the grace period = %+v, %v, %d sent; want the changes and the rating of 2 told", res, err, f.mail.count())
	}
	for _, m := range f.mail.sent {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if msg.Header.Get("To") != "Mary Major <mary@studio.example>" || !strings.HasPrefix(subject, "Urgent") {
			t.Errorf("notice to %q, %q; want the manager's urgent one", msg.Header.Get("To"), subject)
		}
	}
	f.clock.Advance(time.Hour)
	if res, err := proc.Sweep(ctx, grace, 100); err != nil || res.FeedbackNotices != 0 || f.mail.count() != 2 {
		t.Fatalf("next sweep = %+v, %v, %d sent; want nothing sent again", res, err, f.mail.count())
	}
}

// TestSweepTellsTheManagerOfAnUnsubscriptionTheLinkDidNot: the same for a report's unsubscribe link, which
// records the unsubscription and then tells the manager.
func TestSweepTellsTheManagerOfAnUnsubscriptionTheLinkDidNot(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	proc := react.NewProcessor(f.store, email(f.mail), f.clock, react.Options{ClaimLease: time.Minute, Logger: f.logger, Feedback: f.store})
	grace := 5 * time.Minute
	old := glassbox.Unsubscription{ProjectID: "site", Recipient: "old@acme.example", At: f.clock.Now().Add(-48 * time.Hour), MessageID: "digest-0"}
	fresh := glassbox.Unsubscription{ProjectID: "site", Recipient: "ann@acme.example", At: f.clock.Now(), MessageID: "digest-1"}
	for _, u := range []glassbox.Unsubscription{old, fresh} {
		if err := f.store.Unsubscribe(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := proc.Sweep(ctx, grace, 100); err != nil || res.UnsubscribeNotices != 0 || f.mail.count() != 0 {
		t.Fatalf("sweep within the grace period = %+v, %v, %d sent; want nothing: the link is telling the manager", res, err, f.mail.count())
	}
	f.clock.Advance(grace + time.Second)
	res, err := proc.Sweep(ctx, grace, 100)
	if err != nil || res.UnsubscribeNotices != 1 || f.mail.count() != 1 {
		t.Fatalf("sweep after the grace period = %+v, %v, %d sent; want the fresh unsubscription told (the two-day-old one is past the window)", res, err, f.mail.count())
	}
	msg, err := mail.ReadMessage(bytes.NewReader(f.mail.sent[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := io.ReadAll(msg.Body); msg.Header.Get("To") != "Mary Major <mary@studio.example>" || !bytes.Contains(body, []byte("ann@acme.example")) {
		t.Errorf("notice to %q: want the manager, naming ann@acme.example", msg.Header.Get("To"))
	}
	f.clock.Advance(time.Hour)
	if res, err := proc.Sweep(ctx, grace, 100); err != nil || res.UnsubscribeNotices != 0 || f.mail.count() != 1 {
		t.Fatalf("next sweep = %+v, %v, %d sent; want nothing sent again", res, err, f.mail.count())
	}
}
