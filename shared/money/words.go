package money

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Words says an amount in Russian words, capitalised, as a total in words on a document:
// "Сто пятьдесят тысяч рублей 00 копеек".
//
// The whole units are in words and the minor units are two digits followed by their noun ("Один рубль 01
// копейка", "Два евро 50 центов", "Три доллара США 00 центов"). Each noun agrees with its number's last two
// digits. A currency other than RUB, EUR and USD is named by its ISO code after the words, with the minor
// units as bare digits: "Сто CHF 00" (with no code at all, "Сто 00"). A negative amount starts with "Минус ".
// Every int64 amount can be said (scales go up to квадриллион).
func Words(m glassbox.Minor, currency string) string {
	code := strings.ToUpper(strings.TrimSpace(currency))
	u := abs(m)
	whole, frac := u/100, u%100

	var b strings.Builder
	b.Grow(384) // the longest amount, MinInt64 in USD, takes 369 bytes
	if m < 0 {
		b.WriteString("минус ")
	}
	n, known := nouns[code]
	writeNumber(&b, whole, n.feminine)
	if known {
		b.WriteByte(' ')
		b.WriteString(n.major[plural(whole)])
	} else if code != "" {
		b.WriteByte(' ')
		b.WriteString(code)
	}
	b.WriteByte(' ')
	b.WriteByte(byte('0' + frac/10))
	b.WriteByte(byte('0' + frac%10))
	if known {
		b.WriteByte(' ')
		b.WriteString(n.minor[plural(frac)])
	}
	return capitalise(b.String())
}

// capitalise upper-cases the first letter.
func capitalise(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// currencyNouns are a currency's major and minor unit nouns by plural form (one, few, many).
type currencyNouns struct {
	major, minor [3]string
	feminine     bool
}

var nouns = map[string]currencyNouns{
	"RUB": {major: [3]string{"рубль", "рубля", "рублей"}, minor: [3]string{"копейка", "копейки", "копеек"}},
	"EUR": {major: [3]string{"евро", "евро", "евро"}, minor: [3]string{"цент", "цента", "центов"}},
	"USD": {
		major: [3]string{"доллар США", "доллара США", "долларов США"},
		minor: [3]string{"цент", "цента", "центов"},
	},
}

// Plural forms of a Russian noun after a number.
const (
	one  = iota // 1, 21, 101: рубль
	few         // 2–4, 22–24: рубля
	many        // 0, 5–20, 25–30, 11–14 of any hundred: рублей
)

// plural picks a noun's form from the number's last two digits.
func plural(n uint64) int {
	if r := n % 100; r >= 11 && r <= 14 {
		return many
	}
	switch n % 10 {
	case 1:
		return one
	case 2, 3, 4:
		return few
	}
	return many
}

var (
	hundreds = [10]string{"", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"}
	tens     = [10]string{"", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"}
	teens    = [10]string{"десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать"}
	unitsM   = [10]string{"", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"}
	unitsF   = [10]string{"", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"}
)

// scales are the names of 10^3, 10^6, ... by plural form; only тысяча is feminine. uint64 / 100 is below
// 10^18, so квадриллион (10^15) is the largest scale needed.
var scales = [...]struct {
	forms    [3]string
	feminine bool
}{
	{[3]string{"тысяча", "тысячи", "тысяч"}, true},
	{[3]string{"миллион", "миллиона", "миллионов"}, false},
	{[3]string{"миллиард", "миллиарда", "миллиардов"}, false},
	{[3]string{"триллион", "триллиона", "триллионов"}, false},
	{[3]string{"квадриллион", "квадриллиона", "квадриллионов"}, false},
}

// writeNumber writes n in words; feminine selects одна/две for the units group.
func writeNumber(b *strings.Builder, n uint64, feminine bool) {
	if n == 0 {
		b.WriteString("ноль")
		return
	}
	// groups[0] is the units group, groups[i] the group of scales[i-1].
	var groups [7]uint64
	top := 0
	for v := n; v > 0; v /= 1000 {
		groups[top] = v % 1000
		top++
	}
	first := true
	for i := top - 1; i >= 0; i-- {
		g := groups[i]
		if g == 0 {
			continue
		}
		fem := feminine
		if i > 0 {
			fem = scales[i-1].feminine
		}
		writeGroup(b, g, fem, &first)
		if i > 0 {
			b.WriteByte(' ')
			b.WriteString(scales[i-1].forms[plural(g)])
		}
	}
}

// writeGroup writes 1 ≤ g ≤ 999 in words, each word preceded by a space unless it is the very first.
func writeGroup(b *strings.Builder, g uint64, feminine bool, first *bool) {
	word := func(w string) {
		if w == "" {
			return
		}
		if !*first {
			b.WriteByte(' ')
		}
		*first = false
		b.WriteString(w)
	}
	word(hundreds[g/100])
	t, u := g/10%10, g%10
	if t == 1 {
		word(teens[u])
		return
	}
	word(tens[t])
	if feminine {
		word(unitsF[u])
	} else {
		word(unitsM[u])
	}
}
