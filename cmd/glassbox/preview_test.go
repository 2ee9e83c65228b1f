package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/outbox"
)

// An agency file of its own, with a Telegram group and a template override, previews a Trello sample as the
// event of its project (--project), though it has no binding the sample names: each channel's copy is a file.
func TestPreviewShowsEveryChannelOfTheProjectsEvent(t *testing.T) {
	const agency = `agency:
  name: Studio
  sender: notify@studio.example
  locale: en
  time_zone: Europe/Berlin
  telegram_bot_param: /glassbox/telegram/bot
clients:
  - id: acme
    name: Acme
    contacts:
      - name: Anna Smith
        email: anna@acme.example
    telegram_chat_id: "-1001234567890"
projects:
  - id: acme-site
    client: acme
    name: Acme site
    manager:
      name: Maria
      email: maria@studio.example
    templates:
      task_done:
        telegram: "<b>{{title}}</b> is ready: {{link \"see it\"}}"
`
	dir := t.TempDir()
	file := filepath.Join(dir, "agency.yaml")
	if err := os.WriteFile(file, []byte(agency), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"preview", "-f", file, "--event", "../../events/ingest-trello-done.json",
		"--project", "acme-site", "-o", out}, &stdout, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	emls, _ := filepath.Glob(filepath.Join(out, "*.eml"))
	pages, _ := filepath.Glob(filepath.Join(out, "*.html"))
	chats, _ := outbox.ListTelegram(out)
	if len(emls) != 1 || len(pages) != 1 || len(chats) != 1 {
		t.Fatalf("wrote %d .eml, %d .html, %d Telegram files; said:\n%s", len(emls), len(pages), len(chats), stdout.String())
	}
	page, _ := os.ReadFile(pages[0])
	if !strings.Contains(string(page), "this is the Studio assistant") || !strings.Contains(stdout.String(), "Acme site") {
		t.Errorf("the email is not the project's:\n%s\n%s", page, stdout.String())
	}
	if chat := chats[0]; chat.Chat != "-1001234567890" || !strings.HasPrefix(chat.Text, "<b>") || !strings.Contains(chat.Text, "</b> is ready: <a href=") {
		t.Errorf("Telegram message is not the project's template: %+v", chat)
	}

	err = run(context.Background(), []string{"preview", "-f", file, "--event", "../../events/ingest-trello-done.json",
		"--project", "nope", "-o", out}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `no project "nope"`) {
		t.Errorf("an unknown project: err = %v", err)
	}
}
