package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

var sealTests = []struct {
	name string
	fn   func(t *testing.T, s glassbox.Store)
}{
	{"SealsRoundTrip", testSealsRoundTrip},
	{"ConcurrentPutSeal", testConcurrentPutSeal},
	{"RecentSeals", testRecentSeals},
}

func seal(project string, seq int64, hash string) glassbox.Seal {
	return glassbox.Seal{
		ProjectID: project, Seq: seq, Prev: "prev", Root: "root", Hash: hash,
		From: t0.Add(time.Duration(seq-1) * time.Hour), To: t0.Add(time.Duration(seq) * time.Hour),
		Entries:  []glassbox.SealedEntry{{ID: "event:a", Leaf: "aa"}, {ID: "message:b", Leaf: "bb"}},
		SealedAt: t0.Add(time.Duration(seq)*time.Hour + time.Minute),
	}
}

// testSealsRoundTrip: seals read back whole, in order, only the project's; a taken number is ErrConflict and
// leaves the stored seal as it was.
func testSealsRoundTrip(t *testing.T, s glassbox.Store) {
	ctx := context.Background()
	if got, err := s.Seals(ctx, "p1"); err != nil || len(got) != 0 {
		t.Fatalf("no seals yet: %v, %v", got, err)
	}
	want := []glassbox.Seal{seal("p1", 1, "h1"), seal("p1", 2, "h2"), seal("p1", 10, "h10")}
	for _, x := range []glassbox.Seal{want[2], want[0], seal("p2", 1, "other"), want[1]} {
		if err := s.PutSeal(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutSeal(ctx, seal("p1", 2, "fork")); !errors.Is(err, glassbox.ErrConflict) {
		t.Errorf("PutSeal on a taken number: %v, want ErrConflict", err)
	}
	got, err := s.Seals(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("Seals(p1) (-want +got):\n%s", diff)
	}
}

// testConcurrentPutSeal: ten sealers racing for the same number: exactly one wins, the chain has one seal.
func testConcurrentPutSeal(t *testing.T, s glassbox.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 10 {
		wg.Go(func() {
			err := s.PutSeal(ctx, seal("p", 1, string(rune('a'+i))))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case !errors.Is(err, glassbox.ErrConflict):
				t.Errorf("PutSeal: %v", err)
			}
		})
	}
	wg.Wait()
	got, err := s.Seals(ctx, "p")
	if won != 1 || err != nil || len(got) != 1 {
		t.Errorf("%d sealers won, %d seals stored (%v), want 1 and 1", won, len(got), err)
	}
}

// testRecentSeals: the newest seal and the ones ending less than within before it, in order, only the
// project's; nothing sealed: none. Forty seals (more than a store's page) an hour apart.
func testRecentSeals(t *testing.T, s glassbox.Store) {
	ctx := context.Background()
	if got, err := s.RecentSeals(ctx, "p1", time.Hour); err != nil || len(got) != 0 {
		t.Fatalf("no seals yet: %v, %v", got, err)
	}
	var all []glassbox.Seal
	for i := int64(1); i <= 40; i++ {
		x := seal("p1", i, fmt.Sprintf("h%d", i))
		all = append(all, x)
		if err := s.PutSeal(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutSeal(ctx, seal("p2", 41, "other")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		within time.Duration
		want   []glassbox.Seal
	}{
		{0, all[39:]},
		{time.Hour, all[39:]},
		{time.Hour + time.Second, all[38:]},
		{35*time.Hour + time.Minute, all[4:]},
		{100 * time.Hour, all},
	} {
		got, err := s.RecentSeals(ctx, "p1", c.within)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c.want, got, opts); diff != "" {
			t.Errorf("RecentSeals(p1, %v) (-want +got):\n%s", c.within, diff)
		}
	}
}
