package glassbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// FeedbackKind is what a client said through a feedback link.
type FeedbackKind string

// Kinds of feedback.
const (
	// FeedbackAccepted: the client accepted a deliverable ("Принять" in a task-done notice).
	FeedbackAccepted FeedbackKind = "accepted"
	// FeedbackChangesRequested: the client asked for changes to a deliverable ("Есть правки").
	FeedbackChangesRequested FeedbackKind = "changes_requested"
	// FeedbackRating: the client rated the agency's work 1–5 from a weekly digest or a monthly report.
	FeedbackRating FeedbackKind = "rating"
)

// MessageClientFeedback tells the project's manager of a client's feedback at once: an accepted deliverable,
// changes requested (urgent), a rating of 3 or lower.
const MessageClientFeedback MessageKind = "client_feedback"

// MaxFeedbackComment is the longest comment kept, in bytes; a longer one is cut at a character boundary.
const MaxFeedbackComment = 2000

// Feedback is one thing a client said through a signed link: an approval decision on a task's deliverable, or
// a rating of the agency's work. It is recorded once per link (the same link posted twice is one item; a later
// decision on the same deliverable, through the other link or a later notice, is a new item, and so is a later
// post of the same link with another comment: FollowUpID) and never changed. The timeline lists a project's items by At (FeedbackStore.FeedbackBetween).
type Feedback struct {
	// ID is FeedbackID of the link: deterministic, so posting one link again is a duplicate.
	ID        string       `json:"id" dynamodbav:"id"`
	ProjectID string       `json:"projectId" dynamodbav:"projectId"`
	Kind      FeedbackKind `json:"kind" dynamodbav:"kind"`
	// Provider and TaskID name the task whose deliverable an approval answers; Title is its title when the
	// decision was recorded. Empty for a rating.
	Provider string `json:"provider,omitempty" dynamodbav:"provider,omitempty"`
	TaskID   string `json:"taskId,omitempty" dynamodbav:"taskId,omitempty"`
	Title    string `json:"title,omitempty" dynamodbav:"title,omitempty"`
	// Score is a rating's 1–5; 0 for an approval.
	Score int `json:"score,omitempty" dynamodbav:"score,omitempty"`
	// Comment is what the client wrote, if anything (at most MaxFeedbackComment bytes).
	Comment string `json:"comment,omitempty" dynamodbav:"comment,omitempty"`
	// MessageID is the notice or report the link came in.
	MessageID string `json:"messageId" dynamodbav:"messageId"`
	// At is when it was recorded (UTC).
	At time.Time `json:"at" dynamodbav:"at"`
}

// FeedbackID is the id of the feedback a link records: a hash of everything the link names (kind, project,
// task, message, score), so the same link gives the same id and any other link another.
func FeedbackID(kind FeedbackKind, projectID, provider, taskID, messageID string, score int) string {
	sum := sha256.Sum256([]byte(string(kind) + "\x00" + projectID + "\x00" + provider + "\x00" + taskID + "\x00" +
		messageID + "\x00" + strconv.Itoa(score)))
	return "fb:" + hex.EncodeToString(sum[:16])
}

// FollowUpID is the id of a later post of a link already recorded (as first) that says something the first
// did not (another comment): the client had the page open twice. The same comment again gives the same id, so
// a replay of the follow-up records once too.
func FollowUpID(first, comment string) string {
	sum := sha256.Sum256([]byte(first + "\x00" + comment))
	return "fb:" + hex.EncodeToString(sum[:16])
}

// Urgent says whether the manager must hear of it at once and first: changes requested, or a rating of 3 or
// lower. A higher rating and an acceptance are good news the manager is told of without urgency.
func (f Feedback) Urgent() bool {
	return f.Kind == FeedbackChangesRequested || (f.Kind == FeedbackRating && f.Score <= 3)
}

// TellsManager says whether the manager is told of it at once: every approval decision (an accepted
// deliverable closes the loop; changes are urgent), and a rating of 3 or lower. A higher rating is only
// recorded: the monthly picture (glassbox accounts) shows it.
func (f Feedback) TellsManager() bool {
	return f.Kind != FeedbackRating || f.Urgent()
}

// FeedbackStore keeps the client's feedback items.
type FeedbackStore interface {
	// RecordFeedback stores a new item; ErrDuplicate when one with its ID exists (nothing changes then).
	RecordFeedback(ctx context.Context, f Feedback) error
	// FeedbackItem reads one item by id; ErrNotFound when there is none.
	FeedbackItem(ctx context.Context, id string) (Feedback, error)
	// FeedbackBetween lists a project's items with from <= At < to, oldest first: what the timeline shows and
	// glassbox accounts reads. It reads only that project's items of the window.
	FeedbackBetween(ctx context.Context, projectID string, from, to time.Time) ([]Feedback, error)
}
