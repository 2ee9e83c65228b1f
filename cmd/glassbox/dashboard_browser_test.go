package main

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

var updateScreenshots = flag.Bool("update", false, "rewrite the dashboard screenshots in testdata/")

// chromiumPath finds Chromium, installing it with scripts/tools.sh (as make test's tools step does) when it is
// missing. The test skips only when that cannot work (no apt-get, not root and no sudo).
func chromiumPath(t *testing.T) string {
	t.Helper()
	find := func() string {
		for _, name := range []string{"chromium", "chromium-browser"} {
			if p, err := exec.LookPath(name); err == nil {
				return p
			}
		}
		return ""
	}
	if p := find(); p != "" {
		return p
	}
	out, err := exec.Command("../../scripts/tools.sh").CombinedOutput()
	if p := find(); p != "" {
		return p
	}
	t.Skipf("chromium is not installed and scripts/tools.sh could not install it (%v): %s", err, out)
	return ""
}

// headless runs Chromium headless on url at a window width, with the flags a container needs (root: no sandbox).
func headless(t *testing.T, chromium string, width int, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
		"--no-first-run", "--disable-extensions", "--user-data-dir=" + t.TempDir(),
		"--window-size=" + strconv.Itoa(width) + ",2400"}
	cmd := exec.CommandContext(ctx, chromium, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

// The dashboard in a real browser: the demo project's page, with a task titled as a script, at phone and desktop
// widths. The title shows as text and no script element exists; the screenshots are kept under testdata for
// review (rewritten with -update) and compared loosely: the same width, and not blank.
func TestDashboardInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	h := newDevHarness(t)
	var out strings.Builder
	if err := run(t.Context(), []string{"demo", "--url", h.srv.URL, "--events", eventsDir}, &out, &out); err != nil {
		t.Fatalf("make demo: %v\n%s", err, out.String())
	}
	hostile := glassbox.Task{ProjectID: demoDashboardProject, Provider: "trello", TaskID: "hostile", Title: `<script>alert(1)</script>`,
		Status: glassbox.StatusWaiting, CreatedAt: time.Now().UTC(), LastEventAt: time.Now().UTC(), Version: 1}
	if err := h.dev.store.PutTask(t.Context(), hostile); err != nil {
		t.Fatal(err)
	}
	link, err := h.dev.dashboardURL(t.Context(), demoDashboardProject)
	if err != nil {
		t.Fatal(err)
	}

	dom := string(headless(t, chromium, 390, "--dump-dom", link))
	if !strings.Contains(dom, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the hostile title is not shown as text:\n%s", dom)
	}
	if strings.Contains(strings.ToLower(dom), "<script") {
		t.Errorf("the page has a script element:\n%s", dom)
	}
	for _, want := range []string{`id="waiting"`, `id="roadmap"`, `id="passport"`, `id="tasks"`, `id="numbers"`, `id="documents"`, `id="timeline"`, "<svg",
		// make demo seals the history it writes: the timeline shows its seal and the check that it is intact; the
		// week's done tasks offer the client an answer.
		`id="deliverables"`, "Принять", "Есть правки", "Печать № 1", "Проверено"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if w, r := strings.Index(dom, `id="waiting"`), strings.Index(dom, `id="roadmap"`); w < 0 || w > r {
		t.Error("waiting on you is not on top")
	}

	for _, shot := range []struct {
		name  string
		width int
	}{{"phone", 390}, {"desktop", 1280}} {
		path := filepath.Join(t.TempDir(), shot.name+".png")
		headless(t, chromium, shot.width, "--screenshot="+path, link)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s screenshot: %v", shot.name, err)
		}
		if got := img.Bounds().Dx(); got != shot.width {
			t.Errorf("%s screenshot is %d px wide, want %d", shot.name, got, shot.width)
		}
		if blank(img) {
			t.Errorf("%s screenshot is blank", shot.name)
		}
		golden := filepath.Join("testdata", "dashboard-"+shot.name+".png")
		if *updateScreenshots {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		// Loose: the page shows today's dates, so pixels differ day to day; the golden is for review.
		g, err := os.Open(golden)
		if err != nil {
			t.Fatalf("%v (go test ./cmd/glassbox -run TestDashboardInChromium -update writes it)", err)
		}
		cfg, err := png.DecodeConfig(g)
		g.Close()
		if err != nil || cfg.Width != img.Bounds().Dx() {
			t.Errorf("%s: golden %s is %d px wide (%v), the page %d", shot.name, golden, cfg.Width, err, img.Bounds().Dx())
		}
	}
}

// blank says whether an image is one colour throughout (a page that did not render).
func blank(img image.Image) bool {
	b := img.Bounds()
	first := img.At(b.Min.X, b.Min.Y)
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			if img.At(x, y) != first {
				return false
			}
		}
	}
	return true
}
