// Package ssm reads webhook secrets from AWS Systems Manager Parameter Store, caching them per warm Lambda
// instance so a webhook costs no SSM call after the first.
package ssm

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ssmsdk "github.com/aws/aws-sdk-go-v2/service/ssm"
)

// GetParameterAPI is the one SSM call used.
type GetParameterAPI interface {
	GetParameter(ctx context.Context, in *ssmsdk.GetParameterInput, opts ...func(*ssmsdk.Options)) (*ssmsdk.GetParameterOutput, error)
}

// Secrets reads SecureString parameters by name.
type Secrets struct {
	client GetParameterAPI
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
func NewSecrets(client GetParameterAPI, ttl time.Duration) *Secrets {
	return &Secrets{client: client, ttl: ttl, now: time.Now, cache: map[string]cached{}}
}

// Secret returns the decrypted value of the parameter.
func (s *Secrets) Secret(ctx context.Context, name string) (string, error) {
	s.mu.Lock()
	c, ok := s.cache[name]
	s.mu.Unlock()
	if ok && s.now().Sub(c.at) < s.ttl {
		return c.value, nil
	}
	out, err := s.client.GetParameter(ctx, &ssmsdk.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("ssm: get parameter %s: %w", name, err)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return "", fmt.Errorf("ssm: parameter %s has no value", name)
	}
	s.mu.Lock()
	s.cache[name] = cached{value: *out.Parameter.Value, at: s.now()}
	s.mu.Unlock()
	return *out.Parameter.Value, nil
}
