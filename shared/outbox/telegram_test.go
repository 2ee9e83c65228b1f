package outbox_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/outbox"
)

// Telegram messages the dev Bot API stand-in accepted show on the outbox page beside the emails, escaped.
func TestTelegramBesideEmails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m := outbox.New(dir)
	text := "Анна, добрый день!\n\nГотово: «Макет» &lt;script&gt;\n\n<a href=\"https://trello.com/c/x\">Посмотреть</a>"
	if err := m.PostTelegram(t.Context(), "-1001234567890", text); err != nil {
		t.Fatal(err)
	}
	list, err := outbox.ListTelegram(dir)
	if err != nil || len(list) != 1 || list[0].Chat != "-1001234567890" || list[0].Text != text {
		t.Fatalf("ListTelegram = %+v, %v", list, err)
	}
	if mail, err := outbox.List(dir); err != nil || len(mail) != 0 {
		t.Fatalf("List (emails) = %+v, %v; a Telegram message is not an email", mail, err)
	}
	srv := httptest.NewServer(outbox.Handler(dir))
	t.Cleanup(srv.Close)
	resp, body := get(t, srv.URL+"/outbox")
	page := string(body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "1 Telegram") || !strings.Contains(page, "-1001234567890") ||
		!strings.Contains(page, `href="/outbox/`+list[0].File+`"`) || !strings.Contains(page, "Анна, добрый день!") {
		t.Fatalf("list page:\n%s", page)
	}
	if strings.Contains(page, "<script") {
		t.Errorf("list page has an unescaped <script:\n%s", page)
	}
	resp, body = get(t, srv.URL+"/outbox/"+list[0].File)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Telegram to -1001234567890") || strings.Contains(string(body), "<script") {
		t.Fatalf("detail page %s:\n%s", resp.Status, body)
	}
}
