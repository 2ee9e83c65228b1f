package notify

import (
	"html"
	"net/url"
	"strings"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// The wording is plain Go rather than text/template or html/template: templates reach
// reflect.Value.MethodByName, which stops the linker from dropping unused methods and made the React
// binary 16.4 MB instead of 10.3 MB. HTML gets a view whose every field is escaped (see escaped).

// wording is one kind of message in one locale: a subject and paragraphs around one link. The same sentences
// render as text and as HTML, so the two parts cannot drift apart.
type wording struct {
	subject func(v view) string
	// before and after are the paragraphs around the link.
	before, after []func(v view) string
	// link picks the URL (nil: no link); linkIntro leads it in text, linkLabel is its text in HTML.
	link                 func(v view) string
	linkIntro, linkLabel string
	// button draws the HTML link as a button; signed ends the message with the agency's name.
	button, signed bool
}

func (w wording) text(v view) string {
	ps := make([]string, 0, len(w.before)+len(w.after)+2)
	for _, p := range w.before {
		ps = append(ps, p(v))
	}
	if w.link != nil {
		ps = append(ps, w.linkIntro+" "+w.link(v))
	}
	for _, p := range w.after {
		ps = append(ps, p(v))
	}
	if w.signed {
		ps = append(ps, v.Agency)
	}
	return strings.Join(ps, "\n\n") + "\n"
}

// html renders the message as an HTML document; v must be escaped (view.escaped).
func (w wording) html(v view) string {
	ps := make([]string, 0, len(w.before)+len(w.after)+2)
	for _, p := range w.before {
		ps = append(ps, "<p>"+p(v)+"</p>")
	}
	style := ""
	if w.button {
		style = " " + button
	}
	if w.link != nil {
		ps = append(ps, `<p><a href="`+w.link(v)+`"`+style+`>`+w.linkLabel+`</a></p>`)
	}
	for _, p := range w.after {
		ps = append(ps, "<p>"+p(v)+"</p>")
	}
	if w.signed {
		ps = append(ps, `<p style="color:#667085">`+v.Agency+`</p>`)
	}
	return htmlLayout(strings.Join(ps, "\n"))
}

// telegram renders the message in Telegram's HTML subset (parse_mode HTML): the same paragraphs, the link as
// an <a>, no layout. v must be escaped (view.escaped).
func (w wording) telegram(v view) string {
	ps := make([]string, 0, len(w.before)+len(w.after)+2)
	for _, p := range w.before {
		ps = append(ps, p(v))
	}
	if w.link != nil {
		ps = append(ps, `<a href="`+w.link(v)+`">`+w.linkLabel+`</a>`)
	}
	for _, p := range w.after {
		ps = append(ps, p(v))
	}
	if w.signed {
		ps = append(ps, "<i>"+v.Agency+"</i>")
	}
	return strings.Join(ps, "\n\n")
}

func deliverable(v view) string { return v.Link }
func task(v view) string        { return v.TaskURL }

// escaped returns the view with every field safe to place in HTML text and attributes. Links that are not
// http(s) become "#", so a tracker cannot smuggle a javascript: URL into a button.
func (v view) escaped() view {
	e := html.EscapeString
	return view{
		Greeting: e(v.Greeting), Agency: e(v.Agency), Project: e(v.Project), Manager: e(v.Manager),
		Title: e(v.Title), List: e(v.List), Actor: e(v.Actor), Link: e(safeURL(v.Link)), TaskURL: e(safeURL(v.TaskURL)),
		Client: e(v.Client), Stage: e(v.Stage), BilledStage: e(v.BilledStage), Invoice: e(v.Invoice), Amount: e(v.Amount),
		Due: e(v.Due), Expires: e(v.Expires), Reminders: v.Reminders, Tasks: escapedTasks(v.Tasks), markup: true,
	}
}

func safeURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "#"
	}
	return s
}

const button = `style="display:inline-block;padding:10px 18px;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none"`

func htmlLayout(body string) string {
	return `<!DOCTYPE html><html><head><meta charset="utf-8"></head>` +
		`<body style="font-family:-apple-system,Segoe UI,Roboto,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2933;max-width:560px">` +
		body + `</body></html>`
}

func by(actor string) string {
	if actor == "" {
		return ""
	}
	return " (" + actor + ")"
}

func greetRU(v view) string {
	if v.Greeting == "" {
		return "Добрый день!"
	}
	return v.Greeting + ", добрый день!"
}

func greetEN(v view) string {
	if v.Greeting == "" {
		return "Hello,"
	}
	return "Hi " + v.Greeting + ","
}

// wordings holds the wording per locale and message kind. Short and human: one fact, one link, one next step.
var wordings = map[string]map[glassbox.MessageKind]wording{
	glassbox.LocaleRU: {
		glassbox.MessageTaskDone: {
			subject: func(v view) string { return "Готово: «" + v.Title + "» — " + v.Project },
			before: []func(view) string{
				greetRU,
				func(v view) string {
					return "Это помощник агентства " + v.Agency + ". Команда закончила работу над задачей «" + v.Title + "» в проекте «" + v.Project + "»."
				},
			},
			link: deliverable, linkIntro: "Посмотрите результат по ссылке:", linkLabel: "Посмотреть результат", button: true,
			after: []func(view) string{
				func(v view) string {
					return "Если есть правки, напишите их в ответ на это письмо — менеджер " + v.Manager + " подключится."
				},
			},
			signed: true,
		},
		glassbox.MessageTaskBlocked: {
			subject: func(v view) string { return "Заблокировано: «" + v.Title + "» — " + v.Project },
			before: []func(view) string{
				func(v view) string {
					return v.Greeting + ", задача «" + v.Title + "» в проекте «" + v.Project + "» перешла в «" + v.List + "»" + by(v.Actor) + "."
				},
				func(view) string {
					return "Клиенту ничего не отправлено: поговорите с ним сами, если это нужно."
				},
			},
			link: task, linkIntro: "Задача:", linkLabel: "Открыть задачу",
		},
		glassbox.MessageTaskReopened: {
			subject: func(v view) string { return "Снова в работе: «" + v.Title + "» — " + v.Project },
			before: []func(view) string{
				func(v view) string {
					return v.Greeting + ", задача «" + v.Title + "» в проекте «" + v.Project + "» вернулась из готовых в «" + v.List + "»" + by(v.Actor) + "."
				},
				func(view) string {
					return "Клиент об этом не извещён: если он уже видел результат, расскажите ему сами."
				},
			},
			link: task, linkIntro: "Задача:", linkLabel: "Открыть задачу",
		},
	},
	glassbox.LocaleEN: {
		glassbox.MessageTaskDone: {
			subject: func(v view) string { return "Done: “" + v.Title + "” — " + v.Project },
			before: []func(view) string{
				greetEN,
				func(v view) string {
					return "This is the " + v.Agency + " assistant. The team has finished “" + v.Title + "” in " + v.Project + "."
				},
			},
			link: deliverable, linkIntro: "See the result here:", linkLabel: "See the result", button: true,
			after: []func(view) string{
				func(v view) string {
					return "If anything needs changing, just reply to this email and " + v.Manager + " will pick it up."
				},
			},
			signed: true,
		},
		glassbox.MessageTaskBlocked: {
			subject: func(v view) string { return "Blocked: “" + v.Title + "” — " + v.Project },
			before: []func(view) string{
				func(v view) string {
					return v.Greeting + ", “" + v.Title + "” in " + v.Project + " moved to “" + v.List + "”" + by(v.Actor) + "."
				},
				func(view) string {
					return "Nothing was sent to the client: talk to them yourself if they need to know."
				},
			},
			link: task, linkIntro: "Task:", linkLabel: "Open the task",
		},
		glassbox.MessageTaskReopened: {
			subject: func(v view) string { return "Reopened: “" + v.Title + "” — " + v.Project },
			before: []func(view) string{
				func(v view) string {
					return v.Greeting + ", “" + v.Title + "” in " + v.Project + " went back from done to “" + v.List + "”" + by(v.Actor) + "."
				},
				func(view) string {
					return "The client was not told: if they have seen the result already, let them know yourself."
				},
			},
			link: task, linkIntro: "Task:", linkLabel: "Open the task",
		},
	},
}
