package glassbox_test

import (
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// A due date reaches the task the same way from every tracker: an instant as it is, a civil date at the end of
// that day in the project's zone, "" as removed.
func TestSetDueAndDueIn(t *testing.T) {
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      string
		loc     *time.Location
		want    time.Time
		wantErr bool
	}{
		{"Instant", "2026-12-04T18:00:00+03:00", moscow, time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC), false},
		{"DateInMoscow", "2026-12-04", moscow, time.Date(2026, 12, 4, 20, 59, 59, 0, time.UTC), false},
		{"DateInUTC", "2026-12-04", time.UTC, time.Date(2026, 12, 4, 23, 59, 59, 0, time.UTC), false},
		{"Removed", "", moscow, time.Time{}, false},
		{"NotADate", "2026-13-04", moscow, time.Time{}, true},
		{"NotATime", "tomorrow", moscow, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e glassbox.Event
			err := e.SetDue(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("SetDue(%q) = %v; want error %v", tt.in, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got := e.DueIn(tt.loc); !got.HasDue || !got.Due.Equal(tt.want) {
				t.Errorf("SetDue(%q).DueIn = %v (hasDue %v); want %v", tt.in, got.Due, got.HasDue, tt.want)
			}
		})
	}
}

// The manager's notice names the due date itself: the end of the day is still that day where the project is.
func TestEndOfDueDateIsThatDay(t *testing.T) {
	for _, zone := range []string{"Asia/Vladivostok", "America/Los_Angeles", "Europe/Moscow", "UTC"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		due := glassbox.EndOfDueDate("2026-03-29", loc) // a daylight-saving switch in Europe
		if got := due.In(loc).Format(glassbox.CivilDateLayout); got != "2026-03-29" {
			t.Errorf("%s: end of 2026-03-29 is on %s", zone, got)
		}
		if next := due.Add(time.Second).In(loc); next.Format("15:04:05") != "00:00:00" {
			t.Errorf("%s: a second after the end of the day is %v, not midnight", zone, next)
		}
	}
}

// A civil due date that reaches Apply unresolved is read in UTC, not lost; a resolved one is kept.
func TestApplyCivilDue(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	e := glassbox.Event{ID: "e1", TaskID: "c", Kind: glassbox.EventTaskUpdated, OccurredAt: t0}
	if err := e.SetDue("2026-12-04"); err != nil {
		t.Fatal(err)
	}
	var raw glassbox.Task
	raw.Apply(e)
	if want := time.Date(2026, 12, 4, 23, 59, 59, 0, time.UTC); !raw.Due.Equal(want) {
		t.Errorf("unresolved: Due %v; want %v", raw.Due, want)
	}
	moscow, _ := time.LoadLocation("Europe/Moscow")
	var resolved glassbox.Task
	resolved.Apply(e.DueIn(moscow))
	if want := time.Date(2026, 12, 4, 20, 59, 59, 0, time.UTC); !resolved.Due.Equal(want) {
		t.Errorf("resolved: Due %v; want %v", resolved.Due, want)
	}
}

// An all-day due date (ClickUp stores 4 am in the setter's zone) is due at the end of its day in the project's
// zone, and resolving twice changes nothing.
func TestDueAllDay(t *testing.T) {
	moscow, _ := time.LoadLocation("Europe/Moscow")
	var e glassbox.Event
	e.SetDueDay(time.Date(2026, 12, 4, 4, 0, 0, 0, moscow))
	got := e.DueIn(moscow)
	want := time.Date(2026, 12, 4, 20, 59, 59, 0, time.UTC)
	if !got.Due.Equal(want) || got.DueIn(time.UTC).Due != got.Due {
		t.Errorf("DueIn = %v, again in UTC %v; want %v both times", got.Due, got.DueIn(time.UTC).Due, want)
	}
	var removed glassbox.Event
	removed.SetDueDay(time.Time{})
	if r := removed.DueIn(moscow); !r.HasDue || !r.Due.IsZero() {
		t.Errorf("removed: %+v", r)
	}
}
