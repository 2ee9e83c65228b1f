package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/outbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
	"github.com/glassbox-oss/glassbox/shared/trello"
)

const eventsDir = "../../events"

// devHarness is glassbox dev on a fresh data folder, served by httptest.
type devHarness struct {
	t    *testing.T
	dev  *devServer
	srv  *httptest.Server
	data string
}

func newDevHarness(t *testing.T) *devHarness {
	t.Helper()
	data := t.TempDir()
	dev, err := newDevServer(context.Background(), data, slog.New(slog.NewTextHandler(io.Discard, nil)), devOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(dev)
	t.Cleanup(func() { srv.Close(); dev.Close() })
	if err := dev.setBaseURL(context.Background(), srv.URL); err != nil {
		t.Fatal(err)
	}
	return &devHarness{t: t, dev: dev, srv: srv, data: data}
}

func (h *devHarness) send(req events.APIGatewayV2HTTPRequest) (int, string) {
	h.t.Helper()
	status, body, err := post(context.Background(), h.srv.Client(), h.srv.URL, req)
	if err != nil {
		h.t.Fatal(err)
	}
	return status, body
}

func (h *devHarness) sendSample(name string) (int, string) {
	h.t.Helper()
	return h.send(mustLoad(h.t, name))
}

func (h *devHarness) mail() []outbox.Summary {
	h.t.Helper()
	list, err := outbox.List(filepath.Join(h.data, "outbox"))
	if err != nil && !os.IsNotExist(err) {
		h.t.Fatal(err)
	}
	return list
}

// telegram lists the Telegram messages the dev Bot API stand-in accepted, newest first.
func (h *devHarness) telegram() []outbox.TelegramMessage {
	h.t.Helper()
	list, err := outbox.ListTelegram(filepath.Join(h.data, "outbox"))
	if err != nil {
		h.t.Fatal(err)
	}
	return list
}

func (h *devHarness) storedEvents() []glassbox.Event {
	h.t.Helper()
	evs, err := h.dev.store.EventsBetween(context.Background(), "romashka-site", time.Time{}, time.Now().Add(24*time.Hour*365*100))
	if err != nil {
		h.t.Fatal(err)
	}
	return evs
}

func mustLoad(t *testing.T, name string) events.APIGatewayV2HTTPRequest {
	t.Helper()
	req, err := loadRequest(filepath.Join(eventsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestDoneSampleEmailsClientOnceWithReplyToManager(t *testing.T) {
	h := newDevHarness(t)
	for _, name := range []string{"ingest-trello-created.json", "ingest-trello-attachment.json", "ingest-trello-done.json"} {
		if status, body := h.sendSample(name); status != http.StatusOK || !strings.Contains(body, `"accepted"`) {
			t.Fatalf("%s: %d %s", name, status, body)
		}
	}
	mail := h.mail()
	if len(mail) != 1 {
		t.Fatalf("got %d emails, want 1: %+v", len(mail), mail)
	}
	m := mail[0]
	checks := []struct{ what, got, want string }{
		{"To", strings.Join(m.To, ","), "Анна Смирнова <anna@romashka.example>"},
		{"Reply-To", strings.Join(m.ReplyTo, ","), "Мария Иванова <maria@pixel.example>"},
		{"From", m.From, "Студия «Пиксель» <notify@pixel.example>"},
		{"Subject", m.Subject, "Готово: «Макет главной страницы» — Новый сайт"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	// The deliverable attached to the card is the link the client gets.
	if !strings.Contains(m.Text, "https://www.figma.com/file/abc123/Landing") || !strings.Contains(m.HTML, "https://www.figma.com/file/abc123/Landing") {
		t.Errorf("notice does not link the attached deliverable:\n%s", m.Text)
	}
	if !strings.HasPrefix(m.Text, "Анна, добрый день!") {
		t.Errorf("notice does not greet the client by first name:\n%s", m.Text)
	}
	// The client's Telegram group (the demo project's telegram_chat_id) gets the notice once, in Telegram's HTML.
	chats := h.telegram()
	if len(chats) != 1 || chats[0].Chat != "-1001234567890" || !strings.Contains(chats[0].Text, "Макет главной страницы") ||
		!strings.Contains(chats[0].Text, `<a href="https://www.figma.com/file/abc123/Landing">`) {
		t.Errorf("Telegram messages = %+v, want the done notice once in the client group", chats)
	}
}

func TestBlockedSampleEmailsManagerOnly(t *testing.T) {
	h := newDevHarness(t)
	if status, body := h.sendSample("ingest-trello-blocked.json"); status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	mail := h.mail()
	if len(mail) != 1 {
		t.Fatalf("got %d emails, want 1", len(mail))
	}
	if got, want := strings.Join(mail[0].To, ","), "Мария Иванова <maria@pixel.example>"; got != want {
		t.Fatalf("blocked notice To = %q, want only the manager %q", got, want)
	}
	if strings.Contains(mail[0].Text, "anna@") || len(mail[0].Cc) > 0 {
		t.Fatalf("blocked notice reached beyond the manager: %+v", mail[0])
	}
	if chats := h.telegram(); len(chats) != 0 {
		t.Fatalf("blocked notice reached the client's Telegram group: %+v", chats)
	}
}

func TestRedeliveriesInARowSendOneEmail(t *testing.T) {
	h := newDevHarness(t)
	accepted := 0
	for i := 0; i < 5; i++ {
		status, body := h.sendSample("ingest-trello-done.json")
		if status != http.StatusOK {
			t.Fatalf("delivery %d: %d %s", i, status, body)
		}
		if strings.Contains(body, `"accepted"`) {
			accepted++
		}
	}
	if accepted != 1 {
		t.Errorf("%d deliveries accepted as new, want 1", accepted)
	}
	if n := len(h.mail()); n != 1 {
		t.Fatalf("got %d emails, want 1", n)
	}
	if n := len(h.telegram()); n != 1 {
		t.Fatalf("got %d Telegram messages, want 1", n)
	}
	if n := len(h.storedEvents()); n != 1 {
		t.Fatalf("got %d stored events, want 1", n)
	}
}

func TestConcurrentRedeliveriesSendOneEmail(t *testing.T) {
	h := newDevHarness(t)
	req := mustLoad(t, "ingest-trello-done.json")
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	accepted := 0
	start := make(chan struct{})
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			status, body, err := post(context.Background(), h.srv.Client(), h.srv.URL, req)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			statuses[status]++
			if strings.Contains(body, `"accepted"`) {
				accepted++
			}
		}()
	}
	close(start)
	wg.Wait()
	if statuses[http.StatusOK] != 5 || accepted != 1 {
		t.Errorf("statuses %v, accepted %d; want five 200s, one accepted", statuses, accepted)
	}
	if n := len(h.mail()); n != 1 {
		t.Fatalf("got %d emails, want 1", n)
	}
	if n := len(h.telegram()); n != 1 {
		t.Fatalf("got %d Telegram messages, want 1", n)
	}
}

func TestRefusedDeliveriesChangeNothing(t *testing.T) {
	done := mustLoad(t, "ingest-trello-done.json")

	oversized := done
	big := strings.Repeat(" ", ingest.MaxBodyBytes+1-len(done.Body)) + done.Body
	oversized.Body = big
	oversized.Headers = cloneHeaders(done.Headers)
	oversized.Headers["x-trello-webhook"] = trello.Sign(demoSecrets["/glassbox/trello/demo-board"], []byte(big), "https://demo.glassbox.example/hooks/trello/demo-board")

	unknownBinding := done
	unknownBinding.RawPath = "/hooks/trello/no-such-board"

	wrongMethod := done
	wrongMethod.RequestContext.HTTP.Method = http.MethodPut

	tests := []struct {
		name    string
		req     events.APIGatewayV2HTTPRequest
		status  int
		message string
	}{
		{"ForgedSignature", mustLoad(t, "ingest-trello-forged.json"), http.StatusUnauthorized, "signature"},
		{"MissingSignature", withoutHeader(done, "x-trello-webhook"), http.StatusUnauthorized, "missing"},
		{"TruncatedJSON", mustLoad(t, "ingest-trello-truncated.json"), http.StatusBadRequest, "decode body"},
		{"UnknownProvider", mustLoad(t, "ingest-unknown-provider.json"), http.StatusNotFound, "unknown provider"},
		{"UnknownBinding", unknownBinding, http.StatusNotFound, "unknown binding"},
		{"Oversized", oversized, http.StatusRequestEntityTooLarge, "too large"},
		{"WrongMethod", wrongMethod, http.StatusMethodNotAllowed, "method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newDevHarness(t)
			status, body := h.send(tt.req)
			if status != tt.status {
				t.Fatalf("status = %d (%s), want %d", status, body, tt.status)
			}
			var answer struct{ Error string }
			if err := json.Unmarshal([]byte(body), &answer); err != nil || !strings.Contains(answer.Error, tt.message) {
				t.Errorf("answer %q does not say %q", body, tt.message)
			}
			if n := len(h.storedEvents()); n != 0 {
				t.Errorf("%d events stored, want none", n)
			}
			if n := len(h.mail()); n != 0 {
				t.Errorf("%d emails sent, want none", n)
			}
		})
	}
}

func TestHeadCheckAndIgnoredActions(t *testing.T) {
	h := newDevHarness(t)
	if status, _ := h.sendSample("ingest-trello-head-check.json"); status != http.StatusOK {
		t.Fatalf("HEAD check = %d, want 200 (Trello refuses to create the hook otherwise)", status)
	}
	status, body := h.sendSample("ingest-trello-comment-ignored.json")
	if status != http.StatusOK || !strings.Contains(body, `"ignored"`) {
		t.Fatalf("comment = %d %s, want 200 ignored", status, body)
	}
	if n := len(h.storedEvents()); n != 0 {
		t.Fatalf("%d events stored for a HEAD check and a comment, want none", n)
	}
}

func TestPagesServe(t *testing.T) {
	h := newDevHarness(t)
	h.sendSample("ingest-trello-done.json")
	for path, want := range map[string]string{"/": "/hooks/trello/demo-board", "/outbox": "Макет главной страницы"} {
		resp, err := h.srv.Client().Get(h.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
			t.Errorf("GET %s = %d, want 200 containing %q", path, resp.StatusCode, want)
		}
	}
}

// TestSampleEventsStayValid keeps events/ honest: the signed samples verify against the demo binding, the
// forged one does not, and the stream sample is the event the done sample stores.
func TestSampleEventsStayValid(t *testing.T) {
	cfgBinding := glassbox.Binding{CallbackURL: "https://demo.glassbox.example/hooks/trello/demo-board"}
	files, err := filepath.Glob(filepath.Join(eventsDir, "ingest-trello-*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, f := range files {
		req, err := loadRequest(f)
		if err != nil {
			t.Fatal(err)
		}
		if req.RequestContext.HTTP.Method != http.MethodPost {
			continue
		}
		d := glassbox.Delivery{CallbackURL: cfgBinding.CallbackURL, Header: http.Header{}, Body: []byte(req.Body)}
		d.Header.Set(trello.SignatureHeader, req.Headers["x-trello-webhook"])
		err = trello.New().Verify(d, demoSecrets["/glassbox/trello/demo-board"])
		if forged := strings.Contains(f, "forged"); forged == (err == nil) {
			t.Errorf("%s: verify error %v (forged sample: %v)", filepath.Base(f), err, forged)
		}
	}

	data, err := os.ReadFile(filepath.Join(eventsDir, "react-stream-trello-done.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stream events.DynamoDBEvent
	if err := json.Unmarshal(data, &stream); err != nil {
		t.Fatal(err)
	}
	got, err := dynamo.DecodeEventImage(stream.Records[0].Change.NewImage)
	if err != nil {
		t.Fatal(err)
	}
	h := newDevHarness(t)
	h.sendSample("ingest-trello-done.json")
	stored := h.storedEvents()
	if len(stored) != 1 {
		t.Fatalf("%d events stored", len(stored))
	}
	want := stored[0]
	want.ReceivedAt = got.ReceivedAt
	if got != want {
		t.Errorf("stream sample decodes to\n%+v\nwant the stored done event\n%+v", got, want)
	}
}

func cloneHeaders(h map[string]string) map[string]string {
	c := make(map[string]string, len(h))
	for k, v := range h {
		c[k] = v
	}
	return c
}

func withoutHeader(req events.APIGatewayV2HTTPRequest, name string) events.APIGatewayV2HTTPRequest {
	req.Headers = cloneHeaders(req.Headers)
	delete(req.Headers, name)
	return req
}

// A data folder seeded with the demo of the release before Telegram gets the current demo on start, so make
// demo shows the Telegram copy; an agency of one's own is left alone.
func TestOlderDemoIsReplaced(t *testing.T) {
	current, err := agencyfile.Parse(demoAgency, providers.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	beforeTelegram := current
	beforeTelegram.Agency.TelegramBotParam = ""
	beforeTelegram.Projects = append([]glassbox.Project(nil), current.Projects...)
	for i := range beforeTelegram.Projects {
		beforeTelegram.Projects[i].TelegramChatID = ""
	}
	own := beforeTelegram
	own.Agency.Name = "Своё агентство"
	own.Bindings = own.Bindings[:1]
	own.Sellers = current.Sellers
	for _, tt := range []struct {
		name string
		cfg  glassbox.Config
		want bool
	}{
		{"current demo", current, false},
		{"demo before Telegram", beforeTelegram, true},
		{"an agency with only a Trello board, billed", own, false},
	} {
		if got := olderDemo(tt.cfg, current); got != tt.want {
			t.Errorf("%s: olderDemo = %v, want %v", tt.name, got, tt.want)
		}
	}
}
