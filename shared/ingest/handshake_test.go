package ingest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/asana"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/ssm"
)

// memParams is SSM Parameter Store in memory, with PutParameter-without-overwrite semantics (see
// ssm.Client.KeepParameter, tested against SSM's protocol in shared/ssm).
type memParams struct {
	mu     sync.Mutex
	values map[string]string
}

func (m *memParams) Parameter(_ context.Context, name string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.values[name]
	if !ok {
		return "", fmt.Errorf("parameter %s: %w", name, glassbox.ErrNotFound)
	}
	return v, nil
}

func (m *memParams) KeepParameter(_ context.Context, name, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch old, ok := m.values[name]; {
	case !ok:
		m.values[name] = value
	case old != value:
		return fmt.Errorf("parameter %s: %w", name, glassbox.ErrConflict)
	}
	return nil
}

// TestAsanaHandshakeKeepsTheSecretOnce runs Asana's subscription through the handler, with the secrets of
// glassbox dev (localstore) and of Lambda (SSM, cached per warm instance): the handshake's secret is kept and
// echoed, deliveries signed with it are accepted, the same handshake again is answered 200, and a handshake with
// another secret is refused 409 and changes nothing: the first secret still verifies, the second does not.
func TestAsanaHandshakeKeepsTheSecretOnce(t *testing.T) {
	const (
		first  = "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81"
		second = "0000000000000000000000000000000000000000000000000000000000000002"
		param  = "/glassbox/hooks/site-asana"
	)
	b := glassbox.Binding{ID: "site", ProjectID: "spring", Provider: "asana", ExternalID: "1207000000000100",
		SecretParam: param, APIParam: "/glassbox/asana/site-api",
		StatusMap: map[glassbox.TaskStatus][]string{glassbox.StatusDone: {"1207000000000303"}}}
	open := func(t *testing.T) *localstore.Store {
		st, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.PutConfig(context.Background(), glassbox.Config{Bindings: []glassbox.Binding{b}}); err != nil {
			t.Fatal(err)
		}
		return st
	}
	for _, tc := range []struct {
		name    string
		secrets func(*localstore.Store) ingest.Secrets
	}{
		{"Localstore", func(st *localstore.Store) ingest.Secrets { return st }},
		{"SSM", func(*localstore.Store) ingest.Secrets {
			return ssm.NewSecrets(&memParams{values: map[string]string{}}, time.Hour)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := open(t)
			secrets := tc.secrets(st)
			h := ingest.NewHandler(st, secrets, []ingest.Provider{asana.New()}, fixedClock{}, ingest.Options{
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			post := func(headers map[string]string, body string) events.APIGatewayV2HTTPResponse {
				t.Helper()
				resp, err := h.Handle(context.Background(), events.APIGatewayV2HTTPRequest{
					RawPath: "/hooks/asana/site", Headers: headers, Body: body,
					RequestContext: events.APIGatewayV2HTTPRequestContext{DomainName: "hooks.example",
						HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost}}})
				if err != nil {
					t.Fatal(err)
				}
				return resp
			}
			handshake := func(secret string) events.APIGatewayV2HTTPResponse {
				return post(map[string]string{"x-hook-secret": secret}, "")
			}
			deliver := func(signWith, body string) events.APIGatewayV2HTTPResponse {
				return post(map[string]string{"x-hook-signature": asana.Sign(signWith, []byte(body))}, body)
			}
			moved := func(at string) string {
				return `{"events":[{"user":{"gid":"1","resource_type":"user"},"created_at":"` + at + `","action":"added",` +
					`"resource":{"gid":"1207654321000042","resource_type":"task","resource_subtype":"default_task"},` +
					`"parent":{"gid":"1207000000000303","resource_type":"section"}}]}`
			}

			// Before the handshake there is nothing to verify with: the delivery waits for Asana's retry.
			if resp := deliver(first, moved("2026-11-23T10:00:00.000Z")); resp.StatusCode != http.StatusInternalServerError {
				t.Fatalf("delivery before the handshake: %d %s, want 500 (retried)", resp.StatusCode, resp.Body)
			}
			resp := handshake(first)
			if resp.StatusCode != http.StatusOK || resp.Headers["X-Hook-Secret"] != first {
				t.Fatalf("handshake: %d %v %s, want 200 echoing X-Hook-Secret", resp.StatusCode, resp.Headers, resp.Body)
			}
			if got, err := secrets.Secret(context.Background(), param); err != nil || got != first {
				t.Fatalf("kept secret %q, %v; want the handshake's", got, err)
			}
			if resp := deliver(first, moved("2026-11-23T10:00:01.000Z")); resp.StatusCode != http.StatusOK || resp.Body == `{"status":"ignored"}` {
				t.Fatalf("delivery signed with the kept secret: %d %s, want accepted", resp.StatusCode, resp.Body)
			}
			if resp := deliver(first, `{"events":[]}`); resp.StatusCode != http.StatusOK || resp.Body != `{"status":"ignored"}` {
				t.Fatalf("heartbeat: %d %s, want 200 ignored", resp.StatusCode, resp.Body)
			}
			// Asana repeats the handshake when the first answer was lost: the same secret is fine.
			if resp := handshake(first); resp.StatusCode != http.StatusOK || resp.Headers["X-Hook-Secret"] != first {
				t.Fatalf("same handshake again: %d %v %s, want 200 echoing", resp.StatusCode, resp.Headers, resp.Body)
			}
			// Someone who learns the hook URL cannot re-key the binding.
			resp = handshake(second)
			if resp.StatusCode != http.StatusConflict || resp.Headers["X-Hook-Secret"] != "" {
				t.Fatalf("handshake with another secret: %d %v %s, want 409 and no echo", resp.StatusCode, resp.Headers, resp.Body)
			}
			if resp := deliver(first, moved("2026-11-23T10:00:02.000Z")); resp.StatusCode != http.StatusOK {
				t.Fatalf("delivery with the first secret after the refused handshake: %d %s, want 200", resp.StatusCode, resp.Body)
			}
			if resp := deliver(second, moved("2026-11-23T10:00:03.000Z")); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("delivery signed with the refused secret: %d %s, want 401", resp.StatusCode, resp.Body)
			}
			if got, err := secrets.Secret(context.Background(), param); err != nil || got != first {
				t.Fatalf("kept secret %q, %v after the refused handshake; want the first", got, err)
			}
		})
	}
}
