package bitrix24_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/bitrix24"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// webhookPath is the secret part of an incoming-webhook URL: user 1, code abc123secret.
const webhookPath = "/rest/1/abc123secret/"

// fakePortal answers crm.deal.get like a portal's incoming webhook: the deal for id 759, Bitrix24's error
// JSON otherwise. answer, when set, replaces it.
func fakePortal(t *testing.T, answer http.HandlerFunc) *httptest.Server {
	t.Helper()
	deal := providertest.Testdata(t, "bitrix24-crm-deal-get-response.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != webhookPath+"crm.deal.get.json" {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"ERROR_METHOD_NOT_FOUND","error_description":"Method not found!"}`))
			return
		}
		if answer != nil {
			answer(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if r.URL.Query().Get("id") != "759" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"NOT_FOUND","error_description":"Not found"}`))
			return
		}
		w.Write(deal)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchDeal(t *testing.T) {
	srv := fakePortal(t, nil)
	want := glassbox.DealChange{
		ID: "759", Name: "Ремонт кухни — ООО Ромашка", StageID: "WON", PipelineID: "0",
		Amount: 18500000, Currency: "RUB", Won: true,
	}
	for _, apiURL := range []string{srv.URL + webhookPath, strings.TrimSuffix(srv.URL+webhookPath, "/")} {
		c := &bitrix24.Client{HTTP: srv.Client()}
		got, err := c.FetchDeal(context.Background(), apiURL, "759")
		if err != nil {
			t.Fatalf("%s: %v", apiURL, err)
		}
		if got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", apiURL, got, want)
		}
	}
}

// TestFetchDealSampleAnswer reads the answer glassbox dev serves as its fake Bitrix24 REST API.
func TestFetchDealSampleAnswer(t *testing.T) {
	answer, err := os.ReadFile(filepath.Join("..", "..", "events", "bitrix24-crm-deal-get-response.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := fakePortal(t, func(w http.ResponseWriter, r *http.Request) { w.Write(answer) })
	got, err := (&bitrix24.Client{}).FetchDeal(context.Background(), srv.URL+webhookPath, "759")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "759" || !got.Won || got.Amount != 18500000 || got.Currency != "RUB" {
		t.Fatalf("deal = %+v, want deal 759, won, 185000.00 RUB", got)
	}
}

func TestFetchDealInProgressAndNumbers(t *testing.T) {
	srv := fakePortal(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"result":{"ID":759,"TITLE":null,"STAGE_ID":"C1:PREPARATION","STAGE_SEMANTIC_ID":"P",` +
			`"CATEGORY_ID":1,"OPPORTUNITY":"1499.9","CURRENCY_ID":"EUR"},"time":{"start":1}}`))
	})
	got, err := (&bitrix24.Client{}).FetchDeal(context.Background(), srv.URL+webhookPath, "759")
	if err != nil {
		t.Fatal(err)
	}
	want := glassbox.DealChange{ID: "759", StageID: "C1:PREPARATION", PipelineID: "1", Amount: 149990, Currency: "EUR"}
	if got != want {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestFetchDealErrors(t *testing.T) {
	answer := func(status int, contentType, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			w.Write([]byte(body))
		}
	}
	const js = "application/json"
	tests := []struct {
		name      string
		answer    http.HandlerFunc
		deal      string
		wantCode  string
		retryable bool
		notFound  bool
		wantIn    string
	}{
		{"NotFound", nil, "1", "NOT_FOUND", false, true, "NOT_FOUND: Not found"},
		{"NotFoundEmptyCode", answer(400, js, `{"error":"","error_description":"Not found"}`), "759", "", false, true, "Not found"},
		{"QueryLimit", answer(503, js, `{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}`), "759",
			"QUERY_LIMIT_EXCEEDED", true, false, "HTTP 503 QUERY_LIMIT_EXCEEDED"},
		{"ExpiredToken", answer(401, js, `{"error":"expired_token","error_description":"The access token provided has expired."}`), "759",
			"expired_token", false, false, "expired_token"},
		{"InvalidCredentials", answer(401, js, `{"error":"INVALID_CREDENTIALS","error_description":"Invalid request credentials"}`), "759",
			"INVALID_CREDENTIALS", false, false, "INVALID_CREDENTIALS"},
		{"ErrorWithStatus200", answer(200, js, `{"error":"ACCESS_DENIED","error_description":"Access denied!"}`), "759",
			"ACCESS_DENIED", false, false, "ACCESS_DENIED"},
		{"NotJSON502", answer(502, "text/html", "<html><body>502 Bad Gateway</body></html>"), "759", "", true, false, "not JSON"},
		{"NotJSON200", answer(200, "text/html", "<html>maintenance</html>"), "759", "", false, false, "not JSON"},
		{"ServerError", answer(500, js, `{"error":"INTERNAL_SERVER_ERROR","error_description":"Internal error"}`), "759",
			"INTERNAL_SERVER_ERROR", true, false, "HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakePortal(t, tt.answer)
			_, err := (&bitrix24.Client{}).FetchDeal(context.Background(), srv.URL+webhookPath, tt.deal)
			var ae *bitrix24.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v is not an *APIError", err)
			}
			if ae.Code != tt.wantCode || ae.Retryable() != tt.retryable {
				t.Errorf("APIError %+v: code %q retryable %v, want %q %v", ae, ae.Code, ae.Retryable(), tt.wantCode, tt.retryable)
			}
			if got := errors.Is(err, glassbox.ErrNotFound); got != tt.notFound {
				t.Errorf("errors.Is(err, ErrNotFound) = %v, want %v", got, tt.notFound)
			}
			if !strings.Contains(err.Error(), tt.wantIn) || !strings.Contains(err.Error(), "crm.deal.get") {
				t.Errorf("error %q, want it to name crm.deal.get and %q", err, tt.wantIn)
			}
			assertNoSecret(t, err)
		})
	}
}

func TestFetchDealBrokenAnswers(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"NoResult", `{"time":{}}`},
		{"NullResult", `{"result":null}`},
		{"ListResult", `{"result":[]}`},
		{"NoID", `{"result":{"TITLE":"x"}}`},
		{"ObjectField", `{"result":{"ID":{"a":1}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakePortal(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(tt.body)) })
			_, err := (&bitrix24.Client{}).FetchDeal(context.Background(), srv.URL+webhookPath, "759")
			if err == nil {
				t.Fatal("want an error")
			}
			assertNoSecret(t, err)
		})
	}
}

func TestFetchDealTransportErrorsHideTheURL(t *testing.T) {
	t.Run("Timeout", func(t *testing.T) {
		srv := fakePortal(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := (&bitrix24.Client{}).FetchDeal(ctx, srv.URL+webhookPath, "759")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, want a deadline exceeded", err)
		}
		assertNoSecret(t, err)
	})
	t.Run("ConnectionRefused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		base := srv.URL
		srv.Close()
		_, err := (&bitrix24.Client{}).FetchDeal(context.Background(), base+webhookPath, "759")
		if err == nil {
			t.Fatal("want an error")
		}
		assertNoSecret(t, err)
	})
	t.Run("BadURL", func(t *testing.T) {
		for _, apiURL := range []string{"", "ftp://portal.bitrix24.ru" + webhookPath, "portal.bitrix24.ru" + webhookPath,
			"https://portal.bitrix24.ru" + webhookPath + "?x=1", "https://por tal" + webhookPath} {
			_, err := (&bitrix24.Client{}).FetchDeal(context.Background(), apiURL, "759")
			if err == nil {
				t.Fatalf("%q: want an error", apiURL)
			}
			assertNoSecret(t, err)
		}
	})
	t.Run("NoDealID", func(t *testing.T) {
		if _, err := (&bitrix24.Client{}).FetchDeal(context.Background(), "https://portal.bitrix24.ru"+webhookPath, ""); err == nil {
			t.Fatal("want an error")
		}
	})
}

// assertNoSecret fails if the webhook code appears in the error or anything it wraps.
func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "abc123secret") {
			t.Fatalf("error text %q contains the webhook secret", e.Error())
		}
	}
}
