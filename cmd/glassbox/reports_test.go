package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// A report's unsubscribe link in glassbox dev: opening it changes nothing, the one-click POST (twice) records
// one unsubscription and tells the manager once; glassbox reports lists it and switches the reports back on.
func TestUnsubscribeLinkAndReportsCommand(t *testing.T) {
	h := newDevHarness(t)
	cfg, err := h.dev.store.Config(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	link, err := h.dev.links.UnsubscribeURL(t.Context(), cfg, "romashka-site", "Anna@Romashka.example", "4f1c0d2e9a8b7c6d5e4f3a2b1c0d9e8f")
	if err != nil || !strings.HasPrefix(link, h.srv.URL+"/u/") {
		t.Fatalf("link %s, %v; want %s/u/{token}", link, err, h.srv.URL)
	}
	notices := func() int {
		n := 0
		for _, m := range h.mail() {
			if strings.HasPrefix(m.Subject, "Отписка от отчётов: anna@romashka.example") {
				n++
			}
		}
		return n
	}
	resp, err := h.srv.Client().Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Отписаться") || notices() != 0 {
		t.Fatalf("GET: %d, %d notices\n%s", resp.StatusCode, notices(), page)
	}
	for i := range 2 {
		resp, err := h.srv.Client().Post(link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %d: %d", i+1, resp.StatusCode)
		}
	}
	if n := notices(); n != 1 {
		t.Fatalf("%d notices to the manager, want 1", n)
	}
	if resp, err := h.srv.Client().Post(h.srv.URL+"/u/forged.token.x.y", "application/x-www-form-urlencoded", nil); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("forged link: %v %v, want 404", resp.StatusCode, err)
	}

	h.srv.Close()
	h.dev.Close()
	var out bytes.Buffer
	if err := run(t.Context(), []string{"reports", "unsubscribed", "--project", "romashka-site", "--data", h.data}, &out, io.Discard); err != nil ||
		strings.Count(out.String(), "anna@romashka.example") != 1 {
		t.Fatalf("reports unsubscribed: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(t.Context(), []string{"reports", "resubscribe", "--project", "romashka-site", "--email", "ANNA@romashka.example", "--data", h.data}, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "resubscribed anna@romashka.example") {
		t.Fatalf("reports resubscribe: %v\n%s", err, out.String())
	}
	if err := run(t.Context(), []string{"reports", "resubscribe", "--project", "romashka-site", "--email", "anna@romashka.example", "--data", h.data}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "has not switched off") {
		t.Fatalf("resubscribing twice = %v", err)
	}
	out.Reset()
	if err := run(t.Context(), []string{"reports", "unsubscribed", "--data", h.data}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "nobody") {
		t.Fatalf("after resubscribing: %v\n%s", err, out.String())
	}
}
