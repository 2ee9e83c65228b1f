package dashboard_test

import (
	"context"
	"encoding/json"
	"errors"
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
	"github.com/glassbox-oss/glassbox/shared/linksign"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/timeline"
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
	f.refresh(t, s)
	f.h = dashboard.NewHandler(s, nil, nil, fixedClock{now}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return f
}

// refresh makes every project's snapshot as the seal run does, reading the timeline through store.
func (f fixture) refresh(t *testing.T, store dashboard.RefreshStore) {
	t.Helper()
	r := dashboard.Refresher{Store: store, Clock: fixedClock{now}, CheckEvery: time.Nanosecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := r.RefreshAll(context.Background()); err != nil {
		t.Fatal(err)
	}
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

// keySigner stands in for the link key (linksign.KeyedSigner).
type keySigner struct{ s *linksign.Signer }

func (k keySigner) Signer(context.Context) (*linksign.Signer, error) { return k.s, nil }

// deliveries adds two tasks done this week, one answered ("принято"), the other awaiting, seals the timeline as
// of now, then adds an event after the seal, refreshes the snapshots, and returns a handler with approval links.
func (f fixture) deliveries(t *testing.T) (*dashboard.Handler, *linksign.Signer) {
	t.Helper()
	ctx := context.Background()
	done := func(id, task, title string, at time.Time) glassbox.Event {
		return glassbox.Event{ID: "trello:" + id, ProjectID: "p1", Provider: "trello", Kind: glassbox.EventTaskMoved, TaskID: task, Title: title,
			URL: "https://trello.example/c/" + task, Status: glassbox.StatusDone, PrevStatus: glassbox.StatusReview, OccurredAt: at, ReceivedAt: at}
	}
	for _, e := range []glassbox.Event{done("e2", "t6", "Макет главной", now.AddDate(0, 0, -2)), done("e3", "t7", "Баннеры", now.AddDate(0, 0, -3))} {
		if err := f.store.AppendEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.store.RecordFeedback(ctx, glassbox.Feedback{ID: "fb:t7", ProjectID: "p1", Kind: glassbox.FeedbackAccepted, Provider: "trello",
		TaskID: "t7", Title: "Баннеры", MessageID: "m-t7", At: now.AddDate(0, 0, -2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := (timeline.Sealer{Store: f.store, Clock: fixedClock{now}}).Seal(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	late := glassbox.Event{ID: "trello:e4", ProjectID: "p1", Provider: "trello", Kind: glassbox.EventTaskNoted, TaskID: "t1", Title: "После печати",
		OccurredAt: now.Add(-10 * time.Second), ReceivedAt: now.Add(-10 * time.Second)}
	if err := f.store.AppendEvent(ctx, late); err != nil {
		t.Fatal(err)
	}
	f.refresh(t, f.store)
	signer, err := linksign.NewSigner([]byte("dashboard-test-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return dashboard.NewHandler(f.store, nil, keySigner{signer}, fixedClock{now}, slog.New(slog.NewTextHandler(io.Discard, nil))), signer
}

// A task done this week offers the client "Принять" and "Есть правки" as the notice's own approval links,
// naming this delivery; an answered one shows the answer instead. The timeline shows the seal, the check and
// which entries wait for the next seal.
func TestDeliverablesAndSeal(t *testing.T) {
	f := newFixture(t)
	h, signer := f.deliveries(t)
	f.h = h
	var v dashboard.View
	if err := json.Unmarshal([]byte(f.get(t, "/p/"+f.tokens["romashka"]+".json").Body), &v); err != nil {
		t.Fatal(err)
	}
	p := v.Projects[0]
	if len(p.Deliverables) != 2 || p.Deliverables[0].Title != "Макет главной" || p.Deliverables[0].State != "awaiting" ||
		p.Deliverables[1].Title != "Баннеры" || p.Deliverables[1].State != "accepted" {
		t.Fatalf("deliverables: %+v", p.Deliverables)
	}
	if p.Seal.Seq != 1 || p.Seal.Hash == "" || !p.Seal.Intact || p.Seal.Checked.IsZero() || p.Seal.Waiting != 1 {
		t.Errorf("seal: %+v", p.Seal)
	}
	if len(p.Timeline) == 0 || p.Timeline[0].Title != "После печати" || p.Timeline[0].Sealed || !p.Timeline[1].Sealed {
		t.Errorf("timeline: %+v", p.Timeline)
	}
	body := f.get(t, "/p/"+f.tokens["romashka"]).Body
	for _, want := range []string{"Принять", "Есть правки", "принято 30 ноя 2026", "ждёт вашего ответа", "Печать № 1 от 2026-12-02",
		"Проверено 2026-12-02", "Новых записей вне печати: 1", "glassbox verify --project p1 --checkpoint " + p.Seal.Hash, "вы приняли: Баннеры"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Both answer links are approval links of this delivery, and there are exactly two (the answered task has none).
	var decisions []linksign.Decision
	for _, part := range strings.Split(body, `href="/a/`)[1:] {
		a, err := signer.CheckApproval(part[:strings.IndexByte(part, '"')])
		if err != nil || a.ProjectID != "p1" || a.TaskID != "t6" || a.MessageID != "dashboard:trello:e2" {
			t.Errorf("approval link: %+v %v", a, err)
		}
		decisions = append(decisions, a.Decision)
	}
	if len(decisions) != 2 || decisions[0] != linksign.DecisionAccept || decisions[1] != linksign.DecisionChanges {
		t.Errorf("decisions %v, want accept then changes", decisions)
	}
}

// tampered reads one stored event with its title changed, as an edit in the table would.
type tampered struct{ *localstore.Store }

func (s tampered) EventsBetween(ctx context.Context, p string, from, to time.Time) ([]glassbox.Event, error) {
	evs, err := s.Store.EventsBetween(ctx, p, from, to)
	for i := range evs {
		if evs[i].ID == "trello:e2" {
			evs[i].Title = "Макет главной (переписан)"
		}
	}
	return evs, err
}

// A stored entry changed after it was sealed: the next check names it and the page says so.
func TestTamperedTimelineShows(t *testing.T) {
	f := newFixture(t)
	f.h, _ = f.deliveries(t)
	next := dashboard.Refresher{Store: tampered{f.store}, Clock: fixedClock{now.Add(time.Minute)}, CheckEvery: time.Minute}
	if err := next.RefreshAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	var v dashboard.View
	if err := json.Unmarshal([]byte(f.get(t, "/p/"+f.tokens["romashka"]+".json").Body), &v); err != nil {
		t.Fatal(err)
	}
	if s := v.Projects[0].Seal; s.Intact || len(s.Problems) != 1 || !strings.Contains(s.Problems[0], "event:trello:e2") {
		t.Fatalf("seal after tampering: %+v", s)
	}
	if body := f.get(t, "/p/"+f.tokens["romashka"]).Body; !strings.Contains(body, "нашла расхождения") || !strings.Contains(body, "event:trello:e2") {
		t.Error("the page does not say the check found the changed entry")
	}
}

// A refresh writes only when what the page shows changed.
func TestRefreshWritesOnChange(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first, err := f.store.DashboardSnapshot(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	later := dashboard.Refresher{Store: f.store, Clock: fixedClock{now.Add(time.Minute)}}
	if err := later.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := f.store.DashboardSnapshot(ctx, "p1"); !again.At.Equal(first.At) {
		t.Errorf("an unchanged snapshot was rewritten at %v", again.At)
	}
	if err := f.store.PutMetrics(ctx, []glassbox.Metric{{ProjectID: "p1", Date: now.Format(time.DateOnly), Source: "vk_ads", Spend: 5000, Currency: "RUB"}}); err != nil {
		t.Fatal(err)
	}
	if err := later.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := f.store.DashboardSnapshot(ctx, "p1"); !again.At.Equal(now.Add(time.Minute)) {
		t.Errorf("new figures did not refresh the snapshot (at %v)", again.At)
	}
}

// An English project's page states the seal and the check in English, with English plurals.
func TestSealInEnglish(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.store.AppendEvent(ctx, glassbox.Event{ID: "trello:v1", ProjectID: "p3", Provider: "trello", Kind: glassbox.EventTaskMoved,
		TaskID: "t4", Title: "Vasilek confidential task", Status: glassbox.StatusInProgress, OccurredAt: now.Add(-time.Hour), ReceivedAt: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := (timeline.Sealer{Store: f.store, Clock: fixedClock{now}}).Seal(ctx, "p3"); err != nil {
		t.Fatal(err)
	}
	f.refresh(t, f.store)
	body := f.get(t, "/p/"+f.tokens["vasilek"]).Body
	for _, want := range []string{"Seal no. 1 of 2026-12-02", "Verified 2026-12-02", "1 entry in 1 seal, all as sealed", "Check it without us: glassbox verify --project p3"} {
		if !strings.Contains(body, want) {
			t.Errorf("the English page lacks %q:\n%s", want, body[strings.Index(body, `id="timeline"`):])
		}
	}
	if strings.Contains(body, "Печать") || strings.Contains(body, "Проверено") {
		t.Error("the English page has Russian seal lines")
	}
}

// docLinks records the expiry the dashboard asks of a PDF link.
type docLinks struct{ exp *time.Time }

func (l docLinks) DocumentURLUntil(_ context.Context, _ glassbox.Config, d glassbox.Document, exp time.Time) (string, error) {
	*l.exp = exp
	return "/documents/" + d.ID + "?exp=x&sig=y", nil
}

// Whoever holds a dashboard gets no one's personal links and no more of the agency's file than the page shows:
// a report's rating and unsubscribe links are left out of its text, the manager is a name and an email (no
// Telegram chat id), PDF links stop a day after the view, and due dates are ISO in the JSON and the CSV.
func TestNothingPersonalLeaks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := f.store.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Projects[0].Manager.TelegramChatID = "777000111"
	if err := f.store.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	due := glassbox.Task{ProjectID: "p1", Provider: "trello", TaskID: "t8", Title: "Сдать тексты", Status: glassbox.StatusTodo,
		Due: time.Date(2026, 12, 4, 20, 59, 0, 0, time.UTC), CreatedAt: now, LastEventAt: now, Version: 1}
	if err := f.store.PutTask(ctx, due); err != nil {
		t.Fatal(err)
	}
	digest := glassbox.Message{ID: "digest-1", ProjectID: "p1", EventID: "report", Kind: glassbox.MessageWeeklyDigest, Audience: glassbox.AudienceClient,
		Channel: glassbox.ChannelEmail, State: glassbox.MessageClaimed, ClaimToken: "t", ClaimedAt: now.Add(-time.Hour), Subject: "Итоги недели",
		Text: "Сделано: 3 задачи.\n\nОцените неделю от 1 до 5:\n1 — https://glassbox.example/r/cm9tYXNo.a2Eth.c2lnbmF0dXJl\n" +
			"5 — https://glassbox.example/r/cm9tYXNo.a2Eth.c2lnbmF0dXJm\n\nХорошего дня!\n\nОтписаться: https://glassbox.example/u/cm9tYXNo.YW5uYQ.c2ln\n"}
	if err := f.store.ClaimMessage(ctx, digest, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := f.store.MarkMessageSent(ctx, digest.ID, "t", now.Add(-time.Hour), "ses-1"); err != nil {
		t.Fatal(err)
	}
	c, docs := closeWithInvoice(t, "p1")
	if err := f.store.IssueDocuments(ctx, c, docs); err != nil {
		t.Fatal(err)
	}
	var exp time.Time
	f.h = dashboard.NewHandler(f.store, docLinks{&exp}, nil, fixedClock{now}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	page := f.get(t, "/p/"+f.tokens["romashka"]).Body
	js := f.get(t, "/p/"+f.tokens["romashka"]+".json").Body
	csv := f.get(t, "/p/"+f.tokens["romashka"]+".csv").Body
	for name, body := range map[string]string{"page": page, "json": js} {
		if strings.Contains(body, "/r/") || strings.Contains(body, "/u/") || strings.Contains(body, "Оцените неделю") {
			t.Errorf("the %s carries a report's personal links", name)
		}
		if !strings.Contains(body, "Сделано: 3 задачи.") || !strings.Contains(body, "Хорошего дня!") {
			t.Errorf("the %s lost the report's text", name)
		}
		if strings.Contains(body, "777000111") {
			t.Errorf("the %s carries the manager's Telegram chat id", name)
		}
	}
	if !exp.Equal(now.Add(dashboard.PDFLinkTTL)) || dashboard.PDFLinkTTL > 24*time.Hour {
		t.Errorf("a PDF link expires at %v, want a day after the view", exp)
	}
	if !strings.Contains(js, `"due": "2026-12-04"`) || !strings.Contains(csv, "p1,task,,,,,,todo,Сдать тексты,2026-12-04") {
		t.Errorf("due dates are not ISO in the project's zone:\n%s\n%s", js, csv)
	}
}

// closeWithInvoice is a stage close of a project with one invoice, number 1 of its series.
func closeWithInvoice(t *testing.T, project string) (glassbox.StageClose, []glassbox.IssuedDocument) {
	t.Helper()
	c := glassbox.StageClose{ID: glassbox.StageCloseID(project, "s1"), ProjectID: project, StageID: "s1", DealID: "d1", EventID: "amocrm:s1",
		ClosedAt: now.AddDate(0, 0, -2), ReportedAt: now.AddDate(0, 0, -2)}
	d := glassbox.Document{ID: glassbox.DocumentID(c.ID, glassbox.DocumentInvoice), Kind: glassbox.DocumentInvoice, ProjectID: project, ClientID: "c1",
		CloseID: c.ID, StageID: "s1", StageName: "Дизайн", Series: glassbox.DocumentSeries("px", glassbox.DocumentInvoice, 2026), Seq: 1,
		Number: glassbox.FormatNumber("PX-", 2026, 1), Locale: "ru", IssuedAt: now.AddDate(0, 0, -2), Date: "2026-11-30", DueDate: "2026-12-05",
		TimeZone: "Europe/Moscow", Currency: "RUB", Total: 15000000, State: glassbox.DocumentIssued}
	c.DocumentIDs = []string{d.ID}
	return c, []glassbox.IssuedDocument{{Document: d, PDF: []byte("%PDF-1.7")}}
}

// A card moved from one done list to another (done → done, no new notice), or a done delivered again by a
// second event (a GitHub issue closed and moved to Done), is the same delivery: the client's answer to it
// stands, and the page asks for none again.
func TestDeliverableDoneTwiceKeepsItsAnswer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ev := func(id string, prev glassbox.TaskStatus, at time.Time) glassbox.Event {
		return glassbox.Event{ID: "trello:" + id, ProjectID: "p1", Provider: "trello", Kind: glassbox.EventTaskMoved, TaskID: "t8", Title: "Логотип",
			Status: glassbox.StatusDone, PrevStatus: prev, OccurredAt: at, ReceivedAt: at}
	}
	for _, e := range []glassbox.Event{ev("d1", glassbox.StatusReview, now.AddDate(0, 0, -3)), ev("d2", glassbox.StatusDone, now.AddDate(0, 0, -1))} {
		if err := f.store.AppendEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.store.RecordFeedback(ctx, glassbox.Feedback{ID: "fb:t8", ProjectID: "p1", Kind: glassbox.FeedbackAccepted, Provider: "trello",
		TaskID: "t8", Title: "Логотип", MessageID: "dashboard:trello:d1", At: now.AddDate(0, 0, -2)}); err != nil {
		t.Fatal(err)
	}
	signer, err := linksign.NewSigner([]byte("dashboard-test-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	f.h = dashboard.NewHandler(f.store, nil, keySigner{signer}, fixedClock{now}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var v dashboard.View
	if err := json.Unmarshal([]byte(f.get(t, "/p/"+f.tokens["romashka"]+".json").Body), &v); err != nil {
		t.Fatal(err)
	}
	if d := v.Projects[0].Deliverables; len(d) != 1 || d[0].State != "accepted" || !d[0].Done.Equal(now.AddDate(0, 0, -3)) {
		t.Errorf("deliverables after done → done: %+v, want one, accepted, done 3 days ago", d)
	}
	if body := f.get(t, "/p/"+f.tokens["romashka"]).Body; strings.Contains(body, `href="/a/`) {
		t.Error("the page asks again for an answer the client gave")
	}
}

// The timeline is the last four weeks of every kind alike: a quiet project's newest entries do not reach back
// to a message of five weeks ago or a rating of three months ago (read with the reports' longer windows) while
// the events between them are left out.
func TestTimelineIsFourWeeksOfEveryKind(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old := now.Add(-dashboard.EventWindow - 7*24*time.Hour)
	m := glassbox.Message{ID: "m-old", ProjectID: "p1", Kind: glassbox.MessageWeeklyDigest, Audience: glassbox.AudienceClient,
		Subject: "Дайджест пять недель назад", ClaimToken: "tok", ClaimedAt: old}
	if err := f.store.ClaimMessage(ctx, m, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := f.store.MarkMessageSent(ctx, m.ID, "tok", old, "ses-old"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.RecordFeedback(ctx, glassbox.Feedback{ID: "fb:old", ProjectID: "p1", Kind: glassbox.FeedbackRating, Score: 5,
		MessageID: "d-old", At: now.AddDate(0, -3, 0)}); err != nil {
		t.Fatal(err)
	}
	var v dashboard.View
	if err := json.Unmarshal([]byte(f.get(t, "/p/"+f.tokens["romashka"]+".json").Body), &v); err != nil {
		t.Fatal(err)
	}
	for _, e := range v.Projects[0].Timeline {
		if e.At.Before(now.Add(-dashboard.EventWindow)) {
			t.Errorf("timeline entry older than four weeks: %+v", e)
		}
	}
	if r := v.Projects[0].Reports; len(r) != 1 || r[0].Subject != m.Subject {
		t.Errorf("reports: %+v, want the digest still listed as the newest", r)
	}
}

// The configuration kept a minute does not refuse a link made for a project added within that minute (the
// admin applies the agency file, creates the link and opens it at once): a project or client the kept copy
// lacks is looked up in a fresh one before the link is refused.
func TestConfigKeptStillFindsANewProject(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if resp := f.get(t, "/p/"+f.tokens["romashka"]); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	cfg, err := f.store.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Clients = append(cfg.Clients, glassbox.Client{ID: "c3", Name: "Лютик"})
	cfg.Projects = append(cfg.Projects, glassbox.Project{ID: "p4", ClientID: "c3", Name: "Сайт Лютика", Manager: glassbox.Person{Name: "Мария", Email: "maria@studio.example"}})
	if err := f.store.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	for name, l := range map[string][2]string{"project": {"p4", ""}, "client": {"", "c3"}} {
		token, link, err := dashboard.NewLink(now, l[0], l[1], time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.store.CreateDashboardLink(ctx, link); err != nil {
			t.Fatal(err)
		}
		if resp := f.get(t, "/p/"+token); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "Сайт Лютика") {
			t.Errorf("a new %s's link within the config's minute: status %d", name, resp.StatusCode)
		}
	}
}

// cutBack reads the project's chain without its newest seal, as a deletion in the table would leave it.
type cutBack struct{ *localstore.Store }

func (s cutBack) Seals(ctx context.Context, p string) ([]glassbox.Seal, error) {
	seals, err := s.Store.Seals(ctx, p)
	if len(seals) > 0 {
		seals = seals[:len(seals)-1]
	}
	return seals, err
}

func (s cutBack) RecentSeals(ctx context.Context, p string, within time.Duration) ([]glassbox.Seal, error) {
	seals, err := s.Seals(ctx, p)
	if len(seals) > 0 {
		seals = seals[len(seals)-1:]
	}
	return seals, err
}

// The newest seal the page stated (and a digest may have carried) disappears from the chain: what is left
// still verifies by itself, but the page must not say "all as sealed" beside the older seal; it keeps the seal
// it stated and names it missing, at every refresh, until the chain has it again.
func TestRemovedSealIsNamed(t *testing.T) {
	f := newFixture(t)
	f.h, _ = f.deliveries(t) // seal 1, then an entry after it
	ctx := context.Background()
	if _, err := (timeline.Sealer{Store: f.store, Clock: fixedClock{now.Add(2 * time.Minute)}}).Seal(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	f.refresh(t, f.store)
	before, err := f.store.DashboardSnapshot(ctx, "p1")
	if err != nil || before.Seal.Seq != 2 {
		t.Fatalf("snapshot before: %+v %v", before.Seal, err)
	}
	for i, at := range []time.Time{now.Add(time.Hour), now.Add(2 * time.Hour)} {
		// Hourly refreshes: the daily check is not due.
		r := dashboard.Refresher{Store: cutBack{f.store}, Clock: fixedClock{at}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if err := r.RefreshAll(ctx); err != nil {
			t.Fatal(err)
		}
		var v dashboard.View
		if err := json.Unmarshal([]byte(f.get(t, "/p/"+f.tokens["romashka"]+".json").Body), &v); err != nil {
			t.Fatal(err)
		}
		s := v.Projects[0].Seal
		if s.Intact || s.Seq != 2 || s.Hash != before.Seal.Hash || len(s.Problems) == 0 || !strings.Contains(s.Problems[0], "seal 2") {
			t.Errorf("refresh %d after seal 2 went: %+v, want seal 2 still stated and named missing", i+1, s)
		}
	}
	// Put back (the table restored): the next refresh finds it and the check passes again.
	r := dashboard.Refresher{Store: f.store, Clock: fixedClock{now.Add(3 * time.Hour)}}
	if err := r.RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	if after, _ := f.store.DashboardSnapshot(ctx, "p1"); after.Check == nil || len(after.Check.Problems) != 0 || after.Seal.Seq != 2 {
		t.Errorf("after the seal is back: %+v", after)
	}
}

// An event delivered long after it happened (more than the seals' look-back) is on the timeline but no seal
// takes it (docs/timeline.md): the page must not mark it sealed once a seal's window passes its arrival, nor
// promise it to the next seal.
func TestLateEventNotMarkedSealed(t *testing.T) {
	f := newFixture(t)
	f.deliveries(t) // seal 1, ending a minute before now
	ctx := context.Background()
	late := glassbox.Event{ID: "trello:late", ProjectID: "p1", Provider: "trello", Kind: glassbox.EventTaskNoted, TaskID: "t1", Title: "Доставлено поздно",
		OccurredAt: now.AddDate(0, 0, -10), ReceivedAt: now.Add(10 * time.Minute)}
	fresh := glassbox.Event{ID: "trello:fresh", ProjectID: "p1", Provider: "trello", Kind: glassbox.EventTaskNoted, TaskID: "t1", Title: "Вовремя",
		OccurredAt: now.Add(5 * time.Minute), ReceivedAt: now.Add(5 * time.Minute)}
	for _, e := range []glassbox.Event{late, fresh} {
		if err := f.store.AppendEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	at := now.Add(20 * time.Minute)
	if _, err := (timeline.Sealer{Store: f.store, Clock: fixedClock{at}}).Seal(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	entries, err := timeline.Timeline(ctx, f.store, "p1")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.ID == "event:trello:late" && e.Seq != 0 {
			t.Fatalf("the late event is in seal %d; the test assumes no seal takes it", e.Seq)
		}
	}
	if err := (dashboard.Refresher{Store: f.store, Clock: fixedClock{at}}).RefreshAll(ctx); err != nil {
		t.Fatal(err)
	}
	f.h = dashboard.NewHandler(f.store, nil, nil, fixedClock{at.Add(10 * time.Minute)}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var v dashboard.View
	if err := json.Unmarshal([]byte(f.get(t, "/p/"+f.tokens["romashka"]+".json").Body), &v); err != nil {
		t.Fatal(err)
	}
	p := v.Projects[0]
	for _, e := range p.Timeline {
		if e.Title == "Доставлено поздно" && e.Sealed {
			t.Errorf("the late event, in no seal, is marked sealed: %+v", e)
		}
		if e.Title == "Вовремя" && !e.Sealed {
			t.Errorf("the event seal 2 took is not marked sealed: %+v", e)
		}
	}
	if p.Seal.Seq != 2 || p.Seal.Waiting != 0 {
		t.Errorf("seal: %+v, want seal 2 and nothing promised to the next", p.Seal)
	}
}

// unreadable fails every read of the project's events, as one stored item that no longer decodes (or a store
// down for the check's long read) would.
type unreadable struct{ *localstore.Store }

func (s unreadable) EventsBetween(context.Context, string, time.Time, time.Time) ([]glassbox.Event, error) {
	return nil, errors.New("decode EVENT#trello:x EVENT: cannot unmarshal")
}

// A check that cannot read the history does not freeze the rest of the snapshot: the figures and the newest
// seal are still refreshed (the check is the day's, the figures the hour's), the last check stands with its
// date, and the run still reports the failure.
func TestFailedCheckStillRefreshesFigures(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	before, err := f.store.DashboardSnapshot(ctx, "p1")
	if err != nil || before.Check == nil {
		t.Fatalf("snapshot before: %+v %v", before, err)
	}
	if err := f.store.PutMetrics(ctx, []glassbox.Metric{{ProjectID: "p1", Date: now.Format(time.DateOnly), Source: "vk_ads", Spend: 5000, Currency: "RUB"}}); err != nil {
		t.Fatal(err)
	}
	at := now.Add(25 * time.Hour) // the daily check is due
	r := dashboard.Refresher{Store: unreadable{f.store}, Clock: fixedClock{at}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := r.RefreshAll(ctx); err == nil {
		t.Error("a refresh whose check could not read the history reports no failure")
	}
	after, err := f.store.DashboardSnapshot(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if !after.At.Equal(at) || after.Check == nil || !after.Check.At.Equal(before.Check.At) {
		t.Fatalf("snapshot after a failed check: at %v, check %+v; want made at %v with the last check kept", after.At, after.Check, at)
	}
	var spend int64
	for _, w := range after.Weeks {
		spend += w.Spend
	}
	var was int64
	for _, w := range before.Weeks {
		was += w.Spend
	}
	if spend != was+5000 {
		t.Errorf("figures after a failed check: spend %d, want %d", spend, was+5000)
	}
}

// A page left open from an earlier delivery of a task reopened since: its "Принять" names that earlier
// delivery, so clicking it after the task was done again answers the earlier one, not the one now awaiting.
func TestAnswerToAnEarlierDeliveryIsNotThisOnes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ev := func(id string, st, prev glassbox.TaskStatus, at time.Time) glassbox.Event {
		return glassbox.Event{ID: "trello:" + id, ProjectID: "p1", Provider: "trello", Kind: glassbox.EventTaskMoved, TaskID: "t9", Title: "Прототип",
			Status: st, PrevStatus: prev, OccurredAt: at, ReceivedAt: at}
	}
	for _, e := range []glassbox.Event{
		ev("r1", glassbox.StatusDone, glassbox.StatusReview, now.AddDate(0, 0, -4)),
		ev("r2", glassbox.StatusInProgress, glassbox.StatusDone, now.AddDate(0, 0, -3)),
		ev("r3", glassbox.StatusDone, glassbox.StatusInProgress, now.AddDate(0, 0, -2)),
	} {
		if err := f.store.AppendEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.store.RecordFeedback(ctx, glassbox.Feedback{ID: "fb:t9", ProjectID: "p1", Kind: glassbox.FeedbackAccepted, Provider: "trello",
		TaskID: "t9", Title: "Прототип", MessageID: "dashboard:trello:r1", At: now.AddDate(0, 0, -1)}); err != nil {
		t.Fatal(err)
	}
	var v dashboard.View
	if err := json.Unmarshal([]byte(f.get(t, "/p/"+f.tokens["romashka"]+".json").Body), &v); err != nil {
		t.Fatal(err)
	}
	if d := v.Projects[0].Deliverables; len(d) != 1 || d[0].State != "awaiting" {
		t.Errorf("deliverables: %+v, want the second delivery awaiting", d)
	}
}

// A run near its deadline refreshes the figures and the seal but leaves a due check to the next run.
func TestCheckLeftToTheNextRunNearTheDeadline(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	before, err := f.store.DashboardSnapshot(ctx, "p1")
	if err != nil || before.Check == nil {
		t.Fatalf("the fixture's snapshot has no check: %+v %v", before, err)
	}
	if err := f.store.PutMetrics(ctx, []glassbox.Metric{{ProjectID: "p1", Date: now.Format(time.DateOnly), Source: "vk_ads", Spend: 5000, Currency: "RUB"}}); err != nil {
		t.Fatal(err)
	}
	late, cancel := context.WithTimeout(ctx, dashboard.CheckReserve/2)
	defer cancel()
	r := dashboard.Refresher{Store: f.store, Clock: fixedClock{now.Add(48 * time.Hour)}}
	if err := r.RefreshAll(late); err != nil {
		t.Fatal(err)
	}
	after, err := f.store.DashboardSnapshot(ctx, "p1")
	if err != nil || !after.At.Equal(now.Add(48*time.Hour)) || after.Check == nil || !after.Check.At.Equal(before.Check.At) {
		t.Errorf("near the deadline: snapshot at %v, check at %v (before %v); want the figures refreshed and the check kept", after.At, after.Check, before.Check.At)
	}
}
