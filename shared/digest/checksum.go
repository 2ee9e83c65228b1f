package digest

import "context"

// Checkpointer seals a project's timeline and gives its head after that: the checksum a weekly digest carries
// into the client's mailbox ("контрольная сумма недели"), which later proves the history up to it unchanged
// (timeline.Sealer: it reads the week before the last seal, not the whole history, and falls back to the newest
// stored seal when sealing fails; docs/timeline.md). Empty when the project has nothing sealed. Every report
// (weekly and monthly) calls it before it reads its period.
type Checkpointer interface {
	Checkpoint(ctx context.Context, projectID string) (string, error)
}

// WithCheckpoints makes every report seal its project's timeline first and the weekly digests carry the
// checksum ({{checksum}}). Without it (previews, tests) nothing is sealed, {{checksum}} is empty and the
// wording leaves its line out.
func (c *Composer) WithCheckpoints(cp Checkpointer) *Composer {
	c.checkpoints = cp
	return c
}

// checksum seals and returns the project's timeline head, or "" without a Checkpointer. A failure (the
// Checkpointer already fell back to the newest stored seal, and could not read that either) fails the
// report, so the next tick sends it with its checksum rather than without.
func (c *Composer) checksum(ctx context.Context, projectID string) (string, error) {
	if c.checkpoints == nil {
		return "", nil
	}
	return c.checkpoints.Checkpoint(ctx, projectID)
}
