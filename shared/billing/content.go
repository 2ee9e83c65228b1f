package billing

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/glassbox-oss/glassbox/shared/dates"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// What documents say in words, beyond the numbers: the contract they are issued under, the payment purpose and
// the date of supply. Each is decided here once and stored on the document, which the PDF prints and the
// payment QR code carries as they are.

// contractTitle names the contract as the documents' «Основание:» / "Contract:" line does: «Договор № 12 от
// 01.09.2026», "Contract No. 12 of 1 September 2026"; a free-text contract as written.
func contractTitle(c glassbox.ContractRef, locale string) string {
	if c.Text != "" {
		return c.Text
	}
	if locale == glassbox.LocaleRU {
		return "Договор № " + c.Number + contractDate(c.Date, locale)
	}
	return "Contract No. " + c.Number + contractDate(c.Date, locale)
}

// contractUnder is the phrase that ties a line to the contract: «по договору № 12 от 01.09.2026», "under
// contract No. 12 of 1 September 2026". A Russian free-text contract cannot be declined, so it gets none
// (validation refuses it; one stored before still prints as the «Основание:» line).
func contractUnder(c glassbox.ContractRef, locale string) string {
	switch {
	case locale == glassbox.LocaleRU && c.Text != "":
		return ""
	case locale == glassbox.LocaleRU:
		return "по договору № " + c.Number + contractDate(c.Date, locale)
	case c.Text != "":
		return "under " + c.Text
	default:
		return "under contract No. " + c.Number + contractDate(c.Date, locale)
	}
}

func contractDate(date, locale string) string {
	t, err := time.Parse(time.DateOnly, date)
	switch {
	case date == "":
		return ""
	case err != nil:
		return " " + date
	case locale == glassbox.LocaleRU:
		return " от " + t.Format("02.01.2006")
	default:
		return " of " + dates.Long(t, locale)
	}
}

// purposeRU is the payment purpose of a Russian invoice, printed on it and carried by its QR code: «Оплата по
// счёту № ПК-2026-0015 от 23.11.2026 за этап «Программирование». В т.ч. НДС 22% 27 049,18 руб.». It fits the
// 210 characters of the ГОСТ code and of a payment order: a long stage name is shortened, never the number or
// the VAT phrase. Amounts say «руб.», since windows-1251, the charset of Russian payment orders, has no «₽».
func purposeRU(d glassbox.Document) string {
	date, _ := time.Parse(time.DateOnly, d.Date)
	head := fmt.Sprintf("Оплата по счёту № %s от %s", d.Number, date.Format("02.01.2006"))
	tail := ". НДС не облагается"
	if _, ok := d.VAT.Rate.BasisPoints(); ok && !d.VAT.ReverseCharge {
		amount := money.FormatPayment(d.VATAmount)
		if d.Currency != "RUB" {
			amount = money.Format(d.VATAmount, d.Currency, glassbox.LocaleRU)
		}
		tail = fmt.Sprintf(". В т.ч. НДС %s %s", money.Rate(d.VAT.Rate, glassbox.LocaleRU), amount)
	}
	const open, close = " за этап «", "»"
	room := glassbox.GOSTPurposeMax - utf8.RuneCountInString(head+tail+open+close)
	stage := shorten(purposeText(d.StageName), room)
	if stage == "" {
		return head + tail
	}
	return head + open + stage + close + tail
}

// shorten cuts s to at most n characters, marking the cut with "…"; it returns "" when not even one
// character and the mark fit.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 2 {
		return ""
	}
	r := []rune(s)[:n-1]
	return strings.TrimRightFunc(string(r), unicode.IsSpace) + "…"
}

// purposeText makes a name fit a payment purpose as the QR code carries it, so the printed text is the same:
// one line, "|" (the ГОСТ separator) as "/", no control characters.
func purposeText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '|':
			return '/'
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// supply sets when the document's services are supplied, which English invoices print (Directive
// 2006/112/EC art. 226(7)): the stage's planned period when the configuration gives one, else, for the stage
// just closed, the date it closed (closedOn). An advance invoice for a stage without a period has none.
func supply(d *glassbox.Document, s glassbox.Stage, closedOn string) {
	switch {
	case s.Start != "" && s.End != "":
		d.SupplyStart, d.SupplyEnd = s.Start, s.End
	case closedOn != "":
		d.SupplyStart, d.SupplyEnd = closedOn, closedOn
	}
}
