package notify

import (
	"html"
	"net/url"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// The wording is plain Go rather than text/template or html/template: templates reach
// reflect.Value.MethodByName, which stops the linker from dropping unused methods and made the React
// binary a third larger (16.4 MB against 11 MB). HTML gets a view whose every field is escaped (see escaped).

// wording renders one kind of message in one locale. html receives the escaped view.
type wording struct {
	subject, text, html func(v view) string
}

// escaped returns the view with every field safe to place in HTML text and attributes. Links that are not
// http(s) become "#", so a tracker cannot smuggle a javascript: URL into a button.
func (v view) escaped() view {
	e := html.EscapeString
	return view{
		Greeting: e(v.Greeting), Agency: e(v.Agency), Project: e(v.Project), Manager: e(v.Manager),
		Title: e(v.Title), List: e(v.List), Actor: e(v.Actor), Link: e(safeURL(v.Link)), TaskURL: e(safeURL(v.TaskURL)),
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
			text: func(v view) string {
				return greetRU(v) + "\n\n" +
					"Это помощник агентства " + v.Agency + ". Команда закончила работу над задачей «" + v.Title + "» в проекте «" + v.Project + "».\n\n" +
					"Посмотрите результат по ссылке: " + v.Link + "\n\n" +
					"Если есть правки, напишите их в ответ на это письмо — менеджер " + v.Manager + " подключится.\n\n" +
					v.Agency + "\n"
			},
			html: func(v view) string {
				return "<p>" + greetRU(v) + "</p>\n" +
					"<p>Это помощник агентства " + v.Agency + ". Команда закончила работу над задачей «" + v.Title + "» в проекте «" + v.Project + "».</p>\n" +
					`<p><a href="` + v.Link + `" ` + button + `>Посмотреть результат</a></p>` + "\n" +
					"<p>Если есть правки, напишите их в ответ на это письмо — менеджер " + v.Manager + " подключится.</p>\n" +
					`<p style="color:#667085">` + v.Agency + "</p>"
			},
		},
		glassbox.MessageTaskBlocked: {
			subject: func(v view) string { return "Заблокировано: «" + v.Title + "» — " + v.Project },
			text: func(v view) string {
				return v.Greeting + ", задача «" + v.Title + "» в проекте «" + v.Project + "» перешла в «" + v.List + "»" + by(v.Actor) + ".\n\n" +
					"Клиенту ничего не отправлено: поговорите с ним сами, если это нужно.\n\n" +
					"Задача: " + v.TaskURL + "\n"
			},
			html: func(v view) string {
				return "<p>" + v.Greeting + ", задача «" + v.Title + "» в проекте «" + v.Project + "» перешла в «" + v.List + "»" + by(v.Actor) + ".</p>\n" +
					"<p>Клиенту ничего не отправлено: поговорите с ним сами, если это нужно.</p>\n" +
					`<p><a href="` + v.TaskURL + `">Открыть задачу</a></p>`
			},
		},
		glassbox.MessageTaskReopened: {
			subject: func(v view) string { return "Снова в работе: «" + v.Title + "» — " + v.Project },
			text: func(v view) string {
				return v.Greeting + ", задача «" + v.Title + "» в проекте «" + v.Project + "» вернулась из готовых в «" + v.List + "»" + by(v.Actor) + ".\n\n" +
					"Клиент об этом не извещён: если он уже видел результат, расскажите ему сами.\n\n" +
					"Задача: " + v.TaskURL + "\n"
			},
			html: func(v view) string {
				return "<p>" + v.Greeting + ", задача «" + v.Title + "» в проекте «" + v.Project + "» вернулась из готовых в «" + v.List + "»" + by(v.Actor) + ".</p>\n" +
					"<p>Клиент об этом не извещён: если он уже видел результат, расскажите ему сами.</p>\n" +
					`<p><a href="` + v.TaskURL + `">Открыть задачу</a></p>`
			},
		},
	},
	glassbox.LocaleEN: {
		glassbox.MessageTaskDone: {
			subject: func(v view) string { return "Done: “" + v.Title + "” — " + v.Project },
			text: func(v view) string {
				return greetEN(v) + "\n\n" +
					"This is the " + v.Agency + " assistant. The team has finished “" + v.Title + "” in " + v.Project + ".\n\n" +
					"See the result here: " + v.Link + "\n\n" +
					"If anything needs changing, just reply to this email and " + v.Manager + " will pick it up.\n\n" +
					v.Agency + "\n"
			},
			html: func(v view) string {
				return "<p>" + greetEN(v) + "</p>\n" +
					"<p>This is the " + v.Agency + " assistant. The team has finished “" + v.Title + "” in " + v.Project + ".</p>\n" +
					`<p><a href="` + v.Link + `" ` + button + `>See the result</a></p>` + "\n" +
					"<p>If anything needs changing, just reply to this email and " + v.Manager + " will pick it up.</p>\n" +
					`<p style="color:#667085">` + v.Agency + "</p>"
			},
		},
		glassbox.MessageTaskBlocked: {
			subject: func(v view) string { return "Blocked: “" + v.Title + "” — " + v.Project },
			text: func(v view) string {
				return v.Greeting + ", “" + v.Title + "” in " + v.Project + " moved to “" + v.List + "”" + by(v.Actor) + ".\n\n" +
					"Nothing was sent to the client: talk to them yourself if they need to know.\n\n" +
					"Task: " + v.TaskURL + "\n"
			},
			html: func(v view) string {
				return "<p>" + v.Greeting + ", “" + v.Title + "” in " + v.Project + " moved to “" + v.List + "”" + by(v.Actor) + ".</p>\n" +
					"<p>Nothing was sent to the client: talk to them yourself if they need to know.</p>\n" +
					`<p><a href="` + v.TaskURL + `">Open the task</a></p>`
			},
		},
		glassbox.MessageTaskReopened: {
			subject: func(v view) string { return "Reopened: “" + v.Title + "” — " + v.Project },
			text: func(v view) string {
				return v.Greeting + ", “" + v.Title + "” in " + v.Project + " went back from done to “" + v.List + "”" + by(v.Actor) + ".\n\n" +
					"The client was not told: if they have seen the result already, let them know yourself.\n\n" +
					"Task: " + v.TaskURL + "\n"
			},
			html: func(v view) string {
				return "<p>" + v.Greeting + ", “" + v.Title + "” in " + v.Project + " went back from done to “" + v.List + "”" + by(v.Actor) + ".</p>\n" +
					"<p>The client was not told: if they have seen the result already, let them know yourself.</p>\n" +
					`<p><a href="` + v.TaskURL + `">Open the task</a></p>`
			},
		},
	},
}
