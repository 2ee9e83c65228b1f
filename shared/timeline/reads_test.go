package timeline_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/storetest"
	"github.com/glassbox-oss/glassbox/shared/timeline"
)

// sealedHistory stores days of history (three events, a message and a rating a day), sealed daily as it
// went, and returns the store and the time just after it.
func sealedHistory(t *testing.T, days int) (*localstore.Store, time.Time) {
	t.Helper()
	s := openStore(t, path(t))
	start := t0.AddDate(0, 0, -days)
	for d := range days {
		day := start.AddDate(0, 0, d)
		for i := range 3 {
			appendEvents(t, s, event("p", fmt.Sprintf("d%d-%d", d, i), day.Add(time.Duration(i+1)*time.Hour)))
		}
		sendMessage(t, s, "p", fmt.Sprintf("m%d", d), day.Add(5*time.Hour))
		recordFeedback(t, s, "p", fmt.Sprintf("f%d", d), day.Add(6*time.Hour))
		if _, err := (timeline.Sealer{Store: s, Clock: newClock(day.Add(12 * time.Hour))}).Seal(t.Context(), "p"); err != nil {
			t.Fatal(err)
		}
	}
	return s, t0
}

// TestSealReadsDoNotGrowWithHistory: one seal run over the last hour's entries reads the same calls and items
// whether the project has 30 or 300 sealed days behind it: the entries since the look-back and the seals that
// could list them, never the whole history or chain.
func TestSealReadsDoNotGrowWithHistory(t *testing.T) {
	type reads struct{ calls, items int }
	measure := func(days int) reads {
		s, now := sealedHistory(t, days)
		appendEvents(t, s, event("p", "new-1", now.Add(10*time.Minute)), event("p", "new-2", now.Add(20*time.Minute)))
		sendMessage(t, s, "p", "new-m", now.Add(30*time.Minute))
		recordFeedback(t, s, "p", "new-f", now.Add(40*time.Minute))
		c := &storetest.ReadCounter{Store: s}
		made, err := timeline.Sealer{Store: c, Clock: newClock(now.Add(time.Hour))}.Seal(t.Context(), "p")
		if err != nil || len(made) != 1 || len(made[0].Entries) != 4 {
			t.Fatalf("%d days: sealed %v, %v; want one seal of the 4 new entries", days, made, err)
		}
		rep, err := timeline.Verify(t.Context(), s, "p", "")
		if err != nil || !rep.OK() || rep.Unsealed != 0 || rep.Sealed != 5*days+4 {
			t.Fatalf("%d days: verify %+v, %v", days, rep, err)
		}
		calls, items := c.Counts()
		return reads{calls, items}
	}
	one, ten := measure(30), measure(300)
	if one != ten {
		t.Errorf("one seal run: %+v reads with 30 days of history, %+v with 300", one, ten)
	}
	// The look-back's week (a seal a day, 5 entries a day) and the new entries, not 30 or 300 days.
	if one.calls != 4 || one.items > 8*5+8+4 {
		t.Errorf("one seal run: %+v reads, want 4 calls and about a week of items", one)
	}
	t.Logf("one seal run: %+v reads at 1× and 10× history", one)
}

// TestLateEntries: an event delivered days after it happened, within the look-back, is sealed in the next
// seal; one delivered after the look-back (it happened more than LookBack before the last seal's end) stays
// on the record unsealed, which verify reports as such, not as a problem.
func TestLateEntries(t *testing.T) {
	s, now := sealedHistory(t, 10)
	late := event("p", "late", now.Add(10*time.Minute))
	late.OccurredAt = now.AddDate(0, 0, -3)
	tooLate := event("p", "too-late", now.Add(11*time.Minute))
	tooLate.OccurredAt = now.Add(-timeline.LookBack - 24*time.Hour)
	appendEvents(t, s, late, tooLate)
	made, err := timeline.Sealer{Store: s, Clock: newClock(now.Add(time.Hour))}.Seal(t.Context(), "p")
	if err != nil || len(made) != 1 || len(made[0].Entries) != 1 || made[0].Entries[0].ID != "event:"+late.ID {
		t.Fatalf("sealed %v, %v; want one seal of the late event only", made, err)
	}
	rep, err := timeline.Verify(t.Context(), s, "p", "")
	if err != nil || !rep.OK() || rep.Unsealed != 1 {
		t.Errorf("verify %+v, %v; want OK with 1 unsealed (the event past the look-back)", rep, err)
	}
}

func recordFeedback(t *testing.T, s glassbox.Store, project, id string, at time.Time) {
	t.Helper()
	f := glassbox.Feedback{ID: id, ProjectID: project, Kind: glassbox.FeedbackRating, Score: 4, Comment: "Спасибо", MessageID: "digest-" + id, At: at}
	if err := s.RecordFeedback(t.Context(), f); err != nil {
		t.Fatal(err)
	}
}

// TestFeedbackOnTimeline: a client's approval decision and rating are timeline entries: sealed, listed, and a
// changed or deleted one is named by Verify.
func TestFeedbackOnTimeline(t *testing.T) {
	p := path(t)
	s := openStore(t, p)
	appendEvents(t, s, event("p", "a", t0))
	recordFeedback(t, s, "p", "ok", t0.Add(time.Minute))
	accepted := glassbox.Feedback{ID: "acc", ProjectID: "p", Kind: glassbox.FeedbackAccepted, Provider: "trello", TaskID: "card-a",
		Title: "Лендинг", MessageID: "notice-1", At: t0.Add(2 * time.Minute)}
	if err := s.RecordFeedback(t.Context(), accepted); err != nil {
		t.Fatal(err)
	}
	made, err := timeline.Sealer{Store: s, Clock: newClock(t0.Add(time.Hour))}.Seal(t.Context(), "p")
	if err != nil || len(made) != 1 || !slices.Equal(ids(made[0]), []string{"event:trello:a", "feedback:ok", "feedback:acc"}) {
		t.Fatalf("sealed %v, %v; want the event and both feedback items", made, err)
	}
	entries, err := timeline.Timeline(t.Context(), s, "p")
	if err != nil || len(entries) != 3 || entries[2].Feedback == nil || entries[2].Feedback.Kind != glassbox.FeedbackAccepted {
		t.Fatalf("timeline %+v, %v", entries, err)
	}
	s = forge(t, s, p, "feedback", "feedback_by_project", "ok", "score", 5, "acc")
	rep := mustVerify(t, s, "p", "")
	want := []timeline.Problem{
		{Seq: 1, EntryID: "feedback:ok", What: timeline.WhatChanged},
		{Seq: 1, EntryID: "feedback:acc", What: timeline.WhatMissing},
	}
	if !slices.Equal(rep.Problems, want) {
		t.Errorf("problems %v, want %v", rep.Problems, want)
	}
}

// TestBackdatedEntryIsNamed: an event, a message and a feedback item written with a time deep inside the sealed
// history (before the newest seal's end minus the look-back) are ones no sealer will take; nothing Glassbox
// does writes one, so Verify names each as added after sealing, in the seal its time falls in, instead of
// counting it as waiting for the next seal.
func TestBackdatedEntryIsNamed(t *testing.T) {
	s, now := sealedHistory(t, 10)
	back := now.AddDate(0, 0, -9).Add(3*time.Hour + 30*time.Minute) // day 1, inside seal 2's window
	appendEvents(t, s, event("p", "forged", back))
	sendMessage(t, s, "p", "forged-m", back.Add(time.Minute))
	recordFeedback(t, s, "p", "forged-f", back.Add(2*time.Minute))
	appendEvents(t, s, event("p", "fresh", now.Add(10*time.Minute))) // waits for the next seal: no problem
	rep, err := timeline.Verify(t.Context(), s, "p", "")
	if err != nil {
		t.Fatal(err)
	}
	want := []timeline.Problem{
		{Seq: 2, EntryID: "event:trello:forged", What: timeline.WhatBackdated},
		{Seq: 2, EntryID: "message:forged-m", What: timeline.WhatBackdated},
		{Seq: 2, EntryID: "feedback:forged-f", What: timeline.WhatBackdated},
	}
	if !slices.Equal(rep.Problems, want) || rep.Unsealed != 1 {
		t.Errorf("problems %v, unsealed %d; want %v and 1 unsealed", rep.Problems, rep.Unsealed, want)
	}
}
