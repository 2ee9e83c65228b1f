// Package money formats amounts of money, says them in Russian words, and splits VAT out of them. Amounts are
// glassbox.Minor (minor units) with an ISO 4217 currency code; nothing here uses floating point.
package money

import "github.com/glassbox-oss/glassbox/shared/glassbox"

// Format prints an amount for a locale: "150 000,00 ₽" (ru, groups with a no-break space), "€150,000.00" (en).
func Format(m glassbox.Minor, currency, locale string) string {
	panic("money.Format: not written yet")
}

// Words says an amount in Russian words, capitalised, as a total in words on a document:
// "Сто пятьдесят тысяч рублей 00 копеек".
func Words(m glassbox.Minor, currency string) string {
	panic("money.Words: not written yet")
}

// SplitVAT computes a document's net, VAT and total from an amount and a VAT mode.
func SplitVAT(amount glassbox.Minor, vat glassbox.VAT) (net, vatAmount, total glassbox.Minor) {
	panic("money.SplitVAT: not written yet")
}
