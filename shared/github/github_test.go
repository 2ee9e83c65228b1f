package github_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/github"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// Vector from shared/samples/SIGNATURES.md, computed over the exact bytes of github-issues-closed.json.
const (
	vectorSecret = "gh-webhook-secret"
	vectorSig    = "sha256=888fd9333c3754f35462dd110097fa998fca308cf78f319298ce2261886bf2c3"
)

const deliveryID = "72d3162e-cc78-11e3-81ab-4c9367dc0958"

var binding = glassbox.Binding{
	ID: "site", ProjectID: "spring", Provider: "github", ExternalID: "acme",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo:       {"open", "Todo"},
		glassbox.StatusInProgress: {"In Progress"},
		glassbox.StatusDone:       {"98236657"}, // the Done option, by id
	},
}

func delivery(event string, body []byte, sig string) glassbox.Delivery {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	if event != "" {
		h.Set(github.EventHeader, event)
	}
	h.Set(github.DeliveryHeader, deliveryID)
	if sig != "" {
		h.Set(github.SignatureHeader, sig)
	}
	return glassbox.Delivery{Method: "POST", Header: h, Body: body, ReceivedAt: time.Date(2025, 5, 24, 9, 41, 23, 0, time.UTC)}
}

func TestSignMatchesVector(t *testing.T) {
	if got := github.Sign(vectorSecret, providertest.Testdata(t, "github-issues-closed.json")); got != vectorSig {
		t.Fatalf("Sign = %q, want %q", got, vectorSig)
	}
}

func TestVerify(t *testing.T) {
	body := providertest.Testdata(t, "github-issues-closed.json")
	providertest.Verify(t, github.New(), []providertest.VerifyCase{
		{Name: "OK", Delivery: delivery("issues", body, vectorSig), Secret: vectorSecret},
		{Name: "OKUpperCaseHex", Delivery: delivery("issues", body, "sha256="+strings.ToUpper(strings.TrimPrefix(vectorSig, "sha256="))), Secret: vectorSecret},
		{Name: "ErrForged", Delivery: delivery("issues", body, "sha256="+strings.Repeat("0", 64)), Secret: vectorSecret, WantErr: true},
		{Name: "ErrWrongSecret", Delivery: delivery("issues", body, vectorSig), Secret: "another-secret", WantErr: true},
		{Name: "ErrBodyChanged", Delivery: delivery("issues", append(append([]byte{}, body...), ' '), vectorSig), Secret: vectorSecret, WantErr: true},
		{Name: "ErrMissingHeader", Delivery: delivery("issues", body, ""), Secret: vectorSecret, WantErr: true},
		{Name: "ErrSHA1Only", Delivery: delivery("issues", body, "sha1=0123456789abcdef0123456789abcdef01234567"), Secret: vectorSecret, WantErr: true},
		{Name: "ErrBarePrefix", Delivery: delivery("issues", body, strings.TrimPrefix(vectorSig, "sha256=")), Secret: vectorSecret, WantErr: true},
		{Name: "ErrNotHex", Delivery: delivery("issues", body, "sha256=zz"), Secret: vectorSecret, WantErr: true},
	})
}

func TestParse(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339Nano, s); return v }
	const (
		issueNode = "I_kwDOLxyz1c6JqAbc"
		title     = "Landing page for spring campaign"
		issueURL  = "https://github.com/acme/site/issues/42"
	)
	base := glassbox.Event{
		TaskID: issueNode, Title: title, URL: issueURL,
	}
	with := func(f func(e *glassbox.Event)) []glassbox.Event { e := base; f(&e); return []glassbox.Event{e} }
	tests := []struct {
		event, file string
		want        []glassbox.Event
	}{
		{"issues", "github-issues-opened.json", with(func(e *glassbox.Event) {
			e.Kind, e.ProviderType = glassbox.EventTaskCreated, "issues.opened"
			e.ListName, e.Status = "open", glassbox.StatusTodo
			e.Actor, e.OccurredAt = "annasmirnova", at("2025-05-22T07:03:10Z")
		})},
		// Closed: GitHub's own "done", since the map does not name "closed". PrevStatus is left to React.
		{"issues", "github-issues-closed.json", with(func(e *glassbox.Event) {
			e.Kind, e.ProviderType = glassbox.EventTaskMoved, "issues.closed"
			e.ListName, e.Status, e.PrevListName = "closed", glassbox.StatusDone, "open"
			e.Actor, e.OccurredAt = "ivanpetrov", at("2025-05-24T09:41:22Z")
		})},
		// Closed as not planned is cancelled, not done (issue 9; before, no status): nothing good to tell the client.
		{"issues", "github-issues-closed-not-planned.json", with(func(e *glassbox.Event) {
			e.Kind, e.ProviderType = glassbox.EventTaskMoved, "issues.closed"
			e.ListName, e.Status, e.PrevListName = "not_planned", glassbox.StatusCancelled, "open"
			e.Actor, e.OccurredAt = "ivanpetrov", at("2025-05-24T09:41:22Z")
		})},
		{"issues", "github-issues-reopened.json", with(func(e *glassbox.Event) {
			e.Kind, e.ProviderType = glassbox.EventTaskMoved, "issues.reopened"
			e.ListName, e.Status, e.PrevListName = "open", glassbox.StatusTodo, "closed"
			e.Actor, e.OccurredAt = "annasmirnova", at("2025-05-25T08:15:00Z")
		})},
		// A board's Status change: the option maps by id or name; title and link are read back later.
		{"projects_v2_item", "github-projects-v2-item-status-changed.json", with(func(e *glassbox.Event) {
			e.Title, e.URL = "", ""
			e.Kind, e.ProviderType = glassbox.EventTaskMoved, "projects_v2_item.edited"
			e.ListID, e.ListName, e.Status = "98236657", "Done", glassbox.StatusDone
			e.PrevListID, e.PrevListName = "47fc9ee4", "In Progress"
			e.Actor, e.OccurredAt = "ivanpetrov", at("2025-05-24T09:41:22Z")
		})},
		{"issue_comment", "github-issue-comment-created.json", nil},
		{"ping", "github-ping.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d := delivery(tt.event, providertest.Testdata(t, tt.file), "")
			got, err := providertest.Accepted(github.New(), d, binding)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.want {
				w := &tt.want[i]
				w.ProjectID, w.BindingID, w.Provider, w.ReceivedAt = "spring", "site", "github", d.ReceivedAt
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d events %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				// The id is the node, the action and the time of the signed body (TestReplayUnderAnotherDelivery).
				if key := got[i].ProviderEventID; got[i].ID != "github:"+key || !strings.Contains(key, ":"+strings.TrimPrefix(got[i].ProviderType, strings.Split(got[i].ProviderType, ".")[0]+".")+":") {
					t.Errorf("event %d id %q / %q does not name the node, action and time", i, got[i].ID, key)
				}
				tt.want[i].ID, tt.want[i].ProviderEventID = got[i].ID, got[i].ProviderEventID
				if got[i] != tt.want[i] {
					t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestReplayUnderAnotherDelivery: X-GitHub-Delivery is not signed, so a captured delivery replayed under a new
// one must be the same event (stored once, telling nobody twice); a different action on the issue is another.
func TestReplayUnderAnotherDelivery(t *testing.T) {
	body := providertest.Testdata(t, "github-issues-closed.json")
	var ids []string
	for _, delivery := range []string{"72d3162e-cc78-11e3-81ab-4c9367dc0958", "00000000-0000-0000-0000-000000000000", ""} {
		d := delivery2("issues", body, delivery)
		evs, err := github.New().Parse(d, binding)
		if err != nil || len(evs) != 1 {
			t.Fatalf("delivery %q: Parse = %+v, %v", delivery, evs, err)
		}
		ids = append(ids, evs[0].ID)
	}
	if ids[0] != ids[1] || ids[0] != ids[2] {
		t.Fatalf("event ids %v differ with the delivery header", ids)
	}
	reopened, err := github.New().Parse(delivery2("issues", providertest.Testdata(t, "github-issues-reopened.json"), "x"), binding)
	if err != nil || len(reopened) != 1 || reopened[0].ID == ids[0] {
		t.Fatalf("the reopening has the closing's id: %+v, %v", reopened, err)
	}
}

// delivery2 is a delivery of event with the given X-GitHub-Delivery (none when empty).
func delivery2(event string, body []byte, id string) glassbox.Delivery {
	d := delivery(event, body, "")
	d.Header.Del(github.DeliveryHeader)
	if id != "" {
		d.Header.Set(github.DeliveryHeader, id)
	}
	return d
}

// TestStatusMapWinsOverClosed: a map that names "closed" decides what closing means (here: review, an agency
// that checks before telling the client); without it, closed as completed is done.
func TestStatusMapWinsOverClosed(t *testing.T) {
	b := binding
	b.StatusMap = map[glassbox.TaskStatus][]string{glassbox.StatusReview: {"Closed"}, glassbox.StatusDone: {"Done"}}
	evs, err := github.New().Parse(delivery("issues", providertest.Testdata(t, "github-issues-closed.json"), ""), b)
	if err != nil || len(evs) != 1 || evs[0].Status != glassbox.StatusReview {
		t.Fatalf("Parse = %+v, %v; want one event with status review", evs, err)
	}
}

// TestFormPayload: a webhook set to application/x-www-form-urlencoded sends payload=<json>, signed as sent.
func TestFormPayload(t *testing.T) {
	body := []byte("payload=" + url.QueryEscape(string(providertest.Testdata(t, "github-issues-closed.json"))))
	d := delivery("issues", body, github.Sign(vectorSecret, body))
	d.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := github.New().Verify(d, vectorSecret); err != nil {
		t.Fatal(err)
	}
	evs, err := github.New().Parse(d, binding)
	if err != nil || len(evs) != 1 || evs[0].Status != glassbox.StatusDone || evs[0].TaskID != "I_kwDOLxyz1c6JqAbc" {
		t.Fatalf("Parse = %+v, %v", evs, err)
	}
	d.Body = []byte("other=1")
	if _, err := github.New().Parse(d, binding); !errors.Is(err, glassbox.ErrMalformed) {
		t.Fatalf("form without payload: %v, want ErrMalformed", err)
	}
}

// TestExternalIDScopesDeliveries: an organisation webhook sends every repository and board; a binding takes
// only its own, so another client's board never reaches this client.
func TestExternalIDScopesDeliveries(t *testing.T) {
	tests := []struct {
		externalID string
		issues     bool
		board      bool
	}{
		{"acme", true, true},
		{"ACME/site", true, false},
		{"PVT_kwDOBxyz1c4AbCdE", false, true},
		{"acme/blog", false, false},
		{"PVT_other", false, false},
		{"globex", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.externalID, func(t *testing.T) {
			b := binding
			b.ExternalID = tt.externalID
			issues, err := github.New().Parse(delivery("issues", providertest.Testdata(t, "github-issues-closed.json"), ""), b)
			if err != nil || (len(issues) == 1) != tt.issues {
				t.Errorf("issues: %d events, %v; want taken %v", len(issues), err, tt.issues)
			}
			board, err := github.New().Parse(delivery("projects_v2_item", providertest.Testdata(t, "github-projects-v2-item-status-changed.json"), ""), b)
			if err != nil || (len(board) == 1) != tt.board {
				t.Errorf("board: %d events, %v; want taken %v", len(board), err, tt.board)
			}
		})
	}
}

func TestParseRejectsAndIgnores(t *testing.T) {
	item := func(changes string) string {
		return `{"action":"edited","projects_v2_item":{"node_id":"PVTI_1","project_node_id":"PVT_1","content_node_id":"I_1","updated_at":"2025-01-01T00:00:00Z"},"changes":` + changes + `}`
	}
	tests := []struct {
		name, event, body string
		noDelivery        bool
		malformed         bool
	}{
		{"NoEventHeader", "", `{}`, false, true},
		{"NoDeliveryHeaderIsNoProblem", "issues", `{"action":"closed","issue":{"node_id":"I_1"}}`, true, false},
		{"TruncatedJSON", "issues", `{"action":"closed","issue":{"node_id"`, false, true},
		{"NotJSON", "projects_v2_item", `hello`, false, true},
		{"IssueWithoutNodeID", "issues", `{"action":"closed","issue":{"title":"x"},"repository":{"full_name":"acme/site"}}`, false, true},
		{"ItemWithoutNodeID", "projects_v2_item", `{"action":"edited","projects_v2_item":{}}`, false, true},
		{"PingIgnored", "ping", `{"zen":"Design for failure."}`, false, false},
		{"PushIgnored", "push", `{"ref":"refs/heads/main"}`, false, false},
		{"LabeledIgnored", "issues", `{"action":"labeled","issue":{"node_id":"I_1"},"repository":{"full_name":"acme/site"}}`, false, false},
		{"BodyEditIgnored", "issues", `{"action":"edited","changes":{"body":{"from":"x"}},"issue":{"node_id":"I_1"},"repository":{"full_name":"acme/site"}}`, false, false},
		{"OtherFieldIgnored", "projects_v2_item", item(`{"field_value":{"field_name":"Priority","field_type":"single_select","from":{"id":"a","name":"Low"},"to":{"id":"b","name":"High"}}}`), false, false},
		{"DateFieldIgnored", "projects_v2_item", item(`{"field_value":{"field_name":"Due","field_type":"date","from":null,"to":"2025-06-01"}}`), false, false},
		{"StatusClearedIgnored", "projects_v2_item", item(`{"field_value":{"field_name":"Status","field_type":"single_select","from":{"id":"a","name":"Done"},"to":null}}`), false, false},
		{"OlderPayloadWithoutToIgnored", "projects_v2_item", item(`{"field_value":{"field_name":"Status","field_type":"single_select"}}`), false, false},
		{"ArchivedIgnored", "projects_v2_item", `{"action":"archived","projects_v2_item":{"node_id":"PVTI_1","project_node_id":"PVT_1"}}`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := delivery(tt.event, []byte(tt.body), "")
			if tt.noDelivery {
				d.Header.Del(github.DeliveryHeader)
			}
			b := binding
			b.ExternalID = ""
			got, err := providertest.Accepted(github.New(), d, b)
			providertest.MalformedOrIgnored(t, got, err, tt.malformed)
		})
	}
}

// TestRedeliveryIsOneEvent: a redelivery repeats the signed body, so it is the same event, later or not.
func TestRedeliveryIsOneEvent(t *testing.T) {
	first, err := github.New().Parse(delivery("issues", providertest.Testdata(t, "github-issues-closed.json"), ""), binding)
	if err != nil {
		t.Fatal(err)
	}
	d := delivery("issues", providertest.Testdata(t, "github-issues-closed.json"), "")
	d.ReceivedAt = d.ReceivedAt.Add(time.Hour)
	again, err := github.New().Parse(d, binding)
	if err != nil || len(first) != 1 || len(again) != 1 || first[0].ID != again[0].ID {
		t.Fatalf("ids %+v and %+v differ (%v)", first, again, err)
	}
}

func boardEvent(t *testing.T) glassbox.Event {
	t.Helper()
	evs, err := github.New().Parse(delivery("projects_v2_item", providertest.Testdata(t, "github-projects-v2-item-status-changed.json"), ""), binding)
	if err != nil || len(evs) != 1 {
		t.Fatalf("Parse = %+v, %v", evs, err)
	}
	return evs[0]
}

func TestReadBack(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		answer    string
		wantTitle string
		notFound  bool
		wantErr   bool
	}{
		{"OK", 200, string(providertest.Testdata(t, "graphql-node-issue.json")), "Landing page for spring campaign", false, false},
		{"Draft", 200, `{"data":{"node":{"__typename":"DraftIssue","title":"Idea"}}}`, "Idea", false, false},
		// GitHub answers a deleted issue and one the token may not see alike: retried, never dropped.
		{"GraphQLNotFound", 200, string(providertest.Testdata(t, "graphql-node-not-found.json")), "", false, true},
		{"NullNode", 200, `{"data":{"node":null}}`, "", false, true},
		{"HTTP404", 404, `{"message":"Not Found"}`, "", false, true},
		{"HTTP410", 410, ``, "", false, true},
		{"BadCredentials", 401, `{"message":"Bad credentials"}`, "", false, true},
		{"RateLimited", 403, `{"message":"API rate limit exceeded"}`, "", false, true},
		{"ServerError", 502, `<html>`, "", false, true},
		{"NotJSON", 200, `<html>`, "", false, true},
		{"OtherGraphQLError", 200, `{"errors":[{"type":"FORBIDDEN","message":"Resource not accessible by integration"}]}`, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotAuth, gotPath string
			var gotReq struct {
				Query     string            `json:"query"`
				Variables map[string]string `json:"variables"`
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotAuth, gotPath = r.Header.Get("Authorization"), r.URL.Path
				raw, _ := io.ReadAll(r.Body)
				_ = json.Unmarshal(raw, &gotReq)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.answer)
			}))
			defer srv.Close()
			b := binding
			b.APIURL = srv.URL + "/api/"
			e := boardEvent(t)
			got, err := github.New().ReadBack(context.Background(), b, "ghp_secret-token", e)
			if gotAuth != "Bearer ghp_secret-token" || gotPath != "/api/graphql" || gotReq.Variables["id"] != "I_kwDOLxyz1c6JqAbc" || !strings.Contains(gotReq.Query, "node(id: $id)") {
				t.Errorf("request: auth %q path %q body %+v", gotAuth, gotPath, gotReq)
			}
			if tt.wantErr != (err != nil) || tt.notFound != errors.Is(err, glassbox.ErrNotFound) {
				t.Fatalf("ReadBack error = %v, want error %v, not found %v", err, tt.wantErr, tt.notFound)
			}
			if err != nil {
				if strings.Contains(err.Error(), "ghp_secret-token") {
					t.Errorf("error %q shows the token", err)
				}
				return
			}
			if got.Title != tt.wantTitle || got.Status != glassbox.StatusDone || got.TaskID != e.TaskID {
				t.Errorf("ReadBack = %+v", got)
			}
			if tt.name == "OK" && got.URL != "https://github.com/acme/site/issues/42" {
				t.Errorf("URL = %q", got.URL)
			}
		})
	}
}

// TestReadBackSkipsCompleteEvents: issues events carry title and link; reading them back would spend the
// token's rate limit for nothing.
func TestReadBackSkipsCompleteEvents(t *testing.T) {
	evs, err := github.New().Parse(delivery("issues", providertest.Testdata(t, "github-issues-closed.json"), ""), binding)
	if err != nil {
		t.Fatal(err)
	}
	b := binding
	b.APIURL = "http://127.0.0.1:1" // nothing listens: a call would fail
	got, err := github.New().ReadBack(context.Background(), b, "token", evs[0])
	if err != nil || got != evs[0] {
		t.Fatalf("ReadBack = %+v, %v; want the event unchanged", got, err)
	}
}

func TestReadBackTimesOut(t *testing.T) {
	if github.New().HTTP.Timeout != 10*time.Second {
		t.Fatalf("timeout = %v, want 10s", github.New().HTTP.Timeout)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(200 * time.Millisecond) }))
	defer srv.Close()
	p := github.New()
	p.HTTP.Timeout = 50 * time.Millisecond
	b := binding
	b.APIURL = srv.URL
	if _, err := p.ReadBack(context.Background(), b, "token", boardEvent(t)); err == nil || errors.Is(err, glassbox.ErrNotFound) {
		t.Fatalf("ReadBack error = %v, want a retryable error", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"github-issues-closed.json", "github-issues-opened.json", "github-projects-v2-item-status-changed.json", "github-ping.json"} {
		f.Add("issues", providertest.Testdata(f, name))
		f.Add("projects_v2_item", providertest.Testdata(f, name))
	}
	f.Add("issue_comment", providertest.WithText(f, providertest.Testdata(f, "github-issue-comment-created.json"), "Client approved the copy, moving on.", "Причина: ждём"))
	f.Add("issues", []byte(strings.Replace(string(providertest.Testdata(f, "github-issues-reopened.json")), `"action": "reopened",`, `"action": "labeled", "label": {"name": "waiting-on-client"},`, 1)))
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		d := delivery(event, body, "sha256="+strings.Repeat("ab", 32))
		providertest.FuzzVerify(t, github.New(), d, vectorSecret)
		providertest.FuzzParse(t, github.New(), d, binding, func(e glassbox.Event) bool {
			return e.ID != "" && e.TaskID != "" && e.Kind != ""
		})
	})
}

func BenchmarkVerifyAndParse(b *testing.B) {
	d := delivery("issues", providertest.Testdata(b, "github-issues-closed.json"), vectorSig)
	providertest.BenchmarkVerifyAndParse(b, github.New(), d, vectorSecret, binding)
}

// The demo binding of cmd/glassbox/demo/agency.yaml, which events/ingest-github-*.json are made for.
var demoBinding = glassbox.Binding{
	ID: "demo-github", ProjectID: "romashka-site", Provider: "github", ExternalID: "acme",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo: {"open", "Todo"}, glassbox.StatusInProgress: {"In Progress"}, glassbox.StatusDone: {"Done"},
	},
}

const demoSecret = "demo-github-webhook-secret"

// TestSampleEvents keeps events/ingest-github-*.json honest: signed for the demo binding, and parsed to what
// events/README.md says.
func TestSampleEvents(t *testing.T) {
	providertest.Samples{
		Provider: github.New(), Binding: demoBinding, Secret: demoSecret,
		Event: func(t *testing.T, _ glassbox.Delivery, e glassbox.Event) {
			if e.TaskID != "I_kwDOLxyz1c6JqAbc" {
				t.Fatalf("event = %+v", e)
			}
		},
	}.Run(t, []providertest.Sample{
		{File: "ingest-github-ping.json", Ignored: true},
		{File: "ingest-github-created.json", Kind: glassbox.EventTaskCreated, Status: glassbox.StatusTodo},
		{File: "ingest-github-done.json", Kind: glassbox.EventTaskMoved, Status: glassbox.StatusDone},
		{File: "ingest-github-board-done.json", Kind: glassbox.EventTaskMoved, Status: glassbox.StatusDone},
		{File: "ingest-github-comment-ignored.json", Ignored: true},
		{File: "ingest-github-reason.json", Kind: glassbox.EventTaskNoted},
		{File: "ingest-github-waiting.json", Kind: glassbox.EventTaskMoved, Status: glassbox.StatusWaiting},
		{File: "ingest-github-forged.json", Forged: true},
	})
}

// An issue comment that starts with a reason marker is the issue's reason; other comments, and comments on pull
// requests, stay ignored.
func TestNotes(t *testing.T) {
	sample := providertest.Testdata(t, "github-issue-comment-created.json")
	providertest.Notes(t, github.New(), binding, func(t *testing.T, text string) glassbox.Delivery {
		return delivery("issue_comment", providertest.WithText(t, sample, "Client approved the copy, moving on.", text), "")
	}, func(t *testing.T, e glassbox.Event) {
		if e.ID != "github:comment:2130000011" || e.TaskID != "I_kwDOLxyz1c6JqAbc" || e.Title != "Landing page for spring campaign" ||
			e.URL != "https://github.com/acme/site/issues/42" || e.Actor != "ivanpetrov" ||
			!e.OccurredAt.Equal(time.Date(2025, 5, 24, 9, 30, 1, 0, time.UTC)) {
			t.Errorf("event %+v", e)
		}
	})
	pr := strings.Replace(string(providertest.WithText(t, sample, "Client approved the copy, moving on.", "Причина: ждём")),
		`"number": 42,`, `"number": 42, "pull_request": {"url": "https://api.github.com/repos/acme/site/pulls/42"},`, 1)
	if evs, err := github.New().Parse(delivery("issue_comment", []byte(pr), ""), binding); err != nil || len(evs) != 0 {
		t.Fatalf("a pull request comment: %+v, %v; want it ignored", evs, err)
	}
}

// A label the map calls waiting (or the default waiting-on-client) puts the issue in that status; removing it
// takes the issue back to open; other labels, and a label that the map calls done, move nothing.
func TestWaitingLabel(t *testing.T) {
	sample := string(providertest.Testdata(t, "github-issues-reopened.json"))
	b := binding
	b.StatusMap = map[glassbox.TaskStatus][]string{glassbox.StatusTodo: {"open"}, glassbox.StatusPaused: {"on hold"}, glassbox.StatusDone: {"shipped"}}
	labeled := func(action, label, state string) glassbox.Delivery {
		body := strings.Replace(sample, `"action": "reopened",`, `"action": "`+action+`", "label": {"name": "`+label+`"},`, 1)
		body = strings.Replace(body, `"state": "open"`, `"state": "`+state+`"`, 1)
		if body == sample {
			t.Fatal("the sample was not changed")
		}
		return delivery("issues", []byte(body), "")
	}
	for _, c := range []struct {
		name    string
		d       glassbox.Delivery
		want    glassbox.TaskStatus
		list    string
		ignored bool
	}{
		{"Default", labeled("labeled", "Waiting-on-client", "open"), glassbox.StatusWaiting, "Waiting-on-client", false},
		{"Mapped", labeled("labeled", "on hold", "open"), glassbox.StatusPaused, "on hold", false},
		{"Removed", labeled("unlabeled", "waiting-on-client", "open"), glassbox.StatusTodo, "open", false},
		{"RemovedFromClosed", labeled("unlabeled", "waiting-on-client", "closed"), "", "", true},
		{"AddedToClosed", labeled("labeled", "waiting-on-client", "closed"), "", "", true},
		{"OtherLabel", labeled("labeled", "bug", "open"), "", "", true},
		{"DoneLabelIsNoClose", labeled("labeled", "shipped", "open"), "", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			evs, err := github.New().Parse(c.d, b)
			if c.ignored {
				providertest.MalformedOrIgnored(t, evs, err, false)
				return
			}
			if err != nil || len(evs) != 1 || evs[0].Kind != glassbox.EventTaskMoved || evs[0].Status != c.want || evs[0].ListName != c.list {
				t.Fatalf("Parse = %+v, %v; want a move to %s", evs, err, c.want)
			}
		})
	}
}
