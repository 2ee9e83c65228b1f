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

// Accept is the one place an event's project and times are decided: the binding's project for a task, the
// deal's route for a deal (unrouted deals are left out), ReceivedAt for a provider that gave no time.
func TestBindingAccept(t *testing.T) {
	received := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	said := time.Date(2024, 5, 24, 9, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	tracker := glassbox.Binding{ID: "board", ProjectID: "site", Provider: "trello"}
	crm := glassbox.Binding{ID: "crm", Provider: "amocrm", ProjectID: "ignored-for-deals",
		Deals: []glassbox.DealRoute{{DealID: "1", ProjectID: "site"}, {DealID: "2", ProjectID: "shop"}}}
	deal := func(id string, at time.Time) glassbox.Event {
		return glassbox.Event{ID: "amocrm:" + id, Provider: "amocrm", OccurredAt: at, Deal: &glassbox.DealChange{ID: id}}
	}
	tests := []struct {
		name        string
		b           glassbox.Binding
		in          []glassbox.Event
		wantProject []string
		wantAt      []time.Time
	}{
		{"TaskGetsTheBindingsProject", tracker, []glassbox.Event{{ID: "trello:a", OccurredAt: said}}, []string{"site"}, []time.Time{said.UTC()}},
		{"NoProviderTimeIsReceivedAt", tracker, []glassbox.Event{{ID: "trello:b"}}, []string{"site"}, []time.Time{received}},
		{"DealsGetTheirRoutesProject", crm, []glassbox.Event{deal("2", said), deal("1", time.Time{})}, []string{"shop", "site"},
			[]time.Time{said.UTC(), received}},
		{"UnroutedDealLeftOut", crm, []glassbox.Event{deal("9", said), deal("1", said)}, []string{"site"}, []time.Time{said.UTC()}},
		{"NothingRouted", crm, []glassbox.Event{deal("9", said)}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.b.Accept(tt.in, received)
			if len(got) != len(tt.wantProject) {
				t.Fatalf("Accept kept %d events, want %d", len(got), len(tt.wantProject))
			}
			for i, e := range got {
				if e.ProjectID != tt.wantProject[i] || !e.OccurredAt.Equal(tt.wantAt[i]) || e.OccurredAt.Location() != time.UTC ||
					!e.ReceivedAt.Equal(received) || e.BindingID != tt.b.ID {
					t.Errorf("event %d = project %q at %s received %s binding %q; want %q at %s", i, e.ProjectID, e.OccurredAt,
						e.ReceivedAt, e.BindingID, tt.wantProject[i], tt.wantAt[i])
				}
			}
		})
	}
}

// An email's id is what it was before messages had channels (so a deployment's sent messages stay sent); other
// channels get ids of their own.
func TestMessageIDPerChannel(t *testing.T) {
	t.Parallel()
	email := glassbox.MessageID("trello:a1", glassbox.MessageTaskDone, glassbox.AudienceClient, glassbox.ChannelEmail)
	// The id MessageID(event, kind, audience) gave before channels existed.
	if got, want := email, "aa45f23a6ef54f2f8111b34c2fbf64b9"; got != want {
		t.Errorf("email id = %q, want the pre-channel id %q", got, want)
	}
	legacy := glassbox.MessageID("trello:a1", glassbox.MessageTaskDone, glassbox.AudienceClient, "")
	if legacy != email {
		t.Errorf("an empty channel is not email: %q != %q", legacy, email)
	}
	if tg := glassbox.MessageID("trello:a1", glassbox.MessageTaskDone, glassbox.AudienceClient, glassbox.ChannelTelegram); tg == email {
		t.Error("the Telegram copy shares the email's id")
	}
}

// A binding takes a delivery its external_id names (ignoring case), or every delivery when it names nothing.
func TestBindingTakes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		external string
		names    []string
		want     bool
	}{
		{"acme/site", []string{"Acme/Site", "acme"}, true},
		{"acme/site", []string{"acme/shop", "acme"}, false},
		{"acme/site", []string{"", ""}, false},
		{"", []string{"anything"}, true},
		{"MKT", []string{"team-id", "mkt"}, true},
	}
	for _, tt := range tests {
		if got := (glassbox.Binding{ExternalID: tt.external}).Takes(tt.names...); got != tt.want {
			t.Errorf("external_id %q takes %q = %v, want %v", tt.external, tt.names, got, tt.want)
		}
	}
}

// A comment's reason and a work log fold into the task without moving it: the status stays, and a move that
// happened before the comment but arrives after it still applies (it is not taken for a late one). A note
// delivered late does not replace a newer reason.
func TestApplyNotesAndWorkLogsMoveNothing(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	note := func(id string, at time.Time, text string) glassbox.Event {
		return glassbox.Event{ID: id, TaskID: "c", Kind: glassbox.EventTaskNoted, Note: text, Title: "T", OccurredAt: at}
	}
	var task glassbox.Task
	task.Apply(glassbox.Event{ID: "m1", TaskID: "c", Kind: glassbox.EventTaskMoved, ListID: "b", Status: glassbox.StatusBlocked, OccurredAt: t0})
	task.Apply(note("n2", t0.Add(2*time.Minute), "ждём доступы"))
	task.Apply(glassbox.Event{ID: "w", TaskID: "c", Kind: glassbox.EventWorkLogged, Minutes: 90, OccurredAt: t0.Add(3 * time.Minute)})
	if task.Status != glassbox.StatusBlocked || task.Reason != "ждём доступы" || task.LastEventID != "m1" {
		t.Fatalf("task = %+v; want blocked with the reason, its newest move still m1", task)
	}
	// The move to done at +1 min arrives after the note of +2 min: it applies.
	task.Apply(glassbox.Event{ID: "m2", TaskID: "c", Kind: glassbox.EventTaskMoved, ListID: "d", Status: glassbox.StatusDone, OccurredAt: t0.Add(time.Minute)})
	if task.Status != glassbox.StatusDone || task.PrevStatus != glassbox.StatusBlocked {
		t.Fatalf("task = %+v; want done, left blocked", task)
	}
	task.Apply(note("n1", t0.Add(time.Minute), "older reason"))
	if task.Reason != "ждём доступы" {
		t.Fatalf("Reason = %q; a late note replaced the newer one", task.Reason)
	}
	if task.Apply(note("n2", t0.Add(2*time.Minute), "ждём доступы")) {
		t.Fatal("the same note again reported a change")
	}
}
