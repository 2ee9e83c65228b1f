package clickup_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/clickup"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// taskDueDateUpdated is a task_updated carrying the due_date history item's after (milliseconds, or null:
// removed). Before, it was ignored.
func TestParseDueDateUpdated(t *testing.T) {
	b := glassbox.Binding{ID: "site", ProjectID: "spring", Provider: "clickup"}
	body := func(before, after string) string {
		return `{"event":"taskDueDateUpdated","task_id":"86c1dm7ab","webhook_id":"w","history_items":[{"id":"4398011203301999999",` +
			`"date":"1764583200000","field":"due_date","before":` + before + `,"after":` + after + `,"user":{"username":"Ivan"}}]}`
	}
	due := time.UnixMilli(1764828000000).UTC()
	tests := []struct {
		name    string
		body    string
		wantDue time.Time
		wantErr bool
	}{
		{"Set", body(`null`, `"1764828000000"`), due, false},
		{"SetAsNumber", body(`null`, `1764828000000`), due, false},
		{"Moved", body(`"1764741600000"`, `"1764828000000"`), due, false},
		{"Removed", body(`"1764741600000"`, `null`), time.Time{}, false},
		{"ErrNotMillis", body(`null`, `"soon"`), time.Time{}, true},
		{"ErrNoDueItem", `{"event":"taskDueDateUpdated","task_id":"86c1dm7ab","history_items":[{"id":"1","field":"status"}]}`, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := glassbox.Delivery{Method: "POST", Body: []byte(tt.body), ReceivedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
			got, err := clickup.New().Parse(d, b)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse = %+v, %v; want error %v", got, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if len(got) != 1 {
				t.Fatalf("Parse = %+v; want one event", got)
			}
			e := got[0]
			if e.Kind != glassbox.EventTaskUpdated || !e.HasDue || !e.Due.Equal(tt.wantDue) || e.DueAllDay {
				t.Errorf("kind %s, hasDue %v, due %v, allDay %v; want task_updated, true, %v, false", e.Kind, e.HasDue, e.Due, e.DueAllDay, tt.wantDue)
			}
		})
	}
}

// The read-back gives the task's due date to an event whose delivery did not say it, and tells whether a due
// date has a time of day (due_date_time; ClickUp keeps a date alone as 4 am where its setter is).
func TestReadBackDue(t *testing.T) {
	const ms = "1796346000000" // 2026-12-04 04:00 in Moscow; an answer without due_date_time is taken as a date alone, the safer mistake
	at := time.UnixMilli(1796346000000).UTC()
	moscow, _ := time.LoadLocation("Europe/Moscow")
	endOfDay := time.Date(2026, 12, 4, 20, 59, 59, 0, time.UTC)
	created := glassbox.Event{ID: "clickup:1", Provider: "clickup", Kind: glassbox.EventTaskCreated, TaskID: "86c1dm7ab"}
	dueUpdated := created
	dueUpdated.Kind = glassbox.EventTaskUpdated
	dueUpdated.SetDueTime(at)
	tests := []struct {
		name     string
		event    glassbox.Event
		answer   string
		hasDue   bool
		resolved time.Time // Due after DueIn(Moscow)
	}{
		{"DateOnly", created, `"due_date":"` + ms + `","due_date_time":false`, true, endOfDay},
		{"WithTime", created, `"due_date":"` + ms + `","due_date_time":true`, true, at},
		{"NoFlagIsAllDay", created, `"due_date":"` + ms + `"`, true, endOfDay},
		{"None", created, `"due_date":null`, true, time.Time{}},
		{"AnswerWithout", created, `"name":"x"`, false, time.Time{}},
		{"DeliverySaidDateOnly", dueUpdated, `"due_date":"` + ms + `","due_date_time":false`, true, endOfDay},
		{"DeliverySaidWithTime", dueUpdated, `"due_date":"` + ms + `","due_date_time":true`, true, at},
		{"DeliveryWinsOverLaterAnswer", dueUpdated, `"due_date":"1796432400000","due_date_time":true`, true, at},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"id":"86c1dm7ab","name":"Баннеры","url":"https://app.clickup.com/t/86c1dm7ab",` + tt.answer + `}`))
			}))
			defer srv.Close()
			b := glassbox.Binding{ID: "site", ProjectID: "spring", Provider: "clickup", APIURL: srv.URL}
			got, err := clickup.New().ReadBack(context.Background(), b, "pk_1", tt.event)
			if err != nil {
				t.Fatal(err)
			}
			if r := got.DueIn(moscow); got.HasDue != tt.hasDue || !r.Due.Equal(tt.resolved) {
				t.Errorf("hasDue %v, due %v (all day %v) resolved %v; want %v, %v", got.HasDue, got.Due, got.DueAllDay, r.Due, tt.hasDue, tt.resolved)
			}
		})
	}
}
