package glassbox

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Russian requisites carry control digits, so a typo is caught when the agency file is applied instead of on
// a payment that bounces. These checks are the one place that knows them: validation calls them, and so does
// the payment QR code.

// Lengths, in characters, of what a payment QR code can carry: ГОСТ Р 56042-2014 for rubles, EPC069-12 for
// euros. A seller whose name or bank name is longer would get invoices without a QR code, so validation
// refuses it.
const (
	GOSTNameMax     = 160
	GOSTBankNameMax = 45
	// GOSTPurposeMax is also the length of the purpose field of a Russian payment order.
	GOSTPurposeMax = 210
	EPCNameMax     = 70
)

// INNValid says whether s is a valid ИНН: 10 digits (a company) or 12 (a person or sole proprietor) whose
// control digits match.
func INNValid(s string) bool {
	switch {
	case digits(s, 10):
		return innDigit(s, []int{2, 4, 10, 3, 5, 9, 4, 6, 8}) == s[9]
	case digits(s, 12):
		return innDigit(s, []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}) == s[10] &&
			innDigit(s, []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}) == s[11]
	}
	return false
}

// innDigit is the control digit over the first len(weights) digits: the weighted sum mod 11, mod 10.
func innDigit(s string, weights []int) byte {
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return byte('0' + sum%11%10)
}

// KPPValid says whether s is a КПП: NNNNPPNNN, the tax office's four digits (not 0000), the reason code (two
// digits or capital Latin letters) and a three-digit number. A КПП has no control digit.
func KPPValid(s string) bool {
	if len(s) != 9 || s[:4] == "0000" {
		return false
	}
	for i := 0; i < 9; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case (i == 4 || i == 5) && c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	return true
}

// OGRNValid says whether s is a valid ОГРН (13 digits: the first 12 mod 11, mod 10, is the last) or ОГРНИП
// (15 digits: the first 14 mod 13, mod 10).
func OGRNValid(s string) bool {
	var mod uint64
	switch {
	case digits(s, 13):
		mod = 11
	case digits(s, 15):
		mod = 13
	default:
		return false
	}
	n, err := strconv.ParseUint(s[:len(s)-1], 10, 64)
	if err != nil {
		return false
	}
	return byte('0'+n%mod%10) == s[len(s)-1]
}

// CorrAccountMatchesBIC says whether a correspondent account at the Bank of Russia (30101…) fits the bank's
// БИК: it ends with the БИК's last three digits and passes the control key of the Bank of Russia's rules.
// Other arrangements (treasury accounts, Bank of Russia divisions) are not checked and pass.
func CorrAccountMatchesBIC(bic, corr string) bool {
	if !digits(bic, 9) || !digits(corr, 20) || !strings.HasPrefix(corr, "30101") {
		return true
	}
	return corr[17:] == bic[6:] && controlKeyOK("0"+bic[4:6]+corr)
}

// AccountMatchesBIC says whether a settlement account at a bank (one with a correspondent account at the
// Bank of Russia, corr 30101…) fits the bank's БИК by the control key. Other arrangements pass unchecked.
func AccountMatchesBIC(bic, account, corr string) bool {
	if !digits(bic, 9) || !digits(account, 20) || !strings.HasPrefix(corr, "30101") {
		return true
	}
	return controlKeyOK(bic[6:] + account)
}

// controlKeyOK checks the key of a 23-digit string: weights 7, 1, 3 repeated, each product's last digit
// summed; the sum ends in 0.
func controlKeyOK(s string) bool {
	weights := [3]int{7, 1, 3}
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += int(s[i]-'0') * weights[i%3] % 10
	}
	return sum%10 == 0
}

// textLen is the length of a value as the QR formats count it: characters, ends trimmed.
func textLen(s string) int {
	return utf8.RuneCountInString(strings.TrimSpace(s))
}
