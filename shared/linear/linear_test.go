package linear_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/linear"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// Vector from shared/samples/SIGNATURES.md, computed over the exact bytes of linear-issue-state-done.json,
// whose webhookTimestamp is 1716543682700.
const (
	vectorSecret = "lin_wh_secret_abc"
	vectorSig    = "900838229b7d9d2ee2ce5faf661b027402990ae141d946f9636d1495edbc5341"
)

var vectorSent = time.UnixMilli(1716543682700).UTC()

const deliveryID = "0a8e7f4c-2b1d-4c3e-9f5a-6b7c8d9e0f11"

var binding = glassbox.Binding{
	ID: "mkt", ProjectID: "spring", Provider: "linear", ExternalID: "MKT",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo:       {"Todo"},
		glassbox.StatusInProgress: {"c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f"}, // "In Progress", by id
		glassbox.StatusBlocked:    {"Blocked"},
	},
}

func delivery(body []byte, sig string, receivedAt time.Time) glassbox.Delivery {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set(linear.DeliveryHeader, deliveryID)
	if sig != "" {
		h.Set(linear.SignatureHeader, sig)
	}
	return glassbox.Delivery{Method: "POST", Header: h, Body: body, ReceivedAt: receivedAt}
}

func TestSignMatchesVector(t *testing.T) {
	if got := linear.Sign(vectorSecret, providertest.Testdata(t, "linear-issue-state-done.json")); got != vectorSig {
		t.Fatalf("Sign = %q, want %q", got, vectorSig)
	}
}

func TestVerify(t *testing.T) {
	body := providertest.Testdata(t, "linear-issue-state-done.json")
	noStamp := []byte(`{"action":"update","type":"Issue"}`)
	providertest.Verify(t, linear.New(), []providertest.VerifyCase{
		{Name: "OK", Delivery: delivery(body, vectorSig, vectorSent.Add(800*time.Millisecond)), Secret: vectorSecret},
		{Name: "OKOurClockBehind", Delivery: delivery(body, vectorSig, vectorSent.Add(-linear.MaxSkew)), Secret: vectorSecret},
		// Linear retries after 1 minute, 1 hour and 6 hours, possibly with the first attempt's stamp.
		{Name: "OKFirstRetry", Delivery: delivery(body, vectorSig, vectorSent.Add(61*time.Second)), Secret: vectorSecret},
		{Name: "OKLastRetry", Delivery: delivery(body, vectorSig, vectorSent.Add(7*time.Hour+2*time.Minute)), Secret: vectorSecret},
		{Name: "OKAtTheEdge", Delivery: delivery(body, vectorSig, vectorSent.Add(linear.MaxRetryAge)), Secret: vectorSecret},
		{Name: "ErrOlderThanAnyRetry", Delivery: delivery(body, vectorSig, vectorSent.Add(linear.MaxRetryAge+time.Millisecond)), Secret: vectorSecret, WantErr: true},
		{Name: "ErrReplayedNextDay", Delivery: delivery(body, vectorSig, vectorSent.Add(24*time.Hour)), Secret: vectorSecret, WantErr: true},
		{Name: "ErrFromTheFuture", Delivery: delivery(body, vectorSig, vectorSent.Add(-linear.MaxSkew-time.Millisecond)), Secret: vectorSecret, WantErr: true},
		{Name: "ErrForged", Delivery: delivery(body, strings.Repeat("0", 64), vectorSent), Secret: vectorSecret, WantErr: true},
		{Name: "ErrWrongSecret", Delivery: delivery(body, vectorSig, vectorSent), Secret: "another-secret", WantErr: true},
		{Name: "ErrBodyChanged", Delivery: delivery(append(append([]byte{}, body...), ' '), vectorSig, vectorSent), Secret: vectorSecret, WantErr: true},
		{Name: "ErrMissingHeader", Delivery: delivery(body, "", vectorSent), Secret: vectorSecret, WantErr: true},
		{Name: "ErrNotHex", Delivery: delivery(body, "sha256="+vectorSig, vectorSent), Secret: vectorSecret, WantErr: true},
		{Name: "ErrSignedWithoutTimestamp", Delivery: delivery(noStamp, linear.Sign(vectorSecret, noStamp), vectorSent), Secret: vectorSecret, WantErr: true},
	})
}

func TestParse(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339Nano, s); return v }
	const issue = "4c1e2f3a-5b6c-4d7e-8f90-a1b2c3d4e5f6"
	base := glassbox.Event{
		TaskID: issue, Title: "Landing page for spring campaign",
		URL: "https://linear.app/acme/issue/MKT-42/landing-page-for-spring-campaign",
	}
	// The event id is the issue as of its updatedAt.
	with := func(updatedAt string, f func(e *glassbox.Event)) []glassbox.Event {
		e := base
		e.ProviderEventID = issue + "@" + updatedAt
		e.ID = "linear:" + e.ProviderEventID
		f(&e)
		return []glassbox.Event{e}
	}
	tests := []struct {
		file string
		want []glassbox.Event
	}{
		{"linear-issue-created.json", with("2025-05-22T07:03:10.004Z", func(e *glassbox.Event) {
			e.Kind, e.ProviderType = glassbox.EventTaskCreated, "Issue.create"
			e.ListID, e.ListName, e.Status = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e", "Todo", glassbox.StatusTodo
			e.Actor, e.OccurredAt = "Anna Smirnova", at("2025-05-22T07:03:10.004Z")
		})},
		// Done by the state's type: the map does not name "Done". The state left is named by id, which the map
		// knows.
		{"linear-issue-state-done.json", with("2025-05-24T09:41:22.512Z", func(e *glassbox.Event) {
			e.Kind, e.ProviderType = glassbox.EventTaskMoved, "Issue.update"
			e.ListID, e.ListName, e.Status = "a7b8c9d0-e1f2-4a3b-8c4d-5e6f7a8b9c0d", "Done", glassbox.StatusDone
			e.PrevListID, e.PrevStatus = "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f", glassbox.StatusInProgress
			e.Actor, e.OccurredAt = "Ivan Petrov", at("2025-05-24T09:41:22.512Z")
		})},
		{"linear-issue-renamed.json", with("2025-05-23T12:00:00Z", func(e *glassbox.Event) {
			e.Kind, e.ProviderType = glassbox.EventTaskUpdated, "Issue.update"
			e.Actor, e.OccurredAt = "Ivan Petrov", at("2025-05-23T12:00:00Z")
		})},
		{"linear-comment-created.json", nil},
		{"linear-issue-priority-changed.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d := delivery(providertest.Testdata(t, tt.file), "", vectorSent)
			got, err := providertest.Accepted(linear.New(), d, binding)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.want {
				w := &tt.want[i]
				w.ProjectID, w.BindingID, w.Provider, w.ReceivedAt = "spring", "mkt", "linear", d.ReceivedAt
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

// TestStatus: the map wins by id, name or type; completed is done when the map does not say otherwise; a
// canceled issue is not.
func TestStatus(t *testing.T) {
	b := glassbox.Binding{StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusReview:     {"QA"},
		glassbox.StatusInProgress: {"started"},
		glassbox.StatusBlocked:    {"id-blocked"},
		glassbox.StatusTodo:       {"Released"}, // an odd map, but the map wins
	}}
	tests := []struct {
		id, name, typ string
		want          glassbox.TaskStatus
	}{
		{"s1", "QA", "started", glassbox.StatusReview},
		{"s2", "In Progress", "started", glassbox.StatusInProgress},
		{"id-blocked", "Waiting", "started", glassbox.StatusBlocked},
		{"s3", "Done", "completed", glassbox.StatusDone},
		{"s4", "Released", "completed", glassbox.StatusTodo},
		{"s5", "Canceled", "canceled", glassbox.StatusCancelled}, // issue 9: Linear's own cancelled (before, no status)
		{"s7", "Duplicate", "canceled", glassbox.StatusCancelled},
		{"s6", "Backlog", "backlog", glassbox.StatusUnknown},
	}
	for _, tt := range tests {
		if got := linear.Status(b, tt.id, tt.name, tt.typ); got != tt.want {
			t.Errorf("Status(%s, %s, %s) = %q, want %q", tt.id, tt.name, tt.typ, got, tt.want)
		}
	}
}

// TestPrevStatusOnlyWhenTheMapKnowsTheStateLeft: Linear names the state left by id only; when the map does not
// know that id, PrevStatus stays empty and React uses the task's stored status instead of guessing.
func TestPrevStatusOnlyWhenTheMapKnowsTheStateLeft(t *testing.T) {
	b := binding
	b.StatusMap = map[glassbox.TaskStatus][]string{glassbox.StatusInProgress: {"In Progress"}}
	evs, err := linear.New().Parse(delivery(providertest.Testdata(t, "linear-issue-state-done.json"), "", vectorSent), b)
	if err != nil || len(evs) != 1 {
		t.Fatalf("Parse = %+v, %v", evs, err)
	}
	if e := evs[0]; e.PrevStatus != glassbox.StatusUnknown || e.PrevListID != "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f" || e.Status != glassbox.StatusDone {
		t.Fatalf("event = %+v", e)
	}
}

// TestExternalIDScopesDeliveries: a workspace webhook sends every team; a binding takes its team (key or id)
// or the whole workspace (organizationId).
func TestExternalIDScopesDeliveries(t *testing.T) {
	for _, tt := range []struct {
		externalID string
		taken      bool
	}{
		{"MKT", true}, {"mkt", true}, {"0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", true},
		{"e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b", true}, {"ENG", false},
	} {
		b := binding
		b.ExternalID = tt.externalID
		evs, err := linear.New().Parse(delivery(providertest.Testdata(t, "linear-issue-state-done.json"), "", vectorSent), b)
		if err != nil || (len(evs) == 1) != tt.taken {
			t.Errorf("%s: %d events, %v; want taken %v", tt.externalID, len(evs), err, tt.taken)
		}
	}
}

func TestParseRejectsAndIgnores(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		noDelivery bool
		malformed  bool
	}{
		{"NoUpdatedAtNorDeliveryHeader", `{"action":"create","type":"Issue","data":{"id":"i"}}`, true, true},
		{"TruncatedJSON", `{"action":"update","type":"Issue","data":{"id"`, false, true},
		{"NotJSON", `hello`, false, true},
		{"NoActionOrType", `{"data":{"id":"i"}}`, false, true},
		{"IssueWithoutID", `{"action":"update","type":"Issue","data":{},"updatedFrom":{"stateId":"a"}}`, false, true},
		{"RemoveIgnored", `{"action":"remove","type":"Issue","data":{"id":"i"}}`, false, false},
		{"ProjectIgnored", `{"action":"update","type":"Project","data":{"id":"p"},"updatedFrom":{"stateId":"a"}}`, false, false},
		{"UpdateWithoutStateChangeIgnored", `{"action":"update","type":"Issue","data":{"id":"i","stateId":"b"},"updatedFrom":{"sortOrder":1}}`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := delivery([]byte(tt.body), "", vectorSent)
			if tt.noDelivery {
				d.Header.Del(linear.DeliveryHeader)
			}
			b := binding
			b.ExternalID = ""
			got, err := providertest.Accepted(linear.New(), d, b)
			providertest.MalformedOrIgnored(t, got, err, tt.malformed)
		})
	}
}

// TestMoveWithOnlyStateID: a delivery without the state object still moves the task, by the state's id.
func TestMoveWithOnlyStateID(t *testing.T) {
	body := `{"action":"update","type":"Issue","data":{"id":"i","title":"T","stateId":"c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f","teamId":"x"},"updatedFrom":{"stateId":"b"}}`
	b := binding
	b.ExternalID = ""
	evs, err := linear.New().Parse(delivery([]byte(body), "", vectorSent), b)
	if err != nil || len(evs) != 1 || evs[0].Status != glassbox.StatusInProgress || evs[0].Kind != glassbox.EventTaskMoved {
		t.Fatalf("Parse = %+v, %v", evs, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"linear-issue-state-done.json", "linear-issue-created.json", "linear-comment-created.json"} {
		f.Add(providertest.Testdata(f, name))
	}
	f.Add(providertest.WithText(f, providertest.Testdata(f, "linear-comment-created.json"), "Client approved the copy, moving on.", "Причина: ждём"))
	f.Fuzz(func(t *testing.T, body []byte) {
		d := delivery(body, linear.Sign(vectorSecret, body), vectorSent)
		providertest.FuzzVerify(t, linear.New(), d, vectorSecret)
		providertest.FuzzParse(t, linear.New(), d, binding, func(e glassbox.Event) bool {
			return e.ID != "" && e.TaskID != "" && e.Kind != ""
		})
	})
}

func BenchmarkVerifyAndParse(b *testing.B) {
	d := delivery(providertest.Testdata(b, "linear-issue-state-done.json"), vectorSig, vectorSent.Add(time.Second))
	providertest.BenchmarkVerifyAndParse(b, linear.New(), d, vectorSecret, binding)
}

// The demo binding of cmd/glassbox/demo/agency.yaml, which events/ingest-linear-*.json are made for.
var demoBinding = glassbox.Binding{
	ID: "demo-linear", ProjectID: "romashka-site", Provider: "linear", ExternalID: "MKT",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo: {"Todo"}, glassbox.StatusInProgress: {"started"}, glassbox.StatusDone: {"Done"},
	},
}

const demoSecret = "lin_wh_demo_secret"

// TestSampleEvents keeps events/ingest-linear-*.json honest: signed for the demo binding (at their
// webhookTimestamp; make demo stamps and signs them again when it sends them), and parsed to what
// events/README.md says.
func TestSampleEvents(t *testing.T) {
	providertest.Samples{
		Provider: linear.New(), Binding: demoBinding, Secret: demoSecret,
		ReceivedAt: func(_ *testing.T, d glassbox.Delivery) time.Time {
			var stamp struct {
				WebhookTimestamp int64 `json:"webhookTimestamp"`
			}
			_ = json.Unmarshal(d.Body, &stamp)
			return time.UnixMilli(stamp.WebhookTimestamp).Add(800 * time.Millisecond).UTC()
		},
		Event: func(t *testing.T, _ glassbox.Delivery, e glassbox.Event) {
			// A comment is an event of its own (its id), on the same issue.
			if e.TaskID != "4c1e2f3a-5b6c-4d7e-8f90-a1b2c3d4e5f6" ||
				(e.Kind != glassbox.EventTaskNoted && !strings.HasPrefix(e.ID, "linear:4c1e2f3a-5b6c-4d7e-8f90-a1b2c3d4e5f6@")) ||
				(e.Kind == glassbox.EventTaskNoted && (e.ID != "linear:comment:f0e1d2c3-b4a5-4968-8776-655443322111" || e.Note == "")) {
				t.Fatalf("event = %+v", e)
			}
		},
	}.Run(t, []providertest.Sample{
		{File: "ingest-linear-created.json", Kind: glassbox.EventTaskCreated, Status: glassbox.StatusTodo},
		{File: "ingest-linear-done.json", Kind: glassbox.EventTaskMoved, Status: glassbox.StatusDone},
		{File: "ingest-linear-comment-ignored.json", Ignored: true},
		{File: "ingest-linear-reason.json", Kind: glassbox.EventTaskNoted},
		{File: "ingest-linear-forged.json", Forged: true},
	})
}

// TestRetriesAndReplaysAreOneEvent: the event id comes from the signed body, so a retry, a replay under another
// Linear-Delivery, and the same change from a second webhook are one event; a later change is another.
func TestRetriesAndReplaysAreOneEvent(t *testing.T) {
	body := providertest.Testdata(t, "linear-issue-state-done.json")
	first, err := linear.New().Parse(delivery(body, "", vectorSent), binding)
	if err != nil || len(first) != 1 {
		t.Fatalf("Parse = %+v, %v", first, err)
	}
	replay := delivery(body, "", vectorSent.Add(time.Hour))
	replay.Header.Set(linear.DeliveryHeader, "another-delivery-id")
	var other map[string]any
	if err := json.Unmarshal(body, &other); err != nil {
		t.Fatal(err)
	}
	other["webhookId"], other["webhookTimestamp"] = "a-second-webhook", 1716543690000
	otherBody, _ := json.Marshal(other)
	later := strings.Replace(string(body), `"updatedAt": "2025-05-24T09:41:22.512Z"`, `"updatedAt": "2025-05-24T10:00:00.000Z"`, 1)
	for name, d := range map[string]glassbox.Delivery{
		"replay":        replay,
		"secondWebhook": delivery(otherBody, "", vectorSent),
	} {
		again, err := linear.New().Parse(d, binding)
		if err != nil || len(again) != 1 || again[0].ID != first[0].ID {
			t.Errorf("%s: %+v, %v; want the id %s", name, again, err, first[0].ID)
		}
	}
	next, err := linear.New().Parse(delivery([]byte(later), "", vectorSent), binding)
	if err != nil || len(next) != 1 || next[0].ID == first[0].ID {
		t.Errorf("a later change: %+v, %v; want another id than %s", next, err, first[0].ID)
	}
}

// A comment that starts with a reason marker is the issue's reason; other comments, and another team's, stay
// ignored.
func TestNotes(t *testing.T) {
	sample := providertest.Testdata(t, "linear-comment-created.json")
	received := time.Date(2025, 5, 24, 9, 30, 2, 0, time.UTC)
	providertest.Notes(t, linear.New(), binding, func(t *testing.T, text string) glassbox.Delivery {
		return delivery(providertest.WithText(t, sample, "Client approved the copy, moving on.", text), "", received)
	}, func(t *testing.T, e glassbox.Event) {
		if e.ID != "linear:comment:f0e1d2c3-b4a5-4968-8776-655443322110" || e.TaskID != "4c1e2f3a-5b6c-4d7e-8f90-a1b2c3d4e5f6" ||
			e.Title != "Landing page for spring campaign" || e.URL != "https://linear.app/acme/issue/MKT-42/landing-page-for-spring-campaign" ||
			e.Actor != "Ivan Petrov" || !e.OccurredAt.Equal(time.Date(2025, 5, 24, 9, 30, 1, 200e6, time.UTC)) {
			t.Errorf("event %+v", e)
		}
	})
	other := binding
	other.ExternalID = "ADS"
	body := providertest.WithText(t, sample, "Client approved the copy, moving on.", "Причина: ждём")
	if evs, err := linear.New().Parse(delivery(body, "", received), other); err != nil || len(evs) != 0 {
		t.Fatalf("another team's comment: %+v, %v; want it ignored", evs, err)
	}
}
