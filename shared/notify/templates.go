package notify

import (
	"sync"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// templates holds the wording per locale and message kind. Short and human: one fact, one link, one next step.
// Parsed on first use, so a cold start that sends nothing does not pay for it.
var templates = sync.OnceValue(func() map[string]map[glassbox.MessageKind]template {
	return map[string]map[glassbox.MessageKind]template{
		glassbox.LocaleRU: {
			glassbox.MessageTaskDone: mustTemplate("ru.task_done",
				`Готово: «{{.Title}}» — {{.Project}}`,
				`{{if .Greeting}}{{.Greeting}}, добрый день!{{else}}Добрый день!{{end}}

Это помощник агентства {{.Agency}}. Команда закончила работу над задачей «{{.Title}}» в проекте «{{.Project}}».

Посмотрите результат по ссылке: {{.Link}}

Если есть правки, напишите их в ответ на это письмо — менеджер {{.Manager}} подключится.

{{.Agency}}
`,
				`<p>{{if .Greeting}}{{.Greeting}}, добрый день!{{else}}Добрый день!{{end}}</p>
<p>Это помощник агентства {{.Agency}}. Команда закончила работу над задачей «{{.Title}}» в проекте «{{.Project}}».</p>
<p><a href="{{.Link}}" style="display:inline-block;padding:10px 18px;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none">Посмотреть результат</a></p>
<p>Если есть правки, напишите их в ответ на это письмо — менеджер {{.Manager}} подключится.</p>
<p style="color:#667085">{{.Agency}}</p>`),
			glassbox.MessageTaskBlocked: mustTemplate("ru.task_blocked",
				`Заблокировано: «{{.Title}}» — {{.Project}}`,
				`{{.Greeting}}, задача «{{.Title}}» в проекте «{{.Project}}» перешла в «{{.List}}»{{if .Actor}} ({{.Actor}}){{end}}.

Клиенту ничего не отправлено: поговорите с ним сами, если это нужно.

Задача: {{.TaskURL}}
`,
				`<p>{{.Greeting}}, задача «{{.Title}}» в проекте «{{.Project}}» перешла в «{{.List}}»{{if .Actor}} ({{.Actor}}){{end}}.</p>
<p>Клиенту ничего не отправлено: поговорите с ним сами, если это нужно.</p>
<p><a href="{{.TaskURL}}">Открыть задачу</a></p>`),
			glassbox.MessageTaskReopened: mustTemplate("ru.task_reopened",
				`Снова в работе: «{{.Title}}» — {{.Project}}`,
				`{{.Greeting}}, задача «{{.Title}}» в проекте «{{.Project}}» вернулась из готовых в «{{.List}}»{{if .Actor}} ({{.Actor}}){{end}}.

Клиент об этом не извещён: если он уже видел результат, расскажите ему сами.

Задача: {{.TaskURL}}
`,
				`<p>{{.Greeting}}, задача «{{.Title}}» в проекте «{{.Project}}» вернулась из готовых в «{{.List}}»{{if .Actor}} ({{.Actor}}){{end}}.</p>
<p>Клиент об этом не извещён: если он уже видел результат, расскажите ему сами.</p>
<p><a href="{{.TaskURL}}">Открыть задачу</a></p>`),
		},
		glassbox.LocaleEN: {
			glassbox.MessageTaskDone: mustTemplate("en.task_done",
				`Done: “{{.Title}}” — {{.Project}}`,
				`{{if .Greeting}}Hi {{.Greeting}},{{else}}Hello,{{end}}

This is the {{.Agency}} assistant. The team has finished “{{.Title}}” in {{.Project}}.

See the result here: {{.Link}}

If anything needs changing, just reply to this email and {{.Manager}} will pick it up.

{{.Agency}}
`,
				`<p>{{if .Greeting}}Hi {{.Greeting}},{{else}}Hello,{{end}}</p>
<p>This is the {{.Agency}} assistant. The team has finished “{{.Title}}” in {{.Project}}.</p>
<p><a href="{{.Link}}" style="display:inline-block;padding:10px 18px;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none">See the result</a></p>
<p>If anything needs changing, just reply to this email and {{.Manager}} will pick it up.</p>
<p style="color:#667085">{{.Agency}}</p>`),
			glassbox.MessageTaskBlocked: mustTemplate("en.task_blocked",
				`Blocked: “{{.Title}}” — {{.Project}}`,
				`{{.Greeting}}, “{{.Title}}” in {{.Project}} moved to “{{.List}}”{{if .Actor}} ({{.Actor}}){{end}}.

Nothing was sent to the client: talk to them yourself if they need to know.

Task: {{.TaskURL}}
`,
				`<p>{{.Greeting}}, “{{.Title}}” in {{.Project}} moved to “{{.List}}”{{if .Actor}} ({{.Actor}}){{end}}.</p>
<p>Nothing was sent to the client: talk to them yourself if they need to know.</p>
<p><a href="{{.TaskURL}}">Open the task</a></p>`),
			glassbox.MessageTaskReopened: mustTemplate("en.task_reopened",
				`Reopened: “{{.Title}}” — {{.Project}}`,
				`{{.Greeting}}, “{{.Title}}” in {{.Project}} went back from done to “{{.List}}”{{if .Actor}} ({{.Actor}}){{end}}.

The client was not told: if they have seen the result already, let them know yourself.

Task: {{.TaskURL}}
`,
				`<p>{{.Greeting}}, “{{.Title}}” in {{.Project}} went back from done to “{{.List}}”{{if .Actor}} ({{.Actor}}){{end}}.</p>
<p>The client was not told: if they have seen the result already, let them know yourself.</p>
<p><a href="{{.TaskURL}}">Open the task</a></p>`),
		},
	}
})
