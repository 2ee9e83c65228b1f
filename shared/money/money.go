// Package money formats amounts of money, says them in Russian words, and splits VAT out of them. Amounts are
// glassbox.Minor (minor units) with an ISO 4217 currency code; nothing here uses floating point.
package money

import (
	"fmt"
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

// ParseAmount reads an amount in major units of a currency ("15000.50" RUB) into its minor units (1500050),
// exactly: the decimals may not be more than the currency's minor unit has (glassbox.CurrencyDigits; "1500.5"
// JPY is an error, not a rounding). The decimal separator is a point or, as Russian and German spreadsheets
// write it, a comma; spaces, no-break spaces and thin spaces may group thousands ("15 000,50"). A leading '-'
// makes it negative. Anything else (a second separator, an exponent, a currency sign) is an error, as is an
// amount of more than 10^15 major units or an unknown currency.
func ParseAmount(s, currency string) (glassbox.Minor, error) {
	digits, ok := glassbox.CurrencyDigits(currency)
	if !ok {
		return 0, fmt.Errorf("%q is not an ISO 4217 currency code (like RUB, EUR, USD)", clipText(currency))
	}
	clean := StripGrouping(strings.TrimSpace(s))
	neg := strings.HasPrefix(clean, "-")
	clean = strings.TrimPrefix(clean, "-")
	if strings.Count(clean, ".")+strings.Count(clean, ",") > 1 {
		return 0, fmt.Errorf("%q has more than one decimal separator (write 15000.50, without thousands separators)", clipText(s))
	}
	whole, frac, point := strings.Cut(strings.Replace(clean, ",", ".", 1), ".")
	if !isDigits(whole) || (point && !isDigits(frac)) || len(whole) > 15 {
		return 0, fmt.Errorf("%q is not an amount like 15000.50", clipText(s))
	}
	if len(frac) > digits {
		return 0, fmt.Errorf("%q has %d decimals; %s has %d", clipText(s), len(frac), currency, digits)
	}
	for len(frac) < digits {
		frac += "0"
	}
	// At most 15 + 4 digits: fits an int64 without overflow.
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not an amount like 15000.50", clipText(s))
	}
	if neg {
		v = -v
	}
	return glassbox.Minor(v), nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clipText keeps a quoted bad value short in an error message.
func clipText(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

// grouping are the spaces people and spreadsheets group thousands with: plain, no-break, narrow no-break, thin.
// Built once: a Replacer builds its tables on first use, which per call cost more than the parse itself.
var grouping = strings.NewReplacer(" ", "", nbsp, "", "\u202f", "", "\u2009", "")

// StripGrouping removes the spaces that group thousands ("15 000,50" → "15000,50").
func StripGrouping(s string) string { return grouping.Replace(s) }
