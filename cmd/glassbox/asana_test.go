package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/asana"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/react"
)

const (
	demoAsanaSecretParam = "/glassbox/hooks/demo-asana"
	// demoAsanaSecret is what events/ingest-asana-handshake.json hands over; the other samples are signed with it.
	demoAsanaSecret = "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81"
)

// asanaDemo is the Asana part of make demo, in its order.
func asanaDemo() []string {
	var names []string
	for _, n := range demoOrder {
		if strings.HasPrefix(n, "ingest-asana-") {
			names = append(names, n)
		}
	}
	return names
}

// TestAsanaDemoEndToEnd runs the Asana samples as make demo sends them, twice (make demo run again on the same
// data): the handshake's secret is kept (the demo seeds none), the deliveries signed with it are accepted, the
// task read back through the dev server's stand-in for Asana's API, and the client gets one done notice, once.
func TestAsanaDemoEndToEnd(t *testing.T) {
	ctx := context.Background()
	h := newDevHarness(t)
	if _, err := h.dev.store.Secret(ctx, demoAsanaSecretParam); !errors.Is(err, glassbox.ErrNotFound) {
		t.Fatalf("the demo Asana secret is seeded (%v); the handshake must hand it over", err)
	}
	want := map[string][2]string{ // the first run's answer, the second run's
		"ingest-asana-handshake.json": {`"ok"`, `"ok"`},
		"ingest-asana-created.json":   {`"accepted"`, `"duplicate"`},
		"ingest-asana-completed.json": {`"accepted"`, `"duplicate"`},
		// Issue 9: a comment may carry a reason, which only its story says: stored, read back, dropped without one.
		"ingest-asana-comment-ignored.json": {`"accepted"`, `"duplicate"`},
		"ingest-asana-heartbeat.json":       {`"ignored"`, `"ignored"`},
		"ingest-asana-forged.json":          {"signature", "signature"},
	}
	for run := 0; run < 2; run++ {
		seen := map[string]int{}
		for _, name := range asanaDemo() {
			status, body := h.sendSample(name)
			seen[name]++
			wantBody, wantStatus := want[name][run], http.StatusOK
			switch {
			case name == "ingest-asana-done.json" && run == 0 && seen[name] == 1:
				wantBody = `"accepted"`
			case name == "ingest-asana-done.json":
				wantBody = `"duplicate"`
			case name == "ingest-asana-forged.json":
				wantStatus = http.StatusUnauthorized
			}
			if status != wantStatus || !strings.Contains(body, wantBody) {
				t.Fatalf("run %d, %s: %d %s, want %d %s", run+1, name, status, body, wantStatus, wantBody)
			}
		}
		if got, err := h.dev.store.Secret(ctx, demoAsanaSecretParam); err != nil || got != demoAsanaSecret {
			t.Fatalf("run %d: kept secret %q, %v; want the handshake's", run+1, got, err)
		}
	}

	mail := h.mail()
	if len(mail) != 1 {
		t.Fatalf("got %d emails, want the one done notice: %+v", len(mail), mail)
	}
	m := mail[0]
	for _, c := range []struct{ what, got, want string }{
		{"To", strings.Join(m.To, ","), "Анна Смирнова <anna@romashka.example>"},
		{"Reply-To", strings.Join(m.ReplyTo, ","), "Мария Иванова <maria@pixel.example>"},
		{"Subject", m.Subject, "Готово: «Тексты для главной страницы» — Новый сайт"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	// The title and link come from the read-back: the delivery carried only the task's gid.
	if link := "https://app.asana.com/0/1207000000000100/1207654321000042"; !strings.Contains(m.Text, link) {
		t.Errorf("notice does not link the task's permalink %s:\n%s", link, m.Text)
	}

	// The created task was read back into its To Do section; the done one into Готово.
	for _, tc := range []struct{ task, list string }{{"1207654321000077", "К работе"}, {"1207654321000042", "Готово"}} {
		task, err := h.dev.store.Task(ctx, "romashka-site", "asana", tc.task)
		if err != nil || task.ListName != tc.list || task.Title == "" {
			t.Errorf("task %s: %+v, %v; want it titled, in %s", tc.task, task, err, tc.list)
		}
	}
}

// TestAsanaHandshakeEchoesTheSecret: Asana creates the webhook only if the answer echoes X-Hook-Secret, through
// the dev server's HTTP layer as much as through Lambda's.
func TestAsanaHandshakeEchoesTheSecret(t *testing.T) {
	h := newDevHarness(t)
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/hooks/asana/demo-asana", bytes.NewReader(nil))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Hook-Secret", demoAsanaSecret)
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Hook-Secret") != demoAsanaSecret {
		t.Fatalf("handshake: %d, X-Hook-Secret %q; want 200 echoing the secret", resp.StatusCode, resp.Header.Get("X-Hook-Secret"))
	}
	req.Header.Set("X-Hook-Secret", "another-secret")
	resp, err = h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || resp.Header.Get("X-Hook-Secret") != "" {
		t.Fatalf("second handshake with another secret: %d, X-Hook-Secret %q; want 409, no echo", resp.StatusCode, resp.Header.Get("X-Hook-Secret"))
	}
}

// TestDemoAsanaAPIFollowsTheServer: glassbox dev points the demo Asana binding at its own stand-in, wherever it
// listens, and leaves an api_url of the admin's own alone.
func TestDemoAsanaAPIFollowsTheServer(t *testing.T) {
	ctx := context.Background()
	h := newDevHarness(t)
	cfg, err := h.dev.store.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := cfg.Binding("asana", "demo-asana")
	if want := h.srv.URL + demoAsanaAPIPath; b.APIURL != want {
		t.Fatalf("demo Asana api_url %q, want %q", b.APIURL, want)
	}
	if err := h.dev.setBaseURL(ctx, "http://127.0.0.1:9191"); err != nil {
		t.Fatal(err)
	}
	cfg, _ = h.dev.store.Config(ctx)
	if b, _ := cfg.Binding("asana", "demo-asana"); b.APIURL != "http://127.0.0.1:9191"+demoAsanaAPIPath {
		t.Fatalf("after a restart elsewhere: api_url %q", b.APIURL)
	}
	for i := range cfg.Bindings {
		if cfg.Bindings[i].ID == "demo-asana" {
			cfg.Bindings[i].APIURL = "https://asana-proxy.example/api/1.0"
		}
	}
	if err := h.dev.store.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if err := h.dev.setBaseURL(ctx, h.srv.URL); err != nil {
		t.Fatal(err)
	}
	cfg, _ = h.dev.store.Config(ctx)
	if b, _ := cfg.Binding("asana", "demo-asana"); b.APIURL != "https://asana-proxy.example/api/1.0" {
		t.Fatalf("an api_url of one's own was replaced: %q", b.APIURL)
	}
}

// TestDemoAsanaAnswersMatchEvents: the stand-in serves the same answers as events/ shows (and shared/asana's
// TestReadBackSampleAnswer reads).
func TestDemoAsanaAnswersMatchEvents(t *testing.T) {
	for name, embedded := range map[string][]byte{
		"asana-task-get-response.json":      demoAsanaDone,
		"asana-task-get-todo-response.json": demoAsanaTodo,
	} {
		data, err := os.ReadFile(filepath.Join(eventsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, embedded) {
			t.Errorf("cmd/glassbox/demo/%s differs from events/%s", name, name)
		}
	}
}

// TestMissingSecretsLeaveOutHandshakeSecrets: glassbox dev lists the secrets an agency lacks; an Asana binding's
// secret_param is kept by the handshake, so only its api_param (the token) is for the admin to set.
func TestMissingSecretsLeaveOutHandshakeSecrets(t *testing.T) {
	ctx := context.Background()
	h := newDevHarness(t)
	cfg, err := h.dev.store.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, ok := cfg.Binding("asana", "demo-asana")
	if !ok {
		t.Fatal("the demo has no Asana binding")
	}
	cfg.Bindings = []glassbox.Binding{b}
	cfg.Projects = nil // nothing billed: no link key needed
	if err := h.dev.store.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	missing, err := missingSecrets(ctx, h.dev.store)
	if err != nil || len(missing) != 0 {
		t.Fatalf("missing %v, %v; want none (the token is seeded, the webhook secret comes from the handshake)", missing, err)
	}
}

// TestPreviewAsanaSample: preview reads an Asana task back from a stand-in, not from Asana.
func TestPreviewAsanaSample(t *testing.T) {
	out := t.TempDir()
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"preview", "--event", filepath.Join(eventsDir, "ingest-asana-done.json"),
		"--asana-task", filepath.Join(eventsDir, "asana-task-get-response.json"), "-o", out}, &stdout, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	emls, _ := filepath.Glob(filepath.Join(out, "*.eml"))
	if len(emls) != 1 || !strings.Contains(stdout.String(), "Готово: «Тексты для главной страницы»") {
		t.Errorf("preview wrote %d emails; said:\n%s", len(emls), stdout.String())
	}
}

// TestSecretsDeleteLetsAsanaSubscribeAgain: a kept handshake secret refuses another handshake (409) until the
// admin deletes it with glassbox secrets delete; then the new subscription's secret is kept.
func TestSecretsDeleteLetsAsanaSubscribeAgain(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	const newSecret = "1111111111111111111111111111111111111111111111111111111111111111"
	handshake := func(secret string) int {
		t.Helper()
		dev, err := newDevServer(ctx, data, slog.New(slog.NewTextHandler(io.Discard, nil)), devOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer dev.Close()
		srv := httptest.NewServer(dev)
		defer srv.Close()
		req := mustLoad(t, "ingest-asana-handshake.json")
		req.Headers["x-hook-secret"] = secret
		status, _, err := post(ctx, srv.Client(), srv.URL, req)
		if err != nil {
			t.Fatal(err)
		}
		return status
	}
	if got := handshake(demoAsanaSecret); got != http.StatusOK {
		t.Fatalf("first handshake: %d", got)
	}
	if got := handshake(newSecret); got != http.StatusConflict {
		t.Fatalf("handshake with another secret: %d, want 409", got)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"secrets", "delete", "--data", data, demoAsanaSecretParam}, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "deleted "+demoAsanaSecretParam) {
		t.Fatalf("secrets delete: %v %s", err, out.String())
	}
	if got := handshake(newSecret); got != http.StatusOK {
		t.Fatalf("handshake after secrets delete: %d, want 200", got)
	}
	store, err := openLocal(data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if got, err := store.Secret(ctx, demoAsanaSecretParam); err != nil || got != newSecret {
		t.Fatalf("kept %q, %v; want the new subscription's secret", got, err)
	}
	if err := run(ctx, []string{"secrets", "delete", "--data", t.TempDir(), "/glassbox/none"}, io.Discard, io.Discard); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("deleting a secret that is not there: %v, want not found", err)
	}
}

// TestAsanaReadBackFailures: a task Asana no longer has (404) drops its event, nobody is told; a read-back that
// fails otherwise (here a revoked token: 401) leaves the event unprocessed, and the sweep finishes it once the
// token works again.
func TestAsanaReadBackFailures(t *testing.T) {
	ctx := context.Background()
	h := newDevHarness(t)
	if status, body := h.sendSample("ingest-asana-handshake.json"); status != http.StatusOK {
		t.Fatalf("handshake: %d %s", status, body)
	}
	signed := func(name, fromGID, toGID string) events.APIGatewayV2HTTPRequest {
		req := mustLoad(t, name)
		req.Body = strings.ReplaceAll(req.Body, fromGID, toGID)
		req.Headers["x-hook-signature"] = asana.Sign(demoAsanaSecret, []byte(req.Body))
		return req
	}

	// A task deleted at Asana since: accepted at ingest, dropped by React.
	if status, body := h.send(signed("ingest-asana-done.json", "1207654321000042", "1207654321000999")); status != http.StatusOK || !strings.Contains(body, "accepted") {
		t.Fatalf("delivery for a deleted task: %d %s", status, body)
	}
	if left := h.unprocessed(); len(left) != 0 {
		t.Fatalf("a dropped event stays unprocessed: %+v", left)
	}

	// A revoked token: the event waits.
	if err := h.dev.store.PutSecret(ctx, demoAsanaAPIParam, "revoked-token"); err != nil {
		t.Fatal(err)
	}
	if status, body := h.sendSample("ingest-asana-done.json"); status != http.StatusOK || !strings.Contains(body, "accepted") {
		t.Fatalf("done: %d %s", status, body)
	}
	if left := h.unprocessed(); len(left) != 1 || len(h.mail()) != 0 {
		t.Fatalf("after a failed read-back: %d unprocessed, %d emails; want 1 waiting, none sent", len(left), len(h.mail()))
	}
	if err := h.dev.store.PutSecret(ctx, demoAsanaAPIParam, demoAsanaToken); err != nil {
		t.Fatal(err)
	}
	if res := h.dev.sweepOnce(ctx, -react.MaxSweepBackoff); res.Finished != 1 {
		t.Fatalf("sweep: %+v, want the waiting event finished", res)
	}
	if mail := h.mail(); len(mail) != 1 || !strings.Contains(mail[0].Subject, "Тексты для главной страницы") {
		t.Fatalf("after the sweep: %+v, want the done notice", mail)
	}
}

func (h *devHarness) unprocessed() []glassbox.Event {
	h.t.Helper()
	evs, err := h.dev.store.UnprocessedEvents(context.Background(), time.Now().Add(time.Hour), 100)
	if err != nil {
		h.t.Fatal(err)
	}
	return evs
}
