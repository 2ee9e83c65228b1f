package glassbox

import (
	"context"
	"strings"
	"time"
)

// Message states after a send that did not reach its recipients. Like MessageSent they are final: ClaimMessage
// answers ErrAlreadySent, so the message is never sent again.
const (
	// MessageFailed: the channel refused the message for good (the bot was removed from the chat, Telegram
	// could not parse the text), or every recipient was suppressed. Message.Failure says why.
	MessageFailed MessageState = "failed"
	// MessageBounced: the mail service accepted the email, then reported a permanent bounce or a complaint.
	MessageBounced MessageState = "bounced"
)

// Delivered says whether a message is finished and must not be sent again: sent, failed or bounced; or, when
// it waited, sent inside a coalesced message (batched) or dropped because its news was no longer true.
func (s MessageState) Delivered() bool {
	switch s {
	case MessageSent, MessageFailed, MessageBounced, MessageBatched, MessageDropped:
		return true
	}
	return false
}

// SuppressionCause says why a recipient gets nothing more.
type SuppressionCause string

// Causes of a suppression.
const (
	// CauseBounced: the mail service reported a permanent bounce (the address does not exist).
	CauseBounced SuppressionCause = "bounced"
	// CauseComplained: the recipient marked a message as spam.
	CauseComplained SuppressionCause = "complained"
	// CauseBlocked: the chat cannot be written to at all: the bot was removed from it or blocked by the user
	// (Telegram 403), or Telegram refuses the chat itself (400 "chat not found", "not enough rights").
	CauseBlocked SuppressionCause = "blocked"
	// CauseRejected: the channel refused one message for good (a Telegram 400); nothing is suppressed.
	CauseRejected SuppressionCause = "rejected"
)

// Suppression stops every send to one recipient, an email address or a Telegram chat, until the admin clears
// it (glassbox suppressions clear). It protects the AWS account's bounce rate, which SES suspends accounts for,
// and stops a bot knocking on a chat it was removed from.
type Suppression struct {
	// Recipient is the email address (lower case) or the Telegram chat id; SuppressionKey makes it.
	Recipient string           `json:"recipient" dynamodbav:"recipient"`
	Channel   Channel          `json:"channel" dynamodbav:"channel"`
	Cause     SuppressionCause `json:"cause" dynamodbav:"cause"`
	// Detail is what the channel said (the SMTP diagnostic, Telegram's description).
	Detail string `json:"detail,omitempty" dynamodbav:"detail,omitempty"`
	// MessageID and ProjectID name the message whose failure caused the suppression.
	MessageID string    `json:"messageId,omitempty" dynamodbav:"messageId,omitempty"`
	ProjectID string    `json:"projectId,omitempty" dynamodbav:"projectId,omitempty"`
	At        time.Time `json:"at" dynamodbav:"at"`
}

// SuppressionKey is how a recipient is named in suppressions: email addresses compare without case.
func SuppressionKey(recipient string) string {
	if strings.Contains(recipient, "@") && !strings.HasPrefix(recipient, "@") {
		return strings.ToLower(strings.TrimSpace(recipient))
	}
	return strings.TrimSpace(recipient)
}

// ChatMove records that a Telegram group became a supergroup with a new id: messages to From go to To, without
// the agency file changing (the manager is asked to update it).
type ChatMove struct {
	From      string    `json:"from" dynamodbav:"from"`
	To        string    `json:"to" dynamodbav:"to"`
	ProjectID string    `json:"projectId,omitempty" dynamodbav:"projectId,omitempty"`
	At        time.Time `json:"at" dynamodbav:"at"`
}

// DeliveryNotes are what the courier checks before a send: who is suppressed and which chats moved. They are
// read in one request and cached, so checking them costs no request per message.
type DeliveryNotes struct {
	Suppressions []Suppression `json:"suppressions"`
	Moves        []ChatMove    `json:"moves"`
	// Unsubscriptions are the recipients who switched a project's reports off.
	Unsubscriptions []Unsubscription `json:"unsubscriptions,omitempty"`
}

// Suppressed returns the suppression of a recipient, if any.
func (n DeliveryNotes) Suppressed(recipient string) (Suppression, bool) {
	k := SuppressionKey(recipient)
	for _, s := range n.Suppressions {
		if s.Recipient == k {
			return s, true
		}
	}
	return Suppression{}, false
}

// Chat follows a chat's moves to where it is now (a few hops at most; a cycle stops).
func (n DeliveryNotes) Chat(chat string) string {
	for hops := 0; hops < 5; hops++ {
		moved := false
		for _, m := range n.Moves {
			if m.From == chat {
				chat, moved = m.To, true
				break
			}
		}
		if !moved {
			break
		}
	}
	return chat
}

// DeliveryStore keeps what is learnt from deliveries: failed and bounced messages, suppressed recipients and
// moved chats.
type DeliveryStore interface {
	// FailMessage marks a message that token holds a claim on as failed for good, with the reason, and takes a
	// held one out of the waiting messages (HeldMessages lists it no more). ErrConflict when token no longer
	// holds the claim.
	FailMessage(ctx context.Context, id, token string, at time.Time, reason string) error
	// MarkMessageBounced marks a sent message bounced, with the reason. Marking a bounced message again changes
	// nothing; ErrNotFound when there is no such message.
	MarkMessageBounced(ctx context.Context, id string, at time.Time, reason string) error
	// MessageByProviderID finds a sent message by the id its channel gave it (SES's message id). ErrNotFound
	// when there is none.
	MessageByProviderID(ctx context.Context, providerID string) (Message, error)
	// Suppress records a suppression. ErrDuplicate when the recipient is suppressed already (the first
	// suppression stays), so the manager is told once.
	Suppress(ctx context.Context, s Suppression) error
	// ClearSuppression lets a recipient receive messages again. ErrNotFound when it was not suppressed.
	ClearSuppression(ctx context.Context, recipient string) error
	// MoveChat records a chat's move. ErrDuplicate when that chat's move was recorded already.
	MoveChat(ctx context.Context, m ChatMove) error
	// DeliveryNotes reads every suppression and chat move, in one request.
	DeliveryNotes(ctx context.Context) (DeliveryNotes, error)
}

// DeliveryProblem is a message that did not arrive, or arrived elsewhere (a moved chat): what the project's
// manager is told about (delivery_failed, chat_migrated).
type DeliveryProblem struct {
	// Message is the message concerned.
	Message Message
	// Cause says what happened; Recipient is the address or chat concerned; Detail is what the channel said.
	Cause     SuppressionCause
	Recipient string
	Detail    string
	// MovedTo is the chat's new id when a chat moved (Cause is empty then).
	MovedTo string
}
