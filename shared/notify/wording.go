package notify

import "github.com/glassbox-oss/glassbox/shared/glassbox"

// The built-in wording of every message kind, ru and en, as templates in the language an admin overrides them
// in (glassbox/template.go; README "Message templates"). One body serves the email's text and HTML and the
// Telegram message, so they cannot drift apart. The house tone: short and warm, one fact, the link, the next
// step; to a client the robot says it is the agency's assistant and that the manager joins if there are edits.
//
// A kind may have variants the code picks between (a reminder's step); an admin's override of the kind
// replaces all of them.

const (
	greetRU = `{{if greeting}}{{greeting}}, добрый день!{{else}}Добрый день!{{end}}`
	greetEN = `{{if greeting}}Hi {{greeting}},{{else}}Hello,{{end}}`

	editsRU = `Если есть правки, напишите их в ответ — менеджер {{manager}} подключится.`
	editsEN = `If anything needs changing, just reply here and {{manager}} will pick it up.`

	// approveRU and approveEN offer the deliverable's two one-click answers when the notice has them (signed
	// links, served by shared/links), and fall back to replying when it has none.
	approveRU = `{{if accept}}
Всё хорошо — примите работу: {{button "Принять" accept}}
Нужно что-то поправить? Менеджер {{manager}} подключится: {{button "Есть правки" changes}}
{{else}}
` + editsRU + `
{{end}}`
	approveEN = `{{if accept}}
All good? Accept the work: {{button "Accept" accept}}
Something to change? {{manager}} will pick it up: {{button "Request changes" changes}}
{{else}}
` + editsEN + `
{{end}}`

	// The coalesced notice offers both answers per task, and replying for everything else.
	approveEachRU = `{{if accept}} · {{link "принять" accept}} · {{link "есть правки" changes}}{{end}}`
	approveEachEN = `{{if accept}} · {{link "accept" accept}} · {{link "request changes" changes}}{{end}}`
)

// Variants of a kind's built-in wording.
const (
	reminderSecond = "2"
	reminderLater  = "3"
)

// builtin is the wording per locale and template name: a message kind, or a kind and a variant
// ("invoice_reminder/2").
var builtin = map[string]map[string]glassbox.MessageTemplate{
	glassbox.LocaleRU: {
		string(glassbox.MessageTaskDone): {
			Subject: `Готово: «{{title}}» — {{project}}`,
			Body: greetRU + ` Это умный помощник агентства {{agency}}.

Команда закончила работу над задачей «{{title}}» в проекте «{{project}}».{{if link}} Посмотрите результат по ссылке:

{{button "Посмотреть результат"}}{{end}}

` + approveRU + `

{{agency}}`,
		},
		string(glassbox.MessageTasksDone): {
			Subject: `Готово: {{count}} {{plural count "задача" "задачи" "задач"}} — {{project}}`,
			Body: greetRU + ` Это умный помощник агентства {{agency}}.

Команда закончила {{count}} {{plural count "задачу" "задачи" "задач"}} в проекте «{{project}}». Посмотрите результат по ссылкам:
{{range tasks}}
— «{{title}}»{{if link}}: {{link "посмотреть"}}{{end}}` + approveEachRU + `
{{end}}

` + editsRU + `

{{agency}}`,
		},
		string(glassbox.MessageTaskBlocked): {
			Subject: `Заблокировано: «{{title}}» — {{project}}`,
			Body: `{{greeting}}, задача «{{title}}» в проекте «{{project}}» перешла в «{{list}}»{{if actor}} ({{actor}}){{end}}.

Клиенту ничего не отправлено: поговорите с ним сами, если это нужно.

{{if link}}Задача: {{link "Открыть задачу"}}{{end}}`,
		},
		string(glassbox.MessageTaskReopened): {
			Subject: `Снова в работе: «{{title}}» — {{project}}`,
			Body: `{{greeting}}, задача «{{title}}» в проекте «{{project}}» вернулась из готовых в «{{list}}»{{if actor}} ({{actor}}){{end}}.

Клиент об этом не извещён: если он уже видел результат, расскажите ему сами.

{{if link}}Задача: {{link "Открыть задачу"}}{{end}}`,
		},
		string(glassbox.MessageTaskOverdue): {
			Subject: `Срок прошёл: «{{title}}» — {{project}}`,
			Body: `{{greeting}}, у задачи «{{title}}» в проекте «{{project}}» срок был {{due}}, а она ещё не готова{{if list}} (сейчас в «{{list}}»){{end}}.

Клиенту ничего не отправлено: решите, нужно ли его предупредить. Об этом сроке я больше не напомню; если срок перенесут, напомню о новом.

{{if link}}Задача: {{link "Открыть задачу"}}{{end}}`,
		},
		string(glassbox.MessageDeliveryFailed): {
			Subject: `{{reason}} — {{project}}`,
			Body: `{{greeting}}, это помощник агентства. {{reason}}.{{if recipient}} Получатель: {{recipient}}.{{end}}{{if subject}} Тема: «{{subject}}».{{end}}

Пока администратор не снимет запрет, на {{address}} больше ничего не отправляется — так почтовый сервис не сочтёт нас спамерами. Уточните у клиента контакт, поправьте файл агентства (glassbox apply) и снимите запрет: glassbox suppressions clear {{address}}`,
		},
		string(glassbox.MessageChatMigrated): {
			Subject: `Группа в Telegram сменила номер — {{project}}`,
			Body: `{{greeting}}, группа {{chat}} в Telegram стала супергруппой с номером {{new_chat}}. Сообщения уже идут туда.

Чтобы так было и дальше, замените в файле агентства telegram_chat_id {{chat}} на {{new_chat}} и выполните glassbox apply.`,
		},
		string(glassbox.MessageStageClosed): {
			Subject: `{{if starting}}Начинаем: {{project}} — счёт на этап «{{billed_stage}}»{{else}}Этап «{{stage}}» закрыт — {{project}}{{end}}`,
			Body: `{{if starting}}
{{greeting}}, добрый день! Начинаем работу над проектом «{{project}}».

Система сформировала счёт на первый этап «{{billed_stage}}»: № {{invoice}} на {{amount}}, оплатить до {{due}}.
{{else}}
{{greeting}}, этап «{{stage}}» закрыт, акт во вложении.

{{if last}}
Это был последний этап проекта. Спасибо за совместную работу!
{{end}}
{{if prepay}}
Система уже сформировала счёт на следующий этап «{{billed_stage}}», отправляю его вам, чтобы мы не останавливали работу. Счёт № {{invoice}} на {{amount}}, оплатить до {{due}}.
{{end}}
{{if postpay}}
Система сформировала счёт за этот этап: № {{invoice}} на {{amount}}, оплатить до {{due}}.
{{end}}
{{end}}

{{if invoice}}
Счёт во вложении, а ещё его можно скачать по ссылке: {{link "Скачать счёт"}}
{{end}}

Хорошего дня!

{{agency}}`,
		},
		string(glassbox.MessageInvoiceIssued): {
			Subject: `Счёт {{invoice}} на {{amount}} — {{client}}`,
			Body: `{{greeting}}, клиенту {{client}} выставлен счёт № {{invoice}} на {{amount}} за этап «{{billed_stage}}» проекта «{{project}}». Оплатить до {{due}}. Счёт во вложении.

Когда деньги придут, нажмите кнопку: система отметит счёт оплаченным и перестанет напоминать клиенту.

Отметить оплату: {{button "Оплата получена"}}

Ссылка действует до {{expires}}.`,
		},
		string(glassbox.MessageInvoiceReminder): {
			Subject: `Напоминание о счёте {{invoice}} — {{project}}`,
			Body: greetRU + ` Это умный помощник агентства {{agency}}.

Напоминаю про счёт № {{invoice}} на {{amount}} за этап «{{billed_stage}}»: срок оплаты был до {{due}}. Если уже оплатили — спасибо, это письмо можно не читать.

Счёт: {{link "Скачать счёт"}}

Хорошего дня!

{{agency}}`,
		},
		string(glassbox.MessageInvoiceReminder) + "/" + reminderSecond: {
			Subject: `Счёт {{invoice}} ждёт оплаты — {{project}}`,
			Body: greetRU + ` Это умный помощник агентства {{agency}}.

Счёт № {{invoice}} на {{amount}} за этап «{{billed_stage}}» пока не оплачен. Если что-то мешает, ответьте на это письмо — {{manager}} поможет.

Счёт: {{link "Скачать счёт"}}

Хорошего дня!

{{agency}}`,
		},
		string(glassbox.MessageInvoiceReminder) + "/" + reminderLater: {
			Subject: `Ещё раз о счёте {{invoice}} — {{project}}`,
			Body: greetRU + ` Это умный помощник агентства {{agency}}.

Мы всё ещё ждём оплату счёта № {{invoice}} на {{amount}} (этап «{{billed_stage}}»). Если платёж уже в пути — спасибо!

Счёт: {{link "Скачать счёт"}}

Хорошего дня!

{{agency}}`,
		},
		string(glassbox.MessageInvoiceOverdue): {
			Subject: `Не оплачен счёт {{invoice}} — {{client}}`,
			Body: `{{greeting}}, счёт № {{invoice}} клиенту {{client}} на {{amount}} (этап «{{billed_stage}}», проект «{{project}}») не оплачен, срок был до {{due}}. Клиенту ушло {{reminders}} {{plural reminders "напоминание" "напоминания" "напоминаний"}}.

Больше робот клиенту не пишет: дальше разговор за вами.

Счёт: {{link "Открыть счёт"}}`,
		},
	},
	glassbox.LocaleEN: {
		string(glassbox.MessageTaskDone): {
			Subject: `Done: “{{title}}” — {{project}}`,
			Body: greetEN + ` this is the {{agency}} assistant.

The team has finished “{{title}}” in {{project}}.{{if link}} See the result here:

{{button "See the result"}}{{end}}

` + approveEN + `

{{agency}}`,
		},
		string(glassbox.MessageTasksDone): {
			Subject: `Done: {{count}} {{plural count "task" "tasks"}} — {{project}}`,
			Body: greetEN + ` this is the {{agency}} assistant.

The team has finished {{count}} {{plural count "task" "tasks"}} in {{project}}. See the results here:
{{range tasks}}
— “{{title}}”{{if link}}: {{link "see the result"}}{{end}}` + approveEachEN + `
{{end}}

` + editsEN + `

{{agency}}`,
		},
		string(glassbox.MessageTaskBlocked): {
			Subject: `Blocked: “{{title}}” — {{project}}`,
			Body: `{{greeting}}, “{{title}}” in {{project}} moved to “{{list}}”{{if actor}} ({{actor}}){{end}}.

Nothing was sent to the client: talk to them yourself if they need to know.

{{if link}}Task: {{link "Open the task"}}{{end}}`,
		},
		string(glassbox.MessageTaskReopened): {
			Subject: `Reopened: “{{title}}” — {{project}}`,
			Body: `{{greeting}}, “{{title}}” in {{project}} went back from done to “{{list}}”{{if actor}} ({{actor}}){{end}}.

The client was not told: if they have seen the result already, let them know yourself.

{{if link}}Task: {{link "Open the task"}}{{end}}`,
		},
		string(glassbox.MessageTaskOverdue): {
			Subject: `Overdue: “{{title}}” — {{project}}`,
			Body: `{{greeting}}, “{{title}}” in {{project}} was due on {{due}} and is not done yet{{if list}} (it is in “{{list}}”){{end}}.

Nothing was sent to the client: decide whether they should hear from you. I will not remind you of this due date again; if it moves, I will remind you of the new one.

{{if link}}Task: {{link "Open the task"}}{{end}}`,
		},
		string(glassbox.MessageDeliveryFailed): {
			Subject: `{{reason}} — {{project}}`,
			Body: `{{greeting}}, this is the agency's assistant. {{reason}}.{{if recipient}} Recipient: {{recipient}}.{{end}}{{if subject}} It was “{{subject}}”.{{end}}

Nothing more goes to {{address}} until an admin clears it, so that the mail service does not take us for spammers. Check the contact with the client, fix the agency file (glassbox apply) and lift the block: glassbox suppressions clear {{address}}`,
		},
		string(glassbox.MessageChatMigrated): {
			Subject: `The Telegram group has a new id — {{project}}`,
			Body: `{{greeting}}, the Telegram group {{chat}} became a supergroup with the id {{new_chat}}. Messages already go there.

To keep it that way, replace telegram_chat_id {{chat}} with {{new_chat}} in the agency file and run glassbox apply.`,
		},
		string(glassbox.MessageStageClosed): {
			Subject: `{{if starting}}Starting {{project}}: invoice for “{{billed_stage}}”{{else}}Stage “{{stage}}” is closed — {{project}}{{end}}`,
			Body: `{{if starting}}
` + greetEN + ` we are starting work on {{project}}.

The system has issued the invoice for the first stage, “{{billed_stage}}”: invoice {{invoice}} for {{amount}}, due by {{due}}.
{{else}}
` + greetEN + ` the “{{stage}}” stage is closed; the act is attached.

{{if last}}
That was the last stage of the project. Thank you for working with us!
{{end}}
{{if prepay}}
The system has already issued the invoice for the next stage, “{{billed_stage}}”, so the work doesn't have to stop: invoice {{invoice}} for {{amount}}, due by {{due}}.
{{end}}
{{if postpay}}
The system has issued the invoice for it: invoice {{invoice}} for {{amount}}, due by {{due}}.
{{end}}
{{end}}

{{if invoice}}
It is attached, and you can also download it here: {{link "Download the invoice"}}
{{end}}

Have a good day!

{{agency}}`,
		},
		string(glassbox.MessageInvoiceIssued): {
			Subject: `Invoice {{invoice}} for {{amount}} — {{client}}`,
			Body: greetEN + ` invoice {{invoice}} for {{amount}} went to {{client}} for the “{{billed_stage}}” stage of {{project}}, due by {{due}}. It is attached.

When the money arrives, press the button: the invoice is marked paid and the client gets no more reminders.

Mark it paid: {{button "Payment received"}}

The link works until {{expires}}.`,
		},
		string(glassbox.MessageInvoiceReminder): {
			Subject: `A reminder about invoice {{invoice}} — {{project}}`,
			Body: greetEN + ` this is the {{agency}} assistant.

Just a reminder about invoice {{invoice}} for {{amount}} (“{{billed_stage}}”): it was due by {{due}}. If you have paid it already, thank you, and please ignore this email.

Invoice: {{link "Download the invoice"}}

Have a good day!

{{agency}}`,
		},
		string(glassbox.MessageInvoiceReminder) + "/" + reminderSecond: {
			Subject: `Invoice {{invoice}} is awaiting payment — {{project}}`,
			Body: greetEN + ` this is the {{agency}} assistant.

Invoice {{invoice}} for {{amount}} (“{{billed_stage}}”) is still open. If anything is in the way, just reply and {{manager}} will help.

Invoice: {{link "Download the invoice"}}

Have a good day!

{{agency}}`,
		},
		string(glassbox.MessageInvoiceReminder) + "/" + reminderLater: {
			Subject: `Invoice {{invoice}} once more — {{project}}`,
			Body: greetEN + ` this is the {{agency}} assistant.

We are still waiting for the payment of invoice {{invoice}} for {{amount}} (“{{billed_stage}}”). If it is on its way, thank you!

Invoice: {{link "Download the invoice"}}

Have a good day!

{{agency}}`,
		},
		string(glassbox.MessageInvoiceOverdue): {
			Subject: `Unpaid: invoice {{invoice}} — {{client}}`,
			Body: greetEN + ` invoice {{invoice}} to {{client}} for {{amount}} (“{{billed_stage}}”, {{project}}) is still unpaid; it was due by {{due}}. The client has had {{reminders}} {{plural reminders "reminder" "reminders"}}.

The robot writes to the client no more: it's over to you.

Invoice: {{link "Open the invoice"}}`,
		},
	},
}

// The manager's notice that a recipient switched the scheduled reports off with the one-click link of a digest
// (digest_unsubscribed). Kept in its own block, apart from the reports' own wording.
func init() {
	builtin[glassbox.LocaleRU][string(glassbox.MessageDigestUnsubscribed)] = glassbox.MessageTemplate{
		Subject: `Отписка от отчётов: {{recipient}} — {{project}}`,
		Body: `{{greeting}}, получатель {{recipient}} отписался от отчётов по проекту «{{project}}» — нажал ссылку «Отписаться» в письме с отчётом.

Еженедельные и ежемесячные отчёты на этот адрес больше не отправляются; уведомления о задачах и документы приходят, как раньше.

Если это случайность или клиент попросит вернуть отчёты, включите их снова командой {{resubscribe}} (glassbox reports unsubscribed покажет все отписки).`,
	}
	builtin[glassbox.LocaleEN][string(glassbox.MessageDigestUnsubscribed)] = glassbox.MessageTemplate{
		Subject: `Unsubscribed from reports: {{recipient}} — {{project}}`,
		Body: `{{greeting}}, {{recipient}} switched off the reports of {{project}} with the "Unsubscribe" link in a report email.

Weekly digests and monthly reports no longer go to that address; task notices and documents still do.

If it was a slip, or the client asks for the reports again, switch them back on with {{resubscribe}} (glassbox reports unsubscribed lists every unsubscription).`,
	}
}
