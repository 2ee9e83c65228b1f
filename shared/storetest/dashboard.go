package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

var dashboardTests = []struct {
	name string
	fn   func(t *testing.T, s glassbox.Store)
}{
	{"DashboardLinks", testDashboardLinks},
}

// testDashboardLinks: a link is found by its hash only, a second one with the same hash is refused, revoking
// keeps the first time, and listing returns every link oldest first.
func testDashboardLinks(t *testing.T, s glassbox.Store) {
	ctx := context.Background()
	a := glassbox.DashboardLink{Hash: "aa11", ProjectID: "p1", CreatedAt: t0, ExpiresAt: t0.AddDate(1, 0, 0)}
	b := glassbox.DashboardLink{Hash: "bb22", ClientID: "c1", CreatedAt: t0.Add(time.Hour).In(moscow)}
	for _, l := range []glassbox.DashboardLink{b, a} {
		if err := s.CreateDashboardLink(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateDashboardLink(ctx, glassbox.DashboardLink{Hash: "aa11", ProjectID: "p2", CreatedAt: t0}); !errors.Is(err, glassbox.ErrDuplicate) {
		t.Errorf("second link with one hash = %v, want ErrDuplicate", err)
	}
	got, err := s.DashboardLink(ctx, "aa11")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got, opts); diff != "" {
		t.Errorf("DashboardLink (-want +got):\n%s", diff)
	}
	if _, err := s.DashboardLink(ctx, "aa1"); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("a prefix of a hash = %v, want ErrNotFound", err)
	}
	if err := s.RevokeDashboardLink(ctx, "aa11", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeDashboardLink(ctx, "aa11", t0.Add(3*time.Hour)); err != nil {
		t.Errorf("revoking twice = %v, want nil", err)
	}
	if err := s.RevokeDashboardLink(ctx, "cc33", t0); !errors.Is(err, glassbox.ErrNotFound) {
		t.Errorf("revoking a missing link = %v, want ErrNotFound", err)
	}
	a.RevokedAt = t0.Add(2 * time.Hour)
	list, err := s.DashboardLinks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]glassbox.DashboardLink{a, b}, list, opts); diff != "" {
		t.Errorf("DashboardLinks (-want +got):\n%s", diff)
	}
	if list[0].Live(t0.Add(time.Hour)) {
		t.Error("a revoked link is live")
	}
}
