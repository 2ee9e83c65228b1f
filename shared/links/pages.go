package links

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/linksign"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// csp allows the pages' inline style and a form posting back to the same origin, nothing else; no framing,
// so the one button cannot be clicked through someone else's page.
const csp = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// commonHeaders go on every answer: links are capabilities, so nothing is cached, indexed, or leaked in a
// Referer.
func commonHeaders() map[string]string {
	return map[string]string{
		"Cache-Control":           "no-store",
		"Referrer-Policy":         "no-referrer",
		"Content-Security-Policy": csp,
		"X-Content-Type-Options":  "nosniff",
		// Search engines honour the page's meta tag only in HTML; the header covers the PDFs too.
		"X-Robots-Tag": "noindex, nofollow",
	}
}

func htmlResponse(status int, body string) events.APIGatewayV2HTTPResponse {
	h := commonHeaders()
	h["Content-Type"] = "text/html; charset=utf-8"
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: h, Body: body}
}

// words is one language's wording of the pages.
type words struct {
	lang                                                      string
	invoice, act                                              string // "Счёт", "Invoice": titles and file names
	seller, buyer, project, number, date, due, total, state   string
	issued, paid, void                                        string
	button, buttonHint, paidOn, voidNote, thankYou, thankNote string
	months                                                    []string
}

var ruWords = words{
	lang: "ru", invoice: "Счёт", act: "Акт",
	seller: "Продавец", buyer: "Покупатель", project: "Проект", number: "Номер", date: "Дата", due: "Оплатить до",
	total: "Сумма", state: "Статус",
	issued: "выставлен, ждёт оплаты", paid: "оплачен", void: "аннулирован",
	button:     "Оплата получена",
	buttonHint: "Нажмите, когда деньги поступили на счёт: счёт будет отмечен оплаченным, напоминания клиенту прекратятся.",
	paidOn:     "Отмечен оплаченным %s.",
	voidNote:   "Счёт аннулирован, подтверждать нечего.",
	thankYou:   "Спасибо: счёт %s отмечен оплаченным.",
	thankNote:  "Напоминания клиенту больше не придут.",
}

var enWords = words{
	lang: "en", invoice: "Invoice", act: "Act",
	seller: "Seller", buyer: "Buyer", project: "Project", number: "Number", date: "Date", due: "Due",
	total: "Total", state: "State",
	issued: "issued, awaiting payment", paid: "paid", void: "void",
	button:     "Payment received",
	buttonHint: "Press when the money is in the account: the invoice is marked paid and reminders to the client stop.",
	paidOn:     "Marked paid on %s.",
	voidNote:   "This invoice was voided; there is nothing to confirm.",
	thankYou:   "Thank you: invoice %s is marked paid.",
	thankNote:  "Reminders to the client stop.",
	months:     []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
}

// wordsFor picks the wording for a document's locale (glassbox.Locale: Russian in any spelling, else English).
func wordsFor(locale string) words {
	if glassbox.Locale(locale) == glassbox.LocaleRU {
		return ruWords
	}
	return enWords
}

// day prints a civil date: "23.11.2026" in Russian, "23 Nov 2026" in English.
func (w words) day(t time.Time) string {
	if w.months == nil {
		return t.Format("02.01.2006")
	}
	return fmt.Sprintf("%d %s %d", t.Day(), w.months[t.Month()-1], t.Year())
}

// civil reformats a stored "2026-11-23"; anything else is shown as stored.
func (w words) civil(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return w.day(t)
}

func (w words) stateName(s glassbox.DocumentState) string {
	switch s {
	case glassbox.DocumentIssued:
		return w.issued
	case glassbox.DocumentPaid:
		return w.paid
	case glassbox.DocumentVoid:
		return w.void
	}
	return string(s)
}

func esc(s string) string { return html.EscapeString(s) }

// invoicePage shows an invoice and, while it is open, the one button. action is the form's target, the
// link's own query ("?exp=...&sig=..."), so the form posts to the URL the page was opened with.
func invoicePage(doc glassbox.Document, action string) string {
	w := wordsFor(doc.Locale)
	var b strings.Builder
	title := w.invoice + " " + doc.Number
	fmt.Fprintf(&b, "<h1>%s</h1>\n<table>\n", esc(title))
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "<tr><th>%s</th><td>%s</td></tr>\n", esc(label), esc(value))
		}
	}
	row(w.seller, doc.Seller.Name)
	row(w.buyer, doc.Buyer.Name)
	row(w.project, doc.ProjectName)
	row(w.number, doc.Number)
	row(w.date, w.civil(doc.Date))
	if doc.State == glassbox.DocumentIssued {
		row(w.due, w.civil(doc.DueDate))
	}
	row(w.total, money.Format(doc.Total, doc.Currency, doc.Locale))
	row(w.state, w.stateName(doc.State))
	b.WriteString("</table>\n")
	switch doc.State {
	case glassbox.DocumentIssued:
		fmt.Fprintf(&b, "<form method=\"post\" action=\"%s\"><button type=\"submit\">%s</button></form>\n<p class=\"note\">%s</p>\n",
			esc(action), esc(w.button), esc(w.buttonHint))
	case glassbox.DocumentPaid:
		fmt.Fprintf(&b, "<p class=\"done\">%s</p>\n", esc(fmt.Sprintf(w.paidOn, w.day(doc.PaidAt.In(doc.Zone())))))
	case glassbox.DocumentVoid:
		fmt.Fprintf(&b, "<p class=\"note\">%s</p>\n", esc(w.voidNote))
	}
	return page(w.lang, title, b.String())
}

// thankYouPage answers a confirmation, also a repeated one.
func thankYouPage(doc glassbox.Document) string {
	w := wordsFor(doc.Locale)
	title := fmt.Sprintf(w.thankYou, doc.Number)
	body := fmt.Sprintf("<h1>%s</h1>\n<p>%s</p>\n", esc(title), esc(w.thankNote))
	return page(w.lang, title, body)
}

// errorPage is the answer to a refused request, in Russian and English: before the document is read, its
// language is unknown.
func errorPage(status int, err error) events.APIGatewayV2HTTPResponse {
	ru, en := "Не получилось открыть ссылку. Попробуйте через минуту.", "Something went wrong on our side. Try again in a minute."
	switch {
	case errors.Is(err, linksign.ErrExpired):
		ru, en = "Срок действия ссылки истёк; попросите менеджера прислать новую.", "This link has expired; ask the manager for a new one."
	case errors.Is(err, linksign.ErrBadLink):
		ru, en = "Ссылка недействительна: откройте её из письма целиком или попросите менеджера прислать новую.",
			"This link is not valid: open it from the email as it is, or ask the manager for a new one."
	case status == http.StatusNotFound:
		ru, en = "Такого счёта или документа нет.", "There is no such invoice or document."
	case status == http.StatusConflict:
		ru, en = "Счёт аннулирован, подтверждать нечего.", "This invoice was voided; there is nothing to confirm."
	case status == http.StatusMethodNotAllowed:
		ru, en = "Эту ссылку так не открывают.", "This link cannot be opened that way."
	case status == http.StatusRequestEntityTooLarge:
		ru, en = "Слишком большой запрос.", "The request is too large."
	}
	body := fmt.Sprintf("<p lang=\"ru\">%s</p>\n<p lang=\"en\">%s</p>\n", esc(ru), esc(en))
	return htmlResponse(status, page("ru", fmt.Sprintf("%d %s", status, http.StatusText(status)), body))
}

// page wraps a body in a small self-contained document: inline style, no scripts, nothing fetched.
func page(lang, title, body string) string {
	return `<!doctype html>
<html lang="` + esc(lang) + `">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>` + esc(title) + `</title>
<style>
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f5f6f8;margin:0;padding:2rem 1rem}
main{max-width:34rem;margin:0 auto;background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:1.5rem 2rem}
h1{font-size:1.3rem;margin:0 0 1rem}
table{border-collapse:collapse;width:100%;margin-bottom:1.25rem}
th,td{text-align:left;vertical-align:top;padding:.35rem 0;border-bottom:1px solid #eef0f3}
th{font-weight:normal;color:#5b6470;width:40%;padding-right:1rem}
button{font:inherit;font-weight:600;color:#fff;background:#1f7a3a;border:0;border-radius:6px;padding:.75rem 1.5rem;cursor:pointer}
.note{color:#5b6470;font-size:.9rem}
.done{color:#1f7a3a;font-weight:600}
</style>
</head>
<body>
<main>
` + body + `</main>
</body>
</html>
`
}

// contentDisposition names a download as its email attachment is named (glassbox.Document.FileName), with
// RFC 6266 filename* in UTF-8 and the transliterated ASCII name for the few clients that ignore filename*.
func contentDisposition(doc glassbox.Document) string {
	return `attachment; filename="` + doc.ASCIIFileName() + `"; filename*=UTF-8''` + encodeRFC5987(doc.FileName())
}

// encodeRFC5987 percent-encodes s as an RFC 5987 value-chars (UTF-8 bytes, attr-char left as is).
func encodeRFC5987(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
	return b.String()
}
