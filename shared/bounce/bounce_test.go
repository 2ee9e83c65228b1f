package bounce_test

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/bounce"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/outbox"
)

const sesID = "0107018c1a2b3c4d-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee-000000"

func sample(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type fixture struct {
	store  *localstore.Store
	outDir string
	h      *bounce.Handler
	sent   glassbox.Message
}

// newFixture has the demo-like agency and one client notice sent through SES as sesID.
func newFixture(t *testing.T, locale string) *fixture {
	t.Helper()
	ctx := t.Context()
	store, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg := glassbox.Config{
		Agency: glassbox.Agency{Name: "Студия «Пиксель»", Sender: "Студия «Пиксель» <notify@pixel.example>", Locale: locale},
		Clients: []glassbox.Client{{ID: "romashka", Name: "ООО «Ромашка»",
			Contacts: []glassbox.Person{{Name: "Анна Смирнова", Email: "anna@romashka.example"}}}},
		Projects: []glassbox.Project{{ID: "romashka-site", ClientID: "romashka", Name: "Новый сайт",
			Manager: glassbox.Person{Name: "Мария Иванова", Email: "maria@pixel.example"}}},
	}
	if err := store.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	m := glassbox.Message{ID: "msg-1", ProjectID: "romashka-site", EventID: "trello:a1", Kind: glassbox.MessageTaskDone,
		Audience: glassbox.AudienceClient, Channel: glassbox.ChannelEmail, To: cfg.Clients[0].Contacts,
		Subject: "Готово: «Макет главной страницы» — Новый сайт", ClaimToken: "tok", ClaimedAt: time.Now().UTC()}
	if err := store.ClaimMessage(ctx, m, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkMessageSent(ctx, m.ID, "tok", time.Now().UTC(), sesID); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: store, outDir: t.TempDir(), sent: m}
	f.h = bounce.New(store, outbox.New(f.outDir), glassbox.SystemClock{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return f
}

func (f *fixture) reports(t *testing.T) []outbox.Summary {
	t.Helper()
	mail, err := outbox.List(f.outDir)
	if err != nil {
		t.Fatal(err)
	}
	return mail
}

func TestPermanentBounce(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		locale, subject, text string
	}{
		{glassbox.LocaleRU, "Письмо клиенту не дошло: адрес не существует — Новый сайт", "Мария, это помощник агентства. Письмо клиенту не дошло: адрес не существует."},
		{glassbox.LocaleEN, "An email to the client did not arrive: the address does not exist — Новый сайт", "An email to the client did not arrive: the address does not exist."},
	} {
		t.Run(tt.locale, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			f := newFixture(t, tt.locale)
			// SNS delivers at least once: the same notification twice changes nothing the second time.
			for i := 0; i < 2; i++ {
				res, err := f.h.Handle(ctx, sample(t, "ses-bounce-permanent.json"))
				if err != nil || res.MessageID != "msg-1" {
					t.Fatalf("Handle %d = %+v, %v", i, res, err)
				}
			}
			m, err := f.store.Message(ctx, "msg-1")
			if err != nil {
				t.Fatal(err)
			}
			if m.State != glassbox.MessageBounced || !strings.Contains(m.Failure, "User unknown") {
				t.Errorf("message = %s %q, want bounced with the server's words", m.State, m.Failure)
			}
			notes, err := f.store.DeliveryNotes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if s, ok := notes.Suppressed("anna@romashka.example"); !ok || s.Cause != glassbox.CauseBounced || s.MessageID != "msg-1" {
				t.Errorf("suppressions = %+v, want anna@romashka.example bounced", notes.Suppressions)
			}
			reports := f.reports(t)
			if len(reports) != 1 {
				t.Fatalf("%d reports, want one to the manager", len(reports))
			}
			r := reports[0]
			if strings.Join(r.To, ",") != "Мария Иванова <maria@pixel.example>" || r.Subject != tt.subject ||
				!strings.Contains(r.Text, tt.text) || !strings.Contains(r.Text, "anna@romashka.example") ||
				!strings.Contains(r.Text, "glassbox suppressions clear anna@romashka.example") {
				t.Errorf("report To %v, subject %q:\n%s", r.To, r.Subject, r.Text)
			}
		})
	}
}

// A full mailbox is not a reason to stop writing: SES retried already, and the next message may arrive.
func TestTransientBounceChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, glassbox.LocaleRU)
	if res, err := f.h.Handle(t.Context(), sample(t, "ses-bounce-transient.json")); err != nil || res.Suppressed != 0 {
		t.Fatalf("Handle = %+v, %v", res, err)
	}
	notes, _ := f.store.DeliveryNotes(t.Context())
	m, _ := f.store.Message(t.Context(), "msg-1")
	if len(notes.Suppressions) != 0 || m.State != glassbox.MessageSent || len(f.reports(t)) != 0 {
		t.Errorf("after a transient bounce: suppressions %v, state %s, %d reports", notes.Suppressions, m.State, len(f.reports(t)))
	}
}

// A complaint (the client pressed "spam"), published by the configuration set (eventType), suppresses too.
func TestComplaintFromSNS(t *testing.T) {
	t.Parallel()
	f := newFixture(t, glassbox.LocaleRU)
	e := events.SNSEvent{Records: []events.SNSEventRecord{{SNS: events.SNSEntity{MessageID: "sns-1",
		Message: string(sample(t, "ses-complaint-event.json"))}}}}
	if err := f.h.HandleSNS(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	notes, _ := f.store.DeliveryNotes(t.Context())
	if s, ok := notes.Suppressed("anna@romashka.example"); !ok || s.Cause != glassbox.CauseComplained {
		t.Errorf("suppressions = %+v, want a complaint", notes.Suppressions)
	}
	if r := f.reports(t); len(r) != 1 || !strings.Contains(r[0].Text, "получатель пометил письмо как спам") {
		t.Errorf("reports = %+v", r)
	}
}

// A bounce of mail Glassbox did not send (another sender on the identity) still suppresses the address.
func TestBounceOfUnknownMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, glassbox.LocaleRU)
	data := strings.ReplaceAll(string(sample(t, "ses-bounce-permanent.json")), sesID, "someone-else")
	res, err := f.h.Handle(t.Context(), []byte(data))
	if err != nil || res.Suppressed != 1 || res.MessageID != "" {
		t.Fatalf("Handle = %+v, %v", res, err)
	}
	if len(f.reports(t)) != 0 {
		t.Error("a report for a message that is not ours")
	}
}

// A bounce of a message sent with Glassbox's configuration set that is not found yet (SES reported it before the
// sent mark was written, or gsi2 had not caught up) suppresses the address and fails, so Lambda retries it; the
// retry, once the message is marked sent, marks it bounced and tells the manager. A notification of another
// configuration set stays "not ours": no error.
func TestBounceBeforeSentMarkIsRetried(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newFixture(t, glassbox.LocaleRU)
	f.h.SentWith("glassbox-mail")
	const early = "0107018c1a2b3c4d-early-000000"
	withSet := func(set string) []byte {
		var n map[string]any
		if err := json.Unmarshal(sample(t, "ses-bounce-permanent.json"), &n); err != nil {
			t.Fatal(err)
		}
		mail := n["mail"].(map[string]any)
		mail["messageId"] = early
		mail["tags"] = map[string][]string{"ses:configuration-set": {set}}
		data, _ := json.Marshal(n)
		return data
	}

	if res, err := f.h.Handle(ctx, withSet("someone-elses-set")); err != nil || res.Suppressed != 1 {
		t.Fatalf("another configuration set: Handle = %+v, %v; want suppressed, no error", res, err)
	}

	m := glassbox.Message{ID: "msg-2", ProjectID: "romashka-site", EventID: "trello:a2", Kind: glassbox.MessageTaskDone,
		Audience: glassbox.AudienceClient, Channel: glassbox.ChannelEmail, To: f.sent.To,
		Subject: "Готово: «Логотип» — Новый сайт", ClaimToken: "tok2", ClaimedAt: time.Now().UTC()}
	if err := f.store.ClaimMessage(ctx, m, time.Minute); err != nil {
		t.Fatal(err)
	}
	res, err := f.h.Handle(ctx, withSet("glassbox-mail"))
	if !errors.Is(err, glassbox.ErrNotFound) || res.MessageID != "" {
		t.Fatalf("before the sent mark: Handle = %+v, %v; want a not-found error to retry", res, err)
	}
	e := events.SNSEvent{Records: []events.SNSEventRecord{{SNS: events.SNSEntity{MessageID: "sns-2", Message: string(withSet("glassbox-mail"))}}}}
	if err := f.h.HandleSNS(ctx, e); err == nil {
		t.Fatal("HandleSNS = nil before the sent mark; Lambda would not retry")
	}
	if notes, _ := f.store.DeliveryNotes(ctx); len(notes.Suppressions) != 1 {
		t.Errorf("suppressions = %+v, want the address suppressed already", notes.Suppressions)
	}
	if len(f.reports(t)) != 0 {
		t.Fatal("a report before the message is known")
	}

	if err := f.store.MarkMessageSent(ctx, m.ID, "tok2", time.Now().UTC(), early); err != nil {
		t.Fatal(err)
	}
	if err := f.h.HandleSNS(ctx, e); err != nil {
		t.Fatalf("the retry: %v", err)
	}
	if got, _ := f.store.Message(ctx, m.ID); got.State != glassbox.MessageBounced {
		t.Errorf("message = %s, want bounced", got.State)
	}
	if r := f.reports(t); len(r) != 1 || !strings.Contains(r[0].Text, "anna@romashka.example") {
		t.Errorf("reports = %+v, want one to the manager", r)
	}
}

// events/bounce-sns-*.json are the SNS deliveries BounceFunction gets (sam local invoke -e): the permanent
// bounce suppresses and reports, the transient one does nothing.
func TestSampleSNSEvents(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]int{"bounce-sns-permanent.json": 1, "bounce-sns-transient.json": 0} {
		f := newFixture(t, glassbox.LocaleRU)
		data, err := os.ReadFile(filepath.Join("..", "..", "events", name))
		if err != nil {
			t.Fatal(err)
		}
		var e events.SNSEvent
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatal(err)
		}
		if err := f.h.HandleSNS(t.Context(), e); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		notes, _ := f.store.DeliveryNotes(t.Context())
		if len(notes.Suppressions) != want || len(f.reports(t)) != want {
			t.Errorf("%s: %d suppressions, %d reports; want %d", name, len(notes.Suppressions), len(f.reports(t)), want)
		}
	}
}
