package kaiten_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/kaiten"
)

// A card added with a due_date carries it; an update whose changes name due_date alone is a task_updated with
// it (null: removed). A date without a time (due_date_time_present false) is a civil date, the date as Kaiten
// writes it. Before, due dates were not read and a due-date change was ignored.
func TestParseDue(t *testing.T) {
	b := glassbox.Binding{ID: "marketing", ProjectID: "spring", Provider: "kaiten"}
	add := func(due string) string {
		return `{"event":"card:add","data":{"id":18734512,"title":"Landing","column_id":2450117,"created":"2026-12-01T10:00:00.000Z"` + due + `}}`
	}
	update := func(changes string) string {
		return `{"event":"card:update","data":{"old":{"id":18734512,"column_id":2450117,"due_date":null},"changes":{"updated":"2026-12-01T10:00:00.000Z"` + changes + `}}}`
	}
	at := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		body     string
		kind     glassbox.EventKind // "" for no event
		hasDue   bool
		wantDue  time.Time
		wantDate string
		wantErr  bool
	}{
		{"AddedWithDate", add(`,"due_date":"2026-12-04T00:00:00.000Z","due_date_time_present":false`), glassbox.EventTaskCreated, true, time.Time{}, "2026-12-04", false},
		{"AddedWithTime", add(`,"due_date":"2026-12-04T18:00:00+03:00","due_date_time_present":true`), glassbox.EventTaskCreated, true, at, "", false},
		{"AddedWithout", add(`,"due_date":null`), glassbox.EventTaskCreated, true, time.Time{}, "", false},
		{"AddedNotSaid", add(``), glassbox.EventTaskCreated, false, time.Time{}, "", false},
		{"DueSet", update(`,"due_date":"2026-12-04T00:00:00.000Z"`), glassbox.EventTaskUpdated, true, time.Time{}, "2026-12-04", false},
		{"DueSetWithTime", update(`,"due_date":"2026-12-04T15:00:00.000Z","due_date_time_present":true`), glassbox.EventTaskUpdated, true, at, "", false},
		{"DueRemoved", update(`,"due_date":null`), glassbox.EventTaskUpdated, true, time.Time{}, "", false},
		{"MoveSaysNoDue", update(`,"column_id":2450120`), glassbox.EventTaskMoved, false, time.Time{}, "", false},
		{"OtherChangeNoEvent", update(`,"asap":true`), "", false, time.Time{}, "", false},
		{"ErrDueNotADate", update(`,"due_date":"soon"`), "", false, time.Time{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := glassbox.Delivery{Method: "POST", Body: []byte(tt.body), ReceivedAt: time.Date(2026, 12, 1, 10, 0, 1, 0, time.UTC)}
			got, err := kaiten.New().Parse(d, b)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Parse = %+v, %v; want error %v", got, err, tt.wantErr)
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
			if e.Kind != tt.kind || e.HasDue != tt.hasDue || !e.Due.Equal(tt.wantDue) || e.DueDate != tt.wantDate {
				t.Errorf("kind %s, hasDue %v, due %v, dueDate %q; want %s, %v, %v, %q", e.Kind, e.HasDue, e.Due, e.DueDate, tt.kind, tt.hasDue, tt.wantDue, tt.wantDate)
			}
		})
	}
}

// The read-back gives the card's due date to an event whose delivery did not say it, and keeps the one a
// delivery said.
func TestReadBackDue(t *testing.T) {
	moved := glassbox.Event{ID: "kaiten:1", Provider: "kaiten", Kind: glassbox.EventTaskMoved, TaskID: "18734512", ListID: "2450120"}
	said := moved
	said.Kind = glassbox.EventTaskUpdated
	_ = said.SetDue("2026-12-03")
	tests := []struct {
		name     string
		event    glassbox.Event
		answer   string
		hasDue   bool
		wantDate string
		wantDue  time.Time
	}{
		{"Date", moved, `"due_date":"2026-12-04T00:00:00.000Z","due_date_time_present":false`, true, "2026-12-04", time.Time{}},
		{"Time", moved, `"due_date":"2026-12-04T15:00:00.000Z","due_date_time_present":true`, true, "", time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)},
		{"None", moved, `"due_date":null`, true, "", time.Time{}},
		{"NotInAnswer", moved, `"state":1`, false, "", time.Time{}},
		{"DeliverySaid", said, `"due_date":"2026-12-04T00:00:00.000Z"`, true, "2026-12-03", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"id":18734512,"title":"Landing","column_id":2450120,"condition":1,` + tt.answer + `}`))
			}))
			defer srv.Close()
			b := glassbox.Binding{ID: "marketing", ProjectID: "spring", Provider: "kaiten", APIURL: srv.URL + "/api/latest"}
			got, err := kaiten.New().ReadBack(context.Background(), b, "api-token", tt.event)
			if err != nil {
				t.Fatal(err)
			}
			if got.HasDue != tt.hasDue || got.DueDate != tt.wantDate || !got.Due.Equal(tt.wantDue) {
				t.Errorf("hasDue %v, dueDate %q, due %v; want %v, %q, %v", got.HasDue, got.DueDate, got.Due, tt.hasDue, tt.wantDate, tt.wantDue)
			}
		})
	}
}
