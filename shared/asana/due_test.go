package asana_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/asana"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// A changed due_on or due_at is a task_updated; its value, like every event's due date, comes from the
// read-back (Asana's events are compact). Before, due-date changes were ignored.
func TestParseDueChange(t *testing.T) {
	b := glassbox.Binding{ID: "site", ProjectID: "spring", Provider: "asana", ExternalID: "1207000000000100"}
	for _, field := range []string{"due_on", "due_at"} {
		body := `{"events":[{"created_at":"2026-12-01T10:00:00.000Z","action":"changed","resource":{"gid":"12","resource_type":"task"},"change":{"field":"` + field + `","action":"changed"}}]}`
		d := glassbox.Delivery{Method: "POST", Body: []byte(body), ReceivedAt: time.Date(2026, 12, 1, 10, 0, 1, 0, time.UTC)}
		got, err := asana.New().Parse(d, b)
		if err != nil || len(got) != 1 || got[0].Kind != glassbox.EventTaskUpdated || got[0].HasDue {
			t.Errorf("%s: Parse = %+v, %v; want one task_updated that does not say the due date yet", field, got, err)
		}
	}
}

// The read-back gives every event the task's due date: due_at (an instant) when set, else due_on (a civil
// date), else none; an answer without the fields says nothing.
func TestReadBackDue(t *testing.T) {
	tests := []struct {
		name     string
		answer   string
		hasDue   bool
		wantDue  time.Time
		wantDate string
	}{
		{"DueOn", `"due_on":"2026-12-04","due_at":null`, true, time.Time{}, "2026-12-04"},
		{"DueAt", `"due_on":"2026-12-04","due_at":"2026-12-04T15:00:00.000Z"`, true, time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC), ""},
		{"None", `"due_on":null,"due_at":null`, true, time.Time{}, ""},
		{"NotInAnswer", `"completed":false`, false, time.Time{}, ""},
		{"NotADate", `"due_on":"soon","due_at":null`, false, time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"data":{"gid":"12","name":"Logo","permalink_url":"https://app.asana.com/0/1/12",` + tt.answer + `}}`))
			}))
			defer srv.Close()
			b := glassbox.Binding{ID: "site", ProjectID: "spring", Provider: "asana", APIURL: srv.URL}
			e := glassbox.Event{ID: "asana:12:x", Provider: "asana", Kind: glassbox.EventTaskUpdated, TaskID: "12"}
			got, err := asana.New().ReadBack(context.Background(), b, "token", e)
			if err != nil {
				t.Fatal(err)
			}
			if got.HasDue != tt.hasDue || !got.Due.Equal(tt.wantDue) || got.DueDate != tt.wantDate {
				t.Errorf("hasDue %v, due %v, dueDate %q; want %v, %v, %q", got.HasDue, got.Due, got.DueDate, tt.hasDue, tt.wantDue, tt.wantDate)
			}
		})
	}
}
