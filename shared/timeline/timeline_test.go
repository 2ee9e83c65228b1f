package timeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/timeline"
)

var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time   { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)  { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func newClock(t time.Time) *clock { return &clock{t: t} }
func path(t *testing.T) string    { return filepath.Join(t.TempDir(), "glassbox.db") }
func openStore(t *testing.T, p string) *localstore.Store {
	t.Helper()
	s, err := localstore.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func event(project, id string, received time.Time) glassbox.Event {
	return glassbox.Event{
		ID: "trello:" + id, ProjectID: project, BindingID: "b", Provider: "trello", ProviderEventID: id,
		Kind: glassbox.EventTaskMoved, TaskID: "card-" + id, Title: "Лендинг <b>" + id + "</b>", Status: glassbox.StatusDone,
		OccurredAt: received.Add(-time.Second), ReceivedAt: received,
	}
}

func appendEvents(t *testing.T, s glassbox.Store, evs ...glassbox.Event) {
	t.Helper()
	for _, e := range evs {
		if err := s.AppendEvent(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
}

func sendMessage(t *testing.T, s glassbox.Store, project, id string, sent time.Time) {
	t.Helper()
	m := glassbox.Message{
		ID: id, ProjectID: project, EventID: "trello:x", Kind: glassbox.MessageTaskDone, Audience: glassbox.AudienceClient,
		To: []glassbox.Person{{Name: "Client", Email: "c@example.com"}}, Subject: "Готово", Text: "text", HTML: "<p>html</p>",
		State: glassbox.MessageClaimed, ClaimToken: "tok", ClaimedAt: sent.Add(-time.Second),
	}
	if err := s.ClaimMessage(t.Context(), m, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkMessageSent(t.Context(), id, "tok", sent, "ses-"+id); err != nil {
		t.Fatal(err)
	}
}

func ids(s glassbox.Seal) []string {
	var out []string
	for _, e := range s.Entries {
		out = append(out, e.ID)
	}
	return out
}

func mustVerify(t *testing.T, s timeline.Reader, project, checkpoint string) timeline.Report {
	t.Helper()
	rep, err := timeline.Verify(t.Context(), s, project, checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestSealAndVerify: entries are sealed in arrival order (event ReceivedAt, message SentAt, ties by id), the
// last minute waits, a message not sent is not an entry, and the chain verifies with its head as a checkpoint.
func TestSealAndVerify(t *testing.T) {
	s := openStore(t, path(t))
	c := newClock(t0.Add(time.Hour))
	sealer := timeline.Sealer{Store: s, Clock: c}
	if made, err := sealer.Seal(t.Context(), "p"); err != nil || len(made) != 0 {
		t.Fatalf("nothing to seal: %v, %v", made, err)
	}
	appendEvents(t, s, event("p", "b", t0.Add(10*time.Minute)), event("p", "a", t0.Add(10*time.Minute)),
		event("p", "late-minute", t0.Add(time.Hour-30*time.Second)), event("other", "z", t0))
	sendMessage(t, s, "p", "m1", t0.Add(5*time.Minute))
	held := glassbox.Message{ID: "held", ProjectID: "p", State: glassbox.MessageHeld, ClaimedAt: t0,
		Hold: &glassbox.Hold{Until: t0.Add(2 * time.Hour)}}
	if err := s.HoldMessage(t.Context(), held); err != nil {
		t.Fatal(err)
	}
	made, err := sealer.Seal(t.Context(), "p")
	if err != nil || len(made) != 1 {
		t.Fatalf("Seal: %v, %v", made, err)
	}
	want := []string{"message:m1", "event:trello:a", "event:trello:b"}
	if got := ids(made[0]); !slices.Equal(got, want) {
		t.Errorf("sealed %v, want %v", got, want)
	}
	if !made[0].To.Equal(t0.Add(time.Hour - timeline.DefaultSettle)) {
		t.Errorf("seal ends at %s", made[0].To)
	}
	rep := mustVerify(t, s, "p", made[0].Hash)
	if !rep.OK() || !rep.CheckpointOK() || rep.Head != made[0].Hash || rep.Sealed != 3 || rep.Unsealed != 1 || rep.Seals != 1 {
		t.Errorf("Verify = %+v", rep)
	}
	// A checksum copied from an email may come in capitals or with the spaces around it: the same hash.
	if rep := mustVerify(t, s, "p", " "+strings.ToUpper(made[0].Hash)+"\n"); !rep.OK() || rep.CheckpointSeq != 1 {
		t.Errorf("the checkpoint in capitals, with spaces: %+v", rep)
	}
	if rep := mustVerify(t, s, "p", strings.Repeat("ab", 32)); rep.OK() || rep.CheckpointSeq != 0 {
		t.Errorf("an unknown checkpoint verifies: %+v", rep)
	}
	c.Set(t0.Add(2 * time.Hour))
	made2, err := sealer.Seal(t.Context(), "p")
	if err != nil || len(made2) != 1 || !slices.Equal(ids(made2[0]), []string{"event:trello:late-minute"}) {
		t.Fatalf("second seal: %v, %v", made2, err)
	}
	if made2[0].Prev != made[0].Hash || !made2[0].From.Equal(made[0].To) || made2[0].Seq != 2 {
		t.Errorf("second seal not chained: %+v", made2[0])
	}
	rep = mustVerify(t, s, "p", made[0].Hash)
	if !rep.OK() || rep.CheckpointSeq != 1 || rep.Head != made2[0].Hash || rep.Unsealed != 0 {
		t.Errorf("Verify after two seals = %+v", rep)
	}
}

// TestLateEntry: an event that arrived before a seal's end but was stored after the seal was made is sealed
// once, in the next seal.
func TestLateEntry(t *testing.T) {
	s := openStore(t, path(t))
	c := newClock(t0.Add(time.Hour))
	sealer := timeline.Sealer{Store: s, Clock: c}
	appendEvents(t, s, event("p", "a", t0))
	first, err := sealer.Seal(t.Context(), "p")
	if err != nil || len(first) != 1 {
		t.Fatal(first, err)
	}
	appendEvents(t, s, event("p", "late", t0.Add(time.Minute))) // arrived inside seal 1's window
	c.Set(t0.Add(2 * time.Hour))
	next, err := sealer.Seal(t.Context(), "p")
	if err != nil || len(next) != 1 || !slices.Equal(ids(next[0]), []string{"event:trello:late"}) {
		t.Fatalf("late entry: %v, %v", next, err)
	}
	if again, err := sealer.Seal(t.Context(), "p"); err != nil || len(again) != 0 {
		t.Errorf("sealed again: %v, %v", again, err)
	}
	if rep := mustVerify(t, s, "p", ""); !rep.OK() || rep.Sealed != 2 {
		t.Errorf("Verify = %+v", rep)
	}
}

// TestConcurrentSealers: eight sealers at once while events keep arriving: one chain, every entry sealed
// exactly once, and it verifies.
func TestConcurrentSealers(t *testing.T) {
	s := openStore(t, path(t))
	c := newClock(t0.Add(24 * time.Hour))
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() { appendEvents(t, s, event("p", fmt.Sprint(i), t0.Add(time.Duration(i)*time.Minute))) })
		if i%5 == 0 {
			wg.Go(func() {
				if _, err := (timeline.Sealer{Store: s, Clock: c, MaxEntries: 7}).Seal(context.Background(), "p"); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	if _, err := (timeline.Sealer{Store: s, Clock: c}).Seal(t.Context(), "p"); err != nil {
		t.Fatal(err)
	}
	seals, err := s.Seals(t.Context(), "p")
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, x := range seals {
		for _, id := range ids(x) {
			count[id]++
		}
	}
	if len(count) != 40 {
		t.Errorf("%d entries sealed, want 40", len(count))
	}
	for id, n := range count {
		if n != 1 {
			t.Errorf("%s sealed %d times", id, n)
		}
	}
	if rep := mustVerify(t, s, "p", ""); !rep.OK() || rep.Sealed != 40 {
		t.Errorf("Verify = %+v", rep)
	}
}

// TestMaxEntries: a backlog larger than one seal goes in several chained seals, each ending at its last entry.
func TestMaxEntries(t *testing.T) {
	s := openStore(t, path(t))
	for i := range 10 {
		appendEvents(t, s, event("p", fmt.Sprintf("%02d", i), t0.Add(time.Duration(i)*time.Minute)))
	}
	made, err := (timeline.Sealer{Store: s, Clock: newClock(t0.Add(time.Hour)), MaxEntries: 4}).Seal(t.Context(), "p")
	if err != nil || len(made) != 3 || len(made[0].Entries) != 4 || len(made[2].Entries) != 2 {
		t.Fatalf("Seal: %d seals, %v", len(made), err)
	}
	if !made[0].To.Equal(t0.Add(3 * time.Minute)) {
		t.Errorf("first seal ends %s, want its last entry's arrival", made[0].To)
	}
	if rep := mustVerify(t, s, "p", made[1].Hash); !rep.OK() || rep.CheckpointSeq != 2 {
		t.Errorf("Verify = %+v", rep)
	}
}

// TestTamperLocalstore changes one stored event's field and deletes another straight in the bbolt file:
// verification names both, and a checkpoint taken before the seal with them stays good.
func TestTamperLocalstore(t *testing.T) {
	p := path(t)
	s := openStore(t, p)
	c := newClock(t0.Add(time.Hour))
	sealer := timeline.Sealer{Store: s, Clock: c}
	appendEvents(t, s, event("p", "first", t0))
	first, err := sealer.Seal(t.Context(), "p")
	if err != nil || len(first) != 1 {
		t.Fatal(first, err)
	}
	appendEvents(t, s, event("p", "a", t0.Add(time.Hour)), event("p", "b", t0.Add(time.Hour+time.Minute)))
	sendMessage(t, s, "p", "m", t0.Add(time.Hour+2*time.Minute))
	c.Set(t0.Add(3 * time.Hour))
	if _, err := sealer.Seal(t.Context(), "p"); err != nil {
		t.Fatal(err)
	}
	// The project index too, as a careful forger would.
	s = forge(t, s, p, "events", "events_by_project", "trello:a", "title", "Лендинг сдан вовремя", "trello:b")
	rep := mustVerify(t, s, "p", first[0].Hash)
	want := []timeline.Problem{
		{Seq: 2, EntryID: "event:trello:a", What: timeline.WhatChanged},
		{Seq: 2, EntryID: "event:trello:b", What: timeline.WhatMissing},
	}
	if !slices.Equal(rep.Problems, want) {
		t.Errorf("problems %v, want %v", rep.Problems, want)
	}
	if rep.OK() || !rep.CheckpointOK() {
		t.Errorf("OK %v (want false), checkpoint before the tampered seal OK %v (want true)", rep.OK(), rep.CheckpointOK())
	}
}

// TestCanonicalData: the leaf commits to every stored field of an event but not to the sweep's bookkeeping,
// and to what a message said and when, but not to its later state (a bounce).
func TestCanonicalData(t *testing.T) {
	e := event("p", "a", t0)
	base, err := timeline.EventEntry(e)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(base.Data), `"title":"Лендинг <b>a</b>"`) || !strings.HasPrefix(string(base.Data), `{"bindingId":"b",`) {
		t.Errorf("canonical data not sorted, unescaped JSON: %s", base.Data)
	}
	for name, change := range map[string]func(*glassbox.Event){
		"title":      func(e *glassbox.Event) { e.Title += "!" },
		"receivedAt": func(e *glassbox.Event) { e.ReceivedAt = e.ReceivedAt.Add(time.Nanosecond) },
		"minutes":    func(e *glassbox.Event) { e.Minutes = 5 },
		"deal":       func(e *glassbox.Event) { e.Deal = &glassbox.DealChange{ID: "d"} },
	} {
		x := e
		change(&x)
		if en, _ := timeline.EventEntry(x); en.Leaf == base.Leaf {
			t.Errorf("changing %s keeps the leaf", name)
		}
	}
	x := e
	x.SweepAttempts, x.SweepAfter = 3, t0.Add(time.Hour)
	x.ReceivedAt = t0.In(time.FixedZone("MSK", 3*3600))
	if en, _ := timeline.EventEntry(x); en.Leaf != base.Leaf {
		t.Errorf("sweep bookkeeping or the zone changes the leaf: %s", en.Data)
	}
	m := glassbox.Message{ID: "m", ProjectID: "p", Text: "a", HTML: "<p>a</p>", SentAt: t0, State: glassbox.MessageSent}
	mb, _ := timeline.MessageEntry(m)
	bounced := m
	bounced.State, bounced.Failure, bounced.FailedAt = "bounced", "550", t0.Add(time.Hour)
	if en, _ := timeline.MessageEntry(bounced); en.Leaf != mb.Leaf {
		t.Error("a bounce changes the sent message's leaf")
	}
	edited := m
	edited.Text = "b"
	if en, _ := timeline.MessageEntry(edited); en.Leaf == mb.Leaf {
		t.Error("changing the text keeps the leaf")
	}
}

// TestSealAll: every configured project is sealed; no configuration yet is nothing to do.
func TestSealAll(t *testing.T) {
	s := openStore(t, path(t))
	sealer := timeline.Sealer{Store: s, Clock: newClock(t0.Add(time.Hour))}
	logger := slog.New(slog.DiscardHandler)
	if err := timeline.SealAll(t.Context(), s, sealer, logger); err != nil {
		t.Fatalf("no configuration: %v", err)
	}
	cfg := glassbox.Config{Projects: []glassbox.Project{{ID: "p1"}, {ID: "p2"}, {ID: "quiet"}}}
	if err := s.PutConfig(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	appendEvents(t, s, event("p1", "a", t0), event("p2", "b", t0))
	if err := timeline.SealAll(t.Context(), s, sealer, logger); err != nil {
		t.Fatal(err)
	}
	for project, want := range map[string]int{"p1": 1, "p2": 1, "quiet": 0} {
		if seals, err := s.Seals(t.Context(), project); err != nil || len(seals) != want {
			t.Errorf("%s: %d seals (%v), want %d", project, len(seals), err, want)
		}
	}
}

// TestCheckpoint: the checksum a digest carries is the newest seal's hash, read without sealing (what is new
// waits for the hourly seal), and empty for a project with nothing sealed; the dashboard's state names the same
// seal and the command that verifies it.
func TestCheckpoint(t *testing.T) {
	s := openStore(t, path(t))
	c := newClock(t0.Add(time.Hour))
	sealer := timeline.Sealer{Store: s, Clock: c}
	cp := timeline.Checkpoints{Store: s}
	dash := timeline.DashboardState{Store: s}
	if h, err := cp.Checkpoint(t.Context(), "p"); err != nil || h != "" {
		t.Fatalf("nothing sealed: %q, %v", h, err)
	}
	if line, err := dash.Verify(t.Context(), "p"); err != nil || line != "" {
		t.Fatalf("dashboard, nothing sealed: %q, %v", line, err)
	}
	appendEvents(t, s, event("p", "a", t0))
	if _, err := sealer.Seal(t.Context(), "p"); err != nil {
		t.Fatal(err)
	}
	appendEvents(t, s, event("p", "b", t0.Add(time.Minute)))
	h1, err := cp.Checkpoint(t.Context(), "p")
	seals, _ := s.Seals(t.Context(), "p")
	if err != nil || len(seals) != 1 || h1 != seals[0].Hash {
		t.Fatalf("Checkpoint = %q, %v; seals %v", h1, err, seals)
	}
	if seals, _ := s.Seals(t.Context(), "p"); len(seals) != 1 {
		t.Errorf("Checkpoint sealed: %d seals, want 1", len(seals))
	}
	line, err := dash.Verify(t.Context(), "p")
	want := "seal 1 · 2026-11-30 10:00 UTC · " + h1 + " · glassbox verify --project p --checkpoint " + h1
	if err != nil || line != want {
		t.Errorf("dashboard state = %q, %v\nwant %q", line, err, want)
	}
}

// forge edits the store's bbolt file as someone with the disk would: in the items bucket, one field of the item
// changed gets a new value, and the item deleted goes, with its entry in the project index. It closes s and
// returns the store opened again.
func forge(t *testing.T, s *localstore.Store, path, items, index, changed, field string, value any, deleted string) *localstore.Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(items))
		var v map[string]any
		if err := json.Unmarshal(b.Get([]byte(changed)), &v); err != nil {
			return err
		}
		v[field] = value
		raw, _ := json.Marshal(v)
		if err := b.Put([]byte(changed), raw); err != nil {
			return err
		}
		if err := b.Delete([]byte(deleted)); err != nil {
			return err
		}
		idx := tx.Bucket([]byte(index))
		cur := idx.Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			if string(v) == deleted {
				return idx.Delete(k)
			}
		}
		return fmt.Errorf("index of %s not found", deleted)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return openStore(t, path)
}
