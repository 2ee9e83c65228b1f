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

// With the deployment defaults (quiet hours, a 10-minute coalescing window) a done card's notice is held; the
// preview says until when and still shows the email it will send.
func TestPreviewShowsHeldNotices(t *testing.T) {
	demo, err := os.ReadFile("demo/agency.yaml")
	if err != nil {
		t.Fatal(err)
	}
	agency := strings.Replace(strings.Replace(string(demo), "  quiet_hours: {off: true}\n", "", 1), "  coalesce: \"off\"\n", "", 1)
	if agency == string(demo) {
		t.Fatal("the demo agency no longer turns timing off; update this test")
	}
	file := filepath.Join(t.TempDir(), "agency.yaml")
	if err := os.WriteFile(file, []byte(agency), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"preview", "--event", "../../events/ingest-trello-done.json", "-f", file, "-o", out}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	emls, _ := filepath.Glob(filepath.Join(out, "*.eml"))
	if !strings.Contains(stdout.String(), "held: task_done client on email until") || len(emls) != 1 {
		t.Errorf("preview wrote %d emails; said:\n%s", len(emls), stdout.String())
	}
}
