package glassbox

import (
	"context"
	"errors"
	"time"
)

// Errors a Store returns that callers branch on. Adapters wrap them; test with errors.Is.
var (
	// ErrNotFound: no such item.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate: an append-only item with this id exists already (a redelivered webhook).
	ErrDuplicate = errors.New("duplicate")
	// ErrConflict: an optimistic write lost to a concurrent one, or a claim token does not match; re-read and
	// retry.
	ErrConflict = errors.New("conflict")
	// ErrAlreadySent: the message was sent before, or failed for good (MessageState.Delivered); do not send it
	// again.
	ErrAlreadySent = errors.New("message already sent")
	// ErrClaimHeld: another worker claimed the message less than a lease ago and may still be sending it.
	ErrClaimHeld = errors.New("message claim held by another worker")
	// ErrAlreadyPaid: the invoice was marked paid before.
	ErrAlreadyPaid = errors.New("invoice already paid")
)

// Store is everything Glassbox keeps. Every time is UTC. Implementations: dynamo (DynamoDB, one table) and
// localstore (embedded, for glassbox dev); both pass the contract suite in storetest.
type Store interface {
	// PutConfig makes the stored configuration equal to c: it writes every entity and removes the ones c no
	// longer has.
	PutConfig(ctx context.Context, c Config) error
	// Config reads the whole configuration. ErrNotFound when none was ever applied.
	Config(ctx context.Context) (Config, error)
	// Binding reads one binding. ErrNotFound when there is none.
	Binding(ctx context.Context, provider, id string) (Binding, error)

	// AppendEvent stores a new event, marked unprocessed in the same write. ErrDuplicate when an event with its
	// ID exists; nothing is changed then.
	AppendEvent(ctx context.Context, e Event) error
	// MarkEventProcessed clears an event's unprocessed mark: everything the event causes is done. Clearing it
	// twice is harmless. ErrNotFound when there is no such event.
	MarkEventProcessed(ctx context.Context, id string) error
	// UnprocessedEvents lists up to limit events still marked unprocessed whose turn (SweepAfter, or
	// ReceivedAt when never postponed) comes before the given time, earliest first. The sweep finishes them; a
	// crash, a timeout or a record that went to the dead-letter queue leaves them here.
	UnprocessedEvents(ctx context.Context, before time.Time, limit int) ([]Event, error)
	// PostponeEvent moves an unprocessed event's turn to until and records attempts. An event processed
	// meanwhile, or missing, is left alone (nil).
	PostponeEvent(ctx context.Context, id string, until time.Time, attempts int) error
	// Event reads one event by id. ErrNotFound when there is none.
	Event(ctx context.Context, id string) (Event, error)
	// EventsBetween lists a project's events with from <= OccurredAt < to, oldest first.
	EventsBetween(ctx context.Context, projectID string, from, to time.Time) ([]Event, error)

	// Task reads a task's state. ErrNotFound when there is none.
	Task(ctx context.Context, projectID, provider, taskID string) (Task, error)
	// PutTask writes a task's state if the stored one has Version t.Version-1 (or none exists and t.Version
	// is 1); ErrConflict otherwise.
	PutTask(ctx context.Context, t Task) error
	// Tasks lists a project's tasks.
	Tasks(ctx context.Context, projectID string) ([]Task, error)

	// ClaimMessage records m as claimed by m.ClaimToken at m.ClaimedAt. It succeeds when no message with m.ID
	// exists, or one is claimed but its claim is older than lease (its worker died). ErrAlreadySent when it was
	// sent, failed or bounced; ErrClaimHeld when a fresh claim holds it.
	ClaimMessage(ctx context.Context, m Message, lease time.Duration) error
	// MarkMessageSent marks a claimed message sent. ErrConflict when token no longer holds the claim.
	MarkMessageSent(ctx context.Context, id, token string, sentAt time.Time, providerID string) error
	// ReleaseMessage drops a claim whose send failed, so a retry can claim it at once. ErrConflict when token
	// does not hold the claim.
	ReleaseMessage(ctx context.Context, id, token string) error
	// Message reads one message. ErrNotFound when there is none.
	Message(ctx context.Context, id string) (Message, error)
	// MessagesBetween lists a project's messages with from <= ClaimedAt < to, oldest first.
	MessagesBetween(ctx context.Context, projectID string, from, to time.Time) ([]Message, error)

	HeldStore

	// OpenTasks lists a project's tasks that are not closed (Task.Open): what carries over, waits, or has not
	// started. It reads only those, however many tasks the project has closed.
	OpenTasks(ctx context.Context, projectID string) ([]Task, error)

	DocumentStore
	DeliveryStore
	MetricsStore
	UnsubscriptionStore
	ReportDeliveryStore
	SealStore
	FeedbackStore
	DashboardLinkStore
	DashboardSnapshotStore
}

// DocumentStore keeps stage closes, the acts and invoices they issue, and their numbering.
type DocumentStore interface {
	// NextNumber returns the number the next document of a series gets: 1 for a series never used.
	NextNumber(ctx context.Context, series string) (int64, error)
	// IssueDocuments records a stage close and its documents (with their PDFs) atomically. Each document's Seq
	// must be its Series' next number; the series then moves on by one, so numbers have no gaps and are never
	// reused. ErrDuplicate when the close exists already; ErrConflict when a series has moved on (re-read the
	// numbers, renumber, retry). Either way nothing is written.
	IssueDocuments(ctx context.Context, c StageClose, docs []IssuedDocument) error
	// StageClose reads a close. ErrNotFound when there is none.
	StageClose(ctx context.Context, id string) (StageClose, error)
	// Document reads a document's snapshot. ErrNotFound when there is none.
	Document(ctx context.Context, id string) (Document, error)
	// DocumentPDF reads the PDF exactly as issued. ErrNotFound when there is none.
	DocumentPDF(ctx context.Context, id string) ([]byte, error)
	// DocumentsBetween lists a project's documents with from <= IssuedAt < to, oldest first.
	DocumentsBetween(ctx context.Context, projectID string, from, to time.Time) ([]Document, error)
	// OpenInvoices lists every issued invoice that is neither paid nor void, earliest due date first. It reads
	// only open invoices, however many documents exist.
	OpenInvoices(ctx context.Context) ([]Document, error)
	// MarkPaid marks an invoice paid at a time by someone ("accountant link", "amocrm"). An invoice already
	// paid stays as it was and ErrAlreadyPaid is returned; ErrConflict when it is void; ErrNotFound when
	// there is no such document.
	MarkPaid(ctx context.Context, id string, at time.Time, by string) error
	// VoidDocument voids an issued document; its number stays used. ErrConflict when it is paid; voiding a
	// void document again changes nothing and returns nil.
	VoidDocument(ctx context.Context, id string, at time.Time, reason string) error
}

// RawEmail is a complete RFC 5322 message and its envelope.
type RawEmail struct {
	// From is the envelope sender address (bare, no display name).
	From string
	// To are the envelope recipients (bare addresses).
	To []string
	// Data is the whole message, headers and body, with CRLF line ends.
	Data []byte
}

// Clock tells the time. Pass one in; never call time.Now in logic that tests need to pin.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// HeldStore keeps the messages that wait (quiet hours, coalescing) and finds the tasks that may fall overdue.
// A held message is a Message with State MessageHeld and Hold set; ClaimMessage claims it as any message
// (ErrAlreadySent when it went out in a batch), MarkMessageSent takes it out of the waiting messages, and
// ReleaseMessage puts a held message back to held instead of deleting it.
type HeldStore interface {
	// HoldMessage stores m as held (m.Hold.Until set) unless a message with its id exists: ErrAlreadySent when
	// that one is held, batched or sent (nothing to do twice); ErrClaimHeld when it is claimed (an attempt
	// that decided to send it may have died: deliver it, and the lease decides).
	HoldMessage(ctx context.Context, m Message) error
	// HeldMessages lists up to limit waiting messages whose Hold.Until is before the given time, earliest
	// first: held ones, and held ones claimed but not marked sent (a flush that died). It reads only those.
	HeldMessages(ctx context.Context, before time.Time, limit int) ([]Message, error)
	// BatchHeld stores the coalesced message batch (held, with Hold.Members) and marks each member batched
	// into it, all or nothing: ErrConflict when a member is not held any more or the batch exists.
	BatchHeld(ctx context.Context, batch Message) error
	// DropHeld takes a held message out of the waiting ones for good (MessageDropped): its task is no longer
	// done. ErrConflict when it is not held (claimed, batched, sent or dropped already).
	DropHeld(ctx context.Context, id string) error
	// DueTasks lists up to limit tasks whose OverdueCheck time is before the given time, earliest first. It
	// reads only tasks with such a time.
	DueTasks(ctx context.Context, before time.Time, limit int) ([]Task, error)
}

// SentMark is what marking one claimed message sent records: the claim's token, when it went, and the
// channel's id for it.
type SentMark struct {
	ID, Token  string
	SentAt     time.Time
	ProviderID string
}

// MessageBatchStore claims and marks the several messages one event causes in one request each. It is
// optional: the courier uses it when the store has it, and claims and marks one message at a time otherwise.
// Each method is all or nothing, with the same conditions as ClaimMessage and MarkMessageSent for every
// message; when any fails (or the write fails) nothing is written and an error comes back (ErrConflict for a
// failed condition), so the caller goes the per-message way, which says what each message's state is.
type MessageBatchStore interface {
	ClaimMessages(ctx context.Context, ms []Message, lease time.Duration) error
	MarkMessagesSent(ctx context.Context, marks []SentMark) error
}
