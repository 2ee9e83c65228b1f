package accounts_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/glassbox-oss/glassbox/shared/accounts"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// fakeStore answers the health's reads from slices, filtering by project and window as a store does.
type fakeStore struct {
	tasks    []glassbox.Task
	invoices []glassbox.Document
	messages []glassbox.Message
	feedback []glassbox.Feedback
}

func (s fakeStore) OpenTasks(_ context.Context, p string) ([]glassbox.Task, error) {
	var out []glassbox.Task
	for _, t := range s.tasks {
		if t.ProjectID == p {
			out = append(out, t)
		}
	}
	return out, nil
}

func (s fakeStore) OpenInvoices(context.Context) ([]glassbox.Document, error) { return s.invoices, nil }

func (s fakeStore) MessagesBetween(_ context.Context, p string, from, to time.Time) ([]glassbox.Message, error) {
	var out []glassbox.Message
	for _, m := range s.messages {
		if m.ProjectID == p && !m.ClaimedAt.Before(from) && m.ClaimedAt.Before(to) {
			out = append(out, m)
		}
	}
	return out, nil
}

func (s fakeStore) FeedbackBetween(_ context.Context, p string, from, to time.Time) ([]glassbox.Feedback, error) {
	var out []glassbox.Feedback
	for _, f := range s.feedback {
		if f.ProjectID == p && !f.At.Before(from) && f.At.Before(to) {
			out = append(out, f)
		}
	}
	return out, nil
}

var now = time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)

func day(d int) time.Time { return now.AddDate(0, 0, -d) }

var cfg = glassbox.Config{
	Agency:  glassbox.Agency{Name: "Studio", TimeZone: "Europe/Moscow"},
	Clients: []glassbox.Client{{ID: "acme", Name: "Acme"}, {ID: "rom", Name: "Ромашка"}},
	Projects: []glassbox.Project{
		{ID: "calm", ClientID: "acme", Name: "Calm"},
		{ID: "drift", ClientID: "rom", Name: "Drifting"},
	},
}

// Every column, and the drifting client first: change requests not yet accepted, an overdue invoice (one not
// yet due and one paid-for-a-month-ago invoice not counted), the longest wait on the client, this month's bad
// news once per cause, the last call reminder.
func TestAll(t *testing.T) {
	msg := func(p string, k glassbox.MessageKind, cause string, ch glassbox.Channel, at time.Time) glassbox.Message {
		return glassbox.Message{ID: cause + string(k) + string(ch), ProjectID: p, EventID: cause, Kind: k, Audience: glassbox.AudienceManager,
			Channel: ch, State: glassbox.MessageSent, ClaimedAt: at, SentAt: at}
	}
	approval := func(p, task string, k glassbox.FeedbackKind, at time.Time) glassbox.Feedback {
		return glassbox.Feedback{ID: p + task + string(k), ProjectID: p, Kind: k, Provider: "trello", TaskID: task, At: at}
	}
	s := fakeStore{
		tasks: []glassbox.Task{
			{ProjectID: "drift", TaskID: "w1", Status: glassbox.StatusWaiting, LastEventAt: day(16)},
			{ProjectID: "drift", TaskID: "w2", Status: glassbox.StatusWaiting, LastEventAt: day(3)},
			{ProjectID: "drift", TaskID: "b1", Status: glassbox.StatusBlocked, LastEventAt: day(40)},
			{ProjectID: "calm", TaskID: "c1", Status: glassbox.StatusInProgress, LastEventAt: day(30)},
		},
		invoices: []glassbox.Document{
			{ProjectID: "drift", Kind: glassbox.DocumentInvoice, State: glassbox.DocumentIssued, DueDate: "2026-11-20", Currency: "RUB", Total: 15000000, TimeZone: "Europe/Moscow"},
			{ProjectID: "drift", Kind: glassbox.DocumentInvoice, State: glassbox.DocumentIssued, DueDate: "2026-12-10", Currency: "RUB", Total: 9900, TimeZone: "Europe/Moscow"},
			{ProjectID: "calm", Kind: glassbox.DocumentInvoice, State: glassbox.DocumentIssued, DueDate: "2026-12-02", Currency: "EUR", Total: 100, TimeZone: "Europe/Moscow"},
			{ProjectID: "calm", Kind: glassbox.DocumentInvoice, State: glassbox.DocumentIssued, DueDate: "2026-12-01", Currency: "EUR", Total: 250, TimeZone: "Europe/Moscow"},
		},
		messages: []glassbox.Message{
			msg("drift", glassbox.MessageTaskBlocked, "e1", glassbox.ChannelEmail, day(0)),
			msg("drift", glassbox.MessageTaskBlocked, "e1", glassbox.ChannelTelegram, day(0)),
			msg("drift", glassbox.MessageTaskOverdue, "e2", glassbox.ChannelEmail, now.Add(-time.Hour)),
			msg("drift", glassbox.MessageTaskReopened, "e3", glassbox.ChannelEmail, day(5)), // last month
			msg("drift", glassbox.MessageCallReminder, "r1", glassbox.ChannelEmail, day(120)),
			msg("calm", glassbox.MessageCallReminder, "r2", glassbox.ChannelEmail, day(30)),
			msg("calm", glassbox.MessageCallReminder, "r3", glassbox.ChannelEmail, day(1)),
		},
		feedback: []glassbox.Feedback{
			approval("drift", "t1", glassbox.FeedbackChangesRequested, day(20)),
			approval("drift", "t1", glassbox.FeedbackAccepted, day(10)), // answered
			approval("drift", "t2", glassbox.FeedbackAccepted, day(9)),
			approval("drift", "t2", glassbox.FeedbackChangesRequested, day(8)), // open again
			approval("drift", "t3", glassbox.FeedbackChangesRequested, day(2)),
			{ID: "r1", ProjectID: "drift", Kind: glassbox.FeedbackRating, Score: 5, At: day(30)},
			{ID: "r2", ProjectID: "drift", Kind: glassbox.FeedbackRating, Score: 2, At: day(6)},
			{ID: "r3", ProjectID: "calm", Kind: glassbox.FeedbackRating, Score: 5, At: day(400)}, // too old
		},
	}
	got, err := accounts.All(context.Background(), s, cfg, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []accounts.Health{
		{ProjectID: "drift", Project: "Drifting", Client: "Ромашка", LastRating: 2, LastRatingAt: day(6), OverdueInvoices: 1,
			OverdueTotal: map[string]glassbox.Minor{"RUB": 15000000}, WaitingDays: 16, BadNews: 2, OpenChanges: 2},
		// 21:00 UTC on 1 December is already the 2nd in Moscow, where the invoices were dated: due the 1st is
		// overdue, due the 2nd not yet.
		{ProjectID: "calm", Project: "Calm", Client: "Acme", OverdueInvoices: 1, OverdueTotal: map[string]glassbox.Minor{"EUR": 250}, LastCallReminder: day(1)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("All (-want +got):\n%s", diff)
	}
	// 2 open changes (6) + 1 overdue (3) + 16 days waiting (2) + 2 bad news (2) + rating 2 (6) + no call reminder (2).
	if d := got[0].Drift(); d != 21 {
		t.Errorf("drift %d, want 21", d)
	}
	if d := got[1].Drift(); d != 3 {
		t.Errorf("calm drift %d, want 3", d)
	}
}

// A task waits on the client since it moved to waiting, not since its last event: renaming it, setting its due
// date or moving it between two waiting lists does not make the client's wait start again. A task stored before
// tasks kept that time counts from its last event, as before.
func TestWaitingCountsFromTheMoveToWaiting(t *testing.T) {
	var task glassbox.Task
	task.Apply(glassbox.Event{ID: "m1", ProjectID: "drift", TaskID: "w", Kind: glassbox.EventTaskMoved, ListID: "wait", Status: glassbox.StatusWaiting, OccurredAt: day(20)})
	task.Apply(glassbox.Event{ID: "m2", ProjectID: "drift", TaskID: "w", Kind: glassbox.EventTaskMoved, ListID: "wait-2", Status: glassbox.StatusWaiting, OccurredAt: day(9)})
	task.Apply(glassbox.Event{ID: "u1", ProjectID: "drift", TaskID: "w", Kind: glassbox.EventTaskUpdated, Title: "Тексты для главной", OccurredAt: day(1)})
	old := glassbox.Task{ProjectID: "drift", TaskID: "o", Status: glassbox.StatusWaiting, LastEventAt: day(4)}
	for name, tt := range map[string]struct {
		task glassbox.Task
		want int
	}{"MovedThenRenamed": {task, 20}, "StoredBefore": {old, 4}} {
		h, err := accounts.Of(context.Background(), fakeStore{tasks: []glassbox.Task{tt.task}}, cfg, cfg.Projects[1], nil, now)
		if err != nil {
			t.Fatal(err)
		}
		if h.WaitingDays != tt.want {
			t.Errorf("%s: WaitingDays %d, want %d", name, h.WaitingDays, tt.want)
		}
	}
}
