package notify

import (
	"strings"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// The built-in wording of the scheduled reports, ru and en. A report is a list of short sections, each left out
// when it has nothing to say. The weekly digest answers the account manager's four questions in their order
// (done; carries over; does not carry over, and why; not started and new, and why), then what waits on the
// client, then the numbers. The monthly report ends its plan with what waits on the client.

// taskSection is a section listing tasks: a heading, one line per task (its status when shown, why, the link),
// and how many more did not fit.
func taskSection(list, heading, quote, newWord, open, more string, status bool) string {
	q := []rune(quote)
	line := "— " + string(q[0]) + "{{title}}" + string(q[1])
	if status {
		line += "{{if status}} ({{status}}){{end}}"
	}
	line += "{{if new}} " + newWord + "{{end}}{{if due}}, {{due}}{{end}}{{if reason}}: {{reason}}{{end}}{{if link}} — {{link \"" + open + "\"}}{{end}}"
	return "{{if " + list + "}}\n" + heading + "\n{{range " + list + "}}\n" + line + "\n{{end}}\n{{if " + list + "_more}}\n" +
		more + " {{" + list + "_more}}\n{{end}}\n{{end}}\n\n"
}

func sectionRU(list, heading string, status bool) string {
	return taskSection(list, heading, "«»", "(новая)", "открыть", "…и ещё", status)
}

func sectionEN(list, heading string, status bool) string {
	return taskSection(list, heading, "“”", "(new)", "open", "…and", status)
}

// figuresRU and figuresEN word a report's numbers, each change against the period before (than, "к прошлой
// неделе", "vs last week").
func figuresRU(than string) string {
	return `{{if spend}}
Потрачено {{spend}}{{if spend_change}} ({{spend_change}} ` + than + `){{end}}.
{{end}}
{{if leads}}
Получено {{leads}} {{plural leads "лид" "лида" "лидов"}}{{if cpl}} по {{cpl}}{{end}}{{if leads_change}} (лидов {{leads_change}}{{if cpl_change}}, цена лида {{cpl_change}}{{end}}){{end}}.
{{end}}
{{if hours}}
Команда отработала {{hours}}.
{{end}}`
}

func figuresEN(than string) string {
	return `{{if spend}}
Spent {{spend}}{{if spend_change}} ({{spend_change}} ` + than + `){{end}}.
{{end}}
{{if leads}}
Got {{leads}} {{plural leads "lead" "leads"}}{{if cpl}} at {{cpl}} each{{end}}{{if leads_change}} (leads {{leads_change}}{{if cpl_change}}, cost per lead {{cpl_change}}{{end}}){{end}}.
{{end}}
{{if hours}}
The team logged {{hours}}.
{{end}}`
}

const (
	invoicesRU = `{{if issued}}
Выставлены счета:
{{range issued}}
— № {{invoice}} на {{amount}}{{if stage}} («{{stage}}»){{end}}{{if due}}, оплатить до {{due}}{{end}}
{{end}}
{{end}}

{{if paid}}
Оплачены — спасибо!
{{range paid}}
— № {{invoice}} на {{amount}}
{{end}}
{{end}}

{{if unpaid}}
Ждут оплаты ({{unpaid_total}}):
{{range unpaid}}
— № {{invoice}} на {{amount}}{{if due}}, срок до {{due}}{{end}}
{{end}}
{{end}}`
	invoicesEN = `{{if issued}}
Invoices issued:
{{range issued}}
— {{invoice}} for {{amount}}{{if stage}} (“{{stage}}”){{end}}{{if due}}, due by {{due}}{{end}}
{{end}}
{{end}}

{{if paid}}
Paid, thank you!
{{range paid}}
— {{invoice}} for {{amount}}
{{end}}
{{end}}

{{if unpaid}}
Awaiting payment ({{unpaid_total}}):
{{range unpaid}}
— {{invoice}} for {{amount}}{{if due}}, due by {{due}}{{end}}
{{end}}
{{end}}`
)

// rateRU and rateEN offer the report email's five one-click ratings (rate: signed links, served by
// shared/links), one line per score so the text part reads as well as the HTML. Telegram has none.
func rateRU(what string) string {
	return `{{if rate}}
Оцените ` + what + ` от 1 до 5 (1 — плохо, 5 — отлично), это один клик:
{{range rate}}
{{score}} — {{link "оценить"}}
{{end}}
{{end}}

`
}

func rateEN(what string) string {
	return `{{if rate}}
How did ` + what + ` go, from 1 (poor) to 5 (great)? One click:
{{range rate}}
{{score}} — {{link "rate"}}
{{end}}
{{end}}

`
}

var (
	weeklyRU = greetRU + ` Это умный помощник агентства {{agency}}. Собрал, как прошла неделя {{period}} в проекте «{{project}}».

{{if empty}}
На этой неделе без новостей: задачи не двигались, новых цифр нет. Если что-то нужно, напишите в ответ — {{manager}} подключится.
{{end}}

` + sectionRU("done", `Сделано за неделю — {{done_count}} {{plural done_count "задача" "задачи" "задач"}}:`, false) +
		sectionRU("carried", "Продолжаем на следующей неделе:", true) +
		sectionRU("stopped", "Не переходят на следующую неделю:", true) +
		sectionRU("not_started", "Ещё не начаты:", false) +
		sectionRU("added", "Новые задачи:", false) +
		sectionRU("waiting", "Ждём вас — без вашего ответа эти задачи стоят:", false) + `{{if figures}}
Собрали цифры за неделю.
{{end}}

` + figuresRU("к прошлой неделе") + `

{{chart "Расходы и лиды за 8 недель"}}

{{if weeks}}
По неделям:
{{range weeks}}
{{week}}: {{spend}}, {{leads}} {{plural leads "лид" "лида" "лидов"}}
{{end}}
{{end}}

` + invoicesRU + `

{{if link}}
Все задачи и цифры в реальном времени: {{link "открыть дашборд"}}
{{end}}

{{if checksum}}
Контрольная сумма недели: {{checksum}}. Сохраните её: с ней можно позже проверить, что история проекта до этой недели не переписана.
{{end}}

{{if empty}}{{else}}Если есть вопросы или правки, напишите в ответ — {{manager}} подключится.{{end}}

` + rateRU("неделю") + `Хорошего дня!

{{agency}}`

	weeklyEN = greetEN + ` this is the {{agency}} assistant. Here is how the week of {{period}} went in {{project}}.

{{if empty}}
A quiet week: no tasks moved and there are no new figures. If you need anything, just reply and {{manager}} will pick it up.
{{end}}

` + sectionEN("done", `Done this week — {{done_count}} {{plural done_count "task" "tasks"}}:`, false) +
		sectionEN("carried", "Carrying on next week:", true) +
		sectionEN("stopped", "Not carrying over:", true) +
		sectionEN("not_started", "Not started yet:", false) +
		sectionEN("added", "New this week:", false) +
		sectionEN("waiting", "Waiting on you — these tasks cannot move without your answer:", false) + `{{if figures}}
The week's figures.
{{end}}

` + figuresEN("vs last week") + `

{{chart "Spend and leads, last 8 weeks"}}

{{if weeks}}
By week:
{{range weeks}}
{{week}}: {{spend}}, {{leads}} {{plural leads "lead" "leads"}}
{{end}}
{{end}}

` + invoicesEN + `

{{if link}}
Every task and figure, live: {{link "open the dashboard"}}
{{end}}

{{if checksum}}
This week's checksum: {{checksum}}. Keep it: it lets you check later that the project's history up to this week was not rewritten.
{{end}}

{{if empty}}{{else}}If you have questions or edits, just reply and {{manager}} will pick it up.{{end}}

` + rateEN("the week") + `Have a good day!

{{agency}}`

	monthlyRU = greetRU + ` Это умный помощник агентства {{agency}}. Итоги месяца ({{period}}) и план на {{next}} по проекту «{{project}}».

{{if acts}}
Закрыты этапы:
{{range acts}}
— «{{stage}}», акт № {{invoice}} на {{amount}}
{{end}}
{{end}}

` + sectionRU("done", `Сделано за месяц — {{done_count}} {{plural done_count "задача" "задачи" "задач"}}:`, false) + `{{if figures}}
Цифры за месяц.
{{end}}

` + figuresRU("к прошлому месяцу") + `

` + invoicesRU + `

{{if hypotheses}}
Гипотезы:
{{range hypotheses}}
— «{{title}}»: {{if confirmed}}подтвердилась{{end}}{{if refuted}}не подтвердилась{{end}}{{if testing}}проверяем{{end}}{{if link}} — {{link "открыть"}}{{end}}
{{end}}
{{end}}

` + sectionRU("added", "Что изменилось в плане — добавлены задачи:", false) +
		sectionRU("dropped", "Исключены из плана:", false) +
		sectionRU("moved", "Перенесены сроки:", false) + `{{if stages}}
План на {{next}} — этапы:
{{range stages}}
— «{{stage}}»{{if amount}} на {{amount}}{{end}}{{if due}}, до {{due}}{{end}}
{{end}}
{{end}}

` + sectionRU("planned", "Задачи со сроком в этом месяце:", true) +
		sectionRU("waiting", "Ждём вас:", false) + `{{if link}}
Все задачи и цифры в реальном времени: {{link "открыть дашборд"}}
{{end}}

{{if checksum}}
Контрольная сумма месяца: {{checksum}}. Сохраните её: с ней можно позже проверить, что история проекта до этого отчёта не переписана.
{{end}}

` + rateRU("работу за месяц") + `На этой неделе {{manager}} позвонит вам, чтобы обсудить итоги и планы. Если удобнее написать, ответьте на это письмо.

{{agency}}`

	monthlyEN = greetEN + ` this is the {{agency}} assistant. Here are the results of {{period}} and the plan for {{next}} in {{project}}.

{{if acts}}
Stages closed:
{{range acts}}
— “{{stage}}”, act {{invoice}} for {{amount}}
{{end}}
{{end}}

` + sectionEN("done", `Done in the month — {{done_count}} {{plural done_count "task" "tasks"}}:`, false) + `{{if figures}}
The month's figures.
{{end}}

` + figuresEN("vs last month") + `

` + invoicesEN + `

{{if hypotheses}}
Hypotheses:
{{range hypotheses}}
— “{{title}}”: {{if confirmed}}confirmed{{end}}{{if refuted}}refuted{{end}}{{if testing}}being tested{{end}}{{if link}} — {{link "open"}}{{end}}
{{end}}
{{end}}

` + sectionEN("added", "What changed in the plan — tasks added:", false) +
		sectionEN("dropped", "Dropped from the plan:", false) +
		sectionEN("moved", "Due dates moved:", false) + `{{if stages}}
The plan for {{next}} — stages:
{{range stages}}
— “{{stage}}”{{if amount}} for {{amount}}{{end}}{{if due}}, by {{due}}{{end}}
{{end}}
{{end}}

` + sectionEN("planned", "Tasks due this month:", true) +
		sectionEN("waiting", "Waiting on you:", false) + `{{if link}}
Every task and figure, live: {{link "open the dashboard"}}
{{end}}

{{if checksum}}
This report's checksum: {{checksum}}. Keep it: it lets you check later that the project's history up to this report was not rewritten.
{{end}}

` + rateEN("the month") + `{{manager}} will call you this week to go through the results and the plans. If you would rather write, just reply.

{{agency}}`

	// The call brief lists the client's invoices to the manager, who is not the one to thank for a payment.
	callRU = `{{greeting}}, на этой неделе позвоните клиенту {{client}} по проекту «{{project}}»: робот отправил ему итоги месяца ({{period}}), а разговор он не заменит. Короткая справка перед звонком.

` + sectionRU("done", `Сделано за месяц — {{done_count}} {{plural done_count "задача" "задачи" "задач"}}:`, false) + `{{if acts}}
Закрыты этапы:
{{range acts}}
— «{{stage}}», акт № {{invoice}} на {{amount}}
{{end}}
{{end}}

` + figuresRU("к прошлому месяцу") + `

` + strings.Replace(invoicesRU, "Оплачены — спасибо!", "Оплачены:", 1) + `

` + sectionRU("waiting", "Ждём от клиента:", false) +
		sectionRU("bad", "Плохие новости месяца (клиенту не отправлялись):", true) + `{{if link}}
Дашборд проекта: {{link "открыть"}}
{{end}}`

	callEN = `{{greeting}}, call {{client}} about {{project}} this week: the robot sent them the results of {{period}}, but it does not replace the conversation. A short brief for the call.

` + sectionEN("done", `Done in the month — {{done_count}} {{plural done_count "task" "tasks"}}:`, false) + `{{if acts}}
Stages closed:
{{range acts}}
— “{{stage}}”, act {{invoice}} for {{amount}}
{{end}}
{{end}}

` + figuresEN("vs last month") + `

` + strings.Replace(invoicesEN, "Paid, thank you!", "Paid:", 1) + `

` + sectionEN("waiting", "Waiting on the client:", false) +
		sectionEN("bad", "The month's bad news (not sent to the client):", true) + `{{if link}}
The project's dashboard: {{link "open"}}
{{end}}`
)

func init() {
	add := func(locale string, k glassbox.MessageKind, subject, body string) {
		builtin[locale][string(k)] = glassbox.MessageTemplate{Subject: subject, Body: body}
	}
	add(glassbox.LocaleRU, glassbox.MessageWeeklyDigest, `Итоги недели {{period}} — {{project}}`, weeklyRU)
	add(glassbox.LocaleEN, glassbox.MessageWeeklyDigest, `The week of {{period}} — {{project}}`, weeklyEN)
	add(glassbox.LocaleRU, glassbox.MessageMonthlyReport, `Итоги месяца: {{period}} — {{project}}`, monthlyRU)
	add(glassbox.LocaleEN, glassbox.MessageMonthlyReport, `{{period}} in review — {{project}}`, monthlyEN)
	add(glassbox.LocaleRU, glassbox.MessageCallReminder, `Позвоните клиенту: {{project}}`, callRU)
	add(glassbox.LocaleEN, glassbox.MessageCallReminder, `Call the client: {{project}}`, callEN)
}
