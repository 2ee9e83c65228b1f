// Package hmachex signs and checks webhook deliveries the way most trackers sign them: HMAC-SHA256 of the
// raw body (and, for some, a timestamp before it) with the webhook's secret, sent as hex, sometimes after
// "sha256=". Which header carries it, and what each failure is called, stays in the provider.
package hmachex

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// Prefix names the algorithm before the hex digits in GitHub's, Jira's and the generic hook's headers.
const Prefix = "sha256="

// ErrNotHex is a signature that is not hex digits; ErrMismatch one that is not the signature of the message.
var (
	ErrNotHex   = errors.New("signature is not hex")
	ErrMismatch = errors.New("signature does not match")
)

// Sign is hex(HMAC-SHA256(secret, message)), message being parts written one after another.
func Sign(secret string, parts ...[]byte) string {
	return hex.EncodeToString(sum(secret, parts))
}

// Check says whether sig (hex, either case) is Sign(secret, parts...): nil, ErrNotHex or ErrMismatch. It
// compares in constant time.
func Check(sig, secret string, parts ...[]byte) error {
	b, err := hex.DecodeString(sig)
	if err != nil {
		return ErrNotHex
	}
	if !hmac.Equal(b, sum(secret, parts)) {
		return ErrMismatch
	}
	return nil
}

func sum(secret string, parts [][]byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}
