package linksign_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/linksign"
)

// An unsubscribe token names its project, recipient and message, and any change to it, another key, or a pay
// link's signature is a bad link.
func TestUnsubscribeToken(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef-unsubscribe")
	s, err := linksign.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	u := linksign.Unsubscribe{ProjectID: "romashka-site", Recipient: "anna@romashka.example", MessageID: "4f1c0d2e9a8b7c6d5e4f3a2b1c0d9e8f"}
	link := s.UnsubscribeURL("https://glassbox.studio.example/", u)
	token, ok := strings.CutPrefix(link, "https://glassbox.studio.example/u/")
	if !ok || strings.ContainsAny(token, "/?#%+= ") {
		t.Fatalf("link %s: want {base}/u/{token}, the token URL-safe", link)
	}
	got, err := s.CheckUnsubscribe(token)
	if err != nil || got != u {
		t.Fatalf("CheckUnsubscribe = %+v, %v; want %+v", got, err, u)
	}

	other, _ := linksign.NewSigner([]byte("another key, also at least 32 bytes long"))
	parts := strings.Split(token, ".")
	swapped := linksign.Unsubscribe{ProjectID: u.ProjectID, Recipient: "boss@romashka.example", MessageID: u.MessageID}
	payURL := s.URL("https://x", linksign.ActionPay, "doc-1", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC))
	paySig := payURL[strings.LastIndex(payURL, "sig=")+4:]
	for name, bad := range map[string]string{
		"OtherKey":       other.UnsubscribeToken(u),
		"OtherRecipient": strings.Join(append(strings.Split(s.UnsubscribeToken(swapped), ".")[:3], parts[3]), "."),
		"NoSignature":    strings.Join(parts[:3], "."),
		"TruncatedSig":   token[:len(token)-2],
		"PaySignature":   strings.Join(parts[:3], ".") + "." + paySig,
		"Empty":          "",
		"Garbage":        "a.b.c.d",
		"TooLong":        strings.Repeat("a", 2000),
	} {
		if got, err := s.CheckUnsubscribe(bad); !errors.Is(err, linksign.ErrBadLink) {
			t.Errorf("%s: CheckUnsubscribe = %+v, %v; want ErrBadLink", name, got, err)
		}
	}
}
