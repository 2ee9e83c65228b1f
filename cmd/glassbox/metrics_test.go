package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

// TestMetricsHookExampleWorks runs docs/metrics.md's curl + openssl example, as written, against glassbox dev:
// the signature it computes verifies, both days are stored, and running it again replaces them.
func TestMetricsHookExampleWorks(t *testing.T) {
	for _, tool := range []string{"bash", "openssl", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the docs/metrics.md example needs %s: %v", tool, err)
		}
	}
	doc, err := os.ReadFile("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "<!-- metrics-hook-example -->\n```sh\n")
	script, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatal("docs/metrics.md has no example block after <!-- metrics-hook-example -->")
	}
	h := newDevHarness(t)
	run := func() string {
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
		cmd.Env = append(os.Environ(), "HOOK_URL="+h.srv.URL+"/hooks/metrics/demo-metrics", "SECRET="+demoSecrets["/glassbox/metrics/demo-metrics"])
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("the docs/metrics.md example failed: %v\n%s", err, out)
		}
		return string(out)
	}
	for i := range 2 {
		if out := run(); !strings.Contains(out, `"status":"stored","figures":2`) {
			t.Fatalf("run %d answered %s, want 2 figures stored", i+1, out)
		}
	}
	ms, err := h.dev.store.MetricsBetween(t.Context(), "romashka-site", "2026-11-26", "2026-11-28")
	if err != nil {
		t.Fatal(err)
	}
	var vk []glassbox.Metric
	for _, m := range ms {
		if m.Source == "vk_ads" {
			vk = append(vk, m)
		}
	}
	if len(vk) != 2 || vk[0].Spend != 1500050 || vk[0].Currency != "RUB" || vk[0].Leads != 42 {
		t.Fatalf("stored %+v; want the two vk_ads days once each, 15000.50 RUB as 1500050", ms)
	}
}

// demoData is a data folder holding the demo agency, as glassbox dev leaves it, with the store closed.
func demoData(t *testing.T) string {
	t.Helper()
	cfg, err := agencyfile.Parse(demoAgency, providers.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	store, err := openLocal(data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.PutConfig(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	return data
}

// glassbox metrics import reads an Excel-style CSV (BOM, semicolons, decimal commas) into the data folder; a
// second import of a corrected file replaces the days, and a wrong file writes nothing.
func TestMetricsImport(t *testing.T) {
	data := demoData(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := write("week.csv", "\ufeffdate;spend;currency;impressions;clicks;leads\r\n2026-11-26;15 000,50;RUB;48 210;912;42\r\n2026-11-27;12400,00;RUB;40115;804;35\r\n")
	fixed := write("fixed.csv", "date,spend,currency,leads\n2026-11-27,12500.00,RUB,36\n")
	wrong := write("wrong.csv", "date,spend,currency,leads\n2026-11-28,100,RUB,1\n2026-11-29,100,RUR,1\n")

	var out bytes.Buffer
	importFile := func(file string) error {
		out.Reset()
		return run(t.Context(), []string{"metrics", "import", "--file", file, "--project", "romashka-site", "--source", "vk_ads", "--data", data}, &out, io.Discard)
	}
	if err := importFile(first); err != nil || !strings.Contains(out.String(), "imported 2 figures") {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	if err := importFile(fixed); err != nil || !strings.Contains(out.String(), "imported 1 figure for") {
		t.Fatalf("import the corrected day: %v\n%s", err, out.String())
	}
	if err := importFile(wrong); err == nil || !strings.Contains(err.Error(), "line 3") || strings.Contains(err.Error(), "malformed body") {
		t.Fatalf("import a wrong file = %v; want an error naming line 3, and no hook words", err)
	}
	if err := run(t.Context(), []string{"metrics", "import", "--file", first, "--project", "nope", "--source", "vk_ads", "--data", data}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), `no project "nope"`) {
		t.Fatalf("import for an unknown project = %v", err)
	}

	store, err := openLocal(data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ms, err := store.MetricsBetween(t.Context(), "romashka-site", "2026-11-01", "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Spend != 1500050 || ms[0].Impressions != 48210 || ms[1].Spend != 1250000 || ms[1].Leads != 36 ||
		ms[1].Impressions != 0 || ms[0].Origin != "import" {
		t.Fatalf("stored %+v; want 26th as imported, 27th replaced by the corrected file, nothing of the wrong one", ms)
	}
}
