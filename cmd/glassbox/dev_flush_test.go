package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/trello"
)

// glassbox dev flushes like FlushFunction: two cards done within the coalescing window reach the outbox as one
// message once the window closes.
func TestDevFlushCoalescesDoneCards(t *testing.T) {
	h := newDevHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg, err := h.dev.store.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Agency.QuietHours, cfg.Agency.Coalesce = &glassbox.QuietHours{Off: true}, "1s" // any hour; a short window
	if err := h.dev.store.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	done := mustLoad(t, "ingest-trello-done.json")
	second := done
	second.Headers = map[string]string{}
	for k, v := range done.Headers {
		second.Headers[k] = v
	}
	second.Body = strings.NewReplacer("6650f1a2c3d4e5f601234567", "6650f1a2c3d4e5f60123aaaa",
		"664e0b7d9a1c2b3d4e5f6071", "664e0b7d9a1c2b3d4e5faaaa", "Макет главной страницы", "Каталог").Replace(done.Body)
	second.Headers["x-trello-webhook"] = trello.Sign(demoSecrets["/glassbox/trello/demo-board"], []byte(second.Body),
		"https://demo.glassbox.example/hooks/trello/demo-board")
	if status, body := h.send(done); status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	if status, body := h.send(second); status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	if got := len(h.mail()); got != 0 {
		t.Fatalf("%d emails before the window closed, want 0", got)
	}
	go h.dev.flush(ctx, 100*time.Millisecond)
	deadline := time.Now().Add(10 * time.Second)
	for len(h.mail()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // a second message, were there one, would be out by now
	mail := h.mail()
	if len(mail) != 1 || !strings.Contains(mail[0].Subject, "2 задачи") {
		t.Fatalf("outbox = %+v, want one message listing 2 tasks", mail)
	}
}
