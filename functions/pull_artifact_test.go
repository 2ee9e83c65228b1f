package functions_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/pull"
)

// TestFunctionsUnderHarnessPull: the built PullFunction, run as its schedule runs it, reads the Direct and
// Metrika bindings from the table and their tokens from SSM, pulls from stand-ins of both APIs and stores the
// last three days per source; a second run replaces them, the count stays.
func TestFunctionsUnderHarnessPull(t *testing.T) {
	e := newEnv(t)
	bins := hostBuilds(t, "PullFunction")
	const token = "y0_artifact-token"
	yandex := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/json/v5/reports" && r.Header.Get("Authorization") == "Bearer "+token:
			var body struct {
				Params struct{ SelectionCriteria struct{ DateTo string } } `json:"params"`
			}
			_ = json.NewDecoder(r.Body).Decode(&body)
			_, _ = io.WriteString(w, "Date\tCampaignId\tImpressions\tClicks\tCost\tConversions\n"+
				body.Params.SelectionCriteria.DateTo+"\t1\t1000\t40\t15000000000\t3\n")
		case r.URL.Path == "/stat/v1/data" && r.Header.Get("Authorization") == "OAuth "+token:
			_, _ = io.WriteString(w, `{"data":[{"dimensions":[{"name":"`+r.URL.Query().Get("date2")+`"}],"metrics":[42]}],"sampled":false}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":{"error_code":53,"error_string":"Authorization error"}}`)
		}
	}))
	defer yandex.Close()

	cfg := e.cfg
	project := cfg.Projects[0]
	cfg.Bindings = append(cfg.Bindings,
		glassbox.Binding{ID: "demo-direct", ProjectID: project.ID, Provider: "yandex_direct", ExternalID: "demo-login",
			APIParam: "/glassbox/pull/demo-direct", APIURL: yandex.URL, Currency: "RUB"},
		glassbox.Binding{ID: "demo-metrika", ProjectID: project.ID, Provider: "yandex_metrika", ExternalID: "44147844",
			APIParam: "/glassbox/pull/demo-metrika", APIURL: yandex.URL, Goals: []string{"312345678"}})
	if err := e.store().PutConfig(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	e.ssm.mu.Lock()
	e.ssm.params["/glassbox/pull/demo-direct"], e.ssm.params["/glassbox/pull/demo-metrika"] = token, token
	e.ssm.mu.Unlock()

	h, p := e.run(t, "PullFunction", bins["PullFunction"])
	run := func() pull.Result {
		t.Helper()
		body := invoke(t, h, readEvent(t, "pull-scheduled.json"))
		var res pull.Result
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatalf("pull answered %s: %v", body, err)
		}
		return res
	}
	if res := run(); res != (pull.Result{Sources: 2, Stored: 2, Metrics: 6}) {
		t.Errorf("first pull = %+v, want both sources, 3 days each", res)
	}
	logColdStart(t, "PullFunction", "", p)
	if res := run(); res.Metrics != 6 || res.Failed != 0 {
		t.Errorf("second pull = %+v", res)
	}
	window := pull.Window(time.Now(), cfg.ProjectZone(project), pull.DefaultDays)
	ms, err := e.store().MetricsBetween(context.Background(), project.ID, window[0], "9999-12-31")
	if err != nil {
		t.Fatal(err)
	}
	var spend, leads int64
	for _, m := range ms {
		spend += m.Spend
		leads += m.Leads
	}
	// Yesterday's 15 000 RUB (in micros) and 42 goal reaches, once however often pulled.
	if len(ms) != 6 || spend != 1_500_000 || leads != 42 {
		t.Errorf("stored %d figures, spend %d, leads %d; want 6, 1500000, 42:\n%+v", len(ms), spend, leads, ms)
	}
	for _, m := range ms {
		if !strings.HasPrefix(m.Origin, m.Source+":demo-") {
			t.Errorf("origin %q", m.Origin)
		}
	}
}
