package yandexmetrika_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/yandexmetrika"
)

const token = "y0_AgAAAAB-metrika-token"

// fakeMetrika answers /stat/v1/data like the Reporting API: 401 for a wrong token, at most 20 metrics per
// request, each goal's reaches per day from reaches (goal -> date -> count), or the scripted failures first.
type fakeMetrika struct {
	mu       sync.Mutex
	failures []int // statuses to answer before the data, in order
	reaches  map[string]map[string]float64
	sampled  bool
	queries  []url.Values
}

func (f *fakeMetrika) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	f.queries = append(f.queries, q)
	w.Header().Set("Content-Type", "application/json")
	fail := func(status int, typ, msg string) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"error_type": typ, "message": msg}}, "code": status, "message": msg})
	}
	if r.URL.Path != "/stat/v1/data" || r.Method != http.MethodGet {
		fail(404, "not_found", "no such method")
		return
	}
	if r.Header.Get("Authorization") != "OAuth "+token {
		fail(401, "unauthorized", "Invalid oauth_token "+strings.TrimPrefix(r.Header.Get("Authorization"), "OAuth "))
		return
	}
	if len(f.failures) > 0 {
		status := f.failures[0]
		f.failures = f.failures[1:]
		fail(status, map[int]string{429: "quota", 503: "backend_error", 400: "invalid_parameter", 403: "access_denied"}[status], "scripted failure")
		return
	}
	metrics := strings.Split(q.Get("metrics"), ",")
	if len(metrics) > yandexmetrika.MaxMetrics {
		fail(400, "invalid_parameter", "too many metrics")
		return
	}
	if q.Get("dimensions") != "ym:s:date" || q.Get("accuracy") != "full" || q.Get("ids") != "44147844" {
		fail(400, "invalid_parameter", "unexpected query "+q.Encode())
		return
	}
	from, _ := time.Parse(time.DateOnly, q.Get("date1"))
	to, _ := time.Parse(time.DateOnly, q.Get("date2"))
	type row struct {
		Dimensions []map[string]string `json:"dimensions"`
		Metrics    []float64           `json:"metrics"`
	}
	var data []row
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		date := d.Format(time.DateOnly)
		r := row{Dimensions: []map[string]string{{"name": date}}}
		seen := false
		for _, m := range metrics {
			goal := strings.TrimSuffix(strings.TrimPrefix(m, "ym:s:goal"), "reaches")
			v, ok := f.reaches[goal][date]
			seen = seen || ok
			r.Metrics = append(r.Metrics, v)
		}
		if seen { // Metrika leaves out days without visits
			data = append(data, r)
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data, "total_rows": len(data), "sampled": f.sampled, "sample_share": 0.1})
}

type sleeps struct{ got []time.Duration }

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.got = append(s.got, d)
	return nil
}

func setup(t *testing.T, f *fakeMetrika, opts ...yandexmetrika.Option) (*yandexmetrika.Client, *sleeps, glassbox.Binding) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	s := &sleeps{}
	c := yandexmetrika.New(append([]yandexmetrika.Option{yandexmetrika.WithSleep(s.sleep)}, opts...)...)
	b := glassbox.Binding{ID: "acme-metrika", ProjectID: "acme", Provider: yandexmetrika.Name, ExternalID: "44147844",
		APIParam: "/glassbox/pull/acme-metrika", APIURL: srv.URL, Goals: []string{"312345678"}}
	return c, s, b
}

var twoDays = []string{"2025-05-01", "2025-05-02"}

func TestPullSample(t *testing.T) {
	t.Parallel()
	// The documented answer (visits and one goal's reaches): a stand-in that answers it whatever is asked
	// shows the rows are read in the order asked, and a row's count must match.
	raw, err := os.ReadFile("testdata/stat-data.json")
	if err != nil {
		t.Fatal(err)
	}
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query()
		_, _ = w.Write(raw)
	}))
	defer srv.Close()
	b := glassbox.Binding{ID: "m", Provider: yandexmetrika.Name, ExternalID: "44147844", APIURL: srv.URL, Goals: []string{"1", "312345678"}}
	ms, err := yandexmetrika.New().Pull(context.Background(), b, token, twoDays)
	if err != nil {
		t.Fatal(err)
	}
	want := []glassbox.Metric{{Date: "2025-05-01", Source: "yandex_metrika", Leads: 1834 + 27}, {Date: "2025-05-02", Source: "yandex_metrika", Leads: 1712 + 21}}
	if !reflect.DeepEqual(ms, want) {
		t.Errorf("got %+v, want %+v", ms, want)
	}
	if got.Get("metrics") != "ym:s:goal1reaches,ym:s:goal312345678reaches" || got.Get("date1") != "2025-05-01" || got.Get("date2") != "2025-05-02" {
		t.Errorf("query %v", got)
	}
	b.Goals = []string{"312345678"}
	if _, err := yandexmetrika.New().Pull(context.Background(), b, token, twoDays); err == nil || !strings.Contains(err.Error(), "2 metrics, asked for 1 and 1") {
		t.Errorf("err = %v, want one about a row of the wrong width", err)
	}
}

func TestPullChunksGoals(t *testing.T) {
	t.Parallel()
	// 45 goals: three requests of 20, 20 and 5 metrics; every goal reached once a day, goal 7 twice on the 2nd.
	f := &fakeMetrika{reaches: map[string]map[string]float64{}}
	var goals []string
	for i := range 45 {
		g := fmt.Sprint(1000 + i)
		goals = append(goals, g)
		f.reaches[g] = map[string]float64{"2025-05-01": 1, "2025-05-02": 1}
	}
	f.reaches["1007"]["2025-05-02"] = 3
	c, _, b := setup(t, f)
	b.Goals = goals
	got, err := c.Pull(context.Background(), b, token, append(twoDays, "2025-05-03"))
	if err != nil {
		t.Fatal(err)
	}
	want := []glassbox.Metric{
		{Date: "2025-05-01", Source: "yandex_metrika", Leads: 45},
		{Date: "2025-05-02", Source: "yandex_metrika", Leads: 47},
		{Date: "2025-05-03", Source: "yandex_metrika"}, // no visits: zero, so a re-pull replaces
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	var sizes []int
	for _, q := range f.queries {
		sizes = append(sizes, len(strings.Split(q.Get("metrics"), ",")))
	}
	if !reflect.DeepEqual(sizes, []int{20, 20, 5}) {
		t.Errorf("metrics per request %v, want [20 20 5]", sizes)
	}
}

func TestPullSampledIsLogged(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	f := &fakeMetrika{reaches: map[string]map[string]float64{"312345678": {"2025-05-01": 4}}, sampled: true}
	c, _, b := setup(t, f, yandexmetrika.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	got, err := c.Pull(context.Background(), b, token, twoDays)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Leads != 4 {
		t.Errorf("leads %d, want the sampled answer's 4 kept", got[0].Leads)
	}
	if !strings.Contains(logs.String(), "sampled") || !strings.Contains(logs.String(), `"sample_share":0.1`) || !strings.Contains(logs.String(), `"binding":"acme-metrika"`) {
		t.Errorf("log %s does not note the sampling", logs.String())
	}
}

func TestPullErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		failures  []int
		token     string
		wantType  string
		retryable bool
		requests  int
		waits     []time.Duration
	}{
		{"WrongToken", nil, "y0_wrong", "unauthorized", false, 1, nil},
		{"BadRequest", []int{400}, token, "invalid_parameter", false, 1, nil},
		{"AccessDenied", []int{403}, token, "access_denied", false, 1, nil},
		{"QuotaThrice", []int{429, 429, 429}, token, "quota", true, 3, []time.Duration{2 * time.Second, 4 * time.Second}},
		{"ServerThrice", []int{503, 503, 503}, token, "backend_error", true, 3, []time.Duration{2 * time.Second, 4 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeMetrika{failures: tt.failures}
			c, s, b := setup(t, f)
			_, err := c.Pull(context.Background(), b, tt.token, twoDays)
			var apiErr *yandexmetrika.APIError
			if !errors.As(err, &apiErr) || apiErr.Type != tt.wantType || apiErr.Retryable() != tt.retryable {
				t.Fatalf("err = %v, want an APIError %s (retryable %t)", err, tt.wantType, tt.retryable)
			}
			if strings.Contains(err.Error(), tt.token) {
				t.Errorf("the token is in the error: %s", err)
			}
			if len(f.queries) != tt.requests || !reflect.DeepEqual(s.got, tt.waits) {
				t.Errorf("%d requests, waits %v; want %d, %v", len(f.queries), s.got, tt.requests, tt.waits)
			}
		})
	}
}

func TestPullRetriesThenData(t *testing.T) {
	t.Parallel()
	f := &fakeMetrika{failures: []int{429, 503}, reaches: map[string]map[string]float64{"312345678": {"2025-05-02": 2}}}
	c, _, b := setup(t, f)
	got, err := c.Pull(context.Background(), b, token, twoDays)
	if err != nil {
		t.Fatal(err)
	}
	if got[1].Leads != 2 || len(f.queries) != 3 {
		t.Errorf("got %+v after %d requests", got, len(f.queries))
	}
}

func TestPullNoRetryPastDeadline(t *testing.T) {
	t.Parallel()
	f := &fakeMetrika{failures: []int{503, 503, 503}}
	c, s, b := setup(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := c.Pull(ctx, b, token, twoDays); err == nil {
		t.Fatal("no error")
	}
	if len(f.queries) != 1 || len(s.got) != 0 {
		t.Errorf("%d requests, waits %v: want one and no wait the deadline cannot hold", len(f.queries), s.got)
	}
}

func TestPullNotJSON(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "<html>") }))
	defer srv.Close()
	b := glassbox.Binding{ID: "m", ExternalID: "1", APIURL: srv.URL, Goals: []string{"1"}}
	if _, err := yandexmetrika.New().Pull(context.Background(), b, token, twoDays); err == nil || !strings.Contains(err.Error(), "not the Reporting API's JSON") {
		t.Errorf("err = %v", err)
	}
}
