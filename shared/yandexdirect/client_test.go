package yandexdirect_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/yandexdirect"
)

const token = "y0_AgAAAAB-secret-token"

// answer is one scripted answer of the fake Reports API.
type answer struct {
	status  int
	retryIn string
	body    string
}

// fakeDirect follows the Reports API: it refuses a wrong token with error 53, records each request, and
// answers from a script (the last answer repeats).
type fakeDirect struct {
	t      *testing.T
	mu     sync.Mutex
	script []answer
	reqs   []*http.Request
	bodies []string
}

func (f *fakeDirect) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	f.bodies = append(f.bodies, string(body))
	n := len(f.reqs)
	f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/json/v5/reports" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+token {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		// Direct echoes nothing of the token; a careless stand-in might, and it must not reach a log.
		_, _ = io.WriteString(w, `{"error":{"request_id":"1","error_code":53,"error_string":"Authorization error","error_detail":"Invalid OAuth token `+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+`"}}`)
		return
	}
	a := f.script[min(n, len(f.script))-1]
	if a.retryIn != "" {
		w.Header().Set("retryIn", a.retryIn)
	}
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

func sample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sleeps records the waits instead of waiting.
type sleeps struct {
	mu  sync.Mutex
	got []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, d)
	return nil
}

func setup(t *testing.T, script []answer, opts ...yandexdirect.Option) (*yandexdirect.Client, *fakeDirect, *sleeps, glassbox.Binding) {
	t.Helper()
	f := &fakeDirect{t: t, script: script}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	s := &sleeps{}
	c := yandexdirect.New(append([]yandexdirect.Option{yandexdirect.WithSleep(s.sleep)}, opts...)...)
	b := glassbox.Binding{ID: "acme-direct", ProjectID: "acme", Provider: yandexdirect.Name, ExternalID: "acme-client",
		APIParam: "/glassbox/pull/acme-direct", APIURL: srv.URL, Goals: []string{"312345678"}, Currency: "RUB"}
	return c, f, s, b
}

func TestPullReport(t *testing.T) {
	t.Parallel()
	c, f, _, b := setup(t, []answer{{status: 200, body: sample(t, "report-micros.tsv")}})
	got, err := c.Pull(context.Background(), b, token, days("2025-05-01", "2025-05-03"))
	if err != nil {
		t.Fatal(err)
	}
	want := []glassbox.Metric{
		{Date: "2025-05-01", Source: "yandex_direct", Spend: 1205500, Currency: "RUB", Impressions: 98662, Clicks: 628, Leads: 12},
		{Date: "2025-05-02", Source: "yandex_direct", Spend: 781123, Currency: "RUB", Impressions: 9876, Clicks: 254, Leads: 9},
		// No row that day: zero, so a re-pull replaces figures Direct has since revised away.
		{Date: "2025-05-03", Source: "yandex_direct", Currency: "RUB"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}

	r := f.reqs[0]
	for h, v := range map[string]string{
		"Authorization": "Bearer " + token, "Client-Login": "acme-client", "processingMode": "auto",
		"skipReportHeader": "true", "skipReportSummary": "true", "skipColumnHeader": "", "returnMoneyInMicros": "",
		"Accept-Language": "en",
	} {
		if got := r.Header.Get(h); got != v {
			t.Errorf("header %s = %q, want %q", h, got, v)
		}
	}
	var body struct {
		Params struct {
			SelectionCriteria                                         struct{ DateFrom, DateTo string }
			Goals, AttributionModels, FieldNames                      []string
			ReportName, ReportType, DateRangeType, Format, IncludeVAT string
		} `json:"params"`
	}
	if err := json.Unmarshal([]byte(f.bodies[0]), &body); err != nil {
		t.Fatal(err)
	}
	p := body.Params
	if p.SelectionCriteria.DateFrom != "2025-05-01" || p.SelectionCriteria.DateTo != "2025-05-03" ||
		!reflect.DeepEqual(p.Goals, []string{"312345678"}) || !reflect.DeepEqual(p.AttributionModels, []string{"LSC"}) ||
		p.ReportType != "CAMPAIGN_PERFORMANCE_REPORT" || p.DateRangeType != "CUSTOM_DATE" || p.Format != "TSV" ||
		p.IncludeVAT != "YES" || !strings.HasPrefix(p.ReportName, "glassbox-") || !strings.Contains(strings.Join(p.FieldNames, ","), "Cost") {
		t.Errorf("request params %+v", p)
	}
}

func TestPullPlainMoney(t *testing.T) {
	t.Parallel()
	c, f, _, b := setup(t, []answer{{status: 200, body: sample(t, "report-plain.tsv")}}, yandexdirect.WithPlainMoney())
	got, err := c.Pull(context.Background(), b, token, days("2025-05-01", "2025-05-02"))
	if err != nil {
		t.Fatal(err)
	}
	if f.reqs[0].Header.Get("returnMoneyInMicros") != "false" {
		t.Errorf("returnMoneyInMicros = %q, want false", f.reqs[0].Header.Get("returnMoneyInMicros"))
	}
	if got[0].Spend != 1205500 || got[1].Spend != 781123 {
		t.Errorf("spend %d, %d; want the micros sample's 1205500, 781123", got[0].Spend, got[1].Spend)
	}
}

func TestPullWithoutGoals(t *testing.T) {
	t.Parallel()
	report := "Date\tCampaignId\tImpressions\tClicks\tCost\tConversions\n2025-05-01\t1\t100\t10\t1000000\t3\n2025-05-01\t2\t50\t5\t--\t--\n"
	c, f, _, b := setup(t, []answer{{status: 200, body: report}})
	b.Goals = nil
	b.ExternalID = ""
	got, err := c.Pull(context.Background(), b, token, days("2025-05-01", "2025-05-01"))
	if err != nil {
		t.Fatal(err)
	}
	want := glassbox.Metric{Date: "2025-05-01", Source: "yandex_direct", Spend: 100, Currency: "RUB", Impressions: 150, Clicks: 15, Conversions: 3}
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, ok := f.reqs[0].Header["Client-Login"]; ok {
		t.Error("Client-Login sent without an external_id")
	}
	if strings.Contains(f.bodies[0], "Goals") || strings.Contains(f.bodies[0], "AttributionModels") {
		t.Errorf("body %s asks for goals the binding has not", f.bodies[0])
	}
}

func TestPullQueuedThenReady(t *testing.T) {
	t.Parallel()
	c, f, s, b := setup(t, []answer{
		{status: 201, retryIn: "3"},
		{status: 202, retryIn: "7"},
		{status: 202}, // no retryIn: a default wait
		{status: 200, body: sample(t, "report-micros.tsv")},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	got, err := c.Pull(ctx, b, token, days("2025-05-01", "2025-05-02"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Spend != 1205500 {
		t.Errorf("got %+v", got)
	}
	if want := []time.Duration{3 * time.Second, 7 * time.Second, 10 * time.Second}; !reflect.DeepEqual(s.got, want) {
		t.Errorf("waits %v, want %v (retryIn, else 10 s)", s.got, want)
	}
	// The same request each time: same body, so the same ReportName polls the same queued report.
	for i, body := range f.bodies {
		if body != f.bodies[0] {
			t.Errorf("request %d body %s differs from the first %s", i+1, body, f.bodies[0])
		}
	}
}

func TestPullNotReadyBeforeDeadline(t *testing.T) {
	t.Parallel()
	c, f, s, b := setup(t, []answer{{status: 201, retryIn: "30"}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := c.Pull(ctx, b, token, days("2025-05-01", "2025-05-02"))
	var nr *yandexdirect.NotReadyError
	if !errors.As(err, &nr) || nr.RetryIn != 30*time.Second || !nr.NotReady() || !strings.HasPrefix(nr.Report, "glassbox-") {
		t.Fatalf("err = %v, want a NotReadyError with retryIn 30 s", err)
	}
	if len(f.reqs) != 1 || len(s.got) != 0 {
		t.Errorf("%d requests, waits %v: want one request and no wait past the deadline", len(f.reqs), s.got)
	}
}

func TestPullErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		script    []answer
		token     string
		wantCode  string
		wantText  string
		retryable bool
		requests  int
	}{
		{"BadRequest", []answer{{status: 400, body: sample(t, "error-400.json")}}, token, "4000", "Invalid request parameters (Field DateFrom is required) [request_id 8695244274068608439]", false, 1},
		{"WrongToken", nil, "y0_wrong-token", "53", "Authorization error", false, 1},
		{"ServerErrorTwiceThenGivesUp", []answer{{status: 500, body: `{"error":{"error_code":1000,"error_string":"Server temporarily unavailable"}}`}}, token, "1000", "HTTP 500", true, 3},
		{"TimeoutNoBody", []answer{{status: 502, body: "Bad Gateway"}}, token, "", "HTTP 502: Bad Gateway", true, 3},
		{"Unexpected", []answer{{status: 403, body: "<html>no</html>"}}, token, "", "HTTP 403: Forbidden", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, f, _, b := setup(t, tt.script)
			_, err := c.Pull(context.Background(), b, tt.token, days("2025-05-01", "2025-05-02"))
			var apiErr *yandexdirect.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want an APIError", err)
			}
			if apiErr.Code != tt.wantCode || !strings.Contains(err.Error(), tt.wantText) || apiErr.Retryable() != tt.retryable {
				t.Errorf("err = %q (code %q, retryable %t); want code %q, text %q, retryable %t", err, apiErr.Code, apiErr.Retryable(), tt.wantCode, tt.wantText, tt.retryable)
			}
			if strings.Contains(err.Error(), tt.token) {
				t.Errorf("the token is in the error: %s", err)
			}
			if len(f.reqs) != tt.requests {
				t.Errorf("%d requests, want %d", len(f.reqs), tt.requests)
			}
		})
	}
}

func TestPullServerErrorThenReport(t *testing.T) {
	t.Parallel()
	c, f, s, b := setup(t, []answer{{status: 502}, {status: 500}, {status: 200, body: sample(t, "report-micros.tsv")}})
	if _, err := c.Pull(context.Background(), b, token, days("2025-05-01", "2025-05-02")); err != nil {
		t.Fatal(err)
	}
	if len(f.reqs) != 3 || !reflect.DeepEqual(s.got, []time.Duration{2 * time.Second, 4 * time.Second}) {
		t.Errorf("%d requests, waits %v; want 3 and [2s 4s]", len(f.reqs), s.got)
	}
}

func TestPullNeedsCurrency(t *testing.T) {
	t.Parallel()
	c, f, _, b := setup(t, nil)
	b.Currency = ""
	if _, err := c.Pull(context.Background(), b, token, days("2025-05-01", "2025-05-02")); err == nil || !strings.Contains(err.Error(), "currency") {
		t.Errorf("err = %v, want one about the currency", err)
	}
	if len(f.reqs) != 0 {
		t.Error("asked Direct for a report whose money it could not convert")
	}
}

// days lists from..to.
func days(from, to string) []string {
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	var out []string
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

func TestPullAtMostTenGoals(t *testing.T) {
	t.Parallel()
	c, f, _, b := setup(t, nil)
	b.Goals = strings.Fields("1 2 3 4 5 6 7 8 9 10 11")
	if _, err := c.Pull(context.Background(), b, token, days("2025-05-01", "2025-05-02")); err == nil || !strings.Contains(err.Error(), "at most 10") {
		t.Errorf("err = %v, want one about Direct's 10 goals", err)
	}
	if len(f.reqs) != 0 {
		t.Error("asked Direct for a report it refuses")
	}
}
