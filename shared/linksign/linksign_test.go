package linksign_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/linksign"
)

// demoKey is the link key the samples in events/ are signed with.
const demoKey = "demo-link-key-0123456789abcdef0123456789abcdef"

var (
	t0  = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	exp = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
)

func mustSigner(t testing.TB, key string) *linksign.Signer {
	t.Helper()
	s, err := linksign.NewSigner([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// parts splits a link into its path, exp and sig.
func parts(t testing.TB, link string) (path, exp, sig string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path, u.Query().Get("exp"), u.Query().Get("sig")
}

func TestNewSigner(t *testing.T) {
	t.Parallel()
	t.Run("ErrShortKey", func(t *testing.T) {
		for _, n := range []int{0, 1, 31} {
			if _, err := linksign.NewSigner(make([]byte, n)); err == nil {
				t.Errorf("NewSigner(%d bytes) = nil error, want one", n)
			}
		}
	})
	t.Run("OK", func(t *testing.T) {
		if _, err := linksign.NewSigner(make([]byte, 32)); err != nil {
			t.Errorf("NewSigner(32 bytes) = %v", err)
		}
	})
}

func TestURLShape(t *testing.T) {
	t.Parallel()
	s := mustSigner(t, demoKey)
	// The signature is base64url, no padding, of the first 16 bytes of HMAC-SHA256(key, action\ndoc\nexp).
	m := hmac.New(sha256.New, []byte(demoKey))
	m.Write([]byte("pay\ndoc-1\n4070908800"))
	wantSig := base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])

	tests := []struct {
		name, base string
		action     linksign.Action
		want       string
	}{
		{"Pay", "https://links.example", linksign.ActionPay, "https://links.example/pay/doc-1?exp=4070908800&sig=" + wantSig},
		{"TrailingSlash", "https://links.example/", linksign.ActionPay, "https://links.example/pay/doc-1?exp=4070908800&sig=" + wantSig},
	}
	for _, tt := range tests {
		if got := s.URL(tt.base, tt.action, "doc-1", exp); got != tt.want {
			t.Errorf("%s: URL = %q, want %q", tt.name, got, tt.want)
		}
	}
	doc := s.URL("https://links.example", linksign.ActionDocument, "doc-1", exp)
	if !regexp.MustCompile(`^https://links\.example/documents/doc-1\?exp=4070908800&sig=[A-Za-z0-9_-]{22}$`).MatchString(doc) {
		t.Errorf("document URL = %q", doc)
	}
	if strings.HasSuffix(doc, wantSig) {
		t.Error("a document link has the pay link's signature")
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	s := mustSigner(t, demoKey)
	other := mustSigner(t, strings.Repeat("x", 32))
	soon := t0.Add(time.Hour)
	_, payExp, paySig := parts(t, s.URL("https://l.example", linksign.ActionPay, "doc-1", soon))
	_, docExp, docSig := parts(t, s.URL("https://l.example", linksign.ActionDocument, "doc-1", soon))
	_, _, otherSig := parts(t, other.URL("https://l.example", linksign.ActionPay, "doc-1", soon))
	later := strconv.FormatInt(soon.Unix()+1, 10)
	flipped := []byte(paySig)
	if flipped[0] == 'A' {
		flipped[0] = 'B'
	} else {
		flipped[0] = 'A'
	}

	// The last of 22 characters carries 2 bits of the signature and 4 spare ones: set, they spell the same bytes.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	spare := paySig[:21] + string(alphabet[strings.IndexByte(alphabet, paySig[21])^0x0f])

	tests := []struct {
		name     string
		action   linksign.Action
		doc      string
		exp, sig string
		now      time.Time
		want     error
	}{
		{"OK", linksign.ActionPay, "doc-1", payExp, paySig, t0, nil},
		{"OKDocument", linksign.ActionDocument, "doc-1", docExp, docSig, t0, nil},
		{"OKAtExpiry", linksign.ActionPay, "doc-1", payExp, paySig, soon, nil},
		{"ErrExpired", linksign.ActionPay, "doc-1", payExp, paySig, soon.Add(time.Second), linksign.ErrExpired},
		{"ErrTamperedDoc", linksign.ActionPay, "doc-2", payExp, paySig, t0, linksign.ErrBadLink},
		{"ErrTamperedExp", linksign.ActionPay, "doc-1", later, paySig, t0, linksign.ErrBadLink},
		{"ErrExpLeadingZero", linksign.ActionPay, "doc-1", "0" + payExp, paySig, t0, linksign.ErrBadLink},
		{"ErrExpPlus", linksign.ActionPay, "doc-1", "+" + payExp, paySig, t0, linksign.ErrBadLink},
		{"ErrDocumentLinkAsPay", linksign.ActionPay, "doc-1", docExp, docSig, t0, linksign.ErrBadLink},
		{"ErrPayLinkAsDocument", linksign.ActionDocument, "doc-1", payExp, paySig, t0, linksign.ErrBadLink},
		{"ErrUnknownAction", linksign.Action("refund"), "doc-1", payExp, paySig, t0, linksign.ErrBadLink},
		{"ErrOtherKey", linksign.ActionPay, "doc-1", payExp, otherSig, t0, linksign.ErrBadLink},
		{"ErrFlippedSig", linksign.ActionPay, "doc-1", payExp, string(flipped), t0, linksign.ErrBadLink},
		{"ErrTruncatedSig", linksign.ActionPay, "doc-1", payExp, paySig[:20], t0, linksign.ErrBadLink},
		{"ErrSpareBitsSig", linksign.ActionPay, "doc-1", payExp, spare, t0, linksign.ErrBadLink},
		{"ErrPaddedSig", linksign.ActionPay, "doc-1", payExp, paySig + "==", t0, linksign.ErrBadLink},
		{"ErrMissingSig", linksign.ActionPay, "doc-1", payExp, "", t0, linksign.ErrBadLink},
		{"ErrMissingExp", linksign.ActionPay, "doc-1", "", paySig, t0, linksign.ErrBadLink},
		{"ErrNotBase64", linksign.ActionPay, "doc-1", payExp, "!!!!!!!!!!!!!!!!!!!!!!", t0, linksign.ErrBadLink},
		// A forged signature over an expired link is bad, not expired: expiry is said only of genuine linksign.
		{"ErrTamperedAndOld", linksign.ActionPay, "doc-2", payExp, paySig, soon.Add(time.Hour), linksign.ErrBadLink},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Check(tt.action, tt.doc, tt.exp, tt.sig, tt.now)
			if tt.want == nil && err != nil {
				t.Fatalf("Check = %v, want nil", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), tt.sig) && tt.sig != "" {
				t.Errorf("error %q contains the signature", err)
			}
		})
	}
}

func TestRoundTripOddDocumentID(t *testing.T) {
	t.Parallel()
	s := mustSigner(t, demoKey)
	id := "doc with/slash\nand ünïcode"
	path, e, sig := parts(t, s.URL("https://l.example", linksign.ActionPay, id, exp))
	if got, want := path, "/pay/"+id; got != want {
		t.Fatalf("path = %q, want %q", got, want)
	}
	if err := s.Check(linksign.ActionPay, id, e, sig, t0); err != nil {
		t.Fatalf("Check = %v", err)
	}
}

// flakyKeys fails its first read, then returns the key, counting reads.
type flakyKeys struct{ reads int }

func (f *flakyKeys) Secret(_ context.Context, name string) (string, error) {
	f.reads++
	if f.reads == 1 {
		return "", errors.New("parameter not there yet")
	}
	return "keyed-signer-key-0123456789abcdef0123456789", nil
}

func TestKeyedSignerRetriesAFailedReadThenKeepsTheKey(t *testing.T) {
	keys := &flakyKeys{}
	k := &linksign.KeyedSigner{Keys: keys, Param: "/glassbox/links/key"}
	if _, err := k.Signer(t.Context()); err == nil || !strings.Contains(err.Error(), "/glassbox/links/key") {
		t.Fatalf("first read: err = %v, want one naming the parameter", err)
	}
	for range 3 {
		if s, err := k.Signer(t.Context()); err != nil || s == nil {
			t.Fatalf("after the parameter appeared: %v", err)
		}
	}
	if keys.reads != 2 {
		t.Errorf("key read %d times, want 2 (one failed, one kept)", keys.reads)
	}
	if _, err := (&linksign.KeyedSigner{Keys: keys}).Signer(t.Context()); err == nil {
		t.Error("a signer with no parameter name gave no error")
	}
}
