package ingest_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
)

// pulledRecorder is a recorder that declares itself pulled: Glassbox fetches its data on a schedule.
type pulledRecorder struct{ recorder }

func (*pulledRecorder) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: "rec", Kind: glassbox.ProviderMetrics, Pulled: true}
}

// TestPulledProviderHookIs404: a pulled provider takes no webhooks, so its hook URL answers 404 even for a
// binding that exists and a body its Verify would accept.
func TestPulledProviderHookIs404(t *testing.T) {
	t.Parallel()
	b := glassbox.Binding{ID: "b1", Provider: "rec", ProjectID: "site"}
	h := ingest.NewHandler(store{b}, secrets{}, []ingest.Provider{&pulledRecorder{}}, fixedClock{}, ingest.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, method := range []string{http.MethodPost, http.MethodGet, http.MethodHead} {
		resp, err := h.Handle(context.Background(), events.APIGatewayV2HTTPRequest{RawPath: "/hooks/rec/b1", Body: `{"ok":true}`,
			PathParameters: map[string]string{"provider": "rec", "binding": "b1"},
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method}}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d %s, want 404", method, resp.StatusCode, resp.Body)
		}
	}
}
