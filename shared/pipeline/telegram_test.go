package pipeline_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/outbox"
	"github.com/glassbox-oss/glassbox/shared/pipeline"
	"github.com/glassbox-oss/glassbox/shared/providers"
	"github.com/glassbox-oss/glassbox/shared/react"
	"github.com/glassbox-oss/glassbox/shared/telegram"
)

const demoBotToken = "7000000001:demo-bot-token"

// reactingStore processes each new event right after it is stored, as the table's stream does on AWS.
type reactingStore struct {
	*localstore.Store
	proc **react.Processor
	t    *testing.T
}

func (s reactingStore) AppendEvent(ctx context.Context, e glassbox.Event) error {
	if err := s.Store.AppendEvent(ctx, e); err != nil {
		return err
	}
	if _, err := (*s.proc).Process(ctx, e); err != nil {
		s.t.Errorf("process %s: %v", e.ID, err)
	}
	return nil
}

// The demo's Trello "done" delivery, posted five times (Trello retries an answer it did not see) and its event
// processed five more times (the stream redelivers a batch): the client's Telegram group gets one message, and
// the client one email.
func TestFiveRedeliveriesOneTelegramMessage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store, cfg := demoStore(t)
	secrets := mapSecrets{"/glassbox/trello/demo-board": "demo-trello-secret", cfg.Agency.TelegramBotParam: demoBotToken,
		"/glassbox/links/key": "demo-link-key-0123456789abcdef0123456789abcdef"}

	var mu sync.Mutex
	var chats []string
	api := &telegram.StandIn{Token: demoBotToken, Post: func(_ context.Context, chat, text string) error {
		mu.Lock()
		defer mu.Unlock()
		chats = append(chats, chat+": "+text)
		return nil
	}}
	srv := httptest.NewServer(api)
	defer srv.Close()

	outDir := t.TempDir()
	var proc *react.Processor
	sink := reactingStore{store, &proc, t}
	proc = pipeline.New(pipeline.Deps{
		Store: store, Mailer: outbox.New(outDir), Clock: glassbox.SystemClock{}, Secrets: secrets,
		LinkKeyParam: "/glassbox/links/key", PublicBaseURL: "https://demo.glassbox.example",
		TelegramAPI: srv.URL, TelegramHTTP: srv.Client(), ConfigTTL: time.Minute,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}).Processor
	hooks := ingest.NewHandler(sink, secrets, providers.All(), glassbox.SystemClock{}, ingest.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})

	raw, err := os.ReadFile("../../events/ingest-trello-done.json")
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		res, err := hooks.Handle(ctx, req)
		if err != nil || res.StatusCode/100 != 2 {
			t.Fatalf("delivery %d: %d %s %v", i, res.StatusCode, res.Body, err)
		}
	}
	stored, err := store.UnprocessedEvents(ctx, time.Now().Add(time.Hour), 10)
	if err != nil || len(stored) != 0 {
		t.Fatalf("unprocessed events after the deliveries: %v, %v", stored, err)
	}
	evs, err := store.EventsBetween(ctx, "romashka-site", time.Time{}, time.Now().Add(time.Hour))
	if err != nil || len(evs) != 1 {
		t.Fatalf("events = %v, %v; want 1", evs, err)
	}
	for i := 0; i < 5; i++ {
		if _, err := proc.Process(ctx, evs[0]); err != nil {
			t.Fatalf("redelivery %d: %v", i, err)
		}
	}

	if len(chats) != 1 || !strings.HasPrefix(chats[0], "-1001234567890: ") || !strings.Contains(chats[0], "Макет главной страницы") {
		t.Fatalf("Telegram messages = %q, want one to the client group", chats)
	}
	mail, err := outbox.List(outDir)
	if err != nil || len(mail) != 1 {
		t.Fatalf("emails = %d, %v; want 1", len(mail), err)
	}
	id := glassbox.MessageID(evs[0].ID, glassbox.MessageTaskDone, glassbox.AudienceClient, glassbox.ChannelTelegram)
	m, err := store.Message(ctx, id)
	if err != nil || m.State != glassbox.MessageSent || m.ProviderID != "-1001234567890:1" {
		t.Errorf("Telegram message = %+v, %v; want sent as -1001234567890:1", m, err)
	}
}

// Telegram answers 429 with a wait longer than the call may take: the notice is not lost and not sent twice.
// The event stays pending (the email went out, the Telegram copy's claim was released), and the next attempt
// sends only the copy.
func TestTelegramRateLimitLeavesTheEventPending(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store, cfg := demoStore(t)
	secrets := mapSecrets{cfg.Agency.TelegramBotParam: demoBotToken, "/glassbox/links/key": "demo-link-key-0123456789abcdef0123456789abcdef"}
	var mu sync.Mutex
	limited, posted := true, 0
	api := &telegram.StandIn{Token: demoBotToken, Post: func(context.Context, string, string) error {
		mu.Lock()
		defer mu.Unlock()
		posted++
		return nil
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		l := limited
		mu.Unlock()
		if l {
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 600","parameters":{"retry_after":600}}`)
			return
		}
		api.ServeHTTP(w, r)
	}))
	defer srv.Close()
	outDir := t.TempDir()
	proc := pipeline.New(pipeline.Deps{
		Store: store, Mailer: outbox.New(outDir), Secrets: secrets, LinkKeyParam: "/glassbox/links/key",
		PublicBaseURL: "https://demo.glassbox.example", TelegramAPI: srv.URL, TelegramHTTP: srv.Client(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}).Processor
	e := glassbox.Event{ID: "trello:rate-limited", Provider: "trello", BindingID: "demo-board", ProjectID: "romashka-site",
		Kind: glassbox.EventTaskMoved, TaskID: "card-1", Title: "Макет", Status: glassbox.StatusDone,
		PrevStatus: glassbox.StatusInProgress, OccurredAt: time.Now().UTC(), ReceivedAt: time.Now().UTC()}
	if err := store.AppendEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	deadline, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := proc.Process(deadline, e); err == nil || !strings.Contains(err.Error(), "rate limited") {
		t.Fatalf("Process under a 429 = %v, want a rate-limit error (retry later)", err)
	}
	if pending, _ := store.UnprocessedEvents(ctx, time.Now().Add(time.Hour), 10); len(pending) != 1 {
		t.Fatalf("%d events pending after the 429, want 1", len(pending))
	}
	mu.Lock()
	limited = false
	mu.Unlock()
	out, err := proc.Process(ctx, e)
	if err != nil || out.Sent != 1 {
		t.Fatalf("retry = %+v, %v; want the Telegram copy alone sent", out, err)
	}
	mail, _ := outbox.List(outDir)
	if len(mail) != 1 || posted != 1 {
		t.Errorf("%d emails and %d Telegram messages, want 1 and 1", len(mail), posted)
	}
}
