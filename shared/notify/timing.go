package notify

import (
	"fmt"
	"unicode/utf16"

	"github.com/glassbox-oss/glassbox/shared/dates"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// What the client is told when held task-done notices go out together (tasks_done), and what the manager is
// told of a task past its due date (task_overdue). The flush decides when; this file only words.

// TaskOf is what a task-done notice points to: the deliverable attached to the task, else the task at the
// provider. A held notice keeps it, so the coalesced message can list the task.
func TaskOf(s Situation) glassbox.HeldTask {
	link := s.After.Link
	if link == "" || len(link) > maxURL {
		link = s.Event.URL
	}
	return glassbox.HeldTask{Provider: s.Event.Provider, TaskID: s.Event.TaskID, Title: orDefault(s.Event.Title, s.After.Title), Link: link}
}

// Coalesced words the one message that lists held task-done notices of one project, audience and channel:
// id and cause derive from the members (glassbox.BatchID), recipients are the members' own (what was decided
// for them), and Hold.Members names them. One member alone is not coalesced: the caller sends it as it is.
// approvals, when set, gives each listed task its "accept" and "request changes" links, signed over the
// coalesced message's id.
func Coalesced(cfg glassbox.Config, members []glassbox.Message, approvals ApprovalURLs) (glassbox.Message, error) {
	if len(members) < 2 {
		return glassbox.Message{}, fmt.Errorf("notify: coalesce %d notices: needs at least 2", len(members))
	}
	first := members[0]
	p, ok := cfg.Project(first.ProjectID)
	if !ok {
		return glassbox.Message{}, fmt.Errorf("notify: coalesce: project %q is no longer configured", first.ProjectID)
	}
	cause := glassbox.BatchID(members)
	locale := cfg.ProjectLocale(p)
	v := view{Greeting: firstNames(first.To), Project: p.Name, Manager: p.Manager.Name}
	ids := make([]string, len(members))
	listed := map[string]bool{}
	for i, m := range members {
		ids[i] = m.ID
		if m.Hold != nil {
			t := m.Hold.Task
			// A card done, reopened and done again has two held notices: the client hears of it once.
			key := t.Provider + "\x00" + t.TaskID
			if t.TaskID != "" && listed[key] {
				continue
			}
			listed[key] = true
			link := t.Link
			if len(link) > maxURL {
				link = ""
			}
			item := taskItem{Title: shorten(t.Title, maxField), Link: link}
			if approvals != nil && first.Audience == glassbox.AudienceClient && t.TaskID != "" {
				id := glassbox.MessageID(cause, glassbox.MessageTasksDone, first.Audience, glassbox.ChannelEmail)
				item.Accept, item.Changes = approvals(p.ID, t.Provider, t.TaskID, id)
			}
			v.Tasks = append(v.Tasks, item)
		}
	}
	if len(v.Tasks) > 0 {
		v.Link = v.Tasks[0].Link
	}
	if v.Greeting == "" && first.ChannelOrEmail() == glassbox.ChannelTelegram {
		client, _ := cfg.Client(p.ClientID)
		v.Greeting = firstNames(client.Contacts)
	}
	m, w, err := message(cfg, p, locale, cause, glassbox.MessageTasksDone, first.Audience, first.To, first.ReplyTo, "", v)
	if err != nil {
		return m, err
	}
	if first.ChannelOrEmail() == glassbox.ChannelTelegram {
		m = onTelegram(m, first.Chat, w)
	}
	m.Hold = &glassbox.Hold{Members: ids}
	return m, nil
}

// maxTelegramText is the longest text Telegram's sendMessage takes: 4096 characters after entity parsing,
// counted in UTF-16 code units. A longer one is refused for good (400 "message is too long"). The markup's
// own length bounds the parsed text's from above (a tag or an entity is never shorter than what it parses to),
// and it is what glassbox dev's stand-in checks.
const maxTelegramText = 4096

// CoalescedFitting words the coalesced message of the longest run of members, from the first, that its
// channel takes: all of them on email; on Telegram as many as keep the text within Telegram's limit (titles
// of up to 500 characters and their links make 50 tasks far longer). n says how many members it lists; the
// rest go in the next message. n < 2 means none is worth coalescing: the first goes by itself (the ordinary
// notice, which fits) and m is empty.
func CoalescedFitting(cfg glassbox.Config, members []glassbox.Message, approvals ApprovalURLs) (m glassbox.Message, n int, err error) {
	if len(members) < 2 {
		return glassbox.Message{}, len(members), nil
	}
	if m, err = Coalesced(cfg, members, approvals); err != nil || fits(m) {
		return m, len(members), err
	}
	// Adding a task only lengthens the text: find the longest prefix that fits by halving.
	fit, tooLong := 1, len(members)
	m = glassbox.Message{}
	for tooLong-fit > 1 {
		mid := (fit + tooLong) / 2
		c, err := Coalesced(cfg, members[:mid], approvals)
		if err != nil {
			return glassbox.Message{}, 0, err
		}
		if fits(c) {
			fit, m = mid, c
		} else {
			tooLong = mid
		}
	}
	if fit < 2 {
		return glassbox.Message{}, 1, nil
	}
	return m, fit, nil
}

// fits says whether a channel takes a message's text: Telegram's has a limit, email's none.
func fits(m glassbox.Message) bool {
	return m.ChannelOrEmail() != glassbox.ChannelTelegram || utf16Len(m.HTML) <= maxTelegramText
}

// utf16Len is how many UTF-16 code units s takes: how Telegram counts characters.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Overdue words the manager's notice that a task is past its due date and not done: an email, and a copy to
// the manager's Telegram chat when there is one. Its cause names the task and the due date, so each due date
// tells once (and a moved one tells again).
func Overdue(cfg glassbox.Config, p glassbox.Project, t glassbox.Task) ([]glassbox.Message, error) {
	cause := "overdue:" + t.ProjectID + "/" + t.Provider + "/" + t.TaskID + "@" + t.Due.UTC().Format("2006-01-02T15:04:05Z")
	locale := cfg.ProjectLocale(p)
	to := []glassbox.Person{p.Manager}
	v := view{Greeting: firstNames(to), Project: p.Name, Manager: p.Manager.Name, Title: t.Title, List: t.ListName,
		Link: t.URL, Due: dates.Long(t.Due.In(cfg.ProjectZone(p)), locale)}
	m, w, err := message(cfg, p, locale, cause, glassbox.MessageTaskOverdue, glassbox.AudienceManager, to, glassbox.Person{}, "", v)
	if err != nil {
		return nil, err
	}
	out := []glassbox.Message{m}
	if chat := p.Manager.TelegramChatID; chat != "" {
		out = append(out, onTelegram(m, chat, w))
	}
	return out, nil
}
