package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/outbox"
)

const kaitenDoneSubject = "Готово: «Тексты для главной страницы» — Новый сайт"

// kaitenMail is the mail about the Kaiten sample card.
func kaitenMail(mail []outbox.Summary) []outbox.Summary {
	var out []outbox.Summary
	for _, m := range mail {
		// The Jira sample has the same title: the card's link tells Kaiten's notice apart.
		if strings.Contains(m.Subject, "Тексты для главной страницы") && strings.Contains(m.Text, "/fake/kaiten/") {
			out = append(out, m)
		}
	}
	return out
}

// TestKaitenDoneEndToEnd: the Kaiten samples as make demo posts them. The done move is read back through the
// dev server's stand-in Kaiten API and tells the client once; Kaiten's second delivery is a duplicate; the late
// creation, the comment and the wrong token tell nobody anything.
func TestKaitenDoneEndToEnd(t *testing.T) {
	h := newDevHarness(t)
	for _, step := range []struct {
		sample string
		status int
		answer string
	}{
		{"ingest-kaiten-done.json", http.StatusOK, `"accepted"`},
		{"ingest-kaiten-done.json", http.StatusOK, `"duplicate"`},
		{"ingest-kaiten-created.json", http.StatusOK, `"accepted"`},
		{"ingest-kaiten-comment-ignored.json", http.StatusOK, `"ignored"`},
		{"ingest-kaiten-bad-token.json", http.StatusUnauthorized, "token"},
	} {
		if status, body := h.sendSample(step.sample); status != step.status || !strings.Contains(body, step.answer) {
			t.Fatalf("%s: %d %s, want %d %s", step.sample, status, body, step.status, step.answer)
		}
	}
	mail := h.mail()
	if len(mail) != 1 {
		t.Fatalf("got %d emails, want the client's done notice once: %+v", len(mail), mail)
	}
	m := mail[0]
	if m.Subject != kaitenDoneSubject || strings.Join(m.To, ",") != "Анна Смирнова <anna@romashka.example>" {
		t.Errorf("notice %q to %v, want %q to Анна Смирнова", m.Subject, m.To, kaitenDoneSubject)
	}
	// The card link is the company's Kaiten address (here the stand-in's) and the card id; the column's title
	// comes from the read-back, the delivery has none.
	if link := h.srv.URL + "/fake/kaiten/18734512"; !strings.Contains(m.Text, link) {
		t.Errorf("notice lacks the card link %s:\n%s", link, m.Text)
	}
	if n := len(h.storedEvents()); n != 2 {
		t.Errorf("%d events stored, want the move and the creation", n)
	}
}

// TestKaitenReadBackDecides: the delivery claims the card went to done; a card the Kaiten API does not know is
// dropped, and a read-back that fails (a wrong API token) tells nobody and leaves the event to retry.
func TestKaitenReadBackDecides(t *testing.T) {
	t.Run("UnknownCardDropped", func(t *testing.T) {
		h := newDevHarness(t)
		req := mustLoad(t, "ingest-kaiten-done.json")
		req.Body = strings.ReplaceAll(req.Body, "18734512", "18734599")
		if status, body := h.send(req); status != http.StatusOK || !strings.Contains(body, "accepted") {
			t.Fatalf("%d %s", status, body)
		}
		if n := len(h.mail()); n != 0 {
			t.Fatalf("%d emails about a card Kaiten does not know", n)
		}
		if left, err := h.dev.store.UnprocessedEvents(context.Background(), time.Now().Add(time.Hour), 10); err != nil || len(left) != 0 {
			t.Fatalf("unprocessed %v %v, want the event dropped for good", left, err)
		}
	})
	t.Run("BadAPITokenRetried", func(t *testing.T) {
		h := newDevHarness(t)
		if err := h.dev.store.PutSecret(context.Background(), demoKaitenAPIParam, "revoked-token"); err != nil {
			t.Fatal(err)
		}
		if status, body := h.sendSample("ingest-kaiten-done.json"); status != http.StatusOK {
			t.Fatalf("%d %s", status, body)
		}
		if n := len(h.mail()); n != 0 {
			t.Fatalf("%d emails without a read-back", n)
		}
		left, err := h.dev.store.UnprocessedEvents(context.Background(), time.Now().Add(time.Hour), 10)
		if err != nil || len(left) != 1 {
			t.Fatalf("unprocessed %v %v, want the move left to retry", left, err)
		}
		// The token is fixed; the sweep finishes the move and the client is told once.
		if err := h.dev.store.PutSecret(context.Background(), demoKaitenAPIParam, demoKaitenAPIToken); err != nil {
			t.Fatal(err)
		}
		h.dev.sweepOnce(context.Background(), -time.Hour)
		if m := kaitenMail(h.mail()); len(m) != 1 || m[0].Subject != kaitenDoneSubject {
			t.Fatalf("after the sweep: %+v", m)
		}
	})
}

// TestDemoTellsKaitenDoneOnce: the whole make demo against glassbox dev sends the Kaiten notice once, to the
// client, among everything else.
func TestDemoTellsKaitenDoneOnce(t *testing.T) {
	h := newDevHarness(t)
	if err := run(context.Background(), []string{"demo", "--url", h.srv.URL, "--events", eventsDir}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	m := kaitenMail(h.mail())
	if len(m) != 1 || m[0].Subject != kaitenDoneSubject || !strings.Contains(strings.Join(m[0].To, ","), "anna@romashka.example") {
		t.Fatalf("Kaiten mail after make demo: %+v", m)
	}
}

// TestKaitenStandInServesTheSample: the stand-in Kaiten API answers what events/ documents (go:embed cannot
// reach events/, so glassbox dev embeds a copy).
func TestKaitenStandInServesTheSample(t *testing.T) {
	sample, err := os.ReadFile(filepath.Join(eventsDir, "kaiten-card-get-response.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sample, demoKaitenCard) {
		t.Fatal("cmd/glassbox/demo/kaiten-card-get-response.json differs from events/kaiten-card-get-response.json")
	}
	h := newDevHarness(t)
	for _, tt := range []struct {
		path, token string
		status      int
	}{
		{fakeKaitenAPIPath + "/cards/18734512", demoKaitenAPIToken, http.StatusOK},
		{fakeKaitenAPIPath + "/cards/18734512", "other", http.StatusUnauthorized},
		{fakeKaitenAPIPath + "/cards/1", demoKaitenAPIToken, http.StatusNotFound},
	} {
		req, _ := http.NewRequest(http.MethodGet, h.srv.URL+tt.path, nil)
		req.Header.Set("Authorization", "Bearer "+tt.token)
		resp, err := h.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || (tt.status == http.StatusOK && !bytes.Equal(body, sample)) {
			t.Errorf("GET %s with %q: %d %.60s, want %d", tt.path, tt.token, resp.StatusCode, body, tt.status)
		}
	}
}

// TestKaitenStandInFollowsTheDevAddress: Kaiten's API host is in the binding, not in a secret, so glassbox dev
// points the demo binding at its own stand-in, again on each start (another --addr), and leaves a real api_url
// alone.
func TestKaitenStandInFollowsTheDevAddress(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	apiURL := func(base string) string {
		t.Helper()
		dev, err := newDevServer(ctx, data, slog.New(slog.NewTextHandler(io.Discard, nil)), devOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer dev.Close()
		if err := dev.setBaseURL(ctx, base); err != nil {
			t.Fatal(err)
		}
		cfg, err := dev.store.Config(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, ok := cfg.Binding("kaiten", "demo-kaiten")
		if !ok {
			t.Fatal("the demo has no Kaiten binding")
		}
		return b.APIURL
	}
	if got := apiURL("http://127.0.0.1:8080"); got != "http://127.0.0.1:8080/fake/kaiten/api/latest" {
		t.Fatalf("first start: api_url %q", got)
	}
	if got := apiURL("http://127.0.0.1:9090"); got != "http://127.0.0.1:9090/fake/kaiten/api/latest" {
		t.Fatalf("start on another address: api_url %q", got)
	}

	// An agency with a real Kaiten host keeps it.
	store, err := openLocal(data)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := store.Config(ctx)
	for i := range cfg.Bindings {
		if cfg.Bindings[i].Provider == "kaiten" {
			cfg.Bindings[i].APIURL = "https://pixel.kaiten.ru/api/latest"
		}
	}
	if err := store.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	store.Close()
	if got := apiURL("http://127.0.0.1:8080"); got != "https://pixel.kaiten.ru/api/latest" {
		t.Fatalf("a real api_url became %q", got)
	}
}

// TestPreviewKaitenSample: preview reads the card back from a stand-in serving --kaiten-card, as it does
// Bitrix24 deals; without one it tried the demo binding's api_url and failed.
func TestPreviewKaitenSample(t *testing.T) {
	out := t.TempDir()
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"preview", "--event", filepath.Join(eventsDir, "ingest-kaiten-done.json"),
		"--kaiten-card", filepath.Join(eventsDir, "kaiten-card-get-response.json"), "-o", out}, &stdout, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	emls, _ := filepath.Glob(filepath.Join(out, "*.eml"))
	if len(emls) != 1 || !strings.Contains(stdout.String(), kaitenDoneSubject) {
		t.Errorf("preview wrote %d emails; said:\n%s", len(emls), stdout.String())
	}
}
