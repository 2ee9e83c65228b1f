package glassbox

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"
)

// Audience is who a message is for. Bad news goes to the manager, never to the client.
type Audience string

// Audiences a message can have.
const (
	AudienceClient  Audience = "client"
	AudienceManager Audience = "manager"
	// AudienceAccountant is the seller's accountant, who confirms payments.
	AudienceAccountant Audience = "accountant"
)

// MessageKind says why a message is sent.
type MessageKind string

// Kinds of messages.
const (
	MessageTaskDone     MessageKind = "task_done"
	MessageTaskBlocked  MessageKind = "task_blocked"
	MessageTaskReopened MessageKind = "task_reopened"
	// MessageTasksDone: several tasks of one project reached done within the coalescing window; the client
	// gets one message listing them.
	MessageTasksDone MessageKind = "tasks_done"
	// MessageTaskOverdue: a task is past its due date and not done; the manager is told once, never the client.
	MessageTaskOverdue MessageKind = "task_overdue"
	// MessageDeliveryFailed: a message did not arrive (an email bounced or was marked spam, the bot was removed
	// from a chat); the project's manager is told, and the address or chat gets nothing more until cleared.
	MessageDeliveryFailed MessageKind = "delivery_failed"
	// MessageChatMigrated: a client group became a supergroup with a new chat id; messages follow it, and the
	// manager is asked to update the agency file.
	MessageChatMigrated MessageKind = "chat_migrated"
	// MessageStageClosed: the client gets the act of the closed stage and the invoice.
	MessageStageClosed MessageKind = "stage_closed"
	// MessageInvoiceIssued: the accountant gets the invoice and the "payment received" link.
	MessageInvoiceIssued MessageKind = "invoice_issued"
	// MessageInvoiceReminder: a soft reminder of an unpaid invoice to the client.
	MessageInvoiceReminder MessageKind = "invoice_reminder"
	// MessageInvoiceOverdue: the last reminder went out and the invoice is still unpaid; the manager takes over.
	MessageInvoiceOverdue MessageKind = "invoice_overdue"
)

// Channel is how a message reaches its recipients.
type Channel string

// The channels messages go out on.
const (
	// ChannelEmail: a MIME email to To, sent through SES (the outbox in glassbox dev).
	ChannelEmail Channel = "email"
	// ChannelTelegram: a Bot API sendMessage to Chat, with HTML holding Telegram's HTML subset.
	ChannelTelegram Channel = "telegram"
)

// MessageState is where a message is in its claim → send life.
type MessageState string

// Message states. A claimed message is being sent by one worker; a sent one is never sent again.
const (
	MessageClaimed MessageState = "claimed"
	MessageSent    MessageState = "sent"
	// MessageHeld: decided in quiet hours or inside a coalescing window, stored to go at Hold.Until (the
	// flush sends it). Claiming it sends it as any message.
	MessageHeld MessageState = "held"
	// MessageBatched: a held task-done notice that went out inside a coalesced message (Hold.Batch); it is
	// never sent by itself.
	MessageBatched MessageState = "batched"
	// MessageDropped: a held task-done notice whose task is no longer done when its time came; the client hears
	// only the current truth, so it is never sent.
	MessageDropped MessageState = "dropped"
)

// Message is one notice decided for one event. Its ID is deterministic, so that however often an event is
// processed, the message it causes is claimed and sent once.
type Message struct {
	ID        string      `json:"id" dynamodbav:"id"`
	ProjectID string      `json:"projectId" dynamodbav:"projectId"`
	EventID   string      `json:"eventId" dynamodbav:"eventId"`
	Kind      MessageKind `json:"kind" dynamodbav:"kind"`
	Audience  Audience    `json:"audience" dynamodbav:"audience"`
	// Channel says how the message goes out; empty is email (messages stored before there were channels).
	Channel Channel `json:"channel,omitempty" dynamodbav:"channel,omitempty"`
	// Chat is the Telegram chat id (or @channel) a Telegram message goes to.
	Chat    string   `json:"chat,omitempty" dynamodbav:"chat,omitempty"`
	From    Person   `json:"from" dynamodbav:"from"`
	ReplyTo Person   `json:"replyTo" dynamodbav:"replyTo"`
	To      []Person `json:"to" dynamodbav:"to"`
	Subject string   `json:"subject" dynamodbav:"subject"`
	Text    string   `json:"text" dynamodbav:"text"`
	// HTML is the email's HTML part; on Telegram, the message text in Telegram's HTML subset.
	HTML string `json:"html" dynamodbav:"html"`
	// Attachments are the ids of documents whose PDFs go with the message.
	Attachments []string `json:"attachments,omitempty" dynamodbav:"attachments,omitempty"`
	// Images are shown inside the email's HTML (cid: links), such as a report's chart; small PNGs only.
	Images []InlineImage `json:"images,omitempty" dynamodbav:"images,omitempty"`
	// Unsubscribe is the one-click unsubscribe URL of a report email (List-Unsubscribe with
	// List-Unsubscribe-Post, RFC 8058).
	Unsubscribe string `json:"unsubscribe,omitempty" dynamodbav:"unsubscribe,omitempty"`

	State MessageState `json:"state" dynamodbav:"state"`
	// ClaimToken identifies the worker holding the claim, so only it can mark the message sent or release it.
	ClaimToken string    `json:"claimToken,omitempty" dynamodbav:"claimToken,omitempty"`
	ClaimedAt  time.Time `json:"claimedAt" dynamodbav:"claimedAt"`
	SentAt     time.Time `json:"sentAt,omitempty" dynamodbav:"sentAt,omitempty"`
	// ProviderID is the id the mail service gave the sent message.
	ProviderID string `json:"providerId,omitempty" dynamodbav:"providerId,omitempty"`
	// Failure says why a failed or bounced message did not arrive; FailedAt when that was learnt.
	Failure  string    `json:"failure,omitempty" dynamodbav:"failure,omitempty"`
	FailedAt time.Time `json:"failedAt,omitempty" dynamodbav:"failedAt,omitempty"`
	// Hold is set on a message that waited (quiet hours, coalescing): it stays set when the message is claimed
	// and sent, so stores keep it in their due-time index until it is sent.
	Hold *Hold `json:"hold,omitempty" dynamodbav:"hold,omitempty"`
}

// InlineImage is an image an email's HTML shows by its content id (<img src="cid:{ContentID}">).
type InlineImage struct {
	ContentID   string `json:"contentId" dynamodbav:"contentId"`
	ContentType string `json:"contentType" dynamodbav:"contentType"`
	Data        []byte `json:"data" dynamodbav:"data"`
}

// ChannelOrEmail is the message's channel; a message stored before there were channels is an email.
func (m Message) ChannelOrEmail() Channel {
	if m.Channel == "" {
		return ChannelEmail
	}
	return m.Channel
}

// MessageID derives the id of the message of a kind caused by an event (or another cause, such as
// "reminder:{document}:{n}") for an audience on a channel. Each channel has its own id, so an email and its
// Telegram copy are claimed and sent once each. An email's id leaves the channel out, as it did before there
// were channels, so messages a deployment sent before are still known as sent.
func MessageID(eventID string, kind MessageKind, audience Audience, channel Channel) string {
	key := eventID + "\x00" + string(kind) + "\x00" + string(audience)
	if channel != ChannelEmail && channel != "" {
		key += "\x00" + string(channel)
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

// Hold is why and until when a message waits.
type Hold struct {
	// Until is when it may go: the end of its coalescing window, or the next time outside quiet hours.
	Until time.Time `json:"until" dynamodbav:"until"`
	// Task is the task a held task-done notice is about, for the coalesced message that lists it.
	Task HeldTask `json:"task,omitzero" dynamodbav:"task,omitempty"`
	// Members are the held notices a coalesced message lists (their ids), on the coalesced message.
	Members []string `json:"members,omitempty" dynamodbav:"members,omitempty"`
	// Batch is the coalesced message a batched notice went out in.
	Batch string `json:"batch,omitempty" dynamodbav:"batch,omitempty"`
	// Tried is set when a claim of the held message was released (its send failed). An earlier claim may have
	// sent it before its worker died, so it goes out again only by itself, under its own Message-ID, never
	// inside a coalesced message the client would read as a second notice.
	Tried bool `json:"tried,omitempty" dynamodbav:"tried,omitempty"`
}

// HeldTask is the task a held task-done notice is about: which one (to check it is still done when the notice
// goes, and to list it once), and what a coalesced message says of it.
type HeldTask struct {
	Provider string `json:"provider,omitempty" dynamodbav:"provider,omitempty"`
	TaskID   string `json:"taskId,omitempty" dynamodbav:"taskId,omitempty"`
	Title    string `json:"title,omitempty" dynamodbav:"title,omitempty"`
	// Link is the deliverable, or the task at the provider.
	Link string `json:"link,omitempty" dynamodbav:"link,omitempty"`
}

// Coalesces says whether a held message may go out with others of its project, audience and channel in one
// coalesced message: a held task-done notice not yet batched, and never claimed for a send that may have gone
// out (Hold.Tried).
func (m Message) Coalesces() bool {
	return m.Kind == MessageTaskDone && m.State == MessageHeld && m.Hold != nil && !m.Hold.Tried
}

// Waiting says whether a message is among those the flush sends: held, or held and claimed by a send that
// has not marked it yet. Stores list exactly these in their due-time index; a failed, dropped, batched or sent
// message never waits again.
func (m Message) Waiting() bool {
	return m.Hold != nil && (m.State == MessageHeld || m.State == MessageClaimed)
}

// BatchID derives the id of the coalesced message that lists held notices: the same members always make the
// same id, so two flushes that saw the same notices write one coalesced message.
func BatchID(members []Message) string {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.ID
	}
	sort.Strings(ids)
	sum := sha256.Sum256([]byte(strings.Join(ids, "\x00")))
	return "batch:" + hex.EncodeToString(sum[:16])
}
