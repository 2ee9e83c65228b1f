package readback_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/readback"
)

func TestDoGET(t *testing.T) {
	t.Parallel()
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"gone"}`)
	}))
	defer srv.Close()

	a, err := readback.Do(context.Background(), srv.Client(), readback.Request{
		URL:    readback.Endpoint(srv.URL+"/api/", "/cards/7"),
		Header: http.Header{"Authorization": {"Bearer tok"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodGet || got.URL.Path != "/api/cards/7" || got.Header.Get("Authorization") != "Bearer tok" || got.Header.Get("Accept") != "application/json" {
		t.Errorf("request %s %s, Authorization %q, Accept %q", got.Method, got.URL.Path, got.Header.Get("Authorization"), got.Header.Get("Accept"))
	}
	if a.OK() || a.Status != http.StatusNotFound || a.ContentType != "application/json" || string(a.Body) != `{"message":"gone"}` {
		t.Errorf("answer %+v", a)
	}
}

func TestDoPOST(t *testing.T) {
	t.Parallel()
	var body, ctype string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body, ctype = string(b), r.Header.Get("Content-Type")
		io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	a, err := readback.Do(context.Background(), nil, readback.Request{Method: http.MethodPost, URL: srv.URL, Body: []byte(`{"q":1}`)})
	if err != nil || !a.OK() {
		t.Fatalf("answer %+v, %v", a, err)
	}
	if body != `{"q":1}` || ctype != "application/json" {
		t.Errorf("server got %q as %q", body, ctype)
	}
}

func TestDoAnswerOverLimit(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 11))
	}))
	defer srv.Close()
	if _, err := readback.Do(context.Background(), nil, readback.Request{URL: srv.URL, MaxBytes: 10}); err == nil || !strings.Contains(err.Error(), "over 10 bytes") {
		t.Errorf("11 bytes with a limit of 10: %v", err)
	}
	if a, err := readback.Do(context.Background(), nil, readback.Request{URL: srv.URL, MaxBytes: 11}); err != nil || len(a.Body) != 11 {
		t.Errorf("11 bytes with a limit of 11: %d bytes, %v", len(a.Body), err)
	}
}

// A failed call names neither the URL (Bitrix24's holds its secret) nor the credential.
func TestDoErrorHoldsNoSecret(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/rest/1/secretpath/"
	srv.Close()
	_, err := readback.Do(context.Background(), nil, readback.Request{URL: u, Header: http.Header{"Authorization": {"Bearer secrettoken"}}})
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	if strings.Contains(err.Error(), "secretpath") || strings.Contains(err.Error(), "secrettoken") {
		t.Errorf("error %q names a secret", err)
	}
}

func TestHTTPError(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		err      *readback.HTTPError
		text     string
		notFound bool
	}{
		{&readback.HTTPError{Status: 404}, "HTTP 404", true},
		{&readback.HTTPError{Status: 410, Message: "deleted"}, "HTTP 410: deleted", true},
		{&readback.HTTPError{Status: 401, Code: "OAUTH_025", Message: "bad token"}, "HTTP 401 OAUTH_025: bad token", false},
		{&readback.HTTPError{Status: 429}, "HTTP 429", false},
		{&readback.HTTPError{Status: 500}, "HTTP 500", false},
	} {
		err := error(tt.err)
		if got := err.Error(); got != tt.text {
			t.Errorf("Error() = %q, want %q", got, tt.text)
		}
		if got := errors.Is(err, glassbox.ErrNotFound); got != tt.notFound {
			t.Errorf("%s: errors.Is(ErrNotFound) = %v, want %v", tt.text, got, tt.notFound)
		}
	}
}

func TestValidBase(t *testing.T) {
	t.Parallel()
	for u, want := range map[string]bool{
		"https://app.asana.com/api/1.0": true,
		"http://127.0.0.1:8080/":        true,
		"ftp://example.com":             false,
		"https://":                      false,
		"https://x.test/api?x=1":        false,
		"https://x.test/api#frag":       false,
		"not a url":                     false,
		"":                              false,
	} {
		if got := readback.ValidBase(u); got != want {
			t.Errorf("ValidBase(%q) = %v, want %v", u, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	if got := readback.Clip("short", 10); got != "short" {
		t.Errorf("Clip(short) = %q", got)
	}
	if got := readback.Clip("абв", 3); got != "а…" {
		t.Errorf("Clip cut inside a rune: %q", got)
	}
}

func TestWebLink(t *testing.T) {
	t.Parallel()
	for u, want := range map[string]bool{
		"https://app.asana.com/0/0/1207654321000042": true,
		"http://x.test/t?a=1#b":                      true,
		"javascript:alert(1)":                        false,
		"/relative/path":                             false,
		"https://":                                   false,
		"":                                           false,
	} {
		if got := readback.WebLink(u); got != want {
			t.Errorf("WebLink(%q) = %v, want %v", u, got, want)
		}
	}
}
