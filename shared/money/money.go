// Package money formats amounts of money, says them in Russian words, and splits VAT out of them. Amounts are
// glassbox.Minor (minor units) with an ISO 4217 currency code; nothing here uses floating point.
package money

import (
	"strconv"
	"strings"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

const nbsp = "\u00a0"

// Format prints an amount for a locale: "150 000,00 ₽" (ru, groups with a no-break space), "€150,000.00" (en).
//
// Locale "ru" (also "ru-RU", "ru_RU") groups thousands with U+00A0, uses a decimal comma and puts the sign
// after the number with U+00A0 before it: ₽, €, $, £ for RUB, EUR, USD, GBP, otherwise the ISO code
// ("-1 500,00 CHF"). Any other locale is English: comma groups, a decimal point, the symbol first for EUR, USD
// and GBP ("-€5.00"), otherwise the code after the number ("1,500.00 CHF"). A negative amount starts with an
// ASCII hyphen-minus. The currency code is matched case-insensitively.
func Format(m glassbox.Minor, currency, locale string) string {
	code := strings.ToUpper(strings.TrimSpace(currency))
	b := make([]byte, 0, 32)
	if m < 0 {
		b = append(b, '-')
	}
	if isRussian(locale) {
		b = appendNumber(b, m, nbsp, ',')
		b = append(b, nbsp...)
		if s, ok := symbols[code]; ok {
			return string(append(b, s...))
		}
		return string(append(b, code...))
	}
	s, ok := symbols[code]
	if ok && code != "RUB" {
		b = append(b, s...)
		return string(appendNumber(b, m, ",", '.'))
	}
	b = appendNumber(b, m, ",", '.')
	b = append(b, ' ')
	return string(append(b, code...))
}

// symbols are the currency signs Format uses. English text puts all but ₽ before the number.
var symbols = map[string]string{"RUB": "₽", "EUR": "€", "USD": "$", "GBP": "£"}

func isRussian(locale string) bool {
	return glassbox.Locale(locale) == glassbox.LocaleRU
}

// appendNumber appends |m| as a decimal with two places, grouping the whole part by three digits.
func appendNumber(b []byte, m glassbox.Minor, group string, point byte) []byte {
	u := abs(m)
	var digits [20]byte
	whole := strconv.AppendUint(digits[:0], u/100, 10)
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b = append(b, group...)
		}
		b = append(b, d)
	}
	frac := u % 100
	return append(b, point, byte('0'+frac/10), byte('0'+frac%10))
}

// abs returns |m|; it is correct for math.MinInt64 too.
func abs(m glassbox.Minor) uint64 {
	if m < 0 {
		return uint64(-m) // two's complement: -MinInt64 wraps to itself, 2^63 as uint64
	}
	return uint64(m)
}

// FormatPayment prints a ruble amount as the purpose of a Russian payment order writes it: "27 049,18 руб.",
// groups with ordinary spaces and «руб.» for the sign, since windows-1251, the charset of payment orders, has
// no «₽».
func FormatPayment(m glassbox.Minor) string {
	b := make([]byte, 0, 32)
	if m < 0 {
		b = append(b, '-')
	}
	return string(appendNumber(b, m, " ", ',')) + " руб."
}
