package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// testReportDeliveries: a period's deliveries are read together, only that period's, and recording one again
// replaces it.
func testReportDeliveries(t *testing.T, s glassbox.Store) {
	ctx := context.Background()
	d := func(project, period string, n int, at time.Time) glassbox.ReportDelivery {
		kind := glassbox.ReportWeekly
		if len(period) == 7 {
			kind = glassbox.ReportMonthly
		}
		return glassbox.ReportDelivery{ProjectID: project, Kind: kind, Period: period, Messages: n, At: at}
	}
	for _, r := range []glassbox.ReportDelivery{
		d("p1", "2026-W47", 2, t0), d("p2", "2026-W47", 0, t0), d("p1", "2026-W48", 1, t0), d("p1", "2026-11", 3, t0),
		d("p1", "2026-W47", 4, t0.Add(time.Hour)), // recorded again: replaces
	} {
		if err := s.MarkReportDelivered(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ReportsDelivered(ctx, "2026-W47")
	if err != nil {
		t.Fatal(err)
	}
	want := []glassbox.ReportDelivery{d("p1", "2026-W47", 4, t0.Add(time.Hour)), d("p2", "2026-W47", 0, t0)}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("ReportsDelivered(2026-W47) (-want +got):\n%s", diff)
	}
	if got, err := s.ReportsDelivered(ctx, "2026-W46"); err != nil || len(got) != 0 {
		t.Errorf("a period without deliveries: %v, %v", got, err)
	}
}
