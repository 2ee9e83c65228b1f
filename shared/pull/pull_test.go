package pull_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/providers"
	"github.com/glassbox-oss/glassbox/shared/pull"
)

func TestWindow(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	msk, _ := time.LoadLocation("Europe/Moscow")
	tests := []struct {
		name string
		now  time.Time
		zone *time.Location
		n    int
		want []string
	}{
		{"MoscowPastMidnight", time.Date(2026, 11, 30, 21, 30, 0, 0, time.UTC), msk, 3, []string{"2026-11-28", "2026-11-29", "2026-11-30"}},
		{"SameInstantUTC", time.Date(2026, 11, 30, 21, 30, 0, 0, time.UTC), time.UTC, 3, []string{"2026-11-27", "2026-11-28", "2026-11-29"}},
		{"NewYorkEvening", time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC), ny, 2, []string{"2026-11-28", "2026-11-29"}},
		{"AcrossSpringForward", time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC), ny, 2, []string{"2026-03-07", "2026-03-08"}},
		{"AcrossYear", time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC), time.UTC, 1, []string{"2026-12-31"}},
	}
	for _, tt := range tests {
		if got := pull.Window(tt.now, tt.zone, tt.n); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// directRow is one campaign's day in the fake Direct.
type directRow struct {
	date                            string
	impressions, clicks, costMicros int64
	goalConversions                 int64
}

// yandex is a stand-in for both APIs, serving what its maps hold in the documented formats. Direct: logins'
// rows (the "queued" login is always being built); Metrika: counters' reaches of goal 1 per day (the "403"
// counter is someone else's).
type yandex struct {
	mu      sync.Mutex
	direct  map[string][]directRow
	metrika map[string]map[string]float64
}

const token = "y0_token"

func (y *yandex) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	y.mu.Lock()
	defer y.mu.Unlock()
	switch r.URL.Path {
	case "/json/v5/reports":
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"error":{"request_id":"1","error_code":"53","error_string":"Authorization error","error_detail":""}}`)
			return
		}
		login := r.Header.Get("Client-Login")
		if login == "queued" {
			w.Header().Set("retryIn", "60")
			w.WriteHeader(201)
			return
		}
		var body struct {
			Params struct {
				SelectionCriteria struct{ DateFrom, DateTo string }
			} `json:"params"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		sc := body.Params.SelectionCriteria
		var b strings.Builder
		b.WriteString("Date\tCampaignId\tImpressions\tClicks\tCost\tConversions_1_LSC\n")
		for i, row := range y.direct[login] {
			if row.date >= sc.DateFrom && row.date <= sc.DateTo {
				fmt.Fprintf(&b, "%s\t%d\t%d\t%d\t%d\t%d\n", row.date, 700+i, row.impressions, row.clicks, row.costMicros, row.goalConversions)
			}
		}
		_, _ = io.WriteString(w, b.String())
	case "/stat/v1/data":
		q := r.URL.Query()
		if r.Header.Get("Authorization") != "OAuth "+token || q.Get("ids") == "403" {
			w.WriteHeader(403)
			_, _ = io.WriteString(w, `{"errors":[{"error_type":"access_denied","message":"Access is denied"}],"code":403,"message":"Access is denied"}`)
			return
		}
		type row struct {
			Dimensions []map[string]string `json:"dimensions"`
			Metrics    []float64           `json:"metrics"`
		}
		var data []row
		for date, n := range y.metrika[q.Get("ids")] {
			if date >= q.Get("date1") && date <= q.Get("date2") {
				data = append(data, row{[]map[string]string{{"name": date}}, []float64{n}})
			}
		}
		sort.Slice(data, func(i, j int) bool { return data[i].Dimensions[0]["name"] < data[j].Dimensions[0]["name"] })
		_ = json.NewEncoder(w).Encode(map[string]any{"data": data, "sampled": false})
	default:
		http.NotFound(w, r)
	}
}

type secrets map[string]string

func (s secrets) Secret(_ context.Context, name string) (string, error) {
	v, ok := s[name]
	if !ok {
		return "", fmt.Errorf("parameter %s: %w", name, glassbox.ErrNotFound)
	}
	return v, nil
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// scenarioStore is what the end-to-end scenario needs of a store.
type scenarioStore interface {
	pull.Store
	PutConfig(ctx context.Context, c glassbox.Config) error
	MetricsBetween(ctx context.Context, projectID, from, to string) ([]glassbox.Metric, error)
}

// runScenario pulls twice for four projects, Direct having revised a day between the passes:
//   - site (Moscow): Direct and Metrika;
//   - ny (New York, so its yesterday is a day earlier): two Direct logins, summed;
//   - broken: a Metrika counter the token may not read (fails, alone);
//   - slow: a Direct report still being built (not ready, not a failure).
//
// Re-pulled days replace the stored ones: the count stays, the revised day has the new figures.
func runScenario(t *testing.T, store scenarioStore) {
	ctx := t.Context()
	y := &yandex{
		direct: map[string][]directRow{
			"site-login": {
				{"2026-11-28", 1000, 10, 1_500_000_000, 1}, {"2026-11-28", 500, 5, 500_000_000, 0},
				{"2026-11-30", 2000, 20, 3_000_000_000, 4},
				{"2026-12-01", 9999, 99, 9_999_000_000, 9}, // today in Moscow: not pulled
			},
			"ny-a": {{"2026-11-27", 100, 1, 10_000_000, 0}, {"2026-11-29", 100, 1, 10_000_000, 1}},
			"ny-b": {{"2026-11-29", 300, 3, 25_550_000, 2}},
		},
		metrika: map[string]map[string]float64{"4100": {"2026-11-29": 6, "2026-11-30": 7}},
	}
	srv := httptest.NewServer(y)
	t.Cleanup(srv.Close)
	param := func(id string) string { return "/glassbox/pull/" + id }
	cfg := glassbox.Config{
		Agency: glassbox.Agency{Name: "Studio", TimeZone: "Europe/Moscow"},
		Projects: []glassbox.Project{
			{ID: "site", Name: "Site"}, {ID: "ny", Name: "NY", TimeZone: "America/New_York"},
			{ID: "broken", Name: "Broken"}, {ID: "slow", Name: "Slow"},
		},
		Bindings: []glassbox.Binding{
			{ID: "board", ProjectID: "site", Provider: "trello", ExternalID: "b1", SecretParam: "/glassbox/trello/board"},
			{ID: "site-direct", ProjectID: "site", Provider: "yandex_direct", ExternalID: "site-login", Currency: "RUB", Goals: []string{"1"}},
			{ID: "site-metrika", ProjectID: "site", Provider: "yandex_metrika", ExternalID: "4100", Goals: []string{"1"}},
			{ID: "ny-a", ProjectID: "ny", Provider: "yandex_direct", ExternalID: "ny-a", Currency: "USD"},
			{ID: "ny-b", ProjectID: "ny", Provider: "yandex_direct", ExternalID: "ny-b", Currency: "USD"},
			{ID: "broken-metrika", ProjectID: "broken", Provider: "yandex_metrika", ExternalID: "403", Goals: []string{"1"}},
			{ID: "slow-direct", ProjectID: "slow", Provider: "yandex_direct", ExternalID: "queued", Currency: "RUB"},
		},
	}
	tokens := secrets{}
	for i := range cfg.Bindings {
		if b := &cfg.Bindings[i]; b.Provider != "trello" {
			b.APIURL, b.APIParam = srv.URL, param(b.ID)
			tokens[b.APIParam] = token
		}
	}
	if err := store.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	// 03:00 UTC: 06:00 on 1 December in Moscow (yesterday the 30th), 22:00 on 30 November in New York (yesterday
	// the 29th): each project's own yesterday.
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	p := pull.New(store, tokens, providers.Pulled(), fixedClock{now}, pull.Options{BindingTimeout: 20 * time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})

	res, err := p.Run(ctx, pull.Input{})
	if err == nil || !strings.Contains(err.Error(), "broken-metrika") || !strings.Contains(err.Error(), "access_denied") || strings.Contains(err.Error(), token) {
		t.Errorf("err = %v, want the broken binding's access_denied alone, without the token", err)
	}
	if want := (pull.Result{Sources: 5, Stored: 3, Metrics: 9, NotReady: 1, Failed: 1}); res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}

	type fig struct {
		date, source        string
		spend, clicks, lead int64
		currency            string
	}
	figures := func(project string) []fig {
		t.Helper()
		ms, err := store.MetricsBetween(ctx, project, "2026-11-01", "2026-12-31")
		if err != nil {
			t.Fatal(err)
		}
		var out []fig
		for _, m := range ms {
			out = append(out, fig{m.Date, m.Source, m.Spend, m.Clicks, m.Leads, m.Currency})
			if m.ProjectID != project || !strings.HasPrefix(m.Origin, m.Source+":") || !m.UpdatedAt.Equal(now) {
				t.Errorf("%+v: project, origin or updatedAt not set by the pass", m)
			}
		}
		return out
	}
	siteWant := []fig{
		{"2026-11-28", "yandex_direct", 200000, 15, 1, "RUB"},
		{"2026-11-28", "yandex_metrika", 0, 0, 0, ""},
		{"2026-11-29", "yandex_direct", 0, 0, 0, "RUB"},
		{"2026-11-29", "yandex_metrika", 0, 0, 6, ""},
		{"2026-11-30", "yandex_direct", 300000, 20, 4, "RUB"},
		{"2026-11-30", "yandex_metrika", 0, 0, 7, ""},
	}
	if got := figures("site"); !reflect.DeepEqual(got, siteWant) {
		t.Errorf("site after the first pass:\n%v\nwant\n%v", got, siteWant)
	}
	// New York's yesterday is the 29th; its two logins are summed (1 + 2.555 = 3.555 USD -> 356 cents, once).
	nyWant := []fig{
		{"2026-11-27", "yandex_direct", 1000, 1, 0, "USD"},
		{"2026-11-28", "yandex_direct", 0, 0, 0, "USD"},
		{"2026-11-29", "yandex_direct", 3555, 4, 0, "USD"},
	}
	if got := figures("ny"); !reflect.DeepEqual(got, nyWant) {
		t.Errorf("ny:\n%v\nwant\n%v", got, nyWant)
	}
	for _, project := range []string{"broken", "slow"} {
		if got := figures(project); len(got) != 0 {
			t.Errorf("%s stored %v", project, got)
		}
	}

	// Direct revises the 30th (late conversions, a refund); the next pass replaces it, never adds.
	y.mu.Lock()
	y.direct["site-login"][2] = directRow{"2026-11-30", 2100, 21, 2_900_000_000, 5}
	y.mu.Unlock()
	if _, err := p.Run(ctx, pull.Input{}); err == nil {
		t.Error("the broken binding stopped failing")
	}
	siteWant[4] = fig{"2026-11-30", "yandex_direct", 290000, 21, 5, "RUB"}
	if got := figures("site"); !reflect.DeepEqual(got, siteWant) {
		t.Errorf("site after the re-pull (want replaced, not doubled):\n%v\nwant\n%v", got, siteWant)
	}

	// A backfill asks for more days; the days pulled before are replaced by the same figures.
	if res, _ := p.Run(ctx, pull.Input{Days: 5}); res.Metrics != 3*5 {
		t.Errorf("backfill stored %d figures, want 15", res.Metrics)
	}
	if got := figures("site"); len(got) != 10 || !reflect.DeepEqual(got[4:], siteWant) {
		t.Errorf("site after the backfill: %v", got)
	}
}

func TestRunLocalstore(t *testing.T) {
	t.Parallel()
	store, err := localstore.Open(filepath.Join(t.TempDir(), "glassbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	runScenario(t, store)
}

// fakeSource is a Source whose answers the test sets per binding.
type fakeSource struct {
	name    string
	mu      sync.Mutex
	answers map[string]error
	calls   []string
}

func (f *fakeSource) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: f.name, Kind: glassbox.ProviderMetrics, Pulled: true}
}

func (f *fakeSource) Pull(_ context.Context, b glassbox.Binding, _ string, days []string) ([]glassbox.Metric, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, b.ID)
	if err := f.answers[b.ID]; err != nil {
		return nil, err
	}
	var out []glassbox.Metric
	for _, d := range days {
		out = append(out, glassbox.Metric{Date: d, Source: f.name, Spend: 100, Currency: b.Currency, Leads: 1})
	}
	return out, nil
}

// memStore keeps what PutMetrics is given.
type memStore struct {
	cfg glassbox.Config
	mu  sync.Mutex
	put map[string][]glassbox.Metric // by project
	err error
}

func (m *memStore) Config(context.Context) (glassbox.Config, error) { return m.cfg, nil }
func (m *memStore) PutMetrics(_ context.Context, ms []glassbox.Metric) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	for _, x := range ms {
		m.put[x.ProjectID] = append(m.put[x.ProjectID], x)
	}
	return nil
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

type notReady struct{}

func (notReady) Error() string  { return "building" }
func (notReady) NotReady() bool { return true }

func TestRunFailuresStayApart(t *testing.T) {
	t.Parallel()
	src := &fakeSource{name: "ads", answers: map[string]error{
		"b-fail":  errors.New("boom"),
		"c-later": fmt.Errorf("wrapped: %w", notReady{}),
		"d2":      errors.New("second login down"),
	}}
	cfg := glassbox.Config{
		Projects: []glassbox.Project{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}, {ID: "e"}},
		Bindings: []glassbox.Binding{
			{ID: "a1", ProjectID: "a", Provider: "ads", APIParam: "/t/a1", Currency: "RUB"},
			{ID: "b-fail", ProjectID: "b", Provider: "ads", APIParam: "/t/b"},
			{ID: "c-later", ProjectID: "c", Provider: "ads", APIParam: "/t/c"},
			// Two logins of one project: one down means neither is stored, so the day is never half its spend.
			{ID: "d1", ProjectID: "d", Provider: "ads", APIParam: "/t/d1"},
			{ID: "d2", ProjectID: "d", Provider: "ads", APIParam: "/t/d2"},
			{ID: "e-notoken", ProjectID: "e", Provider: "ads", APIParam: "/t/missing"},
			{ID: "x-unknown", ProjectID: "gone", Provider: "ads", APIParam: "/t/x"},
			{ID: "tracker", ProjectID: "a", Provider: "trello"},
		},
	}
	tokens := secrets{"/t/a1": "t", "/t/b": "t", "/t/c": "t", "/t/d1": "t", "/t/d2": "t", "/t/x": "t"}
	store := &memStore{cfg: cfg, put: map[string][]glassbox.Metric{}}
	p := pull.New(store, tokens, []pull.Source{src}, fixedClock{time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		pull.Options{Days: 2, Concurrency: 2, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	res, err := p.Run(t.Context(), pull.Input{})
	if want := (pull.Result{Sources: 5, Stored: 1, Metrics: 2, NotReady: 1, Failed: 3}); res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	for _, s := range []string{"boom", "second login down", "/t/missing"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("err = %v, want it to carry %q", err, s)
		}
	}
	if err != nil && strings.Contains(err.Error(), "building") {
		t.Errorf("err = %v carries the not-ready binding, which is no failure", err)
	}
	if len(store.put) != 1 || len(store.put["a"]) != 2 || store.put["a"][0].Origin != "ads:a1" || store.put["a"][0].Date != "2026-11-29" {
		t.Errorf("stored %v, want project a's two days only", store.put)
	}
}

func TestRunStoreFailure(t *testing.T) {
	t.Parallel()
	src := &fakeSource{name: "ads"}
	store := &memStore{cfg: glassbox.Config{Projects: []glassbox.Project{{ID: "a"}},
		Bindings: []glassbox.Binding{{ID: "a1", ProjectID: "a", Provider: "ads", APIParam: "/t"}}}, err: errors.New("throttled")}
	res, err := pull.New(store, secrets{"/t": "t"}, []pull.Source{src}, fixedClock{time.Now()}, pull.Options{Logger: discard}).Run(t.Context(), pull.Input{})
	if err == nil || !strings.Contains(err.Error(), "throttled") || res.Failed != 1 {
		t.Errorf("result %+v, err %v; want the store's failure", res, err)
	}
}

func TestRunCurrenciesDiffer(t *testing.T) {
	t.Parallel()
	src := &fakeSource{name: "ads"}
	store := &memStore{put: map[string][]glassbox.Metric{}, cfg: glassbox.Config{Projects: []glassbox.Project{{ID: "a"}},
		Bindings: []glassbox.Binding{
			{ID: "a1", ProjectID: "a", Provider: "ads", APIParam: "/t", Currency: "RUB"},
			{ID: "a2", ProjectID: "a", Provider: "ads", APIParam: "/t", Currency: "KZT"},
		}}}
	_, err := pull.New(store, secrets{"/t": "t"}, []pull.Source{src}, fixedClock{time.Now()}, pull.Options{Logger: discard}).Run(t.Context(), pull.Input{})
	if err == nil || !strings.Contains(err.Error(), "different currencies") || len(store.put) != 0 {
		t.Errorf("err %v, stored %v; want RUB and KZT refused, nothing stored", err, store.put)
	}
}

func TestRunDays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		configured int
		asked      int
		want       int
	}{
		{"Default", 0, 0, pull.DefaultDays},
		{"Configured", 7, 0, 7},
		{"Backfill", 3, 30, 30},
		{"BackfillCapped", 3, 500, pull.MaxDays},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := &fakeSource{name: "ads"}
			store := &memStore{put: map[string][]glassbox.Metric{}, cfg: glassbox.Config{Projects: []glassbox.Project{{ID: "a"}},
				Bindings: []glassbox.Binding{{ID: "a1", ProjectID: "a", Provider: "ads", APIParam: "/t"}}}}
			p := pull.New(store, secrets{"/t": "t"}, []pull.Source{src}, fixedClock{time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
				pull.Options{Days: tt.configured, Logger: discard})
			res, err := p.Run(t.Context(), pull.Input{Days: tt.asked})
			if err != nil || res.Metrics != tt.want || len(store.put["a"]) != tt.want || store.put["a"][tt.want-1].Date != "2026-11-30" {
				t.Errorf("result %+v, err %v, %d stored; want %d days up to 2026-11-30", res, err, len(store.put["a"]), tt.want)
			}
		})
	}
}
