// Package readback makes the HTTP calls with which providers read back what a webhook delivery leaves out (a
// task's title, a deal's stage): one JSON request with a credential, a bounded wait, a size-limited answer, and
// errors that never carry the credential. What an answer means (its JSON, a provider's own "gone" codes) stays
// in the provider.
package readback

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// DefaultTimeout bounds one call, whatever the caller's context allows.
const DefaultTimeout = 10 * time.Second

// DefaultMaxBytes is the largest answer read when a Request names no limit.
const DefaultMaxBytes = 1 << 20

// Request is one call to a provider's API.
type Request struct {
	// Method is GET when empty.
	Method string
	// URL is the whole endpoint. It may hold a secret (Bitrix24's webhook URLs do): no error names it.
	URL string
	// Header is sent as given, with Accept: application/json added when it has none, and Content-Type:
	// application/json when Body is set and it has none. The credential goes here.
	Header http.Header
	// Body, when not nil, is sent as the request's body.
	Body []byte
	// MaxBytes is the largest answer read; 0 means DefaultMaxBytes.
	MaxBytes int
}

// Answer is an HTTP answer, whatever its status.
type Answer struct {
	Status      int
	ContentType string
	Body        []byte
}

// OK says the answer is 200 OK.
func (a Answer) OK() bool { return a.Status == http.StatusOK }

// Do makes the call with hc (nil: a client with DefaultTimeout), waiting DefaultTimeout at most, and returns the
// answer whatever its status. Errors are for the call itself (no connection, an answer over MaxBytes); they
// name neither the URL nor the headers: a *url.Error is replaced by what went wrong.
func Do(ctx context.Context, hc *http.Client, r Request) (Answer, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	limit := r.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL, body)
	if err != nil {
		return Answer{}, errors.New("the API URL is not an http(s) URL")
	}
	for k, vs := range r.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if r.Body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		// *url.Error names the URL, which may hold a secret: keep only what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if err != nil {
		return Answer{}, fmt.Errorf("read answer: %w", err)
	}
	if len(b) > limit {
		return Answer{}, fmt.Errorf("answer over %d bytes", limit)
	}
	return Answer{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: b}, nil
}

// ValidBase says apiURL is an API's base address: http(s), a host, no query and no fragment (a path is
// appended to it).
func ValidBase(apiURL string) bool {
	u, ok := webURL(apiURL)
	return ok && u.RawQuery == "" && u.Fragment == ""
}

// WebLink says s, read from an answer, is an http(s) address with a host: a link an event may carry to a
// notice.
func WebLink(s string) bool {
	_, ok := webURL(s)
	return ok
}

func webURL(s string) (*url.URL, bool) {
	u, err := url.Parse(s)
	return u, err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// Endpoint is base (DefaultAPIURL-style, with or without a trailing slash) joined with path ("/tasks/1").
func Endpoint(base, path string) string {
	return strings.TrimRight(base, "/") + path
}

// HTTPError is an answer other than 200 OK. A 404 or 410 is glassbox.ErrNotFound (the thing is gone, or the
// credential may no longer see it): the event is dropped. Any other status (401, 429, 5xx) is an error the
// caller retries. Its text never holds the credential.
type HTTPError struct {
	// Status is the HTTP status of the answer.
	Status int
	// Code is the provider's error code, when its answer has one (ClickUp's ECODE).
	Code string
	// Message is the provider's error message, clipped, when its answer has one.
	Message string
}

func (e *HTTPError) Error() string {
	s := "HTTP " + strconv.Itoa(e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is makes a 404 or 410 answer errors.Is(err, glassbox.ErrNotFound).
func (e *HTTPError) Is(target error) bool {
	return target == glassbox.ErrNotFound && Gone(e.Status)
}

// Gone says an HTTP status means the thing read is gone: 404 or 410.
func Gone(status int) bool {
	return status == http.StatusNotFound || status == http.StatusGone
}

// Clip shortens text from an answer for an error message to n bytes (and "…"), keeping UTF-8 valid.
func Clip(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}
