package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/outbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

func TestApplyValidatesAndWrites(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	var out bytes.Buffer
	if err := run(ctx, []string{"apply", "-f", "demo/agency.yaml", "--data", data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	// The demo gains a binding with each provider; the count is the demo file's own.
	demo, err := agencyfile.Parse(demoAgency, providers.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), fmt.Sprintf("2 clients, 4 projects, %d bindings", len(demo.Bindings))) {
		t.Fatalf("apply said %q", out.String())
	}
	// Asana's secret comes from its handshake: apply does not tell the admin to set it.
	if want := "hook for asana/demo-asana: <base URL>/hooks/asana/demo-asana (secret kept from the subscription handshake under /glassbox/hooks/demo-asana)"; !strings.Contains(out.String(), want) {
		t.Errorf("apply said %q, want %q", out.String(), want)
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("agency:\n  name: X\n  sender: nobody\n  locale: ru\n  time_zone: UTC\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = run(ctx, []string{"apply", "-f", bad, "--data", data}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "line 3: agency.sender") || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("apply of an invalid file = %v", err)
	}
	if err := run(ctx, []string{"apply", "-f", bad}, io.Discard, io.Discard); err == nil {
		t.Fatal("apply without a store gave no error")
	}
}

// TestReplayRecoversAFailedSend: in glassbox dev a failed send is logged; replay processes the stored event
// again and the notice goes out once.
func TestReplayRecoversAFailedSend(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	// A file where the outbox folder should be makes every send fail.
	blocker := filepath.Join(data, "outbox")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dev, err := newDevServer(ctx, data, slog.New(slog.NewTextHandler(io.Discard, nil)), devOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(dev)
	status, body, err := post(ctx, srv.Client(), srv.URL, mustLoad(t, "ingest-trello-done.json"))
	srv.Close()
	dev.Close()
	if err != nil || status != 200 || !strings.Contains(body, "accepted") {
		t.Fatalf("done delivery: %d %s %v", status, body, err)
	}
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}

	for i := 0; i < 2; i++ {
		var out bytes.Buffer
		if err := run(ctx, []string{"replay", "--data", data, "--from", "2000-01-01T00:00:00Z"}, &out, io.Discard); err != nil {
			t.Fatalf("replay %d: %v\n%s", i, err, out.String())
		}
		if !strings.Contains(out.String(), "replayed 1 events") {
			t.Fatalf("replay %d said %q", i, out.String())
		}
	}
	mail, err := outbox.List(filepath.Join(data, "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	if len(mail) != 1 || mail[0].To[0] != "Анна Смирнова <anna@romashka.example>" {
		t.Fatalf("after two replays: %d emails %+v, want the one client notice", len(mail), mail)
	}
}

func TestPreviewWritesTheDocumentsAndEmailsOfASample(t *testing.T) {
	out := t.TempDir()
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"preview", "--event", "../../events/ingest-bitrix24-deal-updated.json",
		"--bitrix-deal", "../../events/bitrix24-crm-deal-get-response.json", "-o", out}, &stdout, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Акт ПК-" + issueYear() + "-0001.pdf", "Счёт ПК-" + issueYear() + "-0001.pdf"} {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil || !bytes.HasPrefix(data, []byte("%PDF-")) {
			t.Errorf("%s: %v (%d bytes)", name, err, len(data))
		}
	}
	emls, _ := filepath.Glob(filepath.Join(out, "*.eml"))
	if len(emls) != 2 || !strings.Contains(stdout.String(), "Этап «Каталог» закрыт") {
		t.Errorf("preview wrote %d emails; said:\n%s", len(emls), stdout.String())
	}
}

// A done notice of the demo project previews as its email and its Telegram copy for the client's group.
func TestPreviewShowsTheTelegramCopy(t *testing.T) {
	out := t.TempDir()
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"preview", "--event", "../../events/ingest-trello-done.json", "-o", out}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	emls, _ := filepath.Glob(filepath.Join(out, "*.eml"))
	chats, _ := filepath.Glob(filepath.Join(out, "*.tg.json"))
	if len(emls) != 1 || len(chats) != 1 || !strings.Contains(stdout.String(), "to Telegram chat -1001234567890") {
		t.Errorf("preview wrote %d emails and %d Telegram messages; said:\n%s", len(emls), len(chats), stdout.String())
	}
}
