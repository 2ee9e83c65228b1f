package timeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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

// TestCheckpoint: the checksum a digest carries is the head after sealing: the event received a minute (past
// the settle) before is in the seal it names, and it is empty for a project with nothing stored; Latest names
// the same seal. With nothing new it seals nothing and names the newest seal.
func TestCheckpoint(t *testing.T) {
	s := openStore(t, path(t))
	c := newClock(t0.Add(time.Hour))
	sealer := timeline.Sealer{Store: s, Clock: c}
	if h, err := sealer.Checkpoint(t.Context(), "p"); err != nil || h != "" {
		t.Fatalf("nothing stored: %q, %v", h, err)
	}
	if h, err := timeline.Latest(t.Context(), s, "p"); err != nil || h.Seq != 0 {
		t.Fatalf("Latest, nothing sealed: %+v, %v", h, err)
	}
	appendEvents(t, s, event("p", "a", t0))
	if _, err := sealer.Seal(t.Context(), "p"); err != nil {
		t.Fatal(err)
	}
	// Received a minute and a second before the digest: past the settle, so the digest's seal takes it.
	c.Set(t0.Add(2 * time.Hour))
	appendEvents(t, s, event("p", "b", c.Now().Add(-timeline.DefaultSettle-time.Second)))
	h2, err := sealer.Checkpoint(t.Context(), "p")
	seals, _ := s.Seals(t.Context(), "p")
	if err != nil || len(seals) != 2 || h2 != seals[1].Hash || !slices.Equal(ids(seals[1]), []string{"event:trello:b"}) {
		t.Fatalf("Checkpoint = %q, %v; seals %+v", h2, err, seals)
	}
	if h, err := sealer.Checkpoint(t.Context(), "p"); err != nil || h != h2 {
		t.Errorf("nothing new: Checkpoint = %q, %v; want the newest seal %q", h, err, h2)
	}
	if seals, _ := s.Seals(t.Context(), "p"); len(seals) != 2 {
		t.Errorf("nothing new, yet %d seals, want 2", len(seals))
	}
	head, err := timeline.Latest(t.Context(), s, "p")
	if err != nil || head.Seq != 2 || head.Hash != h2 || !head.To.Equal(seals[1].To) || !head.SealedAt.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("Latest = %+v, %v; want seal 2 (%s)", head, err, h2)
	}
}

// failingSeals is a store whose seal puts fail with err.
type failingSeals struct {
	*localstore.Store
	err error
}

func (f failingSeals) PutSeal(context.Context, glassbox.Seal) error { return f.err }

// TestCheckpointFallsBack: when the digest's seal fails (a store error, a conflict on every try), the
// checksum is the newest seal already stored, the failure is logged, and the digest is not failed.
func TestCheckpointFallsBack(t *testing.T) {
	for name, err := range map[string]error{
		"StoreError":    errors.New("ProvisionedThroughputExceededException"),
		"ConflictStorm": fmt.Errorf("dynamo: put seal: %w", glassbox.ErrConflict),
	} {
		t.Run(name, func(t *testing.T) {
			s := openStore(t, path(t))
			c := newClock(t0.Add(time.Hour))
			appendEvents(t, s, event("p", "a", t0))
			made, err2 := (timeline.Sealer{Store: s, Clock: c}).Seal(t.Context(), "p")
			if err2 != nil || len(made) != 1 {
				t.Fatal(made, err2)
			}
			appendEvents(t, s, event("p", "b", t0.Add(time.Minute)))
			var logs strings.Builder
			sealer := timeline.Sealer{Store: failingSeals{s, err}, Clock: c, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
			h, err2 := sealer.Checkpoint(t.Context(), "p")
			if err2 != nil || h != made[0].Hash {
				t.Errorf("Checkpoint = %q, %v; want the stored seal %q", h, err2, made[0].Hash)
			}
			if !strings.Contains(logs.String(), "sealing for a digest failed") {
				t.Errorf("the failure is not logged:\n%s", logs.String())
			}
		})
	}
}

// hangingAuthority is a timestamp authority that answers nothing until the caller gives up.
type hangingAuthority struct{ calls *atomic.Int64 }

func (a hangingAuthority) Stamp(ctx context.Context, _ []byte) ([]byte, time.Time, error) {
	a.calls.Add(1)
	<-ctx.Done()
	return nil, time.Time{}, ctx.Err()
}

// TestCheckpointAuthorityDown: an authority that does not answer delays the digests' seals by one stamp
// timeout in all, not one per project: the first seal waits Timeout and is stored unstamped, the next ones do
// not ask; after the pause it is asked again.
func TestCheckpointAuthorityDown(t *testing.T) {
	s := openStore(t, path(t))
	c := newClock(t0.Add(time.Hour))
	var calls atomic.Int64
	wall := newClock(t0)
	breaker := &timeline.StampBreaker{Stamper: hangingAuthority{&calls}, Timeout: 50 * time.Millisecond, Pause: 10 * time.Minute, Now: wall.Now}
	sealer := timeline.Sealer{Store: s, Clock: c, Stamper: breaker}
	start := time.Now()
	for i := range 5 {
		project := fmt.Sprint("p", i)
		appendEvents(t, s, event(project, project+"-a", t0))
		h, err := sealer.Checkpoint(t.Context(), project)
		if err != nil || h == "" {
			t.Fatalf("%s: Checkpoint = %q, %v", project, h, err)
		}
		if seals, _ := s.Seals(t.Context(), project); len(seals) != 1 || seals[0].Hash != h || len(seals[0].Timestamp) != 0 {
			t.Errorf("%s: seals %+v, want one unstamped seal with hash %s", project, seals, h)
		}
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("five seals took %v with the authority down", took)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the authority was asked %d times, want once per pause", n)
	}
	wall.Set(t0.Add(11 * time.Minute))
	appendEvents(t, s, event("p0", "p0-b", t0.Add(time.Minute)))
	if _, err := sealer.Checkpoint(t.Context(), "p0"); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("after the pause the authority was asked %d times in all, want 2", n)
	}
}

// TestConcurrentCheckpoints: two digest ticks (and the hourly seal) at once while events arrive: one chain,
// every entry sealed once, and each checksum is a hash in it.
func TestConcurrentCheckpoints(t *testing.T) {
	s := openStore(t, path(t))
	c := newClock(t0.Add(24 * time.Hour))
	sealer := timeline.Sealer{Store: s, Clock: c, MaxEntries: 7}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		hashes []string
	)
	for i := range 40 {
		wg.Go(func() { appendEvents(t, s, event("p", fmt.Sprint(i), t0.Add(time.Duration(i)*time.Minute))) })
		if i%4 == 0 {
			wg.Go(func() {
				h, err := sealer.Checkpoint(context.Background(), "p")
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				hashes = append(hashes, h)
				mu.Unlock()
			})
			wg.Go(func() {
				if _, err := sealer.Seal(context.Background(), "p"); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	if _, err := sealer.Checkpoint(t.Context(), "p"); err != nil {
		t.Fatal(err)
	}
	seals, err := s.Seals(t.Context(), "p")
	if err != nil {
		t.Fatal(err)
	}
	count, chain := map[string]int{}, map[string]bool{"": true}
	for _, x := range seals {
		chain[x.Hash] = true
		for _, id := range ids(x) {
			count[id]++
		}
	}
	for id, n := range count {
		if n != 1 {
			t.Errorf("%s sealed %d times", id, n)
		}
	}
	if len(count) != 40 {
		t.Errorf("%d entries sealed, want 40", len(count))
	}
	for _, h := range hashes {
		if !chain[h] {
			t.Errorf("checksum %s is no seal of the chain", h)
		}
	}
	if rep := mustVerify(t, s, "p", ""); !rep.OK() || rep.Sealed != 40 {
		t.Errorf("Verify = %+v", rep)
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
