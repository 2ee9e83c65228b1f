package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/timeline"
)

func getBody(t *testing.T, client *http.Client, u string) (int, http.Header, string) {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

var dashboardURLPattern = regexp.MustCompile(`https?://\S+/p/[A-Za-z0-9_-]{43}`)

// make demo prints the demo project's dashboard link; it opens the page with the demo's documents, whose PDF
// links download; the index page shows the same link.
func TestDevDashboard(t *testing.T) {
	h := newDevHarness(t)
	var out strings.Builder
	if err := run(t.Context(), []string{"demo", "--url", h.srv.URL, "--events", eventsDir}, &out, io.Discard); err != nil {
		t.Fatalf("make demo: %v\n%s", err, out.String())
	}
	link := dashboardURLPattern.FindString(out.String())
	if link == "" || !strings.Contains(out.String(), "The client's dashboard of romashka-site: "+h.srv.URL+"/p/") {
		t.Fatalf("make demo printed no dashboard link:\n%s", out.String())
	}
	status, header, page := getBody(t, h.srv.Client(), link)
	if status != http.StatusOK || !strings.Contains(header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("dashboard: %d %v\n%s", status, header, page)
	}
	for _, want := range []string{"Новый сайт", "120 заявок в месяц", "Дорожная карта", "Счета и акты", "<svg", "Хронология"} {
		if !strings.Contains(page, want) {
			t.Errorf("the demo dashboard lacks %q", want)
		}
	}
	// The demo closes the second stage (Вёрстка) first: the current one is the one after it, not the first.
	if !regexp.MustCompile(`<div class="stage current">Программирование`).MatchString(page) ||
		!regexp.MustCompile(`<div class="stage closed">Вёрстка`).MatchString(page) {
		t.Errorf("the roadmap's current stage is not the one after the last closed:\n%s", page)
	}
	pdf := regexp.MustCompile(`href="([^"]*/documents/[^"]+)"`).FindStringSubmatch(page)
	if pdf == nil {
		t.Fatalf("no PDF link on the demo dashboard:\n%s", page)
	}
	pdfURL := strings.ReplaceAll(pdf[1], "&amp;", "&")
	if status, header, body := getBody(t, h.srv.Client(), pdfURL); status != http.StatusOK || header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF") {
		t.Errorf("the PDF link %s: %d %s", pdfURL, status, header.Get("Content-Type"))
	}
	if _, _, index := getBody(t, h.srv.Client(), h.srv.URL+"/"); !strings.Contains(index, link) {
		t.Errorf("the index page does not show %s", link)
	}
	// The timeline's state: make demo sealed the history it wrote and checked it; the page names the newest seal
	// and how to verify it. A later seal shows after the next refresh (SealFunction's run, glassbox dev's tick).
	seals, err := h.dev.store.Seals(t.Context(), "romashka-site")
	if err != nil || len(seals) == 0 {
		t.Fatalf("make demo left the demo project unsealed: %v, %v", seals, err)
	}
	head := seals[len(seals)-1].Hash
	for _, want := range []string{"glassbox verify --project romashka-site --checkpoint " + head, "Проверено", "всё совпадает с тем, что было запечатано"} {
		if !strings.Contains(page, want) {
			t.Errorf("the demo dashboard lacks %q", want)
		}
	}
	made, err := timeline.Sealer{Store: h.dev.store, Clock: fixedClock{time.Now().Add(2 * time.Minute)}}.Seal(t.Context(), "romashka-site")
	if err != nil || len(made) == 0 {
		t.Fatalf("sealing the demo project: %v, %v", made, err)
	}
	h.dev.seal(t.Context())
	head = made[len(made)-1].Hash
	if _, _, page := getBody(t, h.srv.Client(), link); !strings.Contains(page, "glassbox verify --project romashka-site --checkpoint "+head) {
		t.Errorf("the dashboard does not show the newest seal %s after a refresh", head)
	}
}

// glassbox links: create prints a working URL once and stores only its hash; list shows no token; rotate gives
// a new URL and the old one answers 404; revoke closes a link.
func TestLinksCommand(t *testing.T) {
	h := newDevHarness(t)
	h.srv.Close()
	h.dev.Close()
	data := h.data
	links := func(args ...string) (string, string, error) {
		var out, errOut strings.Builder
		err := run(t.Context(), append(append([]string{"links"}, args...), "--data", data), &out, &errOut)
		return out.String(), errOut.String(), err
	}
	if _, _, err := links("create", "--project", "romashka-site", "--client", "romashka"); err == nil {
		t.Error("create with both --project and --client worked")
	}
	if _, _, err := links("create", "--project", "nope", "--base-url", "https://dash.example"); err == nil || !strings.Contains(err.Error(), `no project "nope"`) {
		t.Errorf("create for an unknown project: %v", err)
	}
	out, _, err := links("create", "--project", "romashka-site", "--base-url", "https://dash.example", "--expires", "2099-01-01")
	first := strings.TrimSpace(out)
	if err != nil || !regexp.MustCompile(`^https://dash\.example/p/[A-Za-z0-9_-]{43}$`).MatchString(first) {
		t.Fatalf("create: %v %q", err, out)
	}
	token := first[strings.LastIndex(first, "/")+1:]
	_, _, err = links("create", "--client", "northwind", "--base-url", "https://dash.example")
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := links("list")
	if err != nil || strings.Contains(list, token) || !strings.Contains(list, "project romashka-site") || !strings.Contains(list, "client northwind") ||
		!strings.Contains(list, "2099-01-01") {
		t.Fatalf("list: %v\n%s", err, list)
	}
	id := regexp.MustCompile(`(?m)^([0-9a-f]{12})\s+project romashka-site`).FindStringSubmatch(list)
	if id == nil {
		t.Fatalf("no id in:\n%s", list)
	}
	out, _, err = links("rotate", "--id", id[1], "--base-url", "https://dash.example")
	second := strings.TrimSpace(out)
	if err != nil || second == first || !strings.HasPrefix(second, "https://dash.example/p/") {
		t.Fatalf("rotate: %v %q", err, out)
	}
	// A rotated link keeps the old one's expiry: rotating a leaked link must not make it last for ever.
	if list, _, err := links("list"); err != nil || !regexp.MustCompile(`(?m)project romashka-site\s+\S+ \S+ UTC\s+2099-01-01\s+live$`).MatchString(list) {
		t.Errorf("after rotate, no live link expiring 2099-01-01: %v\n%s", err, list)
	}
	if _, _, err := links("revoke", "--id", "abc"); err == nil {
		t.Error("revoke with a too short id worked")
	}

	dev, err := newDevServer(context.Background(), data, slog.New(slog.NewTextHandler(io.Discard, nil)), devOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(dev)
	t.Cleanup(func() { srv.Close(); dev.Close() })
	path := func(u string) string { return srv.URL + u[strings.Index(u, "/p/"):] }
	if status, _, _ := getBody(t, srv.Client(), path(first)); status != http.StatusNotFound {
		t.Errorf("the rotated-out link: %d, want 404", status)
	}
	if status, _, page := getBody(t, srv.Client(), path(second)); status != http.StatusOK || !strings.Contains(page, "Новый сайт") {
		t.Errorf("the new link: %d", status)
	}
}
