// Package ssm reads webhook secrets from AWS Systems Manager Parameter Store, caching them per warm Lambda
// instance so a webhook costs no SSM call after the first. Client is a minimal GetParameter client, so the
// functions do not carry the SDK's whole SSM service package.
package ssm

import (
	"context"
	"sync"
	"time"
)

// ParameterReader reads the decrypted value of a parameter by name, and keeps a new one. Its errors name the
// parameter.
type ParameterReader interface {
	Parameter(ctx context.Context, name string) (string, error)
	KeepParameter(ctx context.Context, name, value string) error
}

// Secrets reads SecureString parameters by name.
type Secrets struct {
	client ParameterReader
	ttl    time.Duration
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	value string
	at    time.Time
}

// NewSecrets builds a reader; a value is re-read after ttl so a rotated secret takes effect without a deploy.
func NewSecrets(client ParameterReader, ttl time.Duration) *Secrets {
	return &Secrets{client: client, ttl: ttl, now: time.Now, cache: map[string]cached{}}
}

// Secret returns the decrypted value of the parameter. Errors are not cached.
func (s *Secrets) Secret(ctx context.Context, name string) (string, error) {
	s.mu.Lock()
	c, ok := s.cache[name]
	s.mu.Unlock()
	if ok && s.now().Sub(c.at) < s.ttl {
		return c.value, nil
	}
	v, err := s.client.Parameter(ctx, name)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.cache[name] = cached{value: v, at: s.now()}
	s.mu.Unlock()
	return v, nil
}

// KeepSecret stores a secret a provider handed over in its subscription handshake as a new parameter; see
// Client.KeepParameter. The value is cached like a read one.
func (s *Secrets) KeepSecret(ctx context.Context, name, value string) error {
	if err := s.client.KeepParameter(ctx, name, value); err != nil {
		return err
	}
	s.mu.Lock()
	s.cache[name] = cached{value: value, at: s.now()}
	s.mu.Unlock()
	return nil
}
