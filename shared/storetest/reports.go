package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

var reportTests = []struct {
	name string
	fn   func(t *testing.T, s glassbox.Store)
}{
	{"MetricsReplaceAndWindow", testMetrics},
	{"OpenTasks", testOpenTasks},
	{"Unsubscriptions", testUnsubscriptions},
	{"ReportDeliveries", testReportDeliveries},
}

func metric(project, date, source string, spend, leads int64) glassbox.Metric {
	return glassbox.Metric{ProjectID: project, Date: date, Source: source, Spend: spend, Currency: "RUB", Leads: leads, Clicks: 10, Origin: "test", UpdatedAt: t0}
}

func testMetrics(t *testing.T, s glassbox.Store) {
	ctx := context.Background()
	first := []glassbox.Metric{
		metric("p1", "2026-11-15", "yandex_direct", 100_00, 1),
		metric("p1", "2026-11-16", "yandex_direct", 200_00, 2),
		metric("p1", "2026-11-16", "vk_ads", 50_00, 1),
		metric("p1", "2026-11-22", "yandex_direct", 300_00, 3),
		metric("p2", "2026-11-16", "yandex_direct", 999_00, 9),
	}
	if err := s.PutMetrics(ctx, first); err != nil {
		t.Fatal(err)
	}
	// The same day and source sent again replaces, also twice in one call (the last one wins).
	again := []glassbox.Metric{metric("p1", "2026-11-16", "yandex_direct", 210_00, 4), metric("p1", "2026-11-16", "yandex_direct", 220_00, 5)}
	if err := s.PutMetrics(ctx, again); err != nil {
		t.Fatal(err)
	}
	got, err := s.MetricsBetween(ctx, "p1", "2026-11-16", "2026-11-22")
	if err != nil {
		t.Fatal(err)
	}
	want := []glassbox.Metric{metric("p1", "2026-11-16", "vk_ads", 50_00, 1), metric("p1", "2026-11-16", "yandex_direct", 220_00, 5)}
	if d := cmp.Diff(want, got, opts); d != "" {
		t.Errorf("MetricsBetween [16, 22) (-want +got):\n%s", d)
	}
	if got, err := s.MetricsBetween(ctx, "p1", "2026-11-22", "2026-11-22"); err != nil || len(got) != 0 {
		t.Errorf("empty window: %v, %v", got, err)
	}
	if got, _ := s.MetricsBetween(ctx, "p1", "2026-11-01", "2026-12-01"); len(got) != 4 {
		t.Errorf("the month has %d figures, want 4 (a replaced day counts once)", len(got))
	}
	// More figures than one write request takes (DynamoDB's BatchWriteItem: 25): a month of two sources.
	var month []glassbox.Metric
	for d := 1; d <= 30; d++ {
		for _, src := range []string{"yandex_direct", "vk_ads"} {
			month = append(month, metric("p3", fmt.Sprintf("2026-09-%02d", d), src, 100_00, 1))
		}
	}
	if err := s.PutMetrics(ctx, month); err != nil {
		t.Fatalf("PutMetrics of 60 figures: %v", err)
	}
	if got, _ := s.MetricsBetween(ctx, "p3", "2026-09-01", "2026-10-01"); len(got) != 60 {
		t.Errorf("September has %d figures, want 60", len(got))
	}
}

func testOpenTasks(t *testing.T, s glassbox.Store) {
	ctx := context.Background()
	open := task("p1", "trello", "a", 1)
	done := task("p1", "trello", "b", 1)
	done.Status = glassbox.StatusDone
	cancelled := task("p1", "jira", "c", 1)
	cancelled.Status = glassbox.StatusCancelled
	waiting := task("p1", "jira", "d", 1)
	waiting.Status, waiting.Reason = glassbox.StatusWaiting, "ждём тексты"
	other := task("p2", "trello", "e", 1)
	for _, tk := range []glassbox.Task{open, done, cancelled, waiting, other} {
		mustPutTask(t, s, tk)
	}
	ids := func() []string {
		got, err := s.OpenTasks(ctx, "p1")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tk := range got {
			out = append(out, tk.Provider+"/"+tk.TaskID+"/"+string(tk.Status)+"/"+tk.Reason)
		}
		return out
	}
	want := []string{"jira/d/waiting/ждём тексты", "trello/a/in_progress/"}
	if d := cmp.Diff(want, eventuallyIDs(ids, want)); d != "" {
		t.Errorf("OpenTasks (-want +got):\n%s", d)
	}
	// Done leaves the open tasks; reopened comes back.
	open.Version, open.Status = 2, glassbox.StatusDone
	mustPutTask(t, s, open)
	done.Version, done.Status = 2, glassbox.StatusInProgress
	mustPutTask(t, s, done)
	want = []string{"jira/d/waiting/ждём тексты", "trello/b/in_progress/"}
	if d := cmp.Diff(want, eventuallyIDs(ids, want)); d != "" {
		t.Errorf("OpenTasks after done and reopen (-want +got):\n%s", d)
	}
}

func testUnsubscriptions(t *testing.T, s glassbox.Store) {
	ctx := context.Background()
	u := glassbox.Unsubscription{ProjectID: "p1", Recipient: "Anna@Client.example", At: t0, MessageID: "m1"}
	if err := s.Unsubscribe(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := s.Unsubscribe(ctx, u); !errors.Is(err, glassbox.ErrDuplicate) {
		t.Errorf("second Unsubscribe = %v, want ErrDuplicate", err)
	}
	n, err := s.DeliveryNotes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !n.Unsubscribed("p1", "anna@client.example") || n.Unsubscribed("p2", "anna@client.example") {
		t.Errorf("Unsubscribed: %+v", n.Unsubscriptions)
	}
	if _, suppressed := n.Suppressed("anna@client.example"); suppressed {
		t.Error("an unsubscription suppressed the recipient's other messages")
	}
	if err := s.Resubscribe(ctx, "p1", "ANNA@client.example"); err != nil {
		t.Fatal(err)
	}
	if err := s.Resubscribe(ctx, "p1", "anna@client.example"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("second Resubscribe = %v, want ErrNotFound", err)
	}
	if n, _ := s.DeliveryNotes(ctx); n.Unsubscribed("p1", "anna@client.example") {
		t.Error("still unsubscribed after Resubscribe")
	}
}

// eventuallyIDs reads until it sees want or a second passes: a DynamoDB index is eventually consistent.
func eventuallyIDs(read func() []string, want []string) []string {
	var got []string
	for i := 0; i < 20; i++ {
		if got = read(); cmp.Equal(got, want) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
	return got
}
