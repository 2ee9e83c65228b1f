// Package linksign signs and checks the expiring links Glassbox mails out: the accountant's one-click
// "payment received" link for an invoice, and the link that downloads an issued PDF again. A link carries its
// own authority (an HMAC over action, document id and expiry), so answering one needs no session and no login.
// Billing signs links with it and the link handler (shared/links) checks them; it depends on nothing but the
// standard library, so neither pulls in the other's dependencies.
package linksign

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Action is what a link lets its holder do. A link signed for one action never works for another.
type Action string

// The actions a link can carry.
const (
	// ActionPay opens the invoice's "payment received" page: {base}/pay/{doc}.
	ActionPay Action = "pay"
	// ActionDocument downloads the document's PDF as issued: {base}/documents/{doc}.
	ActionDocument Action = "document"
)

// How long links stay valid unless the caller chooses otherwise.
const (
	DefaultPayLinkTTL      = 30 * 24 * time.Hour
	DefaultDocumentLinkTTL = 365 * 24 * time.Hour
)

// MinKeyBytes is the shortest key NewSigner accepts.
const MinKeyBytes = 32

// sigBytes is how much of the HMAC-SHA256 a link carries: 16 bytes (128 bits, 22 base64url characters).
// Forging a link means guessing those bits online, one request per guess, which 2^128 puts out of reach; the
// full 32 bytes would add 21 characters to a URL that mail programs like to wrap.
const sigBytes = 16

// linkEncoding reads what links carry: unpadded base64url, strictly, so that one signature has one spelling.
// A lenient decoder ignores the spare low bits of the last character (16 bytes are 22 characters, 4 bits
// spare), which would let sixteen spellings of a link pass for the one that was mailed.
var linkEncoding = base64.RawURLEncoding.Strict()

// Errors Check returns. The link handler answers both with 403 and a page saying which.
var (
	// ErrBadLink: the signature is missing, malformed or wrong for this action, document and expiry.
	ErrBadLink = errors.New("linksign: bad link")
	// ErrExpired: the link is genuine but past its expiry.
	ErrExpired = errors.New("linksign: link expired")
)

// Signer signs and checks links with one secret key.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer over key, which must be at least MinKeyBytes long. The key is copied.
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("linksign: key is %d bytes, need at least %d", len(key), MinKeyBytes)
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

// URL returns the signed link for an action on a document, valid until exp (to the second):
// {base}/pay/{docID}?exp={unix}&sig={sig} or {base}/documents/{docID}?exp=...&sig=... A trailing slash on base
// is dropped.
func (s *Signer) URL(base string, a Action, docID string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return strings.TrimRight(base, "/") + "/" + a.segment() + "/" + url.PathEscape(docID) +
		"?exp=" + e + "&sig=" + s.sign(a, docID, e)
}

// Check says whether sig is the signature of a link for action a on docID expiring at exp (decimal Unix
// seconds, as URL wrote it), and that now is not past exp. ErrBadLink when the signature does not match (a
// tampered expiry is a bad link, not an expired one); ErrExpired when it matches but the link is too old.
func (s *Signer) Check(a Action, docID, exp, sig string, now time.Time) error {
	if a != ActionPay && a != ActionDocument {
		return fmt.Errorf("%w: unknown action", ErrBadLink)
	}
	n, err := strconv.ParseInt(exp, 10, 64)
	// Only the form URL writes is accepted ("+5", "05" are not), so one link has one spelling.
	if err != nil || strconv.FormatInt(n, 10) != exp {
		return fmt.Errorf("%w: malformed expiry", ErrBadLink)
	}
	got, err := linkEncoding.DecodeString(sig)
	if err != nil || len(got) != sigBytes {
		return fmt.Errorf("%w: malformed signature", ErrBadLink)
	}
	if !hmac.Equal(got, s.mac(a, docID, exp)) {
		return fmt.Errorf("%w: signature does not match", ErrBadLink)
	}
	if now.After(time.Unix(n, 0)) {
		return fmt.Errorf("%w: expired %s", ErrExpired, time.Unix(n, 0).UTC().Format(time.RFC3339))
	}
	return nil
}

func (s *Signer) sign(a Action, docID, exp string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac(a, docID, exp))
}

// mac is HMAC-SHA256(key, action "\n" docID "\n" exp), truncated to sigBytes. The action is fixed and exp is
// digits only, so the message cannot be read two ways whatever the document id holds.
func (s *Signer) mac(a Action, docID, exp string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(string(a) + "\n" + docID + "\n" + exp))
	return m.Sum(nil)[:sigBytes]
}

// segment is the first path segment of an action's links.
func (a Action) segment() string {
	if a == ActionDocument {
		return "documents"
	}
	return string(a)
}

// KeySource reads secrets by parameter name: shared/ssm on Lambda, the embedded store in glassbox dev.
type KeySource interface {
	Secret(ctx context.Context, name string) (string, error)
}

// KeyedSigner is a Signer whose key is a secret parameter, read on first use and kept for the life of the warm
// instance. A failed read is not kept, so a parameter created after the first use takes effect without a
// deploy. The link handler checks links with one; billing signs the links it mails with another.
type KeyedSigner struct {
	Keys  KeySource
	Param string

	mu     sync.Mutex
	signer *Signer
}

// Signer returns the signer, reading the key when it has not been read yet. Errors name the parameter, never
// the key.
func (k *KeyedSigner) Signer(ctx context.Context) (*Signer, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.signer != nil {
		return k.signer, nil
	}
	if k.Param == "" {
		return nil, errors.New("no link key parameter configured")
	}
	key, err := k.Keys.Secret(ctx, k.Param)
	if err != nil {
		return nil, fmt.Errorf("read link key %s: %w", k.Param, err)
	}
	s, err := NewSigner([]byte(key))
	if err != nil {
		return nil, fmt.Errorf("link key %s: %w", k.Param, err)
	}
	k.signer = s
	return s, nil
}
