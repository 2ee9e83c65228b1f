package glassbox_test

import (
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

func TestTaskApply(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	move := func(id string, at time.Time, status glassbox.TaskStatus) glassbox.Event {
		return glassbox.Event{ID: id, ProjectID: "p", Provider: "trello", TaskID: "c", Kind: glassbox.EventTaskMoved,
			Title: "Title " + id, ListID: "l-" + string(status), ListName: string(status), Status: status, OccurredAt: at}
	}
	link := glassbox.Event{ID: "link", TaskID: "c", Kind: glassbox.EventLinkAttached, Link: "https://figma.example/1", OccurredAt: t0.Add(-time.Hour)}

	tests := []struct {
		name       string
		events     []glassbox.Event
		wantStatus glassbox.TaskStatus
		wantTitle  string
		wantLink   string
		wantDoneAt time.Time
	}{
		{"InOrder", []glassbox.Event{move("a", t0, glassbox.StatusInProgress), move("b", t0.Add(time.Minute), glassbox.StatusDone)},
			glassbox.StatusDone, "Title b", "", t0.Add(time.Minute)},
		{"LateEventDoesNotRollBack", []glassbox.Event{move("b", t0.Add(time.Minute), glassbox.StatusDone), move("a", t0, glassbox.StatusInProgress)},
			glassbox.StatusDone, "Title b", "", t0.Add(time.Minute)},
		{"ReopenClearsDoneAt", []glassbox.Event{move("a", t0, glassbox.StatusDone), move("b", t0.Add(time.Minute), glassbox.StatusInProgress)},
			glassbox.StatusInProgress, "Title b", "", time.Time{}},
		{"LateLinkStillFillsIn", []glassbox.Event{move("a", t0, glassbox.StatusDone), link},
			glassbox.StatusDone, "Title a", "https://figma.example/1", t0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var task glassbox.Task
			for _, e := range tt.events {
				task.Apply(e)
			}
			if task.Status != tt.wantStatus || task.Title != tt.wantTitle || task.Link != tt.wantLink || !task.DoneAt.Equal(tt.wantDoneAt) {
				t.Fatalf("task = status %q title %q link %q doneAt %v; want %q %q %q %v",
					task.Status, task.Title, task.Link, task.DoneAt, tt.wantStatus, tt.wantTitle, tt.wantLink, tt.wantDoneAt)
			}
		})
	}
}

func TestApplyReportsNoChangeForTheSameEvent(t *testing.T) {
	e := glassbox.Event{ID: "a", TaskID: "c", Kind: glassbox.EventTaskMoved, ListID: "l", Status: glassbox.StatusDone,
		OccurredAt: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	var task glassbox.Task
	if !task.Apply(e) {
		t.Fatal("first Apply reported no change")
	}
	if task.Apply(e) {
		t.Fatal("applying the same event again reported a change")
	}
}

func TestStatusOf(t *testing.T) {
	b := glassbox.Binding{StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusDone:    {"list-3", "Готово"},
		glassbox.StatusBlocked: {"Blocked"},
	}}
	tests := []struct {
		id, name string
		want     glassbox.TaskStatus
	}{
		{"list-3", "Renamed", glassbox.StatusDone},
		{"x", "готово", glassbox.StatusDone},
		{"x", "BLOCKED", glassbox.StatusBlocked},
		{"x", "Ideas", glassbox.StatusUnknown},
		{"", "", glassbox.StatusUnknown},
	}
	for _, tt := range tests {
		if got := b.StatusOf(tt.id, tt.name); got != tt.want {
			t.Errorf("StatusOf(%q, %q) = %q, want %q", tt.id, tt.name, got, tt.want)
		}
	}
}
