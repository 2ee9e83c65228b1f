package payqr

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// GOST limits. We count them in characters (runes), not bytes: we read the standard's table of fields as
// giving lengths in characters, and only a character count gives the same answer whether a payload is encoded
// in windows-1251 (ST00011, one byte a Cyrillic letter) or UTF-8 (ST00012, two).
const (
	gostNameMax     = glassbox.GOSTNameMax
	gostBankNameMax = glassbox.GOSTBankNameMax
	gostPurposeMax  = glassbox.GOSTPurposeMax
	gostSumDigits   = 18
)

// gostSep is the separator. The standard lets the issuer pick any character absent from the values (it is the
// character right after "ST0001x"), but banking apps read "|" reliably and little else, so Glassbox keeps "|"
// and replaces a "|" inside a value with "/".
const gostSep = "|"

// GOST returns the ГОСТ Р 56042-2014 payload of a ruble invoice, in UTF-8 ("ST00012"):
//
//	ST00012|Name=…|PersonalAcc=…|BankName=…|BIC=…|CorrespAcc=…|Sum=<kopecks>|Purpose=…|PayeeINN=…|KPP=…|PayerINN=…
//
// KPP is left out when the seller has none (a sole proprietor), PayerINN when the buyer has none, Purpose
// when the document has none. Line breaks and tabs in text become spaces and "|" becomes "/". Billing builds
// purposes that fit (and prints the same text); a longer one is still cut to 210 rather than refused; every other value that does not fit is a *FieldError.
// The account numbers are checked against the BIC with the Bank of Russia's control key.
func GOST(doc glassbox.Document) (string, error) {
	s, b := doc.Seller, doc.Seller.Bank

	name := cleanText(s.Name)
	if err := checkText("seller name", name, gostNameMax); err != nil {
		return "", err
	}
	bankName := cleanText(b.Name)
	if err := checkText("seller bank name", bankName, gostBankNameMax); err != nil {
		return "", err
	}
	bic := stripSpaces(b.BIC)
	if !isDigits(bic, 9, 9) {
		return "", &FieldError{Field: "seller bank BIC", Value: b.BIC, Reason: "must be 9 digits"}
	}
	acc := stripSpaces(b.Account)
	if !isDigits(acc, 20, 20) {
		return "", &FieldError{Field: "seller bank account", Value: b.Account, Reason: "must be 20 digits"}
	}
	corr := stripSpaces(b.CorrAccount)
	if !isDigits(corr, 1, 20) {
		return "", &FieldError{Field: "seller bank corr. account", Value: b.CorrAccount, Reason: "must be 1 to 20 digits"}
	}
	if err := CheckAccounts(bic, acc, corr); err != nil {
		return "", err
	}
	if doc.Total <= 0 || len(strconv.FormatInt(int64(doc.Total), 10)) > gostSumDigits {
		return "", &FieldError{Field: "total", Value: strconv.FormatInt(int64(doc.Total), 10),
			Reason: "must be 1 to 18 digits of kopecks"}
	}
	inn := stripSpaces(s.INN)
	if !isINN(inn) {
		return "", &FieldError{Field: "seller INN", Value: s.INN, Reason: "must be 10 or 12 digits"}
	}
	kpp := stripSpaces(s.KPP)
	if kpp != "" && !glassbox.KPPValid(kpp) {
		return "", &FieldError{Field: "seller KPP", Value: s.KPP, Reason: "must be 9 characters: 4 digits, 2 digits or capital letters, 3 digits"}
	}
	payer := stripSpaces(doc.Buyer.INN)
	if payer != "" && !isINN(payer) {
		return "", &FieldError{Field: "buyer INN", Value: doc.Buyer.INN, Reason: "must be 10 or 12 digits"}
	}
	purpose := strings.TrimRight(truncateRunes(cleanText(doc.Purpose), gostPurposeMax), " ")

	var p strings.Builder
	p.Grow(96 + len(name) + len(bankName) + len(purpose))
	p.WriteString("ST00012")
	field := func(k, v string) {
		p.WriteString(gostSep)
		p.WriteString(k)
		p.WriteByte('=')
		p.WriteString(v)
	}
	field("Name", name)
	field("PersonalAcc", acc)
	field("BankName", bankName)
	field("BIC", bic)
	field("CorrespAcc", corr)
	field("Sum", strconv.FormatInt(int64(doc.Total), 10))
	if purpose != "" {
		field("Purpose", purpose)
	}
	field("PayeeINN", inn)
	if kpp != "" {
		field("KPP", kpp)
	}
	if payer != "" {
		field("PayerINN", payer)
	}
	return p.String(), nil
}

// CheckAccounts checks a Russian settlement account and correspondent account against the bank's BIC with the
// control key of the Bank of Russia's rules (glassbox.CorrAccountMatchesBIC, glassbox.AccountMatchesBIC, which
// validation of the agency file also calls). Arguments are digits only.
func CheckAccounts(bic, account, corr string) error {
	if !glassbox.CorrAccountMatchesBIC(bic, corr) {
		return &FieldError{Field: "seller bank corr. account", Value: corr, Reason: "does not match BIC " + bic + " (control key)"}
	}
	if !glassbox.AccountMatchesBIC(bic, account, corr) {
		return &FieldError{Field: "seller bank account", Value: account, Reason: "does not match BIC " + bic + " (control key)"}
	}
	return nil
}

func isINN(s string) bool {
	return isDigits(s, 10, 10) || isDigits(s, 12, 12)
}

func isDigits(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// stripSpaces removes the spaces people put in account numbers ("4070 2810 …"), no-break ones included.
func stripSpaces(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// cleanText makes a value safe for either payload: line breaks and tabs become one space, other control
// characters go, "|" becomes "/", and the ends are trimmed.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", " ")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r' || r == '\n' || r == '\t' || r == '\u2028' || r == '\u2029':
			return ' '
		case r == '|':
			return '/'
		case unicode.IsControl(r) || r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func checkText(field, v string, maxRunes int) error {
	if v == "" {
		return &FieldError{Field: field, Reason: "must not be empty"}
	}
	if n := utf8.RuneCountInString(v); n > maxRunes {
		return &FieldError{Field: field, Value: v, Reason: "is " + strconv.Itoa(n) + " characters, at most " + strconv.Itoa(maxRunes) + " fit"}
	}
	return nil
}

func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
