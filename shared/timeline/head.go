package timeline

import (
	"context"
	"fmt"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Head is a project's newest seal: what a digest carries and what the dashboard shows. Zero when nothing is
// sealed yet.
type Head = glassbox.SealHead

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
	return Head{Seq: s.Seq, Hash: s.Hash, To: s.To.UTC(), SealedAt: s.SealedAt.UTC(), Timestamped: len(s.Timestamp) > 0}, nil
}
