package mime

import (
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line lengths from RFC 5322 §2.1.1: lines SHOULD be at most 78 characters and MUST be at most 998.
const (
	softLimit = 78
	hardLimit = 998
)

// maxIDLen bounds Message-ID, In-Reply-To and References ids so that a header line holding one never
// exceeds the hard limit.
const maxIDLen = 900

// sanitize replaces CR, LF and every other control character (and invalid UTF-8) with a space, and drops
// bidirectional embedding, override and isolate characters. It is the one place that cleans every header
// value (subjects, display names, attachment file names), whoever built the message: after it, a value cannot
// end its header line, and tracker text cannot reorder what a mail program shows ("Invoice\u202Efdp.exe" shown
// as "Invoiceexe.pdf").
func sanitize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if isBidiControl(r) {
			continue
		}
		if r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isBidiControl reports the explicit directional formatting characters: embeddings and overrides (U+202A to
// U+202E) and isolates (U+2066 to U+2069). The implicit marks (LRM, RLM) change no order and are kept.
func isBidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// encodedWordPrefix and the 36-byte chunks keep each encoded word at 60 characters, so that even the first
// one fits on a line after "Reply-To: " within 78 characters.
const (
	encodedWordPrefix = "=?UTF-8?B?"
	encodedWordChunk  = 36
)

// encodeWords RFC 2047-encodes s as B encoded words. Chunks end on rune boundaries, as RFC 2047 §5 requires
// of each word.
func encodeWords(s string) []string {
	var words []string
	for len(s) > 0 {
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > encodedWordChunk {
				break
			}
			n += size
		}
		words = append(words, encodedWordPrefix+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return words
}

// needsWords reports whether text cannot go into a header as plain ASCII words: it has non-ASCII, something a
// decoder would take for an encoded word, or a word too long to fold.
func needsWords(s string, name string) bool {
	if !isASCII(s) || strings.Contains(s, "=?") {
		return true
	}
	for _, w := range strings.Split(s, " ") {
		if len(name)+2+len(w) > softLimit {
			return true
		}
	}
	return false
}

// unstructured renders the value of an unstructured field (Subject) as tokens for fold.
func unstructured(name, s string) []string {
	// Readers trim the value anyway; trimming here keeps what they show equal to what was meant.
	s = strings.TrimSpace(sanitize(s))
	if needsWords(s, name) {
		return encodeWords(s)
	}
	// Splitting on single spaces and rejoining with them keeps runs of spaces as they were.
	return strings.Split(s, " ")
}

// fold writes "Name: tokens..." joined by single spaces, breaking lines before a token (never before an empty
// one, so no line is only whitespace) when the line would pass 78 characters.
func fold(b *strings.Builder, name string, tokens []string) {
	b.WriteString(name)
	b.WriteString(":")
	lineLen := len(name) + 1
	for i, t := range tokens {
		if i > 0 && t != "" && lineLen+1+len(t) > softLimit {
			b.WriteString("\r\n")
			lineLen = 0
		}
		b.WriteString(" ")
		b.WriteString(t)
		lineLen += 1 + len(t)
	}
	b.WriteString("\r\n")
}

// atext is RFC 5322 atext: what a display name may hold unquoted (with spaces between words).
func isAtext(r rune) bool {
	if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
		return true
	}
	return strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)
}

// phrase renders a display name as tokens: plain words, a quoted string, or encoded words.
func phrase(name string) []string {
	name = strings.Join(strings.Fields(sanitize(name)), " ")
	if name == "" {
		return nil
	}
	if needsWords(name, "Reply-To") {
		return encodeWords(name)
	}
	plain := !strings.Contains(name, "=?")
	for _, r := range name {
		if r != ' ' && !isAtext(r) {
			plain = false
			break
		}
	}
	if plain {
		return strings.Split(name, " ")
	}
	q := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name)
	// Folding inside a quoted string at its spaces is allowed (FWS in quoted-string).
	return strings.Split(`"`+q+`"`, " ")
}

// checkEmail validates a bare address: it must parse as an RFC 5322 addr-spec and be exactly that, in ASCII.
func checkEmail(email string) error {
	if email == "" {
		return fmt.Errorf("empty email address")
	}
	if !isASCII(email) || sanitize(email) != email {
		return fmt.Errorf("email address %q must be printable ASCII", email)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Name != "" || a.Address != email {
		return fmt.Errorf("invalid email address %q", email)
	}
	return nil
}

// addressList renders addresses as tokens of an address-list, after validating each.
func addressList(field string, as []Address) ([]string, error) {
	var tokens []string
	for i, a := range as {
		if err := checkEmail(a.Email); err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", field, i, err)
		}
		t := phrase(a.Name)
		if len(t) == 0 {
			t = []string{a.Email}
		} else {
			t = append(t, "<"+a.Email+">")
		}
		if i < len(as)-1 {
			t[len(t)-1] += ","
		}
		tokens = append(tokens, t...)
	}
	return tokens, nil
}

// checkID validates a message id given without angle brackets, after sanitizing it.
func checkID(field, id string) (string, error) {
	id = sanitize(id)
	switch {
	case id == "":
		return "", fmt.Errorf("%s is required", field)
	case len(id) > maxIDLen:
		return "", fmt.Errorf("%s is longer than %d bytes", field, maxIDLen)
	case !isASCII(id) || strings.ContainsAny(id, " <>\"\\()[],;:"):
		return "", fmt.Errorf("%s %q must be printable ASCII without spaces, brackets or quotes", field, id)
	case strings.Count(id, "@") != 1 || strings.HasPrefix(id, "@") || strings.HasSuffix(id, "@"):
		return "", fmt.Errorf("%s %q must look like left@right", field, id)
	}
	return id, nil
}
