package digest

import "context"

// Checkpointer gives a project's timeline head: the checksum a weekly digest carries into the client's mailbox
// ("контрольная сумма недели"), which later proves the history up to it unchanged (timeline.Checkpoints: the
// newest seal, one small read, so a digest's reads stay independent of the history; docs/timeline.md). Empty
// when the project has nothing sealed.
type Checkpointer interface {
	Checkpoint(ctx context.Context, projectID string) (string, error)
}

// WithCheckpoints makes the weekly digests carry their project's timeline checksum ({{checksum}}).
// Without it (previews, tests) {{checksum}} is empty and the wording leaves its line out.
func (c *Composer) WithCheckpoints(cp Checkpointer) *Composer {
	c.checkpoints = cp
	return c
}

// checksum returns the project's timeline head, or "" without a Checkpointer. A failure fails the digest,
// so the next tick sends it with its checksum rather than without.
func (c *Composer) checksum(ctx context.Context, projectID string) (string, error) {
	if c.checkpoints == nil {
		return "", nil
	}
	return c.checkpoints.Checkpoint(ctx, projectID)
}
