package ssm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ssm"
)

// fakeReader serves parameters from a map and counts reads.
type fakeReader struct {
	params map[string]string
	calls  map[string]int
}

func (f *fakeReader) Parameter(_ context.Context, name string) (string, error) {
	f.calls[name]++
	v, ok := f.params[name]
	if !ok {
		return "", errors.New("ssm: GetParameter " + name + ": ParameterNotFound (HTTP 400)")
	}
	return v, nil
}

func newFakeReader(params map[string]string) *fakeReader {
	return &fakeReader{params: params, calls: map[string]int{}}
}

func TestSecret(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		r := newFakeReader(map[string]string{"/glassbox/trello/board": "s3cret"})
		s := ssm.NewSecrets(r, time.Minute)
		for i := 0; i < 3; i++ {
			got, err := s.Secret(context.Background(), "/glassbox/trello/board")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := got, "s3cret"; got != want {
				t.Fatalf("Secret = %q, want %q", got, want)
			}
		}
		if got, want := r.calls["/glassbox/trello/board"], 1; got != want {
			t.Fatalf("SSM read %d times for one warm secret, want %d", got, want)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		t.Parallel()
		r := newFakeReader(map[string]string{"/p": "v1"})
		s := ssm.NewSecrets(r, 0) // every value is already stale
		if _, err := s.Secret(context.Background(), "/p"); err != nil {
			t.Fatal(err)
		}
		r.params["/p"] = "v2"
		got, err := s.Secret(context.Background(), "/p")
		if err != nil {
			t.Fatal(err)
		}
		if got != "v2" {
			t.Fatalf("Secret after TTL = %q, want the rotated value", got)
		}
		if got, want := r.calls["/p"], 2; got != want {
			t.Fatalf("SSM read %d times, want %d", got, want)
		}
	})
	t.Run("ErrNotCached", func(t *testing.T) {
		t.Parallel()
		r := newFakeReader(map[string]string{})
		s := ssm.NewSecrets(r, time.Minute)
		for i := 0; i < 2; i++ {
			if _, err := s.Secret(context.Background(), "/glassbox/missing"); err == nil {
				t.Fatal("missing parameter gave no error")
			}
		}
		if got, want := r.calls["/glassbox/missing"], 2; got != want {
			t.Fatalf("SSM read %d times, want %d (errors are not cached)", got, want)
		}
	})
}

func (f *fakeReader) KeepParameter(_ context.Context, name, value string) error {
	if old, ok := f.params[name]; ok && old != value {
		return glassbox.ErrConflict
	}
	f.params[name] = value
	return nil
}
