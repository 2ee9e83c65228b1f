package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// TestDevSimulatedBounce: the outbox's "simulate a bounce" on the client's done notice marks it bounced,
// suppresses the address and tells the manager; the next email to the client (a stage close's act and
// invoice) is recorded as not sent while the accountant's goes out; glassbox suppressions lists the address and
// clears it.
func TestDevSimulatedBounce(t *testing.T) {
	h := newDevHarness(t)
	if status, body := h.sendSample("ingest-trello-done.json"); status != http.StatusOK {
		t.Fatalf("done: %d %s", status, body)
	}
	notice := byRecipient(h.mail(), "anna@romashka.example")
	if len(notice) != 1 {
		t.Fatalf("%d notices to the client", len(notice))
	}
	page, err := h.srv.Client().Get(h.srv.URL + "/outbox/" + notice[0].File)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(body), `action="/dev/bounce"`) || !strings.Contains(page.Header.Get("Content-Security-Policy"), "form-action 'self'") {
		t.Fatalf("the email's page has no working bounce button:\n%s", body)
	}

	client := *h.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.PostForm(h.srv.URL+"/dev/bounce", url.Values{"file": {notice[0].File}, "type": {"bounce"}, "back": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/outbox" {
		t.Fatalf("POST /dev/bounce = %s, want 303 to the outbox", resp.Status)
	}
	reports := byRecipient(h.mail(), "maria@pixel.example")
	if len(reports) != 1 || reports[0].Subject != "Письмо клиенту не дошло: адрес не существует — Новый сайт" {
		t.Fatalf("manager reports = %+v", reports)
	}
	ctx := context.Background()
	id := glassbox.MessageID(h.storedEvents()[0].ID, glassbox.MessageTaskDone, glassbox.AudienceClient, glassbox.ChannelEmail)
	if m, err := h.dev.store.Message(ctx, id); err != nil || m.State != glassbox.MessageBounced {
		t.Fatalf("done notice = %s, %v; want bounced", m.State, err)
	}

	if status, body := h.sendCRM("ingest-amocrm-stage-closed.json"); status != http.StatusOK {
		t.Fatalf("stage close: %d %s", status, body)
	}
	if n := len(byRecipient(h.mail(), "anna@romashka.example")); n != 1 {
		t.Errorf("%d emails to the bounced address, want still only the first", n)
	}
	if n := len(byRecipient(h.mail(), "buh@pixel.example")); n != 1 {
		t.Errorf("%d emails to the accountant, want 1", n)
	}

	h.srv.Close()
	h.dev.Close()
	var out bytes.Buffer
	if err := run(ctx, []string{"suppressions", "list", "--data", h.data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "anna@romashka.example") || !strings.Contains(out.String(), "bounced") {
		t.Errorf("suppressions list:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"suppressions", "clear", "Anna@Romashka.example", "--data", h.data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"suppressions", "clear", "anna@romashka.example", "--data", h.data}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "not suppressed") {
		t.Errorf("clearing twice = %v, want not suppressed", err)
	}
	out.Reset()
	if err := run(ctx, []string{"suppressions", "list", "--data", h.data}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "no suppressed") {
		t.Errorf("after clearing: %q, %v", out.String(), err)
	}
}
