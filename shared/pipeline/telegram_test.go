package pipeline_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
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
	store, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	yaml, err := os.ReadFile("../../cmd/glassbox/demo/agency.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := agencyfile.Parse(yaml, providers.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
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
