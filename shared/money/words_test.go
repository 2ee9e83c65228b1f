package money_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

func TestWordsRUB(t *testing.T) {
	t.Parallel()
	// Each whole amount is said with each of the kopeck amounts below; the kopeck part never changes the
	// ruble noun, and the ruble part never changes the kopeck noun.
	rubles := []struct {
		n     glassbox.Minor
		words string
	}{
		{0, "Ноль рублей"},
		{1, "Один рубль"},
		{2, "Два рубля"},
		{3, "Три рубля"},
		{4, "Четыре рубля"},
		{5, "Пять рублей"},
		{10, "Десять рублей"},
		{11, "Одиннадцать рублей"},
		{12, "Двенадцать рублей"},
		{14, "Четырнадцать рублей"},
		{19, "Девятнадцать рублей"},
		{20, "Двадцать рублей"},
		{21, "Двадцать один рубль"},
		{22, "Двадцать два рубля"},
		{40, "Сорок рублей"},
		{99, "Девяносто девять рублей"},
		{100, "Сто рублей"},
		{101, "Сто один рубль"},
		{111, "Сто одиннадцать рублей"},
		{112, "Сто двенадцать рублей"},
		{200, "Двести рублей"},
		{999, "Девятьсот девяносто девять рублей"},
		{1_000, "Одна тысяча рублей"},
		{1_001, "Одна тысяча один рубль"},
		{2_000, "Две тысячи рублей"},
		{2_002, "Две тысячи два рубля"},
		{5_000, "Пять тысяч рублей"},
		{11_000, "Одиннадцать тысяч рублей"},
		{12_000, "Двенадцать тысяч рублей"},
		{21_000, "Двадцать одна тысяча рублей"},
		{22_000, "Двадцать две тысячи рублей"},
		{111_000, "Сто одиннадцать тысяч рублей"},
		{150_000, "Сто пятьдесят тысяч рублей"},
		{1_000_000, "Один миллион рублей"},
		{2_000_000, "Два миллиона рублей"},
		{5_000_000, "Пять миллионов рублей"},
		{21_001_001, "Двадцать один миллион одна тысяча один рубль"},
		{1_000_000_000, "Один миллиард рублей"},
		{2_000_000_000, "Два миллиарда рублей"},
		{11_000_000_000, "Одиннадцать миллиардов рублей"},
		{999_999_999_999, "Девятьсот девяносто девять миллиардов девятьсот девяносто девять миллионов " +
			"девятьсот девяносто девять тысяч девятьсот девяносто девять рублей"},
		{1_000_000_000_000, "Один триллион рублей"},
		{2_000_001_000_000, "Два триллиона один миллион рублей"},
	}
	kopecks := []struct {
		n     glassbox.Minor
		words string
	}{
		{0, "00 копеек"},
		{1, "01 копейка"},
		{2, "02 копейки"},
		{3, "03 копейки"},
		{5, "05 копеек"},
		{11, "11 копеек"},
		{12, "12 копеек"},
		{21, "21 копейка"},
		{22, "22 копейки"},
		{50, "50 копеек"},
		{99, "99 копеек"},
	}
	for _, r := range rubles {
		for _, k := range kopecks {
			m := r.n*100 + k.n
			want := r.words + " " + k.words
			if got := money.Words(m, "RUB"); got != want {
				t.Errorf("Words(%d, RUB) = %q, want %q", m, got, want)
			}
		}
	}
}

func TestWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m        glassbox.Minor
		currency string
		want     string
	}{
		// The examples of the brief and invoices.md, verbatim.
		{15_000_000, "RUB", "Сто пятьдесят тысяч рублей 00 копеек"},
		{101, "RUB", "Один рубль 01 копейка"},
		{200_050, "RUB", "Две тысячи рублей 50 копеек"},
		{0, "RUB", "Ноль рублей 00 копеек"},
		{200_000_000, "RUB", "Два миллиона рублей 00 копеек"},
		{10_100, "RUB", "Сто один рубль 00 копеек"},
		{2_121, "RUB", "Двадцать один рубль 21 копейка"},
		{1_111, "RUB", "Одиннадцать рублей 11 копеек"},
		{1_003, "RUB", "Десять рублей 03 копейки"},
		{99_999_999_999_999, "RUB", "Девятьсот девяносто девять миллиардов девятьсот девяносто девять миллионов " +
			"девятьсот девяносто девять тысяч девятьсот девяносто девять рублей 99 копеек"},

		// Case and spaces in the code do not matter.
		{100, "rub", "Один рубль 00 копеек"},
		{100, " RUB ", "Один рубль 00 копеек"},

		{-150_000, "RUB", "Минус одна тысяча пятьсот рублей 00 копеек"},
		{-1, "RUB", "Минус ноль рублей 01 копейка"},

		{0, "EUR", "Ноль евро 00 центов"},
		{101, "EUR", "Один евро 01 цент"},
		{202, "EUR", "Два евро 02 цента"},
		{1_111, "EUR", "Одиннадцать евро 11 центов"},
		{2_121, "EUR", "Двадцать один евро 21 цент"},
		{100_000, "EUR", "Одна тысяча евро 00 центов"},
		{-500, "EUR", "Минус пять евро 00 центов"},

		{101, "USD", "Один доллар США 01 цент"},
		{304, "USD", "Три доллара США 04 цента"},
		{150_000_025, "USD", "Один миллион пятьсот тысяч долларов США 25 центов"},
		{1_200, "USD", "Двенадцать долларов США 00 центов"},

		{150_000, "CHF", "Одна тысяча пятьсот CHF 00"},
		{2_199, "CHF", "Двадцать один CHF 99"},
		{0, "KZT", "Ноль KZT 00"},
		{10_000, "", "Сто 00"},
		{-205, "gbp", "Минус два GBP 05"},

		// The extremes of int64 are said, not refused.
		{math.MaxInt64, "RUB", "Девяносто два квадриллиона двести тридцать три триллиона семьсот двадцать " +
			"миллиардов триста шестьдесят восемь миллионов пятьсот сорок семь тысяч семьсот пятьдесят восемь " +
			"рублей 07 копеек"},
		{math.MinInt64, "RUB", "Минус девяносто два квадриллиона двести тридцать три триллиона семьсот двадцать " +
			"миллиардов триста шестьдесят восемь миллионов пятьсот сорок семь тысяч семьсот пятьдесят восемь " +
			"рублей 08 копеек"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.m, tt.currency), func(t *testing.T) {
			t.Parallel()
			if got := money.Words(tt.m, tt.currency); got != tt.want {
				t.Errorf("Words(%d, %q) = %q, want %q", tt.m, tt.currency, got, tt.want)
			}
		})
	}
}

func FuzzWords(f *testing.F) {
	for _, m := range []int64{0, 1, 101, 2_121, 15_000_000, -150_000, math.MaxInt64, math.MinInt64} {
		for _, c := range []string{"RUB", "EUR", "USD", "CHF", ""} {
			f.Add(m, c)
		}
	}
	f.Fuzz(func(t *testing.T, m int64, currency string) {
		got := money.Words(glassbox.Minor(m), currency)
		if !utf8.ValidString(got) && utf8.ValidString(currency) {
			t.Fatalf("Words(%d, %q) = %q: not UTF-8", m, currency, got)
		}
		first, _ := utf8.DecodeRuneInString(got)
		if !unicode.IsUpper(first) {
			t.Errorf("Words(%d, %q) = %q: not capitalised", m, currency, got)
		}
		if (m < 0) != strings.HasPrefix(got, "Минус ") {
			t.Errorf("Words(%d, %q) = %q: sign", m, currency, got)
		}
		if strings.Contains(got, "  ") && !strings.Contains(strings.TrimSpace(currency), " ") {
			t.Errorf("Words(%d, %q) = %q: double space", m, currency, got)
		}
		// The minor units are always printed as two digits.
		u := uint64(m)
		if m < 0 {
			u = -u
		}
		if kop := fmt.Sprintf(" %02d", u%100); !strings.Contains(got, kop) {
			t.Errorf("Words(%d, %q) = %q: no %q", m, currency, got, kop)
		}
	})
}

func BenchmarkWords(b *testing.B) {
	for b.Loop() {
		money.Words(99_999_999_999_999, "RUB")
	}
}
