package providers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

// TestPulledSources: the Yandex sources are in the catalog (so bindings may name them) as pulled metrics
// providers, and not among the webhook providers.
func TestPulledSources(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"yandex_direct", "yandex_metrika"} {
		info, ok := providers.Catalog().Lookup(name)
		if !ok || !info.Pulled || info.Kind != glassbox.ProviderMetrics {
			t.Errorf("%s in the catalog: %+v, %t; want a pulled metrics provider", name, info, ok)
		}
	}
	for _, p := range providers.All() {
		if p.Info().Pulled {
			t.Errorf("%s is pulled but among the webhook providers", p.Info().Name)
		}
	}
}

type bindings map[string]glassbox.Binding

func (s bindings) Binding(_ context.Context, provider, id string) (glassbox.Binding, error) {
	if b, ok := s[provider+"/"+id]; ok {
		return b, nil
	}
	return glassbox.Binding{}, glassbox.ErrNotFound
}
func (bindings) AppendEvent(context.Context, glassbox.Event) error { return nil }

type secrets struct{}

func (secrets) Secret(context.Context, string) (string, error)   { return "s", nil }
func (secrets) KeepSecret(context.Context, string, string) error { return nil }

type clock struct{}

func (clock) Now() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }

// TestPulledHookIs404: ingest over every provider answers a pulled source's hook URL 404, whatever the binding.
func TestPulledHookIs404(t *testing.T) {
	t.Parallel()
	store := bindings{
		"yandex_direct/site-direct":   {ID: "site-direct", Provider: "yandex_direct", ProjectID: "site"},
		"yandex_metrika/site-metrika": {ID: "site-metrika", Provider: "yandex_metrika", ProjectID: "site"},
	}
	all := providers.All()
	h := ingest.NewHandler(store, secrets{}, all, clock{}, ingest.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for key := range store {
		resp, err := h.Handle(context.Background(), events.APIGatewayV2HTTPRequest{RawPath: "/hooks/" + key, Body: "{}",
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost}}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST /hooks/%s: %d %s, want 404", key, resp.StatusCode, resp.Body)
		}
	}
}
