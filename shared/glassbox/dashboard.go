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

// DashboardSnapshot is the slow part of a project's dashboard, kept in one item by the hourly seal run
// (dashboard.Refresher): the weekly figures, the newest seal and the last check of the whole timeline. A view
// reads it in the same query as the project's open tasks, so figures and seals cost a view no read of their
// own; they are at most one seal run old (an hour on AWS, a minute in glassbox dev).
type DashboardSnapshot struct {
	ProjectID string `json:"projectId" dynamodbav:"projectId"`
	// At is when the snapshot was made (UTC).
	At time.Time `json:"at" dynamodbav:"at"`
	// Weeks are the figures summed by week: one Metric per week and currency, Date the week's Monday in the
	// project's zone, no Source. Leads and Minutes are on the week's first one.
	Weeks []Metric `json:"weeks" dynamodbav:"weeks"`
	// Seal is the newest seal; Seq 0 when nothing is sealed yet.
	Seal SealHead `json:"seal" dynamodbav:"seal"`
	// Check is the last verification of the whole timeline; nil before the first.
	Check *TimelineCheck `json:"check,omitempty" dynamodbav:"check,omitempty"`
}

// SealHead is a seal without its entry list: what a digest carries and a dashboard shows.
type SealHead struct {
	Seq  int64  `json:"seq" dynamodbav:"seq"`
	Hash string `json:"hash" dynamodbav:"hash"`
	// To is the end of the seal's arrival window: entries that arrived later wait for the next seal.
	To       time.Time `json:"to" dynamodbav:"to"`
	SealedAt time.Time `json:"sealedAt" dynamodbav:"sealedAt"`
	// Timestamped says an RFC 3161 authority stamped the seal's hash.
	Timestamped bool `json:"timestamped,omitempty" dynamodbav:"timestamped,omitempty"`
}

// TimelineCheck is the outcome of one verification of a project's whole timeline (timeline.Verify).
type TimelineCheck struct {
	At time.Time `json:"at" dynamodbav:"at"`
	// Seals is the chain's length and Head its newest hash when checked.
	Seals int    `json:"seals" dynamodbav:"seals"`
	Head  string `json:"head" dynamodbav:"head"`
	// Sealed counts the entries the seals cover, Unsealed the stored ones waiting for the next seal.
	Sealed   int `json:"sealed" dynamodbav:"sealed"`
	Unsealed int `json:"unsealed" dynamodbav:"unsealed"`
	// Problems names what does not verify (the first few); none when the history is the sealed one.
	Problems []string `json:"problems,omitempty" dynamodbav:"problems,omitempty"`
}

// DashboardReads is what one dashboard view reads of a project.
type DashboardReads struct {
	// Events occurred in the view's event window, oldest first.
	Events []Event
	// Feedback is every approval and rating of the project, oldest first (a few a week at most).
	Feedback []Feedback
	// Messages were claimed in the view's message window, oldest first.
	Messages  []Message
	OpenTasks []Task
	// Documents are every issued act and invoice, oldest first.
	Documents []Document
	// Snapshot is zero (no At) until the first seal run after the project was configured.
	Snapshot DashboardSnapshot
}

// DashboardSnapshotStore keeps the dashboards' snapshots and reads a view.
type DashboardSnapshotStore interface {
	// PutDashboardSnapshot replaces the project's snapshot, unless the stored one was made later (a later At):
	// of two refreshes at once, the one that read the older state cannot put it back. That is no error.
	PutDashboardSnapshot(ctx context.Context, s DashboardSnapshot) error
	// DashboardSnapshot reads a project's snapshot. ErrNotFound when there is none.
	DashboardSnapshot(ctx context.Context, projectID string) (DashboardSnapshot, error)
	// DashboardReads reads what a view of a project shows: events with eventsFrom <= OccurredAt < to, messages
	// with messagesFrom <= ClaimedAt < to, feedback and documents before to, every open task, and the snapshot.
	// On DynamoDB this is three queries by key, whatever the history's length.
	DashboardReads(ctx context.Context, projectID string, eventsFrom, messagesFrom, to time.Time) (DashboardReads, error)
}
