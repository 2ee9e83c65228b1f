package asana_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/asana"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// demoSecret is what the demo's handshake sample hands over (events/ingest-asana-handshake.json); the other
// samples are signed with it.
const demoSecret = vectorSecret

// demoBinding is the Asana binding of cmd/glassbox/demo/agency.yaml.
var demoBinding = glassbox.Binding{
	ID: "demo-asana", ProjectID: "romashka-site", Provider: "asana", ExternalID: "1207000000000100",
	SecretParam: "/glassbox/hooks/demo-asana", APIParam: "/glassbox/asana/demo-asana-api",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo:       {"1207000000000301"},
		glassbox.StatusInProgress: {"1207000000000302"},
		glassbox.StatusDone:       {"1207000000000303"},
		glassbox.StatusBlocked:    {"1207000000000304"},
	},
}

type apiRequest struct {
	RawPath        string            `json:"rawPath"`
	Headers        map[string]string `json:"headers"`
	Body           string            `json:"body"`
	RequestContext struct {
		HTTP struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
}

// TestSampleEvents keeps events/ingest-asana-*.json honest: the handshake hands over the demo secret, the
// deliveries are signed with it (the forged one is not), and each parses to what events/README.md says.
func TestSampleEvents(t *testing.T) {
	tests := []struct {
		file       string
		handshake  bool
		wantVerify bool
		wantKinds  string // the events' kinds, comma-separated; "" for none (answered ignored)
	}{
		{"ingest-asana-handshake.json", true, false, ""},
		{"ingest-asana-created.json", false, true, "task_created"},
		{"ingest-asana-done.json", false, true, "task_moved"},
		{"ingest-asana-completed.json", false, true, "task_moved"},
		{"ingest-asana-comment-ignored.json", false, true, ""},
		{"ingest-asana-heartbeat.json", false, true, ""},
		{"ingest-asana-forged.json", false, false, ""},
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "events", "ingest-asana-*.json"))
	if err != nil || len(files) != len(tests) {
		t.Fatalf("events/ has %d Asana samples %v (%v), the test knows %d", len(files), files, err, len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "events", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var req apiRequest
			if err := json.Unmarshal(raw, &req); err != nil {
				t.Fatal(err)
			}
			if req.RawPath != "/hooks/asana/demo-asana" {
				t.Fatalf("rawPath = %q", req.RawPath)
			}
			h := http.Header{}
			for k, v := range req.Headers {
				h.Set(k, v)
			}
			d := glassbox.Delivery{Method: req.RequestContext.HTTP.Method, Header: h, Body: []byte(req.Body),
				ReceivedAt: time.Date(2025, 5, 24, 9, 42, 0, 0, time.UTC)}
			p := asana.New()
			hs, isHandshake := p.Handshake(d)
			if isHandshake != tt.handshake {
				t.Fatalf("Handshake = %v, want %v", isHandshake, tt.handshake)
			}
			if tt.handshake {
				if hs.Secret != demoSecret {
					t.Fatalf("handshake secret %q, want the demo secret", hs.Secret)
				}
				return
			}
			err = p.Verify(d, demoSecret)
			if !tt.wantVerify {
				if !errors.Is(err, glassbox.ErrBadSignature) {
					t.Fatalf("Verify = %v, want ErrBadSignature", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			evs, err := providertest.Accepted(p, d, demoBinding)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, e := range evs {
				kinds = append(kinds, string(e.Kind))
			}
			if got := strings.Join(kinds, ","); got != tt.wantKinds {
				t.Fatalf("kinds %q, want %q", got, tt.wantKinds)
			}
		})
	}
}
