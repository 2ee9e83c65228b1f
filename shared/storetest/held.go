package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// heldTests are the contract of glassbox.HeldStore: held messages, their due-time index, batches, due tasks.
var heldTests = []struct {
	name string
	fn   func(t *testing.T, s glassbox.Store)
}{
	{"ConfigTimingRoundTrip", testConfigTiming},
	{"HoldMessage", testHoldMessage},
	{"ClaimHeldMessage", testClaimHeldMessage},
	{"ReleaseHeldMessage", testReleaseHeldMessage},
	{"HoldClaimedMessage", testHoldClaimedMessage},
	{"BatchHeld", testBatchHeld},
	{"DropHeld", testDropHeld},
	{"FailedHeldLeavesIndex", testFailedHeldLeavesIndex},
	{"DueTasks", testDueTasks},
}

func held(id string, until time.Time) glassbox.Message {
	m := message(id, "site", "", t0)
	m.ClaimToken = ""
	m.Hold = &glassbox.Hold{Until: until, Task: glassbox.HeldTask{Title: "Task " + id, Link: "https://example.com/" + id}}
	return m
}

func heldIDs(t *testing.T, s glassbox.Store, before time.Time) []string {
	t.Helper()
	ms, err := s.HeldMessages(t.Context(), before, 100)
	if err != nil {
		t.Fatalf("HeldMessages: %v", err)
	}
	ids := []string{}
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

func state(t *testing.T, s glassbox.Store, id string) glassbox.MessageState {
	t.Helper()
	m, err := s.Message(t.Context(), id)
	if err != nil {
		t.Fatalf("Message(%s): %v", id, err)
	}
	return m.State
}

// Quiet hours and the coalescing window come back as applied, weekends: false included (a nil Weekends is
// the default, true).
func testConfigTiming(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	no := false
	c := glassbox.Config{
		Agency: glassbox.Agency{Name: "Studio", Sender: "notify@studio.example", Locale: "ru", TimeZone: "Europe/Moscow",
			QuietHours: &glassbox.QuietHours{From: "22:00", To: "08:30", Weekends: &no}, Coalesce: "0"},
		Projects: []glassbox.Project{{ID: "p", ClientID: "c", Name: "P", QuietHours: &glassbox.QuietHours{Off: true}, Coalesce: "5m"}},
	}
	if err := s.PutConfig(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c.Agency, got.Agency, opts); diff != "" {
		t.Errorf("agency (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(c.Projects, got.Projects, opts); diff != "" {
		t.Errorf("projects (-want +got):\n%s", diff)
	}
}

// A held message is stored once (a second hold of its id changes nothing) and listed by its due time,
// earliest first, only once due before the given time.
func testHoldMessage(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	if err := s.HoldMessage(ctx, held("m2", t0.Add(2*time.Hour))); err != nil {
		t.Fatalf("HoldMessage: %v", err)
	}
	if err := s.HoldMessage(ctx, held("m1", t0.Add(time.Hour))); err != nil {
		t.Fatalf("HoldMessage: %v", err)
	}
	again := held("m1", t0.Add(5*time.Hour))
	if err := s.HoldMessage(ctx, again); !errors.Is(err, glassbox.ErrAlreadySent) {
		t.Errorf("holding m1 again = %v, want ErrAlreadySent", err)
	}
	if got, want := heldIDs(t, s, t0.Add(90*time.Minute)), []string{"m1"}; !cmp.Equal(got, want) {
		t.Errorf("due before +90m = %v, want %v", got, want)
	}
	if got, want := heldIDs(t, s, t0.Add(3*time.Hour)), []string{"m1", "m2"}; !cmp.Equal(got, want) {
		t.Errorf("due before +3h = %v, want %v", got, want)
	}
	m, err := s.Message(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if m.State != glassbox.MessageHeld || m.Hold == nil || !m.Hold.Until.Equal(t0.Add(time.Hour)) || m.Hold.Task.Title != "Task m1" {
		t.Errorf("held m1 = %+v %+v, want held until +1h with its task", m, m.Hold)
	}
}

// Claiming a held message works as for a new one; it stays listed while claimed (a flush that dies now leaves
// it to the next) and leaves the list once marked sent; then it can be neither held nor claimed again.
func testClaimHeldMessage(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	m := held("m1", t0)
	if err := s.HoldMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	m.ClaimToken, m.ClaimedAt = "tok-a", t0.Add(time.Minute)
	mustClaim(t, s, m)
	if got := heldIDs(t, s, t0.Add(time.Hour)); !cmp.Equal(got, []string{"m1"}) {
		t.Errorf("claimed held message listed = %v, want [m1]", got)
	}
	if err := s.MarkMessageSent(ctx, "m1", "tok-a", t0.Add(2*time.Minute), "ses-1"); err != nil {
		t.Fatalf("MarkMessageSent: %v", err)
	}
	if got := heldIDs(t, s, t0.Add(time.Hour)); len(got) != 0 {
		t.Errorf("sent message still listed: %v", got)
	}
	if err := s.HoldMessage(ctx, held("m1", t0)); !errors.Is(err, glassbox.ErrAlreadySent) {
		t.Errorf("hold after sent = %v, want ErrAlreadySent", err)
	}
	m.ClaimToken, m.ClaimedAt = "tok-b", t0.Add(time.Hour)
	if err := s.ClaimMessage(ctx, m, lease); !errors.Is(err, glassbox.ErrAlreadySent) {
		t.Errorf("claim after sent = %v, want ErrAlreadySent", err)
	}
}

// A held message whose send failed goes back to held, still listed, instead of being deleted: nothing else
// would send it.
func testReleaseHeldMessage(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	m := held("m1", t0)
	if err := s.HoldMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	m.ClaimToken, m.ClaimedAt = "tok-a", t0.Add(time.Minute)
	mustClaim(t, s, m)
	if err := s.ReleaseMessage(ctx, "m1", "tok-b"); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("release with another token = %v, want ErrConflict", err)
	}
	if err := s.ReleaseMessage(ctx, "m1", "tok-a"); err != nil {
		t.Fatalf("ReleaseMessage: %v", err)
	}
	if got := state(t, s, "m1"); got != glassbox.MessageHeld {
		t.Errorf("released held message is %q, want held", got)
	}
	if got := heldIDs(t, s, t0.Add(time.Hour)); !cmp.Equal(got, []string{"m1"}) {
		t.Errorf("released held message listed = %v, want [m1]", got)
	}
	// An earlier claim may have sent it before its worker died: it is tried, so it goes out only by itself,
	// under its own Message-ID, and never inside a coalesced message.
	ms, err := s.HeldMessages(ctx, t0.Add(time.Hour), 10)
	if err != nil || len(ms) != 1 || !ms[0].Hold.Tried || ms[0].Coalesces() {
		t.Errorf("released held message: %+v, %v; want it tried and not coalescing", ms, err)
	}
	b := message("b1", "site", "", t0.Add(time.Hour))
	b.ClaimToken, b.Kind = "", glassbox.MessageTasksDone
	b.Hold = &glassbox.Hold{Until: t0.Add(time.Hour), Members: []string{"m1"}}
	if err := s.BatchHeld(ctx, b); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("BatchHeld of a tried message = %v, want ErrConflict", err)
	}
	m.ClaimToken = "tok-c"
	mustClaim(t, s, m)
}

// Holding a message some attempt has claimed says so (ErrClaimHeld): that attempt may have died, and the
// caller must deliver it rather than forget it.
func testHoldClaimedMessage(t *testing.T, s glassbox.Store) {
	mustClaim(t, s, message("m1", "site", "tok-a", t0))
	if err := s.HoldMessage(t.Context(), held("m1", t0.Add(time.Hour))); !errors.Is(err, glassbox.ErrClaimHeld) {
		t.Errorf("hold of a claimed message = %v, want ErrClaimHeld", err)
	}
}

// A batch is written with its members moved to batched, all or nothing: a member no longer held stops the whole
// batch, and the members of a written batch can be neither batched again nor claimed.
func testBatchHeld(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	for i, id := range []string{"m1", "m2", "m3"} {
		if err := s.HoldMessage(ctx, held(id, t0.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	batch := func(id string, members ...string) glassbox.Message {
		b := message(id, "site", "", t0.Add(time.Hour))
		b.ClaimToken, b.Kind = "", glassbox.MessageTasksDone
		b.Hold = &glassbox.Hold{Until: t0.Add(time.Hour), Members: members}
		return b
	}
	if err := s.BatchHeld(ctx, batch("b1", "m1", "m2")); err != nil {
		t.Fatalf("BatchHeld: %v", err)
	}
	for _, id := range []string{"m1", "m2"} {
		m, err := s.Message(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.State != glassbox.MessageBatched || m.Hold == nil || m.Hold.Batch != "b1" {
			t.Errorf("%s = %s in %+v, want batched in b1", id, m.State, m.Hold)
		}
	}
	if got, want := heldIDs(t, s, t0.Add(2*time.Hour)), []string{"m3", "b1"}; !cmp.Equal(got, want) {
		t.Errorf("listed after the batch = %v, want %v", got, want)
	}
	if err := s.BatchHeld(ctx, batch("b2", "m3", "m2")); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("batching a batched member = %v, want ErrConflict", err)
	}
	if got := state(t, s, "m3"); got != glassbox.MessageHeld {
		t.Errorf("m3 after the refused batch is %q, want held (all or nothing)", got)
	}
	if _, err := s.Message(ctx, "b2"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("refused batch stored: %v", err)
	}
	if err := s.BatchHeld(ctx, batch("b1", "m3")); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("a batch id used twice = %v, want ErrConflict", err)
	}
	m1 := held("m1", t0)
	m1.ClaimToken, m1.ClaimedAt = "tok", t0.Add(time.Hour)
	if err := s.ClaimMessage(ctx, m1, lease); !errors.Is(err, glassbox.ErrAlreadySent) {
		t.Errorf("claim of a batched notice = %v, want ErrAlreadySent", err)
	}
}

// A task with a due date is listed while it is not done and the manager was not told about that due date; a
// moved due date lists it again.
func testDueTasks(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	due := t0.Add(24 * time.Hour)
	task := glassbox.Task{ProjectID: "site", Provider: "trello", TaskID: "c1", Title: "Logo", Status: glassbox.StatusInProgress,
		CreatedAt: t0, LastEventAt: t0, LastEventID: "trello:a1", Due: due, Version: 1}
	other := glassbox.Task{ProjectID: "site", Provider: "trello", TaskID: "c2", CreatedAt: t0, LastEventAt: t0, Version: 1}
	for _, tk := range []glassbox.Task{task, other} {
		if err := s.PutTask(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	list := func(before time.Time) []string {
		t.Helper()
		ts, err := s.DueTasks(ctx, before, 100)
		if err != nil {
			t.Fatalf("DueTasks: %v", err)
		}
		ids := []string{}
		for _, tk := range ts {
			ids = append(ids, tk.TaskID)
		}
		return ids
	}
	if got := list(due); len(got) != 0 {
		t.Errorf("due before its due date = %v, want none", got)
	}
	if got := list(due.Add(time.Second)); !cmp.Equal(got, []string{"c1"}) {
		t.Errorf("due after its due date = %v, want [c1]", got)
	}
	task.OverdueToldFor, task.Version = due, 2
	if err := s.PutTask(ctx, task); err != nil {
		t.Fatal(err)
	}
	if got := list(due.Add(time.Hour)); len(got) != 0 {
		t.Errorf("told task still listed: %v", got)
	}
	task.Due, task.Version = due.Add(48*time.Hour), 3
	if err := s.PutTask(ctx, task); err != nil {
		t.Fatal(err)
	}
	if got := list(due.Add(49 * time.Hour)); !cmp.Equal(got, []string{"c1"}) {
		t.Errorf("moved due date listed = %v, want [c1]", got)
	}
	task.Status, task.Version = glassbox.StatusDone, 4
	if err := s.PutTask(ctx, task); err != nil {
		t.Fatal(err)
	}
	if got := list(due.Add(49 * time.Hour)); len(got) != 0 {
		t.Errorf("done task listed: %v", got)
	}
}

// A dropped held message leaves the waiting ones for good: it can be neither dropped, held nor claimed again.
func testDropHeld(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	for _, id := range []string{"m1", "m2"} {
		if err := s.HoldMessage(ctx, held(id, t0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DropHeld(ctx, "m1"); err != nil {
		t.Fatalf("DropHeld: %v", err)
	}
	if got := heldIDs(t, s, t0.Add(time.Hour)); !cmp.Equal(got, []string{"m2"}) {
		t.Errorf("listed after the drop = %v, want [m2]", got)
	}
	if got := state(t, s, "m1"); got != glassbox.MessageDropped {
		t.Errorf("dropped message is %q", got)
	}
	if err := s.DropHeld(ctx, "m1"); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("dropping twice = %v, want ErrConflict", err)
	}
	if err := s.DropHeld(ctx, "nothing"); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("dropping a missing message = %v, want ErrConflict", err)
	}
	if err := s.HoldMessage(ctx, held("m1", t0)); !errors.Is(err, glassbox.ErrAlreadySent) {
		t.Errorf("holding a dropped message = %v, want ErrAlreadySent", err)
	}
	m := held("m1", t0)
	m.ClaimToken, m.ClaimedAt = "tok", t0.Add(time.Minute)
	if err := s.ClaimMessage(ctx, m, lease); !errors.Is(err, glassbox.ErrAlreadySent) {
		t.Errorf("claiming a dropped message = %v, want ErrAlreadySent", err)
	}
	mustClaim(t, s, message("m3", "site", "tok-a", t0))
	if err := s.DropHeld(ctx, "m3"); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("dropping a claimed message = %v, want ErrConflict", err)
	}
}

// A held message that fails for good (every recipient suppressed, the bot removed from the chat) leaves the
// waiting messages: left there, every flush would read it, claim it in vain and count it, and enough of them
// would fill the flush's limit so that newer held messages are never read. HeldMessages counts only waiting
// messages towards its limit.
func testFailedHeldLeavesIndex(t *testing.T, s glassbox.Store) {
	ctx := t.Context()
	for i, id := range []string{"m1", "m2", "m3"} {
		if err := s.HoldMessage(ctx, held(id, t0.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"m1", "m2"} {
		m := held(id, t0)
		m.ClaimToken, m.ClaimedAt = "tok-"+id, t0.Add(time.Hour)
		mustClaim(t, s, m)
		if err := s.FailMessage(ctx, id, "tok-"+id, t0.Add(time.Hour), "chat -100 is suppressed"); err != nil {
			t.Fatalf("FailMessage(%s): %v", id, err)
		}
	}
	if got := heldIDs(t, s, t0.Add(2*time.Hour)); !cmp.Equal(got, []string{"m3"}) {
		t.Errorf("listed after two failed = %v, want [m3]", got)
	}
	ms, err := s.HeldMessages(ctx, t0.Add(2*time.Hour), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].ID != "m3" {
		t.Errorf("HeldMessages(limit 1) = %d messages, want [m3]", len(ms))
	}
	if got := state(t, s, "m1"); got != glassbox.MessageFailed {
		t.Errorf("failed held message is %q, want failed", got)
	}
	if err := s.HoldMessage(ctx, held("m1", t0)); !errors.Is(err, glassbox.ErrAlreadySent) {
		t.Errorf("holding a failed message = %v, want ErrAlreadySent", err)
	}
}
