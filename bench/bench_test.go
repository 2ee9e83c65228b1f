package bench_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/pdf"
	"github.com/glassbox-oss/glassbox/shared/providers"
	"github.com/glassbox-oss/glassbox/shared/react"
	"github.com/glassbox-oss/glassbox/shared/trello"
)

const callback = "https://demo.glassbox.example/hooks/trello/demo-board"

type secret struct{}

func (secret) Secret(context.Context, string) (string, error)   { return "demo-trello-secret", nil }
func (secret) KeepSecret(context.Context, string, string) error { return nil }

type discard struct{}

func (discard) Send(context.Context, glassbox.RawEmail) (string, error) { return "id", nil }

// table creates a fresh table on DynamoDB Local with the demo agency applied, and a store whose requests are
// counted.
func table(b *testing.B, edits ...func(*glassbox.Config)) (*dynamo.Store, *dynamo.RequestCounter) {
	b.Helper()
	endpoint := os.Getenv("DYNAMODB_ENDPOINT")
	if endpoint == "" {
		b.Fatal("DYNAMODB_ENDPOINT is not set: run `make bench`")
	}
	ctx := context.Background()
	counter := &dynamo.RequestCounter{}
	client := dynamo.NewLocalClient(endpoint, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, counter.Register) })
	name := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, client, name); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _, _ = client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &name}) })
	cfg, err := agencyfile.Load("../cmd/glassbox/demo/agency.yaml", providers.Catalog())
	if err != nil {
		b.Fatal(err)
	}
	for _, edit := range edits {
		edit(&cfg)
	}
	store := dynamo.New(client, name)
	if err := store.PutConfig(ctx, cfg); err != nil {
		b.Fatal(err)
	}
	counter.Reset()
	return store, counter
}

// deliveries returns n distinct signed "moved to Done" deliveries (distinct action ids, distinct cards).
func deliveries(b *testing.B, n int) []events.APIGatewayV2HTTPRequest {
	b.Helper()
	body, err := os.ReadFile("../shared/trello/testdata/trello-card-moved.json")
	if err != nil {
		b.Fatal(err)
	}
	out := make([]events.APIGatewayV2HTTPRequest, n)
	for i := range out {
		s := strings.ReplaceAll(string(body), "6650f1a2c3d4e5f601234567", fmt.Sprintf("%024x", i))
		s = strings.ReplaceAll(s, "664e0b7d9a1c2b3d4e5f6071", fmt.Sprintf("c%023x", i))
		out[i] = events.APIGatewayV2HTTPRequest{
			RawPath:        "/hooks/trello/demo-board",
			PathParameters: map[string]string{"provider": "trello", "binding": "demo-board"},
			Headers:        map[string]string{"x-trello-webhook": trello.Sign("demo-trello-secret", []byte(s), callback)},
			Body:           s,
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost}},
		}
	}
	return out
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// BenchmarkIngestWebhook is the webhook caller's wait: verify, parse, one conditional write, answer.
// Reports DynamoDB write requests per accepted webhook (budget 1).
func BenchmarkIngestWebhook(b *testing.B) {
	store, counter := table(b)
	// As the Lambda is wired: bindings cached in the warm instance.
	h := ingest.NewHandler(store, secret{}, providers.All(), glassbox.SystemClock{}, ingest.Options{BindingTTL: 30 * time.Second, Logger: quiet})
	reqs := deliveries(b, b.N)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := h.Handle(ctx, reqs[i])
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("%d %s %v", resp.StatusCode, resp.Body, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(counter.Writes())/float64(b.N), "writes/webhook")
	b.ReportMetric(float64(counter.Total())/float64(b.N), "requests/webhook")
}

// BenchmarkReactDoneEvent processes stored "done" events with the configuration cached, as a warm React
// function does, for a project without a Telegram chat. Reports DynamoDB requests per processed event (budget
// 5: read task, write task, claim, mark, clear the event's mark; the suppression check reads nothing per event).
func BenchmarkReactDoneEvent(b *testing.B) {
	benchDoneEvents(b, false)
}

// BenchmarkReactDoneEventWithTelegram is the same for the demo project, whose client group gets a Telegram copy
// of each notice, and one Telegram send per event. The email and the copy are claimed in one request and marked
// sent in one (courier.DeliverAll), so the budget is the same 5.
func BenchmarkReactDoneEventWithTelegram(b *testing.B) {
	benchDoneEvents(b, true)
}

func benchDoneEvents(b *testing.B, withTelegram bool) {
	store, counter := table(b, func(c *glassbox.Config) {
		if !withTelegram {
			withoutTelegram(c)
		}
	})
	h := ingest.NewHandler(store, secret{}, providers.All(), glassbox.SystemClock{}, ingest.Options{Logger: quiet})
	var stored []glassbox.Event
	ctx := context.Background()
	for _, r := range deliveries(b, b.N+1) {
		resp, err := h.Handle(ctx, r)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("%d %s %v", resp.StatusCode, resp.Body, err)
		}
	}
	evs, err := store.EventsBetween(ctx, "romashka-site", time.Time{}, time.Now().Add(time.Hour*24*365*100))
	if err != nil || len(evs) != b.N+1 {
		b.Fatalf("stored %d events, %v", len(evs), err)
	}
	stored = evs
	tg := &countingChat{}
	senders := email(discard{})
	senders[glassbox.ChannelTelegram] = tg
	proc := react.NewProcessor(store, senders, glassbox.SystemClock{}, react.Options{ConfigTTL: time.Hour, Logger: quiet})
	if _, err := proc.Process(ctx, stored[b.N]); err != nil { // warms the configuration and suppression caches
		b.Fatal(err)
	}
	counter.Reset()
	tg.n.Store(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := proc.Process(ctx, stored[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(counter.Total())/float64(b.N), "requests/event")
	b.ReportMetric(float64(tg.n.Load())/float64(b.N), "telegram/event")
}

// countingChat is a Telegram channel that sends nothing and counts.
type countingChat struct{ n atomic.Int64 }

func (c *countingChat) Send(context.Context, glassbox.Message, []glassbox.IssuedDocument) (string, error) {
	return fmt.Sprintf("chat:%d", c.n.Add(1)), nil
}

// closes returns n stored deal events, each closing the "layout" stage of a different prepaid project, with
// the configuration that routes them: a stage closes once per project, so every iteration needs its own.
func closes(b *testing.B, store *dynamo.Store, n int) []glassbox.Event {
	b.Helper()
	ctx := context.Background()
	cfg, err := store.Config(ctx)
	if err != nil {
		b.Fatal(err)
	}
	template, _ := cfg.Project("romashka-site")
	binding := glassbox.Binding{ID: "bench-amo", Provider: "amocrm", ExternalID: "acmeshop", SecretParam: "/glassbox/amocrm/bench",
		StageMap: map[string][]string{"layout": {"41893096"}}}
	now := time.Now().UTC()
	evs := make([]glassbox.Event, n)
	for i := range evs {
		p := template
		p.ID = fmt.Sprintf("bench-%d", i)
		cfg.Projects = append(cfg.Projects, p)
		deal := fmt.Sprintf("%d", 900000+i)
		binding.Deals = append(binding.Deals, glassbox.DealRoute{DealID: deal, ProjectID: p.ID})
		evs[i] = glassbox.Event{ID: "amocrm:bench-" + deal, ProjectID: p.ID, BindingID: binding.ID, Provider: "amocrm",
			Kind: glassbox.EventDealStageChanged, Deal: &glassbox.DealChange{ID: deal, StageID: "41893096"}, OccurredAt: now, ReceivedAt: now}
	}
	cfg.Bindings = append(cfg.Bindings, binding)
	if err := store.PutConfig(ctx, cfg); err != nil {
		b.Fatal(err)
	}
	return evs
}

type linkKey struct{}

func (linkKey) Secret(context.Context, string) (string, error) {
	return "bench-link-key-0123456789abcdef0123456789abcdef", nil
}

// BenchmarkReactStageClosed processes deal events that close a stage, as a warm React function does: number,
// render and store the act and the invoice, then claim (one request for both), send and mark (one request) the
// client's and the accountant's emails (to a no-op mailer). Reports DynamoDB requests per closed stage.
func BenchmarkReactStageClosed(b *testing.B) {
	store, counter := table(b)
	evs := closes(b, store, b.N+1)
	proc := react.NewProcessor(store, email(discard{}), glassbox.SystemClock{}, react.Options{ConfigTTL: time.Hour, Logger: quiet,
		Billing: &react.Billing{Render: pdf.Render, Links: &billing.Links{Secrets: linkKey{}, KeyParam: "k", PublicBaseURL: "https://api.example"}}})
	ctx := context.Background()
	if _, err := proc.Process(ctx, evs[b.N]); err != nil { // warms the configuration cache and the fonts
		b.Fatal(err)
	}
	counter.Reset()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := proc.Process(ctx, evs[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(counter.Total())/float64(b.N), "requests/close")
	b.ReportMetric(float64(counter.Writes())/float64(b.N), "writes/close")
}

// email is the email channel over a test mailer.
func email(m courier.Mailer) react.Senders {
	return react.Senders{glassbox.ChannelEmail: courier.Email{Mailer: m}}
}

// withoutTelegram takes every Telegram chat out of the configuration: notices go by email only.
func withoutTelegram(c *glassbox.Config) {
	for i := range c.Projects {
		c.Projects[i].TelegramChatID, c.Projects[i].Manager.TelegramChatID = "", ""
	}
	for i := range c.Clients {
		c.Clients[i].TelegramChatID = ""
	}
}
