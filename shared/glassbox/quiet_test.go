package glassbox_test

import (
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

func zoneOf(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// timingConfig is one project in zone with the agency's quiet hours and window as given.
func timingConfig(zone string, q *glassbox.QuietHours, coalesce string) (glassbox.Config, glassbox.Project) {
	p := glassbox.Project{ID: "p", ClientID: "c", Name: "P", TimeZone: zone}
	return glassbox.Config{Agency: glassbox.Agency{TimeZone: "UTC", QuietHours: q, Coalesce: coalesce}, Projects: []glassbox.Project{p}}, p
}

// HoldUntil is the one decision of quiet hours and coalescing: when a client notice decided at a moment may go,
// in the project's zone, across daylight-saving switches (Berlin: 29 March and 25 October 2026; New York: 8
// March and 1 November 2026; Moscow has none).
func TestHoldUntil(t *testing.T) {
	noWeekends := false
	done := glassbox.Message{Kind: glassbox.MessageTaskDone, Audience: glassbox.AudienceClient}
	closed := glassbox.Message{Kind: glassbox.MessageStageClosed, Audience: glassbox.AudienceClient}
	blocked := glassbox.Message{Kind: glassbox.MessageTaskBlocked, Audience: glassbox.AudienceManager}
	overdue := glassbox.Message{Kind: glassbox.MessageTaskOverdue, Audience: glassbox.AudienceManager}
	tests := []struct {
		name     string
		zone     string
		quiet    *glassbox.QuietHours
		coalesce string
		msg      glassbox.Message
		at       string // local wall time in zone
		want     string // local wall time in zone; "" = not held
	}{
		{"Moscow 20:59 goes at once", "Europe/Moscow", nil, "off", done, "2026-12-01 20:59", ""},
		{"Moscow 21:00 waits for 09:00", "Europe/Moscow", nil, "off", done, "2026-12-01 21:00", "2026-12-02 09:00"},
		{"Moscow 08:59 waits a minute", "Europe/Moscow", nil, "off", done, "2026-12-02 08:59", "2026-12-02 09:00"},
		{"Moscow 09:00 goes at once", "Europe/Moscow", nil, "off", done, "2026-12-02 09:00", ""},
		{"Moscow after midnight waits for 09:00", "Europe/Moscow", nil, "off", done, "2026-12-02 00:30", "2026-12-02 09:00"},
		{"Berlin Friday evening waits for Monday", "Europe/Berlin", nil, "off", done, "2026-12-04 21:30", "2026-12-07 09:00"},
		{"Berlin Saturday noon waits for Monday", "Europe/Berlin", nil, "off", done, "2026-12-05 12:00", "2026-12-07 09:00"},
		{"Berlin Sunday 23:00 waits for Monday", "Europe/Berlin", nil, "off", done, "2026-12-06 23:00", "2026-12-07 09:00"},
		{"New York Friday evening across the switch to winter time", "America/New_York", nil, "off", done, "2026-10-30 22:00", "2026-11-02 09:00"},
		{"Berlin Friday evening across the switch to winter time", "Europe/Berlin", nil, "off", done, "2026-10-23 21:00", "2026-10-26 09:00"},
		{"Berlin Saturday night into summer time", "Europe/Berlin", &glassbox.QuietHours{Weekends: &noWeekends}, "off", done, "2026-03-28 21:00", "2026-03-29 09:00"},
		{"Berlin Saturday night into winter time", "Europe/Berlin", &glassbox.QuietHours{Weekends: &noWeekends}, "off", done, "2026-10-24 22:00", "2026-10-25 09:00"},
		{"New York night into summer time", "America/New_York", &glassbox.QuietHours{Weekends: &noWeekends}, "off", done, "2026-03-07 23:00", "2026-03-08 09:00"},
		{"New York 20:59 on the day of the switch", "America/New_York", &glassbox.QuietHours{Weekends: &noWeekends}, "off", done, "2026-11-01 20:59", ""},
		{"New York 21:00 on the day of the switch", "America/New_York", &glassbox.QuietHours{Weekends: &noWeekends}, "off", done, "2026-11-01 21:00", "2026-11-02 09:00"},
		{"quiet hours off: Friday night goes", "Europe/Berlin", &glassbox.QuietHours{Off: true}, "off", done, "2026-12-04 23:00", ""},
		{"quiet hours off: Sunday goes", "America/New_York", &glassbox.QuietHours{Off: true}, "off", done, "2026-12-06 03:00", ""},
		{"own window 13:00-14:00", "Europe/Moscow", &glassbox.QuietHours{From: "13:00", To: "14:00", Weekends: &noWeekends}, "off", done, "2026-12-05 13:30", "2026-12-05 14:00"},
		{"coalescing: a done notice waits its window", "Europe/Moscow", nil, "", done, "2026-12-01 10:00", "2026-12-01 10:10"},
		{"coalescing: 2m window", "Europe/Moscow", nil, "2m", done, "2026-12-01 10:00", "2026-12-01 10:02"},
		{"coalescing: a window closing at 21:05 waits for the morning", "Europe/Moscow", nil, "", done, "2026-12-01 20:55", "2026-12-02 09:00"},
		{"coalescing only for done notices", "Europe/Moscow", nil, "", closed, "2026-12-01 10:00", ""},
		{"quiet hours hold any client notice", "Europe/Moscow", nil, "", closed, "2026-12-01 23:00", "2026-12-02 09:00"},
		{"quiet hours off still coalesce", "Europe/Berlin", &glassbox.QuietHours{Off: true}, "", done, "2026-12-05 23:00", "2026-12-05 23:10"},
		{"bad news to the manager is never held", "Europe/Moscow", nil, "", blocked, "2026-12-05 23:00", ""},
		{"overdue to the manager is never held", "Europe/Moscow", nil, "", overdue, "2026-12-05 23:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := zoneOf(t, tt.zone)
			at, err := time.ParseInLocation("2006-01-02 15:04", tt.at, loc)
			if err != nil {
				t.Fatal(err)
			}
			cfg, p := timingConfig(tt.zone, tt.quiet, tt.coalesce)
			until, held := cfg.ProjectTiming(p).HoldUntil(tt.msg, at)
			if tt.want == "" {
				if held {
					t.Errorf("held until %s, want sent at once", until.In(loc))
				}
				return
			}
			want, err := time.ParseInLocation("2006-01-02 15:04", tt.want, loc)
			if err != nil {
				t.Fatal(err)
			}
			if !held || !until.Equal(want) {
				t.Errorf("HoldUntil = %s, %v; want held until %s", until.In(loc), held, want)
			}
		})
	}
}

// The quiet window across the switch to summer time is an hour shorter in real time, and to winter time an
// hour longer: the wall clock rules, 21:00 to 09:00 local.
func TestQuietWindowAcrossDST(t *testing.T) {
	no := false
	for _, tt := range []struct {
		zone, evening string
		want          time.Duration
	}{
		{"Europe/Berlin", "2026-03-28 21:00", 11 * time.Hour},
		{"Europe/Berlin", "2026-10-24 21:00", 13 * time.Hour},
		{"America/New_York", "2026-03-07 21:00", 11 * time.Hour},
		{"America/New_York", "2026-10-31 21:00", 13 * time.Hour},
		{"Europe/Moscow", "2026-10-24 21:00", 12 * time.Hour},
	} {
		loc := zoneOf(t, tt.zone)
		at, _ := time.ParseInLocation("2006-01-02 15:04", tt.evening, loc)
		cfg, p := timingConfig(tt.zone, &glassbox.QuietHours{Weekends: &no}, "off")
		if got := cfg.ProjectTiming(p).NextAllowed(at).Sub(at); got != tt.want {
			t.Errorf("%s from %s: quiet for %s, want %s", tt.zone, tt.evening, got, tt.want)
		}
	}
}

// A project's own quiet hours and window replace the agency's.
func TestProjectTimingOverride(t *testing.T) {
	cfg := glassbox.Config{Agency: glassbox.Agency{TimeZone: "Europe/Moscow", QuietHours: &glassbox.QuietHours{Off: true}, Coalesce: "off"}}
	own := glassbox.Project{ID: "own", QuietHours: &glassbox.QuietHours{From: "22:00"}, Coalesce: "3m"}
	agencys := glassbox.Project{ID: "agency"}
	got := cfg.ProjectTiming(own)
	if !got.Quiet || got.From != 22*60 || got.To != 9*60 || !got.Weekends || got.Coalesce != 3*time.Minute {
		t.Errorf("project's own timing = %+v, want quiet 22:00-09:00 with weekends, 3m", got)
	}
	if got := cfg.ProjectTiming(agencys); got.Quiet || got.Coalesce != 0 {
		t.Errorf("agency's timing = %+v, want off and no coalescing", got)
	}
	if got := (glassbox.Config{}).ProjectTiming(agencys); !got.Quiet || got.Coalesce != 10*time.Minute || got.From != 21*60 || got.To != 9*60 {
		t.Errorf("default timing = %+v, want 21:00-09:00, weekends, 10m", got)
	}
}

func TestValidateTiming(t *testing.T) {
	no := false
	tests := []struct {
		name  string
		edit  func(c *glassbox.Config)
		wants []string
	}{
		{"defaults", func(*glassbox.Config) {}, nil},
		{"all set", func(c *glassbox.Config) {
			c.Agency.QuietHours = &glassbox.QuietHours{From: "20:30", To: "8:00", Weekends: &no}
			c.Agency.Coalesce = "15m"
			c.Projects[0].QuietHours = &glassbox.QuietHours{Off: true}
			c.Projects[0].Coalesce = "off"
		}, nil},
		{"bad clock", func(c *glassbox.Config) { c.Agency.QuietHours = &glassbox.QuietHours{From: "9pm", To: "25:00"} },
			[]string{`agency.quiet_hours.from: "9pm" is not a clock time like 21:00`, `agency.quiet_hours.to: "25:00" is not a clock time like 21:00`}},
		{"empty window", func(c *glassbox.Config) { c.Projects[1].QuietHours = &glassbox.QuietHours{From: "09:00"} },
			[]string{"projects[1].quiet_hours: from and to are both 09:00: an empty quiet window; use off: true to turn quiet hours off"}},
		{"off with hours", func(c *glassbox.Config) { c.Agency.QuietHours = &glassbox.QuietHours{Off: true, From: "22:00"} },
			[]string{"agency.quiet_hours: off: true turns quiet hours off; from, to and weekends have no effect with it"}},
		{"bad window", func(c *glassbox.Config) { c.Projects[0].Coalesce = "ten minutes"; c.Agency.Coalesce = "-5m" },
			[]string{`agency.coalesce: "-5m" is not a window like 10m`, `projects[0].coalesce: "ten minutes" is not a window like 10m`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.edit(&c)
			errs := c.Validate(providers.Catalog())
			if len(errs) != len(tt.wants) {
				t.Fatalf("errors = %v, want %d: %v", errs, len(tt.wants), tt.wants)
			}
			for i, want := range tt.wants {
				if !strings.Contains(errs[i].Error(), want) {
					t.Errorf("error %d = %q, want it to contain %q", i, errs[i].Error(), want)
				}
			}
		})
	}
}

// A due date reported by the tracker folds into the task; a late event only fills a missing one; the task is
// overdue-checked while it has a due date, is not done and the manager was not told about that date.
func TestTaskDue(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	due := t0.Add(48 * time.Hour)
	var task glassbox.Task
	task.Apply(glassbox.Event{ID: "a1", ProjectID: "p", TaskID: "c", Kind: glassbox.EventTaskUpdated, HasDue: true, Due: due, OccurredAt: t0})
	if !task.Due.Equal(due) {
		t.Fatalf("Due = %v, want %v", task.Due, due)
	}
	if at, ok := task.OverdueCheck(); !ok || !at.Equal(due) {
		t.Errorf("OverdueCheck = %v, %v; want %v", at, ok, due)
	}
	task.Apply(glassbox.Event{ID: "a0", Kind: glassbox.EventTaskUpdated, HasDue: true, Due: t0, OccurredAt: t0.Add(-time.Hour)})
	if !task.Due.Equal(due) {
		t.Errorf("a late event moved the due date to %v", task.Due)
	}
	task.Apply(glassbox.Event{ID: "a2", Kind: glassbox.EventTaskMoved, ListID: "x", OccurredAt: t0.Add(time.Hour)})
	if !task.Due.Equal(due) {
		t.Errorf("an event without a due date cleared it")
	}
	task.OverdueToldFor = due
	if _, ok := task.OverdueCheck(); ok {
		t.Errorf("told task still checked")
	}
	task.Apply(glassbox.Event{ID: "a3", Kind: glassbox.EventTaskUpdated, HasDue: true, Due: due.Add(24 * time.Hour), OccurredAt: t0.Add(2 * time.Hour)})
	if _, ok := task.OverdueCheck(); !ok {
		t.Errorf("a moved due date is not checked again")
	}
	task.Apply(glassbox.Event{ID: "a4", Kind: glassbox.EventTaskMoved, ListID: "d", Status: glassbox.StatusDone, OccurredAt: t0.Add(3 * time.Hour)})
	if _, ok := task.OverdueCheck(); ok {
		t.Errorf("done task still checked")
	}
	task.Apply(glassbox.Event{ID: "a5", Kind: glassbox.EventTaskUpdated, HasDue: true, OccurredAt: t0.Add(4 * time.Hour)})
	if !task.Due.IsZero() {
		t.Errorf("a removed due date stays %v", task.Due)
	}
}
