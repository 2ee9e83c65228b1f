package metrics_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/metrics"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

const secret = "metrics-secret-123"

var received = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

type clock struct{}

func (clock) Now() time.Time { return received }

type secrets struct{}

func (secrets) Secret(context.Context, string) (string, error)   { return secret, nil }
func (secrets) KeepSecret(context.Context, string, string) error { return nil }

// hookStore is what the hook writes to and the tests read back.
type hookStore interface {
	ingest.Store
	glassbox.MetricsStore
	PutConfig(ctx context.Context, c glassbox.Config) error
}

var binding = glassbox.Binding{ID: "ads", Provider: "metrics", ProjectID: "site", ExternalID: "looker",
	SecretParam: "/glassbox/metrics/ads"}

func openLocal(t *testing.T) hookStore {
	t.Helper()
	s, err := localstore.Open(filepath.Join(t.TempDir(), "glassbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openDynamo(t *testing.T) hookStore {
	t.Helper()
	ep := os.Getenv("DYNAMODB_ENDPOINT")
	if ep == "" {
		t.Fatal("DYNAMODB_ENDPOINT is not set: run `make test` (scripts/with-emulators.sh), or `scripts/dynamodb-local.sh start` and source .cache/dynamodb.env")
	}
	client := dynamo.NewLocalClient(ep)
	table := fmt.Sprintf("glassbox-test-metrics-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(t.Context(), client, table); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	t.Cleanup(func() {
		// t.Context is cancelled by the time cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
			t.Errorf("DeleteTable %s: %v", table, err)
		}
	})
	return dynamo.New(client, table)
}

// handler is the webhook handler over a store holding the metrics binding (and one bound to project "other"
// with a currency).
func handler(t *testing.T, s hookStore) *ingest.Handler {
	t.Helper()
	eur := binding
	eur.ID, eur.ProjectID, eur.Currency = "eur", "other", "EUR"
	if err := s.PutConfig(t.Context(), glassbox.Config{Bindings: []glassbox.Binding{binding, eur}}); err != nil {
		t.Fatal(err)
	}
	return ingest.NewHandler(s, secrets{}, providers.All(), clock{}, ingest.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// post signs body at ts as docs/metrics.md says and posts it to /hooks/{provider}/{binding}.
func post(t *testing.T, h *ingest.Handler, provider, bindingID, body string, ts time.Time, sign string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	tsText := strconv.FormatInt(ts.Unix(), 10)
	if sign == "" {
		sign = metrics.Sign(secret, ts.Unix(), []byte(body))
	}
	req := events.APIGatewayV2HTTPRequest{
		RawPath:        "/hooks/" + provider + "/" + bindingID,
		PathParameters: map[string]string{"provider": provider, "binding": bindingID},
		Headers:        map[string]string{"content-type": "application/json", "x-glassbox-timestamp": tsText, "x-glassbox-signature": sign},
		Body:           body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost}},
	}
	resp, err := h.Handle(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func stored(t *testing.T, s hookStore, project string) []glassbox.Metric {
	t.Helper()
	ms, err := s.MetricsBetween(t.Context(), project, "2000-01-01", "2100-01-01")
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

const oneDay = `{"figures":[{"date":"2026-11-30","source":"vk_ads","spend":"15000.50","currency":"RUB","impressions":12000,"clicks":340,"leads":42,"conversions":3}]}`

// figures is a body of one figure with its fields replaced or added.
func figures(fields string) string {
	return `{"figures":[{"date":"2026-11-30","source":"vk_ads","currency":"RUB"` + fields + `}]}`
}

// Every refusal is a 4xx that says why, and stores nothing.
func TestHookRefusals(t *testing.T) {
	t.Parallel()
	many := make([]string, metrics.MaxFigures+1)
	for i := range many {
		many[i] = fmt.Sprintf(`{"date":"2026-11-30","source":"s%d"}`, i)
	}
	tests := []struct {
		name     string
		provider string
		binding  string
		body     string
		ts       time.Time
		sign     string
		status   int
		word     string // the error names it
	}{
		{"ErrNotJSON", "", "", `figures: 1`, received, "", 400, "not a JSON object"},
		{"ErrTrailingData", "", "", oneDay + `{}`, received, "", 400, "more after"},
		{"ErrUnknownField", "", "", figures(`,"lead":3`), received, "", 400, "unknown field"},
		{"ErrNoFigures", "", "", `{"figures":[]}`, received, "", 400, "no figures"},
		{"ErrTooMany", "", "", `{"figures":[` + strings.Join(many, ",") + `]}`, received, "", 400, "at most 1000"},
		{"ErrForged", "", "", oneDay, received, "sha256=" + strings.Repeat("ab", 32), 401, "signature does not match"},
		{"ErrNotHex", "", "", oneDay, received, "sha256=zz", 401, "not hex"},
		{"ErrStale", "", "", oneDay, received.Add(-6 * time.Minute), "", 401, "from the time received"},
		{"ErrUnknownBinding", "", "nope", oneDay, received, "", 404, "unknown binding"},
		{"ErrDate", "", "", `{"figures":[{"date":"30.11.2026","source":"vk_ads"}]}`, received, "", 400, "figures[0]: date"},
		{"ErrImpossibleDate", "", "", `{"figures":[{"date":"2026-02-30","source":"vk_ads"}]}`, received, "", 400, "date"},
		{"ErrFutureDate", "", "", `{"figures":[{"date":"2026-12-03","source":"vk_ads"}]}`, received, "", 400, "out of range"},
		{"ErrCurrency", "", "", figures(`,"currency":"RUR","spend":"5"`), received, "", 400, "ISO 4217"},
		{"ErrSpendWithoutCurrency", "", "", `{"figures":[{"date":"2026-11-30","source":"vk_ads","spend":"5"}]}`, received, "", 400, "currency is required"},
		{"ErrOtherCurrencyThanBinding", "", "eur", figures(`,"spend":"5"`), received, "", 400, "not the binding's EUR"},
		{"ErrNegativeSpend", "", "", figures(`,"spend":"-5.00"`), received, "", 400, "negative"},
		{"ErrHugeSpend", "", "", figures(`,"spend":"999999999999999.99"`), received, "", 400, "over any day"},
		{"ErrNegativeCount", "", "", figures(`,"leads":-1`), received, "", 400, "leads -1"},
		{"ErrHugeCount", "", "", figures(`,"clicks":1000000000001`), received, "", 400, "clicks"},
		{"ErrFractionalCount", "", "", figures(`,"leads":2.5`), received, "", 400, "whole number"},
		{"ErrTooManyDecimals", "", "", figures(`,"spend":"15000.505"`), received, "", 400, "decimals"},
		{"ErrExponent", "", "", figures(`,"spend":1.5e3`), received, "", 400, "spend"},
		{"ErrSourceCharset", "", "", `{"figures":[{"date":"2026-11-30","source":"vk ads#1"}]}`, received, "", 400, "source"},
		{"ErrSourceTooLong", "", "", `{"figures":[{"date":"2026-11-30","source":"` + strings.Repeat("a", 41) + `"}]}`, received, "", 400, "source"},
		{"ErrSourceEmpty", "", "", `{"figures":[{"date":"2026-11-30","source":""}]}`, received, "", 400, "source"},
		{"ErrSameDayTwice", "", "", `{"figures":[{"date":"2026-11-30","source":"vk_ads"},{"date":"2026-11-30","source":"VK_ADS"}]}`, received, "", 400, "figures[1]"},
		{"ErrOversized", "", "", `{"figures":[],"pad":"` + strings.Repeat("x", ingest.MaxBodyBytes) + `"}`, received, "", 413, "over"},
	}
	s := openLocal(t)
	h := handler(t, s)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			provider, b := tt.provider, tt.binding
			if provider == "" {
				provider = metrics.Name
			}
			if b == "" {
				b = binding.ID
			}
			resp := post(t, h, provider, b, tt.body, tt.ts, tt.sign)
			if resp.StatusCode != tt.status || !strings.Contains(resp.Body, tt.word) {
				t.Errorf("answer %d %s; want %d naming %q", resp.StatusCode, resp.Body, tt.status, tt.word)
			}
		})
	}
	if ms := append(stored(t, s, "site"), stored(t, s, "other")...); len(ms) > 0 {
		t.Errorf("refused requests stored %+v", ms)
	}
}

// A pulled provider's hook does not exist: 404 before anything is read.
func TestPulledProviderHasNoHook(t *testing.T) {
	t.Parallel()
	s := openLocal(t)
	pulled := pulledProvider{}
	h := ingest.NewHandler(s, secrets{}, []ingest.Provider{pulled}, clock{}, ingest.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	resp := post(t, h, "yandex_test", "ads", oneDay, received, "")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("answer %d %s; want 404", resp.StatusCode, resp.Body)
	}
}

type pulledProvider struct{}

func (pulledProvider) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: "yandex_test", Kind: glassbox.ProviderMetrics, Pulled: true}
}
func (pulledProvider) Verify(glassbox.Delivery, string) error { return nil }
func (pulledProvider) Parse(glassbox.Delivery, glassbox.Binding) ([]glassbox.Event, error) {
	return nil, nil
}

func TestHookLocalStore(t *testing.T) { t.Parallel(); hookStoresAndReplaces(t, openLocal(t)) }

func TestHookDynamoDB(t *testing.T) { t.Parallel(); hookStoresAndReplaces(t, openDynamo(t)) }

// The figures are stored exactly (15000.50 RUB is 1500050 kopecks), the answer counts them, and a day and
// source sent again replaces the stored one, never adds to it.
func hookStoresAndReplaces(t *testing.T, s hookStore) {
	h := handler(t, s)
	body := `{"figures":[
		{"date":"2026-11-29","source":"vk_ads","spend":"15000.50","currency":"RUB","impressions":12000,"clicks":340,"leads":42,"conversions":3},
		{"date":"2026-11-30","source":"vk_ads","spend":12000,"currency":"rub","leads":"40"},
		{"date":"2026-11-30","source":"Timesheet","minutes":480}]}`
	resp := post(t, h, metrics.Name, binding.ID, body, received, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("answer %d %s", resp.StatusCode, resp.Body)
	}
	var res ingest.Result
	if err := json.Unmarshal([]byte(resp.Body), &res); err != nil || res.Status != "stored" || res.Figures != 3 {
		t.Fatalf("answer %s; want status stored, 3 figures", resp.Body)
	}
	want := []glassbox.Metric{
		{ProjectID: "site", Date: "2026-11-29", Source: "vk_ads", Spend: 1500050, Currency: "RUB", Impressions: 12000, Clicks: 340, Leads: 42, Conversions: 3, Origin: "hook:ads", UpdatedAt: received},
		{ProjectID: "site", Date: "2026-11-30", Source: "timesheet", Minutes: 480, Origin: "hook:ads", UpdatedAt: received},
		{ProjectID: "site", Date: "2026-11-30", Source: "vk_ads", Spend: 1200000, Currency: "RUB", Leads: 40, Origin: "hook:ads", UpdatedAt: received},
	}
	if got := stored(t, s, "site"); !equal(got, want) {
		t.Fatalf("stored\n%+v\nwant\n%+v", got, want)
	}

	// The day re-sent with corrected figures: replaced, not doubled.
	again := `{"figures":[{"date":"2026-11-30","source":"vk_ads","spend":"12500.00","currency":"RUB","leads":41}]}`
	if resp := post(t, h, metrics.Name, binding.ID, again, received, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("again: answer %d %s", resp.StatusCode, resp.Body)
	}
	want[2].Spend, want[2].Leads = 1250000, 41
	if got := stored(t, s, "site"); !equal(got, want) {
		t.Fatalf("after re-sending a day, stored\n%+v\nwant\n%+v", got, want)
	}
}

func equal(got, want []glassbox.Metric) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if !g.UpdatedAt.Equal(w.UpdatedAt) {
			return false
		}
		g.UpdatedAt, w.UpdatedAt = time.Time{}, time.Time{}
		if g != w {
			return false
		}
	}
	return true
}

// A base64-encoded body (API Gateway's for some content types) is verified and read as sent.
func TestHookBase64Body(t *testing.T) {
	t.Parallel()
	s := openLocal(t)
	h := handler(t, s)
	req := events.APIGatewayV2HTTPRequest{
		RawPath:         "/hooks/metrics/ads",
		PathParameters:  map[string]string{"provider": "metrics", "binding": "ads"},
		Headers:         map[string]string{"x-glassbox-timestamp": strconv.FormatInt(received.Unix(), 10), "x-glassbox-signature": metrics.Sign(secret, received.Unix(), []byte(oneDay))},
		Body:            base64.StdEncoding.EncodeToString([]byte(oneDay)),
		IsBase64Encoded: true,
		RequestContext:  events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost}},
	}
	resp, _ := h.Handle(t.Context(), req)
	if resp.StatusCode != http.StatusOK || len(stored(t, s, "site")) != 1 {
		t.Fatalf("answer %d %s", resp.StatusCode, resp.Body)
	}
}

// The sample in events/ verifies with the demo binding's secret at the time it was signed and holds a week of
// figures: make demo and sam local invoke send it.
func TestSampleEvent(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../events/ingest-metrics-week.json")
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	ts, _ := strconv.ParseInt(req.Headers["x-glassbox-timestamp"], 10, 64)
	d, err := ingest.NewDelivery(req, "", time.Unix(ts, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := metrics.New().Verify(d, "demo-metrics-secret"); err != nil {
		t.Fatalf("the sample does not verify with the demo secret: %v", err)
	}
	demo := glassbox.Binding{ID: "demo-metrics", Provider: metrics.Name, ProjectID: "romashka-site", Currency: "RUB"}
	ms, err := metrics.New().ParseMetrics(d, demo)
	if err != nil || len(ms) != 8 {
		t.Fatalf("ParseMetrics = %d figures, %v; want 8", len(ms), err)
	}
}
