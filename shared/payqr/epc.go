package payqr

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// EPC069-12 limits: text in characters, the whole payload in bytes.
const (
	epcNameMax       = glassbox.EPCNameMax
	epcRemittanceMax = 140
	epcPayloadMax    = 331
	epcAmountMax     = 99999999999 // EUR 999,999,999.99 in cents
)

// EPC returns the EPC069-12 (version 002, UTF-8, SEPA credit transfer) payload of a euro invoice, lines
// joined by "\n":
//
//	BCD, 002, 1, SCT, <BIC>, <name>, <IBAN>, EUR<amount>, <purpose code: empty>, <RF reference: empty>, <text>
//
// The BIC (Seller.Bank.SWIFT) may be empty, as version 002 allows inside the EEA. The IBAN loses its spaces
// and must pass the mod-97 check. The remittance text is the document's Purpose, cut to 140 characters (and
// further if the payload would pass 331 bytes). The payload ends with its last non-empty line: no note to the
// payer and no trailing line break, which the standard permits.
func EPC(doc glassbox.Document) (string, error) {
	s := doc.Seller
	name := cleanText(s.Name)
	if err := checkText("seller name", name, epcNameMax); err != nil {
		return "", err
	}
	iban, err := NormalizeIBAN(s.Bank.IBAN)
	if err != nil {
		return "", err
	}
	bic := strings.ToUpper(stripSpaces(s.Bank.SWIFT))
	if bic != "" && !isSWIFT(bic) {
		return "", &FieldError{Field: "seller SWIFT", Value: s.Bank.SWIFT, Reason: "must be a BIC of 8 or 11 letters and digits"}
	}
	if doc.Total < 1 || doc.Total > epcAmountMax {
		return "", &FieldError{Field: "total", Value: strconv.FormatInt(int64(doc.Total), 10),
			Reason: "must be EUR 0.01 to 999999999.99 in cents"}
	}
	amount := "EUR" + strconv.FormatInt(int64(doc.Total/100), 10) + "." + twoDigits(int64(doc.Total%100))

	lines := []string{"BCD", "002", "1", "SCT", bic, name, iban, amount, "", "", ""}
	fixed := len(strings.Join(lines, "\n"))
	if fixed > epcPayloadMax {
		return "", &FieldError{Field: "seller name", Value: name, Reason: "makes the EPC payload over 331 bytes"}
	}
	text := strings.TrimRight(truncateRunes(cleanText(doc.Purpose), epcRemittanceMax), " ")
	text = strings.TrimRight(truncateBytes(text, epcPayloadMax-fixed), " ")
	lines[len(lines)-1] = text
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n"), nil
}

// NormalizeIBAN removes spaces from an IBAN, upper-cases it and checks its form and mod-97 check digits.
func NormalizeIBAN(iban string) (string, error) {
	v := strings.ToUpper(stripSpaces(iban))
	bad := func(reason string) (string, error) {
		return "", &FieldError{Field: "seller IBAN", Value: iban, Reason: reason}
	}
	if v == "" {
		return bad("must not be empty")
	}
	if len(v) < 15 || len(v) > 34 {
		return bad("must be 15 to 34 characters")
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		letter, digit := c >= 'A' && c <= 'Z', c >= '0' && c <= '9'
		if (i < 2 && !letter) || (i >= 2 && i < 4 && !digit) || (!letter && !digit) {
			return bad("must be a country code, two check digits and letters or digits")
		}
	}
	// ISO 13616: move the first four characters to the end, read letters as 10–35, and the number mod 97 is 1.
	rem := 0
	for _, c := range v[4:] + v[:4] {
		if c >= 'A' {
			rem = (rem*100 + int(c-'A'+10)) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	if rem != 1 {
		return bad("has wrong check digits")
	}
	return v, nil
}

// isSWIFT accepts a BIC (ISO 9362): 4 letters (bank), 2 letters (country), 2 letters or digits (location),
// optionally 3 more (branch).
func isSWIFT(s string) bool {
	if len(s) != 8 && len(s) != 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter, digit := c >= 'A' && c <= 'Z', c >= '0' && c <= '9'
		if (i < 6 && !letter) || (!letter && !digit) {
			return false
		}
	}
	return true
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// truncateBytes cuts s to at most n bytes without splitting a character.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
