package ingest_test

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
)

// recorder is a provider that records the callback URL it was asked to verify against.
type recorder struct{ callback string }

func (r *recorder) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: "rec", Kind: glassbox.ProviderTracker}
}
func (r *recorder) Verify(d glassbox.Delivery, secret string) error {
	r.callback = d.CallbackURL
	if string(d.Body) != `{"ok":true}` || secret != "s" {
		return glassbox.ErrBadSignature
	}
	return nil
}
func (r *recorder) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	return nil, nil
}

type store struct{ binding glassbox.Binding }

func (s store) Binding(_ context.Context, provider, id string) (glassbox.Binding, error) {
	if provider == s.binding.Provider && id == s.binding.ID {
		return s.binding, nil
	}
	return glassbox.Binding{}, glassbox.ErrNotFound
}
func (s store) AppendEvent(context.Context, glassbox.Event) error { return nil }

type secrets struct{}

func (secrets) Secret(context.Context, string) (string, error) { return "s", nil }

func (secrets) KeepSecret(context.Context, string, string) error { return nil }

type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }

func TestCallbackURLAndBase64Body(t *testing.T) {
	tests := []struct {
		name       string
		registered string
		publicBase string
		base64     bool
		want       string
	}{
		{"BindingCallbackWins", "https://hooks.example/x?tenant=a", "https://api.example", false, "https://hooks.example/x?tenant=a"},
		{"PublicBaseURL", "", "https://api.example/", false, "https://api.example/hooks/rec/b1?tenant=a"},
		{"RequestHost", "", "", true, "https://abc.execute-api.eu-central-1.amazonaws.com/hooks/rec/b1?tenant=a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &recorder{}
			b := glassbox.Binding{ID: "b1", Provider: "rec", CallbackURL: tt.registered}
			h := ingest.NewHandler(store{b}, secrets{}, []ingest.Provider{p}, fixedClock{}, ingest.Options{
				PublicBaseURL: tt.publicBase, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			req := events.APIGatewayV2HTTPRequest{
				RawPath: "/hooks/rec/b1", RawQueryString: "tenant=a", Body: `{"ok":true}`,
				PathParameters: map[string]string{"provider": "rec", "binding": "b1"},
				RequestContext: events.APIGatewayV2HTTPRequestContext{DomainName: "abc.execute-api.eu-central-1.amazonaws.com",
					HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost}},
			}
			if tt.base64 {
				req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(req.Body)), true
			}
			resp, err := h.Handle(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d %s", resp.StatusCode, resp.Body)
			}
			if p.callback != tt.want {
				t.Fatalf("verified against %q, want %q", p.callback, tt.want)
			}
		})
	}
}

func TestStoreFailureIsRetryable(t *testing.T) {
	h := ingest.NewHandler(failingStore{}, secrets{}, []ingest.Provider{&recorder{}}, fixedClock{}, ingest.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	resp, _ := h.Handle(context.Background(), events.APIGatewayV2HTTPRequest{RawPath: "/hooks/rec/b1",
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST"}}})
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500 so the provider retries", resp.StatusCode)
	}
	if resp.Body != `{"error":"temporarily unavailable, retry later"}` {
		t.Fatalf("5xx body %s leaks internals", resp.Body)
	}
}

type failingStore struct{}

func (failingStore) Binding(context.Context, string, string) (glassbox.Binding, error) {
	return glassbox.Binding{}, io.ErrUnexpectedEOF
}
func (failingStore) AppendEvent(context.Context, glassbox.Event) error { return nil }

type countingStore struct {
	store
	reads int
}

func (s *countingStore) Binding(ctx context.Context, provider, id string) (glassbox.Binding, error) {
	s.reads++
	return s.store.Binding(ctx, provider, id)
}

type movableClock struct{ now time.Time }

func (c *movableClock) Now() time.Time { return c.now }

func TestBindingCache(t *testing.T) {
	st := &countingStore{store: store{glassbox.Binding{ID: "b1", Provider: "rec"}}}
	clock := &movableClock{now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	h := ingest.NewHandler(st, secrets{}, []ingest.Provider{&recorder{}}, clock, ingest.Options{
		BindingTTL: 30 * time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	send := func(binding string) int {
		resp, _ := h.Handle(context.Background(), events.APIGatewayV2HTTPRequest{RawPath: "/hooks/rec/" + binding, Body: `{"ok":true}`,
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST"}}})
		return resp.StatusCode
	}
	steps := []struct {
		name      string
		binding   string
		advance   time.Duration
		status    int
		wantReads int
	}{
		{"FirstReadsStore", "b1", 0, http.StatusOK, 1},
		{"WarmHitsCache", "b1", 10 * time.Second, http.StatusOK, 1},
		{"ExpiredReadsAgain", "b1", 30 * time.Second, http.StatusOK, 2},
		{"UnknownReadsStore", "nope", 0, http.StatusNotFound, 3},
		{"UnknownIsNotCached", "nope", 0, http.StatusNotFound, 4},
	}
	for _, s := range steps {
		clock.now = clock.now.Add(s.advance)
		if got := send(s.binding); got != s.status {
			t.Fatalf("%s: status %d, want %d", s.name, got, s.status)
		}
		if st.reads != s.wantReads {
			t.Fatalf("%s: %d binding reads, want %d", s.name, st.reads, s.wantReads)
		}
	}
}

// dealReporter is a CRM provider: it reports the deal a delivery names and never decides the project.
type dealReporter struct{}

func (dealReporter) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: "crm", Kind: glassbox.ProviderCRM}
}
func (dealReporter) Verify(glassbox.Delivery, string) error { return nil }
func (dealReporter) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	id := string(d.Body)
	return []glassbox.Event{{ID: "crm:" + id, Provider: "crm", Kind: glassbox.EventDealStageChanged,
		Deal: &glassbox.DealChange{ID: id, StageID: "won"}}}, nil
}

type appending struct {
	store
	appended []glassbox.Event
}

func (s *appending) AppendEvent(_ context.Context, e glassbox.Event) error {
	s.appended = append(s.appended, e)
	return nil
}

// Ingest decides a deal's project from the binding, once, and stores it on the event; a deal the binding does
// not route is ignored.
func TestDealProjectIsDecidedAtIngest(t *testing.T) {
	st := &appending{store: store{binding: glassbox.Binding{ID: "b1", Provider: "crm",
		Deals: []glassbox.DealRoute{{DealID: "7", ProjectID: "kitchen"}}}}}
	h := ingest.NewHandler(st, secrets{}, []ingest.Provider{dealReporter{}}, fixedClock{}, ingest.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	post := func(deal string) events.APIGatewayV2HTTPResponse {
		resp, _ := h.Handle(context.Background(), events.APIGatewayV2HTTPRequest{RawPath: "/hooks/crm/b1", Body: deal,
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST"}}})
		return resp
	}
	if resp := post("8"); resp.StatusCode != http.StatusOK || resp.Body != `{"status":"ignored"}` || len(st.appended) != 0 {
		t.Fatalf("unrouted deal: %d %s, %d stored; want ignored, nothing stored", resp.StatusCode, resp.Body, len(st.appended))
	}
	if resp := post("7"); resp.StatusCode != http.StatusOK || len(st.appended) != 1 {
		t.Fatalf("routed deal: %d %s, %d stored", resp.StatusCode, resp.Body, len(st.appended))
	}
	e := st.appended[0]
	if want := fixedClock.Now(fixedClock{}); e.ProjectID != "kitchen" || e.BindingID != "b1" || !e.OccurredAt.Equal(want) || !e.ReceivedAt.Equal(want) {
		t.Errorf("stored %+v; want project kitchen, binding b1, occurred and received at %s", e, want)
	}
}
