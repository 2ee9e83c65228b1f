package glassbox

import (
	"context"
	"time"
)

// Unsubscription records that a recipient switched a project's scheduled reports off (one click in a digest,
// RFC 8058). Reports skip the recipient until the manager switches them back on (glassbox reports resubscribe);
// task notices and documents still go.
type Unsubscription struct {
	ProjectID string `json:"projectId" dynamodbav:"projectId"`
	// Recipient is the email address (lower case, SuppressionKey).
	Recipient string    `json:"recipient" dynamodbav:"recipient"`
	At        time.Time `json:"at" dynamodbav:"at"`
	// MessageID is the report the click came from.
	MessageID string `json:"messageId,omitempty" dynamodbav:"messageId,omitempty"`
}

// UnsubscriptionStore keeps unsubscriptions. DeliveryNotes lists them with the suppressions.
type UnsubscriptionStore interface {
	// Unsubscribe records u. ErrDuplicate when the recipient is unsubscribed from the project already.
	Unsubscribe(ctx context.Context, u Unsubscription) error
	// Resubscribe lets the recipient receive the project's reports again. ErrNotFound when not unsubscribed.
	Resubscribe(ctx context.Context, projectID, recipient string) error
}

// Unsubscribed says whether a recipient switched a project's reports off.
func (n DeliveryNotes) Unsubscribed(projectID, recipient string) bool {
	k := SuppressionKey(recipient)
	for _, u := range n.Unsubscriptions {
		if u.ProjectID == projectID && u.Recipient == k {
			return true
		}
	}
	return false
}
