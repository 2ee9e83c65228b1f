package functions_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/react"
)

// TestFunctionsUnderHarnessFlush: with the agency's coalescing window on, the built ReactFunction holds a Trello
// done notice instead of sending it; the built FlushFunction sends it once the window has closed, and a second
// flush sends nothing more.
func TestFunctionsUnderHarnessFlush(t *testing.T) {
	e := newEnv(t)
	bins := hostBuilds(t, "IngestFunction", "ReactFunction", "FlushFunction")
	cfg := e.cfg
	cfg.Agency.QuietHours, cfg.Agency.Coalesce = &glassbox.QuietHours{Off: true}, "1s"
	if err := e.store().PutConfig(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	since := time.Now().Add(-time.Second)
	ingest, _ := e.run(t, "IngestFunction", bins["IngestFunction"])
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(invoke(t, ingest, readEvent(t, "ingest-trello-done.json")), &resp); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("ingest: %+v %v", resp, err)
	}
	items := e.eventItems(t, "")
	if len(items) != 1 {
		t.Fatalf("%d event items, want 1", len(items))
	}
	reactH, _ := e.run(t, "ReactFunction", bins["ReactFunction"])
	reactOK(t, reactH, streamRecord(t, e.table, items[0], "100000000000000000001"))
	if got := len(e.mailsTo(t, since, e.clientEmail)); got != 0 {
		t.Fatalf("%d emails to the client before the window closed, want 0 (held)", got)
	}
	time.Sleep(1100 * time.Millisecond) // the window closes
	flush, flushP := e.run(t, "FlushFunction", bins["FlushFunction"])
	flushOK := func() react.FlushResult {
		t.Helper()
		body := invoke(t, flush, []byte(`{}`))
		var res react.FlushResult
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatalf("flush answered %s: %v", body, err)
		}
		return res
	}
	// The demo project has a client group: the held notice goes as an email and its Telegram copy.
	if res := flushOK(); res.Sent != 2 || res.Failed != 0 {
		t.Errorf("flush = %+v, want the held notice and its Telegram copy sent", res)
	}
	logColdStart(t, "FlushFunction", "", flushP)
	if res := flushOK(); res.Sent != 0 || res.Due != 0 {
		t.Errorf("second flush = %+v, want nothing", res)
	}
	if got := len(e.mailsTo(t, since, e.clientEmail)); got != 1 {
		t.Errorf("%d emails to the client, want 1", got)
	}
}
