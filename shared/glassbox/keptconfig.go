package glassbox

import (
	"context"
	"sync"
	"time"
)

// KeptConfig is the configuration a warm function keeps between requests (React's events, the dashboard's
// views): read at most once per TTL, and read again at once when the kept copy lacks what the caller looks up,
// so a project applied a moment ago is never refused for a stale copy. The zero value reads every time.
type KeptConfig struct {
	// TTL is how long a read is kept; 0 keeps nothing.
	TTL time.Duration

	mu  sync.Mutex
	cfg Config
	at  time.Time
	has bool
}

// Get returns the configuration at now: the kept copy while it is younger than TTL and has (when given) finds
// what the caller needs in it, else a fresh read through read, which is then kept.
func (k *KeptConfig) Get(ctx context.Context, now time.Time, read func(context.Context) (Config, error), has func(Config) bool) (Config, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.has && k.TTL > 0 && now.Sub(k.at) < k.TTL && !now.Before(k.at) && (has == nil || has(k.cfg)) {
		return k.cfg, nil
	}
	cfg, err := read(ctx)
	if err != nil {
		return Config{}, err
	}
	k.cfg, k.at, k.has = cfg, now, true
	return cfg, nil
}
