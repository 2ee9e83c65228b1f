package notify

import (
	"fmt"
	"strconv"
	"time"

	"github.com/glassbox-oss/glassbox/shared/dates"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// StageClosedSituation is everything StageClosed looks at: a closed stage and the documents it issued.
type StageClosedSituation struct {
	Config  glassbox.Config
	Project glassbox.Project
	Close   glassbox.StageClose
	// Act is the act of the closed stage (none, with an empty ID, when a prepaid project starts); Invoice is
	// nil when nothing is billed (the last stage of a prepaid project).
	Act     glassbox.Document
	Invoice *glassbox.Document
	// InvoiceURL downloads the invoice; PaidURL is the accountant's signed "payment received" link, valid until
	// PaidURLExpires.
	InvoiceURL     string
	PaidURL        string
	PaidURLExpires time.Time
}

// StageClosed decides the messages a closed stage causes: the client gets the act and the invoice, with
// Reply-To the manager; the seller's accountant gets the invoice and the link that marks it paid.
func StageClosed(s StageClosedSituation) ([]glassbox.Message, error) {
	client, _ := s.Config.Client(s.Project.ClientID)
	if len(client.Contacts) == 0 {
		return nil, fmt.Errorf("notify: client %q of project %q has no contacts", client.ID, s.Project.ID)
	}
	// The documents' own locale and zone, decided when they were issued, so a message re-sent after the
	// configuration changed still speaks the documents' language.
	doc := s.Act
	if s.Invoice != nil {
		doc = *s.Invoice
	}
	v := billingView(s.Config, s.Project, client, client.Contacts, doc.Locale)
	v.Stage = s.Act.StageName
	var attach []string
	if s.Act.ID != "" {
		attach = append(attach, s.Act.ID)
	}
	kind := glassbox.MessageStageClosed
	if s.Invoice != nil {
		inv := *s.Invoice
		attach = append(attach, inv.ID)
		v.BilledStage, v.Invoice = inv.StageName, inv.Number
		v.Amount = money.Format(inv.Total, inv.Currency, v.locale)
		v.Due = longDate(inv.DueDate, v.locale)
		v.Link = s.InvoiceURL
	}
	w := stageClosedWording(v.locale, s.Invoice, s.Act)
	client1, err := message(s.Config, s.Project, v.locale, s.Close.ID, kind, glassbox.AudienceClient, client.Contacts, s.Project.Manager, w, v.view)
	if err != nil {
		return nil, err
	}
	client1.Attachments = attach
	out := []glassbox.Message{client1}
	if s.Invoice == nil {
		return out, nil
	}

	seller, _ := s.Config.Seller(s.Project.Billing.Seller)
	acc := seller.Accountant
	if acc.Email == "" {
		return out, nil
	}
	va := v
	va.Greeting = firstNames([]glassbox.Person{acc})
	va.Link = s.PaidURL
	va.Expires = longDate(s.PaidURLExpires.In(s.Invoice.Zone()).Format(time.DateOnly), v.locale)
	accMsg, err := message(s.Config, s.Project, v.locale, s.Close.ID, glassbox.MessageInvoiceIssued, glassbox.AudienceAccountant,
		[]glassbox.Person{acc}, glassbox.Person{}, billingWordings[v.locale][glassbox.MessageInvoiceIssued], va.view)
	if err != nil {
		return nil, err
	}
	accMsg.Attachments = []string{s.Invoice.ID}
	return append(out, accMsg), nil
}

// ReminderSituation is an unpaid invoice whose reminder number N (1-based) is due; Last says it is the last
// one the schedule has.
type ReminderSituation struct {
	Config     glassbox.Config
	Project    glassbox.Project
	Invoice    glassbox.Document
	N          int
	Last       bool
	InvoiceURL string
}

// Reminder decides the messages for an unpaid invoice's Nth reminder: a short, warm note to the client; after
// the last one, the manager is told instead of writing to the client again (hard talks are for people).
func Reminder(s ReminderSituation) ([]glassbox.Message, error) {
	if s.Invoice.State != glassbox.DocumentIssued || s.Invoice.Kind != glassbox.DocumentInvoice {
		return nil, nil
	}
	client, _ := s.Config.Client(s.Project.ClientID)
	if len(client.Contacts) == 0 {
		return nil, fmt.Errorf("notify: client %q of project %q has no contacts", client.ID, s.Project.ID)
	}
	v := billingView(s.Config, s.Project, client, client.Contacts, s.Invoice.Locale)
	v.Invoice, v.BilledStage = s.Invoice.Number, s.Invoice.StageName
	v.Amount = money.Format(s.Invoice.Total, s.Invoice.Currency, v.locale)
	v.Due = longDate(s.Invoice.DueDate, v.locale)
	v.Link = s.InvoiceURL
	v.Reminders = s.N
	cause := "reminder:" + s.Invoice.ID + ":" + strconv.Itoa(s.N)
	step := min(s.N, 3)
	w := reminderWordings[v.locale][step-1]
	m, err := message(s.Config, s.Project, v.locale, cause, glassbox.MessageInvoiceReminder, glassbox.AudienceClient, client.Contacts, s.Project.Manager, w, v.view)
	if err != nil {
		return nil, err
	}
	out := []glassbox.Message{m}
	if s.Last {
		vm := v
		vm.Greeting = firstNames([]glassbox.Person{s.Project.Manager})
		mm, err := message(s.Config, s.Project, v.locale, cause, glassbox.MessageInvoiceOverdue, glassbox.AudienceManager,
			[]glassbox.Person{s.Project.Manager}, glassbox.Person{}, billingWordings[v.locale][glassbox.MessageInvoiceOverdue], vm.view)
		if err != nil {
			return nil, err
		}
		out = append(out, mm)
	}
	return out, nil
}

// bview is a view with the project, client and greeting filled in, and the locale to word it in.
type bview struct {
	view
	locale string
}

// billingView words a message about documents in their locale (Document.Locale, decided at issue); a
// document without one (issued before locales were stored) speaks the project's.
func billingView(cfg glassbox.Config, p glassbox.Project, client glassbox.Client, to []glassbox.Person, locale string) bview {
	if locale == "" {
		locale = cfg.ProjectLocale(p)
	}
	name := client.Buyer.Name
	if name == "" {
		name = client.Name
	}
	return bview{view: view{
		Greeting: firstNames(to), Project: p.Name, Manager: p.Manager.Name, Client: name,
	}, locale: glassbox.Locale(locale)}
}

// longDate prints a civil date ("2026-11-28") as "28 ноября 2026" or "28 November 2026".
func longDate(date, locale string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return dates.Long(t, locale)
}

func invoiceLink(v view) string { return v.Link }

func stageClosedWording(locale string, inv *glassbox.Document, act glassbox.Document) wording {
	switch {
	case act.ID == "":
		return billingWordings[locale]["project_started"]
	case inv == nil:
		return billingWordings[locale]["closed_last"]
	case inv.StageID == act.StageID:
		return billingWordings[locale]["closed_postpay"]
	default:
		return billingWordings[locale]["closed_prepay"]
	}
}

func goodDayRU(view) string { return "Хорошего дня!" }
func goodDayEN(view) string { return "Have a good day!" }

var billingWordings = map[string]map[glassbox.MessageKind]wording{
	glassbox.LocaleRU: {
		"project_started": {
			subject: func(v view) string {
				return "Начинаем: " + v.Project + " — счёт на этап «" + v.BilledStage + "»"
			},
			before: []func(view) string{
				func(v view) string {
					return v.Greeting + ", добрый день! Начинаем работу над проектом «" + v.Project + "»."
				},
				func(v view) string {
					return "Система сформировала счёт на первый этап «" + v.BilledStage + "»: № " + v.Invoice + " на " + v.Amount + ", оплатить до " + v.Due + "."
				},
			},
			link: invoiceLink, linkIntro: "Счёт во вложении, а ещё его можно скачать по ссылке:", linkLabel: "Скачать счёт",
			after: []func(view) string{goodDayRU}, signed: true,
		},
		"closed_prepay": {
			subject: func(v view) string { return "Этап «" + v.Stage + "» закрыт — " + v.Project },
			before: []func(view) string{
				func(v view) string {
					return v.Greeting + ", этап «" + v.Stage + "» закрыт, акт во вложении."
				},
				func(v view) string {
					return "Система уже сформировала счёт на следующий этап «" + v.BilledStage + "», отправляю его вам, чтобы мы не останавливали работу. Счёт № " + v.Invoice + " на " + v.Amount + ", оплатить до " + v.Due + "."
				},
			},
			link: invoiceLink, linkIntro: "Счёт во вложении, а ещё его можно скачать по ссылке:", linkLabel: "Скачать счёт",
			after: []func(view) string{goodDayRU}, signed: true,
		},
		"closed_postpay": {
			subject: func(v view) string { return "Этап «" + v.Stage + "» закрыт — " + v.Project },
			before: []func(view) string{
				func(v view) string {
					return v.Greeting + ", этап «" + v.Stage + "» закрыт, акт во вложении."
				},
				func(v view) string {
					return "Система сформировала счёт за этот этап: № " + v.Invoice + " на " + v.Amount + ", оплатить до " + v.Due + "."
				},
			},
			link: invoiceLink, linkIntro: "Счёт во вложении, а ещё его можно скачать по ссылке:", linkLabel: "Скачать счёт",
			after: []func(view) string{goodDayRU}, signed: true,
		},
		"closed_last": {
			subject: func(v view) string { return "Этап «" + v.Stage + "» закрыт — " + v.Project },
			before: []func(view) string{
				func(v view) string {
					return v.Greeting + ", этап «" + v.Stage + "» закрыт, акт во вложении."
				},
				func(view) string {
					return "Это был последний этап проекта. Спасибо за совместную работу!"
				},
			},
			after: []func(view) string{goodDayRU}, signed: true,
		},
		glassbox.MessageInvoiceIssued: {
			subject: func(v view) string { return "Счёт " + v.Invoice + " на " + v.Amount + " — " + v.Client },
			before: []func(view) string{
				func(v view) string {
					return v.Greeting + ", клиенту " + v.Client + " выставлен счёт № " + v.Invoice + " на " + v.Amount + " за этап «" + v.BilledStage + "» проекта «" + v.Project + "». Оплатить до " + v.Due + ". Счёт во вложении."
				},
				func(view) string {
					return "Когда деньги придут, нажмите кнопку: система отметит счёт оплаченным и перестанет напоминать клиенту."
				},
			},
			link: invoiceLink, linkIntro: "Отметить оплату:", linkLabel: "Оплата получена", button: true,
			after: []func(view) string{func(v view) string { return "Ссылка действует до " + v.Expires + "." }},
		},
		glassbox.MessageInvoiceOverdue: {
			subject: func(v view) string { return "Не оплачен счёт " + v.Invoice + " — " + v.Client },
			before: []func(view) string{
				func(v view) string {
					return v.Greeting + ", счёт № " + v.Invoice + " клиенту " + v.Client + " на " + v.Amount + " (этап «" + v.BilledStage + "», проект «" + v.Project + "») не оплачен, срок был до " + v.Due + ". Клиенту ушло напоминаний: " + strconv.Itoa(v.Reminders) + "."
				},
				func(view) string {
					return "Больше робот клиенту не пишет: дальше разговор за вами."
				},
			},
			link: invoiceLink, linkIntro: "Счёт:", linkLabel: "Открыть счёт",
		},
	},
	glassbox.LocaleEN: {
		"project_started": {
			subject: func(v view) string { return "Starting " + v.Project + ": invoice for “" + v.BilledStage + "”" },
			before: []func(view) string{
				func(v view) string { return greetEN(v) + " we are starting work on " + v.Project + "." },
				func(v view) string {
					return "The system has issued the invoice for the first stage, “" + v.BilledStage + "”: invoice " + v.Invoice + " for " + v.Amount + ", due by " + v.Due + "."
				},
			},
			link: invoiceLink, linkIntro: "It is attached, and you can also download it here:", linkLabel: "Download the invoice",
			after: []func(view) string{goodDayEN}, signed: true,
		},
		"closed_prepay": {
			subject: func(v view) string { return "Stage “" + v.Stage + "” is closed — " + v.Project },
			before: []func(view) string{
				func(v view) string {
					return greetEN(v) + " the “" + v.Stage + "” stage is closed; the act is attached."
				},
				func(v view) string {
					return "The system has already issued the invoice for the next stage, “" + v.BilledStage + "”, so the work doesn't have to stop: invoice " + v.Invoice + " for " + v.Amount + ", due by " + v.Due + "."
				},
			},
			link: invoiceLink, linkIntro: "It is attached, and you can also download it here:", linkLabel: "Download the invoice",
			after: []func(view) string{goodDayEN}, signed: true,
		},
		"closed_postpay": {
			subject: func(v view) string { return "Stage “" + v.Stage + "” is closed — " + v.Project },
			before: []func(view) string{
				func(v view) string {
					return greetEN(v) + " the “" + v.Stage + "” stage is closed; the act is attached."
				},
				func(v view) string {
					return "The system has issued the invoice for it: invoice " + v.Invoice + " for " + v.Amount + ", due by " + v.Due + "."
				},
			},
			link: invoiceLink, linkIntro: "It is attached, and you can also download it here:", linkLabel: "Download the invoice",
			after: []func(view) string{goodDayEN}, signed: true,
		},
		"closed_last": {
			subject: func(v view) string { return "Stage “" + v.Stage + "” is closed — " + v.Project },
			before: []func(view) string{
				func(v view) string {
					return greetEN(v) + " the “" + v.Stage + "” stage is closed; the act is attached."
				},
				func(view) string { return "That was the last stage of the project. Thank you for working with us!" },
			},
			after: []func(view) string{goodDayEN}, signed: true,
		},
		glassbox.MessageInvoiceIssued: {
			subject: func(v view) string { return "Invoice " + v.Invoice + " for " + v.Amount + " — " + v.Client },
			before: []func(view) string{
				func(v view) string {
					return greetEN(v) + " invoice " + v.Invoice + " for " + v.Amount + " went to " + v.Client + " for the “" + v.BilledStage + "” stage of " + v.Project + ", due by " + v.Due + ". It is attached."
				},
				func(view) string {
					return "When the money arrives, press the button: the invoice is marked paid and the client gets no more reminders."
				},
			},
			link: invoiceLink, linkIntro: "Mark it paid:", linkLabel: "Payment received", button: true,
			after: []func(view) string{func(v view) string { return "The link works until " + v.Expires + "." }},
		},
		glassbox.MessageInvoiceOverdue: {
			subject: func(v view) string { return "Unpaid: invoice " + v.Invoice + " — " + v.Client },
			before: []func(view) string{
				func(v view) string {
					return greetEN(v) + " invoice " + v.Invoice + " to " + v.Client + " for " + v.Amount + " (“" + v.BilledStage + "”, " + v.Project + ") is still unpaid; it was due by " + v.Due + ". The client has had " + strconv.Itoa(v.Reminders) + " reminders."
				},
				func(view) string { return "The robot writes to the client no more: it's over to you." },
			},
			link: invoiceLink, linkIntro: "Invoice:", linkLabel: "Open the invoice",
		},
	},
}

// reminderWordings are the client's reminders, softest first; the third wording serves every later one.
var reminderWordings = map[string][3]wording{
	glassbox.LocaleRU: {
		{
			subject: func(v view) string { return "Напоминание о счёте " + v.Invoice + " — " + v.Project },
			before: []func(view) string{
				greetRU,
				func(v view) string {
					return "Напоминаю про счёт № " + v.Invoice + " на " + v.Amount + " за этап «" + v.BilledStage + "»: срок оплаты был до " + v.Due + ". Если уже оплатили — спасибо, это письмо можно не читать."
				},
			},
			link: invoiceLink, linkIntro: "Счёт:", linkLabel: "Скачать счёт",
			after: []func(view) string{goodDayRU}, signed: true,
		},
		{
			subject: func(v view) string { return "Счёт " + v.Invoice + " ждёт оплаты — " + v.Project },
			before: []func(view) string{
				greetRU,
				func(v view) string {
					return "Счёт № " + v.Invoice + " на " + v.Amount + " за этап «" + v.BilledStage + "» пока не оплачен. Если что-то мешает, ответьте на это письмо — " + v.Manager + " поможет."
				},
			},
			link: invoiceLink, linkIntro: "Счёт:", linkLabel: "Скачать счёт",
			after: []func(view) string{goodDayRU}, signed: true,
		},
		{
			subject: func(v view) string { return "Ещё раз о счёте " + v.Invoice + " — " + v.Project },
			before: []func(view) string{
				greetRU,
				func(v view) string {
					return "Мы всё ещё ждём оплату счёта № " + v.Invoice + " на " + v.Amount + " (этап «" + v.BilledStage + "»). Если платёж уже в пути — спасибо!"
				},
			},
			link: invoiceLink, linkIntro: "Счёт:", linkLabel: "Скачать счёт",
			after: []func(view) string{goodDayRU}, signed: true,
		},
	},
	glassbox.LocaleEN: {
		{
			subject: func(v view) string { return "A reminder about invoice " + v.Invoice + " — " + v.Project },
			before: []func(view) string{
				greetEN,
				func(v view) string {
					return "Just a reminder about invoice " + v.Invoice + " for " + v.Amount + " (“" + v.BilledStage + "”): it was due by " + v.Due + ". If you have paid it already, thank you, and please ignore this email."
				},
			},
			link: invoiceLink, linkIntro: "Invoice:", linkLabel: "Download the invoice",
			after: []func(view) string{goodDayEN}, signed: true,
		},
		{
			subject: func(v view) string { return "Invoice " + v.Invoice + " is awaiting payment — " + v.Project },
			before: []func(view) string{
				greetEN,
				func(v view) string {
					return "Invoice " + v.Invoice + " for " + v.Amount + " (“" + v.BilledStage + "”) is still open. If anything is in the way, just reply and " + v.Manager + " will help."
				},
			},
			link: invoiceLink, linkIntro: "Invoice:", linkLabel: "Download the invoice",
			after: []func(view) string{goodDayEN}, signed: true,
		},
		{
			subject: func(v view) string { return "Invoice " + v.Invoice + " once more — " + v.Project },
			before: []func(view) string{
				greetEN,
				func(v view) string {
					return "We are still waiting for the payment of invoice " + v.Invoice + " for " + v.Amount + " (“" + v.BilledStage + "”). If it is on its way, thank you!"
				},
			},
			link: invoiceLink, linkIntro: "Invoice:", linkLabel: "Download the invoice",
			after: []func(view) string{goodDayEN}, signed: true,
		},
	},
}
