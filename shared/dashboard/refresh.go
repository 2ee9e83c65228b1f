package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/glassbox-oss/glassbox/shared/digest"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/timeline"
)

// RefreshStore is what making a project's snapshot reads and writes: its figures, its newest seal, its whole
// timeline for the check (timeline.Reader), and the snapshot itself.
type RefreshStore interface {
	Config(ctx context.Context) (glassbox.Config, error)
	MetricsBetween(ctx context.Context, projectID, from, to string) ([]glassbox.Metric, error)
	timeline.Reader
	timeline.RecentReader
	DashboardSnapshot(ctx context.Context, projectID string) (glassbox.DashboardSnapshot, error)
	PutDashboardSnapshot(ctx context.Context, s glassbox.DashboardSnapshot) error
}

// DefaultCheckEvery is how often a refresh verifies a project's whole timeline (it reads the whole history).
const DefaultCheckEvery = 24 * time.Hour

// CheckReserve is how much of a run's deadline a whole-history check needs left to start. Every project's
// daily check falls due in the same hourly run; those that would not fit are left to the next runs (their
// figures and seal are still refreshed), so a large agency's checks spread out instead of timing the run out.
const CheckReserve = 30 * time.Second

// maxProblems bounds the problems a snapshot keeps; glassbox verify lists them all.
const maxProblems = 5

// Refresher keeps the dashboards' snapshots (glassbox.DashboardSnapshot): SealFunction runs it after each
// hourly seal, glassbox dev at each tick. Per project it reads the newest seal, the chart's weeks of figures
// and the stored snapshot, and writes only when something changed; once per CheckEvery it verifies the whole
// timeline.
type Refresher struct {
	Store RefreshStore
	Clock glassbox.Clock
	// CheckEvery is how often the whole timeline is verified (DefaultCheckEvery when zero).
	CheckEvery time.Duration
	Logger     *slog.Logger
}

// RefreshAll refreshes every configured project's snapshot. A project that fails is logged and the others are
// still refreshed; the error then says how many failed. No configuration yet: nothing to do.
func (r Refresher) RefreshAll(ctx context.Context) error {
	cfg, err := r.Store.Config(ctx)
	if errors.Is(err, glassbox.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dashboard: refresh: %w", err)
	}
	failed := 0
	for _, p := range cfg.Projects {
		if err := r.Refresh(ctx, cfg, p); err != nil {
			failed++
			r.logger().Error("dashboard: refresh failed", "project", p.ID, "error", err.Error())
		}
	}
	if failed > 0 {
		return fmt.Errorf("dashboard: refresh failed for %d of %d projects", failed, len(cfg.Projects))
	}
	return nil
}

// Refresh makes one project's snapshot and stores it when it differs from the stored one.
func (r Refresher) Refresh(ctx context.Context, cfg glassbox.Config, p glassbox.Project) error {
	now := r.Clock.Now().UTC()
	old, err := r.Store.DashboardSnapshot(ctx, p.ID)
	if err != nil && !errors.Is(err, glassbox.ErrNotFound) {
		return err
	}
	snap := glassbox.DashboardSnapshot{ProjectID: p.ID, At: now, Check: old.Check}
	if snap.Seal, err = timeline.Latest(ctx, r.Store, p.ID); err != nil {
		return err
	}
	weekStart := chartStart(now.In(cfg.ProjectZone(p)))
	ms, err := r.Store.MetricsBetween(ctx, p.ID, weekStart.Format(time.DateOnly), weekStart.AddDate(0, 0, 7*ChartWeeks).Format(time.DateOnly))
	if err != nil {
		return fmt.Errorf("dashboard: figures of %s: %w", p.ID, err)
	}
	snap.Weeks = weeklyFigures(p.ID, digest.Weeks(ms, weekStart, ChartWeeks))
	every := r.CheckEvery
	if every == 0 {
		every = DefaultCheckEvery
	}
	// The seal the page stated (and a digest may have carried) must stay in the chain: seals are never removed
	// or replaced. A newest seal older than it, or another under its number, is checked at once; every check
	// asks for it; and while a check finds problems, each refresh checks again (the table may be restored).
	shown := old.Seal
	cut := shown.Seq > 0 && (snap.Seal.Seq < shown.Seq || (snap.Seal.Seq == shown.Seq && snap.Seal.Hash != shown.Hash))
	broken := old.Check != nil && len(old.Check.Problems) > 0
	// Checked when due, and at once when the last check found nothing sealed and a seal exists now (a project's
	// first seal), so the page never states a check of an empty chain beside a seal.
	var checkErr error
	due := old.Check == nil || now.Sub(old.Check.At) >= every || (old.Check.Seals == 0 && snap.Seal.Seq > 0) || cut || broken
	if deadline, ok := ctx.Deadline(); due && ok && time.Until(deadline) < CheckReserve {
		r.logger().Info("dashboard: the timeline's check is left to the next run", "project", p.ID)
		due = false
	}
	if due {
		checkErr = r.check(ctx, p.ID, shown, &snap, now)
	}
	if same(old, snap) {
		return checkErr
	}
	if err := r.Store.PutDashboardSnapshot(ctx, snap); err != nil {
		return err
	}
	return checkErr
}

// check verifies the project's whole timeline, asking for the seal the page stated (shown), into snap.Check.
// The check reads the whole history: when it fails (one item that no longer decodes, a store too slow for it)
// snap keeps the last check, with its date, so the figures and the seal are still refreshed; the next refresh
// tries again, and the error reports the failure.
func (r Refresher) check(ctx context.Context, projectID string, shown glassbox.SealHead, snap *glassbox.DashboardSnapshot, now time.Time) error {
	rep, err := timeline.Verify(ctx, r.Store, projectID, shown.Hash)
	if err != nil {
		return fmt.Errorf("dashboard: check of %s: %w", projectID, err)
	}
	snap.Check = checkOf(rep, now)
	if shown.Seq > 0 && rep.CheckpointSeq == 0 {
		// The page keeps stating the seal it stated, and says it is gone.
		snap.Seal = shown
		snap.Check.Problems = append([]string{fmt.Sprintf("seal %d (%s), stated here before, is no longer in the chain", shown.Seq, shown.Hash)},
			snap.Check.Problems...)
	}
	if len(snap.Check.Problems) > 0 {
		r.logger().Error("dashboard: the timeline does not verify", "project", projectID, "problems", len(snap.Check.Problems))
	}
	return nil
}

func (r Refresher) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.Default()
	}
	return r.Logger
}

// chartStart is the Monday the chart's first week starts on: ChartWeeks weeks ending with the current one.
func chartStart(local time.Time) time.Time {
	return mondayOf(local).AddDate(0, 0, -7*(ChartWeeks-1))
}

// weeklyFigures stores the weeks as figures dated their Monday, one per currency spent (or one with none),
// leads and minutes on the first, so summing them by week (digest.Weeks) gives the weeks back.
func weeklyFigures(projectID string, weeks []digest.WeekFigures) []glassbox.Metric {
	var out []glassbox.Metric
	for _, w := range weeks {
		if !w.Any {
			continue
		}
		first := glassbox.Metric{ProjectID: projectID, Date: w.From.Format(time.DateOnly), Leads: w.Leads, Minutes: w.Minutes}
		currencies := slices.Sorted(maps.Keys(w.Spend))
		if len(currencies) == 0 {
			out = append(out, first)
			continue
		}
		for i, c := range currencies {
			m := first
			if i > 0 {
				m.Leads, m.Minutes = 0, 0
			}
			m.Spend, m.Currency = w.Spend[c], c
			out = append(out, m)
		}
	}
	return out
}

func checkOf(rep timeline.Report, now time.Time) *glassbox.TimelineCheck {
	c := &glassbox.TimelineCheck{At: now, Seals: rep.Seals, Head: rep.Head, Sealed: rep.Sealed, Unsealed: rep.Unsealed}
	for i, p := range rep.Problems {
		if i == maxProblems {
			c.Problems = append(c.Problems, fmt.Sprintf("… and %d more (glassbox verify --project %s)", len(rep.Problems)-i, rep.ProjectID))
			break
		}
		c.Problems = append(c.Problems, p.String())
	}
	return c
}

// same says two snapshots show the same, whenever they were made.
func same(a, b glassbox.DashboardSnapshot) bool {
	a.At, b.At = time.Time{}, time.Time{}
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}
