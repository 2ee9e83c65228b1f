package digest

import "context"

// Checkpointer seals a project's timeline and gives its head: the checksum a weekly digest carries into the
// client's mailbox ("контрольная сумма недели"), which later proves the history up to it unchanged
// (timeline.Sealer.Checkpoint; docs/timeline.md). Empty when the project has nothing sealed.
type Checkpointer interface {
	Checkpoint(ctx context.Context, projectID string) (string, error)
}

// WithCheckpoints makes the weekly digests seal their project's timeline and carry its checksum ({{checksum}}).
// Without it (previews, tests) {{checksum}} is empty and the wording leaves its line out.
func (c *Composer) WithCheckpoints(cp Checkpointer) *Composer {
	c.checkpoints = cp
	return c
}

// checksum seals the project and returns its head, or "" without a Checkpointer. A failure fails the digest,
// so the next tick sends it with its checksum rather than without.
func (c *Composer) checksum(ctx context.Context, projectID string) (string, error) {
	if c.checkpoints == nil {
		return "", nil
	}
	return c.checkpoints.Checkpoint(ctx, projectID)
}
