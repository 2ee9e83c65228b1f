package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
	"github.com/glassbox-oss/glassbox/shared/trello"
)

// TestHelpSucceeds: every `glassbox COMMAND -h` exited 1 with "glassbox: flag: help requested". Help goes to
// stdout and is a success, for every command and verb, as -h, --help and `glassbox help COMMAND`.
func TestHelpSucceeds(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-h"}, "Commands:"},
		{[]string{"help"}, "Commands:"},
		{[]string{"apply", "-h"}, "usage: glassbox apply"},
		{[]string{"dev", "-h"}, "usage: glassbox dev"},
		{[]string{"dev", "--help"}, "usage: glassbox dev"},
		{[]string{"demo", "-h"}, "usage: glassbox demo"},
		{[]string{"replay", "-h"}, "usage: glassbox replay"},
		{[]string{"preview", "-h"}, "usage: glassbox preview"},
		{[]string{"documents", "-h"}, "usage: glassbox documents list|get|void"},
		{[]string{"documents", "list", "-h"}, "usage: glassbox documents list"},
		{[]string{"documents", "get", "-h"}, "usage: glassbox documents get"},
		{[]string{"documents", "void", "-h"}, "usage: glassbox documents void"},
		{[]string{"secrets", "-h"}, "usage: glassbox secrets set"},
		{[]string{"secrets", "set", "-h"}, "usage: glassbox secrets set"},
		{[]string{"secrets", "delete", "-h"}, "usage: glassbox secrets delete"},
		{[]string{"help", "dev"}, "usage: glassbox dev"},
		{[]string{"help", "apply"}, "usage: glassbox apply"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if err := run(context.Background(), tt.args, &stdout, &stderr); err != nil {
				t.Fatalf("error %v (exits 1); stderr:\n%s", err, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.want) {
				t.Errorf("stdout lacks %q:\n%s", tt.want, stdout.String())
			}
		})
	}
	t.Run("WrongFlagFails", func(t *testing.T) {
		var stderr bytes.Buffer
		if err := run(context.Background(), []string{"dev", "-nope"}, io.Discard, &stderr); err == nil || !strings.Contains(stderr.String(), "usage: glassbox dev") {
			t.Fatalf("err = %v, stderr:\n%s", err, stderr.String())
		}
	})
}

// TestDocumentsVerbsShowOnlyTheirFlags: list, get and void each showed all three's flags and -create-table.
func TestDocumentsVerbsShowOnlyTheirFlags(t *testing.T) {
	for _, tt := range []struct {
		verb      string
		want, not []string
	}{
		{"list", []string{"-project", "-table", "-data"}, []string{"-id", "-reason", "-o ", "-create-table"}},
		{"get", []string{"-id", "-o ", "-table", "-data"}, []string{"-project", "-reason", "-create-table"}},
		{"void", []string{"-id", "-reason", "-table", "-data"}, []string{"-project", "-o ", "-create-table"}},
	} {
		t.Run(tt.verb, func(t *testing.T) {
			var stdout bytes.Buffer
			if err := run(context.Background(), []string{"documents", tt.verb, "-h"}, &stdout, io.Discard); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout.String(), "  "+w) {
					t.Errorf("help lacks %s:\n%s", w, stdout.String())
				}
			}
			for _, n := range tt.not {
				if strings.Contains(stdout.String(), "  "+n) {
					t.Errorf("help shows %s, which is not a flag of documents %s:\n%s", n, tt.verb, stdout.String())
				}
			}
		})
	}
	err := run(context.Background(), []string{"documents", "list"}, io.Discard, io.Discard)
	if err == nil || strings.Contains(err.Error(), "write") || !strings.Contains(err.Error(), "--data DIR") {
		t.Errorf("documents list without a store: %v, want it to ask which store (not where to write)", err)
	}
}

// TestDocumentsListFormatsTotalsAsTheDocuments: list printed "150,000.00 RUB" where the emails, the documents and
// the dev page print «150 000,00 ₽».
func TestDocumentsListFormatsTotalsAsTheDocuments(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	dev, err := newDevServer(ctx, data, slog.New(slog.NewTextHandler(io.Discard, nil)), devOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(dev)
	if err := dev.setBaseURL(ctx, srv.URL); err != nil {
		t.Fatal(err)
	}
	status, body, err := post(ctx, srv.Client(), srv.URL, mustLoad(t, "ingest-amocrm-stage-closed.json"))
	srv.Close()
	dev.Close()
	if err != nil || status != http.StatusOK {
		t.Fatalf("amoCRM sample: %d %s %v", status, body, err)
	}
	store, err := openLocal(data)
	if err != nil {
		t.Fatal(err)
	}
	if hint := strings.Join(devHints(ctx, store, "127.0.0.1:9090", data), "\n"); !strings.Contains(hint, "make demo URL=http://127.0.0.1:9090") {
		t.Errorf("glassbox dev on the demo agency at another address says:\n%s", hint)
	}
	store.Close()
	var out bytes.Buffer
	if err := run(ctx, []string{"documents", "list", "--data", data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if want := money.Format(15000000, "RUB", glassbox.LocaleRU); !strings.Contains(out.String(), want) || strings.Contains(out.String(), "RUB") {
		t.Errorf("documents list:\n%s\nwant totals as «150 000,00 ₽»", out.String())
	}
}

// TestDemoPostsToTheGivenURL: `glassbox dev --addr 127.0.0.1:9090` was documented, and make demo always posted
// to :8080. glassbox demo --url and make demo URL=... (or ADDR=...) post where they are told.
func TestDemoPostsToTheGivenURL(t *testing.T) {
	var (
		mu    sync.Mutex
		paths []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		_, _ = io.WriteString(w, `{"status":"accepted"}`)
	}))
	defer srv.Close()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo", "--url", srv.URL, "--events", eventsDir}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	// The last request reads the demo dashboard's link to print it (issue 10).
	if len(paths) != len(demoOrder)+3 || paths[0] != "/hooks/trello/demo-board" || paths[len(paths)-3] != "/dev/history" ||
		paths[len(paths)-2] != "/admin/remind" || paths[len(paths)-1] != "/dev/dashboard-link" {
		t.Errorf("demo posted %d requests %v, want the %d samples, the demo history, the reminder pass and the dashboard link", len(paths), paths, len(demoOrder))
	}
	if !strings.Contains(out.String(), srv.URL+"/outbox") {
		t.Errorf("demo does not point at the outbox of %s:\n%s", srv.URL, out.String())
	}

	for _, tt := range []struct{ args, want string }{
		{"URL=http://127.0.0.1:9090", "demo --url http://127.0.0.1:9090"},
		{"ADDR=127.0.0.1:9191", "demo --url http://127.0.0.1:9191"},
		{"", "demo --url http://127.0.0.1:8080"},
	} {
		cmd := exec.Command("make", "-s", "-n", "-C", "../..", "demo")
		if tt.args != "" {
			cmd.Args = append(cmd.Args, tt.args)
		}
		got, err := cmd.Output()
		if err != nil || !strings.Contains(string(got), tt.want) {
			t.Errorf("make demo %s runs %q (%v), want %q", tt.args, got, err, tt.want)
		}
	}
}

// ownAgency is an agency of one's own, as a newcomer applies it to try glassbox dev: one Trello board, on the
// demo sample's board and lists.
const ownAgency = `agency:
  name: Own Studio
  sender: Own Studio <notify@own.example>
  locale: en
  time_zone: Europe/Berlin
clients:
  - id: acme
    name: Acme
    contacts: [{name: Ann Lee, email: ann@acme.example}]
projects:
  - id: acme-site
    client: acme
    name: Acme site
    manager: {name: Paul Roe, email: paul@own.example}
bindings:
  - id: own-board
    provider: trello
    project: acme-site
    external_id: 6640aa11bb22cc33dd44ee00
    secret_param: /glassbox/trello/own-board
    callback_url: https://own-tunnel.example/hooks/trello/own-board
    status_map:
      done: [6640aa11bb22cc33dd44ee03]
`

// TestOwnAgencyDeliversAfterSecretsSet: with one's own agency applied to the local store, nothing could put its
// webhook secret there, so every delivery got 500. glassbox secrets set stores it, and the delivery gets 200.
func TestOwnAgencyDeliversAfterSecretsSet(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	file := filepath.Join(t.TempDir(), "own.yaml")
	if err := os.WriteFile(file, []byte(ownAgency), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"apply", "-f", file, "--data", data}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	const secret = "own-trello-app-secret"
	req := mustLoad(t, "ingest-trello-done.json")
	req.RawPath = "/hooks/trello/own-board"
	req.Headers["x-trello-webhook"] = trello.Sign(secret, []byte(req.Body), "https://own-tunnel.example/hooks/trello/own-board")
	deliver := func() (int, string, []string) {
		t.Helper()
		dev, err := newDevServer(ctx, data, slog.New(slog.NewTextHandler(io.Discard, nil)), devOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer dev.Close()
		missing, err := missingSecrets(ctx, dev.store)
		if err != nil {
			t.Fatal(err)
		}
		hints := strings.Join(devHints(ctx, dev.store, "127.0.0.1:9090", data), "\n")
		if !strings.Contains(hints, "tunnel") || strings.Contains(hints, "make demo") ||
			(len(missing) > 0) != strings.Contains(hints, "secrets set --data "+data) {
			t.Errorf("glassbox dev says, with %v missing:\n%s", missing, hints)
		}
		srv := httptest.NewServer(dev)
		defer srv.Close()
		status, body, err := post(ctx, srv.Client(), srv.URL, req)
		if err != nil {
			t.Fatal(err)
		}
		return status, body, missing
	}

	status, _, missing := deliver()
	if status != http.StatusInternalServerError || strings.Join(missing, ",") != "/glassbox/trello/own-board" {
		t.Fatalf("before secrets set: %d, missing %v; want 500 and the board's secret missing", status, missing)
	}
	for _, args := range [][]string{
		{"secrets", "set", "--data", data, "/glassbox/trello/own-board", secret},
		{"secrets", "set", "--data", data, "/glassbox/links/key", "own-link-key-0123456789abcdef0123456789"},
	} {
		var out bytes.Buffer
		if err := run(ctx, args, &out, io.Discard); err != nil || !strings.Contains(out.String(), "stored "+args[4]) {
			t.Fatalf("%v: %v %s", args, err, out.String())
		}
	}
	status, body, missing := deliver()
	if status != http.StatusOK || !strings.Contains(body, "accepted") || len(missing) != 0 {
		t.Fatalf("after secrets set: %d %s, missing %v; want 200 accepted", status, body, missing)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"secrets", "delete", "--data", data, "/glassbox/trello/own-board"}, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "deleted /glassbox/trello/own-board") {
		t.Fatalf("secrets delete: %v %s", err, out.String())
	}
	if status, _, missing := deliver(); status != http.StatusInternalServerError || strings.Join(missing, ",") != "/glassbox/trello/own-board" {
		t.Fatalf("after secrets delete: %d, missing %v; want 500 and the cleared secret missing", status, missing)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"secrets", "set", "--data", data, "glassbox/x", "v"}, "starts with \"/\""},
		{[]string{"secrets", "set", "--data", data, "/glassbox/links/key", "short"}, "at least 32"},
		{[]string{"secrets", "set", "/glassbox/x", "v"}, "give --data DIR"},
		{[]string{"secrets", "get"}, "say set or delete"},
		{[]string{"secrets", "delete", "/glassbox/x"}, "give --data DIR"},
	} {
		if err := run(ctx, tt.args, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v = %v, want %q", tt.args, err, tt.want)
		}
	}
}

// TestLongTitleMakesASmallEmail: a 100 KB card title made a 771 KB email with a 51,223-character subject, and a
// right-to-left override in a title reordered the subject a mail program shows.
func TestLongTitleMakesASmallEmail(t *testing.T) {
	h := newDevHarness(t)
	req := mustLoad(t, "ingest-trello-done.json")
	var action map[string]any
	if err := json.Unmarshal([]byte(req.Body), &action); err != nil {
		t.Fatal(err)
	}
	title := "Счёт\u202Efdp.exe " + strings.Repeat("очень длинное название ", 4500) // about 100 KB
	action["action"].(map[string]any)["data"].(map[string]any)["card"].(map[string]any)["name"] = title
	body, err := json.Marshal(action)
	if err != nil {
		t.Fatal(err)
	}
	req.Body = string(body)
	req.Headers["x-trello-webhook"] = trello.Sign(demoSecrets["/glassbox/trello/demo-board"], body, "https://demo.glassbox.example/hooks/trello/demo-board")
	if status, resp := h.send(req); status != http.StatusOK {
		t.Fatalf("%d %s", status, resp)
	}
	mail := h.mail()
	if len(mail) != 1 {
		t.Fatalf("got %d emails, want 1", len(mail))
	}
	m := mail[0]
	if n := utf8.RuneCountInString(m.Subject); n > 120 || !strings.HasPrefix(m.Subject, "Готово: «Счётfdp.exe очень") || !strings.HasSuffix(m.Subject, "…» — Новый сайт") {
		t.Errorf("subject (%d characters) = %q", n, m.Subject)
	}
	raw, err := os.ReadFile(filepath.Join(h.data, "outbox", m.File))
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) > 20_000 {
		t.Errorf("the email is %d bytes", len(raw))
	}
}
