package glassbox

import "time"

// TaskStatus is the provider-neutral state of a task, decided by the binding's status map.
type TaskStatus string

// The statuses a binding can map lists to. StatusUnknown is a list the map does not mention.
const (
	StatusUnknown    TaskStatus = ""
	StatusTodo       TaskStatus = "todo"
	StatusInProgress TaskStatus = "in_progress"
	StatusReview     TaskStatus = "review"
	StatusDone       TaskStatus = "done"
	StatusBlocked    TaskStatus = "blocked"
	// StatusWaiting: the work waits on the client (an approval, material to send); digests list it under
	// "waiting on you".
	StatusWaiting TaskStatus = "waiting"
	// StatusPaused: put aside for now; it does not carry over.
	StatusPaused TaskStatus = "paused"
	// StatusCancelled: dropped from the plan; a closed task, like done.
	StatusCancelled TaskStatus = "cancelled"
)

// Statuses lists the statuses a status map may use, in workflow order.
var Statuses = []TaskStatus{StatusTodo, StatusInProgress, StatusReview, StatusDone, StatusBlocked, StatusWaiting, StatusPaused, StatusCancelled}

// Closed says a task in this status is finished with: done or cancelled. Every other task is open and is in
// the next digest.
func (s TaskStatus) Closed() bool { return s == StatusDone || s == StatusCancelled }

// EventKind says what happened to a task.
type EventKind string

// The kinds of task events providers are normalised to.
const (
	// EventTaskCreated: a task appeared (in some list).
	EventTaskCreated EventKind = "task_created"
	// EventTaskMoved: a task changed list, and so maybe status.
	EventTaskMoved EventKind = "task_moved"
	// EventTaskUpdated: title or other details changed, the list did not.
	EventTaskUpdated EventKind = "task_updated"
	// EventLinkAttached: a deliverable link was attached to the task.
	EventLinkAttached EventKind = "link_attached"
	// EventTaskNoted: a comment on the task carries a reason (Event.Note): why it is blocked, paused, not
	// started, or was added. Which comments do is decided per provider (Binding.Markers).
	EventTaskNoted EventKind = "task_noted"
	// EventWorkLogged: time was logged on the task (Event.Minutes), where a tracker reports it (a Jira
	// worklog). Digests add it up as hours.
	EventWorkLogged EventKind = "work_logged"

	// EventDealStageChanged: a CRM deal moved to another stage (Deal says which).
	EventDealStageChanged EventKind = "deal_stage_changed"
	// EventDealUpdated: a CRM says a deal changed but not how (Bitrix24); React reads the deal back.
	EventDealUpdated EventKind = "deal_updated"
	// EventPaymentConfirmed: the accountant confirmed an invoice (DocumentID) was paid.
	EventPaymentConfirmed EventKind = "payment_confirmed"
)

// Event is one accepted tracker delivery, normalised. Events are append-only: once stored, never changed.
type Event struct {
	// ID is deterministic: provider + ":" + the provider's own id for the action, so a redelivery maps to the
	// same event and is stored once.
	ID              string    `json:"id" dynamodbav:"id"`
	ProjectID       string    `json:"projectId" dynamodbav:"projectId"`
	BindingID       string    `json:"bindingId" dynamodbav:"bindingId"`
	Provider        string    `json:"provider" dynamodbav:"provider"`
	ProviderEventID string    `json:"providerEventId" dynamodbav:"providerEventId"`
	Kind            EventKind `json:"kind" dynamodbav:"kind"`
	// ProviderType is the provider's own name for the action ("updateCard"), kept for the timeline.
	ProviderType string `json:"providerType" dynamodbav:"providerType"`

	TaskID string `json:"taskId" dynamodbav:"taskId"`
	Title  string `json:"title" dynamodbav:"title"`
	// URL opens the task at the provider.
	URL string `json:"url" dynamodbav:"url"`
	// Link is a deliverable link carried by the event (an attachment), if any.
	Link string `json:"link,omitempty" dynamodbav:"link,omitempty"`

	ListID       string     `json:"listId,omitempty" dynamodbav:"listId,omitempty"`
	ListName     string     `json:"listName,omitempty" dynamodbav:"listName,omitempty"`
	Status       TaskStatus `json:"status,omitempty" dynamodbav:"status,omitempty"`
	PrevListID   string     `json:"prevListId,omitempty" dynamodbav:"prevListId,omitempty"`
	PrevListName string     `json:"prevListName,omitempty" dynamodbav:"prevListName,omitempty"`
	// PrevStatus is the status a move left (from the provider's "list before"); empty for a created task.
	PrevStatus TaskStatus `json:"prevStatus,omitempty" dynamodbav:"prevStatus,omitempty"`

	// Actor is the display name of who did it at the provider.
	Actor string `json:"actor,omitempty" dynamodbav:"actor,omitempty"`
	// Note is the reason an EventTaskNoted carries (the comment without its marker), or a reason a provider
	// reports in a field; bounded and plain text.
	Note string `json:"note,omitempty" dynamodbav:"note,omitempty"`
	// Minutes is the time an EventWorkLogged logged.
	Minutes int64 `json:"minutes,omitempty" dynamodbav:"minutes,omitempty"`
	// OccurredAt is the provider's time of the action, UTC.
	OccurredAt time.Time `json:"occurredAt" dynamodbav:"occurredAt"`
	// ReceivedAt is when Glassbox accepted the delivery, UTC.
	ReceivedAt time.Time `json:"receivedAt" dynamodbav:"receivedAt"`

	// Deal is set on CRM deal events.
	Deal *DealChange `json:"deal,omitempty" dynamodbav:"deal,omitempty"`
	// Due is the task's due date as the tracker reports it, when HasDue says the event reports one (a zero Due
	// and no DueDate with HasDue: the due date was removed). DueDate is a due date without a time of day
	// (2006-01-02), which React resolves into Due in the project's zone (Event.DueIn, EndOfDueDate); providers
	// set both through SetDue. Trackers that carry one: Trello (card due), Kaiten (due_date), Asana
	// (due_on/due_at), Jira (duedate), ClickUp (due_date), Linear (dueDate) and the generic hook (due); GitHub
	// issues have none (only milestones do).
	// DueAllDay says Due is some instant of the due day, whose time of day means nothing (SetDueDay).
	Due       time.Time `json:"due,omitzero" dynamodbav:"due,omitempty"`
	DueDate   string    `json:"dueDate,omitempty" dynamodbav:"dueDate,omitempty"`
	DueAllDay bool      `json:"dueAllDay,omitempty" dynamodbav:"dueAllDay,omitempty"`
	HasDue    bool      `json:"hasDue,omitempty" dynamodbav:"hasDue,omitempty"`
	// DocumentID is the invoice a payment confirmation is for.
	DocumentID string `json:"documentId,omitempty" dynamodbav:"documentId,omitempty"`

	// SweepAttempts counts the sweeps that tried the event and failed; SweepAfter is when the next may take it
	// (zero: ReceivedAt). Each failure waits twice as long, so events that keep failing go behind the others
	// instead of taking every sweep's turn. Store bookkeeping, set by PostponeEvent.
	SweepAttempts int       `json:"sweepAttempts,omitempty" dynamodbav:"sweepAttempts,omitempty"`
	SweepAfter    time.Time `json:"sweepAfter,omitzero" dynamodbav:"sweepAfter,omitempty"`
}

// IsDeal says the kind is a CRM deal event, which billing acts on.
func (k EventKind) IsDeal() bool {
	return k == EventDealStageChanged || k == EventDealUpdated
}

// EventID builds the deterministic id of an event from the provider and its own action id.
func EventID(provider, providerEventID string) string { return provider + ":" + providerEventID }

// Accept completes the events a provider parsed from a delivery to binding b received at receivedAt, as they
// are stored. It is the one place that decides
//   - the project: for a deal, the one b.Deals routes it to; for a task, b's project. Providers report the
//     deal and never decide the project; React and billing read the stored ProjectID, so a configuration
//     changed between ingest and React cannot file the event's history under one project and bill another.
//   - the times: ReceivedAt is receivedAt; OccurredAt is the provider's time of the action, or receivedAt when
//     the provider gave none.
//
// A deal the binding does not route concerns no project: it is left out.
func (b Binding) Accept(evs []Event, receivedAt time.Time) []Event {
	var out []Event
	for _, e := range evs {
		if e, ok := b.accept(e, receivedAt); ok {
			out = append(out, e)
		}
	}
	return out
}

func (b Binding) accept(e Event, receivedAt time.Time) (Event, bool) {
	e.BindingID = b.ID
	if e.Deal != nil {
		r, ok := b.DealProject(e.Deal.ID)
		if !ok {
			return e, false
		}
		e.ProjectID = r.ProjectID
	} else {
		e.ProjectID = b.ProjectID
	}
	e.ReceivedAt = receivedAt.UTC()
	if e.OccurredAt.IsZero() {
		e.OccurredAt = e.ReceivedAt
	}
	e.OccurredAt = e.OccurredAt.UTC()
	return e, true
}

// Task is the current state of one task, folded from its events, kept for digests and the dashboard.
type Task struct {
	ProjectID string     `json:"projectId" dynamodbav:"projectId"`
	Provider  string     `json:"provider" dynamodbav:"provider"`
	TaskID    string     `json:"taskId" dynamodbav:"taskId"`
	Title     string     `json:"title" dynamodbav:"title"`
	URL       string     `json:"url" dynamodbav:"url"`
	Link      string     `json:"link,omitempty" dynamodbav:"link,omitempty"`
	ListID    string     `json:"listId,omitempty" dynamodbav:"listId,omitempty"`
	ListName  string     `json:"listName,omitempty" dynamodbav:"listName,omitempty"`
	Status    TaskStatus `json:"status,omitempty" dynamodbav:"status,omitempty"`
	// PrevStatus is the status the newest event moved the task from (for events that do not say it).
	PrevStatus TaskStatus `json:"prevStatus,omitempty" dynamodbav:"prevStatus,omitempty"`
	Actor      string     `json:"actor,omitempty" dynamodbav:"actor,omitempty"`
	CreatedAt  time.Time  `json:"createdAt" dynamodbav:"createdAt"`
	// DoneAt is when the task last reached done; zero when it is not done.
	DoneAt time.Time `json:"doneAt,omitempty" dynamodbav:"doneAt,omitempty"`
	// LastEventAt is the OccurredAt of the newest event folded in; older events arriving late do not roll the
	// status back.
	LastEventAt time.Time `json:"lastEventAt" dynamodbav:"lastEventAt"`
	LastEventID string    `json:"lastEventId" dynamodbav:"lastEventId"`
	// StatusSince is when the task moved to its status (the OccurredAt of that move): a rename, a due date or a
	// move between two lists of one status leaves it. Zero for a task stored before it was kept (InStatusSince).
	StatusSince time.Time `json:"statusSince,omitzero" dynamodbav:"statusSince,omitempty"`
	// Reason is the newest reason noted on the task (Event.Note): why it is blocked, paused, not started, or was
	// added.
	Reason string `json:"reason,omitempty" dynamodbav:"reason,omitempty"`
	// ReasonAt is when Reason was noted (the event's time), so a late note does not replace a newer one.
	ReasonAt time.Time `json:"reasonAt,omitzero" dynamodbav:"reasonAt,omitempty"`
	// Due is when the task should be done (zero: no due date); OverdueToldFor is the due date the manager was
	// last told the task is past, so each due date tells once (a moved due date may tell again).
	Due            time.Time `json:"due,omitzero" dynamodbav:"due,omitempty"`
	OverdueToldFor time.Time `json:"overdueToldFor,omitzero" dynamodbav:"overdueToldFor,omitempty"`
	// Version increases by one on every write; stores use it for optimistic concurrency.
	Version int64 `json:"version" dynamodbav:"version"`
}

// Apply folds an event into the task state and reports whether anything changed. Events older than the newest
// one applied only fill in what is missing (a title, a link); they never move the status back.
func (t *Task) Apply(e Event) bool {
	before := *t
	if t.TaskID == "" {
		t.ProjectID, t.Provider, t.TaskID = e.ProjectID, e.Provider, e.TaskID
	}
	if t.CreatedAt.IsZero() || (e.Kind == EventTaskCreated && e.OccurredAt.Before(t.CreatedAt)) {
		t.CreatedAt = e.OccurredAt
	}
	newer := !e.OccurredAt.Before(t.LastEventAt)
	if e.Title != "" && (newer || t.Title == "") {
		t.Title = e.Title
	}
	if e.URL != "" && (newer || t.URL == "") {
		t.URL = e.URL
	}
	if e.Link != "" && (newer || t.Link == "") {
		t.Link = e.Link
	}
	// A reason is the newest one noted, by its own time: notes do not count as the task's newest event.
	if e.Note != "" && (!e.OccurredAt.Before(t.ReasonAt) || t.Reason == "") {
		t.Reason, t.ReasonAt = e.Note, e.OccurredAt
	}
	if e.HasDue && (newer || t.Due.IsZero()) {
		// React resolves a civil due date in the project's zone first; one that reaches here unresolved is
		// read in UTC rather than lost.
		t.Due = e.DueIn(time.UTC).Due.UTC()
	}
	// A comment or a work log moves nothing: it must not make a move that happened before it, delivered after
	// it, look late (the move would be lost, and the client not told "done").
	if newer && e.Kind != EventTaskNoted && e.Kind != EventWorkLogged {
		// A move says its list, or (a provider without lists, read back through its API) its status.
		if e.ListID != "" || e.ListName != "" || e.Status != StatusUnknown {
			t.ListID, t.ListName = e.ListID, e.ListName
			if e.Status == StatusDone && t.Status != StatusDone {
				t.DoneAt = e.OccurredAt
			} else if e.Status != StatusDone {
				t.DoneAt = time.Time{}
			}
			if e.ID != t.LastEventID {
				t.PrevStatus = t.Status // applying the same event again changes nothing
			}
			if e.Status != t.Status || t.StatusSince.IsZero() {
				t.StatusSince = e.OccurredAt
			}
			t.Status = e.Status
		}
		if e.Actor != "" {
			t.Actor = e.Actor
		}
		t.LastEventAt, t.LastEventID = e.OccurredAt, e.ID
	}
	return *t != before
}

// InStatusSince is when the task moved to its status: StatusSince, or, for a task stored before that was kept,
// its newest event's time (an approximation that errs towards a shorter time in the status).
func (t Task) InStatusSince() time.Time {
	if !t.StatusSince.IsZero() {
		return t.StatusSince
	}
	return t.LastEventAt
}

// OverdueCheck is when the task falls overdue and the manager is to be told: its due date, while it has one,
// is not done and the manager was not told about that due date yet. Stores index tasks by it, so the flush
// reads only the tasks that may be overdue.
func (t Task) OverdueCheck() (time.Time, bool) {
	if t.Due.IsZero() || t.Status.Closed() || t.OverdueToldFor.Equal(t.Due) {
		return time.Time{}, false
	}
	return t.Due, true
}

// Open says the task is not closed (neither done nor cancelled). Stores index open tasks (OpenTasks), so a
// digest reads what is open now, not the project's whole history.
func (t Task) Open() bool { return !t.Status.Closed() }

// Hypothesis says the task is one of the agency's hypotheses: its title starts with one of the markers
// (Binding.Markers, or DefaultHypothesisMarkers). Its outcome is its status: done is confirmed, cancelled is
// refuted, anything else is still being tested.
func (t Task) Hypothesis(markers []string) bool {
	return hasMarker(t.Title, markers)
}
