package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
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
