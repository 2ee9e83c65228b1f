package notify

import (
	"fmt"
	"html"
	"strconv"

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
func Coalesced(cfg glassbox.Config, members []glassbox.Message) (glassbox.Message, error) {
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
			t.Title = shorten(t.Title, maxField)
			if len(t.Link) > maxURL {
				t.Link = ""
			}
			v.Tasks = append(v.Tasks, t)
		}
	}
	if v.Greeting == "" && first.ChannelOrEmail() == glassbox.ChannelTelegram {
		client, _ := cfg.Client(p.ClientID)
		v.Greeting = firstNames(client.Contacts)
	}
	w := tasksDoneWording(locale, len(v.Tasks))
	m, err := message(cfg, p, locale, cause, glassbox.MessageTasksDone, first.Audience, first.To, first.ReplyTo, w, v)
	if err != nil {
		return m, err
	}
	if first.ChannelOrEmail() == glassbox.ChannelTelegram {
		m = onTelegram(m, first.Chat, w, v, cfg.Agency.NameIn(locale))
	}
	m.Hold = &glassbox.Hold{Members: ids}
	return m, nil
}

// Overdue words the manager's notice that a task is past its due date and not done: an email, and a copy to
// the manager's Telegram chat when there is one. Its cause names the task and the due date, so each due date
// tells once (and a moved one tells again).
func Overdue(cfg glassbox.Config, p glassbox.Project, t glassbox.Task) ([]glassbox.Message, error) {
	cause := "overdue:" + t.ProjectID + "/" + t.Provider + "/" + t.TaskID + "@" + t.Due.UTC().Format("2006-01-02T15:04:05Z")
	locale := cfg.ProjectLocale(p)
	to := []glassbox.Person{p.Manager}
	v := view{Greeting: firstNames(to), Project: p.Name, Manager: p.Manager.Name, Title: t.Title, List: t.ListName,
		TaskURL: t.URL, Due: dates.Long(t.Due.In(cfg.ProjectZone(p)), locale)}
	w := timingWordings[locale][glassbox.MessageTaskOverdue]
	m, err := message(cfg, p, locale, cause, glassbox.MessageTaskOverdue, glassbox.AudienceManager, to, glassbox.Person{}, w, v)
	if err != nil {
		return nil, err
	}
	out := []glassbox.Message{m}
	if chat := p.Manager.TelegramChatID; chat != "" {
		out = append(out, onTelegram(m, chat, w, v, cfg.Agency.NameIn(locale)))
	}
	return out, nil
}

// escapedTasks makes a coalesced message's list safe for HTML.
func escapedTasks(ts []glassbox.HeldTask) []glassbox.HeldTask {
	if ts == nil {
		return nil
	}
	out := make([]glassbox.HeldTask, len(ts))
	for i, t := range ts {
		out[i] = glassbox.HeldTask{Title: html.EscapeString(t.Title), Link: html.EscapeString(safeURL(t.Link))}
	}
	return out
}

// item words one task of the list: "«Title»: link" in text, the title as a link in HTML and Telegram.
func item(locale string, i int) func(v view) string {
	return func(v view) string {
		if i >= len(v.Tasks) {
			return ""
		}
		t := v.Tasks[i]
		title := "«" + t.Title + "»"
		if locale != glassbox.LocaleRU {
			title = "“" + t.Title + "”"
		}
		switch {
		case t.Link == "" || t.Link == "#":
			return "— " + title
		case v.markup:
			return `— <a href="` + t.Link + `">` + title + `</a>`
		default:
			return "— " + title + ": " + t.Link
		}
	}
}

// tasksRU says "1 задача", "3 задачи", "5 задач", "11 задач", "21 задача".
func tasksRU(n int) string {
	word := "задач"
	switch {
	case n%100 >= 11 && n%100 <= 14:
	case n%10 == 1:
		word = "задача"
	case n%10 >= 2 && n%10 <= 4:
		word = "задачи"
	}
	return strconv.Itoa(n) + " " + word
}

func tasksEN(n int) string {
	if n == 1 {
		return "1 task"
	}
	return strconv.Itoa(n) + " tasks"
}

// tasksDoneWording is the coalesced message for n tasks: the greeting, one sentence, one line per task, the
// next step.
func tasksDoneWording(locale string, n int) wording {
	w := timingWordings[locale][glassbox.MessageTasksDone]
	before := append([]func(view) string{}, w.before...)
	for i := 0; i < n; i++ {
		before = append(before, item(locale, i))
	}
	w.before = before
	return w
}

// timingWordings holds the wording of tasks_done and task_overdue per locale, in the style of wordings.
var timingWordings = map[string]map[glassbox.MessageKind]wording{
	glassbox.LocaleRU: {
		glassbox.MessageTasksDone: {
			subject: func(v view) string { return "Готово: " + tasksRU(len(v.Tasks)) + " — " + v.Project },
			before: []func(view) string{
				greetRU,
				func(v view) string {
					return "Это помощник агентства " + v.Agency + ". Команда закончила " + tasksRU(len(v.Tasks)) + " в проекте «" + v.Project + "». Посмотрите результат по ссылкам:"
				},
			},
			after: []func(view) string{
				func(v view) string {
					return "Если есть правки, напишите их в ответ на это письмо — менеджер " + v.Manager + " подключится."
				},
			},
			signed: true,
		},
		glassbox.MessageTaskOverdue: {
			subject: func(v view) string { return "Просрочено: «" + v.Title + "» — " + v.Project },
			before: []func(view) string{
				func(v view) string {
					where := ""
					if v.List != "" {
						where = " Она сейчас в «" + v.List + "»."
					}
					return v.Greeting + ", срок задачи «" + v.Title + "» в проекте «" + v.Project + "» — " + v.Due + ", а она ещё не готова." + where
				},
				func(view) string {
					return "Клиенту ничего не отправлено: если срок сдвигается, предупредите его сами."
				},
			},
			link: task, linkIntro: "Задача:", linkLabel: "Открыть задачу",
		},
	},
	glassbox.LocaleEN: {
		glassbox.MessageTasksDone: {
			subject: func(v view) string { return "Done: " + tasksEN(len(v.Tasks)) + " — " + v.Project },
			before: []func(view) string{
				greetEN,
				func(v view) string {
					return "This is the " + v.Agency + " assistant. The team has finished " + tasksEN(len(v.Tasks)) + " in " + v.Project + ". See the results here:"
				},
			},
			after: []func(view) string{
				func(v view) string {
					return "If anything needs changing, just reply to this email and " + v.Manager + " will pick it up."
				},
			},
			signed: true,
		},
		glassbox.MessageTaskOverdue: {
			subject: func(v view) string { return "Overdue: “" + v.Title + "” — " + v.Project },
			before: []func(view) string{
				func(v view) string {
					where := ""
					if v.List != "" {
						where = " It is in “" + v.List + "” now."
					}
					return v.Greeting + ", “" + v.Title + "” in " + v.Project + " was due " + v.Due + " and is not done yet." + where
				},
				func(view) string {
					return "Nothing was sent to the client: if the date moves, let them know yourself."
				},
			},
			link: task, linkIntro: "Task:", linkLabel: "Open the task",
		},
	},
}
