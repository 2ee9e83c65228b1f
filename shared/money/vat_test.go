package money_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

func TestSplitVAT(t *testing.T) {
	t.Parallel()
	incl := func(r glassbox.VATRate) glassbox.VAT { return glassbox.VAT{Rate: r, Included: true} }
	top := func(r glassbox.VATRate) glassbox.VAT { return glassbox.VAT{Rate: r} }
	tests := []struct {
		amount                glassbox.Minor
		vat                   glassbox.VAT
		net, vatAmount, total glassbox.Minor
	}{
		// Included: VAT = amount·r/(100+r).
		{10_000, incl("22"), 8_197, 1_803, 10_000}, // 18.0327…
		{100, incl("22"), 82, 18, 100},             // 0.1803…
		{15_000_000, incl("22"), 12_295_082, 2_704_918, 15_000_000},
		{12_200, incl("22"), 10_000, 2_200, 12_200}, // exact
		{11_000, incl("10"), 10_000, 1_000, 11_000},
		{10_000, incl("10"), 9_091, 909, 10_000}, // 9.0909…
		{10_000, incl("7"), 9_346, 654, 10_000},  // 6.5420…
		{10_000, incl("5"), 9_524, 476, 10_000},  // 4.7619…
		{21, incl("5"), 20, 1, 21},               // 1.0 exactly
		{10_000, incl("0"), 10_000, 0, 10_000},
		{10_000, incl("none"), 10_000, 0, 10_000},
		{10_000, incl(""), 10_000, 0, 10_000},
		{1, incl("22"), 1, 0, 1},                       // 0.18 rounds down
		{3, incl("22"), 2, 1, 3},                       // 0.54 rounds up
		{61, incl("22"), 50, 11, 61},                   // 11.0 exactly
		{-10_000, incl("22"), -8_197, -1_803, -10_000}, // a credit rounds like its debit

		// On top: VAT = amount·r/100.
		{5, top("10"), 5, 1, 6},     // 0.5 rounds half up
		{-5, top("10"), -5, -1, -6}, // … and half away from zero
		{4, top("10"), 4, 0, 4},     // 0.4
		{15, top("10"), 15, 2, 17},  // 1.5
		{10_000, top("22"), 10_000, 2_200, 12_200},
		{1, top("22"), 1, 0, 1},                 // 0.22
		{3, top("22"), 3, 1, 4},                 // 0.66
		{50, top("1"), 50, 1, 51},               // 0.5
		{49, top("1"), 49, 0, 49},               // 0.49
		{12_345, top("7"), 12_345, 864, 13_209}, // 864.15
		{12_345, top("5"), 12_345, 617, 12_962}, // 617.25
		{10, top("5"), 10, 1, 11},               // 0.5
		{10_000, top("0"), 10_000, 0, 10_000},
		{10_000, top("none"), 10_000, 0, 10_000},
		{10_000, top(""), 10_000, 0, 10_000},
		{0, top("22"), 0, 0, 0},
		{0, incl("22"), 0, 0, 0},

		// Rates with a fraction (Finland 25.5%, 13.5%; France 5.5%), in basis points.
		{10_000, incl("25.5"), 7_968, 2_032, 10_000}, // 2031.87…
		{10_000, top("25.5"), 10_000, 2_550, 12_550},
		{12_345, top("13.5"), 12_345, 1_667, 14_012}, // 1666.575
		{10_000, incl("5.5"), 9_479, 521, 10_000},    // 521.32…
		{200, top("0.25"), 200, 1, 201},              // 0.5 rounds half up

		// Reverse charge: no VAT whatever the rate.
		{10_000, glassbox.VAT{Rate: "22", ReverseCharge: true}, 10_000, 0, 10_000},
		{10_000, glassbox.VAT{Rate: "22", Included: true, ReverseCharge: true}, 10_000, 0, 10_000},

		// A rate that is not a number or is negative charges nothing rather than guessing.
		{10_000, top("22%"), 10_000, 0, 10_000},
		{10_000, incl("-100"), 10_000, 0, 10_000},

		// Large amounts need more than 64 bits for amount·r.
		{1e17, top("22"), 1e17, 22e15, 122e15},
		{1e17, incl("22"), 1e17 - 18_032_786_885_245_902, 18_032_786_885_245_902, 1e17}, // …901.64
		{math.MaxInt64, incl("22"), 7_560_141_013_815_390_006, 1_663_231_023_039_385_801, math.MaxInt64},
		{math.MinInt64, incl("100"), math.MinInt64 / 2, math.MinInt64 / 2, math.MinInt64},
		{1e15, top("1000"), 1e15, 1e16, 11e15},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %+v", tt.amount, tt.vat), func(t *testing.T) {
			t.Parallel()
			net, v, total := money.SplitVAT(tt.amount, tt.vat)
			if net != tt.net || v != tt.vatAmount || total != tt.total {
				t.Errorf("SplitVAT(%d, %+v) = %d, %d, %d; want %d, %d, %d",
					tt.amount, tt.vat, net, v, total, tt.net, tt.vatAmount, tt.total)
			}
		})
	}
}

func TestSplitVATOverflowPanics(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		amount glassbox.Minor
		rate   glassbox.VATRate
	}{
		{math.MaxInt64, "22"},
		{1e17, "10000"},
		{math.MinInt64, "1"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SplitVAT(%d, %s%% on top) did not panic", tt.amount, tt.rate)
				}
			}()
			money.SplitVAT(tt.amount, glassbox.VAT{Rate: tt.rate})
		}()
	}
}

// FuzzSplitVAT checks the invariants for every amount glassbox.ParseMinor can read (|amount| ≤ 10^17 + 99)
// and rates 0–255%.
func FuzzSplitVAT(f *testing.F) {
	for _, a := range []int64{0, 1, 5, 100, 10_000, -10_000, 1e17} {
		for _, r := range []uint8{0, 5, 7, 10, 22, 100} {
			f.Add(a, r, false, false)
			f.Add(a, r, true, false)
		}
	}
	f.Add(int64(10_000), uint8(22), false, true)
	f.Fuzz(func(t *testing.T, a int64, rate uint8, included, reverse bool) {
		a %= 1e17 + 100
		amount := glassbox.Minor(a)
		vat := glassbox.VAT{Rate: glassbox.VATRate(fmt.Sprint(rate)), Included: included, ReverseCharge: reverse}
		net, v, total := money.SplitVAT(amount, vat)
		if net+v != total {
			t.Fatalf("SplitVAT(%d, %+v) = %d, %d, %d: net + VAT != total", amount, vat, net, v, total)
		}
		if (v < 0 && amount > 0) || (v > 0 && amount < 0) {
			t.Errorf("SplitVAT(%d, %+v): VAT %d has the wrong sign", amount, vat, v)
		}
		if rate == 0 || reverse {
			if v != 0 || net != amount || total != amount {
				t.Errorf("SplitVAT(%d, %+v) = %d, %d, %d: want no VAT", amount, vat, net, v, total)
			}
			return
		}
		// The rounding error is at most half a minor unit: |VAT·d − amount·r| ≤ d/2. Checked for |amount| ≤ 10^15,
		// where every product here fits in an int64.
		if a > 1e15 || a < -1e15 {
			return
		}
		d := int64(100)
		if included {
			d += int64(rate)
		}
		diff := int64(v)*d - a*int64(rate)
		if diff < 0 {
			diff = -diff
		}
		if 2*diff > d {
			t.Errorf("SplitVAT(%d, %+v): VAT %d is more than half a unit from %d·%d/%d", amount, vat, v, a, rate, d)
		}
		// Half away from zero: a tie always moves away from zero.
		if 2*diff == d && (int64(v)*d-a*int64(rate) < 0) != (a < 0) {
			t.Errorf("SplitVAT(%d, %+v): tie rounded towards zero to %d", amount, vat, v)
		}
		if included && total != amount || !included && net != amount {
			t.Errorf("SplitVAT(%d, %+v) = %d, %d, %d: amount is neither net nor total", amount, vat, net, v, total)
		}
	})
}

func TestRate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		rate         glassbox.VATRate
		locale, want string
	}{
		{"22", "ru", "22%"},
		{"25.5", "en", "25.5%"},
		{"25.5", "ru", "25,5%"},
		{"5.50", "en", "5.5%"},
		{"0.25", "en", "0.25%"},
		{"0", "ru", "0%"},
		{glassbox.VATNone, "ru", ""},
	} {
		if got := money.Rate(tt.rate, tt.locale); got != tt.want {
			t.Errorf("Rate(%q, %s) = %q, want %q", tt.rate, tt.locale, got, tt.want)
		}
	}
}
