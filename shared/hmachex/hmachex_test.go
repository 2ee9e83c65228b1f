package hmachex_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/hmachex"
)

func TestSign(t *testing.T) {
	t.Parallel()
	// RFC 4231 test case 2.
	const want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if got := hmachex.Sign("Jefe", []byte("what do ya want for nothing?")); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	if got := hmachex.Sign("Jefe", []byte("what do ya "), []byte("want for nothing?")); got != want {
		t.Errorf("Sign over two parts = %s, want %s", got, want)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	body := []byte(`{"a":1}`)
	good := hmachex.Sign("s3cret", body)
	for _, tt := range []struct {
		name, sig, secret string
		want              error
	}{
		{"good", good, "s3cret", nil},
		{"upper-case hex", strings.ToUpper(good), "s3cret", nil},
		{"wrong secret", good, "other", hmachex.ErrMismatch},
		{"forged", hmachex.Sign("s3cret", []byte(`{"a":2}`)), "s3cret", hmachex.ErrMismatch},
		{"cut short", good[:62], "s3cret", hmachex.ErrMismatch},
		{"empty", "", "s3cret", hmachex.ErrMismatch},
		{"not hex", "zz" + good[2:], "s3cret", hmachex.ErrNotHex},
		{"with prefix", hmachex.Prefix + good, "s3cret", hmachex.ErrNotHex},
	} {
		if got := hmachex.Check(tt.sig, tt.secret, body); !errors.Is(got, tt.want) || (tt.want == nil) != (got == nil) {
			t.Errorf("%s: Check = %v, want %v", tt.name, got, tt.want)
		}
	}
}
