package glassbox

import (
	"context"
	"time"
)

// DashboardLink lets whoever holds its token see a client's (or one project's) live dashboard at
// {public base}/p/{token}. The token is a random secret shown once when the link is made; the store keeps only
// its SHA-256 (Hash), so a leaked table leaks no working link.
type DashboardLink struct {
	// Hash is the hex SHA-256 of the token; it is the link's key.
	Hash string `json:"hash" dynamodbav:"hash"`
	// ProjectID or ClientID says what the link shows: one project, or every project of one client. Exactly one
	// is set.
	ProjectID string    `json:"projectId,omitempty" dynamodbav:"projectId,omitempty"`
	ClientID  string    `json:"clientId,omitempty" dynamodbav:"clientId,omitempty"`
	CreatedAt time.Time `json:"createdAt" dynamodbav:"createdAt"`
	// ExpiresAt is when the link stops working; zero: never.
	ExpiresAt time.Time `json:"expiresAt,omitzero" dynamodbav:"expiresAt,omitempty"`
	// RevokedAt is when the link was revoked (or replaced by rotation); zero: it was not.
	RevokedAt time.Time `json:"revokedAt,omitzero" dynamodbav:"revokedAt,omitempty"`
}

// DashboardLinkIDLength is how many leading hex digits of its hash name a link to the admin (glassbox links
// list, revoke, rotate): enough to tell links apart, far too few to find the token from.
const DashboardLinkIDLength = 12

// ID is the short name of the link the admin sees and types.
func (l DashboardLink) ID() string {
	if len(l.Hash) < DashboardLinkIDLength {
		return l.Hash
	}
	return l.Hash[:DashboardLinkIDLength]
}

// Live says whether the link opens its dashboard at now: neither revoked nor expired.
func (l DashboardLink) Live(now time.Time) bool {
	if !l.RevokedAt.IsZero() {
		return false
	}
	return l.ExpiresAt.IsZero() || now.Before(l.ExpiresAt)
}

// DashboardLinkStore keeps dashboard links by the hash of their token.
type DashboardLinkStore interface {
	// CreateDashboardLink stores a new link. ErrDuplicate when a link with its hash exists.
	CreateDashboardLink(ctx context.Context, l DashboardLink) error
	// DashboardLink reads a link by the hash of its token, revoked and expired ones too. ErrNotFound when there
	// is none.
	DashboardLink(ctx context.Context, hash string) (DashboardLink, error)
	// RevokeDashboardLink marks a link revoked at the given time. Revoking a revoked link keeps the first
	// time and returns nil; ErrNotFound when there is no such link.
	RevokeDashboardLink(ctx context.Context, hash string, at time.Time) error
	// DashboardLinks lists every link, oldest first, in one request.
	DashboardLinks(ctx context.Context) ([]DashboardLink, error)
}
