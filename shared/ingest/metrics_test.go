package ingest_test

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/metrics"
)

// A store that keeps no figures cannot take a metrics delivery: 5xx, so the sender retries, rather than the
// figures being dropped with a 200. (shared/metrics tests the hook over both real stores.)
func TestMetricsDeliveryNeedsAMetricsStore(t *testing.T) {
	b := glassbox.Binding{ID: "ads", Provider: metrics.Name, ProjectID: "site", SecretParam: "/p"}
	h := ingest.NewHandler(store{b}, secrets{}, []ingest.Provider{metrics.New()}, fixedClock{}, ingest.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	body := `{"figures":[{"date":"2026-11-20","source":"vk_ads","leads":1}]}`
	ts := fixedClock{}.Now().Unix()
	resp, err := h.Handle(t.Context(), events.APIGatewayV2HTTPRequest{
		RawPath:        "/hooks/metrics/ads",
		PathParameters: map[string]string{"provider": metrics.Name, "binding": "ads"},
		Headers:        map[string]string{"x-glassbox-timestamp": strconv.FormatInt(ts, 10), "x-glassbox-signature": metrics.Sign("s", ts, []byte(body))},
		Body:           body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost}},
	})
	if err != nil || resp.StatusCode != http.StatusInternalServerError || !strings.Contains(resp.Body, "retry") {
		t.Fatalf("answer %d %s, %v; want 500", resp.StatusCode, resp.Body, err)
	}
}
