package timeline_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/timeline"
)

// counting counts a sealer's store reads and the items they return.
type counting struct {
	s            *localstore.Store
	calls, items int
}

func (c *counting) EventsBetween(ctx context.Context, p string, from, to time.Time) ([]glassbox.Event, error) {
	r, err := c.s.EventsBetween(ctx, p, from, to)
	c.calls, c.items = c.calls+1, c.items+len(r)
	return r, err
}
func (c *counting) MessagesBetween(ctx context.Context, p string, from, to time.Time) ([]glassbox.Message, error) {
	r, err := c.s.MessagesBetween(ctx, p, from, to)
	c.calls, c.items = c.calls+1, c.items+len(r)
	return r, err
}
func (c *counting) RecentSeals(ctx context.Context, p string, within time.Duration) ([]glassbox.Seal, error) {
	r, err := c.s.RecentSeals(ctx, p, within)
	c.calls, c.items = c.calls+1, c.items+len(r)
	return r, err
}
func (c *counting) PutSeal(ctx context.Context, s glassbox.Seal) error { return c.s.PutSeal(ctx, s) }

// sealedHistory stores days of history (three events and a message a day), sealed daily as it went, and
// returns the store and the time just after it.
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
		if _, err := (timeline.Sealer{Store: s, Clock: newClock(day.Add(12 * time.Hour))}).Seal(t.Context(), "p"); err != nil {
			t.Fatal(err)
		}
	}
	return s, t0
}

// TestSealReadsDoNotGrowWithHistory: one seal run over the last hour's entries reads the same calls and items
// whether the project has 30 or 300 sealed days behind it: the entries since the look-back and the seals that
// could list them, never the whole history or chain. Sealing the whole history each run read 4× the days.
func TestSealReadsDoNotGrowWithHistory(t *testing.T) {
	type reads struct{ calls, items int }
	measure := func(days int) reads {
		s, now := sealedHistory(t, days)
		appendEvents(t, s, event("p", "new-1", now.Add(10*time.Minute)), event("p", "new-2", now.Add(20*time.Minute)))
		sendMessage(t, s, "p", "new-m", now.Add(30*time.Minute))
		c := &counting{s: s}
		made, err := timeline.Sealer{Store: c, Clock: newClock(now.Add(time.Hour))}.Seal(t.Context(), "p")
		if err != nil || len(made) != 1 || len(made[0].Entries) != 3 {
			t.Fatalf("%d days: sealed %v, %v; want one seal of the 3 new entries", days, made, err)
		}
		rep, err := timeline.Verify(t.Context(), s, "p", "")
		if err != nil || !rep.OK() || rep.Unsealed != 0 || rep.Sealed != 4*days+3 {
			t.Fatalf("%d days: verify %+v, %v", days, rep, err)
		}
		return reads{c.calls, c.items}
	}
	one, ten := measure(30), measure(300)
	if one != ten {
		t.Errorf("one seal run: %+v reads with 30 days of history, %+v with 300", one, ten)
	}
	// The look-back's week (a seal a day, 4 entries a day) and the new entries, not 30 or 300 days.
	if one.calls != 3 || one.items > 8*4+8+3 {
		t.Errorf("one seal run: %+v reads, want 3 calls and about a week of items", one)
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
