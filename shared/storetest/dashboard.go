package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

var dashboardTests = []struct {
	name string
	fn   func(t *testing.T, s glassbox.Store)
}{
	{"DashboardLinks", testDashboardLinks},
	{"DashboardReads", testDashboardReads},
	{"DashboardSnapshotNewerStays", testDashboardSnapshotNewerStays},
}

// testDashboardLinks: a link is found by its hash only, a second one with the same hash is refused, revoking
// keeps the first time, and listing returns every link oldest first.
func testDashboardLinks(t *testing.T, s glassbox.Store) {
	ctx := context.Background()
	a := glassbox.DashboardLink{Hash: "aa11", ProjectID: "p1", CreatedAt: t0, ExpiresAt: t0.AddDate(1, 0, 0)}
	b := glassbox.DashboardLink{Hash: "bb22", ClientID: "c1", CreatedAt: t0.Add(time.Hour).In(moscow)}
	for _, l := range []glassbox.DashboardLink{b, a} {
		if err := s.CreateDashboardLink(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateDashboardLink(ctx, glassbox.DashboardLink{Hash: "aa11", ProjectID: "p2", CreatedAt: t0}); !errors.Is(err, glassbox.ErrDuplicate) {
		t.Errorf("second link with one hash = %v, want ErrDuplicate", err)
	}
	got, err := s.DashboardLink(ctx, "aa11")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got, opts); diff != "" {
		t.Errorf("DashboardLink (-want +got):\n%s", diff)
	}
	if _, err := s.DashboardLink(ctx, "aa1"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("a prefix of a hash = %v, want ErrNotFound", err)
	}
	if err := s.RevokeDashboardLink(ctx, "aa11", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeDashboardLink(ctx, "aa11", t0.Add(3*time.Hour)); err != nil {
		t.Errorf("revoking twice = %v, want nil", err)
	}
	if err := s.RevokeDashboardLink(ctx, "cc33", t0); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("revoking a missing link = %v, want ErrNotFound", err)
	}
	a.RevokedAt = t0.Add(2 * time.Hour)
	list, err := s.DashboardLinks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]glassbox.DashboardLink{a, b}, list, opts); diff != "" {
		t.Errorf("DashboardLinks (-want +got):\n%s", diff)
	}
	if list[0].Live(t0.Add(time.Hour)) {
		t.Error("a revoked link is live")
	}
}

// testDashboardReads: a view reads the events and messages of its windows, every feedback item and document
// before its end, the open tasks and the snapshot, of its project only; the snapshot lives beside the seals
// without showing up among them.
func testDashboardReads(t *testing.T, s glassbox.Store) {
	ctx := context.Background()
	to := t0.Add(30 * 24 * time.Hour)
	eventsFrom, messagesFrom := to.Add(-7*24*time.Hour), to.Add(-10*24*time.Hour)
	empty, err := s.DashboardReads(ctx, "p1", eventsFrom, messagesFrom, to)
	if err != nil {
		t.Fatal(err)
	}
	if !empty.Snapshot.At.IsZero() || len(empty.Events)+len(empty.Feedback)+len(empty.Messages)+len(empty.OpenTasks)+len(empty.Documents) != 0 {
		t.Errorf("an empty project reads %+v, want nothing", empty)
	}
	if _, err := s.DashboardSnapshot(ctx, "p1"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("DashboardSnapshot before any = %v, want ErrNotFound", err)
	}
	for _, e := range []glassbox.Event{event("old", "p1", eventsFrom.Add(-time.Second)), event("in", "p1", eventsFrom),
		event("late", "p1", to), event("other", "p2", to.Add(-time.Hour))} {
		mustAppend(t, s, e)
	}
	for _, f := range []glassbox.Feedback{
		{ID: "fb:1", ProjectID: "p1", Kind: glassbox.FeedbackRating, Score: 4, MessageID: "d1", At: t0},
		{ID: "fb:2", ProjectID: "p1", Kind: glassbox.FeedbackAccepted, Provider: "trello", TaskID: "a", MessageID: "m1", At: to.Add(-time.Minute)},
		{ID: "fb:3", ProjectID: "p1", Kind: glassbox.FeedbackRating, Score: 5, MessageID: "d2", At: to},
		{ID: "fb:4", ProjectID: "p2", Kind: glassbox.FeedbackRating, Score: 1, MessageID: "d3", At: t0},
	} {
		if err := s.RecordFeedback(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []glassbox.Message{message("m-old", "p1", "x", messagesFrom.Add(-time.Second)), message("m-in", "p1", "x", messagesFrom),
		message("m-late", "p1", "x", to), message("m-other", "p2", "x", to.Add(-time.Hour))} {
		mustClaim(t, s, m)
	}
	open, done, other := task("p1", "trello", "a", 1), task("p1", "trello", "b", 1), task("p2", "trello", "c", 1)
	done.Status = glassbox.StatusDone
	for _, tk := range []glassbox.Task{open, done, other} {
		mustPutTask(t, s, tk)
	}
	c, docs := closeWith("p1", "s1", 1, 1, t0)
	mustIssue(t, s, c, docs)
	seal := glassbox.Seal{ProjectID: "p1", Seq: 1, Prev: "00", Root: "11", From: t0, To: t0.Add(time.Hour), Hash: "22", SealedAt: t0.Add(time.Hour)}
	if err := s.PutSeal(ctx, seal); err != nil {
		t.Fatal(err)
	}
	snap := glassbox.DashboardSnapshot{ProjectID: "p1", At: to.Add(-time.Hour).In(moscow),
		Weeks: []glassbox.Metric{{ProjectID: "p1", Date: "2026-11-02", Spend: 1250000, Currency: "RUB", Leads: 7, Minutes: 90}},
		Seal:  glassbox.SealHead{Seq: 1, Hash: "22", To: t0.Add(time.Hour), SealedAt: t0.Add(time.Hour), Timestamped: true},
		Check: &glassbox.TimelineCheck{At: t0.Add(time.Hour), Seals: 1, Head: "22", Sealed: 3, Unsealed: 1, Problems: []string{"seal 1: event:x: changed"}}}
	if err := s.PutDashboardSnapshot(ctx, snap); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDashboardSnapshot(ctx, glassbox.DashboardSnapshot{ProjectID: "p2", At: to}); err != nil {
		t.Fatal(err)
	}
	snap.At = snap.At.UTC()
	got, err := s.DashboardSnapshot(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(snap, got, opts); diff != "" {
		t.Errorf("DashboardSnapshot (-want +got):\n%s", diff)
	}
	// The snapshot shares the seals' partition: the chain still reads as the one seal.
	for name, read := range map[string]func() ([]glassbox.Seal, error){
		"Seals":       func() ([]glassbox.Seal, error) { return s.Seals(ctx, "p1") },
		"RecentSeals": func() ([]glassbox.Seal, error) { return s.RecentSeals(ctx, "p1", 0) },
	} {
		seals, err := read()
		if err != nil || len(seals) != 1 || seals[0].Hash != "22" {
			t.Errorf("%s beside a snapshot = %+v, %v; want seal 1 alone", name, seals, err)
		}
	}
	ids := func() []string {
		r, err := s.DashboardReads(ctx, "p1", eventsFrom, messagesFrom, to)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range r.Events {
			out = append(out, "event:"+e.ID)
		}
		for _, f := range r.Feedback {
			out = append(out, "feedback:"+f.ID)
		}
		for _, m := range r.Messages {
			out = append(out, "message:"+m.ID)
		}
		for _, tk := range r.OpenTasks {
			out = append(out, "open:"+tk.TaskID)
		}
		for _, d := range r.Documents {
			out = append(out, "doc:"+string(d.Kind))
		}
		if !r.Snapshot.At.IsZero() {
			out = append(out, "snapshot:"+r.Snapshot.ProjectID+":"+r.Snapshot.Seal.Hash)
		}
		return out
	}
	want := []string{"event:trello:in", "feedback:fb:1", "feedback:fb:2", "message:m-in", "open:a", "doc:act", "doc:invoice", "snapshot:p1:22"}
	if diff := cmp.Diff(want, eventuallyIDs(ids, want)); diff != "" {
		t.Errorf("DashboardReads (-want +got):\n%s", diff)
	}
}

// testDashboardSnapshotNewerStays: of two refreshes at once, the one that started earlier (and so read an older
// seal) and writes last does not put its older snapshot over the newer one; the same snapshot again is fine.
func testDashboardSnapshotNewerStays(t *testing.T, s glassbox.Store) {
	ctx := context.Background()
	newer := glassbox.DashboardSnapshot{ProjectID: "p1", At: t0.Add(time.Hour), Seal: glassbox.SealHead{Seq: 2, Hash: "b2", To: t0, SealedAt: t0}}
	older := glassbox.DashboardSnapshot{ProjectID: "p1", At: t0.Add(time.Hour - time.Second), Seal: glassbox.SealHead{Seq: 1, Hash: "a1", To: t0, SealedAt: t0}}
	for _, snap := range []glassbox.DashboardSnapshot{newer, newer, older} {
		if err := s.PutDashboardSnapshot(ctx, snap); err != nil {
			t.Fatalf("put snapshot at %v: %v", snap.At, err)
		}
	}
	got, err := s.DashboardSnapshot(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(newer, got, opts); diff != "" {
		t.Errorf("DashboardSnapshot after an older one was put last (-want +got):\n%s", diff)
	}
	later := newer
	later.At, later.Seal.Seq, later.Seal.Hash = t0.Add(2*time.Hour), 3, "c3"
	if err := s.PutDashboardSnapshot(ctx, later); err != nil {
		t.Fatal(err)
	}
	if got, err := s.DashboardSnapshot(ctx, "p1"); err != nil || got.Seal.Hash != "c3" {
		t.Errorf("a later snapshot did not replace it: %+v, %v", got, err)
	}
}
