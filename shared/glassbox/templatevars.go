package glassbox

import "sort"

// MessageTemplate is an admin's wording of one message kind, replacing the built-in one part by part. Body is
// plain text (paragraphs separated by blank lines) that every channel renders: the email's text part, its HTML
// part and the Telegram message. Text, HTML and Telegram replace it on one channel; HTML and Telegram are
// written as markup (Telegram's HTML subset for Telegram), variables in them still escaped. A part left empty
// falls back to the next layer: project → agency → built-in.
type MessageTemplate struct {
	Subject  string `json:"subject,omitempty" yaml:"subject,omitempty" dynamodbav:"subject,omitempty"`
	Body     string `json:"body,omitempty" yaml:"body,omitempty" dynamodbav:"body,omitempty"`
	Text     string `json:"text,omitempty" yaml:"text,omitempty" dynamodbav:"text,omitempty"`
	HTML     string `json:"html,omitempty" yaml:"html,omitempty" dynamodbav:"html,omitempty"`
	Telegram string `json:"telegram,omitempty" yaml:"telegram,omitempty" dynamodbav:"telegram,omitempty"`
}

// MessageTemplates are the overrides of one layer (the agency's in one locale, or a project's), per message kind.
type MessageTemplates map[MessageKind]MessageTemplate

// TemplatePart names one part of a MessageTemplate.
type TemplatePart string

// Template parts, as the agency file spells them.
const (
	PartSubject  TemplatePart = "subject"
	PartBody     TemplatePart = "body"
	PartText     TemplatePart = "text"
	PartHTML     TemplatePart = "html"
	PartTelegram TemplatePart = "telegram"
)

// Parts lists the parts that are set, in a fixed order.
func (t MessageTemplate) Parts() []TemplatePart {
	var out []TemplatePart
	for _, p := range []struct {
		part TemplatePart
		src  string
	}{{PartSubject, t.Subject}, {PartBody, t.Body}, {PartText, t.Text}, {PartHTML, t.HTML}, {PartTelegram, t.Telegram}} {
		if p.src != "" {
			out = append(out, p.part)
		}
	}
	return out
}

// Part is the source of one part.
func (t MessageTemplate) Part(p TemplatePart) string {
	switch p {
	case PartSubject:
		return t.Subject
	case PartBody:
		return t.Body
	case PartText:
		return t.Text
	case PartHTML:
		return t.HTML
	case PartTelegram:
		return t.Telegram
	}
	return ""
}

// ParsePart parses one part of a message kind's template in a locale: HTML and Telegram parts as markup.
func ParsePart(k MessageKind, p TemplatePart, src, locale string) (*Template, error) {
	vars := MessageVars[k]
	switch p {
	case PartHTML:
		return ParseMarkupTemplate(src, vars, locale)
	case PartTelegram:
		t, err := ParseMarkupTemplate(src, vars, locale)
		if err != nil {
			return nil, err
		}
		return t, t.checkTelegramTags()
	}
	return ParseTemplate(src, vars, locale)
}

// Variables every message has: the greeting (the recipients' first names, "Анна, Пётр"; may be empty), the
// agency's name in the message's locale, the project, its manager, and the message's link.
var commonVars = map[string]VarKind{"greeting": VarText, "agency": VarText, "project": VarText, "manager": VarText, "link": VarText}

// taskVars: the task's title, the list (column) it is in now, and who moved it.
var taskVars = map[string]VarKind{"title": VarText, "list": VarText, "actor": VarText}

// billingVars: the client's legal name, the billed stage, the invoice's number, total and due date (formatted
// for the locale).
var billingVars = map[string]VarKind{"client": VarText, "billed_stage": VarText, "invoice": VarText, "amount": VarText, "due": VarText}

// approvalVars: a task-done notice's signed links that accept the deliverable or request changes.
var approvalVars = map[string]VarKind{"accept": VarText, "changes": VarText}

func vars(sets ...map[string]VarKind) TemplateVars {
	out := TemplateVars{Vars: map[string]VarKind{}}
	for _, s := range append([]map[string]VarKind{commonVars}, sets...) {
		for n, k := range s {
			out.Vars[n] = k
		}
	}
	return out
}

// MessageVars are the variables each message kind's templates may use. The README's "Message templates"
// section lists them; a test keeps the two in step.
var MessageVars = map[MessageKind]TemplateVars{
	// link: the result (the task's deliverable link, else the task). accept, changes: the signed one-click
	// links that accept the deliverable or request changes (empty when the deployment has no link key).
	MessageTaskDone: vars(taskVars, approvalVars),
	// link: the task.
	MessageTaskBlocked:  vars(taskVars),
	MessageTaskReopened: vars(taskVars),
	// tasks: the tasks that reached done, each with its title and link; count: how many. link: the first one's.
	MessageTasksDone: func() TemplateVars {
		v := vars(map[string]VarKind{"tasks": VarList, "count": VarNumber})
		v.Items = map[string]TemplateVars{"tasks": {Vars: map[string]VarKind{"title": VarText, "link": VarText, "accept": VarText, "changes": VarText}}}
		return v
	}(),
	// due: the date the task was due (long form, in the project's zone). link: the task.
	MessageTaskOverdue: vars(taskVars, map[string]VarKind{"due": VarText}),
	// address: the email address or Telegram chat that did not get the message; reason: why, in words
	// ("адрес не существует"); recipient: whose it is; channel: "email" or "telegram"; subject: what the message
	// was about.
	MessageDeliveryFailed: vars(map[string]VarKind{"address": VarText, "reason": VarText, "recipient": VarText, "channel": VarText, "subject": VarText}),
	// chat: the group's old chat id; new_chat: its id as a supergroup, to put into the agency file.
	MessageChatMigrated: vars(map[string]VarKind{"chat": VarText, "new_chat": VarText}),
	// stage: the closed stage. One of four flags says which case it is: starting (the project starts: no act yet,
	// the first stage is billed), prepay (the act, and the invoice for the next stage), postpay (the act and
	// the invoice for this stage), last (the act only: the last stage of a prepaid project). link: the invoice.
	MessageStageClosed: vars(billingVars, map[string]VarKind{"stage": VarText, "starting": VarFlag, "prepay": VarFlag, "postpay": VarFlag, "last": VarFlag}),
	// expires: until when the "payment received" link (link) works.
	MessageInvoiceIssued: vars(billingVars, map[string]VarKind{"expires": VarText}),
	// reminder: which reminder this is (1, 2, …). link: the invoice.
	MessageInvoiceReminder: vars(billingVars, map[string]VarKind{"reminder": VarNumber}),
	// reminders: how many reminders the client has had. link: the invoice.
	MessageInvoiceOverdue: vars(billingVars, map[string]VarKind{"reminders": VarNumber}),
	// recipient: the address that switched the project's reports off with a report's unsubscribe link;
	// resubscribe: the glassbox command that switches them back on for it.
	MessageDigestUnsubscribed: vars(map[string]VarKind{"recipient": VarText, "resubscribe": VarText}),
	// One of three flags says what the client did: accepted (a deliverable), changes_requested (urgent), rated
	// (a report, with score 1–5). title: the task (empty for a rating); comment: what the client wrote, if
	// anything. link: the task.
	MessageClientFeedback: vars(map[string]VarKind{"title": VarText, "comment": VarText, "score": VarNumber,
		"accepted": VarFlag, "changes_requested": VarFlag, "rated": VarFlag}),
}

// MessageKinds is every kind a template can be written for, sorted.
func MessageKinds() []MessageKind {
	out := make([]MessageKind, 0, len(MessageVars))
	for k := range MessageVars {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
