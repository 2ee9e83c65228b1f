package linear_test

import (
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/linear"
)

// A Linear delivery is the whole issue, so every stored event says its due date (data.dueDate, a civil date, or
// null: none), and an update whose updatedFrom names dueDate alone is a task_updated. Before, due dates were not
// read and a due-date change was ignored.
func TestParseDue(t *testing.T) {
	b := glassbox.Binding{ID: "mkt", ProjectID: "spring", Provider: "linear"}
	body := func(action, due, updatedFrom string) string {
		return `{"action":"` + action + `","type":"Issue","createdAt":"2026-12-01T10:00:00.000Z","data":{"id":"iss","title":"Landing",` +
			`"createdAt":"2026-11-30T10:00:00.000Z","updatedAt":"2026-12-01T10:00:00.000Z","url":"https://linear.app/acme/issue/MKT-1",` +
			`"stateId":"s2","state":{"id":"s2","name":"In Progress","type":"started"}` + due + `},"updatedFrom":{` + updatedFrom + `}}`
	}
	tests := []struct {
		name     string
		body     string
		kind     glassbox.EventKind // "" for no event
		hasDue   bool
		wantDate string
		wantErr  bool
	}{
		{"CreatedWithDue", body("create", `,"dueDate":"2026-12-04"`, ``), glassbox.EventTaskCreated, true, "2026-12-04", false},
		{"CreatedWithout", body("create", `,"dueDate":null`, ``), glassbox.EventTaskCreated, true, "", false},
		{"CreatedFieldLeftOut", body("create", ``, ``), glassbox.EventTaskCreated, false, "", false},
		{"DueSet", body("update", `,"dueDate":"2026-12-04"`, `"dueDate":null`), glassbox.EventTaskUpdated, true, "2026-12-04", false},
		{"DueMoved", body("update", `,"dueDate":"2026-12-04"`, `"dueDate":"2026-12-03"`), glassbox.EventTaskUpdated, true, "2026-12-04", false},
		{"DueRemoved", body("update", `,"dueDate":null`, `"dueDate":"2026-12-03"`), glassbox.EventTaskUpdated, true, "", false},
		{"MoveCarriesDue", body("update", `,"dueDate":"2026-12-04"`, `"stateId":"s1"`), glassbox.EventTaskMoved, true, "2026-12-04", false},
		{"PriorityNoEvent", body("update", `,"dueDate":"2026-12-04"`, `"priority":1`), "", false, "", false},
		{"ErrDueNotADate", body("create", `,"dueDate":"soon"`, ``), "", false, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := glassbox.Delivery{Method: "POST", Body: []byte(tt.body), ReceivedAt: time.Date(2026, 12, 1, 10, 0, 1, 0, time.UTC)}
			got, err := linear.New().Parse(d, b)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse = %v; want error %v", err, tt.wantErr)
			}
			if tt.kind == "" {
				if len(got) != 0 {
					t.Fatalf("Parse = %+v; want no event", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("Parse = %+v; want one event", got)
			}
			e := got[0]
			if e.Kind != tt.kind || e.HasDue != tt.hasDue || e.DueDate != tt.wantDate || !e.Due.IsZero() {
				t.Errorf("kind %s, hasDue %v, dueDate %q, due %v; want %s, %v, %q and no instant", e.Kind, e.HasDue, e.DueDate, e.Due, tt.kind, tt.hasDue, tt.wantDate)
			}
		})
	}
}
