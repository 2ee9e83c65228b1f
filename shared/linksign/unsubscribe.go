package linksign

import (
	"crypto/hmac"
	"encoding/base64"
	"fmt"
	"strings"
)

// ActionUnsubscribe is the one-click link of a report email that switches the project's reports off for its
// recipient: {base}/u/{token}.
const ActionUnsubscribe Action = "unsubscribe"

// Unsubscribe is what an unsubscribe link names: the project whose reports, the recipient (an email address,
// lower case) and the report message the link came in.
type Unsubscribe struct {
	ProjectID, Recipient, MessageID string
}

// maxTokenBytes bounds a token read from a path before it is decoded.
const maxTokenBytes = 1024

// UnsubscribeURL returns the one-click unsubscribe link {base}/u/{token} of a report email (Token). A trailing
// slash on base is dropped.
func (s *Signer) UnsubscribeURL(base string, u Unsubscribe) string {
	return strings.TrimRight(base, "/") + "/u/" + s.UnsubscribeToken(u)
}

// UnsubscribeToken is the path segment of an unsubscribe link: the three fields, each base64url, then the
// signature, joined by dots. The link does not expire: a report in an old mailbox must still switch reports
// off (a new key, LINK_KEY_PARAM, retires every link).
func (s *Signer) UnsubscribeToken(u Unsubscribe) string {
	enc := base64.RawURLEncoding
	payload := enc.EncodeToString([]byte(u.ProjectID)) + "." + enc.EncodeToString([]byte(u.Recipient)) + "." +
		enc.EncodeToString([]byte(u.MessageID))
	return payload + "." + enc.EncodeToString(s.tokenMAC(ActionUnsubscribe, payload))
}

// CheckUnsubscribe reads an unsubscribe token: ErrBadLink when it is malformed or its signature is not this
// key's over these fields.
func (s *Signer) CheckUnsubscribe(token string) (Unsubscribe, error) {
	if len(token) > maxTokenBytes {
		return Unsubscribe{}, fmt.Errorf("%w: token too long", ErrBadLink)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 4 {
		return Unsubscribe{}, fmt.Errorf("%w: malformed token", ErrBadLink)
	}
	got, err := linkEncoding.DecodeString(parts[3])
	if err != nil || len(got) != sigBytes {
		return Unsubscribe{}, fmt.Errorf("%w: malformed signature", ErrBadLink)
	}
	payload := strings.Join(parts[:3], ".")
	if !hmac.Equal(got, s.tokenMAC(ActionUnsubscribe, payload)) {
		return Unsubscribe{}, fmt.Errorf("%w: signature does not match", ErrBadLink)
	}
	var fields [3]string
	for i, p := range parts[:3] {
		b, err := linkEncoding.DecodeString(p)
		if err != nil || len(b) == 0 {
			return Unsubscribe{}, fmt.Errorf("%w: malformed token", ErrBadLink)
		}
		fields[i] = string(b)
	}
	return Unsubscribe{ProjectID: fields[0], Recipient: fields[1], MessageID: fields[2]}, nil
}

// tokenMAC is a link's MAC (mac) over the action, the payload and the word "token" in place of an expiry. The
// payload of base64url parts and dots has one reading; the action keeps a token from ever being a pay or
// download signature.
func (s *Signer) tokenMAC(a Action, payload string) []byte {
	return s.mac(a, payload, "token")
}
