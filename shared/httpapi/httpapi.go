// Package httpapi serves an API Gateway HTTP API (payload 2.0) Lambda handler over net/http, so glassbox dev
// runs exactly the handler that Lambda runs.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// HandlerFunc is a Lambda handler for HTTP API requests.
type HandlerFunc func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Handler adapts h to net/http. Path parameters come from the ServeMux pattern's wildcards ({provider},
// {binding}). Bodies are read up to maxBody+1 bytes, so h can still tell an oversized body from a full one.
func Handler(h HandlerFunc, params []string, maxBody int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			http.Error(w, `{"error":"cannot read body"}`, http.StatusBadRequest)
			return
		}
		req := Request(r, body, params)
		resp, err := h(r.Context(), req)
		if err != nil {
			// Lambda answers a handler error with 500 and a generic body; do the same.
			http.Error(w, `{"message":"Internal Server Error"}`, http.StatusInternalServerError)
			return
		}
		Write(w, resp)
	})
}

// Request builds the payload-2.0 event API Gateway would send for r with the given body.
func Request(r *http.Request, body []byte, params []string) events.APIGatewayV2HTTPRequest {
	headers := make(map[string]string, len(r.Header))
	for k, vs := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	if r.Host != "" {
		headers["host"] = r.Host
	}
	var pathParams map[string]string
	for _, p := range params {
		if v := r.PathValue(p); v != "" {
			if pathParams == nil {
				pathParams = map[string]string{}
			}
			pathParams[p] = v
		}
	}
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	now := time.Now().UTC()
	req := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RawPath:        r.URL.EscapedPath(),
		RawQueryString: r.URL.RawQuery,
		Headers:        headers,
		PathParameters: pathParams,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: r.Host,
			RequestID:  requestID(),
			Stage:      "$default",
			TimeEpoch:  now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  ip,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if utf8.Valid(body) {
		req.Body = string(body)
	} else {
		req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return req
}

// Write sends a Lambda HTTP response.
func Write(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		body, _ = base64.StdEncoding.DecodeString(resp.Body)
	}
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func requestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
