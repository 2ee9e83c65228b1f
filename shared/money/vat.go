package money

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// SplitVAT computes a document's net, VAT and total from an amount and a VAT mode.
//
// The amount is what a stage costs, as configured. With no VAT (VATNone, an empty or unreadable rate, a rate
// of zero or less) or with ReverseCharge, net = total = amount and VAT is 0. With the rate r in basis points
// (hundredths of a percent, so 25.5% is 2550): if vat.Included, the amount already holds the VAT:
// vatAmount = amount·r/(10000+r), net = amount − vatAmount, total = amount. Otherwise VAT is added on top:
// vatAmount = amount·r/10000, net = amount, total = amount + vatAmount. Always net + vatAmount == total.
//
// Rounding is to the nearest minor unit, half away from zero (0.05 at 10% on top is 0.005, so 0.01), in exact
// integer arithmetic with a 128-bit intermediate product. It is done once per document: call SplitVAT on the
// document's whole amount, not on each line, and print the lines without their own VAT.
//
// Every amount glassbox.ParseMinor accepts (up to 10^17 minor units) works at any rate up to 100%. SplitVAT
// panics only if VAT added on top does not fit in an int64, which needs a rate far above 100%.
func SplitVAT(amount glassbox.Minor, vat glassbox.VAT) (net, vatAmount, total glassbox.Minor) {
	r, ok := vat.Rate.BasisPoints()
	if !ok || r <= 0 || vat.ReverseCharge {
		return amount, 0, amount
	}
	if vat.Included {
		// 10000 + r fits in uint64 for any positive int64 r, and the quotient is below |amount|.
		vatAmount = mulDivRound(amount, uint64(r), 10000+uint64(r))
		return amount - vatAmount, vatAmount, amount
	}
	vatAmount = mulDivRound(amount, uint64(r), 10000)
	total = amount + vatAmount
	if (total < amount) != (vatAmount < 0) { // same-sign addition wrapped
		panic(fmt.Sprintf("money: %d plus %s%% VAT overflows int64", amount, vat.Rate))
	}
	return amount, vatAmount, total
}

// mulDivRound returns a·num/den rounded half away from zero. It panics if the result does not fit in an int64.
func mulDivRound(a glassbox.Minor, num, den uint64) glassbox.Minor {
	hi, lo := bits.Mul64(abs(a), num)
	if hi >= den {
		panic(fmt.Sprintf("money: %d·%d/%d overflows", a, num, den))
	}
	q, rem := bits.Div64(hi, lo, den)
	if rem >= den-rem { // rem ≥ den/2 without overflowing 2·rem
		q++
	}
	if q > math.MaxInt64 {
		panic(fmt.Sprintf("money: %d·%d/%d overflows", a, num, den))
	}
	if a < 0 {
		return -glassbox.Minor(q)
	}
	return glassbox.Minor(q)
}

// Rate prints a VAT rate for a locale, without trailing zeros: "22%", "25.5%" (en), "25,5%" (ru). A rate that
// is not a percent (VATNone) prints as "".
func Rate(r glassbox.VATRate, locale string) string {
	bp, ok := r.BasisPoints()
	if !ok {
		return ""
	}
	s := strconv.FormatInt(bp/100, 10)
	if frac := bp % 100; frac != 0 {
		point := "."
		if isRussian(locale) {
			point = ","
		}
		s += point + strings.TrimRight(fmt.Sprintf("%02d", frac), "0")
	}
	return s + "%"
}
