package providertest

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Verifier is a provider's Verify.
type Verifier interface {
	Verify(d glassbox.Delivery, secret string) error
}

// Provider is a provider as ingest uses it: Verify, then Parse.
type Provider interface {
	Verifier
	Parser
}

// handshaker is a provider that answers a subscription check (Asana's) before any delivery.
type handshaker interface {
	Handshake(d glassbox.Delivery) (glassbox.Handshake, bool)
}

// EventsDir is the repository's events/ folder as seen from a provider package's tests (shared/<provider>).
var EventsDir = filepath.Join("..", "..", "events")

// Samples checks events/ingest-<provider>-*.json, the requests make demo and sam local invoke post, against the
// demo binding of cmd/glassbox/demo/agency.yaml they are made for, and against what events/README.md says of
// them.
type Samples struct {
	Provider Provider
	// Binding is the demo binding: the samples are posted to /hooks/{Binding.Provider}/{Binding.ID}, and named
	// events/ingest-{Binding.Provider}-*.json.
	Binding glassbox.Binding
	// Secret is the demo binding's secret, which the samples are signed with (or carry).
	Secret string
	// CallbackURL is the delivery's, for providers that sign the URL called.
	CallbackURL string
	// ReceivedAt is when a sample arrives: providers that check a signed time need it near the sample's. Nil
	// means now.
	ReceivedAt func(t *testing.T, d glassbox.Delivery) time.Time
	// Event checks what the provider's samples have in common (their task, title, project) on the one event
	// of every sample that is neither forged nor ignored.
	Event func(t *testing.T, d glassbox.Delivery, e glassbox.Event)
}

// Sample is one events/ingest-<provider>-*.json and what it must become.
type Sample struct {
	File string
	// Forged: Verify must refuse it with glassbox.ErrBadSignature; nothing more is checked.
	Forged bool
	// Handshake: the provider's Handshake must take it and hand over the demo secret; nothing more is
	// checked. For a provider that has a Handshake, every other sample must not be taken for one.
	Handshake bool
	// Ignored: verified, and parsed to no event.
	Ignored bool
	// Otherwise it becomes one event. Kind, ID and Stage (the deal's stage id) are checked when set. Status is
	// checked for a task event, Closes and Paid (what the binding makes of the stage, StageMeaning) for a
	// deal event.
	Kind   glassbox.EventKind
	Status glassbox.TaskStatus
	ID     string
	Stage  string
	Closes string
	Paid   bool
}

// Run checks that events/ holds exactly the samples named (add a new one to the table and to
// events/README.md), then each in a subtest, in order.
func (s Samples) Run(t *testing.T, samples []Sample) {
	t.Helper()
	pattern := "ingest-" + s.Binding.Provider + "-*.json"
	files, err := filepath.Glob(filepath.Join(EventsDir, pattern))
	if err != nil || len(files) != len(samples) {
		t.Errorf("events/ has %d files %s (%v); the test knows %d: describe the new ones", len(files), pattern, err, len(samples))
	}
	for _, sample := range samples {
		t.Run(sample.File, func(t *testing.T) { s.check(t, sample) })
	}
}

func (s Samples) check(t *testing.T, sample Sample) {
	d := s.delivery(t, sample.File)
	if h, ok := s.Provider.(handshaker); ok {
		hs, isHandshake := h.Handshake(d)
		if isHandshake != sample.Handshake {
			t.Fatalf("Handshake = %v, want %v", isHandshake, sample.Handshake)
		}
		if isHandshake {
			if hs.Secret != s.Secret {
				t.Fatalf("handshake secret %q, want the demo secret", hs.Secret)
			}
			return
		}
	} else if sample.Handshake {
		t.Fatalf("%T has no Handshake", s.Provider)
	}
	err := s.Provider.Verify(d, s.Secret)
	if sample.Forged {
		if !errors.Is(err, glassbox.ErrBadSignature) {
			t.Fatalf("Verify = %v, want ErrBadSignature", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Verify: %v (sign the sample again with the demo binding's secret)", err)
	}
	evs, err := Accepted(s.Provider, d, s.Binding)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if sample.Ignored {
		if len(evs) != 0 {
			t.Fatalf("events %s, want the delivery ignored", dump(evs))
		}
		return
	}
	if len(evs) != 1 {
		t.Fatalf("got %d events, want 1: %s", len(evs), dump(evs))
	}
	e := evs[0]
	if sample.Kind != "" && e.Kind != sample.Kind {
		t.Errorf("Kind = %q, want %q", e.Kind, sample.Kind)
	}
	if sample.ID != "" && e.ID != sample.ID {
		t.Errorf("ID = %q, want %q", e.ID, sample.ID)
	}
	if sample.Stage != "" && (e.Deal == nil || e.Deal.StageID != sample.Stage) {
		t.Errorf("deal %s, want stage %q", dump(e.Deal), sample.Stage)
	}
	if e.Deal == nil {
		if e.Status != sample.Status {
			t.Errorf("Status = %q, want %q", e.Status, sample.Status)
		}
	} else if closes, paid := s.Binding.StageMeaning(e.ProjectID, *e.Deal); closes != sample.Closes || paid != sample.Paid {
		t.Errorf("StageMeaning = %q, %v; want %q, %v", closes, paid, sample.Closes, sample.Paid)
	}
	if s.Event != nil {
		s.Event(t, d, e)
	}
	if t.Failed() {
		t.Logf("event %s", dump(e))
	}
}

// apiRequest is the part of an API Gateway HTTP API event (events/*.json) ingest reads.
type apiRequest struct {
	RawPath         string            `json:"rawPath"`
	RawQueryString  string            `json:"rawQueryString"`
	Headers         map[string]string `json:"headers"`
	PathParameters  map[string]string `json:"pathParameters"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	RequestContext  struct {
		HTTP struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
	Body string `json:"body"`
}

// delivery reads events/<file>, checks it is a plain POST to the demo binding's hook, and returns what ingest
// makes of it.
func (s Samples) delivery(t *testing.T, file string) glassbox.Delivery {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(EventsDir, file))
	if err != nil {
		t.Fatal(err)
	}
	var req apiRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	path := "/hooks/" + s.Binding.Provider + "/" + s.Binding.ID
	if req.RawPath != path || req.RequestContext.HTTP.Method != http.MethodPost || req.IsBase64Encoded ||
		req.PathParameters["provider"] != s.Binding.Provider || req.PathParameters["binding"] != s.Binding.ID {
		t.Fatalf("%s %s (path parameters %v, base64 %v), want a plain body posted to %s",
			req.RequestContext.HTTP.Method, req.RawPath, req.PathParameters, req.IsBase64Encoded, path)
	}
	h := http.Header{}
	for k, v := range req.Headers {
		h.Set(k, v)
	}
	if n := h.Get("Content-Length"); n != "" && n != strconv.Itoa(len(req.Body)) {
		t.Errorf("content-length %s, body has %d bytes", n, len(req.Body))
	}
	q, err := url.ParseQuery(req.RawQueryString)
	if err != nil {
		t.Fatalf("rawQueryString: %v", err)
	}
	d := glassbox.Delivery{Method: req.RequestContext.HTTP.Method, Header: h, Query: q, Body: []byte(req.Body), CallbackURL: s.CallbackURL}
	if s.ReceivedAt != nil {
		d.ReceivedAt = s.ReceivedAt(t, d)
	} else {
		d.ReceivedAt = time.Now().UTC()
	}
	return d
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
