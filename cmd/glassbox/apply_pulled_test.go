package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestApplyPulledBindings: a Yandex binding has no hook; apply says where its token goes instead of a hook URL.
func TestApplyPulledBindings(t *testing.T) {
	file := filepath.Join(t.TempDir(), "agency.yaml")
	yaml := string(demoAgency) + `
  - id: site-direct
    provider: yandex_direct
    project: romashka-site
    external_id: romashka-login
    api_param: /glassbox/pull/site-direct
    currency: RUB
`
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"apply", "-f", file, "--data", data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	want := "pulled yandex_direct/site-direct on a schedule, no hook (token: glassbox secrets set --data " + data + " /glassbox/pull/site-direct)"
	if !strings.Contains(out.String(), want) || strings.Contains(out.String(), "/hooks/yandex_direct/") {
		t.Errorf("apply said %q, want %q and no hook URL", out.String(), want)
	}
}
