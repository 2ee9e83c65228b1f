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
	if s.Invoice != nil {
		inv := *s.Invoice
		attach = append(attach, inv.ID)
		v.BilledStage, v.Invoice = inv.StageName, inv.Number
		v.Amount = money.Format(inv.Total, inv.Currency, v.locale)
		v.Due = longDate(inv.DueDate, v.locale)
		v.Link = s.InvoiceURL
	}
	switch {
	case s.Act.ID == "":
		v.Starting = true
	case s.Invoice == nil:
		v.Last = true
	case s.Invoice.StageID == s.Act.StageID:
		v.Postpay = true
	default:
		v.Prepay = true
	}
	client1, _, err := message(s.Config, s.Project, v.locale, s.Close.ID, glassbox.MessageStageClosed, glassbox.AudienceClient, client.Contacts, s.Project.Manager, "", v.view)
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
	accMsg, _, err := message(s.Config, s.Project, v.locale, s.Close.ID, glassbox.MessageInvoiceIssued, glassbox.AudienceAccountant,
		[]glassbox.Person{acc}, glassbox.Person{}, "", va.view)
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
	v.Reminder, v.Reminders = s.N, s.N
	cause := "reminder:" + s.Invoice.ID + ":" + strconv.Itoa(s.N)
	// The reminders soften no further after the third: its wording serves every later one.
	variant := ""
	switch {
	case s.N == 2:
		variant = reminderSecond
	case s.N >= 3:
		variant = reminderLater
	}
	m, _, err := message(s.Config, s.Project, v.locale, cause, glassbox.MessageInvoiceReminder, glassbox.AudienceClient, client.Contacts, s.Project.Manager, variant, v.view)
	if err != nil {
		return nil, err
	}
	out := []glassbox.Message{m}
	if s.Last {
		vm := v
		vm.Greeting = firstNames([]glassbox.Person{s.Project.Manager})
		mm, _, err := message(s.Config, s.Project, v.locale, cause, glassbox.MessageInvoiceOverdue, glassbox.AudienceManager,
			[]glassbox.Person{s.Project.Manager}, glassbox.Person{}, "", vm.view)
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
