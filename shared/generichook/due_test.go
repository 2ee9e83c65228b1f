package generichook_test

import (
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/generichook"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// A report's optional due is the task's due date: an RFC 3339 time, a civil date, or null/"" for none; a report
// without it says nothing about the due date. Before, due was ignored.
func TestParseDue(t *testing.T) {
	b := glassbox.Binding{ID: "crm", ProjectID: "site", Provider: "hook"}
	report := func(due string) string {
		return `{"event_id":"e1","task_id":"4711","title":"Баннер","status":"in_progress","url":"https://tracker.example/tasks/4711",` +
			`"occurred_at":"2026-12-01T13:00:00+03:00"` + due + `}`
	}
	tests := []struct {
		name     string
		due      string
		hasDue   bool
		wantDue  time.Time
		wantDate string
		wantErr  string // a word the 400's message names
	}{
		{"Time", `,"due":"2026-12-04T18:00:00+03:00"`, true, time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC), "", ""},
		{"Date", `,"due":"2026-12-04"`, true, time.Time{}, "2026-12-04", ""},
		{"Null", `,"due":null`, true, time.Time{}, "", ""},
		{"Empty", `,"due":""`, true, time.Time{}, "", ""},
		{"Absent", ``, false, time.Time{}, "", ""},
		{"ErrNotADate", `,"due":"next friday"`, false, time.Time{}, "", "due"},
		{"ErrNumber", `,"due":1764583200`, false, time.Time{}, "", "due"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := glassbox.Delivery{Method: "POST", Body: []byte(report(tt.due)), ReceivedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
			got, err := generichook.New().Parse(d, b)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse = %+v, %v; want an error naming %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != 1 {
				t.Fatalf("Parse = %+v, %v; want one event", got, err)
			}
			e := got[0]
			if e.Kind != glassbox.EventTaskMoved || e.HasDue != tt.hasDue || !e.Due.Equal(tt.wantDue) || e.DueDate != tt.wantDate {
				t.Errorf("kind %s, hasDue %v, due %v, dueDate %q; want task_moved, %v, %v, %q", e.Kind, e.HasDue, e.Due, e.DueDate, tt.hasDue, tt.wantDue, tt.wantDate)
			}
		})
	}
}
