package notify

import "github.com/glassbox-oss/glassbox/shared/glassbox"

// FeedbackReceived words the manager's notice of a client's feedback (client_feedback): one email to the
// project's manager (the link function that records feedback sends email only, as for digest_unsubscribed).
// Its id derives from the feedback item, so telling the manager again of the same item finds it sent. task is
// the task an approval answers (its title and link; zero when it is unknown, and for a rating). Nothing goes
// to the client: a robot never answers feedback. Empty when there is nobody to tell (the project is no longer
// configured, its manager has no email) or the item is not one the manager is told of (TellsManager).
func FeedbackReceived(cfg glassbox.Config, f glassbox.Feedback, task glassbox.Task) ([]glassbox.Message, error) {
	project, found := cfg.Project(f.ProjectID)
	if !found || !f.TellsManager() || project.Manager.Email == "" {
		return nil, nil
	}
	v := view{
		Greeting:         firstNames([]glassbox.Person{project.Manager}),
		Project:          project.Name,
		Manager:          project.Manager.Name,
		Title:            orDefault(f.Title, task.Title),
		Link:             task.URL,
		Comment:          f.Comment,
		Score:            f.Score,
		Accepted:         f.Kind == glassbox.FeedbackAccepted,
		ChangesRequested: f.Kind == glassbox.FeedbackChangesRequested,
		Rated:            f.Kind == glassbox.FeedbackRating,
	}
	m, _, err := message(cfg, project, cfg.ProjectLocale(project), f.ID, glassbox.MessageClientFeedback,
		glassbox.AudienceManager, []glassbox.Person{project.Manager}, glassbox.Person{}, "", v)
	if err != nil {
		return nil, err
	}
	return []glassbox.Message{m}, nil
}

// The manager's notice of a client's feedback (client_feedback). Changes requested and a low rating are bad
// news: the subject says it is urgent, and the body says the client was told only that the manager will get
// back to them.
func init() {
	builtin[glassbox.LocaleRU][string(glassbox.MessageClientFeedback)] = glassbox.MessageTemplate{
		Subject: `{{if changes_requested}}Срочно: есть правки — «{{title}}» — {{project}}{{end}}{{if accepted}}Принято клиентом: «{{title}}» — {{project}}{{end}}{{if rated}}Срочно: оценка {{score}} из 5 — {{project}}{{end}}`,
		Body: `{{if changes_requested}}
{{greeting}}, клиент просит правки по задаче «{{title}}» в проекте «{{project}}»: нажал «Есть правки» в уведомлении о готовности.
{{end}}
{{if accepted}}
{{greeting}}, клиент принял работу по задаче «{{title}}» в проекте «{{project}}»: нажал «Принять» в уведомлении о готовности.
{{end}}
{{if rated}}
{{greeting}}, клиент оценил работу по проекту «{{project}}» на {{score}} из 5 по ссылке из отчёта.
{{end}}

{{if comment}}Комментарий клиента: {{comment}}{{else}}Комментария клиент не оставил.{{end}}

{{if accepted}}Делать ничего не нужно: решение записано в историю проекта.{{else}}Робот клиенту не отвечал: клиент увидел «Спасибо, менеджер свяжется с вами». Свяжитесь с ним сами, лучше сегодня.{{end}}

{{if link}}Задача: {{link "Открыть задачу"}}{{end}}`,
	}
	builtin[glassbox.LocaleEN][string(glassbox.MessageClientFeedback)] = glassbox.MessageTemplate{
		Subject: `{{if changes_requested}}Urgent: changes requested — “{{title}}” — {{project}}{{end}}{{if accepted}}Accepted by the client: “{{title}}” — {{project}}{{end}}{{if rated}}Urgent: rated {{score}} of 5 — {{project}}{{end}}`,
		Body: `{{if changes_requested}}
{{greeting}}, the client asks for changes to “{{title}}” in {{project}}: they pressed "Request changes" in the task-done notice.
{{end}}
{{if accepted}}
{{greeting}}, the client accepted “{{title}}” in {{project}}: they pressed "Accept" in the task-done notice.
{{end}}
{{if rated}}
{{greeting}}, the client rated the work on {{project}} {{score}} of 5 with the link in a report.
{{end}}

{{if comment}}The client's comment: {{comment}}{{else}}The client left no comment.{{end}}

{{if accepted}}Nothing to do: the decision is in the project's history.{{else}}No robot answered the client: they saw "Thank you, the manager will get back to you". Get in touch yourself, today if you can.{{end}}

{{if link}}Task: {{link "Open the task"}}{{end}}`,
	}
}
