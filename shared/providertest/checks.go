package providertest

import (
	"errors"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// VerifyCase is one row of a provider's signature table.
type VerifyCase struct {
	Name     string
	Delivery glassbox.Delivery
	Secret   string
	WantErr  bool
	// ErrSays is what the error must say, when WantErr and not empty.
	ErrSays string
}

// Verify runs a provider's signature table, rows in parallel (Verify must not change the delivery): each row
// passes, or fails with glassbox.ErrBadSignature (saying ErrSays), and no error names the secret.
func Verify(t *testing.T, v Verifier, cases []VerifyCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			err := v.Verify(tt.Delivery, tt.Secret)
			if tt.WantErr != (err != nil) {
				t.Fatalf("Verify error = %v, want error %v", err, tt.WantErr)
			}
			if err == nil {
				return
			}
			if !errors.Is(err, glassbox.ErrBadSignature) {
				t.Fatalf("Verify error %v is not ErrBadSignature", err)
			}
			if !strings.Contains(err.Error(), tt.ErrSays) {
				t.Fatalf("Verify error %q does not say %q", err, tt.ErrSays)
			}
			if len(tt.Secret) >= 8 && strings.Contains(err.Error(), tt.Secret) {
				t.Fatalf("Verify error %q names the secret", err)
			}
		})
	}
}

// FuzzVerify is what a fuzz target checks of Verify, whatever d holds: it fails, if at all, with
// glassbox.ErrBadSignature.
func FuzzVerify(t *testing.T, v Verifier, d glassbox.Delivery, secret string) {
	t.Helper()
	if err := v.Verify(d, secret); err != nil && !errors.Is(err, glassbox.ErrBadSignature) {
		t.Fatalf("Verify: unexpected error kind: %v", err)
	}
}

// FuzzParse is what a fuzz target checks of Parse, whatever d holds: it fails, if at all, with
// glassbox.ErrMalformed (or one of also), and every event the binding accepts is whole. It returns the
// events.
func FuzzParse(t *testing.T, p Parser, d glassbox.Delivery, b glassbox.Binding, whole func(glassbox.Event) bool, also ...error) []glassbox.Event {
	t.Helper()
	events, err := Accepted(p, d, b)
	if err != nil && !errors.Is(err, glassbox.ErrMalformed) && !isAny(err, also) {
		t.Fatalf("Parse: unexpected error kind: %v", err)
	}
	for _, e := range events {
		if !whole(e) {
			t.Fatalf("event missing identity: %s", dump(e))
		}
	}
	return events
}

func isAny(err error, targets []error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// BenchmarkVerifyAndParse is the body of a provider's VerifyAndParse benchmark: what ingest does with one
// delivery, over and over.
func BenchmarkVerifyAndParse(b *testing.B, p Provider, d glassbox.Delivery, secret string, binding glassbox.Binding) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Verify(d, secret); err != nil {
			b.Fatal(err)
		}
		if _, err := Accepted(p, d, binding); err != nil {
			b.Fatal(err)
		}
	}
}

// MalformedOrIgnored checks what Parse made of a delivery a table says is malformed (glassbox.ErrMalformed) or
// ignored (no events and no error).
func MalformedOrIgnored(t *testing.T, got []glassbox.Event, err error, malformed bool) {
	t.Helper()
	if malformed {
		if !errors.Is(err, glassbox.ErrMalformed) {
			t.Fatalf("Parse error = %v, want ErrMalformed", err)
		}
		return
	}
	if err != nil || len(got) != 0 {
		t.Fatalf("Parse = %+v, %v; want no events and no error", got, err)
	}
}
