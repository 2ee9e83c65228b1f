package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/pipeline"
)

// previewHeld sends what the preview's processing held (quiet hours, coalescing) the way the flush will: it says
// until when each waits, then flushes with the clock at the latest of those times, so the outbox shows them too.
func previewHeld(ctx context.Context, store glassbox.Store, deps pipeline.Deps, stdout io.Writer) error {
	held, err := store.HeldMessages(ctx, time.Now().Add(365*24*time.Hour), 1000)
	if err != nil || len(held) == 0 {
		return err
	}
	var last time.Time
	for _, m := range held {
		fmt.Fprintf(stdout, "held: %s %s on %s until %s (quiet hours or coalescing; the flush sends it then)\n",
			m.Kind, m.Audience, m.ChannelOrEmail(), m.Hold.Until.Format(time.RFC3339))
		if m.Hold.Until.After(last) {
			last = m.Hold.Until
		}
	}
	deps.Clock = fixedClock{last}
	_, err = pipeline.New(deps).Processor.Flush(ctx)
	return err
}
