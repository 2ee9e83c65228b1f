package jira_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/jira"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// Vector from shared/samples/SIGNATURES.md, computed over the exact bytes of jira-issue-status-done.json.
const (
	vectorSecret = "jira-admin-secret"
	vectorSig    = "sha256=dadf28336cf976319d15cf482bf46d6c5adeeac83ade52642debec7f531d2387"
)

var received = time.Date(2025, 5, 24, 9, 41, 23, 0, time.UTC)

// binding maps "In Progress" by id and To Do by name; Done (10002) is left to Jira's status category.
var binding = glassbox.Binding{
	ID: "site", ProjectID: "spring", Provider: "jira", ExternalID: "acme.atlassian.net",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo:       {"to do"},
		glassbox.StatusInProgress: {"3"},
		glassbox.StatusBlocked:    {"Won't Do"},
	},
}

func delivery(body []byte, sig, identifier string) glassbox.Delivery {
	h := http.Header{}
	if sig != "" {
		h.Set(jira.SignatureHeader, sig)
	}
	if identifier != "" {
		h.Set(jira.IdentifierHeader, identifier)
	}
	return glassbox.Delivery{Method: "POST", Header: h, Body: body, ReceivedAt: received}
}

func TestSignMatchesVector(t *testing.T) {
	if got := jira.Sign(vectorSecret, providertest.Testdata(t, "jira-issue-status-done.json")); got != vectorSig {
		t.Fatalf("Sign = %q, want %q", got, vectorSig)
	}
}

func TestVerify(t *testing.T) {
	body := providertest.Testdata(t, "jira-issue-status-done.json")
	// A signature Jira made for the issue's earlier update: right secret, another body.
	stale := jira.Sign(vectorSecret, providertest.Testdata(t, "jira-issue-created.json"))
	providertest.Verify(t, jira.New(), []providertest.VerifyCase{
		{Name: "OK", Delivery: delivery(body, vectorSig, ""), Secret: vectorSecret},
		{Name: "OKUpperCasePrefixAndHex", Delivery: delivery(body, "SHA256="+strings.ToUpper(vectorSig[len("sha256="):]), ""), Secret: vectorSecret},
		{Name: "ErrForgedSignature", Delivery: delivery(body, "sha256="+strings.Repeat("0", 64), ""), Secret: vectorSecret, WantErr: true},
		{Name: "ErrStaleSignatureOfAnotherBody", Delivery: delivery(body, stale, ""), Secret: vectorSecret, WantErr: true},
		{Name: "ErrWrongSecret", Delivery: delivery(body, vectorSig, ""), Secret: "another-secret", WantErr: true},
		{Name: "ErrEmptySecret", Delivery: delivery(body, jira.Sign("", body), ""), Secret: "", WantErr: true},
		{Name: "ErrBodyChanged", Delivery: delivery(append(append([]byte{}, body...), ' '), vectorSig, ""), Secret: vectorSecret, WantErr: true},
		{Name: "ErrTruncatedBody", Delivery: delivery(body[:len(body)/2], vectorSig, ""), Secret: vectorSecret, WantErr: true},
		{Name: "ErrMissingHeader", Delivery: delivery(body, "", ""), Secret: vectorSecret, WantErr: true},
		{Name: "ErrNoPrefix", Delivery: delivery(body, vectorSig[len("sha256="):], ""), Secret: vectorSecret, WantErr: true},
		{Name: "ErrSHA1Prefix", Delivery: delivery(body, "sha1="+vectorSig[len("sha256="):], ""), Secret: vectorSecret, WantErr: true},
		{Name: "ErrPrefixOnly", Delivery: delivery(body, "sha256=", ""), Secret: vectorSecret, WantErr: true},
		{Name: "ErrNotHex", Delivery: delivery(body, "sha256=zz", ""), Secret: vectorSecret, WantErr: true},
	})
}

func TestParse(t *testing.T) {
	at := func(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
	tests := []struct {
		name       string
		file       string
		identifier string
		want       []glassbox.Event
	}{
		{"DoneByStatusCategory", "jira-issue-status-done.json", "1716543682512001", []glassbox.Event{{
			ID: "jira:10042:10587:1716543682512", ProviderEventID: "10042:10587:1716543682512", Kind: glassbox.EventTaskMoved,
			ProviderType: "jira:issue_updated", TaskID: "10042", Title: "Landing page for spring campaign",
			URL:    "https://acme.atlassian.net/browse/MKT-42",
			ListID: "10002", ListName: "Done", Status: glassbox.StatusDone,
			PrevListID: "3", PrevListName: "In Progress", PrevStatus: glassbox.StatusInProgress,
			Actor: "Ivan Petrov", OccurredAt: at(1716543682512),
		}}},
		// Without the identifier header (or with another: it is not signed), the same event.
		{"DoneWithoutIdentifier", "jira-issue-status-done.json", "", []glassbox.Event{{
			ID: "jira:10042:10587:1716543682512", ProviderEventID: "10042:10587:1716543682512", Kind: glassbox.EventTaskMoved,
			ProviderType: "jira:issue_updated", TaskID: "10042", Title: "Landing page for spring campaign",
			URL:    "https://acme.atlassian.net/browse/MKT-42",
			ListID: "10002", ListName: "Done", Status: glassbox.StatusDone,
			PrevListID: "3", PrevListName: "In Progress", PrevStatus: glassbox.StatusInProgress,
			Actor: "Ivan Petrov", OccurredAt: at(1716543682512),
		}}},
		{"Created", "jira-issue-created.json", "1716361390004001", []glassbox.Event{{
			ID: "jira:10042::1716361390004", ProviderEventID: "10042::1716361390004", Kind: glassbox.EventTaskCreated,
			ProviderType: "jira:issue_created", TaskID: "10042", Title: "Landing page for spring campaign",
			URL:    "https://acme.atlassian.net/browse/MKT-42",
			ListID: "10000", ListName: "To Do", Status: glassbox.StatusTodo,
			Actor: "Anna Smirnova", OccurredAt: at(1716361390004),
		}}},
		// Comments are not status changes: acknowledged, not stored.
		{"CommentIgnored", "jira-comment-created.json", "1716543001200001", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := delivery(providertest.Testdata(t, tt.file), "", tt.identifier)
			got, err := providertest.Accepted(jira.New(), d, binding)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.want {
				w := &tt.want[i]
				w.ProjectID, w.BindingID, w.Provider, w.ReceivedAt = "spring", "site", "jira", received
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d events %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// statusBody is the done sample with its status change and the issue's status replaced.
func statusBody(t *testing.T, from, fromName, to, toName, currentID, currentName, category string) []byte {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(providertest.Testdata(t, "jira-issue-status-done.json"), &p); err != nil {
		t.Fatal(err)
	}
	p["changelog"] = map[string]any{"id": "20001", "items": []any{
		map[string]any{"field": "status", "fieldtype": "jira", "fieldId": "status", "from": from, "fromString": fromName, "to": to, "toString": toName},
	}}
	fields := p["issue"].(map[string]any)["fields"].(map[string]any)
	fields["status"] = map[string]any{"id": currentID, "name": currentName, "statusCategory": map[string]any{"key": category}}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The status map wins when it names the status; otherwise Jira's Done category means done, but only for the
// status the issue is in.
func TestParseStatusMapAndCategory(t *testing.T) {
	tests := []struct {
		name           string
		body           []byte
		status, before glassbox.TaskStatus
	}{
		{"UnmappedDoneCategoryIsDone", statusBody(t, "3", "In Progress", "10005", "Released", "10005", "Released", "done"),
			glassbox.StatusDone, glassbox.StatusInProgress},
		{"MapWinsOverDoneCategory", statusBody(t, "3", "In Progress", "10006", "Won't Do", "10006", "Won't Do", "done"),
			glassbox.StatusBlocked, glassbox.StatusInProgress},
		{"UnmappedOtherCategoryIsUnknown", statusBody(t, "3", "In Progress", "10007", "QA", "10007", "QA", "indeterminate"),
			glassbox.StatusUnknown, glassbox.StatusInProgress},
		// The issue moved on before Jira sent this change: its category says nothing about the status entered.
		{"CategoryOfAnotherStatusIgnored", statusBody(t, "3", "In Progress", "10007", "QA", "10005", "Released", "done"),
			glassbox.StatusUnknown, glassbox.StatusInProgress},
		// The status left is not mapped: no PrevStatus, React uses the stored one.
		{"ReopenedFromUnmappedDone", statusBody(t, "10005", "Released", "3", "In Progress", "3", "In Progress", "indeterminate"),
			glassbox.StatusInProgress, glassbox.StatusUnknown},
		{"MappedByNameIgnoringCase", statusBody(t, "3", "In Progress", "10000", "TO DO", "10000", "TO DO", "new"),
			glassbox.StatusTodo, glassbox.StatusInProgress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := jira.New().Parse(delivery(tt.body, "", ""), binding)
			if err != nil || len(got) != 1 {
				t.Fatalf("Parse = %+v, %v; want one event", got, err)
			}
			if got[0].Kind != glassbox.EventTaskMoved || got[0].Status != tt.status || got[0].PrevStatus != tt.before {
				t.Fatalf("event %+v: kind %s, status %q from %q; want task_moved, %q from %q", got[0], got[0].Kind,
					got[0].Status, got[0].PrevStatus, tt.status, tt.before)
			}
		})
	}
}

func TestParseRejectsAndIgnores(t *testing.T) {
	const issue = `"issue":{"id":"10042","self":"https://acme.atlassian.net/rest/api/2/issue/10042","key":"MKT-42","fields":{"summary":"New name"}}`
	tests := []struct {
		name      string
		body      string
		ident     string
		malformed bool
		want      glassbox.EventKind
	}{
		{"TruncatedJSON", `{"webhookEvent":"jira:issue_updated","issue":{`, "", true, ""},
		{"NotJSON", `hello`, "", true, ""},
		{"Array", `[]`, "", true, ""},
		{"NoWebhookEvent", `{"timestamp":1,` + issue + `}`, "", true, ""},
		{"IssueEventWithoutIssue", `{"webhookEvent":"jira:issue_updated","timestamp":1}`, "", true, ""},
		{"IssueEventWithoutIssueID", `{"webhookEvent":"jira:issue_created","issue":{"key":"MKT-1"}}`, "", true, ""},
		{"TimestampNotANumber", `{"webhookEvent":"jira:issue_created","timestamp":"soon",` + issue + `}`, "", true, ""},
		{"CommentIgnored", `{"webhookEvent":"comment_created","comment":{"id":"1"},` + issue + `}`, "", false, ""},
		{"OtherEventOfAnotherShapeIgnored", `{"webhookEvent":"sprint_started","timestamp":"soon","issue":[1]}`, "", false, ""},
		{"IssueDeletedIgnored", `{"webhookEvent":"jira:issue_deleted",` + issue + `}`, "", false, ""},
		{"AssigneeChangeIgnored", `{"webhookEvent":"jira:issue_updated",` + issue + `,"changelog":{"id":"5","items":[{"field":"assignee","fieldId":"assignee","from":null,"to":"abc"}]}}`, "", false, ""},
		{"UpdateWithoutChangelogIgnored", `{"webhookEvent":"jira:issue_updated",` + issue + `}`, "", false, ""},
		{"CustomFieldNumbersDoNotBreakIt", `{"webhookEvent":"jira:issue_updated",` + issue + `,"changelog":{"id":"5","items":[{"field":"Story Points","fieldId":"customfield_10016","from":3,"to":{"v":5}}]}}`, "", false, ""},
		{"SummaryChangeIsUpdated", `{"webhookEvent":"jira:issue_updated",` + issue + `,"changelog":{"id":"5","items":[{"field":"summary","fieldId":"summary","fromString":"Old","toString":"New name"}]}}`, "", false, glassbox.EventTaskUpdated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := providertest.Accepted(jira.New(), delivery([]byte(tt.body), "", tt.ident), binding)
			if tt.malformed {
				if !errors.Is(err, glassbox.ErrMalformed) {
					t.Fatalf("Parse error = %v, want ErrMalformed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if len(got) != 0 {
					t.Fatalf("Parse = %+v; want no events", got)
				}
				return
			}
			if len(got) != 1 || got[0].Kind != tt.want || got[0].Title != "New name" || got[0].ListName != "" {
				t.Fatalf("Parse = %+v; want one %s event titled New name, no list", got, tt.want)
			}
		})
	}
}

func TestBrowseURLFromSelf(t *testing.T) {
	tests := []struct{ self, want string }{
		{"https://acme.atlassian.net/rest/api/2/10042", "https://acme.atlassian.net/browse/MKT-42"},
		{"https://jira.acme.example:8443/rest/api/3/issue/10042", "https://jira.acme.example:8443/browse/MKT-42"},
		{"", ""},
		{"/rest/api/2/issue/10042", ""},
		{"javascript:alert(1)", ""},
	}
	for _, tt := range tests {
		body := `{"webhookEvent":"jira:issue_created","issue":{"id":"10042","key":"MKT-42","self":` + quote(tt.self) + `,"fields":{}}}`
		got, err := jira.New().Parse(delivery([]byte(body), "", ""), binding)
		if err != nil || len(got) != 1 {
			t.Fatalf("%q: Parse = %+v, %v", tt.self, got, err)
		}
		if got[0].URL != tt.want {
			t.Errorf("self %q: URL = %q, want %q", tt.self, got[0].URL, tt.want)
		}
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func FuzzParse(f *testing.F) {
	f.Add(providertest.WithText(f, providertest.Testdata(f, "jira-comment-created.json"), "Client approved the copy, moving on.", "Причина: ждём"), "", "")
	for _, name := range []string{"jira-issue-status-done.json", "jira-issue-created.json", "jira-comment-created.json", "jira-worklog-created.json"} {
		f.Add(providertest.Testdata(f, name), vectorSig, "1")
	}
	f.Add([]byte(`{"webhookEvent":"jira:issue_updated","issue":{"id":"1"},"changelog":{"items":[{"field":"status","to":7}]}}`), "", "")
	f.Fuzz(func(t *testing.T, body []byte, sig, identifier string) {
		d := delivery(body, sig, identifier)
		providertest.FuzzVerify(t, jira.New(), d, vectorSecret)
		providertest.FuzzParse(t, jira.New(), d, binding, func(e glassbox.Event) bool {
			return e.ID != "" && e.TaskID != "" && e.Kind != "" && e.ProjectID != ""
		})
	})
}

func BenchmarkVerifyAndParse(b *testing.B) {
	d := delivery(providertest.Testdata(b, "jira-issue-status-done.json"), vectorSig, "1716543682512001")
	providertest.BenchmarkVerifyAndParse(b, jira.New(), d, vectorSecret, binding)
}

// The demo binding of cmd/glassbox/demo/agency.yaml, which events/ingest-jira-*.json are made for.
var demoBinding = glassbox.Binding{
	ID: "demo-jira", ProjectID: "romashka-site", Provider: "jira", ExternalID: "pixel.atlassian.net",
	SecretParam: "/glassbox/jira/demo-jira",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo:       {"10000"},
		glassbox.StatusInProgress: {"3"},
	},
}

const demoSecret = "demo-jira-webhook-secret"

// TestSampleEvents keeps events/ingest-jira-*.json honest: signed for the demo binding, and parsed to what
// events/README.md says.
func TestSampleEvents(t *testing.T) {
	providertest.Samples{
		Provider: jira.New(), Binding: demoBinding, Secret: demoSecret,
		ReceivedAt: func(*testing.T, glassbox.Delivery) time.Time { return received },
		Event: func(t *testing.T, d glassbox.Delivery, e glassbox.Event) {
			// A worklog's delivery names the issue by id only: no title, no link.
			worklog := e.Kind == glassbox.EventWorkLogged
			if e.ProjectID != "romashka-site" || e.TaskID != "10070" || !strings.HasPrefix(e.ID, "jira:10070:") ||
				(!worklog && (e.Title != "Тексты для главной страницы" || e.URL != "https://pixel.atlassian.net/browse/SITE-7")) ||
				(worklog && e.Minutes != 90) || (e.Kind == glassbox.EventTaskNoted && e.Note == "") {
				t.Fatalf("event = %+v", e)
			}
		},
	}.Run(t, []providertest.Sample{
		{File: "ingest-jira-created.json", Kind: glassbox.EventTaskCreated, Status: glassbox.StatusTodo},
		{File: "ingest-jira-done.json", Kind: glassbox.EventTaskMoved, Status: glassbox.StatusDone},
		{File: "ingest-jira-comment-ignored.json", Ignored: true},
		{File: "ingest-jira-reason.json", Kind: glassbox.EventTaskNoted},
		{File: "ingest-jira-worklog.json", Kind: glassbox.EventWorkLogged},
		{File: "ingest-jira-forged.json", Forged: true},
	})
}

// A signed delivery replayed under a new X-Atlassian-Webhook-Identifier (the header is not signed) is the same
// event, so it is stored once and tells nobody twice.
func TestReplayWithAnotherIdentifierIsTheSameEvent(t *testing.T) {
	body := providertest.Testdata(t, "jira-issue-status-done.json")
	var ids []string
	for _, ident := range []string{"1716543682512001", "9999999999999999", "", "a b"} {
		evs, err := jira.New().Parse(delivery(body, "", ident), binding)
		if err != nil || len(evs) != 1 {
			t.Fatalf("identifier %q: Parse = %+v, %v", ident, evs, err)
		}
		ids = append(ids, evs[0].ID)
	}
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("event ids %v differ with the identifier header", ids)
		}
	}
}

// A comment that starts with a reason marker is the issue's reason; other comments stay ignored.
func TestNotes(t *testing.T) {
	sample := providertest.Testdata(t, "jira-comment-created.json")
	providertest.Notes(t, jira.New(), binding, func(t *testing.T, text string) glassbox.Delivery {
		return delivery(providertest.WithText(t, sample, "Client approved the copy, moving on.", text), "", "")
	}, func(t *testing.T, e glassbox.Event) {
		if e.ID != "jira:10042:comment:10211" || e.TaskID != "10042" || e.Title != "Landing page for spring campaign" ||
			e.URL != "https://acme.atlassian.net/browse/MKT-42" || e.Actor != "Ivan Petrov" ||
			!e.OccurredAt.Equal(time.UnixMilli(1716543001200).UTC()) {
			t.Errorf("event %+v", e)
		}
	})
}

// worklog_created is the time logged on its issue, in whole minutes; a worklog the delivery does not identify
// is malformed.
func TestWorklog(t *testing.T) {
	sample := providertest.Testdata(t, "jira-worklog-created.json")
	evs, err := providertest.Accepted(jira.New(), delivery(sample, "", ""), binding)
	if err != nil || len(evs) != 1 {
		t.Fatalf("Parse = %+v, %v", evs, err)
	}
	e := evs[0]
	if e.Kind != glassbox.EventWorkLogged || e.ID != "jira:10042:worklog:10307" || e.TaskID != "10042" || e.Minutes != 90 ||
		e.Actor != "Ivan Petrov" || e.Status != "" || e.ListID != "" || e.ProjectID != "spring" {
		t.Fatalf("event %+v", e)
	}
	for _, c := range []struct {
		name, from, to string
		minutes        int64 // 0: ignored
		malformed      bool
	}{
		{"RoundsUp", `"timeSpentSeconds": 5400`, `"timeSpentSeconds": 61`, 2, false},
		{"Zero", `"timeSpentSeconds": 5400`, `"timeSpentSeconds": 0`, 0, false},
		{"Negative", `"timeSpentSeconds": 5400`, `"timeSpentSeconds": -60`, 0, true},
		{"NotNumber", `"timeSpentSeconds": 5400`, `"timeSpentSeconds": "1h"`, 0, true},
		{"Huge", `"timeSpentSeconds": 5400`, `"timeSpentSeconds": 99999999999`, 0, true},
		{"NoIssue", `"issueId": "10042"`, `"issueId": ""`, 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := []byte(strings.Replace(string(sample), c.from, c.to, 1))
			evs, err := jira.New().Parse(delivery(body, "", ""), binding)
			if c.minutes == 0 {
				providertest.MalformedOrIgnored(t, evs, err, c.malformed)
				return
			}
			if err != nil || len(evs) != 1 || evs[0].Minutes != c.minutes {
				t.Fatalf("Parse = %+v, %v; want %d minutes", evs, err, c.minutes)
			}
		})
	}
}

// An issue closed with a resolution that is not "done" (Won't Do) in a Done-category status the map does not
// name is cancelled, so the client is not told "done"; the map still wins when it names the status.
func TestResolutionWontDoIsCancelled(t *testing.T) {
	sample := string(providertest.Testdata(t, "jira-issue-status-done.json"))
	for _, c := range []struct {
		name    string
		b       glassbox.Binding
		resolve string
		want    glassbox.TaskStatus
	}{
		{"Done", binding, "Done", glassbox.StatusDone},
		{"WontDo", binding, "Won't Do", glassbox.StatusCancelled},
		{"DuplicateAnyCase", binding, "duplicate", glassbox.StatusCancelled},
		{"MapWins", glassbox.Binding{ID: "site", ProjectID: "spring", Provider: "jira",
			StatusMap: map[glassbox.TaskStatus][]string{glassbox.StatusDone: {"10002"}}}, "Won't Do", glassbox.StatusDone},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := strings.Replace(sample, `"resolution": { "id": "10000", "name": "Done" }`,
				`"resolution": { "id": "10000", "name": "`+c.resolve+`" }`, 1)
			if body == sample && c.resolve != "Done" {
				t.Fatal("the sample's resolution was not replaced")
			}
			evs, err := jira.New().Parse(delivery([]byte(body), "", ""), c.b)
			if err != nil || len(evs) != 1 || evs[0].Status != c.want {
				t.Fatalf("Parse = %+v, %v; want status %s", evs, err, c.want)
			}
		})
	}
}
