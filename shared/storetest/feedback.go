package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

var feedbackTests = []struct {
	name string
	fn   func(t *testing.T, s glassbox.Store)
}{
	{"Feedback", testFeedback},
}

// testFeedback: an item is recorded once (the same id again is a duplicate that changes nothing), read back by
// id, and listed by project and recorded time, from inclusive and to exclusive, oldest first.
func testFeedback(t *testing.T, s glassbox.Store) {
	ctx := context.Background()
	item := func(project string, kind glassbox.FeedbackKind, task string, score int, at time.Time) glassbox.Feedback {
		return glassbox.Feedback{
			ID: glassbox.FeedbackID(kind, project, "trello", task, "msg-"+task, score), ProjectID: project, Kind: kind,
			Provider: "trello", TaskID: task, Title: "Макет «главной»", Score: score, Comment: "кнопку синей", MessageID: "msg-" + task, At: at,
		}
	}
	a := item("p1", glassbox.FeedbackChangesRequested, "c1", 0, t0)
	b := item("p1", glassbox.FeedbackAccepted, "c1", 0, t0.Add(time.Hour))
	r := glassbox.Feedback{ID: glassbox.FeedbackID(glassbox.FeedbackRating, "p1", "", "", "digest-1", 2), ProjectID: "p1", Kind: glassbox.FeedbackRating, Score: 2, MessageID: "digest-1", At: t0.Add(2 * time.Hour)}
	other := item("p2", glassbox.FeedbackAccepted, "c9", 0, t0.Add(time.Hour))
	for _, f := range []glassbox.Feedback{b, a, r, other} {
		if err := s.RecordFeedback(ctx, f); err != nil {
			t.Fatalf("RecordFeedback(%s): %v", f.ID, err)
		}
	}
	again := a
	again.Comment, again.At = "другой комментарий", t0.Add(5*time.Hour)
	if err := s.RecordFeedback(ctx, again); !errors.Is(err, glassbox.ErrDuplicate) {
		t.Errorf("recording the same id again: %v, want ErrDuplicate", err)
	}
	got, err := s.FeedbackItem(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got, opts); diff != "" {
		t.Errorf("FeedbackItem (-want +got):\n%s", diff)
	}
	if _, err := s.FeedbackItem(ctx, "fb:none"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("FeedbackItem of a missing id: %v, want ErrNotFound", err)
	}
	list, err := s.FeedbackBetween(ctx, "p1", t0, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]glassbox.Feedback{a, b}, list, opts); diff != "" {
		t.Errorf("FeedbackBetween(p1, [t0, t0+2h)) (-want +got):\n%s", diff)
	}
	if list, err := s.FeedbackBetween(ctx, "p1", t0.Add(time.Minute), t0.Add(3*time.Hour)); err != nil || len(list) != 2 || list[1].Kind != glassbox.FeedbackRating {
		t.Errorf("FeedbackBetween(p1, [t0+1m, t0+3h)) = %+v, %v; want the acceptance and the rating", list, err)
	}
	if list, err := s.FeedbackBetween(ctx, "p3", t0, t0.Add(time.Hour)); err != nil || len(list) != 0 {
		t.Errorf("a project without feedback: %v, %v", list, err)
	}
}
