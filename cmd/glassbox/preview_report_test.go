package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

// TestPreviewDigestAndMonthly: glassbox preview digest|monthly read the data folder of glassbox dev and write
// the emails, their HTML, the chart and the Telegram text, sending nothing.
func TestPreviewDigestAndMonthly(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	s, err := openLocal(data)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := agencyfile.Parse(demoAgency, providers.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.PutConfig(ctx, cfg))
	at := time.Date(2026, 11, 17, 9, 0, 0, 0, time.UTC)
	must(s.AppendEvent(ctx, glassbox.Event{ID: "trello:1", ProjectID: "romashka-site", Provider: "trello", TaskID: "c1",
		Title: "Макет главной", URL: "https://trello.com/c/1", Kind: glassbox.EventTaskMoved, Status: glassbox.StatusDone,
		PrevStatus: glassbox.StatusReview, OccurredAt: at, ReceivedAt: at}))
	var ms []glassbox.Metric
	for d := 0; d < 30; d++ {
		ms = append(ms, glassbox.Metric{ProjectID: "romashka-site", Date: at.AddDate(0, 0, -d).Format("2006-01-02"), Source: "yandex_direct",
			Spend: 200000, Currency: "RUB", Leads: 5})
	}
	must(s.PutMetrics(ctx, ms))
	must(s.Close())

	out := t.TempDir()
	var stdout bytes.Buffer
	must(run(ctx, []string{"preview", "digest", "--project", "romashka-site", "--week", "2026-W47", "--data", data, "-o", out}, &stdout, io.Discard))
	emls, _ := filepath.Glob(filepath.Join(out, "weekly_digest-*.eml"))
	pngs, _ := filepath.Glob(filepath.Join(out, "*.png"))
	if len(emls) == 0 || len(pngs) == 0 || !strings.Contains(stdout.String(), "Макет главной") {
		t.Errorf("preview digest wrote %d emails and %d charts; said:\n%s", len(emls), len(pngs), stdout.String())
	}
	html, _ := filepath.Glob(filepath.Join(out, "weekly_digest-*.html"))
	if len(html) > 0 {
		page, _ := os.ReadFile(html[0])
		if strings.Contains(string(page), "cid:") {
			t.Errorf("the preview page links the chart by cid:, which a browser cannot open")
		}
	}

	stdout.Reset()
	must(run(ctx, []string{"preview", "monthly", "--project", "romashka-site", "--month", "2026-11", "--data", data, "-o", out}, &stdout, io.Discard))
	if emls, _ := filepath.Glob(filepath.Join(out, "call_reminder-*.eml")); len(emls) != 1 {
		t.Errorf("preview monthly wrote %d call reminders; said:\n%s", len(emls), stdout.String())
	}
}

// TestPreviewReportWithoutAStore: preview digest on a folder glassbox dev never ran in says what to do and creates
// nothing; on a store with no agency file applied, it says to apply one; a week the year lacks is refused.
func TestPreviewReportWithoutAStore(t *testing.T) {
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "none")
	err := run(ctx, []string{"preview", "digest", "--project", "romashka-site", "--week", "2026-W47", "--data", missing}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "run glassbox dev there first") {
		t.Errorf("a folder without a store: %v", err)
	}
	if _, statErr := os.Stat(missing); !os.IsNotExist(statErr) {
		t.Errorf("preview created %s", missing)
	}

	empty := t.TempDir()
	s, err := openLocal(empty)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	err = run(ctx, []string{"preview", "monthly", "--project", "romashka-site", "--month", "2026-11", "--data", empty}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no agency file applied") {
		t.Errorf("a store without an agency file: %v", err)
	}
	err = run(ctx, []string{"preview", "digest", "--project", "romashka-site", "--week", "2025-W53", "--data", empty, "-f", "demo/agency.yaml",
		"-o", t.TempDir()}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "2025 has 52 ISO weeks") {
		t.Errorf("2025-W53: %v", err)
	}
}
