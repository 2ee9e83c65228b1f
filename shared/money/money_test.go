package money_test

import (
	"math"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

func TestFormat(t *testing.T) {
	t.Parallel()
	// nb makes the no-break spaces of the ru cases visible: "_" in want stands for U+00A0.
	nb := strings.NewReplacer("_", "\u00a0").Replace
	tests := []struct {
		m        glassbox.Minor
		currency string
		locale   string
		want     string
	}{
		{15_000_000, "RUB", "ru", nb("150_000,00_₽")},
		{5, "RUB", "ru", nb("0,05_₽")},
		{-150_000, "RUB", "ru", nb("-1_500,00_₽")},
		{0, "RUB", "ru", nb("0,00_₽")},
		{-1, "RUB", "ru", nb("-0,01_₽")},
		{99_999, "RUB", "ru", nb("999,99_₽")},
		{100_000, "RUB", "ru", nb("1_000,00_₽")},
		{123_456_789_012, "RUB", "ru", nb("1_234_567_890,12_₽")},
		{15_000_000, "EUR", "ru", nb("150_000,00_€")},
		{150_000, "USD", "ru", nb("1_500,00_$")},
		{99, "GBP", "ru", nb("0,99_£")},
		{150_000, "CHF", "ru", nb("1_500,00_CHF")},
		{-150_000, "KZT", "ru", nb("-1_500,00_KZT")},
		{150_000, "rub", "ru-RU", nb("1_500,00_₽")},
		{150_000, "RUB", "ru_RU", nb("1_500,00_₽")},
		{150_000, "RUB", "RU", nb("1_500,00_₽")},

		{15_000_000, "EUR", "en", "€150,000.00"},
		{150_000, "USD", "en", "$1,500.00"},
		{99, "GBP", "en", "£0.99"},
		{-500, "EUR", "en", "-€5.00"},
		{0, "USD", "en", "$0.00"},
		{100_000_000, "USD", "en", "$1,000,000.00"},
		{150_000, "CHF", "en", "1,500.00 CHF"},
		{18_500_000, "RUB", "en", "185,000.00 RUB"},
		{-18_500_000, "RUB", "en", "-185,000.00 RUB"},
		{0, "AED", "en", "0.00 AED"},
		{12_345, "eur", "en-GB", "€123.45"},
		// Anything that is not ru is English, including an empty locale and "rus".
		{150_000, "EUR", "", "€1,500.00"},
		{150_000, "EUR", "de", "€1,500.00"},
		{150_000, "EUR", "rus", "€1,500.00"},

		{math.MaxInt64, "USD", "en", "$92,233,720,368,547,758.07"},
		{math.MinInt64, "USD", "en", "-$92,233,720,368,547,758.08"},
		{math.MinInt64, "RUB", "ru", nb("-92_233_720_368_547_758,08_₽")},
	}
	for _, tt := range tests {
		t.Run(tt.locale+" "+tt.currency+" "+tt.want, func(t *testing.T) {
			t.Parallel()
			if got := money.Format(tt.m, tt.currency, tt.locale); got != tt.want {
				t.Errorf("Format(%d, %q, %q) = %q, want %q", tt.m, tt.currency, tt.locale, got, tt.want)
			}
		})
	}
}

// FuzzFormat checks that what Format prints in Russian reads back to the same amount.
func FuzzFormat(f *testing.F) {
	for _, m := range []int64{0, 5, -150_000, 15_000_000, 1e17, -1e17} {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, m int64) {
		if m > 1e17 || m < -1e17 { // beyond what glassbox.ParseMinor reads
			m %= 1e17
		}
		s := money.Format(glassbox.Minor(m), "RUB", "ru")
		num, ok := strings.CutSuffix(s, "\u00a0₽")
		if !ok {
			t.Fatalf("Format(%d) = %q: no ruble sign", m, s)
		}
		back, err := glassbox.ParseMinor(num)
		if err != nil || int64(back) != m {
			t.Errorf("Format(%d) = %q, reads back as %d, %v", m, s, back, err)
		}
		if en := money.Format(glassbox.Minor(m), "CHF", "en"); strings.ReplaceAll(en, ",", "") !=
			strings.ReplaceAll(strings.ReplaceAll(strings.TrimSuffix(s, "₽"), "\u00a0", ""), ",", ".")+" CHF" {
			t.Errorf("Format(%d): en %q and ru %q disagree", m, en, s)
		}
	})
}

func BenchmarkFormat(b *testing.B) {
	for b.Loop() {
		money.Format(15_000_000, "RUB", "ru")
	}
}
