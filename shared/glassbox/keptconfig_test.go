package glassbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// A kept configuration is read once per TTL, again at once when it lacks what the caller needs, not kept when
// the read fails, and read every time with no TTL.
func TestKeptConfig(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	reads, fail := 0, false
	projects := []glassbox.Project{{ID: "a"}}
	read := func(context.Context) (glassbox.Config, error) {
		if fail {
			return glassbox.Config{}, errors.New("throttled")
		}
		reads++
		return glassbox.Config{Projects: append([]glassbox.Project(nil), projects...)}, nil
	}
	hasB := func(c glassbox.Config) bool { _, ok := c.Project("b"); return ok }
	k := &glassbox.KeptConfig{TTL: time.Minute}
	for _, step := range []struct {
		name      string
		at        time.Duration
		has       func(glassbox.Config) bool
		addB, err bool
		reads     int
	}{
		{"first read", 0, nil, false, false, 1},
		{"kept within the TTL", 30 * time.Second, nil, false, false, 1},
		{"a project the copy lacks: read at once", 40 * time.Second, hasB, true, false, 2},
		{"the fresh copy has it: kept", 50 * time.Second, hasB, false, false, 2},
		{"past the TTL", 2 * time.Minute, nil, false, false, 3},
		{"a clock gone back: read", time.Minute, nil, false, false, 4},
		{"a failed read keeps nothing", 5 * time.Minute, nil, false, true, 4},
	} {
		if step.addB {
			projects = append(projects, glassbox.Project{ID: "b"})
		}
		fail = step.err
		_, err := k.Get(ctx, t0.Add(step.at), read, step.has)
		if (err != nil) != step.err || reads != step.reads {
			t.Errorf("%s: err %v, %d reads; want error %v, %d reads", step.name, err, reads, step.err, step.reads)
		}
	}
	none := &glassbox.KeptConfig{}
	reads, fail = 0, false
	for range 3 {
		if _, err := none.Get(ctx, t0, read, nil); err != nil {
			t.Fatal(err)
		}
	}
	if reads != 3 {
		t.Errorf("no TTL: %d reads for 3 gets, want 3", reads)
	}
}
