// Package dashboard is the client's live dashboard: the secret links that open it (made here, kept hashed in
// glassbox.DashboardLinkStore) and the page GET /p/{token} they open, with its .json and .csv forms. The
// handler serves AWS Lambda (HTTP API, payload 2.0) and glassbox dev alike.
package dashboard

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// TokenBytes is how many random bytes a token has: 256 bits, far beyond guessing, and 43 characters in a URL.
const TokenBytes = 32

// Hash is the key a token is stored under: the hex SHA-256 of the token as it appears in the URL. A token is
// random, so no salt or slow hash is needed.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewLink makes a new random token and the link to store for it: for one project or (projectID empty) every
// project of a client, expiring at expires (zero: never). The token is returned once; only its hash is kept.
func NewLink(now time.Time, projectID, clientID string, expires time.Time) (string, glassbox.DashboardLink, error) {
	if (projectID == "") == (clientID == "") {
		return "", glassbox.DashboardLink{}, fmt.Errorf("dashboard: a link is for one project or one client")
	}
	b := make([]byte, TokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", glassbox.DashboardLink{}, fmt.Errorf("dashboard: token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	l := glassbox.DashboardLink{Hash: Hash(token), ProjectID: projectID, ClientID: clientID, CreatedAt: now.UTC()}
	if !expires.IsZero() {
		l.ExpiresAt = expires.UTC()
	}
	return token, l, nil
}

// URL is the address a token opens: {base}/p/{token}.
func URL(base, token string) string {
	return strings.TrimRight(base, "/") + "/p/" + token
}
