package main

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The feedback links in glassbox dev: "Есть правки" and a rating of 2 are recorded, each once, and reach the
// manager at once; glassbox accounts then shows the rating and the open change request, the project first.
func TestFeedbackLinksAndAccountsCommand(t *testing.T) {
	h := newDevHarness(t)
	cfg, err := h.dev.store.Config(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sign, err := h.dev.links.ApprovalURLs(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, changes := sign("romashka-site", "trello", "card-1", "4f1c0d2e9a8b7c6d5e4f3a2b1c0d9e8f")
	rating, err := h.dev.links.RatingURL(t.Context(), cfg, "romashka-site", "5f2b7c0e9a1d4c3b8e6f0a2d4c6e8a0b", 2)
	if err != nil || !strings.HasPrefix(changes, h.srv.URL+"/a/") || !strings.HasPrefix(rating, h.srv.URL+"/r/") {
		t.Fatalf("links %s, %s, %v", changes, rating, err)
	}
	urgent := func() int {
		n := 0
		for _, m := range h.mail() {
			if strings.HasPrefix(m.Subject, "Срочно:") {
				n++
			}
		}
		return n
	}
	for _, link := range []string{changes, rating} {
		before := urgent()
		resp, err := h.srv.Client().Get(link)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || urgent() != before {
			t.Fatalf("GET %s: %d, %d urgent notices, want %d", link, resp.StatusCode, urgent(), before)
		}
		for range 2 {
			resp, err := h.srv.Client().PostForm(link, url.Values{"comment": {"поправьте шапку"}, "score": {"2"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("POST %s: %d", link, resp.StatusCode)
			}
		}
	}
	if n := urgent(); n != 2 {
		t.Fatalf("%d urgent notices to the manager, want 2 (changes, rating 2)", n)
	}
	if resp, err := h.srv.Client().Post(h.srv.URL+"/a/forged.x.y.z.w.sig", "application/x-www-form-urlencoded", nil); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("forged link: %v, want 404", err)
	}

	h.srv.Close()
	h.dev.Close()
	var out bytes.Buffer
	if err := run(t.Context(), []string{"accounts", "--data", h.data}, &out, io.Discard); err != nil {
		t.Fatalf("accounts: %v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "PROJECT") || !strings.HasPrefix(lines[1], "romashka-site") ||
		!strings.Contains(lines[1], "2/5") {
		t.Fatalf("accounts:\n%s", out.String())
	}
	if f := strings.Fields(lines[1]); f[len(f)-2] != "1" {
		t.Errorf("CHANGES OPEN of romashka-site is %s, want 1:\n%s", f[len(f)-2], out.String())
	}
}
