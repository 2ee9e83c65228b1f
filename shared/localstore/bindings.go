package localstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// bindingCache holds each binding of the stored configuration as JSON, by provider and id, so that Binding,
// which every webhook calls, decodes one binding instead of the whole configuration (that was about a tenth of
// the CPU time of a delivery in `glassbox dev`). Only this Store writes the file, bbolt locks it against other
// processes, so the cache goes stale only by PutConfig, which drops it. A caller gets its own decoded copy,
// never one it shares with another.
type bindingCache struct {
	mu sync.Mutex
	// gen counts drops, so that a fill that read the configuration before a PutConfig is not kept after it.
	gen   uint64
	byKey map[string][]byte // nil until filled
}

func bindingKey(provider, id string) string { return provider + "\x00" + id }

// binding finds a binding in the cache, filling the cache from the stored configuration first if needed.
func (s *Store) binding(ctx context.Context, provider, id string) (glassbox.Binding, error) {
	var b glassbox.Binding
	c := &s.bindings
	c.mu.Lock()
	byKey, gen := c.byKey, c.gen
	c.mu.Unlock()
	if byKey == nil {
		var err error
		if byKey, err = s.loadBindings(ctx); err != nil {
			return b, err
		}
		c.mu.Lock()
		if c.gen == gen {
			c.byKey = byKey
		}
		c.mu.Unlock()
	}
	data, ok := byKey[bindingKey(provider, id)]
	if !ok {
		return b, fmt.Errorf("localstore: binding %s/%s: %w", provider, id, glassbox.ErrNotFound)
	}
	if err := decode(data, &b); err != nil {
		return b, fmt.Errorf("localstore: decode binding %s/%s: %w", provider, id, err)
	}
	return b, nil
}

// loadBindings reads the stored configuration's bindings; none when no configuration was applied.
func (s *Store) loadBindings(ctx context.Context) (map[string][]byte, error) {
	c, err := s.Config(ctx)
	if err != nil && !errors.Is(err, glassbox.ErrNotFound) {
		return nil, err
	}
	byKey := make(map[string][]byte, len(c.Bindings))
	for _, b := range c.Bindings {
		key := bindingKey(b.Provider, b.ID)
		if _, dup := byKey[key]; dup {
			continue // Config.Binding finds the first
		}
		data, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("localstore: encode binding %s/%s: %w", b.Provider, b.ID, err)
		}
		byKey[key] = data
	}
	return byKey, nil
}

// drop empties the cache after the configuration changed.
func (c *bindingCache) drop() {
	c.mu.Lock()
	c.gen++
	c.byKey = nil
	c.mu.Unlock()
}
