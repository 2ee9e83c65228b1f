package ingest_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/localstore"
)

// shaker is a provider whose subscription check is a POST with an X-Shake-Secret header, answered by echoing it
// (Asana's handshake, in short).
type shaker struct{ recorder }

func (shaker) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: "rec", Kind: glassbox.ProviderTracker, SecretFromHandshake: true}
}

func (shaker) Handshake(d glassbox.Delivery) (glassbox.Handshake, bool) {
	s := d.Header.Get("X-Shake-Secret")
	if s == "" {
		return glassbox.Handshake{}, false
	}
	return glassbox.Handshake{Header: map[string]string{"X-Shake-Secret": s}, Secret: s}, true
}

func request(method string, headers map[string]string, body string) events.APIGatewayV2HTTPRequest {
	return events.APIGatewayV2HTTPRequest{
		RawPath: "/hooks/rec/b1", Headers: headers, Body: body,
		PathParameters: map[string]string{"provider": "rec", "binding": "b1"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method}},
	}
}

// A handshake is answered with its echo and its secret kept under the binding's secret_param, once: the same
// check again is answered, another secret is refused with 409 and the first one stays. Requests that are no
// check get no special treatment: a HEAD to a provider without a HEAD check is 405.
func TestHandshakeKeepsTheSecretOnce(t *testing.T) {
	store, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	b := glassbox.Binding{ID: "b1", ProjectID: "site", Provider: "rec", ExternalID: "x", SecretParam: "/glassbox/rec/b1"}
	if err := store.PutConfig(ctx, glassbox.Config{Bindings: []glassbox.Binding{b}}); err != nil {
		t.Fatal(err)
	}
	h := ingest.NewHandler(store, store, []ingest.Provider{&shaker{}}, fixedClock{}, ingest.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})

	tests := []struct {
		name       string
		req        events.APIGatewayV2HTTPRequest
		wantStatus int
		wantEcho   string
		wantSecret string
	}{
		{"First", request("POST", map[string]string{"x-shake-secret": "first"}, ""), 200, "first", "first"},
		{"SameAgain", request("POST", map[string]string{"x-shake-secret": "first"}, ""), 200, "first", "first"},
		{"AnotherRefused", request("POST", map[string]string{"x-shake-secret": "second"}, ""), 409, "", "first"},
		{"HeadIsNoCheckHere", request("HEAD", nil, ""), 405, "", "first"},
	}
	for _, tt := range tests {
		resp, err := h.Handle(ctx, tt.req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tt.wantStatus || resp.Headers["X-Shake-Secret"] != tt.wantEcho {
			t.Errorf("%s: %d %v %s, want %d with echo %q", tt.name, resp.StatusCode, resp.Headers, resp.Body, tt.wantStatus, tt.wantEcho)
		}
		if got, _ := store.Secret(ctx, b.SecretParam); got != tt.wantSecret {
			t.Errorf("%s: kept secret %q, want %q", tt.name, got, tt.wantSecret)
		}
	}
	if resp, _ := h.Handle(ctx, request(http.MethodPost, nil, `{"ok":true}`)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a delivery verified against the kept secret: %d, want 401 (the recorder accepts only %q)", resp.StatusCode, "s")
	}
}

type emptySecret struct{ secrets }

func (emptySecret) Secret(context.Context, string) (string, error) { return "", nil }

// recordingStore records what it is asked to store.
type recordingStore struct {
	store
	appended int
}

func (s *recordingStore) AppendEvent(context.Context, glassbox.Event) error { s.appended++; return nil }

// An empty secret signs nothing: a delivery is refused as a server-side problem (so the provider retries once
// the admin sets it), and nothing is stored, whatever the provider's check would say of an empty key.
func TestEmptySecretAcceptsNothing(t *testing.T) {
	st := &recordingStore{store: store{glassbox.Binding{ID: "b1", Provider: "rec"}}}
	h := ingest.NewHandler(st, emptySecret{}, []ingest.Provider{&anySignature{}}, fixedClock{}, ingest.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	resp, err := h.Handle(context.Background(), request(http.MethodPost, nil, `{"ok":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusInternalServerError || st.appended != 0 {
		t.Errorf("empty secret: %d %s, %d stored; want 500 and nothing stored", resp.StatusCode, resp.Body, st.appended)
	}
}

// anySignature accepts every delivery and reports one event, as a provider checking an HMAC with an empty key
// against a signature made with an empty key would.
type anySignature struct{ recorder }

func (*anySignature) Verify(glassbox.Delivery, string) error { return nil }
func (*anySignature) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	return []glassbox.Event{{ID: "rec:1", Kind: glassbox.EventTaskMoved, TaskID: "t"}}, nil
}
