package jira_test

import (
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/jira"
)

// Jira carries the whole issue, so every stored event says its due date (fields.duedate, a civil date, or null:
// removed); a duedate changelog item alone is a task_updated. Before, due dates were not read and a due-date
// change was ignored.
func TestParseDue(t *testing.T) {
	b := glassbox.Binding{ID: "site", ProjectID: "spring", Provider: "jira"}
	issue := func(due string) string {
		return `"issue":{"id":"10001","key":"SITE-1","self":"https://acme.atlassian.net/rest/api/2/issue/10001","fields":{"summary":"Logo","status":{"id":"1","name":"To Do"}` + due + `}}`
	}
	dueItem := `{"field":"duedate","fieldtype":"jira","fieldId":"duedate","from":"2026-12-03","fromString":"2026-12-03 00:00:00.0","to":"2026-12-04","toString":"2026-12-04 00:00:00.0"}`
	tests := []struct {
		name     string
		body     string
		kind     glassbox.EventKind // "" for no event
		hasDue   bool
		wantDate string
		wantErr  bool
	}{
		{"CreatedWithDue", `{"webhookEvent":"jira:issue_created","timestamp":1764583200000,` + issue(`,"duedate":"2026-12-04"`) + `}`,
			glassbox.EventTaskCreated, true, "2026-12-04", false},
		{"CreatedWithNullDue", `{"webhookEvent":"jira:issue_created","timestamp":1764583200000,` + issue(`,"duedate":null`) + `}`,
			glassbox.EventTaskCreated, true, "", false},
		{"CreatedFieldLeftOut", `{"webhookEvent":"jira:issue_created","timestamp":1764583200000,` + issue(``) + `}`,
			glassbox.EventTaskCreated, false, "", false},
		{"DueChangedAlone", `{"webhookEvent":"jira:issue_updated","timestamp":1764583200000,` + issue(`,"duedate":"2026-12-04"`) + `,"changelog":{"id":"7","items":[` + dueItem + `]}}`,
			glassbox.EventTaskUpdated, true, "2026-12-04", false},
		{"DueChangedFieldLeftOut", `{"webhookEvent":"jira:issue_updated","timestamp":1764583200000,` + issue(``) + `,"changelog":{"id":"7","items":[` + dueItem + `]}}`,
			glassbox.EventTaskUpdated, true, "2026-12-04", false},
		{"DueRemoved", `{"webhookEvent":"jira:issue_updated","timestamp":1764583200000,` + issue(`,"duedate":null`) + `,"changelog":{"id":"7","items":[{"field":"duedate","fieldId":"duedate","from":"2026-12-03","to":null}]}}`,
			glassbox.EventTaskUpdated, true, "", false},
		{"MoveCarriesDue", `{"webhookEvent":"jira:issue_updated","timestamp":1764583200000,` + issue(`,"duedate":"2026-12-04"`) + `,"changelog":{"id":"7","items":[{"field":"status","fieldId":"status","from":"1","fromString":"To Do","to":"3","toString":"In Progress"}]}}`,
			glassbox.EventTaskMoved, true, "2026-12-04", false},
		{"OtherFieldNoEvent", `{"webhookEvent":"jira:issue_updated","timestamp":1764583200000,` + issue(`,"duedate":"2026-12-04"`) + `,"changelog":{"id":"7","items":[{"field":"labels","fieldId":"labels"}]}}`,
			"", false, "", false},
		{"ErrDueNotADate", `{"webhookEvent":"jira:issue_created","timestamp":1764583200000,` + issue(`,"duedate":"4 Dec"`) + `}`,
			"", false, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := glassbox.Delivery{Method: "POST", Body: []byte(tt.body), ReceivedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
			got, err := jira.New().Parse(d, b)
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
