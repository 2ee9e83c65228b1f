package clickup_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/clickup"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// Vector from shared/samples/SIGNATURES.md, computed over the exact bytes of clickup-task-status-updated.json.
const (
	vectorSecret = "clickup-webhook-secret-XYZ"
	vectorSig    = "384c834bb89a20421312b45c4c3a7384260592f4561a2059fc991d4e5785b49a"
)

var received = time.Date(2025, 5, 24, 9, 41, 23, 0, time.UTC)

// binding maps statuses by name; "complete" (type closed) is left to ClickUp's status type.
var binding = glassbox.Binding{
	ID: "marketing", ProjectID: "spring", Provider: "clickup", ExternalID: "9012045",
	SecretParam: "/glassbox/clickup/marketing", APIParam: "/glassbox/clickup/marketing-api",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo:       {"To Do"},
		glassbox.StatusInProgress: {"in progress"},
		glassbox.StatusBlocked:    {"cancelled"},
	},
}

func delivery(body []byte, sig string) glassbox.Delivery {
	h := http.Header{}
	if sig != "" {
		h.Set(clickup.SignatureHeader, sig)
	}
	return glassbox.Delivery{Method: "POST", Header: h, Body: body, ReceivedAt: received}
}

func TestSignMatchesVector(t *testing.T) {
	if got := clickup.Sign(vectorSecret, providertest.Testdata(t, "clickup-task-status-updated.json")); got != vectorSig {
		t.Fatalf("Sign = %q, want %q", got, vectorSig)
	}
}

func TestVerify(t *testing.T) {
	body := providertest.Testdata(t, "clickup-task-status-updated.json")
	// A signature ClickUp made for the task's creation: right secret, another body.
	stale := clickup.Sign(vectorSecret, providertest.Testdata(t, "clickup-task-created.json"))
	providertest.Verify(t, clickup.New(), []providertest.VerifyCase{
		{Name: "OK", Delivery: delivery(body, vectorSig), Secret: vectorSecret},
		{Name: "OKUpperCaseHex", Delivery: delivery(body, strings.ToUpper(vectorSig)), Secret: vectorSecret},
		{Name: "ErrForgedSignature", Delivery: delivery(body, strings.Repeat("0", 64)), Secret: vectorSecret, WantErr: true},
		{Name: "ErrStaleSignatureOfAnotherBody", Delivery: delivery(body, stale), Secret: vectorSecret, WantErr: true},
		{Name: "ErrWrongSecret", Delivery: delivery(body, vectorSig), Secret: "another-secret", WantErr: true},
		{Name: "ErrEmptySecret", Delivery: delivery(body, clickup.Sign("", body)), Secret: "", WantErr: true},
		{Name: "ErrBodyChanged", Delivery: delivery(append(append([]byte{}, body...), ' '), vectorSig), Secret: vectorSecret, WantErr: true},
		{Name: "ErrTruncatedBody", Delivery: delivery(body[:len(body)/2], vectorSig), Secret: vectorSecret, WantErr: true},
		{Name: "ErrMissingHeader", Delivery: delivery(body, ""), Secret: vectorSecret, WantErr: true},
		{Name: "ErrSHA256Prefix", Delivery: delivery(body, "sha256="+vectorSig), Secret: vectorSecret, WantErr: true},
		{Name: "ErrNotHex", Delivery: delivery(body, "zz"), Secret: vectorSecret, WantErr: true},
	})
}

func TestParse(t *testing.T) {
	at := func(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
	tests := []struct {
		file string
		want []glassbox.Event
	}{
		{"clickup-task-status-updated.json", []glassbox.Event{{
			ID: "clickup:4312985632101998765", ProviderEventID: "4312985632101998765", Kind: glassbox.EventTaskMoved,
			ProviderType: "taskStatusUpdated", TaskID: "86c0x7ab2", URL: "https://app.clickup.com/t/86c0x7ab2",
			ListName: "complete", Status: glassbox.StatusDone,
			PrevListName: "in progress", PrevStatus: glassbox.StatusInProgress,
			Actor: "Ivan Petrov", OccurredAt: at(1716543682512),
		}}},
		// The task_creation item names the event; the status item beside it gives the starting status.
		{"clickup-task-created.json", []glassbox.Event{{
			ID: "clickup:4312985632101990002", ProviderEventID: "4312985632101990002", Kind: glassbox.EventTaskCreated,
			ProviderType: "taskCreated", TaskID: "86c0x7ab2", URL: "https://app.clickup.com/t/86c0x7ab2",
			ListName: "to do", Status: glassbox.StatusTodo,
			Actor: "Ivan Petrov", OccurredAt: at(1716361390004),
		}}},
		// Comments are not status changes: acknowledged, not stored.
		{"clickup-task-comment-posted.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := providertest.Accepted(clickup.New(), delivery(providertest.Testdata(t, tt.file), ""), binding)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.want {
				w := &tt.want[i]
				w.ProjectID, w.BindingID, w.Provider, w.ReceivedAt = "spring", "marketing", "clickup", received
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

// statusUpdate is a taskStatusUpdated delivery from before to after, each {status, type}.
func statusUpdate(before, beforeType, after, afterType string) []byte {
	return []byte(`{"event":"taskStatusUpdated","task_id":"t1","webhook_id":"w","history_items":[{"id":"77","date":"1716543682512",` +
		`"field":"status","before":{"status":"` + before + `","type":"` + beforeType + `"},"after":{"status":"` + after + `","type":"` + afterType + `"}}]}`)
}

// The status map wins when it names the status; otherwise ClickUp's closed and done types mean done.
func TestParseStatusMapAndType(t *testing.T) {
	tests := []struct {
		name           string
		body           []byte
		status, before glassbox.TaskStatus
	}{
		{"UnmappedClosedIsDone", statusUpdate("in progress", "custom", "shipped", "closed"), glassbox.StatusDone, glassbox.StatusInProgress},
		{"UnmappedDoneTypeIsDone", statusUpdate("in progress", "custom", "approved", "done"), glassbox.StatusDone, glassbox.StatusInProgress},
		{"MapWinsOverClosed", statusUpdate("in progress", "custom", "Cancelled", "closed"), glassbox.StatusBlocked, glassbox.StatusInProgress},
		{"UnmappedCustomIsUnknown", statusUpdate("in progress", "custom", "qa", "custom"), glassbox.StatusUnknown, glassbox.StatusInProgress},
		{"ReopenedFromClosed", statusUpdate("complete", "closed", "IN PROGRESS", "custom"), glassbox.StatusInProgress, glassbox.StatusDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := clickup.New().Parse(delivery(tt.body, ""), binding)
			if err != nil || len(got) != 1 {
				t.Fatalf("Parse = %+v, %v; want one event", got, err)
			}
			if got[0].Status != tt.status || got[0].PrevStatus != tt.before {
				t.Fatalf("status %q from %q, want %q from %q", got[0].Status, got[0].PrevStatus, tt.status, tt.before)
			}
		})
	}
}

func TestParseRejectsAndIgnores(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		malformed bool
	}{
		{"TruncatedJSON", `{"event":"taskStatusUpdated","task_id":"t1","history_items":[`, true},
		{"NotJSON", `hello`, true},
		{"Array", `[]`, true},
		{"NoEvent", `{"task_id":"t1"}`, true},
		{"NoTaskID", `{"event":"taskStatusUpdated"}`, true},
		{"StatusUpdateWithoutStatusItem", `{"event":"taskStatusUpdated","task_id":"t1","history_items":[{"id":"1","field":"name"}]}`, true},
		{"StatusUpdateWithoutItemID", `{"event":"taskStatusUpdated","task_id":"t1","history_items":[{"field":"status","after":{"status":"done","type":"closed"}}]}`, true},
		{"StatusUpdateWithoutAfter", `{"event":"taskStatusUpdated","task_id":"t1","history_items":[{"id":"1","field":"status","after":null}]}`, true},
		{"CreatedWithoutHistory", `{"event":"taskCreated","task_id":"t1","history_items":[]}`, true},
		{"ItemIDNotText", `{"event":"taskCreated","task_id":"t1","history_items":[{"id":{"a":1},"field":"task_creation"}]}`, true},
		{"CommentIgnored", `{"event":"taskCommentPosted","task_id":"t1","history_items":[{"id":"1","field":"comment","after":"9"}]}`, false},
		{"AssigneeIgnored", `{"event":"taskAssigneeUpdated","task_id":"t1","history_items":[{"id":"1","field":"assignee_add"}]}`, false},
		{"TaskDeletedIgnored", `{"event":"taskDeleted","task_id":"t1","webhook_id":"w"}`, false},
		{"OtherEventOfAnotherShapeIgnored", `{"event":"taskTimeTrackedUpdated","task_id":"t1","history_items":[{"id":{"x":1}}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := providertest.Accepted(clickup.New(), delivery([]byte(tt.body), ""), binding)
			providertest.MalformedOrIgnored(t, got, err, tt.malformed)
		})
	}
}

// Numeric ids and dates, should ClickUp send them unquoted, name the same event.
func TestParseNumericItemID(t *testing.T) {
	body := `{"event":"taskCreated","task_id":"t1","history_items":[{"id":4312985632101990002,"date":1716361390004,"field":"task_creation"}]}`
	got, err := clickup.New().Parse(delivery([]byte(body), ""), binding)
	if err != nil || len(got) != 1 || got[0].ID != "clickup:4312985632101990002" || got[0].OccurredAt.UnixMilli() != 1716361390004 {
		t.Fatalf("Parse = %+v, %v", got, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"clickup-task-status-updated.json", "clickup-task-created.json", "clickup-task-comment-posted.json"} {
		f.Add(providertest.Testdata(f, name), vectorSig)
	}
	f.Add([]byte(`{"event":"taskStatusUpdated","task_id":"t","history_items":[{"id":1,"field":"status","after":{"status":"x"}}]}`), "")
	f.Add(providertest.WithText(f, providertest.Testdata(f, "clickup-task-comment-posted.json"), "Client approved the copy, moving on.", "Причина: ждём"), "")
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		d := delivery(body, sig)
		providertest.FuzzVerify(t, clickup.New(), d, vectorSecret)
		providertest.FuzzParse(t, clickup.New(), d, binding, func(e glassbox.Event) bool {
			return e.ID != "" && e.TaskID != "" && e.Kind != "" && e.ProjectID != ""
		})
	})
}

func BenchmarkVerifyAndParse(b *testing.B) {
	d := delivery(providertest.Testdata(b, "clickup-task-status-updated.json"), vectorSig)
	providertest.BenchmarkVerifyAndParse(b, clickup.New(), d, vectorSecret, binding)
}

// The demo binding of cmd/glassbox/demo/agency.yaml, which events/ingest-clickup-*.json are made for.
var demoBinding = glassbox.Binding{
	ID: "demo-clickup", ProjectID: "romashka-site", Provider: "clickup", ExternalID: "9012045",
	SecretParam: "/glassbox/clickup/demo-clickup", APIParam: "/glassbox/clickup/demo-clickup-api",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo:       {"to do"},
		glassbox.StatusInProgress: {"в работе"},
	},
}

const demoSecret = "demo-clickup-webhook-secret"

// TestSampleEvents keeps events/ingest-clickup-*.json honest: signed for the demo binding, and parsed to what
// events/README.md says.
func TestSampleEvents(t *testing.T) {
	providertest.Samples{
		Provider: clickup.New(), Binding: demoBinding, Secret: demoSecret,
		ReceivedAt: func(*testing.T, glassbox.Delivery) time.Time { return received },
		Event: func(t *testing.T, _ glassbox.Delivery, e glassbox.Event) {
			if e.ProjectID != "romashka-site" || e.TaskID != "86c1dm7ab" {
				t.Fatalf("event = %+v", e)
			}
		},
	}.Run(t, []providertest.Sample{
		{File: "ingest-clickup-created.json", ID: "clickup:4398011203301990002", Kind: glassbox.EventTaskCreated, Status: glassbox.StatusTodo},
		{File: "ingest-clickup-done.json", ID: "clickup:4398011203301998765", Kind: glassbox.EventTaskMoved, Status: glassbox.StatusDone},
		{File: "ingest-clickup-comment-ignored.json", Ignored: true},
		{File: "ingest-clickup-reason.json", Kind: glassbox.EventTaskNoted},
		{File: "ingest-clickup-forged.json", Forged: true},
	})
}

// A comment that starts with a reason marker is the task's reason; other comments stay ignored.
func TestNotes(t *testing.T) {
	sample := providertest.Testdata(t, "clickup-task-comment-posted.json")
	providertest.Notes(t, clickup.New(), binding, func(t *testing.T, text string) glassbox.Delivery {
		return delivery(providertest.WithText(t, sample, "Client approved the copy, moving on.", text), "")
	}, func(t *testing.T, e glassbox.Event) {
		if e.ID != "clickup:4312985632101995555" || e.TaskID != "86c0x7ab2" || e.URL != "https://app.clickup.com/t/86c0x7ab2" ||
			e.Actor != "Ivan Petrov" || !e.OccurredAt.Equal(time.UnixMilli(1716543001200).UTC()) {
			t.Errorf("event %+v", e)
		}
		// ReadBack leaves a note as it is: no call, no status.
		got, err := clickup.New().ReadBack(context.Background(), binding, "pk_x", e)
		if err != nil || got != e {
			t.Errorf("ReadBack = %+v, %v; want the note unchanged", got, err)
		}
	})
}
