// Package notify is the one place that decides what to tell whom when something happens, and words it.
// It does no I/O: callers give it the configuration, the event and the task state before the event, and get
// back the messages to claim and send.
//
// The rule of the house: good news goes to the client automatically; bad news (blocked, reopened) goes to the
// manager, never to the client.
package notify

import (
	"fmt"
	"strings"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Situation is everything Decide looks at.
type Situation struct {
	Config  glassbox.Config
	Project glassbox.Project
	Event   glassbox.Event
	// Before is the task's state before the event was folded in (zero when the task was unknown); only its
	// LastEventAt is read, to tell a late delivery.
	Before glassbox.Task
	// After is the task's state with the event folded in.
	After glassbox.Task
	// Approvals signs the client's "accept" and "request changes" links of a task-done notice; nil words the
	// notice without them (the client replies instead).
	Approvals ApprovalURLs
}

// ApprovalURLs returns the two signed links of a task's deliverable in a task-done notice (the email's message
// id; its Telegram copy carries the same links, being the same notice): accept, then request changes. The
// caller reads the key; wording stays free of I/O.
type ApprovalURLs func(projectID, provider, taskID, messageID string) (accept, changes string)

// Decide returns the messages an event causes, each with its deterministic id, recipients and rendered text.
// A comment's reason (task_noted) and a work log tell nobody: the weekly digest carries them. A move to
// waiting, paused or cancelled tells nobody either: the team made it, and no robot tells a client bad news.
// An event older than the newest one already seen for its task (a late delivery) tells the client nothing:
// the client hears only the current truth.
func Decide(s Situation) ([]glassbox.Message, error) {
	e := s.Event
	if e.Kind != glassbox.EventTaskMoved && e.Kind != glassbox.EventTaskCreated {
		return nil, nil
	}
	// The status before comes from the event itself, never from stored state. A created task had none. A
	// retried event decides as it did the first time, unless a newer event of the task was processed in between
	// (the card moved on while this one's send kept failing): then it is stale, and the client is not told
	// "done" about a card that is no longer done; the manager heard of the move back.
	prev := e.PrevStatus
	stale := !s.Before.LastEventAt.IsZero() && e.OccurredAt.Before(s.Before.LastEventAt)

	var kinds []glassbox.MessageKind
	switch {
	case e.Status == glassbox.StatusDone && prev != glassbox.StatusDone && !stale:
		kinds = append(kinds, glassbox.MessageTaskDone)
	case e.Status == glassbox.StatusBlocked && prev != glassbox.StatusBlocked:
		kinds = append(kinds, glassbox.MessageTaskBlocked)
	case prev == glassbox.StatusDone && !e.Status.Closed():
		// Done → cancelled is no reopening: the task stays closed.
		kinds = append(kinds, glassbox.MessageTaskReopened)
	}

	var out []glassbox.Message
	for _, k := range kinds {
		m, err := compose(s, k)
		if err != nil {
			return nil, err
		}
		out = append(out, m...)
	}
	return out, nil
}

// audienceOf says who hears about a kind of message.
func audienceOf(k glassbox.MessageKind) glassbox.Audience {
	if k == glassbox.MessageTaskDone {
		return glassbox.AudienceClient
	}
	return glassbox.AudienceManager
}

// view is what the wording sees; view.vars names its fields for templates. Every string in it may come from a
// tracker: the template engine escapes it for HTML and Telegram, and the mime package strips line breaks from
// headers.
type view struct {
	Greeting string
	Agency   string
	Project  string
	Manager  string
	Title    string
	List     string
	Actor    string
	// Link is the message's link: the result, the task, the invoice, the "payment received" link.
	Link string
	// Accept and Changes are a task-done notice's signed approval links (task_done).
	Accept, Changes string

	// Billing messages: the client's legal name, the closed and the billed stage, the invoice number, its total
	// and due date (formatted for the locale), when the paid link expires, which reminder this is and how many
	// went out; which case of a closed stage it is.
	Client, Stage, BilledStage, Invoice, Amount, Due, Expires string
	Reminder, Reminders                                       int
	Starting, Prepay, Postpay, Last                           bool

	// Tasks are the tasks a coalesced notice lists (tasks_done).
	Tasks []taskItem
	// A message that did not arrive (delivery_failed): where it went, why it failed, whose address it is, on
	// which channel, and its subject.
	Address, Reason, Recipient, Channel, Subject string
	// A Telegram group that became a supergroup (chat_migrated): its old and new chat id.
	Chat, NewChat string
	// A client's feedback (client_feedback): what they wrote, the score of a rating, and which it was.
	Comment                           string
	Score                             int
	Accepted, ChangesRequested, Rated bool
	// Resubscribe is the command that switches a project's reports back on for a recipient (digest_unsubscribed).
	Resubscribe string
}

// taskItem is one task of a list a message shows.
type taskItem struct {
	Title, Link string
	// Accept and Changes are the task's signed approval links, when the notice has them.
	Accept, Changes string
}

// compose words a task notice for its audience: an email, and a Telegram copy when the audience has a chat
// (the project's client group; the manager's own chat).
func compose(s Situation, k glassbox.MessageKind) ([]glassbox.Message, error) {
	audience := audienceOf(k)
	client, _ := s.Config.Client(s.Project.ClientID)

	// The client replies to the manager; the manager's own notices need no Reply-To.
	to, replyTo, chat := []glassbox.Person{s.Project.Manager}, glassbox.Person{}, s.Project.Manager.TelegramChatID
	if audience == glassbox.AudienceClient {
		replyTo = s.Project.Manager
		to = client.Contacts
		chat = s.Config.ClientChat(s.Project)
		if len(to) == 0 && chat == "" {
			return nil, fmt.Errorf("notify: client %q of project %q has no contacts", client.ID, s.Project.ID)
		}
	}

	link := TaskOf(s).Link
	v := view{
		Greeting: firstNames(to),
		Project:  s.Project.Name,
		Manager:  s.Project.Manager.Name,
		Title:    orDefault(s.Event.Title, s.After.Title),
		List:     s.Event.ListName,
		Actor:    s.Event.Actor,
		Link:     link,
	}
	if audience == glassbox.AudienceManager {
		// The manager acts on the task itself, not on its result.
		v.Link = s.Event.URL
	}
	if audience == glassbox.AudienceClient && s.Approvals != nil {
		id := glassbox.MessageID(s.Event.ID, k, audience, glassbox.ChannelEmail)
		v.Accept, v.Changes = s.Approvals(s.Project.ID, s.Event.Provider, s.Event.TaskID, id)
	}
	locale := s.Config.ProjectLocale(s.Project)
	m, w, err := message(s.Config, s.Project, locale, s.Event.ID, k, audience, to, replyTo, "", v)
	if err != nil {
		return nil, err
	}
	var out []glassbox.Message
	if len(to) > 0 {
		out = append(out, m)
	}
	if chat != "" {
		out = append(out, onTelegram(m, chat, w))
	}
	return out, nil
}

// onTelegram turns a worded email into its copy for a Telegram chat: its own id, so each is sent once, and the
// text in Telegram's HTML subset.
func onTelegram(m glassbox.Message, chat string, w worded) glassbox.Message {
	m.ID = glassbox.MessageID(m.EventID, m.Kind, m.Audience, glassbox.ChannelTelegram)
	m.Channel, m.Chat = glassbox.ChannelTelegram, chat
	m.To, m.ReplyTo, m.Subject = nil, glassbox.Person{}, ""
	m.HTML = w.Telegram
	return m
}

// message words one message for its recipients, from the agency's sender, signed with the agency's name in
// the message's locale, and returns it as an email with its wording in every medium (for a Telegram copy). The
// wording is the project's, the agency's or the built-in template of the kind (variant picks among a kind's
// built-in wordings). Its id derives from the cause (an event, a stage close, a reminder), the kind and the
// audience, so it is sent once however often its cause is processed.
func message(cfg glassbox.Config, p glassbox.Project, locale, cause string, k glassbox.MessageKind, a glassbox.Audience,
	to []glassbox.Person, replyTo glassbox.Person, variant string, v view) (glassbox.Message, worded, error) {
	v = v.bounded()
	from, err := cfg.Agency.SenderIn(locale)
	if err != nil {
		return glassbox.Message{}, worded{}, fmt.Errorf("notify: %w", err)
	}
	v.Agency = cfg.Agency.NameIn(locale)
	w, err := word(cfg, p, locale, k, variant, v)
	if err != nil {
		return glassbox.Message{}, worded{}, err
	}
	return glassbox.Message{
		ID:        glassbox.MessageID(cause, k, a, glassbox.ChannelEmail),
		ProjectID: p.ID,
		EventID:   cause,
		Kind:      k,
		Audience:  a,
		Channel:   glassbox.ChannelEmail,
		From:      from,
		ReplyTo:   replyTo,
		To:        to,
		Subject:   w.Subject,
		Text:      w.Text,
		HTML:      w.HTML,
	}, w, nil
}

// firstNames greets people by first name: "Анна" or "Анна, Пётр".
func firstNames(ps []glassbox.Person) string {
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		if f := strings.Fields(p.Name); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return strings.Join(names, ", ")
}

func orDefault(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
