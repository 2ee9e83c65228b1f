package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/httpapi"
)

func TestHandlerBuildsThePayloadAPIGatewayWould(t *testing.T) {
	var got events.APIGatewayV2HTTPRequest
	h := httpapi.Handler(func(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		got = req
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusAccepted, Headers: map[string]string{"X-Answer": "yes"},
			Body: base64.StdEncoding.EncodeToString([]byte{0xff, 0x00}), IsBase64Encoded: true}, nil
	}, []string{"provider", "binding"}, 8)
	mux := http.NewServeMux()
	mux.Handle("/hooks/{provider}/{binding}", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		name       string
		body       []byte
		wantBody   string
		wantBase64 bool
	}{
		{"Text", []byte(`{"a":1}`), `{"a":1}`, false},
		{"Binary", []byte{0xff, 0xfe}, base64.StdEncoding.EncodeToString([]byte{0xff, 0xfe}), true},
		// One byte over the limit is passed on, so the handler can answer 413; the rest is never read.
		{"OverLimit", bytes.Repeat([]byte("x"), 100), "xxxxxxxxx", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/hooks/trello/b1?tenant=acme", bytes.NewReader(tt.body))
			req.Header.Add("X-Trello-Webhook", "sig")
			req.Header.Add("X-Multi", "a")
			req.Header.Add("X-Multi", "b")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			answer, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted || resp.Header.Get("X-Answer") != "yes" || !bytes.Equal(answer, []byte{0xff, 0x00}) {
				t.Errorf("response %d %v %x", resp.StatusCode, resp.Header, answer)
			}
			checks := []struct{ what, got, want string }{
				{"provider", got.PathParameters["provider"], "trello"},
				{"binding", got.PathParameters["binding"], "b1"},
				{"rawPath", got.RawPath, "/hooks/trello/b1"},
				{"query", got.RawQueryString, "tenant=acme"},
				{"method", got.RequestContext.HTTP.Method, "POST"},
				{"signature header", got.Headers["x-trello-webhook"], "sig"},
				{"repeated header", got.Headers["x-multi"], "a,b"},
				{"body", got.Body, tt.wantBody},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
				}
			}
			if got.IsBase64Encoded != tt.wantBase64 {
				t.Errorf("IsBase64Encoded = %v, want %v", got.IsBase64Encoded, tt.wantBase64)
			}
		})
	}
}
