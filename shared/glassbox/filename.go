package glassbox

import (
	"strings"
	"unicode"
)

// FileName is the one name a document's PDF goes by, attached to an email, downloaded from a link or written
// by the CLI: its kind in its locale and its number, "Счёт ПК-2026-0015.pdf", "Invoice PX-2026-0001.pdf".
// Characters that file systems or headers choke on (path separators, quotes, control characters) become "-".
func (d Document) FileName() string {
	kind := fileKinds[Locale(d.Locale)][d.Kind]
	if kind == "" {
		kind = "Document"
	}
	number := d.Number
	if number == "" {
		number = d.ID
	}
	safe := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '-'
		}
		return r
	}, number)
	return kind + " " + safe + ".pdf"
}

// fileKinds names a document's kind in file names, by locale.
var fileKinds = map[string]map[DocumentKind]string{
	LocaleRU: {DocumentAct: "Акт", DocumentInvoice: "Счёт"},
	LocaleEN: {DocumentAct: "Act", DocumentInvoice: "Invoice"},
}

// ASCIIFileName is FileName in printable ASCII, for mail programs and browsers that do not read the UTF-8
// name: Russian is transliterated ("Schet PK-2026-0015.pdf"), "№" becomes "No", dashes "-", anything else
// without an ASCII spelling "_".
func (d Document) ASCIIFileName() string {
	return Transliterate(d.FileName())
}

// translit spells Russian letters in Latin (the passport rules of 2013, ICAO Doc 9303, with "y" for й and
// "ya", "yu" for я, ю, as people read them), lower case; upper case letters capitalise the first letter.
var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "",
	'э': "e", 'ю': "yu", 'я': "ya",
	'№': "No", '–': "-", '—': "-", '‑': "-", '\u00a0': " ", '\u202f': " ",
}

// Transliterate spells s in printable ASCII: Russian letters in Latin, a few typographic signs as their ASCII
// look-alikes, other non-ASCII characters, quotes and backslashes as "_" (so the result fits a quoted header
// parameter as is).
func Transliterate(s string) string {
	var b strings.Builder
	for _, r := range s {
		lower := unicode.ToLower(r)
		if t, ok := translit[lower]; ok {
			if lower != r && t != "" {
				t = strings.ToUpper(t[:1]) + t[1:]
			}
			b.WriteString(t)
			continue
		}
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
