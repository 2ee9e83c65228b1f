package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/providers"
	"github.com/glassbox-oss/glassbox/shared/react"
)

// withTiming applies the demo agency with the deployment defaults (quiet hours 21:00–09:00 and weekends,
// task-done notices coalesced over 10 minutes) instead of the demo's "off", and with chat the client's Telegram
// group.
func withTiming(b *testing.B, store *dynamo.Store, chat bool) {
	b.Helper()
	ctx := context.Background()
	cfg, err := store.Config(ctx)
	if err != nil {
		b.Fatal(err)
	}
	cfg.Agency.QuietHours, cfg.Agency.Coalesce = nil, ""
	if !chat {
		withoutTelegram(&cfg)
	} else {
		cfg.Agency.TelegramBotParam = "/glassbox/telegram/bot"
		for i := range cfg.Clients {
			cfg.Clients[i].TelegramChatID = "-1001234567890"
		}
	}
	if err := store.PutConfig(ctx, cfg); err != nil {
		b.Fatal(err)
	}
}

// storedDone ingests n distinct done deliveries and returns the stored events.
func storedDone(b *testing.B, store *dynamo.Store, n int) []glassbox.Event {
	b.Helper()
	ctx := context.Background()
	h := ingest.NewHandler(store, secret{}, providers.All(), glassbox.SystemClock{}, ingest.Options{Logger: quiet})
	for _, r := range deliveries(b, n) {
		resp, err := h.Handle(ctx, r)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("%d %s %v", resp.StatusCode, resp.Body, err)
		}
	}
	evs, err := store.EventsBetween(ctx, "romashka-site", time.Time{}, time.Now().Add(time.Hour*24*365*100))
	if err != nil || len(evs) != n {
		b.Fatalf("stored %d events, %v", len(evs), err)
	}
	return evs
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

type countingMail struct{ n atomic.Int64 }

func (m *countingMail) Send(context.Context, glassbox.RawEmail) (string, error) {
	return fmt.Sprint(m.n.Add(1)), nil
}

// BenchmarkReactDoneEventHeld processes stored "done" events that are held (the coalescing window of the
// deployment defaults), on a weekday at 11:00 in Moscow, as a warm React function does. Reports DynamoDB
// requests per processed event (budget: no more than a sent one, 5): read task, write task, hold the email,
// clear the mark (4; a Telegram copy adds one hold where a sent one adds a claim and a mark).
func BenchmarkReactDoneEventHeld(b *testing.B) {
	store, counter := table(b)
	withTiming(b, store, false)
	stored := storedDone(b, store, b.N+1)
	clock := fixedClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)) // Tuesday 11:00 in Moscow
	proc := react.NewProcessor(store, react.Senders{glassbox.ChannelEmail: courier.Email{Mailer: discard{}}, glassbox.ChannelTelegram: &countingChat{}},
		clock, react.Options{ConfigTTL: time.Hour, Logger: quiet})
	ctx := context.Background()
	if _, err := proc.Process(ctx, stored[b.N]); err != nil {
		b.Fatal(err)
	}
	counter.Reset()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := proc.Process(ctx, stored[i])
		if err != nil || out.Held != 1 {
			b.Fatalf("%s, %v; want held 1", out, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(counter.Total())/float64(b.N), "requests/event")
}

// BenchmarkFlushCoalesced holds 10 done notices of one project (email and Telegram each), on a weekday at 11:00
// in Moscow, and flushes them once their window closed (each iteration has its own cards). Reports the sends per coalesced batch of 10 tasks (one email, one Telegram
// message) and DynamoDB requests per flush (config, the held-messages query, a read of each task, a batch
// transaction, a claim and a mark per channel, the due-tasks query).
func BenchmarkFlushCoalesced(b *testing.B) {
	const tasks = 10
	store, counter := table(b)
	withTiming(b, store, true)
	ctx := context.Background()
	stored := storedDone(b, store, b.N*tasks)
	mail, chat := &countingMail{}, &countingChat{}
	senders := react.Senders{glassbox.ChannelEmail: courier.Email{Mailer: mail}, glassbox.ChannelTelegram: chat}
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	var requests int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		held := react.NewProcessor(store, senders, fixedClock(at), react.Options{ConfigTTL: time.Hour, Logger: quiet})
		for _, e := range stored[i*tasks : (i+1)*tasks] {
			if out, err := held.Process(ctx, e); err != nil || out.Held != 2 {
				b.Fatalf("%s, %v", out, err)
			}
		}
		flush := react.NewProcessor(store, senders, fixedClock(at.Add(11*time.Minute)), react.Options{ConfigTTL: time.Hour, Logger: quiet})
		counter.Reset()
		b.StartTimer()
		res, err := flush.Flush(ctx)
		if err != nil || res.Coalesced != 2 || res.Batched != 2*tasks {
			b.Fatalf("%+v, %v; want 2 coalesced messages of %d", res, err, tasks)
		}
		b.StopTimer()
		requests += counter.Total()
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(mail.n.Load())/float64(b.N), "emails/batch")
	b.ReportMetric(float64(chat.n.Load())/float64(b.N), "telegram/batch")
	b.ReportMetric(float64(requests)/float64(b.N), "requests/flush")
}
