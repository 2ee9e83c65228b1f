package timeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// ConfigReader reads the configuration, for the list of projects.
type ConfigReader interface {
	Config(ctx context.Context) (glassbox.Config, error)
}

// SealAll seals every configured project (SealFunction's hourly run, glassbox dev's tick). A project that
// fails is logged and the others still get sealed; the error then says how many failed, so the run is
// recorded as failed. No configuration yet: nothing to seal.
func SealAll(ctx context.Context, cfg ConfigReader, s Sealer, logger *slog.Logger) error {
	c, err := cfg.Config(ctx)
	if errors.Is(err, glassbox.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("timeline: seal: %w", err)
	}
	failed := 0
	for _, p := range c.Projects {
		made, err := s.Seal(ctx, p.ID)
		if err != nil {
			failed++
			logger.Error("timeline: sealing failed", "project", p.ID, "error", err.Error())
			continue
		}
		for _, m := range made {
			logger.Info("timeline: sealed", "project", p.ID, "seq", m.Seq, "entries", len(m.Entries), "hash", m.Hash)
		}
	}
	if failed > 0 {
		return fmt.Errorf("timeline: sealing failed for %d of %d projects", failed, len(c.Projects))
	}
	return nil
}
