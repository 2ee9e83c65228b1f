package timeline

import (
	"context"
	"fmt"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Head is a project's newest seal: what a digest carries and what the dashboard shows. Zero when nothing is
// sealed yet.
type Head struct {
	Seq      int64
	Hash     string
	SealedAt time.Time
	// Timestamped says an RFC 3161 authority stamped it.
	Timestamped bool
}

// RecentReader reads a project's newest seals (glassbox.SealStore.RecentSeals).
type RecentReader interface {
	RecentSeals(ctx context.Context, projectID string, within time.Duration) ([]glassbox.Seal, error)
}

// Latest reads a project's newest seal: one Query of one item, whatever the history's length.
func Latest(ctx context.Context, r RecentReader, projectID string) (Head, error) {
	seals, err := r.RecentSeals(ctx, projectID, 0)
	if err != nil {
		return Head{}, fmt.Errorf("timeline: newest seal of %s: %w", projectID, err)
	}
	if len(seals) == 0 {
		return Head{}, nil
	}
	s := seals[len(seals)-1]
	return Head{Seq: s.Seq, Hash: s.Hash, SealedAt: s.SealedAt.UTC(), Timestamped: len(s.Timestamp) > 0}, nil
}

// DashboardState is the dashboard's timeline state (dashboard.Seals): the newest seal's number, time and hash,
// and the command that verifies the history up to it. It does not verify: verifying reads the project's whole
// history and every seal (Verify, glassbox verify), which a page view must not; the hash is what anyone can
// check, with glassbox verify or the standalone check over the JSON export (docs/timeline.md).
type DashboardState struct {
	Store RecentReader
}

// Verify returns the one-line state: "" when nothing is sealed yet (the page says "not yet sealed").
func (d DashboardState) Verify(ctx context.Context, projectID string) (string, error) {
	h, err := Latest(ctx, d.Store, projectID)
	if err != nil || h.Seq == 0 {
		return "", err
	}
	return fmt.Sprintf("seal %d · %s · %s · glassbox verify --project %s --checkpoint %s",
		h.Seq, h.SealedAt.Format("2006-01-02 15:04 UTC"), h.Hash, projectID, h.Hash), nil
}
