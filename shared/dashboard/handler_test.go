package dashboard_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/dashboard"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// now is a Wednesday.
var now = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

const hostile = `<script>alert(1)</script>`

type fixture struct {
	store *localstore.Store
	h     *dashboard.Handler
	// tokens by name: "romashka" (project p1), "client" (client c1), "vasilek" (project p3 of client c2),
	// "revoked", "expired".
	tokens map[string]string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	s, err := localstore.Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cfg := glassbox.Config{
		Agency: glassbox.Agency{Name: "Studio", Sender: "Studio <n@studio.example>", Locale: "ru", TimeZone: "Europe/Moscow"},
		Clients: []glassbox.Client{
			{ID: "c1", Name: "Ромашка", Contacts: []glassbox.Person{{Name: "Anna", Email: "anna@romashka.example"}}},
			{ID: "c2", Name: "Vasilek Ltd", Contacts: []glassbox.Person{{Name: "Bob", Email: "bob@vasilek.example"}}},
		},
		Projects: []glassbox.Project{
			{ID: "p1", ClientID: "c1", Name: "Сайт Ромашки", Manager: glassbox.Person{Name: "Мария", Email: "maria@studio.example"},
				Passport: &glassbox.Passport{Goals: []string{"120 лидов в месяц"}, KPIs: []glassbox.KPI{{Name: "Цена лида", Target: "1 500 ₽"}},
					Contacts: []glassbox.Contact{{Name: hostile, Role: "маркетинг"}}},
				Billing: glassbox.Billing{Currency: "RUB", Stages: []glassbox.Stage{{ID: "s1", Name: "Дизайн", Amount: 15000000, Start: "2026-11-01", End: "2026-11-30"},
					{ID: "s2", Name: "Вёрстка", Amount: 20000000}}}},
			{ID: "p2", ClientID: "c1", Name: "Реклама Ромашки", Manager: glassbox.Person{Name: "Мария", Email: "maria@studio.example"}},
			{ID: "p3", ClientID: "c2", Name: "Vasilek secret project", Locale: "en", Manager: glassbox.Person{Name: "Ivan", Email: "ivan@studio.example"}},
		},
	}
	if err := s.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	task := func(project, id, title string, st glassbox.TaskStatus) glassbox.Task {
		return glassbox.Task{ProjectID: project, Provider: "trello", TaskID: id, Title: title, Status: st, URL: "https://trello.example/c/" + id,
			CreatedAt: now.AddDate(0, 0, -10), LastEventAt: now.AddDate(0, 0, -1), Version: 1}
	}
	for _, tk := range []glassbox.Task{
		task("p1", "t1", hostile, glassbox.StatusInProgress),
		task("p1", "t2", "Прислать логотип", glassbox.StatusWaiting),
		task("p2", "t3", "Запустить кампанию", glassbox.StatusTodo),
		{ProjectID: "p1", Provider: "hook", TaskID: "t5", Title: "Ссылка-ловушка", Status: glassbox.StatusTodo, URL: "javascript:alert(document.cookie)",
			CreatedAt: now.AddDate(0, 0, -3), LastEventAt: now.AddDate(0, 0, -3), Version: 1},
		task("p3", "t4", "Vasilek confidential task", glassbox.StatusInProgress),
	} {
		if err := s.PutTask(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AppendEvent(ctx, glassbox.Event{ID: "trello:e1", ProjectID: "p1", Provider: "trello", Kind: glassbox.EventTaskMoved,
		TaskID: "t1", Title: hostile, Status: glassbox.StatusInProgress, PrevStatus: glassbox.StatusTodo,
		OccurredAt: now.AddDate(0, 0, -1), ReceivedAt: now.AddDate(0, 0, -1)}); err != nil {
		t.Fatal(err)
	}
	var ms []glassbox.Metric
	for d := 0; d < 21; d++ {
		ms = append(ms, glassbox.Metric{ProjectID: "p1", Date: now.AddDate(0, 0, -d).Format(time.DateOnly), Source: "yandex_direct",
			Spend: 100000, Currency: "RUB", Leads: 2, Minutes: 30})
	}
	if err := s.PutMetrics(ctx, ms); err != nil {
		t.Fatal(err)
	}
	f := fixture{store: s, tokens: map[string]string{}}
	mk := func(name, project, client string, expires time.Time) glassbox.DashboardLink {
		token, l, err := dashboard.NewLink(now.AddDate(0, -1, 0), project, client, expires)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateDashboardLink(ctx, l); err != nil {
			t.Fatal(err)
		}
		f.tokens[name] = token
		return l
	}
	mk("romashka", "p1", "", time.Time{})
	mk("client", "", "c1", now.AddDate(1, 0, 0))
	mk("vasilek", "p3", "", time.Time{})
	r := mk("revoked", "p1", "", time.Time{})
	if err := s.RevokeDashboardLink(ctx, r.Hash, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	mk("expired", "p1", "", now.Add(-time.Minute))
	f.h = dashboard.NewHandler(s, nil, nil, fixedClock{now}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return f
}

func (f fixture) get(t *testing.T, path string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	req := events.APIGatewayV2HTTPRequest{RawPath: path}
	req.RequestContext.HTTP.Method = http.MethodGet
	resp, err := f.h.Handle(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestPage(t *testing.T) {
	f := newFixture(t)
	resp := f.get(t, "/p/"+f.tokens["romashka"])
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, resp.Body)
	}
	for name, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:",
		"Referrer-Policy":         "no-referrer",
		"X-Robots-Tag":            "noindex",
		"Cache-Control":           "no-store",
		"X-Content-Type-Options":  "nosniff",
	} {
		if !strings.Contains(resp.Headers[name], want) {
			t.Errorf("%s = %q, want it to contain %q", name, resp.Headers[name], want)
		}
	}
	body := resp.Body
	for _, want := range []string{
		"Сайт Ромашки", "Ждёт вас", "Прислать логотип", "Дорожная карта", "Дизайн", "150\u00a0000,00", "сейчас",
		"120 лидов в месяц", "Цена лида", "Единое окно", "Мария", "<svg", "Движение за неделю", "ещё не запечатана",
		"&lt;script&gt;alert(1)&lt;/script&gt;",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script") {
		t.Error("a tracker's title came through as markup")
	}
	if !strings.Contains(body, "Ссылка-ловушка") || strings.Contains(body, "javascript:") {
		t.Error("a task's javascript: URL became a link")
	}
	if w, r := strings.Index(body, "Ждёт вас"), strings.Index(body, "Дорожная карта"); w > r {
		t.Error("waiting on you is not on top")
	}
	for _, other := range []string{"Реклама Ромашки", "Vasilek"} {
		if strings.Contains(body, other) {
			t.Errorf("a project link shows %q", other)
		}
	}
}

// Every link that does not open answers the same 404, whatever the reason, and no path reaches another
// client's data.
func TestNotFoundAlike(t *testing.T) {
	f := newFixture(t)
	tok := f.tokens["romashka"]
	var first string
	for _, path := range []string{
		"/p/" + f.tokens["revoked"], "/p/" + f.tokens["expired"], "/p/" + strings.Repeat("A", 43), "/p/short", "/p/",
		"/p/" + tok + "/../" + f.tokens["vasilek"], "/p/" + tok + "/p3", "/p/" + tok + ".xml", "/p/" + tok[:42],
		"/p/" + f.tokens["expired"] + ".json",
	} {
		resp := f.get(t, path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
			continue
		}
		if first == "" {
			first = resp.Body
		}
		if resp.Body != first || strings.Contains(resp.Body, "Vasilek") || strings.Contains(resp.Body, "Ромашк") {
			t.Errorf("%s: a different or telling body:\n%s", path, resp.Body)
		}
	}
}

func TestClientLinkShowsOnlyItsProjects(t *testing.T) {
	f := newFixture(t)
	body := f.get(t, "/p/"+f.tokens["client"]).Body
	for _, want := range []string{"Сайт Ромашки", "Реклама Ромашки", "Запустить кампанию"} {
		if !strings.Contains(body, want) {
			t.Errorf("client page lacks %q", want)
		}
	}
	if strings.Contains(body, "Vasilek") {
		t.Error("a client's page shows another client's project")
	}
	en := f.get(t, "/p/"+f.tokens["vasilek"]).Body
	if !strings.Contains(en, "Vasilek confidential task") || !strings.Contains(en, "Waiting on you") == strings.Contains(en, "Прислать") ||
		strings.Contains(en, "Ромашк") || !strings.Contains(en, `lang="en"`) {
		t.Errorf("the English project page:\n%s", en)
	}
}

func TestJSONAndCSV(t *testing.T) {
	f := newFixture(t)
	resp := f.get(t, "/p/"+f.tokens["romashka"]+".json")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Headers["Content-Type"], "application/json") {
		t.Fatalf("json: %d %v", resp.StatusCode, resp.Headers)
	}
	var v dashboard.View
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Projects) != 1 || v.Projects[0].ID != "p1" || len(v.Projects[0].Weeks) != dashboard.ChartWeeks || len(v.Projects[0].Waiting) != 1 {
		t.Fatalf("json view: %+v", v)
	}
	last := v.Projects[0].Weeks[dashboard.ChartWeeks-1]
	// Monday 30 Nov to Wednesday 2 Dec: three days of 1 000 ₽, 2 leads and 30 minutes each.
	if last.Spend != 300000 || last.Leads != 6 || last.Minutes != 90 || last.CostPerLead == "" {
		t.Errorf("this week's figures: %+v", last)
	}
	csvResp := f.get(t, "/p/"+f.tokens["romashka"]+".csv")
	if csvResp.StatusCode != http.StatusOK || !strings.Contains(csvResp.Body, "p1,week,2026-11-30,300000,RUB,6,90") ||
		!strings.Contains(csvResp.Body, "p1,task,,,,,,waiting,Прислать логотип") {
		t.Errorf("csv:\n%s", csvResp.Body)
	}
}

// HEAD answers the headers without a body; other methods are 405 and read nothing.
func TestMethods(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		method string
		status int
	}{{http.MethodHead, http.StatusOK}, {http.MethodPost, http.StatusMethodNotAllowed}, {http.MethodDelete, http.StatusMethodNotAllowed}} {
		req := events.APIGatewayV2HTTPRequest{RawPath: "/p/" + f.tokens["romashka"]}
		req.RequestContext.HTTP.Method = tt.method
		resp, err := f.h.Handle(context.Background(), req)
		if err != nil || resp.StatusCode != tt.status {
			t.Errorf("%s: %d %v, want %d", tt.method, resp.StatusCode, err, tt.status)
		}
		if tt.method == http.MethodHead && (resp.Body != "" || resp.Headers["Cache-Control"] != "no-store") {
			t.Errorf("HEAD: body %d bytes, headers %v", len(resp.Body), resp.Headers)
		}
	}
}

func TestNewLink(t *testing.T) {
	token, l, err := dashboard.NewLink(now, "p1", "", time.Time{})
	if err != nil || len(token) != 43 || l.Hash != dashboard.Hash(token) || strings.Contains(l.Hash, token) || !l.Live(now.AddDate(10, 0, 0)) {
		t.Fatalf("NewLink: %q %+v %v", token, l, err)
	}
	again, _, _ := dashboard.NewLink(now, "p1", "", time.Time{})
	if again == token {
		t.Error("two links share a token")
	}
	if _, _, err := dashboard.NewLink(now, "p1", "c1", time.Time{}); err == nil {
		t.Error("a link for a project and a client at once")
	}
	_, l, _ = dashboard.NewLink(now, "", "c1", now.Add(time.Hour))
	if !l.Live(now) || l.Live(now.Add(time.Hour)) {
		t.Errorf("expiry: %+v", l)
	}
}
